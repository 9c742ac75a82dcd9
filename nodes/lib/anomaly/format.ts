/**
 * Human-readable numbers for `msg.topic`: bytes in decimal units (what people read on a bill or
 * a dashboard), other values with k/M/G suffixes, three significant digits.
 */
import type { MetricSpec } from './options';

/** Decimal places of the baseline numbers an alert carries: a person reads them in the debug sidebar. */
const BASELINE_DECIMALS = 2;

function rounded(n: number): number {
  const f = 10 ** BASELINE_DECIMALS;
  return Math.round(n * f) / f;
}

/** The band as an alert shows it: rounded, the lower bound never below 0 (docs/design.md#network-flow-anomaly). */
export function displayBaseline<B extends { mean: number; std: number; lower: number; upper: number; score: number | null }>(b: B): B {
  return { ...b, mean: rounded(b.mean), std: rounded(b.std), lower: rounded(Math.max(0, b.lower)), upper: rounded(b.upper), score: b.score === null ? null : rounded(b.score) };
}

function sig3(n: number): string {
  // toPrecision gives "1.20e+3" for large values; the unit scaling keeps n below 1000 here.
  const t = Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3);
  return t.includes('.') ? t.replace(/\.?0+$/, '') : t;
}

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
const SI = ['', 'k', 'M', 'G', 'T', 'P', 'E'];

function scaled(n: number, units: string[], sep: string): string {
  if (!Number.isFinite(n)) return String(n);
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 999.5 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${sig3(v)}${units[i] ? sep + units[i] : ''}`;
}

/** `130 MB`, `4.1 kB`: a size in decimal units. */
export function formatBytes(n: number): string {
  return scaled(n, BYTE_UNITS, ' ');
}

export function isBytesMetric(metric: MetricSpec): boolean {
  return (metric.kind === 'sum' || metric.kind === 'rate') && /bytes/i.test(metric.path ?? '');
}

/** `1.2 GB`, `4.1 MB/s`, `12.3k`, `57`. */
export function formatValue(metric: MetricSpec, n: number): string {
  if (isBytesMetric(metric)) return scaled(n, BYTE_UNITS, ' ') + (metric.kind === 'rate' ? '/s' : '');
  const s = metric.kind === 'count' || metric.kind === 'distinct' ? scaled(Math.round(n), SI, '') : scaled(n, SI, '');
  return metric.kind === 'rate' ? `${s}/s` : s;
}

/** ` in 300 s`, ` in the last 300 s` (sliding), ` over 300 s` (rates). */
export function formatSpan(metric: MetricSpec, windowSeconds: number, sliding: boolean): string {
  const w = `${sig3(windowSeconds)} s`;
  if (metric.kind === 'rate') return ` over ${sliding ? 'the last ' : ''}${w}`;
  return ` in ${sliding ? 'the last ' : ''}${w}`;
}
