/**
 * A closed window as the engine returns it: the top N groups ranked, one "other" group for the
 * rest, and the totals. Only the groups that are sent become objects: closing a window of 100,000
 * groups with a top 10 selects the 10 in one pass and sums the rest column by column, instead of
 * building and sorting 100,000 results (docs/performance.md#closing-a-window). `reference.ts`
 * holds the plain version (build every group, sort all) that a property test compares with this.
 */
import type { MetricDef } from './options';
import type { Accumulator, WindowState } from './window-state';

export const OTHER_LABEL = 'other';

export interface GroupResult {
  key: string;
  label: string;
  /** The group-by values, by path (null where the record had none). */
  fields: Record<string, unknown>;
  /** Metric values by metric name. */
  values: Record<string, number>;
  records: number;
}

export interface WindowResult {
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive (per-message windows: the latest record time + 1). */
  end: number;
  /** `2024-03`, `2024-03-31`, `2024-03-31 14:05` in `timeZone`. */
  label: string;
  timeZone: string;
  /** The divisor of rates. */
  seconds: number;
  metrics: MetricDef[];
  /** Index in `metrics` of the ranking metric. */
  sortBy: number;
  /** The top `topN` groups held (all when `topN` is 0), largest first by the sort metric (ties: label, then key). */
  groups: GroupResult[];
  /** Groups held at close, listed or not. */
  groupCount: number;
  /**
   * Every record not in `groups` (held groups beyond the top N, and folded groups), together;
   * null when there are none. Distinct counts do not add across groups, so they are left out.
   */
  other: GroupResult | null;
  /** Groups folded away by the group cap, together (distinct counts included); null when none were. */
  folded: GroupResult | null;
  /** How many groups were folded into `folded`. */
  foldedGroups: number;
  /** Over every record of the window, "other" included. Distinct totals are over the window. */
  totals: Record<string, number>;
  records: number;
}

export interface RecordError {
  index: number;
  message: string;
}

export interface IngestResult {
  /** Windows this batch closed, oldest first. */
  windows: WindowResult[];
  accepted: number;
  late: number;
  duplicates: number;
  invalid: number;
  /** The first 10 bad records. */
  errors: RecordError[];
}

/** What a window needs besides its state to become a result. */
export interface CloseContext extends Pick<WindowResult, 'start' | 'end' | 'label' | 'timeZone' | 'seconds' | 'metrics' | 'sortBy'> {
  groupBy: readonly string[];
  topN: number;
}

/** The ranking order of two rows: larger sort value first, then label, then key. */
function rankCompare(w: WindowState, by: number): (a: number, b: number) => number {
  const info = w.info;
  return (a, b) => {
    const d = w.value(b, by) - w.value(a, by);
    if (d !== 0) return d;
    const la = info[a]!.label;
    const lb = info[b]!.label;
    if (la !== lb) return la < lb ? -1 : 1;
    return info[a]!.key < info[b]!.key ? -1 : info[a]!.key > info[b]!.key ? 1 : 0;
  };
}

/**
 * The `n` best rows in rank order, in one pass: a sorted list of at most `n` rows, where a row
 * enters only when it beats the last one (binary search for its place).
 */
function topRows(w: WindowState, by: number, n: number): number[] {
  const cmp = rankCompare(w, by);
  const top: number[] = [];
  for (let r = 0; r < w.size; r++) {
    if (top.length === n && cmp(r, top[n - 1]!) >= 0) continue;
    let lo = 0;
    let hi = top.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmp(top[mid]!, r) <= 0) lo = mid + 1;
      else hi = mid;
    }
    top.splice(lo, 0, r);
    if (top.length > n) top.pop();
  }
  return top;
}

/** Metric values by name from a row's cells (records first) and a distinct count per metric. */
function values(ctx: CloseContext, cells: ArrayLike<number>, base: number, distinct: (i: number) => number | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  const metrics = ctx.metrics;
  for (let i = 0; i < metrics.length; i++) {
    const m = metrics[i]!;
    const v = m.kind === 'distinct' ? distinct(i) : cells[base + 1 + i]!;
    if (v === undefined) continue;
    out[m.name] = m.kind === 'rate' ? v / ctx.seconds : v;
  }
  return out;
}

export function rowResult(ctx: CloseContext, w: WindowState, row: number): GroupResult {
  const g = w.info[row]!;
  const fields: Record<string, unknown> = {};
  ctx.groupBy.forEach((p, i) => {
    fields[p] = g.parts[i] ?? null;
  });
  return {
    key: g.key, label: g.label, fields,
    values: values(ctx, w.cells, row * w.stride, (i) => w.sets[i]![row]!.count()),
    records: w.cells[row * w.stride]!,
  };
}

export function accumulatorResult(ctx: CloseContext, acc: Accumulator, withDistinct: boolean): GroupResult {
  const distinct = (i: number): number | undefined => (withDistinct ? acc.sets![i]!.count() : undefined);
  return { key: '', label: OTHER_LABEL, fields: {}, values: values(ctx, acc.cells, 0, distinct), records: acc.cells[0]! };
}

function totals(ctx: CloseContext, w: WindowState): Record<string, number> {
  const out: Record<string, number> = {};
  ctx.metrics.forEach((m, i) => {
    const v = w.totalSets?.[i] ? w.totalSets[i].count() : w.totals[i]!;
    out[m.name] = m.kind === 'rate' ? v / ctx.seconds : v;
  });
  return out;
}

/** The result of a window: top N rows built, the rest summed into "other" without objects. */
export function closeWindow(ctx: CloseContext, w: WindowState): WindowResult {
  const n = ctx.topN > 0 ? Math.min(ctx.topN, w.size) : w.size;
  const top = n === w.size ? Array.from({ length: n }, (_, r) => r).sort(rankCompare(w, ctx.sortBy)) : topRows(w, ctx.sortBy, n);
  let other: GroupResult | null = null;
  if (n < w.size || w.folded) {
    const listed = new Uint8Array(w.size);
    for (const r of top) listed[r] = 1;
    const stride = w.stride;
    const sum = new Float64Array(stride);
    if (w.folded) sum.set(w.folded.cells);
    for (let r = 0; r < w.size; r++) {
      if (listed[r]) continue;
      for (let c = 0, base = r * stride; c < stride; c++) sum[c]! += w.cells[base + c]!;
    }
    other = { key: '', label: OTHER_LABEL, fields: {}, values: values(ctx, sum, 0, () => undefined), records: sum[0]! };
  }
  return {
    start: ctx.start,
    end: ctx.end,
    label: ctx.label,
    timeZone: ctx.timeZone,
    seconds: ctx.seconds,
    metrics: ctx.metrics,
    sortBy: ctx.sortBy,
    groups: top.map((r) => rowResult(ctx, w, r)),
    groupCount: w.size,
    other,
    folded: w.folded ? accumulatorResult(ctx, w.folded, true) : null,
    foldedGroups: w.foldedGroups,
    totals: totals(ctx, w),
    records: w.records,
  };
}
