/**
 * zod at the edges: parse a value with a schema, and turn the first issue into a BadInputError
 * that names the field and says what was expected (`request.limit: expected an integer from 1
 * to 500, got 501`).
 */
import type { z } from 'zod';
import { BadInputError } from './errors';

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
