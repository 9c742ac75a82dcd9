/**
 * The anomaly engine's saved state (docs/design.md#network-flow-anomaly): plain JSON for a
 * context store (no Map, Set or Infinity), the key and pane shapes, and reading them back with
 * every field checked, so a damaged or foreign state is refused rather than trusted.
 */
import { BadInputError } from '../errors';
import { DistinctCounter } from './hyperloglog';
import { KeyState } from './key-state';
import { panesPerKey } from './memory';
import type { AnomalyOptions } from './options';
import { minOf, type Pane } from './panes';
import type { EngineCounters } from './results';

export const STATE_FORMAT = 'network-flow-anomaly/1';

export interface PaneJson {
  idx: number;
  val: number;
  n: number;
  /** distinct, exact: the values' hashes. */
  hashes?: number[];
  /** distinct, sketched: the HyperLogLog registers, base64. */
  hll?: string;
  /** distinct, states saved before the sketch: the values themselves (read only). */
  set?: unknown[];
  samples: unknown[];
  sv: number[];
}

export interface KeyStateJson {
  id: string;
  fields: Record<string, unknown>;
  firstSeen: number;
  nextPane: number | null;
  active: boolean;
  windows: number;
  pendingRun: number;
  alerting: boolean;
  alertEnd: number | null;
  lastAlertEnd: number | null;
  mean: number;
  variance: number;
  n: number;
  hist: number[];
  histPos: number;
  ringPos: number;
  ring: (PaneJson | null)[];
  open: PaneJson[];
}

export interface AnomalyState {
  format: typeof STATE_FORMAT;
  fingerprint: string;
  maxTs: number | null;
  closedUpTo: number | null;
  counters: EngineCounters;
  keys: KeyStateJson[];
}

/** The parts of the options that give the state its meaning: a change makes it useless. */
export function stateFingerprint(o: AnomalyOptions): string {
  return JSON.stringify([o.key, o.metric.text, o.window, o.hops, o.rule, o.rule === 'zscore' ? o.history : 0]);
}

export function keyToJson(s: KeyState): KeyStateJson {
  return {
    id: s.id,
    fields: s.fields,
    firstSeen: s.firstSeen,
    nextPane: finiteOrNull(s.nextPane),
    active: s.active,
    windows: s.windows,
    pendingRun: s.pendingRun,
    alerting: s.alerting,
    alertEnd: finiteOrNull(s.alertEnd),
    lastAlertEnd: finiteOrNull(s.lastAlertEnd),
    mean: s.mean,
    variance: s.variance,
    n: s.n,
    hist: s.hist ? Array.from(s.hist.subarray(0, s.histCount)) : [],
    histPos: s.histPos,
    ringPos: s.ringPos,
    ring: s.ring.map((p) => (p ? paneJson(p) : null)),
    open: s.open.map(paneJson),
  };
}

/** The state's shape checked far enough to read it; throws `BadInputError` when it is not one. */
export function checkStateFormat(state: unknown): AnomalyState {
  const st = state as AnomalyState;
  if (st === null || typeof st !== 'object' || st.format !== STATE_FORMAT || !Array.isArray(st.keys)) {
    throw new BadInputError('state', `not a ${STATE_FORMAT} state`);
  }
  return st;
}

/** One saved key, checked against what these options can hold; throws `BadInputError` when malformed. */
export function keyFromJson(k: KeyStateJson, o: AnomalyOptions): KeyState {
  const maxOpen = panesPerKey(o) - o.hops;
  if (!k || typeof k.id !== 'string' || typeof k.firstSeen !== 'number' || !Array.isArray(k.ring) || k.ring.length !== o.hops || !Array.isArray(k.open)) {
    throw new BadInputError('state', 'a key entry is malformed');
  }
  // A saved state must not bring in more than these settings can hold.
  if (k.open.length > maxOpen) throw new BadInputError('state', `a key holds ${k.open.length} open windows (at most ${maxOpen})`);
  const s = new KeyState(k.id, k.fields ?? {}, k.firstSeen, o.hops);
  s.nextPane = timeOr(k.nextPane, -Infinity);
  s.active = k.active === true;
  s.windows = num(k.windows);
  s.pendingRun = num(k.pendingRun);
  s.alerting = k.alerting === true;
  s.alertEnd = timeOr(k.alertEnd, -Infinity);
  s.lastAlertEnd = timeOr(k.lastAlertEnd, -Infinity);
  s.mean = num(k.mean);
  s.variance = num(k.variance);
  s.n = num(k.n);
  if (o.rule === 'zscore' && Array.isArray(k.hist)) {
    const h = new Float64Array(o.history);
    const m = Math.min(k.hist.length, o.history);
    for (let i = 0; i < m; i++) h[i] = num(k.hist[i]);
    s.hist = h;
    s.histCount = m;
    s.histPos = m < o.history ? m : num(k.histPos) % o.history;
  }
  s.ringPos = num(k.ringPos) % o.hops;
  s.ring = k.ring.map((p) => (p ? paneFromJson(p, o) : null));
  s.ringRecords = s.ring.reduce((a, p) => a + (p ? p.n : 0), 0);
  s.open = k.open.map((p) => paneFromJson(p, o)).sort((a, b) => a.idx - b.idx);
  s.cur = s.open.length > 0 ? s.open[s.open.length - 1]! : null;
  return s;
}

/** Saved counters, each 0 when missing or not a finite number. */
export function countersFromJson(c: Partial<EngineCounters> | undefined): EngineCounters {
  const v = c ?? {};
  return {
    records: num(v.records),
    alerts: num(v.alerts),
    resolves: num(v.resolves),
    evictions: num(v.evictions),
    late: num(v.late),
    noKey: num(v.noKey),
    invalid: num(v.invalid),
  };
}

export function finiteOrNull(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

/** A saved time or pane index; `fallback` for anything that is not a finite number. */
export function timeOr(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function paneJson(p: Pane): PaneJson {
  const j: PaneJson = { idx: p.idx, val: p.val, n: p.n, samples: p.samples, sv: p.sv };
  if (p.distinct) Object.assign(j, p.distinct.toJson());
  return j;
}

function paneFromJson(p: PaneJson, o: AnomalyOptions): Pane {
  if (!p || typeof p.idx !== 'number' || typeof p.n !== 'number') throw new BadInputError('state', 'a window entry is malformed');
  const pane: Pane = {
    idx: p.idx,
    val: num(p.val),
    n: p.n,
    distinct: o.metric.kind === 'distinct' ? DistinctCounter.fromJson(p.hashes, p.hll, p.set) : null,
    samples: Array.isArray(p.samples) ? p.samples : [],
    sv: Array.isArray(p.sv) ? p.sv.map(num) : [],
    svMin: -Infinity,
  };
  if (pane.sv.length >= o.sampleSize && pane.sv.length > 0) pane.svMin = minOf(pane.sv);
  return pane;
}
