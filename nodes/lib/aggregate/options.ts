/**
 * Options of the aggregate engine, parsed from what the editor saves (strings or numbers) and
 * validated once, at deploy. Every failure is a `BadInputError` naming the property, so the node
 * and its dialog can say which field is wrong and why.
 */
import { BadInputError } from '../errors';
import { parsePath } from '../record-path';
import { parseTimeZone, type WindowSpec } from './calendar';

export const METRIC_KINDS = ['sum', 'count', 'distinct', 'rate'] as const;
export type MetricKind = (typeof METRIC_KINDS)[number];
export const OUTPUTS = ['rows', 'chart', 'timeseries', 'groups'] as const;
export type OutputMode = (typeof OUTPUTS)[number];

export interface MetricDef {
  kind: MetricKind;
  /** Record path summed or counted distinctly; absent for `count`. */
  path?: string;
  /** Name of the value in rows, series and group messages: `bytes`, `flows`, `bytesPerSecond`... */
  name: string;
  /** Normalised spelling: `sum:bytes`. */
  text: string;
}

export interface AggregateOptions {
  groupBy: string[];
  /** Path whose value labels a group (e.g. device.name when grouping by src.ip); default: the key. */
  labelPath?: string;
  metrics: MetricDef[];
  window: WindowSpec;
  /** IANA zone of calendar windows and of window labels. */
  timeZone: string;
  /** Seconds a record may arrive behind the newest record time and still count. */
  lateness: number;
  /** Groups listed before "other" (0: all). */
  topN: number;
  /** Index in `metrics` of the metric that ranks groups. */
  sortBy: number;
  /** Most groups held per window; the smallest are folded into "other" beyond it. */
  maxGroups: number;
  /** Count a record that arrives again (overlapping polls) once. */
  dedup: boolean;
  /** Most record identities remembered for `dedup`. */
  dedupCap: number;
  /** Seconds a record's time may be ahead of the wall clock before it is rejected. */
  maxFuture: number;
}

export type AggregateOptionsInput = { [K in keyof AggregateOptions]?: unknown };

export const MAX_GROUP_PATHS = 8;
export const MAX_METRICS = 8;
const NAME_RE = /^[A-Za-z_][\w]{0,39}$/;

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

export function parseGroupBy(value: unknown): string[] {
  const text = Array.isArray(value) ? value.join(',') : isBlank(value) ? '' : String(value);
  if (text.length > 1000) throw new BadInputError('groupBy', 'too long (expected at most 8 record paths)');
  const parts = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length === 0) throw new BadInputError('groupBy', 'expected one or more record paths, comma-separated (e.g. src.ip or device.name,app)');
  if (parts.length > MAX_GROUP_PATHS) throw new BadInputError('groupBy', `at most ${MAX_GROUP_PATHS} paths`);
  const paths = parts.map((p) => parsePath('groupBy', p));
  if (new Set(paths).size !== paths.length) throw new BadInputError('groupBy', 'a path is repeated');
  return paths;
}

function camel(path: string): string {
  return path.split('.').map((s, i) => (i === 0 ? s : s.charAt(0).toUpperCase() + s.slice(1))).join('').replace(/[^\w]/g, '_');
}

function defaultName(kind: MetricKind, path: string | undefined): string {
  if (kind === 'count') return 'flows';
  const c = camel(path!);
  if (kind === 'sum') return c;
  if (kind === 'rate') return `${c}PerSecond`;
  return `distinct${c.charAt(0).toUpperCase()}${c.slice(1)}`;
}

/** One metric: `count`, `sum:bytes`, `rate:bytesOut`, `distinct:dst.ip`, optionally `name=...`. */
export function parseMetric(text: string): MetricDef {
  let t = text.trim();
  let name: string | undefined;
  const eq = t.indexOf('=');
  if (eq >= 0) {
    name = t.slice(0, eq).trim();
    t = t.slice(eq + 1).trim();
    if (!NAME_RE.test(name)) throw new BadInputError('metrics', `"${name}" is not a metric name (expected a letter, then letters, digits or _)`);
  }
  if (t === 'count') return { kind: 'count', name: name ?? 'flows', text: 'count' };
  const colon = t.indexOf(':');
  const kind = (colon > 0 ? t.slice(0, colon).trim() : '') as MetricKind;
  if (colon < 0 || !(['sum', 'distinct', 'rate'] as string[]).includes(kind)) {
    throw new BadInputError('metrics', `"${text.trim()}" is not a metric (expected count, sum:<path>, rate:<path> or distinct:<path>, e.g. sum:bytes)`);
  }
  const path = parsePath('metrics', t.slice(colon + 1));
  return { kind, path, name: name ?? defaultName(kind, path), text: `${kind}:${path}` };
}

