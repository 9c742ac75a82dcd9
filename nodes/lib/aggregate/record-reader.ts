/**
 * How the aggregate engine reads a record, built once from its options: the group key, the
 * summed values (the first summed metric read without going through the array of readers: the
 * common shape, docs/performance.md#aggregate), and the count and distinct metrics added to a
 * group. Hostile values cost little (keys.ts).
 */
import { compilePath, type PathReader } from '../record-path';
import { distinctValue, groupInfo, groupKey, toNumber } from './keys';
import type { AggregateOptions } from './options';
import type { GroupInfo, WindowState } from './window-state';

/** What `moreSums` returns for a record with a summed value that is not a number. */
export const BAD_SUMS: number[] = [];

export class RecordReader {
  /** Metric indices by kind. */
  readonly sumIdx: number[] = [];
  readonly countIdx: number[] = [];
  readonly distinctIdx: number[] = [];
  /** The first summed metric's reader; null without sums. */
  readonly sumGetter: PathReader | null;
  /** No count or distinct metric: a record adds to the sums only. */
  readonly onlySums: boolean;
  /** Which summed value `moreSums` found bad (index into `sumIdx`). */
  badSum = 0;
  private readonly keyGetters: PathReader[];
  private readonly labelGetter: PathReader | null;
  /** By metric index; null for counts. */
  private readonly valueGetters: (PathReader | null)[];

  constructor(private readonly options: AggregateOptions) {
    this.keyGetters = options.groupBy.map(compilePath);
    this.labelGetter = options.labelPath ? compilePath(options.labelPath) : null;
    this.valueGetters = options.metrics.map((m, i) => {
      if (m.kind === 'count') this.countIdx.push(i);
      else if (m.kind === 'distinct') this.distinctIdx.push(i);
      else this.sumIdx.push(i);
      return m.path ? compilePath(m.path) : null;
    });
    this.sumGetter = this.sumIdx.length > 0 ? this.valueGetters[this.sumIdx[0]!]! : null;
    this.onlySums = this.countIdx.length === 0 && this.distinctIdx.length === 0;
  }

  key(r: unknown): string {
    return groupKey(this.keyGetters, r);
  }

  /** A new group's identity, from its first record. */
  group(key: string, r: unknown): GroupInfo {
    return groupInfo(this.keyGetters, this.labelGetter, key, r);
  }

  /** Every summed value of `r` (the first already read), or BAD_SUMS with `badSum` set. */
  moreSums(r: unknown, x0: number): number[] {
    const xs = [x0];
    for (let k = 1; k < this.sumIdx.length; k++) {
      const x = toNumber(this.valueGetters[this.sumIdx[k]!]!(r));
      if (!Number.isFinite(x)) {
        this.badSum = k;
        return BAD_SUMS;
      }
      xs.push(x);
    }
    return xs;
  }

  /** Why summed value `k` of `r` was refused. */
  badValue(r: unknown, k: number): string {
    const i = this.sumIdx[k]!;
    const v = this.valueGetters[i]!(r);
    return `${this.options.metrics[i]!.path}: "${String(v).slice(0, 40)}" is not a number`;
  }

  /** Adds `r` to the count and distinct metrics of the group in `row` (cells from `base`). */
  addCountsAndDistinct(r: unknown, row: number, w: WindowState, base: number): void {
    const countIdx = this.countIdx;
    for (let k = 0; k < countIdx.length; k++) {
      const i = countIdx[k]!;
      w.cells[base + i]! += 1;
      w.totals[i]! += 1;
    }
    const d = this.distinctIdx;
    for (let k = 0; k < d.length; k++) {
      const i = d[k]!;
      const dv = distinctValue(this.valueGetters[i]!(r));
      if (dv !== undefined) {
        w.sets[i]![row]!.add(dv);
        w.totalSets![i]!.add(dv);
      }
    }
  }
}
