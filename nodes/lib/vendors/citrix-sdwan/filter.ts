/**
 * The NITRO `filter` query parameter: `key:value` pairs separated by `;`
 * (`application:iperf;max_stats:50`). Which keys flows and ilbflows accept is not documented, so
 * user keys pass through; `max_stats` takes only 50, 100 or 1000. One zod schema serves the
 * editor's properties and `msg.request` overrides, so both are validated the same way.
 */
import { z } from 'zod';
import { quoted } from '../../validate';

export const MAX_STATS_VALUES = [50, 100, 1000] as const;
export type MaxStats = (typeof MAX_STATS_VALUES)[number];

const KEY = /^[a-z0-9_]+$/;

/** Longer filters are refused before they are split: the filter goes into a URL, and 8 KiB is
 * already beyond what many servers accept in one. */
export const MAX_FILTER_TEXT = 8192;

/** Splits a filter into pairs, or returns what is wrong with it. Empty parts (`a:1;`) are ignored. */
export function parseFilterPairs(text: string): Array<[string, string]> | string {
  if (text.length > MAX_FILTER_TEXT) return `expected at most ${MAX_FILTER_TEXT} characters, got ${text.length}`;
  const pairs: Array<[string, string]> = [];
  for (const raw of text.split(';')) {
    const part = raw.trim();
    if (part === '') continue;
    const i = part.indexOf(':');
    if (i < 0) return `${quoted(part)} is not key:value (expected e.g. application:iperf;max_stats:50)`;
    const key = part.slice(0, i).trim();
    const value = part.slice(i + 1).trim();
    if (!KEY.test(key)) return `key ${quoted(key)} must be lowercase letters, digits and _ (e.g. application, src_ip)`;
    if (value === '') return `key ${quoted(key)} has no value`;
    if (key === 'max_stats' && !MAX_STATS_VALUES.includes(Number(value) as MaxStats)) {
      return `max_stats must be 50, 100 or 1000, got ${quoted(value)}`;
    }
    pairs.push([key, value]);
  }
  return pairs;
}

/** `filter`: a string of key:value pairs (empty or absent: no filter). */
export const filterSchema = z
  .string({ error: 'expected a string of key:value pairs separated by ;' })
  .optional()
  .transform((s, ctx) => {
    const text = (s ?? '').trim();
    const pairs = parseFilterPairs(text);
    if (typeof pairs === 'string') {
      ctx.addIssue({ code: 'custom', message: pairs });
      return z.NEVER;
    }
    return pairs;
  });

/** `maxStats`: "" (the appliance's default), 50, 100 or 1000, as number or numeric string. */
export const maxStatsSchema = z
  .union([z.string(), z.number()], { error: 'expected "", 50, 100 or 1000' })
  .optional()
  .transform((v, ctx): MaxStats | undefined => {
    if (v === undefined || v === '') return undefined;
    const n = typeof v === 'number' ? v : /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
    if (!MAX_STATS_VALUES.includes(n as MaxStats)) {
      ctx.addIssue({ code: 'custom', message: 'expected "", 50, 100 or 1000' });
      return z.NEVER;
    }
    return n as MaxStats;
  });

/**
 * The `filter` query value for the given pairs and max_stats. `maxStats` (the node property)
 * replaces a `max_stats` written in the filter text, so there is one answer size. Undefined when
 * there is nothing to filter. The HTTP core percent-encodes it (`:` `%3A`, `;` `%3B`).
 */
export function buildFilter(pairs: ReadonlyArray<readonly [string, string]>, maxStats?: MaxStats): string | undefined {
  const kept = maxStats === undefined ? [...pairs] : pairs.filter(([k]) => k !== 'max_stats');
  if (maxStats !== undefined) kept.push(['max_stats', String(maxStats)]);
  return kept.length ? kept.map(([k, v]) => `${k}:${v}`).join(';') : undefined;
}
