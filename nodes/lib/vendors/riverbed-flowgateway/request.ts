/**
 * Builds the JSON body of `GET .../import_stats` from the node's properties and `msg.request`
 * overrides, one validation for both (docs/design.md#request-overrides). Templates:
 *   A: last N seconds / minutes / hours / days / weeks / months (`time_interval` an integer);
 *   B: `start_time` / `end_time` as `dd/mm/YYYY HH:MM:SS`;
 *   C: `start_time` / `end_time` as epoch seconds (integers).
 * Times may be given as `dd/mm/YYYY HH:MM:SS`, ISO 8601, epoch seconds or milliseconds (above
 * 1e11 counts as ms), or `Date` values, and are converted to what the template needs. The
 * appliance's clock is assumed to be UTC (its answers are UTC): `dd/mm/YYYY` text and ISO text
 * without an offset are read as UTC, and B times are written in UTC.
 */
import { z } from 'zod';
import { BadInputError } from '../../errors';
import { parseIp } from '../../ip';
import { parseInput } from '../../validate';

export const TEMPLATES = ['A', 'B', 'C'] as const;
export type Template = (typeof TEMPLATES)[number];
export const STATS_TYPES = ['flows_per_second', 'flows_per_minute', 'flows_per_hour'] as const;
export type StatsType = (typeof STATS_TYPES)[number];
export const INTERVAL_TYPES = ['seconds', 'minutes', 'hours', 'days', 'weeks', 'months'] as const;
export type IntervalType = (typeof INTERVAL_TYPES)[number];
export const MAX_TIME_INTERVAL = 1_000_000;

export interface TemplateABody {
  stats_type: StatsType;
  interval_type: IntervalType;
  time_interval: number;
  source_ip: string;
}
export interface TemplateBBody {
  stats_type: StatsType;
  start_time: string;
  end_time: string;
  source_ip: string;
}
export interface TemplateCBody {
  stats_type: StatsType;
  start_time: number;
  end_time: number;
  source_ip: string;
}
export type StatsRequestItem = TemplateABody | TemplateBBody | TemplateCBody;

/** The node's properties (editor values are strings; `msg.request` may carry numbers and Dates). */
export interface StatsProps {
  template?: unknown;
  statsType?: unknown;
  intervalType?: unknown;
  timeInterval?: unknown;
  startTime?: unknown;
  endTime?: unknown;
  sourceIp?: unknown;
}

export interface BuiltStatsRequest {
  template: Template;
  /** What is sent: the API's schema says an array of request objects. */
  body: StatsRequestItem[];
}

const lower = (v: unknown): unknown => (typeof v === 'string' ? v.trim().toLowerCase() : v);

export const TemplateSchema = z.preprocess(
  (v) => (typeof v === 'string' ? v.trim().toUpperCase() : v),
  z.enum(TEMPLATES, { error: 'expected "A" (last N intervals), "B" (dd/mm/YYYY HH:MM:SS times) or "C" (epoch seconds)' }),
);

/** The API strings; `second` / `per_second` style shorthands are accepted and mapped. */
export const StatsTypeSchema = z.preprocess(
  (v) => {
    const s = lower(v);
    if (typeof s !== 'string') return s;
    const m = /^(?:flows_)?(?:per_)?(second|minute|hour)$/.exec(s);
    return m ? `flows_per_${m[1]}` : s;
  },
  z.enum(STATS_TYPES, { error: 'expected flows_per_second, flows_per_minute or flows_per_hour' }),
);

/** Plural API strings; singular forms (`minute`) are accepted. */
export const IntervalTypeSchema = z.preprocess(
  (v) => {
    const s = lower(v);
    return typeof s === 'string' && (INTERVAL_TYPES as readonly string[]).includes(`${s}s`) ? `${s}s` : s;
  },
  z.enum(INTERVAL_TYPES, { error: 'expected seconds, minutes, hours, days, weeks or months' }),
);

const INTERVAL_MESSAGE = `expected a whole number of intervals from 1 to ${MAX_TIME_INTERVAL}`;
export const TimeIntervalSchema = z.preprocess(
  (v) => (typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v),
  z.number({ error: INTERVAL_MESSAGE }).int({ error: INTERVAL_MESSAGE }).min(1, { error: INTERVAL_MESSAGE }).max(MAX_TIME_INTERVAL, { error: INTERVAL_MESSAGE }),
);

/** Empty (all sources) or one IPv4 / IPv6 address, sent in canonical form. */
export const SourceIpSchema = z.unknown().transform((v, ctx) => {
  if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) return '';
  const ip = typeof v === 'string' ? parseIp(v) : undefined;
  if (!ip) {
    ctx.addIssue({ code: 'custom', message: 'expected an IPv4 or IPv6 address, or empty for all sources' });
    return z.NEVER;
  }
  return ip.text;
});

