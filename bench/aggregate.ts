/**
 * Aggregate engine throughput: 1,000,000 records over 100,000 distinct groups (src.ip), summed
 * per hour window through `AggregateEngine.ingest` in batches of 1,000, against a baseline
 * measured in the same process: a bare `Map` sum per key over the same records. Targets: at least
 * 3,000,000 records/s and at least half the baseline. Each pass is one window; the time includes
 * closing it (ranking 100,000 groups). Also reported: the same with dedup on, and the heap an
 * engine holds with 100,000 groups under caps of 100,000 and 10,000 (bounded by the cap).
 *
 * Run alone: `npx tsx bench/aggregate.ts`.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { AggregateEngine, type AggregateOptionsInput } from '../nodes/lib/aggregate';
import type { NetworkFlow } from '../nodes/lib/network-flow';
import type { BenchResult } from './types';

const RECORDS = 1_000_000;
const GROUPS = 100_000;
const BATCH = 1_000;
const PASSES = 5;
const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const TARGET = 3_000_000;
const TARGET_RATIO = 0.5;

function makeRecords(): NetworkFlow[] {
  const ips = Array.from({ length: GROUPS }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  let seed = 12345;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const out: NetworkFlow[] = [];
  for (let i = 0; i < RECORDS; i++) {
    const sport = 1024 + Math.floor(rnd() * 60000);
    out.push({
      kind: 'flow', vendor: 'firewalla', endpoint: 'flows', ts: 0, start: 0, direction: 'outbound',
      // Every group appears: the first GROUPS records visit each once, the rest at random.
      src: { ip: ips[i < GROUPS ? i : Math.floor(rnd() * GROUPS)]!, port: sport },
      dst: { ip: '93.184.216.34', port: 443 }, protocol: { number: 6, name: 'tcp' },
      bytes: Math.floor(rnd() * 100_000),
    });
  }
  return out;
}

/** Pass `p` is hour `p`: record times spread over the hour, in order. */
function stamp(recs: NetworkFlow[], p: number): void {
  const step = HOUR / recs.length;
  for (let i = 0; i < recs.length; i++) {
    const t = Math.floor(T0 + p * HOUR + i * step);
    recs[i]!.ts = t;
    recs[i]!.start = t - 1000;
  }
}

/** Median records/s over passes 2..N (pass 1 creates the keys and warms the JIT). */
function timeIt(recs: NetworkFlow[], fn: (batch: NetworkFlow[]) => void, done?: () => void, passes = PASSES): number {
  const batches: NetworkFlow[][] = [];
  for (let i = 0; i < recs.length; i += BATCH) batches.push(recs.slice(i, i + BATCH));
  const rates: number[] = [];
  for (let p = 0; p < passes; p++) {
    stamp(recs, p);
    const t = process.hrtime.bigint();
    for (const b of batches) fn(b);
    done?.();
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    if (p > 0) rates.push(recs.length / s);
  }
  rates.sort((a, b) => a - b);
  return rates[rates.length >> 1]!;
}

function baselineRate(recs: NetworkFlow[]): number {
  let sums = new Map<string, number>();
  return timeIt(recs, (batch) => {
    for (const r of batch) sums.set(r.src.ip!, (sums.get(r.src.ip!) ?? 0) + r.bytes!);
  }, () => {
    sums = new Map();
  });
}

const BASE_OPTS: AggregateOptionsInput = { groupBy: 'src.ip', metrics: 'sum:bytes', window: 3600, lateness: 0, maxGroups: GROUPS, dedup: false };

function engineRate(recs: NetworkFlow[], opts: AggregateOptionsInput, passes = PASSES): { rate: number; windows: number } {
  const e = new AggregateEngine({ ...BASE_OPTS, ...opts }, { now: () => T0 + 365 * 24 * HOUR });
  let windows = 0;
  const rate = timeIt(recs, (b) => {
    windows += e.ingest(b).windows.length;
  }, undefined, passes);
  return { rate, windows };
}

const gc: (() => void) | undefined = (() => {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
})();

/** Heap an engine holds after one window of all records, open (MB), with a group cap. */
function heapHeld(recs: NetworkFlow[], maxGroups: number): number {
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const e = new AggregateEngine({ ...BASE_OPTS, maxGroups }, { now: () => T0 + 365 * 24 * HOUR });
  stamp(recs, 100);
  for (let i = 0; i < recs.length; i += BATCH) e.ingest(recs.slice(i, i + BATCH));
  gc?.();
  const held = process.memoryUsage().heapUsed - before;
  if (e.stats().groups > maxGroups) throw new Error('group cap exceeded');
  return held / 1e6;
}

export async function run(): Promise<BenchResult[]> {
  const recs = makeRecords();
  const base = baselineRate(recs);
  const main = engineRate(recs, {});
  // Dedup hashes every record (SHA-1 of the Community ID): slow, so fewer passes.
  const withDedup = engineRate(recs, { dedup: true, dedupCap: 2_000_000 }, 3);
  const multi = engineRate(recs, { metrics: 'sum:bytes,count,rate:bytes' });
  const heapFull = heapHeld(recs, GROUPS);
  const heapCapped = heapHeld(recs, GROUPS / 10);
  const ratio = main.rate / base;
  return [
    { name: 'aggregate: baseline (Map sum per key, 100k keys)', value: Math.round(base), unit: 'records/s' },
    {
      name: 'aggregate: sum:bytes by src.ip, 1h windows, 100k groups',
      value: Math.round(main.rate), unit: 'records/s', baseline: Math.round(base), ratio: Number(ratio.toFixed(3)),
      target: `>= ${TARGET.toLocaleString('en-US')} records/s and ratio >= ${TARGET_RATIO}`,
      pass: main.rate >= TARGET && ratio >= TARGET_RATIO,
    },
    {
      name: 'aggregate: sum:bytes,count,rate:bytes, 100k groups',
      value: Math.round(multi.rate), unit: 'records/s', baseline: Math.round(base), ratio: Number((multi.rate / base).toFixed(3)),
    },
    {
      name: 'aggregate: sum:bytes with dedup (Community ID + start per record)',
      value: Math.round(withDedup.rate), unit: 'records/s', baseline: Math.round(base), ratio: Number((withDedup.rate / base).toFixed(3)),
    },
    { name: 'aggregate: heap held, 100k groups, cap 100,000', value: Number(heapFull.toFixed(1)), unit: 'MB' },
    {
      name: 'aggregate: heap held, 100k groups, cap 10,000', value: Number(heapCapped.toFixed(1)), unit: 'MB',
      baseline: Number(heapFull.toFixed(1)), ratio: Number((heapCapped / heapFull).toFixed(3)),
      target: 'ratio <= 0.2 (bounded by the cap)', pass: heapCapped / heapFull <= 0.2,
    },
  ];
}

if (require.main === module) {
  void run().then((rows) => {
    console.table(rows.map((r) => ({ ...r, value: r.value.toLocaleString('en-US') })));
  });
}
