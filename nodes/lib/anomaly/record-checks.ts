/**
 * What the anomaly engine accepts from one record, checked before anything is parsed or kept:
 * record times inside the range a date can show, key parts and distinct values of bounded size
 * and depth, finite metric values of bounded magnitude. A value outside these is a reported
 * record (its reason names the field), never an exception: `JSON.stringify` of a value nested
 * 5,000 levels deep overflows the stack, `new Date(1.7e18).toISOString()` throws a RangeError.
 */

/** Earliest record time: 1970-01-01 (flow records never predate the epoch). */
export const MIN_TS = 0;
/** Latest record time: 9999-12-31T23:59:59.999Z, the last one an ISO date can show in four digits. */
export const MAX_TS = 253_402_300_799_999;
/** Longest text read as a time or a number: `Date.parse` and `Number` never see more. */
export const MAX_NUMBER_TEXT = 64;
/** Longest key part, in characters (a key id holds up to 8 of them). */
export const MAX_KEY_TEXT = 256;
/** Longest distinct value, in characters (hashed or held in a small exact set). */
export const MAX_VALUE_TEXT = 1024;
/** Deepest object or array accepted as a key part or distinct value. */
export const MAX_DEPTH = 16;
/** Largest metric value per record: beyond it sums lose whole units, and a few overflow. */
export const MAX_ABS_VALUE = Number.MAX_SAFE_INTEGER;

/** Why a value was refused; the caller prefixes the field. */
export class Refusal {
  constructor(readonly reason: string) {}
}

/** A value for an error text: long strings cut, never the whole input. */
export function shown(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 39)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  if (typeof v === 'bigint') return 'a bigint';
  return Array.isArray(v) ? 'an array' : `a ${typeof v}`;
}

/** Record time in epoch ms: a number, a Date, or a numeric or ISO string. NaN when unusable. */
export function recordTime(r: unknown): number {
  const t = (r as { ts?: unknown }).ts;
  if (typeof t === 'number') return t;
  if (t instanceof Date) return t.getTime();
  if (typeof t === 'string' && t.length <= MAX_NUMBER_TEXT && t.trim() !== '') {
    const n = Number(t);
    return Number.isFinite(n) ? n : Date.parse(t);
  }
  return NaN;
}

export function isTimeInRange(ts: number): boolean {
  return ts >= MIN_TS && ts <= MAX_TS;
}

/** Why a record's time is unusable (called only on the failure path). */
export function timeProblem(r: unknown): string {
  const raw = (r as { ts?: unknown }).ts;
  const ts = recordTime(r);
  if (raw === undefined || raw === null) return 'ts: missing (expected a record time in epoch ms or an ISO date)';
  if (typeof raw === 'string' && raw.length > MAX_NUMBER_TEXT) {
    return `ts: text of ${raw.length} characters is not a time (expected epoch ms or an ISO date)`;
  }
  if (Number.isNaN(ts)) return `ts: ${shown(raw)} is not a time (expected epoch ms or an ISO date)`;
  const hint = ts > MAX_TS && ts / 1e6 <= MAX_TS ? '; it looks like micro- or nanoseconds' : '';
  return `ts: ${shown(raw instanceof Date ? ts : raw)} is out of range (expected epoch ms from 1970 to 9999${hint})`;
}

/**
 * A key part or distinct value as text (objects as bounded JSON): undefined when absent or empty
 * (a record without a key, a value not counted), a `Refusal` when present but unusable.
 */
function scalarText(v: unknown, maxLen: number): string | undefined | Refusal {
  if (typeof v === 'string') {
    if (v.length > maxLen) return new Refusal(`text of ${v.length} characters (expected at most ${maxLen})`);
    return v === '' ? undefined : v;
  }
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : new Refusal(`${v} is not a finite number`);
  if (typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'bigint') return v >= -(2n ** 64n) && v <= 2n ** 64n ? String(v) : new Refusal('a bigint beyond 64 bits');
  return boundedJson(v, maxLen);
}

export function keyText(v: unknown): string | undefined | Refusal {
  return scalarText(v, MAX_KEY_TEXT);
}

export function valueText(v: unknown): string | undefined | Refusal {
  return scalarText(v, MAX_VALUE_TEXT);
}

/** A sum or rate contribution; 0 when absent. */
export function metricNumber(v: unknown): number | Refusal {
  let x: number;
  if (typeof v === 'number') x = v;
  else if (v === undefined || v === null) return 0;
  else if (typeof v === 'string' && v.length > MAX_NUMBER_TEXT) return new Refusal(`text of ${v.length} characters is not a number`);
  else x = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(x)) return new Refusal(`${shown(v)} is not a number`);
  if (Math.abs(x) > MAX_ABS_VALUE) return new Refusal(`${x} is out of range (expected at most ${MAX_ABS_VALUE} in size)`);
  return x;
}

/**
 * JSON text of an object or array, refused past `maxLen` characters or `MAX_DEPTH` levels. A
 * cycle is refused as too deep. Stops as soon as a limit is hit, so a huge object costs no more
 * than `maxLen` characters of work.
 */
export function boundedJson(v: unknown, maxLen: number): string | Refusal {
  const parts: string[] = [];
  let len = 0;
  let problem: Refusal | undefined;
  const put = (s: string): boolean => {
    len += s.length;
    if (len > maxLen) problem ??= new Refusal(`value longer than ${maxLen} characters as JSON`);
    else parts.push(s);
    return problem === undefined;
  };
  const walk = (x: unknown, depth: number): boolean => {
    if (x === null || typeof x === 'boolean') return put(String(x));
    if (typeof x === 'number') return put(Number.isFinite(x) ? String(x) : 'null');
    if (typeof x === 'string') return x.length > maxLen ? put(x) : put(JSON.stringify(x));
    if (typeof x !== 'object') return put('null');
    if (depth >= MAX_DEPTH) {
      problem ??= new Refusal(`nested deeper than ${MAX_DEPTH} levels (or a cycle)`);
      return false;
    }
    if (Array.isArray(x)) {
      if (!put('[')) return false;
      for (let i = 0; i < x.length; i++) {
        if ((i > 0 && !put(',')) || !walk(x[i], depth + 1)) return false;
      }
      return put(']');
    }
    if (!put('{')) return false;
    let first = true;
    for (const k in x) {
      if (!Object.prototype.hasOwnProperty.call(x, k)) continue;
      const item = (x as Record<string, unknown>)[k];
      if (item === undefined || typeof item === 'function') continue;
      if ((!first && !put(',')) || !put(k.length > maxLen ? k : `${JSON.stringify(k)}:`) || !walk(item, depth + 1)) return false;
      first = false;
    }
    return put('}');
  };
  walk(v, 0);
  return problem ?? parts.join('');
}
