/**
 * Options of the anomaly engine: parsed from what the editor saves (strings or numbers) and
 * validated once, at deploy. Every failure is a `BadInputError` naming the property, so the node
 * can say which field of its dialog is wrong.
 */
import { BadInputError } from '../errors';
import { parsePath } from '../record-path';

export const RULES = ['threshold', 'ewma', 'zscore'] as const;
export type Rule = (typeof RULES)[number];
export const WINDOW_TYPES = ['tumbling', 'sliding'] as const;
export type WindowType = (typeof WINDOW_TYPES)[number];
export const METRIC_KINDS = ['count', 'sum', 'rate', 'distinct'] as const;
export type MetricKind = (typeof METRIC_KINDS)[number];
export const BACKFILL_MODES = ['learn', 'alert'] as const;
export type Backfill = (typeof BACKFILL_MODES)[number];

export interface MetricSpec {
  kind: MetricKind;
  /** Record path summed or counted distinctly; absent for `count`. */
  path?: string;
  /** As the user wrote it, normalised: `count`, `sum:bytesOut`... */
  text: string;
}

export interface AnomalyOptions {
  /** Record paths whose values together form the key. */
  key: string[];
  metric: MetricSpec;
  /** Window length, seconds. */
  window: number;
  windowType: WindowType;
  /** Sliding windows: evaluations per window length (the hop is window / hops). 1 for tumbling. */
  hops: number;
  rule: Rule;
  /** `threshold` rule: the limit. Baseline rules: an optional floor the value must also exceed. */
  threshold?: number;
  /** Band half-width in standard deviations (ewma, zscore); saved as `k` before 0.2 (see migrations.ts). */
  band: number;
  /** EWMA weight of the newest window. */
  alpha: number;
  /** Active windows per key before any alert. */
  warmup: number;
  /** Consecutive anomalous windows before an alert fires (0 and 1 both mean at once). */
  pending: number;
  /** Seconds of record time after an alert in which the key cannot alert again. */
  cooldown: number;
  /** Emit a resolve event when an alerting key is back to normal. */
  resolve: boolean;
  /** Most keys held; the least recently seen is evicted beyond it. */
  maxKeys: number;
  /** Seconds a record may arrive behind the newest record time and still count. */
  lateness: number;
  /** zscore: how many previous active windows form the reference. */
  history: number;
  /** Records attached to an alert. */
  sampleSize: number;
  /** distinct: the count saturates there (memory does not depend on it: see hyperloglog.ts). */
  maxDistinct: number;
  /** Seconds a record's time may be ahead of the wall clock before it is rejected. */
  maxFuture: number;
  /**
   * Count a record seen again within the window plus lateness once (nodes/lib/dedup, the rule the
   * aggregate node uses: docs/design.md#duplicates-and-backfill).
   */
  dedup: boolean;
  /** Most record identities remembered for `dedup`. */
  dedupCap: number;
  /**
   * Windows that ended before the engine started (or was reset): `alert` evaluates them like any
   * other (a replay); `learn` lets them teach baselines and warm-up but never alert
   * (docs/design.md#duplicates-and-backfill).
   */
  backfill: Backfill;
}

/** What a caller may pass: any property as a number, numeric string or the parsed form. */
export type AnomalyOptionsInput = { [K in keyof AnomalyOptions]?: unknown };

export function parseKey(value: unknown): string[] {
  const text = value === undefined || value === null ? '' : String(value);
  const parts = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length === 0) throw new BadInputError('key', 'expected one or more record paths, comma-separated (e.g. src.ip or src.ip,dst.port)');
  if (parts.length > 8) throw new BadInputError('key', 'at most 8 paths');
  const paths = parts.map((p) => parsePath('key', p));
  if (new Set(paths).size !== paths.length) throw new BadInputError('key', 'a path is repeated');
  return paths;
}

export function parseMetric(value: unknown): MetricSpec {
  const text = String(value ?? '').trim();
  if (text === 'count') return { kind: 'count', text };
  // `\s*` only before the colon: `:\s*(.+)` would overlap on spaces and backtrack quadratically.
  const m = /^(sum|rate|distinct)\s*:(.+)$/.exec(text);
  if (!m) {
    throw new BadInputError('metric', `"${text}" is not a metric (expected count, sum:<path>, rate:<path> or distinct:<path>)`);
  }
  const kind = m[1] as MetricKind;
  const path = parsePath('metric', m[2]!.trim());
  return { kind, path, text: `${kind}:${path}` };
}

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

function num(field: string, v: unknown, expected: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v.trim()) : NaN;
  if (!Number.isFinite(n)) throw new BadInputError(field, `"${String(v)}" is not a number (expected ${expected})`);
  return n;
}

