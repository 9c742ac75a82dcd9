/**
 * A data-record reader generated for one fixed-length template: straight-line code with each
 * field's offset, width and destination as constants, which V8 runs at close to the speed of a
 * hand-written DataView loop (the generic loop in template.ts dispatches on every field). Only
 * integers validated here go into the generated source, never a byte of a packet; shapes are
 * cached (bounded), so a template resent by many exporters is compiled once. A property test
 * holds it to the generic loop (test/lib/netflow/compiled-decoder.test.ts).
 */
import type { DecodedFlow } from './decoded-flow';
import type { RecordSink } from './template';

export type SlowStore = (f: DecodedFlow, conv: number, target: number, b: Uint8Array, o: number, len: number) => void;
export type CompiledReader = (b: Uint8Array, start: number, end: number, f: DecodedFlow, sink: RecordSink, slow: SlowStore) => number;

/** Distinct template shapes kept compiled (LRU); more only costs a recompile. */
const MAX_CACHED = 256;
const cache = new Map<string, CompiledReader>();

function int(n: number, max: number): number {
  if (!Number.isInteger(n) || n < 0 || n > max) throw new RangeError(`compiled decoder: ${n} out of range`);
  return n;
}

const U8 = 1;
const U16 = 2;
const U32 = 4;
const U64 = 8;

function u32(o: number): string {
  return `(((b[p + ${o}] << 24) | (b[p + ${o + 1}] << 16) | (b[p + ${o + 2}] << 8) | b[p + ${o + 3}]) >>> 0)`;
}

/** The reader for records of `recordLength` bytes whose read fields are given by the arrays. */
export function compileReader(recordLength: number, offsets: Int32Array, lengths: Int32Array, convs: Int32Array, targets: Int32Array): CompiledReader {
  const key = `${recordLength}:${offsets.join(',')}:${lengths.join(',')}:${convs.join(',')}:${targets.join(',')}`;
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const rec = int(recordLength, 65535);
  const lines: string[] = [];
  for (let i = 0; i < convs.length; i++) {
    const o = int(offsets[i]!, 65535);
    const t = int(targets[i]!, 255);
    const c = int(convs[i]!, 255);
    const len = int(lengths[i]!, 65535);
    if (c === U8) lines.push(`v[${t}] = b[p + ${o}];`);
    else if (c === U16) lines.push(`v[${t}] = (b[p + ${o}] << 8) | b[p + ${o + 1}];`);
    else if (c === U32) lines.push(`v[${t}] = ${u32(o)};`);
    else if (c === U64) lines.push(`v[${t}] = ${u32(o)} * 4294967296 + ${u32(o + 4)};`);
    else lines.push(`slow(f, ${c}, ${t}, b, p + ${o}, ${len});`);
  }
  const body = `
    const v = f.v;
    let count = 0;
    for (let p = start; p + ${rec} <= end; p += ${rec}) {
      ${lines.join('\n      ')}
      sink(f);
      count++;
    }
    return count;`;
  // Generated from validated integers only (see above), never from packet bytes.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the compiled reader is the point; see the header
  const fn = new Function('b', 'start', 'end', 'f', 'sink', 'slow', body) as CompiledReader;
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(key, fn);
  return fn;
}
