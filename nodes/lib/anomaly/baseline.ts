/**
 * Baseline models of the `ewma` and `zscore` rules (docs/design.md#network-flow-anomaly):
 *
 * - ewma: Finch (2009) incremental EW mean and variance with weight alpha, the first window
 *   initialises the mean (variance 0): diff = x - mean; incr = alpha * diff; mean += incr;
 *   var = (1 - alpha) * (var + diff * incr).
 * - zscore: mean and sample standard deviation (n - 1) of the previous `history` active windows.
 *
 * The band is mean ± k * std (k is the `band` option), read BEFORE the window updates it.
 */
import type { AnomalyOptions } from './options';

export interface Baseline {
  mean: number;
  std: number;
  lower: number;
  upper: number;
  /** (value - mean) / std; null when std is 0. */
  score: number | null;
}

/** What a key keeps of its baseline. */
export interface BaselineState {
  // EWMA
  mean: number;
  variance: number;
  n: number;
  // z-score history ring
  hist: Float64Array | null;
  histPos: number;
  histCount: number;
}

export type BaselineOptions = Pick<AnomalyOptions, 'rule' | 'band' | 'alpha' | 'history'>;

/** The band of the current baseline, before this window updates it; null while unknown (and for `threshold`). */
export function baselineBand(s: BaselineState, o: BaselineOptions): Baseline | null {
  const k = o.band;
  let mean: number;
  let std: number;
  if (o.rule === 'ewma') {
    if (s.n === 0) return null;
    mean = s.mean;
    std = Math.sqrt(Math.max(0, s.variance));
  } else if (o.rule === 'zscore') {
    if (s.histCount < 2) return null;
    const h = s.hist!;
    const m = s.histCount;
    let sum = 0;
    for (let i = 0; i < m; i++) sum += h[i]!;
    mean = sum / m;
    let ss = 0;
    for (let i = 0; i < m; i++) ss += (h[i]! - mean) ** 2;
    std = Math.sqrt(ss / (m - 1));
  } else {
    return null;
  }
  // Every metric is >= 0, so a band below zero would only show a bound no value can reach.
  return { mean, std, lower: Math.max(0, mean - k * std), upper: mean + k * std, score: null };
}

/** Feeds one active window's value (or the band's upper edge, when winsorised) to the baseline. */
export function learnBaseline(s: BaselineState, x: number, o: BaselineOptions): void {
  if (o.rule === 'ewma') {
    if (s.n === 0) {
      s.mean = x;
      s.variance = 0;
    } else {
      const diff = x - s.mean;
      const incr = o.alpha * diff;
      s.mean += incr;
      s.variance = (1 - o.alpha) * (s.variance + diff * incr);
    }
    s.n++;
  } else if (o.rule === 'zscore') {
    if (!s.hist) s.hist = new Float64Array(o.history);
    s.hist[s.histPos] = x;
    s.histPos = (s.histPos + 1) % o.history;
    if (s.histCount < o.history) s.histCount++;
  }
}
