/**
 * What an open window holds: its groups in a columnar table, the group cap's "folded" group, and
 * the window's totals.
 *
 * Layout (docs/performance.md#group-table): a `Map` from group key to a row number, and one
 * `Float64Array` of `stride` cells per row: cell 0 the group's record count, cell 1 + i metric
 * i's running sum (or count). Distinct counters live in one array per distinct metric, by row.
 * Adding a record to a group is one `Map.get` and a store into one dense array, where a group
 * object with an array of values took three dependent memory reads on 100,000 groups.
 */
import { DistinctCounter } from './distinct';

/** Values counted exactly per group before a sketch takes over, and the sketch sizes. */
export const GROUP_EXACT = 64;
export const GROUP_PRECISION = 10;
export const TOTAL_EXACT = 1024;
export const TOTAL_PRECISION = 14;
/** Fraction of `maxGroups` folded at once, so folding costs O(log n) per new group amortised. */
const FOLD_FRACTION = 0.1;
const INITIAL_ROWS = 16;

/** The shape of the metrics, shared by every window of one engine. */
export interface Layout {
  nMetrics: number;
  /** Indices of the distinct metrics. */
  distinct: readonly number[];
  /** Index of the ranking metric. */
  sortBy: number;
  maxGroups: number;
}

/** One group's identity, kept beside its row. */
export interface GroupInfo {
  key: string;
  /** The group-by values (null where the record had none). */
  parts: unknown[];
  label: string;
}

function counters(layout: Layout, exact: number, precision: number): (DistinctCounter | null)[] | null {
  if (layout.distinct.length === 0) return null;
  const out = new Array<DistinctCounter | null>(layout.nMetrics).fill(null);
  for (const i of layout.distinct) out[i] = new DistinctCounter(exact, precision);
  return out;
}

/** A single group's cells and counters outside the table: the folded group. */
export class Accumulator {
  /** Cell 0: records; cell 1 + i: metric i. */
  readonly cells: Float64Array;
  readonly sets: (DistinctCounter | null)[] | null;

  constructor(layout: Layout) {
    this.cells = new Float64Array(layout.nMetrics + 1);
    this.sets = counters(layout, GROUP_EXACT, GROUP_PRECISION);
  }
}

export class WindowState {
  /** Group key -> row. */
  readonly rows = new Map<string, number>();
  readonly info: GroupInfo[] = [];
  /** `stride` cells per row: records, then one per metric. */
  cells: Float64Array;
  /** Per metric index: a counter per row for distinct metrics, null for the others. */
  readonly sets: (DistinctCounter[] | null)[];
  readonly stride: number;
  /** Groups folded away by the cap, together; null until the first fold. */
  folded: Accumulator | null = null;
  foldedGroups = 0;
  records = 0;
  /** Over every record of the window, folded ones included. */
  readonly totals: Float64Array;
  readonly totalSets: (DistinctCounter | null)[] | null;
  minTs = Infinity;
  maxTs = -Infinity;

  constructor(readonly start: number, readonly end: number, readonly layout: Layout) {
    this.stride = layout.nMetrics + 1;
    this.cells = new Float64Array(this.stride * Math.min(INITIAL_ROWS, layout.maxGroups));
    this.sets = new Array<DistinctCounter[] | null>(layout.nMetrics).fill(null);
    for (const i of layout.distinct) this.sets[i] = [];
    this.totals = new Float64Array(layout.nMetrics);
    this.totalSets = counters(layout, TOTAL_EXACT, TOTAL_PRECISION);
  }

  get size(): number {
    return this.info.length;
  }

  /** Adds an empty group (folding the smallest first when the cap is reached); returns its row. */
  addGroup(g: GroupInfo): number {
    if (this.info.length >= this.layout.maxGroups) this.fold();
    const row = this.info.length;
    if ((row + 1) * this.stride > this.cells.length) this.grow();
    this.info.push(g);
    this.rows.set(g.key, row);
    const distinct = this.layout.distinct;
    for (let k = 0; k < distinct.length; k++) this.sets[distinct[k]!]!.push(new DistinctCounter(GROUP_EXACT, GROUP_PRECISION));
    return row;
  }

  private grow(): void {
    const rows = Math.min(this.layout.maxGroups, Math.max(INITIAL_ROWS, (this.cells.length / this.stride) * 2));
    const next = new Float64Array(rows * this.stride);
    next.set(this.cells);
    this.cells = next;
  }

  /** Value of metric `i` of the group in `row` (rates are divided at close). */
  value(row: number, i: number): number {
    const s = this.sets[i];
    return s ? s[row]!.count() : this.cells[row * this.stride + 1 + i]!;
  }

  /**
   * Folds the smallest tenth of the groups (by the ranking metric; ties: the smaller key first)
   * into `folded`, then packs the remaining rows together in their old order.
   */
  fold(): void {
    const n = this.info.length;
    const by = this.layout.sortBy;
    const vs = new Float64Array(n);
    for (let r = 0; r < n; r++) vs[r] = this.value(r, by);
    const info = this.info;
    const order = Array.from({ length: n }, (_, r) => r).sort((a, b) => vs[a]! - vs[b]! || (info[a]!.key < info[b]!.key ? -1 : 1));
    const count = Math.min(n, Math.max(1, Math.floor(this.layout.maxGroups * FOLD_FRACTION)));
    const gone = new Uint8Array(n);
    const acc = this.folded ?? (this.folded = new Accumulator(this.layout));
    for (let k = 0; k < count; k++) {
      const r = order[k]!;
      gone[r] = 1;
      this.absorbInto(acc, r);
    }
    this.foldedGroups += count;
    this.compact(gone);
  }

  /** Adds the group in `row` to `acc`. */
  absorbInto(acc: Accumulator, row: number): void {
    const base = row * this.stride;
    for (let c = 0; c < this.stride; c++) acc.cells[c]! += this.cells[base + c]!;
    if (acc.sets) for (const i of this.layout.distinct) acc.sets[i]!.merge(this.sets[i]![row]!);
  }

  /** Removes the rows marked in `gone`, keeping the others' order. */
  private compact(gone: Uint8Array): void {
    const stride = this.stride;
    let to = 0;
    this.rows.clear();
    for (let from = 0; from < gone.length; from++) {
      if (gone[from]) continue;
      if (to !== from) {
        this.cells.copyWithin(to * stride, from * stride, (from + 1) * stride);
        this.info[to] = this.info[from]!;
        for (const i of this.layout.distinct) this.sets[i]![to] = this.sets[i]![from]!;
      }
      this.rows.set(this.info[to]!.key, to);
      to++;
    }
    this.cells.fill(0, to * stride);
    this.info.length = to;
    for (const i of this.layout.distinct) this.sets[i]!.length = to;
  }
}
