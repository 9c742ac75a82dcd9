/**
 * How the anomaly engine reads a batch: its record times and `ts` order (paths are read with
 * record-path.ts). What a value must look like is in record-checks.ts.
 */
import { recordTime } from './record-checks';

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
