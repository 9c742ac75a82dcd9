/**
 * Distinct count of one field in one group: exact (a Set) up to a small number of values, then a
 * fixed-size HyperLogLog, so a group that sees a million destinations costs a few KiB, not a
 * million strings. Counters merge, which is how folded groups feed "other" and the totals.
 */
import { HyperLogLog, type HyperLogLogJson } from '../sketch/hyperloglog';

export interface DistinctJson {
  values?: string[];
  sketch?: HyperLogLogJson;
}

export class DistinctCounter {
  private set: Set<string> | null = new Set();
  private sketch: HyperLogLog | null = null;

  /** `exactUpTo` values are counted exactly; beyond, a sketch of `precision` takes over. */
  constructor(private readonly exactUpTo: number, private readonly precision: number) {}

  add(v: string): void {
    const s = this.set;
    if (s !== null) {
      s.add(v);
      if (s.size > this.exactUpTo) this.toSketch();
      return;
    }
    this.sketch!.add(v);
  }

  private toSketch(): void {
    const h = new HyperLogLog(this.precision);
    for (const v of this.set!) h.add(v);
    this.sketch = h;
    this.set = null;
  }

  get exact(): boolean {
    return this.set !== null;
  }

  count(): number {
    return this.set !== null ? this.set.size : this.sketch!.count();
  }

  merge(o: DistinctCounter): void {
    if (o.set !== null) {
      for (const v of o.set) this.add(v);
      return;
    }
    if (this.set !== null) this.toSketch();
    this.sketch!.merge(o.sketch!);
  }

  toJSON(): DistinctJson {
    return this.set !== null ? { values: Array.from(this.set) } : { sketch: this.sketch!.toJSON() };
  }

  static fromJSON(j: unknown, exactUpTo: number, precision: number): DistinctCounter {
    const c = new DistinctCounter(exactUpTo, precision);
    const o = (j ?? {}) as DistinctJson;
    if (o.sketch !== undefined) {
      const h = HyperLogLog.fromJSON(o.sketch);
      if (h.precision === precision) {
        c.set = null;
        c.sketch = h;
      }
    } else if (Array.isArray(o.values)) {
      for (const v of o.values) if (typeof v === 'string') c.add(v);
    }
    return c;
  }
}
