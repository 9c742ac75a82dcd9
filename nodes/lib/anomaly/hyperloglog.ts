/**
 * Distinct counting in fixed memory for the anomaly engine: an exact set of value hashes up to
 * `EXACT_LIMIT` values, then the project's HyperLogLog (nodes/lib/sketch/hyperloglog.ts) of 2^12
 * one-byte registers (4 KiB) whatever the number of values.
 */
import { HyperLogLog, hash32, hllStdError } from '../sketch/hyperloglog';

export { HyperLogLog, hash32 };

/** Register index bits. */
export const HLL_P = 12;
/** Registers (bytes) per sketch. */
export const HLL_REGISTERS = 1 << HLL_P;
/** Relative standard error of an estimate: 1.04 / sqrt(registers), about 0.016. */
export const HLL_STD_ERROR = hllStdError(HLL_P);
/** Values counted exactly (as hashes) before a pane switches to the sketch. */
export const EXACT_LIMIT = 128;

/**
 * Distinct values of one pane: exact (a set of hashes) while small, a sketch beyond
 * `EXACT_LIMIT`. Memory stays under about 4 KiB either way.
 */
export class DistinctCounter {
  private exact: Set<number> | null = new Set();
  private sketch: HyperLogLog | null = null;

  /** True when the value is new (for the sketch: when it changed a register). */
  add(value: string): boolean {
    return this.addHash(hash32(value));
  }

  addHash(h: number): boolean {
    const exact = this.exact;
    if (exact === null) return this.sketch!.addHash(h);
    if (exact.has(h)) return false;
    if (exact.size < EXACT_LIMIT) {
      exact.add(h);
      return true;
    }
    this.toSketch();
    return this.sketch!.addHash(h);
  }

  get isExact(): boolean {
    return this.exact !== null;
  }

  /** Values held exactly (0 once it is a sketch). */
  get exactSize(): number {
    return this.exact?.size ?? 0;
  }

  count(): number {
    return this.exact !== null ? this.exact.size : Math.round(this.sketch!.estimate());
  }

  /** Adds this pane's values to a union being built: its hashes into `set`, or its sketch into `into`. */
  unionInto(set: Set<number>, into: HyperLogLog): boolean {
    if (this.exact !== null) {
      for (const h of this.exact) set.add(h);
      return false;
    }
    into.merge(this.sketch!);
    return true;
  }

  toJson(): { hashes: number[] } | { hll: string } {
    return this.exact !== null ? { hashes: Array.from(this.exact) } : { hll: this.sketch!.toBase64() };
  }

  static fromJson(hashes: unknown, hll: unknown, values: unknown): DistinctCounter {
    const c = new DistinctCounter();
    const sketch = HyperLogLog.fromBase64(hll, HLL_P);
    if (sketch) {
      c.exact = null;
      c.sketch = sketch;
    } else if (Array.isArray(hashes)) {
      for (const h of hashes) if (typeof h === 'number' && Number.isInteger(h)) c.addHash(h | 0);
    } else if (Array.isArray(values)) {
      // States saved before the sketch held the values themselves.
      for (const v of values) c.add(typeof v === 'string' ? v : String(v));
    }
    return c;
  }

  private toSketch(): void {
    const s = new HyperLogLog(HLL_P);
    for (const h of this.exact!) s.addHash(h);
    this.exact = null;
    this.sketch = s;
  }
}

/** Count of the union of several panes (a sliding window), in fixed memory. */
export function unionCount(counters: Iterable<DistinctCounter>, scratch: HyperLogLog): number {
  const set = new Set<number>();
  scratch.clear();
  let sketched = false;
  for (const c of counters) if (c.unionInto(set, scratch)) sketched = true;
  // Exact panes only: the union of their hashes is exact too (at most hops x EXACT_LIMIT).
  if (!sketched) return set.size;
  for (const h of set) scratch.addHash(h);
  return Math.round(scratch.estimate());
}
