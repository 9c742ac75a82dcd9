/**
 * Benchmark: decoding IPFIX messages of 30 records with a 20-field template (issue 17).
 *
 * Compared in the same process, on the same 200 messages (6,000 records):
 *   - the collector decoding them (header, set walk, template lookup, sequence check, every
 *     field into a DecodedFlow) with `onDecoded`, i.e. what the decoders themselves cost;
 *   - a bare DataView loop reading the same 20 fields of the same records at known offsets
 *     (no header checks, no template, no objects): the fastest anything could read them;
 *   - the whole collector path to NetworkFlow records (address text, protocol names, extra),
 *     without and with the Community ID (a SHA-1 per record).
 * Targets: >= 1M records/s decoded, and >= 25% of the bare loop's speed.
 *
 * `npx tsx bench/collector.ts` prints a table; `run()` returns the rows for `npm run bench`.
 */
import { Collector, type DecodedFlow } from '../nodes/lib/netflow';
import { dataRecord, dataSet, ipfixMessage, ipfixTemplateSet, type FieldSpec } from '../simulator/netflow';
import { opsPerSecond, type BenchResult } from './types';

const MESSAGES = 200;
const RECORDS = 30;
const T = 1_700_000_000;
/** 20 fields, 71 bytes a record: what a router's IPv4 template typically holds. */
export const FIELDS: FieldSpec[] = [
  [8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [5, 1], [6, 1], [1, 8], [2, 8], [10, 4],
  [14, 4], [15, 4], [16, 4], [17, 4], [9, 1], [13, 1], [61, 1], [136, 1], [152, 8], [153, 8],
];
const RECORD_LENGTH = FIELDS.reduce((n, [, len]) => n + len, 0);

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

export function buildMessages(): { template: Buffer; messages: Buffer[] } {
  const rnd = lcg(17);
  const byte = (): number => Math.floor(rnd() * 256);
  const messages: Buffer[] = [];
  let seq = 0;
  for (let m = 0; m < MESSAGES; m++) {
    const recs: Buffer[] = [];
    for (let i = 0; i < RECORDS; i++) {
      const start = T * 1000 + m * 1000 + i;
      recs.push(
        dataRecord(FIELDS, {
          8: `10.${byte()}.${byte()}.${byte()}`, 12: `${11 + byte() % 200}.${byte()}.${byte()}.${byte()}`,
          7: 1024 + Math.floor(rnd() * 60000), 11: [80, 443, 53, 22][i % 4]!, 4: i % 3 === 0 ? 17 : 6, 5: 0, 6: 0x1b,
          1: Math.floor(rnd() * 5e6), 2: Math.floor(rnd() * 4000), 10: 1 + (i % 4), 14: 5, 15: '10.0.0.1', 16: 64512, 17: 15169,
          9: 24, 13: 16, 61: 0, 136: 3, 152: start, 153: start + Math.floor(rnd() * 60000),
        }),
      );
    }
    messages.push(ipfixMessage({ exportSec: T + m, sequence: seq, domain: 1 }, [dataSet(256, recs)]));
    seq += RECORDS;
  }
  const template = ipfixMessage({ exportSec: T, sequence: 0, domain: 1 }, [ipfixTemplateSet([{ id: 256, fields: FIELDS }])]);
  return { template, messages };
}

/** The 20 fields read straight from known offsets with DataView: sum of all, so nothing is skipped. */
export function bareLoop(messages: readonly Buffer[]): () => number {
  const views = messages.map((b) => new DataView(b.buffer, b.byteOffset, b.byteLength));
  return () => {
    let sum = 0;
    let n = 0;
    for (const v of views) {
      for (let p = 16 + 4; p + RECORD_LENGTH <= v.byteLength; p += RECORD_LENGTH) {
        sum += v.getUint32(p) + v.getUint32(p + 4) + v.getUint16(p + 8) + v.getUint16(p + 10) + v.getUint8(p + 12) + v.getUint8(p + 13) + v.getUint8(p + 14);
        sum += v.getUint32(p + 15) * 4294967296 + v.getUint32(p + 19) + v.getUint32(p + 23) * 4294967296 + v.getUint32(p + 27);
        sum += v.getUint32(p + 31) + v.getUint32(p + 35) + v.getUint32(p + 39) + v.getUint32(p + 43) + v.getUint32(p + 47);
        sum += v.getUint8(p + 51) + v.getUint8(p + 52) + v.getUint8(p + 53) + v.getUint8(p + 54);
        sum += v.getUint32(p + 55) * 4294967296 + v.getUint32(p + 59) + v.getUint32(p + 63) * 4294967296 + v.getUint32(p + 67);
        n++;
      }
    }
    if (sum === -1) throw new Error('unreachable'); // keeps the reads alive
    return n;
  };
}

function decodeLoop(messages: readonly Buffer[], template: Buffer): { loop: () => number; check: () => DecodedFlow | undefined } {
  let last: DecodedFlow | undefined;
  let count = 0;
  const c = new Collector({
    now: () => T * 1000,
    onDecoded: (f) => {
      count++;
      last = f;
    },
  });
  c.receive(template, '192.0.2.1');
  return {
    loop: () => {
      count = 0;
      for (const m of messages) c.receive(m, '192.0.2.1');
      return count;
    },
    check: () => last,
  };
}

function recordLoop(messages: readonly Buffer[], template: Buffer, communityId: boolean): () => number {
  const c = new Collector({ now: () => T * 1000, communityId });
  c.receive(template, '192.0.2.1');
  return () => {
    let n = 0;
    for (const m of messages) n += c.receive(m, '192.0.2.1').length;
    return n;
  };
}

export async function run(): Promise<BenchResult[]> {
  const { template, messages } = buildMessages();
  const bare = bareLoop(messages);
  const decode = decodeLoop(messages, template);
  const records = recordLoop(messages, template, false);
  const withId = recordLoop(messages, template, true);
  // Same records each way, or the comparison means nothing.
  const total = MESSAGES * RECORDS;
  for (const [name, loop] of [['bare', bare], ['decode', decode.loop], ['records', records], ['records+id', withId]] as const) {
    const n = loop();
    if (n !== total) throw new Error(`${name} loop saw ${n} records, expected ${total}`);
  }
  const lastView = new DataView(messages[MESSAGES - 1]!.buffer, messages[MESSAGES - 1]!.byteOffset);
  const lastRec = 20 + (RECORDS - 1) * RECORD_LENGTH;
  if (decode.check()!.dstAs !== lastView.getUint32(lastRec + 47)) throw new Error('decoded dstAs differs from the bytes');

  const loops = { bare, decode: decode.loop, records, withId };
  const best = { bare: 0, decode: 0, records: 0, withId: 0 };
  for (let round = 0; round < 3; round++) {
    for (const k of Object.keys(loops) as Array<keyof typeof loops>) best[k] = Math.max(best[k], opsPerSecond(loops[k], 2, 200));
  }
  const ratio = best.decode / best.bare;
  return [
    { name: 'IPFIX decode, 30 records x 20 fields a message', value: best.decode, unit: 'records/s', target: '>= 1,000,000 records/s', pass: best.decode >= 1e6 },
    { name: 'IPFIX decode vs bare DataView loop over the same fields', value: best.decode, unit: 'records/s', baseline: best.bare, ratio, target: 'ratio >= 0.25', pass: ratio >= 0.25 },
    { name: 'IPFIX to NetworkFlow records (no Community ID)', value: best.records, unit: 'records/s' },
    { name: 'IPFIX to NetworkFlow records with Community ID', value: best.withId, unit: 'records/s' },
  ];
}

if (require.main === module) {
  void run().then((rows) => {
    for (const r of rows) console.log(`${r.name}: ${Math.round(r.value).toLocaleString('en-US')} ${r.unit}${r.ratio === undefined ? '' : `; ratio ${r.ratio.toFixed(3)}`}${r.target ? `; target ${r.target} ${r.pass ? 'met' : 'MISSED'}` : ''}`);
  });
}
