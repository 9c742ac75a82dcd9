import 'should';
import { AnomalyEngine, formatValue, panesPerKey, parseMetric, parseOptions, type AnomalyEvent } from '../../../nodes/lib/anomaly';
import { BadInputError } from '../../../nodes/lib/errors';
import { HLL_STD_ERROR } from '../../../nodes/lib/anomaly/hyperloglog';
import { MAX_REPORTED } from '../../../nodes/lib/anomaly/engine';
import type { NetworkFlow } from '../../../nodes/lib/network-flow';

const MIN = 60_000;
/** A minute boundary in the past, so windows line up with whole minutes. */
const T0 = Math.ceil(1.7e12 / MIN) * MIN;

function flow(ts: number, ip: string, bytes: number, more: Partial<NetworkFlow> = {}): NetworkFlow {
  return {
    kind: 'flow', vendor: 'firewalla', endpoint: 'flows', ts, src: { ip }, dst: { ip: '93.184.216.34', port: 443 },
    direction: 'outbound', bytes, ...more,
  };
}

/** Deterministic PRNG (mulberry32) so every run sees the same "random" series. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One record per window, value `xs[w]`, at a time inside window w; then flush. */
function runSeries(engine: AnomalyEngine, xs: number[], ip = '10.0.0.1'): AnomalyEvent[] {
  const events: AnomalyEvent[] = [];
  for (let w = 0; w < xs.length; w++) events.push(...engine.ingest(flow(T0 + w * MIN + 5000, ip, xs[w]!)).events);
  events.push(...engine.flush());
  return events;
}

const windowOf = (e: AnomalyEvent): number => (e.payload.window.start - T0) / MIN;

