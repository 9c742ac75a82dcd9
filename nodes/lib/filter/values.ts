/**
 * Reading values out of records and numbers out of expression words. Shared by the compiler
 * and the reference evaluator (each is tested on its own here; the property test compares the
 * two evaluators above these leaves).
 */

/**
 * A record value as a number: numbers as they are, decimal strings (raw vendor fields are
 * strings such as "1234") parsed, anything else NaN (so every comparison with it is false).
 */
export function toNumber(x: unknown): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'string' && x.length <= MAX_NUMBER_TEXT && DECIMAL.test(x)) return Number(x);
  return NaN;
}
/**
 * Longer text is not read as a number (NaN): checked before the pattern, so one record's
 * field costs at most this much. 2^64 in full is 20 digits; 1e308 written out is 309.
 */
export const MAX_NUMBER_TEXT = 400;
/**
 * Linear: `\d+(?:\.\d*)?` needs the `.` between its two digit runs. The former `\d+\.?\d*`
 * could split a run of digits between `\d+` and `\d*` at every place, so a long run with a bad
 * character after it took quadratic time (40,000 digits and an `x`: 5.9 s).
 */
const DECIMAL = /^\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/** A record value as text for string comparisons: strings, numbers and booleans only. */
export function toText(x: unknown): string | undefined {
  if (typeof x === 'string') return x;
  if (typeof x === 'number' || typeof x === 'boolean') return String(x);
  return undefined;
}

/** Follows a dotted path through plain objects and arrays; functions are never entered. */
export function getPath(rec: unknown, path: readonly string[]): unknown {
  let cur: unknown = rec;
  for (const seg of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

/**
 * Bits per second: bytes * 8 / seconds when both bytes and a positive duration are known,
 * else the vendor's own rate (`rateKbps` * 1000), else NaN (unknown: comparisons are false).
 */
export function bpsOf(rec: Record<string, unknown>): number {
  const bytes = toNumber(rec.bytes);
  const ms = toNumber(rec.durationMs);
  if (bytes === bytes && ms > 0) return (bytes * 8000) / ms;
  const kbps = toNumber(rec.rateKbps);
  return kbps === kbps ? kbps * 1000 : NaN;
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  ki: 1024,
  kib: 1024,
  mi: 1024 ** 2,
  mib: 1024 ** 2,
  gi: 1024 ** 3,
  gib: 1024 ** 3,
  ti: 1024 ** 4,
  tib: 1024 ** 4,
};
const RATE_UNITS: Readonly<Record<string, number>> = {
  ...SIZE_UNITS,
  bps: 1,
  kbps: 1e3,
  mbps: 1e6,
  gbps: 1e9,
  tbps: 1e12,
};
const DURATION_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  ms: 1,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const NUMBER_WITH_UNIT = /^(-?(?:\d+(?:\.\d*)?|\.\d+))([a-zA-Z]*)$/;

function withUnit(word: string, units: Readonly<Record<string, number>>): number | undefined {
  const m = NUMBER_WITH_UNIT.exec(word);
  if (!m) return undefined;
  const unit = m[2]!.toLowerCase();
  if (!Object.prototype.hasOwnProperty.call(units, unit)) return undefined;
  return Number(m[1]) * units[unit]!;
}

/** `1500`, `10k`, `1.5M`, `50MB`, `2KiB`, `1GiB`: K/M/G/T x1000, Ki/Mi/Gi/Ti x1024, optional B. */
export function parseSize(word: string): number | undefined {
  return withUnit(word, SIZE_UNITS);
}

/** Sizes plus `bps`, `kbps`, `Mbps`, `Gbps`, `Tbps` (bits per second, x1000). */
export function parseRate(word: string): number | undefined {
  return withUnit(word, RATE_UNITS);
}

/** Milliseconds: `500` (ms), `500ms`, `30s`, `5m` or `5min`, `1h`, `1d`. */
export function parseDuration(word: string): number | undefined {
  return withUnit(word, DURATION_UNITS);
}
