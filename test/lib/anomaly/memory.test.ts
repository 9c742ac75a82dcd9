import 'should';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import {
  AnomalyEngine, BYTES, EXACT_LIMIT, MAX_KEYS, MEMORY_WARN_BYTES, estimateMemory, maxLateness, panesPerKey, parseOptions,
} from '../../../nodes/lib/anomaly';
import { BadInputError } from '../../../nodes/lib/errors';

const T0 = 1_700_000_040_000;
const rec = (ts: number, src: string, dst = '1.1.1.1', bytes = 1) => ({ ts, src: { ip: src }, dst: { ip: dst }, bytes });

describe('lib/anomaly memory bounds', () => {
  it('distinct: 40 keys x 1,000 values hold one fixed-size sketch per pane, not the values', () => {
    const e = new AnomalyEngine({ key: 'src.ip', metric: 'distinct:dst.ip', window: 60, rule: 'threshold', threshold: 1e9 }, { now: () => T0 });
    const batch = [];
    for (let j = 0; j < 1000; j++) {
      for (let k = 0; k < 40; k++) batch.push(rec(T0 + j, `10.0.0.${k}`, `172.16.${j >> 8}.${j & 255}`));
    }
    e.ingest(batch).accepted.should.equal(40_000);
    const s = e.structureSizes();
    s.keys.should.equal(40);
    s.panes.should.equal(40);
    s.sketches.should.equal(40); // each key's pane switched to the sketch...
    s.exactValues.should.equal(0); // ...and holds no value (40,000 strings before)
    // A small key stays exact.
    e.ingest([rec(T0 + 2000, 'quiet', 'a'), rec(T0 + 2001, 'quiet', 'b')]);
    e.structureSizes().exactValues.should.equal(2);
  });

  it('panes held per key never exceed the estimate, whatever the order of records', () => {
    const arb = fc.record({
      hops: fc.integer({ min: 1, max: 60 }),
      lateFrac: fc.double({ min: 0, max: 1, noNaN: true }),
      times: fc.array(fc.integer({ min: 0, max: 3_600_000 }), { minLength: 1, maxLength: 300 }),
      flushAt: fc.integer({ min: 0, max: 300 }),
    });
    fc.assert(fc.property(arb, ({ hops, lateFrac, times, flushAt }) => {
      const window = 60;
      const opts = { key: 'src.ip', metric: 'count', window, windowType: hops === 1 ? 'tumbling' : 'sliding', hops: hops === 1 ? undefined : hops,
        rule: 'threshold', threshold: 1e9, lateness: lateFrac * maxLateness(window, hops) };
      const e = new AnomalyEngine(opts, { now: () => T0 + 1e9 });
      const bound = panesPerKey(e.options);
      times.forEach((t, i) => {
        e.ingest(rec(T0 + t, i % 2 ? 'a' : 'b'));
        if (i === flushAt) e.flush();
        e.structureSizes().maxPanesPerKey.should.be.belowOrEqual(bound);
      });
    }), { numRuns: 150, seed: 8 });
  });

  it('the pane bound is reached: it is the worst case, not a loose guess', () => {
    const e = new AnomalyEngine({ key: 'src.ip', metric: 'count', window: 60, rule: 'threshold', threshold: 1e9, lateness: 60 }, { now: () => T0 + 1e9 });
    e.ingest([rec(T0, 'a'), rec(T0 + 60_000, 'a'), rec(T0 + 120_001, 'a')]);
    e.structureSizes().maxPanesPerKey.should.equal(panesPerKey(e.options)); // 1 closed + 2 open
  });

  it('caps every setting that multiplies memory', () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ maxKeys: 10_000_000 }, 'maxKeys'],
      [{ windowType: 'sliding', hops: 61 }, 'hops'],
      [{ windowType: 'sliding', hops: 60, window: 300, lateness: 301 }, 'lateness'],
      [{ window: 60, lateness: 60 * 61 }, 'lateness'],
      [{ rule: 'zscore', history: 1001 }, 'history'],
    ];
    for (const [input, field] of bad) {
      let err: unknown;
      try {
        parseOptions(input);
      } catch (e) {
        err = e;
      }
      err!.should.be.instanceOf(BadInputError);
      (err as BadInputError).field!.should.equal(field);
    }
    parseOptions({ maxKeys: MAX_KEYS }).maxKeys.should.equal(MAX_KEYS);
    parseOptions({ rule: 'zscore', warmup: 50_000 }).history.should.equal(1000); // default follows warm-up, capped
  });

  it('the estimate follows its formula, and warns above the limit', () => {
    const d = estimateMemory(parseOptions({}));
    d.panesPerKey.should.equal(3); // lateness one window: 2 open panes + the closed one
    d.paneBytes.should.equal(BYTES.pane + 3 * BYTES.sampleRecord);
    d.bytes.should.equal(10_000 * (d.keyBytes + 3 * d.paneBytes));
    d.overLimit.should.be.false();
    d.text.should.match(/^10,000 keys × [\d.]+ kB = \d+ MB$/);
    const big = estimateMemory(parseOptions({ windowType: 'sliding', hops: 60, metric: 'distinct:dst.ip' }));
    big.panesPerKey.should.equal(60 + 1 + 60);
    big.paneBytes.should.be.above(BYTES.pane + EXACT_LIMIT * 8);
    big.overLimit.should.be.true();
    big.bytes.should.be.above(MEMORY_WARN_BYTES);
  });

  it('the help quotes the estimate of its examples as the code computes it', () => {
    const help = fs.readFileSync(path.join(__dirname, '../../../locales/en-US/network-flow-anomaly.html'), 'utf8').replace(/\s+/g, ' ');
    const est = (o: Record<string, unknown>): string => estimateMemory(parseOptions(o)).text.replace(' keys', '');
    help.should.containEql(est({}));
    help.should.containEql(`code>distinct:dst.ip</code> with the same settings ${estimateMemory(parseOptions({ metric: 'distinct:dst.ip' })).text.split(' = ')[1]}`);
    help.should.containEql(`11 panes) ${estimateMemory(parseOptions({ windowType: 'sliding' })).text.split(' = ')[1]}`);
    help.should.containEql(`of <code>distinct:dst.ip</code> ${estimateMemory(parseOptions({ maxKeys: 1000, metric: 'distinct:dst.ip' })).text.split(' = ')[1]}`);
    help.should.containEql(`(${(MEMORY_WARN_BYTES / 1e6).toFixed(0)} MB)`);
  });
});