describe('lib/anomaly engine', () => {
  describe('options', () => {
    it('fills defaults and parses editor strings', () => {
      const o = parseOptions({ key: ' src.ip , dst.port ', metric: 'distinct:dst.port', window: '60', rule: 'threshold', threshold: '100', warmup: '' });
      o.key.should.eql(['src.ip', 'dst.port']);
      o.metric.should.eql({ kind: 'distinct', path: 'dst.port', text: 'distinct:dst.port' });
      o.window.should.equal(60);
      o.warmup.should.equal(0); // threshold rule: no warm-up unless asked
      o.hops.should.equal(1);
      parseOptions({ rule: 'ewma' }).warmup.should.equal(10);
      parseOptions({ windowType: 'sliding' }).hops.should.equal(5);
      parseMetric('rate: bytesOut').text.should.equal('rate:bytesOut');
    });

    const bad: [Record<string, unknown>, string, RegExp][] = [
      [{ key: '' }, 'key', /record paths/],
      [{ key: 'src..ip' }, 'key', /not a record path/],
      [{ key: Array.from({ length: 17 }, (_, i) => `n${i}`).join('.') }, 'key', /17 names \(at most 16\)/],
      [{ metric: `sum:extra.${'x'.repeat(300)}` }, 'metric', /306 characters \(at most 256\)/],
      [{ metric: 'avg:bytes' }, 'metric', /count, sum:<path>/],
      [{ window: '-5' }, 'window', /out of range/],
      [{ window: 'abc' }, 'window', /not a number/],
      [{ windowType: 'hopping' }, 'windowType', /tumbling, sliding/],
      [{ rule: 'median' }, 'rule', /threshold, ewma, zscore/],
      [{ rule: 'threshold' }, 'threshold', /required/],
      [{ band: 0 }, 'band', /> 0/],
      [{ alpha: 1.5 }, 'alpha', /<= 1/],
      [{ warmup: 2.5 }, 'warmup', /integer/],
      [{ pending: -1 }, 'pending', /out of range/],
      [{ cooldown: 'soon' }, 'cooldown', /not a number/],
      [{ resolve: 'yes' }, 'resolve', /boolean/],
      [{ maxKeys: 0 }, 'maxKeys', /out of range/],
    ];
    for (const [input, field, re] of bad) {
      it(`rejects a bad ${field} naming the field`, () => {
        let err: unknown;
        try {
          parseOptions(input);
        } catch (e) {
          err = e;
        }
        (err instanceof BadInputError).should.be.true();
        const b = err as BadInputError;
        b.code.should.equal('BAD_INPUT');
        b.field!.should.equal(field);
        b.message.should.startWith(`${field}: `);
        b.message.should.match(re);
      });
    }
  });

  describe('threshold, cooldown, warm-up, pending, resolve', () => {
    const base = { key: 'src.ip', metric: 'sum:bytes', window: 60, rule: 'threshold', threshold: 1000, lateness: 0 };

    it('fires a spike exactly once, for the right key and window', () => {
      const e = new AnomalyEngine({ ...base, cooldown: 3600 });
      const recs: NetworkFlow[] = [];
      for (let w = 0; w < 10; w++) {
        for (let j = 0; j < 3; j++) {
          recs.push(flow(T0 + w * MIN + j * 10_000, '10.0.0.1', w === 5 ? 2000 : 100));
          recs.push(flow(T0 + w * MIN + j * 10_000 + 1, '10.0.0.2', 100));
        }
      }
      const events = [...e.ingest(recs).events, ...e.flush()];
      events.length.should.equal(1);
      const a = events[0]!;
      a.type.should.equal('alert');
      a.payload.should.match({
        key: '10.0.0.1', keyFields: { 'src.ip': '10.0.0.1' }, metric: 'sum:bytes', value: 6000, rule: 'threshold',
        threshold: 1000, window: { start: T0 + 5 * MIN, end: T0 + 6 * MIN, seconds: 60 }, firstSeen: T0, records: 3, repeat: false,
      });
      a.payload.sample.length.should.equal(3);
      a.topic.should.equal('10.0.0.1: sum:bytes 6 kB in 60 s above threshold 1 kB');
      e.stats().alerts.should.equal(1);
    });

    it('holds the cooldown between separate spikes and fires again once it has passed', () => {
      // Spikes in windows 0, 2, 4, 6; cooldown 300 s: window ends 60, 180, 300, 420 s.
      const e = new AnomalyEngine({ ...base, cooldown: 300 });
      const xs = [5000, 10, 5000, 10, 5000, 10, 5000, 10];
      const got = runSeries(e, xs).filter((x) => x.type === 'alert').map(windowOf);
      // Expected, worked out independently: an alert needs end - lastAlertEnd >= cooldown.
      const want: number[] = [];
      let last = -Infinity;
      xs.forEach((x, w) => {
        const end = (w + 1) * 60;
        if (x > 1000 && end - last >= 300) {
          want.push(w);
          last = end;
        }
      });
      want.should.eql([0, 6]);
      got.should.eql(want);
    });

    it('fires a sustained rise again after each cooldown, marked as a repeat', () => {
      const e = new AnomalyEngine({ ...base, cooldown: 180 });
      const alerts = runSeries(e, new Array(10).fill(5000)).filter((x) => x.type === 'alert');
      alerts.map(windowOf).should.eql([0, 3, 6, 9]);
      alerts.map((a) => a.payload.repeat).should.eql([false, true, true, true]);
    });

    it('suppresses alerts during warm-up', () => {
      const e = new AnomalyEngine({ ...base, warmup: 3, cooldown: 0 });
      runSeries(e, [5000, 5000, 5000, 5000, 10, 5000]).map(windowOf).should.eql([3, 5]);
    });

    it('counts only active windows toward warm-up', () => {
      // Windows 1-3 are idle for this key; warm-up of 2 ends after windows 0 and 4.
      const e = new AnomalyEngine({ ...base, warmup: 2, cooldown: 0 });
      const recs = [0, 4, 5].map((w) => flow(T0 + w * MIN, '10.0.0.1', 5000));
      [...e.ingest(recs).events, ...e.flush()].map(windowOf).should.eql([5]);
    });

    it('waits for `pending` consecutive windows', () => {
      const e = new AnomalyEngine({ ...base, pending: 3, cooldown: 0 });
      // Two high windows, a normal one (streak broken), then three high: fires on the third.
      runSeries(e, [5000, 5000, 10, 5000, 5000, 5000, 5000]).map(windowOf).should.eql([5, 6]);
    });

    it('sends a resolve when the key is back to normal, and only with resolve on', () => {
      const xs = [10, 10, 5000, 5000, 5000, 10, 10];
      const on = runSeries(new AnomalyEngine({ ...base, resolve: true, cooldown: 3600 }), xs);
      on.map((x) => [x.type, windowOf(x)]).should.eql([['alert', 2], ['resolve', 5]]);
      const r = on[1]!;
      r.payload.should.match({ resolved: true, since: T0 + 3 * MIN, value: 10, threshold: 1000 });
      r.topic.should.equal('10.0.0.1: sum:bytes back to normal, 10 B in 60 s (threshold 1 kB)');
      const off = runSeries(new AnomalyEngine({ ...base, resolve: false, cooldown: 3600 }), xs);
      off.map((x) => x.type).should.eql(['alert']);
    });

    it('resolves a key that goes silent once record time moves past its next window', () => {
      const e = new AnomalyEngine({ ...base, resolve: true });
      const ev = e.ingest([
        flow(T0 + 1000, '10.0.0.1', 5000),
        flow(T0 + 1000, '10.0.0.2', 1),
        flow(T0 + MIN + 1000, '10.0.0.2', 1),
        flow(T0 + 2 * MIN + 1000, '10.0.0.2', 1),
      ]).events;
      ev.map((x) => [x.type, x.payload.key, windowOf(x), x.payload.value, x.payload.records]).should.eql([
        ['alert', '10.0.0.1', 0, 5000, 1],
        ['resolve', '10.0.0.1', 1, 0, 0],
      ]);
    });

    it('uses a threshold as a floor for baseline rules', () => {
      // A flat series (std 0) then a small rise: above the band, but below the floor.
      const xs = [100, 100, 100, 100, 101, 100, 5000];
      const noFloor = runSeries(new AnomalyEngine({ ...base, rule: 'ewma', threshold: undefined, warmup: 3, cooldown: 0 }), xs);
      noFloor.map(windowOf).should.eql([4, 6]);
      const floor = runSeries(new AnomalyEngine({ ...base, rule: 'ewma', threshold: 1000, warmup: 3, cooldown: 0 }), xs);
      floor.map(windowOf).should.eql([6]);
    });
  });

  describe('record time', () => {
    it('puts out-of-order and newest-first records in their own windows', () => {
      // Sum per window, worked out from the data; threshold 0 and no cooldown report every window.
      const rnd = prng(7);
      const recs: NetworkFlow[] = [];
      for (let i = 0; i < 600; i++) recs.push(flow(T0 + Math.floor(rnd() * 10 * MIN), '10.0.0.1', 1 + Math.floor(rnd() * 100)));
      const want = new Map<number, number>();
      for (const r of recs) {
        const w = Math.floor((r.ts - T0) / MIN);
        want.set(w, (want.get(w) ?? 0) + r.bytes!);
      }
      const opts = { key: 'src.ip', metric: 'sum:bytes', window: 60, rule: 'threshold', threshold: 0, cooldown: 0, lateness: 120 };

      // 1. One batch, shuffled: processed in ts order.
      const shuffled = [...recs].sort(() => rnd() - 0.5);
      const a = new AnomalyEngine(opts);
      const evA = [...a.ingest(shuffled).events, ...a.flush()];
      new Map(evA.map((x) => [windowOf(x), x.payload.value])).should.eql(want);

      // 2. Record by record, each one displaced by less than the lateness (pages newest-first).
      const pages: NetworkFlow[][] = [];
      const sorted = [...recs].sort((x, y) => x.ts - y.ts);
      for (let i = 0; i < sorted.length; i += 50) pages.push(sorted.slice(i, i + 50).reverse());
      const b = new AnomalyEngine(opts);
      const evB: AnomalyEvent[] = [];
      for (const page of pages) for (const r of page) evB.push(...b.ingest(r).events);
      evB.push(...b.flush());
      new Map(evB.map((x) => [windowOf(x), x.payload.value])).should.eql(want);
      b.stats().late.should.equal(0);
      // Alerts come out in window order whatever the arrival order.
      evB.map(windowOf).should.eql([...want.keys()].sort((x, y) => x - y));
    });

    it('counts a record later than the allowance as late and leaves its window alone', () => {
      const e = new AnomalyEngine({ key: 'src.ip', metric: 'count', window: 60, rule: 'threshold', threshold: 0, cooldown: 0, lateness: 30 });
      e.ingest([flow(T0 + 10_000, 'a', 1), flow(T0 + MIN + 40_000, 'a', 1)]).events.map(windowOf).should.eql([0]);
      const r = e.ingest(flow(T0 + 20_000, 'a', 1)); // window 0 closed at 90 s
      r.late.should.equal(1);
      r.accepted.should.equal(0);
      const r2 = e.ingest(flow(T0 + MIN + 1, 'a', 1)); // window 1 still open (closes at 150 s)
      r2.accepted.should.equal(1);
      e.flush().map((x) => [windowOf(x), x.payload.value]).should.eql([[1, 2]]);
      e.stats().late.should.equal(1);
    });

    it('reports and skips bad records without dropping the batch', () => {
      const e = new AnomalyEngine({ key: 'src.ip', metric: 'sum:bytes', window: 60, rule: 'threshold', threshold: 0 }, { now: () => T0 });
      const r = e.ingest([
        flow(T0, 'a', 1),
        { src: { ip: 'b' }, bytes: 1 },
        flow(T0, 'c', Number.NaN),
        { ...flow(T0, 'd', 1), bytes: 'lots' },
        flow(T0 + 3 * 86400_000, 'e', 1),
        flow(T0, 'f', 1, { src: {} }),
        flow(T0 + 1, 'g', 2),
        'not a record',
      ]);
      r.accepted.should.equal(2);
      r.noKey.should.equal(1);
      r.invalid.should.equal(5);
      r.errors.map((x) => x.index).should.eql([1, 2, 3, 4, 7]);
      r.errors[0]!.message.should.match(/^ts: missing/);
      r.errors[4]!.message.should.match(/^record: expected an object/);
      r.errors[3]!.message.should.match(/in the future/);
      r.errors[2]!.message.should.match(/^bytes: "lots" is not a number/);
      e.size.should.equal(2);
    });
  });

  describe('pathological values are reported records, never exceptions', () => {
    const opts = { key: 'src.ip', metric: 'sum:bytes', window: 60, rule: 'threshold', threshold: 0 } as const;
    const nest = (levels: number, leaf: unknown): unknown => {
      let v = leaf;
      for (let i = 0; i < levels; i++) v = { v };
      return v;
    };

    /** Ingests `bad` between two good records; returns the one reason it got. */
    function reasonFor(bad: unknown, options: Record<string, unknown> = opts): string {
      const e = new AnomalyEngine(options, { now: () => T0 });
      const r = e.ingest([flow(T0, 'good1', 1), bad, flow(T0 + 1, 'good2', 1)]);
      r.accepted.should.equal(2);
      r.invalid.should.equal(1);
      r.errors.length.should.equal(1);
      r.errors[0]!.index.should.equal(1);
      return r.errors[0]!.message;
    }

    it('times out of range: nanoseconds, microseconds, negative, non-finite, huge text', () => {
      reasonFor(flow(T0 * 1e6, 'a', 1)).should.match(/^ts: \d{19} is out of range \(expected epoch ms from 1970 to 9999; it looks like micro- or nanoseconds\)$/);
      reasonFor(flow(T0 * 1e3, 'a', 1)).should.match(/^ts: .*(out of range|in the future)/);
      reasonFor(flow(-1, 'a', 1)).should.match(/^ts: -1 is out of range/);
      reasonFor(flow(Number.POSITIVE_INFINITY, 'a', 1)).should.match(/^ts: Infinity is out of range/);
      reasonFor(flow(Number.NaN, 'a', 1)).should.match(/^ts: NaN is not a time/);
      reasonFor({ ...flow(0, 'a', 1), ts: '1'.repeat(100_000) }).should.match(/^ts: text of 100000 characters is not a time/);
      reasonFor({ ...flow(0, 'a', 1), ts: '+275760-09-13T00:00:00.000Z' }).should.match(/^ts: .* out of range/);
    });

    it('counts every bad record but lists at most MAX_REPORTED of them', () => {
      const e = new AnomalyEngine(opts, { now: () => T0 });
      const r = e.ingest(Array.from({ length: 1000 }, (_, i) => flow(T0 * 1e6 + i, 'a', 1)));
      r.invalid.should.equal(1000);
      r.errors.length.should.equal(MAX_REPORTED);
      e.stats().invalid.should.equal(1000);
    });

    it('key values nested 5,000 levels deep, cyclic, huge or non-finite', () => {
      reasonFor(flow(T0, 'x', 1, { src: { ip: nest(5000, 'a') as string } })).should.match(/^src\.ip: nested deeper than 16 levels/);
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      reasonFor(flow(T0, 'x', 1, { src: { ip: cyclic as unknown as string } })).should.match(/^src\.ip: nested deeper than 16 levels \(or a cycle\)/);
      reasonFor(flow(T0, 'x'.repeat(1_000_000), 1)).should.match(/^src\.ip: text of 1000000 characters \(expected at most 256\)/);
      reasonFor(flow(T0, Number.NaN as unknown as string, 1)).should.match(/^src\.ip: NaN is not a finite number/);
      reasonFor(flow(T0, { list: Array.from({ length: 100_000 }, (_, i) => i) } as unknown as string, 1)).should.match(/^src\.ip: value longer than 256 characters as JSON/);
      // A small object is still a usable key.
      const e = new AnomalyEngine(opts, { now: () => T0 });
      e.ingest(flow(T0, { site: 'a', vlan: 2 } as unknown as string, 1)).accepted.should.equal(1);
      e.exportState().keys[0]!.id.should.equal('{"site":"a","vlan":2}');
    });

    it('metric values: huge, non-finite, long text; distinct values nested or huge', () => {
      reasonFor(flow(T0, 'a', 1e308)).should.match(/^bytes: 1e\+308 is out of range/);
      reasonFor(flow(T0, 'a', Number.NEGATIVE_INFINITY)).should.match(/^bytes: -Infinity is not a number/);
      reasonFor({ ...flow(T0, 'a', 1), bytes: '9'.repeat(50_000) }).should.match(/^bytes: text of 50000 characters is not a number/);
      const distinct = { key: 'src.ip', metric: 'distinct:dst.ip', window: 60, rule: 'threshold', threshold: 0 };
      reasonFor(flow(T0, 'a', 1, { dst: { ip: nest(5000, 1) as string } }), distinct).should.match(/^dst\.ip: nested deeper than 16 levels/);
      reasonFor(flow(T0, 'a', 1, { dst: { ip: 'y'.repeat(2_000_000) } }), distinct).should.match(/^dst\.ip: text of 2000000 characters/);
    });
  });

  describe('baselines follow their textbook definitions', () => {
    /** Noisy series around 1000 with spikes at the given windows. */
    function series(n: number, spikes: number[], seed: number): number[] {
      const rnd = prng(seed);
      return Array.from({ length: n }, (_, i) => (spikes.includes(i) ? 20_000 : 1000 + Math.round((rnd() - 0.5) * 200)));
    }

    it('EWMA: mean and variance match the closed form, window by window', () => {
      const alpha = 0.2;
      const xs = series(40, [], 1);
      const e = new AnomalyEngine({ key: 'src.ip', metric: 'sum:bytes', window: 60, rule: 'ewma', alpha, band: 100, warmup: 0, lateness: 0 });
      for (let w = 0; w < xs.length; w++) {
        e.ingest(flow(T0 + w * MIN, 'h', xs[w]!));
        e.ingest(flow(T0 + (w + 1) * MIN, 'other', 0)); // closes window w
        const s = e.exportState().keys.find((k) => k.id === 'h')!;
        // Closed form of the EW mean with the first value as the start:
        // m_n = (1-a)^n x_0 + sum_{i=1..n} a (1-a)^(n-i) x_i.
        let m = (1 - alpha) ** w * xs[0]!;
        for (let i = 1; i <= w; i++) m += alpha * (1 - alpha) ** (w - i) * xs[i]!;
        // EW variance by its standard recurrence: v_n = (1-a) (v_{n-1} + a (x_n - m_{n-1})^2).
        let mm = xs[0]!;
        let v = 0;
        for (let i = 1; i <= w; i++) {
          v = (1 - alpha) * (v + alpha * (xs[i]! - mm) ** 2);
          mm = alpha * xs[i]! + (1 - alpha) * mm;
        }
        s.mean.should.be.approximately(m, 1e-9 * m);
        s.variance.should.be.approximately(v, 1e-9 * Math.max(1, v));
        s.n.should.equal(w + 1);
      }
    });

    it('EWMA: alerts exactly where x > mean + k*std of the previous windows, with that band in the payload', () => {
      const alpha = 0.1;
      const k = 3;
      const warmup = 8;
      const xs = series(60, [20, 21, 40], 2);
      const e = new AnomalyEngine({ key: 'src.ip', metric: 'sum:bytes', window: 60, rule: 'ewma', alpha, band: k, warmup, cooldown: 0, lateness: 0 });
      const got = runSeries(e, xs);
      // Independent model of the documented rule, including winsorising outliers.
      const want: { w: number; mean: number; std: number }[] = [];
      let mean = 0;
      let v = 0;
      xs.forEach((x, w) => {
        let learn = x;
        if (w > 0) {
          const std = Math.sqrt(v);
          const upper = mean + k * std;
          if (w >= warmup && x > upper) {
            want.push({ w, mean, std });
            learn = upper;
          }
          v = (1 - alpha) * (v + alpha * (learn - mean) ** 2);
          mean = alpha * learn + (1 - alpha) * mean;
        } else {
          mean = x;
        }
      });
      want.map((x) => x.w).should.eql([20, 21, 40]);
      got.map(windowOf).should.eql(want.map((x) => x.w));
      got.forEach((a, i) => {
        // The payload's band is for people: rounded to 2 decimals, the lower bound never below 0.
        const b = a.payload.baseline!;
        const near = 0.005 + 1e-9;
        b.mean.should.be.approximately(want[i]!.mean, near);
        b.std.should.be.approximately(want[i]!.std, near);
        b.upper.should.be.approximately(want[i]!.mean + k * want[i]!.std, near);
        b.lower.should.be.approximately(Math.max(0, want[i]!.mean - k * want[i]!.std), near);
        b.score!.should.be.approximately((xs[windowOf(a)]! - want[i]!.mean) / want[i]!.std, near);
        for (const n of [b.mean, b.std, b.upper, b.lower, b.score!]) Math.abs(n * 100 - Math.round(n * 100)).should.be.below(1e-6);
      });
      got[0]!.topic.should.match(/^10\.0\.0\.1: sum:bytes 20 kB in 60 s above baseline 1(\.\d+)? kB ± [\d.]+ B$/);
    });

    it('an alert\'s band never has a lower bound below 0, and its numbers are rounded', () => {
      // Bursty traffic: mean 1/3 of the peak, standard deviation larger than the mean.
      const xs = Array.from({ length: 30 }, (_, w) => (w === 25 ? 100_000 : w % 3 === 0 ? 1000 : 1));
      const e = new AnomalyEngine({ key: 'src.ip', metric: 'sum:bytes', window: 60, rule: 'zscore', history: 12, band: 3, warmup: 5, cooldown: 0, lateness: 0 });
      const got = runSeries(e, xs);
      got.length.should.be.above(0);
      for (const a of got) {
        const b = a.payload.baseline!;
        (b.mean - 3 * b.std).should.be.below(0);
        b.lower.should.equal(0);
        for (const n of [b.mean, b.std, b.upper]) Math.abs(n * 100 - Math.round(n * 100)).should.be.below(1e-6);
      }
    });

    it('z-score: mean and sample standard deviation of the previous N windows', () => {
      const history = 12;
      const k = 2.5;
      const warmup = 5;
      const xs = series(80, [15, 50, 51, 52], 3);
      const e = new AnomalyEngine({ key: 'src.ip', metric: 'sum:bytes', window: 60, rule: 'zscore', history, band: k, warmup, cooldown: 0, lateness: 0 });
      const got = runSeries(e, xs);
      const hist: number[] = [];
      const want: { w: number; mean: number; std: number }[] = [];
      xs.forEach((x, w) => {
        const ref = hist.slice(-history);
        let learn = x;
        if (ref.length >= 2) {
          const mean = ref.reduce((a, b) => a + b, 0) / ref.length;
          const std = Math.sqrt(ref.reduce((a, b) => a + (b - mean) ** 2, 0) / (ref.length - 1));
          if (w >= warmup && (x - mean) / std > k) {
            want.push({ w, mean, std });
            learn = mean + k * std;
          }
        }
        hist.push(learn);
      });
      want.length.should.be.above(2);
      got.map(windowOf).should.eql(want.map((x) => x.w));
      got.forEach((a, i) => {
        a.payload.rule.should.equal('zscore');
        a.payload.baseline!.mean.should.be.approximately(want[i]!.mean, 0.005 + 1e-9);
        a.payload.baseline!.std.should.be.approximately(want[i]!.std, 0.005 + 1e-9);
        a.payload.baseline!.lower.should.be.aboveOrEqual(0);
      });
    });

    it('a single spike barely moves the baseline (no poisoning)', () => {
      const xs = [...series(30, [], 4), 1e9, ...series(5, [], 5)];
      const e = new AnomalyEngine({ key: 'src.ip', metric: 'sum:bytes', window: 60, rule: 'ewma', warmup: 10, cooldown: 0, lateness: 0 });
      const got = runSeries(e, xs);
      got.map(windowOf).should.eql([30]);
      e.exportState().keys[0]!.mean.should.be.below(1200);
    });
  });

  describe('metrics and windows', () => {
    it('sliding windows: every hop, the last `window` seconds', () => {
      const rnd = prng(11);
      const recs: NetworkFlow[] = [];
      for (let i = 0; i < 300; i++) recs.push(flow(T0 + Math.floor(rnd() * 5 * MIN), 'h', Math.floor(rnd() * 1000)));
      // Window 60 s, 3 hops: evaluated at every 20 s boundary over the preceding 60 s.
      const e = new AnomalyEngine({ key: 'src.ip', metric: 'rate:bytes', window: 60, windowType: 'sliding', hops: 3, rule: 'threshold', threshold: 0, cooldown: 0, lateness: 0 });
      const ev = [...e.ingest(recs).events, ...e.flush()];
      const want: [number, number, number][] = [];
      for (let end = T0 + 20_000; end <= T0 + 5 * MIN + 40_000; end += 20_000) {
        const inWin = recs.filter((r) => r.ts >= end - MIN && r.ts < end);
        if (inWin.length > 0) want.push([end - MIN, end, inWin.reduce((a, r) => a + r.bytes!, 0) / 60]);
      }
      ev.map((x) => [x.payload.window.start, x.payload.window.end, x.payload.value]).should.eql(want);
      ev[0]!.payload.window.type.should.equal('sliding');
      ev[0]!.topic.should.match(/over the last 60 s/);
    });

    it('distinct: a port scan stands out, a busy client does not', () => {
      const e = new AnomalyEngine({ key: 'src.ip', metric: 'distinct:dst.port', window: 60, rule: 'threshold', threshold: 50 });
      const recs: NetworkFlow[] = [];
      for (let i = 0; i < 2000; i++) recs.push(flow(T0 + i * 10, '192.168.1.10', 100, { dst: { ip: '1.1.1.1', port: i % 2 ? 443 : 80 } }));
      for (let p = 1; p <= 1000; p++) recs.push(flow(T0 + 20_000 + p, '192.168.1.66', 40, { dst: { ip: '192.168.1.1', port: p } }));
      for (let p = 1; p <= 1000; p++) recs.push(flow(T0 + 30_000 + p, '192.168.1.66', 40, { dst: { ip: '192.168.1.1', port: p } })); // repeats
      const ev = [...e.ingest(recs).events, ...e.flush()];
      ev.length.should.equal(1);
      ev[0]!.payload.should.match({ key: '192.168.1.66', records: 2000 });
      // Past 128 values a pane counts with the sketch: within its stated error.
      ev[0]!.payload.value.should.be.approximately(1000, 1000 * 3 * HLL_STD_ERROR);
      ev[0]!.topic.should.match(/^192\.168\.1\.66: distinct:dst\.port (9\d\d|1k|1\.0\dk) in 60 s above threshold 50$/);
      ev[0]!.payload.sample.map((r) => (r as NetworkFlow).dst.port).should.eql([1, 2, 3]);
    });

    it('sum samples are the largest contributors; keys may combine paths', () => {
      const e = new AnomalyEngine({ key: 'src.ip,dst.port', metric: 'sum:bytesOut', window: 60, rule: 'threshold', threshold: 100, sampleSize: 2 });
      const recs = [5, 500, 7, 300, 9].map((b, i) => flow(T0 + i, '10.1.1.1', 0, { bytesOut: b, dst: { port: 22 } }));
      const ev = [...e.ingest(recs).events, ...e.flush()];
      ev.length.should.equal(1);
      ev[0]!.payload.key.should.equal('10.1.1.1 / 22');
      ev[0]!.payload.keyFields.should.eql({ 'src.ip': '10.1.1.1', 'dst.port': 22 });
      ev[0]!.payload.sample.map((r) => (r as NetworkFlow).bytesOut).sort().should.eql([300, 500]);
    });

    it('formats values for people', () => {
      const m = parseMetric('sum:bytesOut');
      formatValue(m, 1.2e9).should.equal('1.2 GB');
      formatValue(m, 110e6).should.equal('110 MB');
      formatValue(m, 999).should.equal('999 B');
      formatValue(parseMetric('rate:bytes'), 4.1e6).should.equal('4.1 MB/s');
      formatValue(parseMetric('count'), 12345).should.equal('12.3k');
      formatValue(parseMetric('sum:packets'), 0.5).should.equal('0.5');
    });
  });

  describe('memory and persistence', () => {
    // The million-key version runs in `npm run bench` (bench/anomaly.ts), with its heap.
    it('holds at most maxKeys keys under a scan of 20,000 distinct keys, counting evictions', () => {
      const maxKeys = 500;
      const e = new AnomalyEngine({ key: 'src.ip', metric: 'count', window: 60, rule: 'ewma', maxKeys });
      const N = 20_000;
      const batch: NetworkFlow[] = [];
      let maxSize = 0;
      let maxPanes = 0;
      for (let i = 0; i < N; i++) {
        // 10.x.y.z addresses, one record each, 1,000 records a second.
        batch.push(flow(T0 + i, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 1));
        if (batch.length === 1000) {
          e.ingest(batch);
          batch.length = 0;
          maxSize = Math.max(maxSize, e.size);
          maxPanes = Math.max(maxPanes, e.structureSizes().panes);
        }
      }
      maxSize.should.equal(maxKeys);
      e.size.should.equal(maxKeys);
      e.stats().evictions.should.equal(N - maxKeys);
      e.stats().activeKeys.should.be.belowOrEqual(maxKeys);
      // What is held is bounded by the keys held, not by the keys seen.
      maxPanes.should.be.belowOrEqual(maxKeys * panesPerKey(e.options));
      e.structureSizes().samples.should.be.belowOrEqual(maxKeys * panesPerKey(e.options) * e.options.sampleSize);
    });

    it('evicts the least recently seen key', () => {
      const e = new AnomalyEngine({ key: 'src.ip', metric: 'count', window: 60, rule: 'ewma', maxKeys: 2 });
      e.ingest([flow(T0, 'a', 1), flow(T0 + 1, 'b', 1), flow(T0 + 2, 'a', 1), flow(T0 + 3, 'c', 1)]);
      e.exportState().keys.map((k) => k.id).should.eql(['a', 'c']);
      e.stats().evictions.should.equal(1);
    });

    it('exports and imports its state as plain JSON, continuing as if never stopped', () => {
      const opts = { key: 'src.ip', metric: 'sum:bytes', window: 60, rule: 'zscore', warmup: 5, cooldown: 120, resolve: true, history: 10 } as const;
      const xs = series2();
      const recs: NetworkFlow[] = [];
      xs.forEach((x, w) => {
        recs.push(flow(T0 + w * MIN + 1000, 'a', x));
        recs.push(flow(T0 + w * MIN + 2000, 'b', 1000 + (w % 5)));
      });
      const whole = new AnomalyEngine(opts);
      const evWhole = [...whole.ingest(recs).events, ...whole.flush()];

      const first = new AnomalyEngine(opts);
      const ev1 = first.ingest(recs.slice(0, 47)).events;
      const json = JSON.stringify(first.exportState());
      const second = new AnomalyEngine(opts);
      second.importState(JSON.parse(json)).should.be.true();
      const ev2 = [...second.ingest(recs.slice(47)).events, ...second.flush()];
      evWhole.filter((x) => x.type === 'alert').length.should.be.above(0);
      evWhole.filter((x) => x.type === 'resolve').length.should.be.above(0);
      [...ev1, ...ev2].should.eql(evWhole);
      second.stats().should.eql(whole.stats());

      // A state made for another metric means nothing here: refused, nothing changed.
      const other = new AnomalyEngine({ ...opts, metric: 'count' });
      other.importState(JSON.parse(json)).should.be.false();
      other.size.should.equal(0);
      (() => other.importState({ format: 'something else' })).should.throw(BadInputError);
    });
  });
});

/** Steady, a rise, a drop: alerts and resolves for the export/import test. */
function series2(): number[] {
  const out: number[] = [];
  for (let w = 0; w < 40; w++) out.push(w === 20 || w === 21 ? 50_000 : 1000 + ((w * 37) % 11) * 10);
  return out;
}
