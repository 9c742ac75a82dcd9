/**
 * Window boundaries in record time. Fixed windows (a minute to a day) are aligned on the epoch;
 * calendar windows (a day, a month) start at local midnight in an IANA time zone, read through
 * Intl, so a month in Europe/Berlin starts at 23:00 or 22:00 UTC of the previous day depending
 * on summer time, and a day can last 23 or 25 hours.
 */
import { BadInputError } from '../errors';

export type CalendarUnit = 'day' | 'month';

export type WindowSpec =
  | { kind: 'fixed'; ms: number }
  | { kind: 'calendar'; unit: CalendarUnit }
  | { kind: 'message' };

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Checks an IANA zone name; returns its canonical spelling. */
export function parseTimeZone(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value).trim();
  if (text === '') return 'UTC';
  if (text.length > 64) throw new BadInputError('timeZone', 'expected an IANA time zone name such as Europe/Berlin (too long)');
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: text }).resolvedOptions().timeZone;
  } catch {
    throw new BadInputError('timeZone', `"${text}" is not an IANA time zone (expected a name such as UTC, Europe/Berlin or America/New_York)`);
  }
}

interface LocalTime { y: number; m: number; d: number; h: number; mi: number; s: number }

function localTime(ts: number, timeZone: string): LocalTime {
  const out: LocalTime = { y: 0, m: 0, d: 0, h: 0, mi: 0, s: 0 };
  for (const p of formatter(timeZone).formatToParts(ts)) {
    switch (p.type) {
      case 'year': out.y = Number(p.value); break;
      case 'month': out.m = Number(p.value); break;
      case 'day': out.d = Number(p.value); break;
      case 'hour': out.h = Number(p.value); break;
      case 'minute': out.mi = Number(p.value); break;
      case 'second': out.s = Number(p.value); break;
      default: break;
    }
  }
  return out;
}

/** Zone offset at `ts` in ms (local = UTC + offset). */
function offsetAt(ts: number, timeZone: string): number {
  const l = localTime(ts, timeZone);
  const sec = Math.floor(ts / 1000) * 1000;
  return Date.UTC(l.y, l.m - 1, l.d, l.h, l.mi, l.s) - sec;
}

/**
 * First instant of local date y-m-d (month and day may overflow, as in Date.UTC). When midnight
 * does not exist (a summer-time jump at midnight), the day starts at the first local time it has.
 */
export function localMidnight(y: number, m: number, d: number, timeZone: string): number {
  const guess = Date.UTC(y, m - 1, d);
  const c1 = guess - offsetAt(guess, timeZone);
  const c2 = guess - offsetAt(c1, timeZone);
  const target = new Date(guess);
  const ty = target.getUTCFullYear();
  const tm = target.getUTCMonth() + 1;
  const td = target.getUTCDate();
  let best = Infinity;
  for (const c of [c1, c2]) {
    const l = localTime(c, timeZone);
    if (l.y === ty && l.m === tm && l.d === td && c < best) best = c;
  }
  return Number.isFinite(best) ? best : Math.max(c1, c2);
}

/** [start, end) of the calendar window holding `ts`. */
export function calendarBounds(ts: number, unit: CalendarUnit, timeZone: string): [number, number] {
  const l = localTime(ts, timeZone);
  if (unit === 'day') {
    let start = localMidnight(l.y, l.m, l.d, timeZone);
    // Guard against a local date read just before a midnight that the zone skipped.
    if (start > ts) start = localMidnight(l.y, l.m, l.d - 1, timeZone);
    return [start, localMidnight(l.y, l.m, l.d + 1, timeZone)];
  }
  return [localMidnight(l.y, l.m, 1, timeZone), localMidnight(l.y, l.m + 1, 1, timeZone)];
}

/** [start, end) of the window holding `ts` (not for per-message windows). */
export function windowBounds(ts: number, spec: WindowSpec, timeZone: string): [number, number] {
  if (spec.kind === 'fixed') {
    const start = Math.floor(ts / spec.ms) * spec.ms;
    return [start, start + spec.ms];
  }
  if (spec.kind === 'calendar') return calendarBounds(ts, spec.unit, timeZone);
  throw new BadInputError('window', 'per-message windows have no bounds in record time');
}

/** `2024-03` / `2024-03-31` / ISO time, in the zone, to label a window. */
export function windowLabel(start: number, spec: WindowSpec, timeZone: string): string {
  const l = localTime(start, timeZone);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  if (spec.kind === 'calendar' && spec.unit === 'month') return `${l.y}-${p2(l.m)}`;
  if (spec.kind === 'calendar') return `${l.y}-${p2(l.m)}-${p2(l.d)}`;
  return `${l.y}-${p2(l.m)}-${p2(l.d)} ${p2(l.h)}:${p2(l.mi)}`;
}