function ranged(field: string, v: unknown, def: number, min: number, max: number, opts: { integer?: boolean; minExclusive?: boolean } = {}): number {
  if (isBlank(v)) return def;
  const expected = `${opts.integer ? 'an integer' : 'a number'} ${opts.minExclusive ? '>' : '>='} ${min} and <= ${max}`;
  const n = num(field, v, expected);
  if ((opts.integer && !Number.isInteger(n)) || n > max || (opts.minExclusive ? n <= min : n < min)) {
    throw new BadInputError(field, `${n} is out of range (expected ${expected})`);
  }
  return n;
}

function oneOf<T extends string>(field: string, v: unknown, allowed: readonly T[], def: T): T {
  if (isBlank(v)) return def;
  const s = String(v).trim() as T;
  if (!allowed.includes(s)) throw new BadInputError(field, `"${String(v)}" is not one of ${allowed.join(', ')}`);
  return s;
}

function bool(field: string, v: unknown, def: boolean): boolean {
  if (isBlank(v)) return def;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw new BadInputError(field, `"${String(v)}" is not a boolean (expected true or false)`);
}

/** Default sliding hops: a 300 s window is evaluated every 60 s. */
export const DEFAULT_HOPS = 5;
/**
 * Caps on every setting that multiplies memory (see memory.ts for what each costs): keys held,
 * panes per key (hops, and lateness in panes), baseline history per key.
 */
export const MAX_KEYS = 1_000_000;
export const MAX_HOPS = 60;
/** Lateness in panes (window / hops): a key never holds more open panes than this, plus one. */
export const MAX_LATE_PANES = 60;
export const MAX_HISTORY = 1000;

/** Largest lateness, seconds, for a window and hops: `MAX_LATE_PANES` panes of window / hops. */
export function maxLateness(window: number, hops: number): number {
  return (MAX_LATE_PANES * window) / hops;
}

/** Validates and fills defaults. Throws `BadInputError` naming the first bad property. */
export function parseOptions(input: AnomalyOptionsInput): AnomalyOptions {
  const key = Array.isArray(input.key) ? parseKey(input.key.join(',')) : parseKey(input.key ?? 'src.ip');
  const metric = typeof input.metric === 'object' && input.metric !== null
    ? parseMetric((input.metric as MetricSpec).text)
    : parseMetric(isBlank(input.metric) ? 'sum:bytes' : input.metric);
  const window = ranged('window', input.window, 300, 0, 31 * 86400, { minExclusive: true });
  const windowType = oneOf('windowType', input.windowType, WINDOW_TYPES, 'tumbling');
  const hops = windowType === 'tumbling' ? 1 : ranged('hops', input.hops, DEFAULT_HOPS, 2, MAX_HOPS, { integer: true });
  const rule = oneOf('rule', input.rule, RULES, 'ewma');
  let threshold: number | undefined;
  if (isBlank(input.threshold)) {
    if (rule === 'threshold') throw new BadInputError('threshold', 'required by the threshold rule (expected a number)');
  } else {
    threshold = num('threshold', input.threshold, 'a number');
  }
  const band = ranged('band', input.band, 3, 0, 100, { minExclusive: true });
  const alpha = ranged('alpha', input.alpha, 0.1, 0, 1, { minExclusive: true });
  const warmup = ranged('warmup', input.warmup, rule === 'threshold' ? 0 : 10, 0, 100000, { integer: true });
  const pending = ranged('pending', input.pending, 1, 0, 10000, { integer: true });
  const cooldown = ranged('cooldown', input.cooldown, 3600, 0, 365 * 86400);
  const resolve = bool('resolve', input.resolve, false);
  const maxKeys = ranged('maxKeys', input.maxKeys, 10000, 1, MAX_KEYS, { integer: true });
  // Bounded in panes, so a key never holds more than MAX_LATE_PANES + 1 open panes.
  const lateness = ranged('lateness', input.lateness, window, 0, maxLateness(window, hops));
  const history = ranged('history', input.history, Math.min(MAX_HISTORY, Math.max(30, warmup)), 2, MAX_HISTORY, { integer: true });
  const sampleSize = ranged('sampleSize', input.sampleSize, 3, 0, 20, { integer: true });
  const maxDistinct = ranged('maxDistinct', input.maxDistinct, 10000, 1, 1_000_000, { integer: true });
  const maxFuture = ranged('maxFuture', input.maxFuture, 86400, 0, 10 * 365 * 86400);
  const dedup = bool('dedup', input.dedup, true);
  const dedupCap = ranged('dedupCap', input.dedupCap, 100_000, 1, 10_000_000, { integer: true });
  // The library replays by default; the node defaults to `learn` (network-flow-anomaly.ts).
  const backfill = oneOf('backfill', input.backfill, BACKFILL_MODES, 'alert');
  return {
    key, metric, window, windowType, hops, rule, threshold, band, alpha, warmup, pending, cooldown,
    resolve, maxKeys, lateness, history, sampleSize, maxDistinct, maxFuture, dedup, dedupCap, backfill,
  };
}
