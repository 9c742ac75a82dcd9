/**
 * Reading a dotted record path (`src.ip`, `extra.flowcount`) fast. A generic reader that indexes
 * with a runtime key (`o[seg]`) shares one property-lookup cache across every path and record
 * shape, goes megamorphic, and costs more than the rest of an aggregation; a reader compiled per
 * path has constant keys, which V8 treats as named loads with their own caches (about 3x faster on
 * the aggregate benchmark). Paths are validated by the callers' parsers (parsePath) and every
 * segment is embedded as a JSON string literal, so no text of a path can become code.
 */
export type PathReader = (record: unknown) => unknown;

const SEGMENT = /^[A-Za-z_$][\w$-]*$|^[\w$-]+$/;

export function compilePath(path: string): PathReader {
  const segs = path.split('.');
  if (segs.length === 0 || segs.length > 16 || !segs.every((s) => SEGMENT.test(s))) {
    throw new Error(`compilePath: "${path}" is not a dotted record path`);
  }
  let body = 'let o = r;\n';
  for (const s of segs) body += `if (o === null || typeof o !== 'object') return undefined;\no = o[${JSON.stringify(s)}];\n`;
  body += 'return o;';
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- see above: segments are JSON literals
  return new Function('r', body) as PathReader;
}
