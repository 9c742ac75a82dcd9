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

function describeValue(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return Array.isArray(v) ? 'an array' : typeof v;
}