const TIME_MESSAGE = 'expected "dd/mm/YYYY HH:MM:SS" (UTC), an ISO 8601 date, epoch seconds or milliseconds, or a Date';
/** Any accepted time form to epoch ms. */
export const TimeSchema = z.unknown().transform((v, ctx) => {
  const ms = toEpochMs(v);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: TIME_MESSAGE });
    return z.NEVER;
  }
  return ms;
});

/** The longest time text read (an ISO time with nanoseconds and an offset is 35 characters). */
const MAX_TIME_TEXT = 64;
const DMY = /^(\d{1,2})\/(\d{1,2})\/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
/** Latest accepted time: year 3000, so a typo cannot ask for millennia. */
const MAX_MS = 32503680000000;

export function toEpochMs(v: unknown): number | undefined {
  if (v instanceof Date) return inRange(v.getTime());
  if (typeof v === 'number') return epochNumber(v);
  // Longer text is no time; the cap keeps trim() and the patterns below cheap.
  if (typeof v !== 'string' || v.length > MAX_TIME_TEXT) return undefined;
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return epochNumber(Number(s));
  let m = DMY.exec(s);
  if (m) {
    const [d, mo, y, h, mi] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number, number];
    return utc(y, mo, d, h, mi, m[6] === undefined ? 0 : Number(m[6]), 0);
  }
  m = ISO.exec(s);
  if (!m) return undefined;
  const [y, mo, d] = [m[1], m[2], m[3]].map(Number) as [number, number, number];
  const h = m[4] === undefined ? 0 : Number(m[4]);
  const mi = m[5] === undefined ? 0 : Number(m[5]);
  const sec = m[6] === undefined ? 0 : Number(m[6]);
  const frac = m[7] === undefined ? 0 : Math.floor(Number(m[7]) * 1000);
  const base = utc(y, mo, d, h, mi, sec, frac);
  if (base === undefined) return undefined;
  const zone = m[8];
  if (!zone || zone.toUpperCase() === 'Z') return base;
  const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
  const offset = (Number(z[2]) * 60 + Number(z[3] ?? 0)) * 60_000;
  if (Number(z[2]) > 23 || Number(z[3] ?? 0) > 59) return undefined;
  return inRange(z[1] === '+' ? base - offset : base + offset);
}

function epochNumber(n: number): number | undefined {
  if (!Number.isFinite(n) || n < 0) return undefined;
  return inRange(n > 1e11 ? Math.floor(n) : Math.floor(n * 1000));
}

function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // Date.UTC rolls 31/02 into March: refuse dates that do not exist.
  if (new Date(t).getUTCDate() !== d) return undefined;
  return inRange(t);
}

function inRange(ms: number): number | undefined {
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_MS ? ms : undefined;
}

/** `23/08/2023 11:36:41` in UTC. */
export function formatDmy(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/**
 * The request body for the node's properties with `msg.request` overrides applied. Throws a
 * BadInputError naming the field (`timeInterval`, or `request.endTime` when the message gave it).
 */
export function buildStatsRequest(props: StatsProps, overrides: Record<string, unknown> = {}): BuiltStatsRequest {
  const pick = (k: keyof StatsProps): { value: unknown; field: string } =>
    overrides[k] !== undefined ? { value: overrides[k], field: `request.${k}` } : { value: props[k], field: k };

  const t = pick('template');
  const template = parseInput(TemplateSchema, t.value === undefined || t.value === '' ? 'A' : t.value, t.field);
  const st = pick('statsType');
  const stats_type = parseInput(StatsTypeSchema, st.value, st.field);
  const ip = pick('sourceIp');
  const source_ip = parseInput(SourceIpSchema, ip.value, ip.field);

  if (template === 'A') {
    const it = pick('intervalType');
    const interval_type = parseInput(IntervalTypeSchema, it.value, it.field);
    const ti = pick('timeInterval');
    const time_interval = parseInput(TimeIntervalSchema, ti.value, ti.field);
    return { template, body: [{ stats_type, interval_type, time_interval, source_ip }] };
  }

  const s = pick('startTime');
  const e = pick('endTime');
  const needs = template === 'B' ? 'template B needs a start and an end time' : 'template C needs a start and an end time';
  if (s.value === undefined || s.value === null || s.value === '') throw new BadInputError(s.field, `required: ${needs}`);
  if (e.value === undefined || e.value === null || e.value === '') throw new BadInputError(e.field, `required: ${needs}`);
  const startMs = parseInput(TimeSchema, s.value, s.field);
  const endMs = parseInput(TimeSchema, e.value, e.field);
  // The API resolves whole seconds: compare what will be sent.
  const startS = Math.floor(startMs / 1000);
  const endS = Math.floor(endMs / 1000);
  if (endS <= startS) {
    throw new BadInputError(e.field, `must be after ${s.field} (start ${formatDmy(startS * 1000)} UTC, end ${formatDmy(endS * 1000)} UTC)`);
  }
  if (template === 'B') {
    return { template, body: [{ stats_type, start_time: formatDmy(startS * 1000), end_time: formatDmy(endS * 1000), source_ip }] };
  }
  return { template, body: [{ stats_type, start_time: startS, end_time: endS, source_ip }] };
}
