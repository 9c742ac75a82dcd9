/**
 * Context keys as Node-RED writes them (`count`, `a.b`, `a["b c"]`, `list[0]`): the top-level
 * name is one Redis hash field, the rest a path inside its JSON value
 * (docs/state.md#the-redis-context-store). A small scanner, no regular expression: a key is at
 * most MAX_KEY_LENGTH characters.
 */
import { BadInputError } from '../errors';

export const MAX_KEY_LENGTH = 1000;

export type PathPart = string | number;

export function parseContextKey(key: unknown): PathPart[] {
  if (typeof key !== 'string' || key.length === 0) throw new BadInputError('key', 'expected a non-empty context key');
  if (key.length > MAX_KEY_LENGTH) throw new BadInputError('key', `longer than ${MAX_KEY_LENGTH} characters`);
  const parts: PathPart[] = [];
  let i = 0;
  const bad = (what: string): never => {
    throw new BadInputError('key', `"${key.slice(0, 60)}": ${what} at column ${i + 1}`);
  };
  const name = (): string => {
    const start = i;
    while (i < key.length && key[i] !== '.' && key[i] !== '[') i++;
    if (i === start) bad('expected a property name');
    return key.slice(start, i);
  };
  parts.push(name());
  while (i < key.length) {
    if (key[i] === '.') {
      i++;
      parts.push(name());
    } else {
      i++; // '['
      const q = key[i];
      if (q === '"' || q === "'") {
        const end = key.indexOf(q, i + 1);
        if (end < 0 || key[end + 1] !== ']') bad('expected a closing quote and ]');
        parts.push(key.slice(i + 1, end));
        i = end + 2;
      } else {
        const end = key.indexOf(']', i);
        const digits = end < 0 ? '' : key.slice(i, end);
        if (digits === '' || digits.length > 9 || [...digits].some((c) => c < '0' || c > '9')) bad('expected an array index or a quoted name in [ ]');
        parts.push(Number(digits));
        i = end + 1;
      }
    }
  }
  return parts;
}

/** The value at `path` inside `root`, undefined when any step is missing. */
export function getPath(root: unknown, path: readonly PathPart[]): unknown {
  let v = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

/** A copy of `root` with `value` at `path` (created as objects / arrays on the way); undefined deletes. */
export function setPath(root: unknown, path: readonly PathPart[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [PathPart, ...PathPart[]];
  const base: Record<string | number, unknown> | unknown[] =
    root !== null && typeof root === 'object' ? (Array.isArray(root) ? [...(root as unknown[])] : { ...root }) : typeof head === 'number' ? [] : {};
  const child = setPath((base as Record<string | number, unknown>)[head], rest, value);
  if (child === undefined && rest.length === 0) delete (base as Record<string | number, unknown>)[head];
  else (base as Record<string | number, unknown>)[head] = child;
  return base;
}
