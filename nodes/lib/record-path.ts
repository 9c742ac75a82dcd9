/**
 * Record paths (`src.ip`, `extra.flowcount`): checking one a user typed, and reading it fast. A
 * generic reader that indexes with a runtime key (`o[seg]`) shares one property-lookup cache
 * across every path and record shape, goes megamorphic, and costs more than the rest of an
 * aggregation; a reader compiled per path has constant keys, which V8 treats as named loads with
 * their own caches (about 3x faster on the aggregate benchmark). Every segment is embedded as a
 * JSON string literal, so no text of a path can become code.
 */
import { BadInputError } from './errors';

export type PathReader = (record: unknown) => unknown;

const PATH_RE = /^[A-Za-z_$][\w$-]*(\.[\w$-]+)*$/;
/** Records nest three or four levels; these bound what a hostile flow file can make us compile. */
const MAX_PATH_NAMES = 16;
const MAX_PATH_TEXT = 256;

/** What is wrong with `p` as a record path (`shown` is how to quote it), or null: one rule for typing and compiling. */
function pathProblem(p: string, shown = p): string | null {
  if (p.length > MAX_PATH_TEXT) return `a record path of ${p.length} characters (at most ${MAX_PATH_TEXT})`;
  if (!PATH_RE.test(p)) return `"${shown}" is not a record path (expected dotted names such as src.ip or extra.flowcount)`;
  const names = p.split('.').length;
  return names > MAX_PATH_NAMES ? `"${p.slice(0, 60)}…" has ${names} names (at most ${MAX_PATH_NAMES})` : null;
}

/** A record path a user typed, trimmed; a `BadInputError` naming `field` when it is not one. */
export function parsePath(field: string, text: string): string {
  const p = text.trim();
  const problem = pathProblem(p, text);
  if (problem !== null) throw new BadInputError(field, problem);
  return p;
}

/** A reader for a path `parsePath` accepted (checked again: the path becomes code). */
export function compilePath(path: string): PathReader {
  const problem = pathProblem(path);
  if (problem !== null) throw new Error(`compilePath: ${problem}`);
  const segs = path.split('.');
  let body = 'let o = r;\n';
  for (const s of segs) body += `if (o === null || typeof o !== 'object') return undefined;\no = o[${JSON.stringify(s)}];\n`;
  body += 'return o;';
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- see above: segments are JSON literals
  return new Function('r', body) as PathReader;
}
