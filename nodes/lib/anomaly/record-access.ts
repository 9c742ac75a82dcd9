/**
 * How the anomaly engine reads records: property paths compiled to getters, and a batch's record
 * times and `ts` order. What a value must look like is in record-checks.ts.
 */
import { recordTime } from './record-checks';

/** Reads one property path of a record (undefined when a step is missing or not an object). */
export type Getter = (r: unknown) => unknown;

/** A getter for a dotted path; one- and two-step paths (nearly all) get a closure without a loop. */
export function getter(path: string): Getter {
  const segs = path.split('.');
  if (segs.length === 1) {
    const a = segs[0]!;
    return (r) => (r as Record<string, unknown>)[a];
  }
  if (segs.length === 2) {
    const [a, b] = segs as [string, string];
    return (r) => {
      const o = (r as Record<string, unknown>)[a];
      return o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[b] : undefined;
    };
  }
  return (r) => {
    let o: unknown = r;
    for (const s of segs) {
      if (o === null || typeof o !== 'object') return undefined;
      o = (o as Record<string, unknown>)[s];
    }
    return o;
  };
}

/**
 * Each record's time (NaN when unusable) and the indices in ascending time, or null for the
 * order when the batch is already in order (the usual case).
 */
export function sortedOrder(list: readonly unknown[]): { times: Float64Array; order: number[] | null } {
  let prev = -Infinity;
  let sorted = true;
  const times = new Float64Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const r = list[i];
    const t = r !== null && typeof r === 'object' ? recordTime(r) : NaN;
    times[i] = t;
    if (t < prev) sorted = false;
    if (t > prev) prev = t; // NaN never compares: unusable times do not break the order
  }
  if (sorted) return { times, order: null };
  // Unusable times sort first; they are rejected one by one anyway.
  const key = (i: number): number => (Number.isNaN(times[i]!) ? -Infinity : times[i]!);
  const idx = Array.from({ length: list.length }, (_, i) => i);
  return { times, order: idx.sort((a, b) => key(a) - key(b) || a - b) };
}