export function parseMetrics(value: unknown): MetricDef[] {
  const text = isBlank(value) ? 'sum:bytes' : String(value);
  if (text.length > 1000) throw new BadInputError('metrics', `too long (expected at most ${MAX_METRICS} metrics)`);
  const parts = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length === 0) throw new BadInputError('metrics', 'expected one or more metrics, comma-separated (e.g. sum:bytes,count)');
  if (parts.length > MAX_METRICS) throw new BadInputError('metrics', `at most ${MAX_METRICS} metrics`);
  const metrics = parts.map(parseMetric);
  const names = new Set<string>();
  for (const m of metrics) {
    if (names.has(m.name)) throw new BadInputError('metrics', `two metrics are named "${m.name}" (give one a name: up=sum:bytesOut)`);
    names.add(m.name);
  }
  return metrics;
}

/** `message`, `day`, `month`, or a number of seconds from 60 to 86400 that divides a day. */
export function parseWindow(value: unknown): WindowSpec {
  const text = isBlank(value) ? '3600' : String(value).trim();
  if (text === 'message') return { kind: 'message' };
  if (text === 'day' || text === 'month') return { kind: 'calendar', unit: text };
  const n = Number(text);
  if (!Number.isInteger(n) || n < 60 || n > 86400 || 86400 % n !== 0) {
    throw new BadInputError('window', `"${text}" is not a window (expected message, day, month, or seconds from 60 to 86400 that divide a day, e.g. 60, 300, 3600)`);
  }
  return { kind: 'fixed', ms: n * 1000 };
}

function ranged(field: string, v: unknown, def: number, min: number, max: number): number {
  if (isBlank(v)) return def;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v.trim()) : NaN;
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new BadInputError(field, `"${String(v)}" is out of range (expected a number >= ${min} and <= ${max})`);
  }
  return n;
}

function integer(field: string, v: unknown, def: number, min: number, max: number): number {
  const n = ranged(field, v, def, min, max);
  if (!Number.isInteger(n)) throw new BadInputError(field, `${n} is not an integer (expected an integer >= ${min} and <= ${max})`);
  return n;
}

function bool(field: string, v: unknown, def: boolean): boolean {
  if (isBlank(v)) return def;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw new BadInputError(field, `"${String(v)}" is not a boolean (expected true or false)`);
}

export function parseOutput(value: unknown): OutputMode {
  if (isBlank(value)) return 'rows';
  const s = String(value).trim() as OutputMode;
  if (!OUTPUTS.includes(s)) throw new BadInputError('output', `"${String(value)}" is not one of ${OUTPUTS.join(', ')}`);
  return s;
}

/** Validates and fills defaults. Throws `BadInputError` naming the first bad property. */
export function parseOptions(input: AggregateOptionsInput): AggregateOptions {
  const groupBy = parseGroupBy(input.groupBy ?? 'src.ip');
  const labelPath = isBlank(input.labelPath) ? undefined : parsePath('labelPath', String(input.labelPath));
  const metrics = Array.isArray(input.metrics)
    ? parseMetrics((input.metrics as Array<MetricDef | string>).map((m) => (typeof m === 'string' ? m : `${m.name}=${m.text}`)).join(','))
    : parseMetrics(input.metrics);
  const window = typeof input.window === 'object' && input.window !== null ? (input.window as WindowSpec) : parseWindow(input.window);
  const timeZone = parseTimeZone(input.timeZone);
  const windowSeconds = window.kind === 'fixed' ? window.ms / 1000 : 3600;
  const lateness = ranged('lateness', input.lateness, Math.min(windowSeconds, 3600), 0, 7 * 86400);
  const topN = integer('topN', input.topN, 10, 0, 1000);
  let sortBy = 0;
  if (!isBlank(input.sortBy)) {
    const s = typeof input.sortBy === 'number' ? input.sortBy : String(input.sortBy).trim();
    sortBy = typeof s === 'number' ? s : metrics.findIndex((m) => m.name === s || m.text === s);
    if (!Number.isInteger(sortBy) || sortBy < 0 || sortBy >= metrics.length) {
      throw new BadInputError('sortBy', `"${String(input.sortBy)}" is not one of the metrics (expected one of ${metrics.map((m) => m.name).join(', ')})`);
    }
  }
  const maxGroups = integer('maxGroups', input.maxGroups, 10_000, 1, 1_000_000);
  const dedup = bool('dedup', input.dedup, true);
  const dedupCap = integer('dedupCap', input.dedupCap, 100_000, 1, 10_000_000);
  const maxFuture = ranged('maxFuture', input.maxFuture, 86400, 0, 10 * 365 * 86400);
  return { groupBy, labelPath, metrics, window, timeZone, lateness, topN, sortBy, maxGroups, dedup, dedupCap, maxFuture };
}
