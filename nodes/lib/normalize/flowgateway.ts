/**
 * Riverbed FlowGateway analytics `import_stats` (`DisplayStats`) rows: per-source-device counter
 * buckets, so `kind` is 'metric'. `time` is UTC text ("2024-01-08 22:11:00+00:00"); the counters
 * are numbers, the peaks strings. `source_ip` is the exporting device ("" = all sources); there is
 * no destination, so the direction is 'unknown'.
 */
import type { NetworkFlow } from '../network-flow';
import type { Reader } from './reader';
import type { BatchContext, VendorRecord } from './types';

const KNOWN: ReadonlySet<string> = new Set([
  'time',
  'source_ip',
  'n_flows',
  'n_bytes',
  'n_bad_bytes',
  'n_packets',
  'n_bad_packets',
  'peak_n_flows',
  'peak_n_bytes',
  'peak_n_packets',
]);

/** `n_bad_*` and `peak_n_*`: no home in NetworkFlow, kept in `extra` as numbers. */
export const FLOWGATEWAY_EXTRA_COUNTERS = [
  'n_bad_bytes',
  'n_bad_packets',
  'peak_n_flows',
  'peak_n_bytes',
  'peak_n_packets',
] as const;

/** The longest time text read: `YYYY-MM-DD HH:MM:SS.fffffffff +hh:mm` with room for spaces. */
const MAX_TIME_TEXT = 64;
const TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * FlowGateway time text to epoch ms: `YYYY-MM-DD HH:MM[:SS[.fff]]` with an optional `Z` or
 * `+hh:mm` offset; without an offset the time is UTC, as the API documents. Epoch numbers
 * (seconds, or ms when above 1e11) are accepted too. Undefined when invalid.
 */
export function parseFlowGatewayTime(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? (v > 1e11 ? Math.round(v) : Math.round(v * 1000)) : undefined;
  // Longer text is no time; the cap keeps trim() and the pattern cheap on hostile input.
  if (typeof v !== 'string' || v.length > MAX_TIME_TEXT) return undefined;
  const m = TIME.exec(v.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number, number];
  const s = m[6] === undefined ? 0 : Number(m[6]);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  let ms = Date.UTC(y, mo - 1, d, h, mi, s) + (m[7] ? Math.round(Number(m[7]) * 1000) : 0);
  // Date.UTC rolls 31 Feb into March: reject dates that do not exist.
  if (new Date(ms).getUTCDate() !== d) return undefined;
  const off = m[8];
  if (off && off.toUpperCase() !== 'Z') {
    const sign = off[0] === '-' ? -1 : 1;
    const digits = off.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (oh > 23 || om > 59) return undefined;
    ms -= sign * (oh * 60 + om) * 60000;
  }
  return ms;
}

/** The time as error text: strings quoted and cut, other values by type (never serialized). */
function showTime(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 39)}…` : v);
  return typeof v === 'number' ? String(v) : typeof v;
}

function counter(rd: Reader, r: VendorRecord, field: string): number | undefined {
  return rd.count(r[field], field);
}

export function flowGatewayStat(r: VendorRecord, ctx: BatchContext): NetworkFlow | undefined {
  const rd = ctx.reader;
  let ts: number | undefined;
  if (r.time === undefined || r.time === null || rd.text(r.time) === undefined) rd.fail('time', 'missing (every import_stats row has one)');
  else {
    ts = parseFlowGatewayTime(r.time);
    if (ts === undefined) rd.fail('time', `${showTime(r.time)} is not a time like "2024-01-08 22:11:00+00:00"`);
  }
  const ip = rd.ip(r.source_ip, 'source_ip');
  const version = rd.ipVersion;
  const flows = counter(rd, r, 'n_flows');
  const bytes = counter(rd, r, 'n_bytes');
  const packets = counter(rd, r, 'n_packets');
  const extra: Record<string, unknown> = {};
  for (const k of FLOWGATEWAY_EXTRA_COUNTERS) {
    const v = counter(rd, r, k);
    if (v !== undefined) extra[k] = v;
  }
  if (rd.error !== undefined || ts === undefined) return undefined;
  for (const k in r) {
    if (!KNOWN.has(k)) {
      const x = rd.keep(r[k], k);
      if (x !== undefined && x !== null) extra[k] = x;
    }
  }
  const flow: NetworkFlow = {
    kind: 'metric',
    vendor: 'riverbed-flowgateway',
    endpoint: 'import_stats',
    ts,
    src: ip === undefined ? {} : { ip },
    dst: {},
    direction: 'unknown',
  };
  if (ctx.observer !== undefined) flow.observer = ctx.observer;
  if (version !== undefined) flow.ipVersion = version;
  if (bytes !== undefined) flow.bytes = bytes;
  if (packets !== undefined) flow.packets = packets;
  if (flows !== undefined) flow.flows = flows;
  for (const _k in extra) {
    flow.extra = extra;
    break;
  }
  if (ctx.keepRaw) flow.raw = r;
  return flow;
}
