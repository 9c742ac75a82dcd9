/**
 * Panes: a key's metric accumulated over `window / hops` of record time (docs/design.md#network-flow-anomaly),
 * and what a window made of a ring of panes adds up to: its value and its sample of records.
 */
import { DistinctCounter, unionCount, type HyperLogLog } from './hyperloglog';
import type { MetricKind } from './options';

/** One pane of one key: the metric accumulated over `window / hops` of record time. */
export interface Pane {
  idx: number;
  val: number;
  n: number;
  /** distinct: the pane's values, exact while few, then a fixed-size sketch. */
  distinct: DistinctCounter | null;
  samples: unknown[];
  /** For sum / rate: the metric value of each sample, to keep the largest contributors. */
  sv: number[];
  /** Smallest of `sv` once it is full (-Infinity before): most records are not sampled. */
  svMin: number;
}

export function newPane(idx: number, kind: MetricKind): Pane {
  return { idx, val: 0, n: 0, distinct: kind === 'distinct' ? new DistinctCounter() : null, samples: [], sv: [], svMin: -Infinity };
}

/** Keeps the `cap` records with the largest metric value in the pane (called when x > svMin). */
export function addTopSample(pane: Pane, r: unknown, x: number, cap: number): void {
  const sv = pane.sv;
  if (sv.length < cap) {
    pane.samples.push(r);
    sv.push(x);
    if (sv.length === cap) pane.svMin = minOf(sv);
    return;
  }
  let min = 0;
  for (let i = 1; i < sv.length; i++) if (sv[i]! < sv[min]!) min = i;
  sv[min] = x;
  pane.samples[min] = r;
  pane.svMin = minOf(sv);
}

export function minOf(a: number[]): number {
  let m = a[0]!;
  for (let i = 1; i < a.length; i++) if (a[i]! < m) m = a[i]!;
  return m;
}

/** What a window's metric needs to know to add up its panes. */
export interface WindowMetric {
  kind: MetricKind;
  /** Window length in seconds (a rate is per second of window). */
  window: number;
  maxDistinct: number;
}

/**
 * The metric over a window's ring of closed panes (null = empty pane). distinct, sliding: the
 * union of the panes' counters is built in `scratch`.
 */
export function windowValue(ring: readonly (Pane | null)[], m: WindowMetric, scratch: HyperLogLog): number {
  const kind = m.kind;
  if (kind === 'distinct') {
    let n: number;
    if (ring.length === 1) n = ring[0] ? ring[0].distinct!.count() : 0;
    else n = unionCount(ring.filter((p) => p !== null).map((p) => p.distinct!), scratch);
    return Math.min(n, m.maxDistinct);
  }
  let v = 0;
  for (const p of ring) if (p) v += p.val;
  return kind === 'rate' ? v / m.window : v;
}

/**
 * Up to `cap` records of the window: the largest contributors for sums and rates, else the
 * newest panes' first. `ringPos` is the ring slot the next closed pane goes to.
 */
export function windowSample(ring: readonly (Pane | null)[], ringPos: number, kind: MetricKind, cap: number): unknown[] {
  if (ring.length === 1) return ring[0] ? ring[0].samples.slice() : [];
  if (kind === 'sum' || kind === 'rate') {
    const all: { r: unknown; v: number }[] = [];
    for (const p of ring) if (p) p.samples.forEach((r, j) => all.push({ r, v: p.sv[j]! }));
    return all.sort((a, b) => b.v - a.v).slice(0, cap).map((e) => e.r);
  }
  // Newest panes first: the part of the window that changed.
  const out: unknown[] = [];
  for (let j = 1; j <= ring.length && out.length < cap; j++) {
    const p = ring[(ringPos - j + ring.length) % ring.length];
    if (p) for (const r of p.samples) if (out.length < cap) out.push(r);
  }
  return out;
}
