/**
 * Open windows as plain JSON for a context store, and back (docs/aggregate.md: long windows
 * survive a restart when the node is asked to keep them). The format is the same as before the
 * columnar table: one entry per group with its values, so saved states still load.
 */
import { BadInputError } from '../errors';
import { DistinctCounter, type DistinctJson } from './distinct';
import { Accumulator, GROUP_EXACT, GROUP_PRECISION, TOTAL_EXACT, TOTAL_PRECISION, WindowState, type Layout } from './window-state';

export const STATE_FORMAT = 'network-flow-aggregate/1';

export interface GroupJson {
  key: string;
  parts: unknown[];
  label: string;
  n: number;
  vals: number[];
  sets: (DistinctJson | null)[] | null;
}

export interface WindowJson {
  start: number; end: number; records: number; folded: number; minTs: number; maxTs: number;
  totals: number[]; totalSets: (DistinctJson | null)[] | null; other: GroupJson | null; groups: GroupJson[];
}

export interface AggregateState {
  format: typeof STATE_FORMAT;
  fingerprint: string;
  maxTs: number | null;
  closedUpTo: number | null;
  counters: { records: number; late: number; duplicates: number; invalid: number; folded: number; closed: number };
  windows: WindowJson[];
  dedup: Array<[string, number]>;
}

export function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function cellsJson(cells: Float64Array, base: number, nMetrics: number): { n: number; vals: number[] } {
  return { n: cells[base]!, vals: Array.from(cells.subarray(base + 1, base + 1 + nMetrics)) };
}

export function windowToJson(w: WindowState): WindowJson {
  const nm = w.layout.nMetrics;
  const groups: GroupJson[] = w.info.map((g, row) => ({
    key: g.key, parts: g.parts, label: g.label, ...cellsJson(w.cells, row * w.stride, nm),
    sets: w.layout.distinct.length === 0 ? null : w.sets.map((s) => (s ? s[row]!.toJSON() : null)),
  }));
  const f = w.folded;
  return {
    start: w.start, end: w.end, records: w.records, folded: w.foldedGroups, minTs: w.minTs, maxTs: w.maxTs,
    totals: Array.from(w.totals),
    totalSets: w.totalSets ? w.totalSets.map((s) => (s ? s.toJSON() : null)) : null,
    other: f ? { key: '', parts: [], label: 'other', ...cellsJson(f.cells, 0, nm), sets: f.sets ? f.sets.map((s) => (s ? s.toJSON() : null)) : null } : null,
    groups,
  };
}

function checkGroup(j: GroupJson, nm: number): void {
  if (!j || typeof j.key !== 'string' || !Array.isArray(j.vals) || j.vals.length !== nm) throw new BadInputError('state', 'a group entry is malformed');
}

/** A window from its JSON; groups beyond the cap are folded as they would have been live. */
export function windowFromJson(wj: WindowJson, layout: Layout): WindowState {
  if (!wj || typeof wj.start !== 'number' || typeof wj.end !== 'number' || !Array.isArray(wj.groups) || !Array.isArray(wj.totals)) {
    throw new BadInputError('state', 'a window entry is malformed');
  }
  const nm = layout.nMetrics;
  const w = new WindowState(wj.start, wj.end, layout);
  w.records = num(wj.records);
  w.foldedGroups = num(wj.folded);
  w.minTs = typeof wj.minTs === 'number' ? wj.minTs : Infinity;
  w.maxTs = typeof wj.maxTs === 'number' ? wj.maxTs : -Infinity;
  wj.totals.forEach((v, i) => { if (i < nm) w.totals[i] = num(v); });
  if (w.totalSets) for (const i of layout.distinct) w.totalSets[i] = DistinctCounter.fromJSON(wj.totalSets?.[i], TOTAL_EXACT, TOTAL_PRECISION);
  if (wj.other) {
    checkGroup(wj.other, nm);
    const acc = new Accumulator(layout);
    acc.cells[0] = num(wj.other.n);
    wj.other.vals.forEach((v, i) => { acc.cells[1 + i] = num(v); });
    if (acc.sets) for (const i of layout.distinct) acc.sets[i] = DistinctCounter.fromJSON(wj.other.sets?.[i], GROUP_EXACT, GROUP_PRECISION);
    w.folded = acc;
  }
  for (const gj of wj.groups) {
    checkGroup(gj, nm);
    if (w.rows.has(gj.key)) continue;
    const row = w.addGroup({ key: gj.key, parts: Array.isArray(gj.parts) ? gj.parts : [], label: String(gj.label) });
    const base = row * w.stride;
    w.cells[base] = num(gj.n);
    gj.vals.forEach((v, i) => { w.cells[base + 1 + i] = num(v); });
    for (const i of layout.distinct) w.sets[i]![row] = DistinctCounter.fromJSON(gj.sets?.[i], GROUP_EXACT, GROUP_PRECISION);
  }
  return w;
}
