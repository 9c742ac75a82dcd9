/**
 * zod at the edges: parse a value with a schema, and turn the first issue into a BadInputError
 * that names the field and says what was expected (`request.limit: expected an integer from 1
 * to 500, got 501`).
 */
import type { z } from 'zod';
import { BadInputError } from './errors';

/** A record that failed its check: reported with the reason and skipped, the rest are kept. */
export interface InvalidRecord {
  /** Position of the record in the input array (or the page's results). */
  index: number;
  reason: string;
}

export function parseInput<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  const field = [prefix, path].filter(Boolean).join('.') || prefix || 'input';
  const got = describeValue(valueAt(value, issue.path));
  throw new BadInputError(field, `${issue.message}${got === undefined ? '' : `, got ${got}`}`);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/**
 * Text from outside quoted for an error message, cut to `max` characters: a message names the
 * bad value, it does not carry a megabyte of it into `msg.error` and the log.
 */
export function quoted(text: string, max = 60): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max - 3)}...` : text);
}

function describeValue(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return quoted(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return Array.isArray(v) ? 'an array' : typeof v;
}

/**
 * Size caps of `msg.request` overrides, checked before any parsing (a 3.4 MB query must not reach
 * a parser, a retry loop or the wire): `query` and `filter` at most REQUEST_TEXT_CAP characters,
 * every other field REQUEST_FIELD_CAP; structured values (a Date, an array) are measured by a
 * walk that stops at the cap. Stated in each endpoint node's help (msg.request).
 */
// The same as the Firewalla query and SD-WAN filter caps (MAX_QUERY_TEXT, MAX_FILTER_TEXT), so a value
// that a node accepts in its dialog is accepted in msg.request too.
export const REQUEST_TEXT_CAP = 8192;
export const REQUEST_FIELD_CAP = 1024;
export const REQUEST_MAX_FIELDS = 64;
const TEXT_FIELDS: ReadonlySet<string> = new Set(['query', 'filter']);

/** Throws BadInputError naming `request.<field>` when an override is over its cap. */
export function checkRequestSizes(request: Record<string, unknown>, prefix = 'request'): void {
  let fields = 0;
  for (const key in request) {
    if (!Object.prototype.hasOwnProperty.call(request, key)) continue;
    if (++fields > REQUEST_MAX_FIELDS) throw new BadInputError(prefix, `expected at most ${REQUEST_MAX_FIELDS} fields`);
    const cap = TEXT_FIELDS.has(key) ? REQUEST_TEXT_CAP : REQUEST_FIELD_CAP;
    const field = key.length > 40 ? `${prefix}.${key.slice(0, 37)}...` : `${prefix}.${key}`;
    if (key.length > REQUEST_FIELD_CAP) throw new BadInputError(field, `field name longer than ${REQUEST_FIELD_CAP} characters`);
    const value = request[key];
    if (typeof value === 'string') {
      if (value.length > cap) throw new BadInputError(field, `expected at most ${cap} characters, got ${value.length}`);
    } else if (value !== null && typeof value === 'object' && !(value instanceof Date) && boundedSize(value, cap) > cap) {
      throw new BadInputError(field, `expected a value of at most ${cap} characters, got a larger ${Array.isArray(value) ? 'array' : 'object'}`);
    }
  }
}

/** Characters of strings plus one per value, counted until `cap` is passed (then it stops). */
function boundedSize(value: unknown, cap: number): number {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length && size <= cap) {
    const v = stack.pop();
    size++;
    if (typeof v === 'string') size += v.length;
    else if (v instanceof Date || v === null || typeof v !== 'object') continue;
    else if (Array.isArray(v)) {
      for (let i = 0; i < v.length && stack.length <= cap; i++) stack.push(v[i]);
      size += v.length > cap ? cap : 0;
    } else {
      let n = 0;
      for (const k in v) {
        if (++n > cap) break;
        size += k.length;
        stack.push((v as Record<string, unknown>)[k]);
      }
    }
  }
  return size;
}

/**
 * Values from outside nesting deeper than this are refused: recursive code (JSON.stringify,
 * Node-RED's message cloning, String() of arrays) overflows the stack at a few thousand levels,
 * and no vendor record or option comes near it.
 */
export const MAX_NESTING = 64;

/**
 * True when objects and arrays in `value` nest more than `max` levels (a plain object is one
 * level). Iterative, so it cannot overflow the stack itself. An object reached again is walked
 * again only when reached deeper than before, so shared or cyclic objects (built in a function
 * node, never by JSON.parse) cost at most `max` walks each, and a cycle is always too deep.
 */
export function nestsDeeperThan(value: unknown, max = MAX_NESTING): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: object[] = [value];
  const depths: number[] = [1];
  const seen = new Map<object, number>();
  while (stack.length > 0) {
    const v = stack.pop() as Record<string, unknown>;
    const d = depths.pop()!;
    if (d > max) return true;
    const before = seen.get(v);
    if (before !== undefined && before >= d) continue;
    seen.set(v, d);
    for (const k in v) {
      const x = v[k];
      if (x !== null && typeof x === 'object') {
        stack.push(x);
        depths.push(d + 1);
      }
    }
  }
  return false;
}
