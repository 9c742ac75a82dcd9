import 'should';
import {
  AggregateEngine, calendarBounds, parseOptions, toChart, toRows, toTimeseries, toGroupRecords, type WindowResult,
} from '../../../nodes/lib/aggregate';
import { BadInputError } from '../../../nodes/lib/errors';
import type { NetworkFlow } from '../../../nodes/lib/network-flow';

const MIN = 60_000;
const HOUR = 3_600_000;
/** An hour boundary, so fixed windows line up with whole hours. */
const T0 = Date.UTC(2024, 5, 3, 10);
/** Every record in these tests is in the past of this pinned clock. */
const clock = { now: () => Date.UTC(2030, 0, 1) };

function flow(ts: number, ip: string, bytes: number, more: Partial<NetworkFlow> = {}): NetworkFlow {
  return {
    kind: 'flow', vendor: 'firewalla', endpoint: 'flows', ts, src: { ip }, dst: { ip: '93.184.216.34', port: 443 },
    direction: 'outbound', bytes, ...more,
  };
}

function engine(opts: Record<string, unknown>): AggregateEngine {
  return new AggregateEngine({ dedup: false, ...opts }, clock);
}

function byLabel(w: WindowResult): Record<string, Record<string, number>> {
  return Object.fromEntries(w.groups.map((g) => [g.label, g.values]));
}

describe('aggregate engine', () => {
  describe('totals', () => {
    it('sums bytes, in/out, packets and counts flows per group, with exact window totals', () => {
      const e = engine({ groupBy: 'src.ip', metrics: 'sum:bytes,sum:bytesIn,sum:bytesOut,sum:packets,count', window: 3600 });
      const recs: NetworkFlow[] = [];
      // 10.0.0.1: 3 flows of 100 B; 10.0.0.2: 2 flows of 250 B; 10.0.0.3: 1 flow of 7 B.
      for (let i = 0; i < 3; i++) recs.push(flow(T0 + i * MIN, '10.0.0.1', 100, { bytesIn: 60, bytesOut: 40, packets: 2 }));
      for (let i = 0; i < 2; i++) recs.push(flow(T0 + i * MIN, '10.0.0.2', 250, { bytesIn: 200, bytesOut: 50, packets: 5 }));
      recs.push(flow(T0 + 59 * MIN, '10.0.0.3', 7, { packets: 1 }));
      e.ingest(recs).windows.should.be.empty();
      const [w] = e.flush();
      w!.start.should.equal(T0);
      w!.end.should.equal(T0 + HOUR);
      w!.records.should.equal(6);
      byLabel(w!).should.eql({
        '10.0.0.2': { bytes: 500, bytesIn: 400, bytesOut: 100, packets: 10, flows: 2 },
        '10.0.0.1': { bytes: 300, bytesIn: 180, bytesOut: 120, packets: 6, flows: 3 },
        '10.0.0.3': { bytes: 7, bytesIn: 0, bytesOut: 0, packets: 1, flows: 1 },
      });
      w!.groups.map((g) => g.label).should.eql(['10.0.0.2', '10.0.0.1', '10.0.0.3']);
      w!.totals.should.eql({ bytes: 807, bytesIn: 580, bytesOut: 220, packets: 17, flows: 6 });
    });

    it('closes a window when record time passes its end plus the lateness, and reports late records', () => {
      const e = engine({ groupBy: 'src.ip', metrics: 'sum:bytes', window: 60, lateness: 30 });
      e.ingest([flow(T0 + 1000, 'a', 1), flow(T0 + 59_000, 'a', 2)]).windows.should.be.empty();
      e.ingest([flow(T0 + 89_000, 'a', 4)]).windows.should.be.empty(); // watermark T0+59s
      const r = e.ingest([flow(T0 + 90_000, 'b', 8)]); // watermark T0+60s: window 1 closes
      r.windows.should.have.length(1);
      byLabel(r.windows[0]!).should.eql({ a: { bytes: 3 } });
      const late = e.ingest([flow(T0 + 30_000, 'a', 100)]);
      late.late.should.equal(1);
      late.accepted.should.equal(0);
      e.stats().late.should.equal(1);
      byLabel(e.flush()[0]!).should.eql({ b: { bytes: 8 }, a: { bytes: 4 } });
    });

    it('takes a newest-first batch in record-time order (nothing is late to its own batch)', () => {
      const e = engine({ groupBy: 'src.ip', metrics: 'count', window: 60, lateness: 0 });
      const recs = [0, 1, 2, 3, 4].map((i) => flow(T0 + i * MIN + 5, 'x', 1)).reverse();
      const r = e.ingest(recs);
      r.late.should.equal(0);
      r.windows.map((w) => w.start).should.eql([T0, T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN]);
      r.windows.map((w) => w.totals.flows).should.eql([1, 1, 1, 1]);
    });

    it('computes rates per second of the window', () => {
      const e = engine({ groupBy: 'src.ip', metrics: 'rate:bytes,sum:bytes', window: 60 });
      e.ingest([flow(T0, 'a', 600), flow(T0 + 10_000, 'a', 600)]);
      const [w] = e.flush();
      w!.groups[0]!.values.should.eql({ bytesPerSecond: 20, bytes: 1200 });
      w!.seconds.should.equal(60);
    });

    it('groups by several paths with a label per group, and labels from another path', () => {
      const e = engine({ groupBy: 'device.name,dst.port', metrics: 'sum:bytes', window: 60 });
      e.ingest([
        flow(T0, '10.0.0.1', 5, { device: { name: 'tv' } }),
        flow(T0, '10.0.0.1', 6, { device: { name: 'tv' } }),
        flow(T0, '10.0.0.2', 7, { device: { name: 'laptop' }, dst: { ip: '1.1.1.1', port: 53 } }),
        flow(T0, '10.0.0.9', 1),
      ]);
      const [w] = e.flush();
      byLabel(w!).should.eql({ 'tv / 443': { bytes: 11 }, 'laptop / 53': { bytes: 7 }, '(none) / 443': { bytes: 1 } });
      w!.groups[0]!.fields.should.eql({ 'device.name': 'tv', 'dst.port': 443 });
      const l = engine({ groupBy: 'src.ip', labelPath: 'device.name', metrics: 'count', window: 60 });
      l.ingest([flow(T0, '10.0.0.1', 1, { device: { name: 'tv' } }), flow(T0, '10.0.0.2', 1)]);
      l.flush()[0]!.groups.map((g) => g.label).sort().should.eql(['10.0.0.2', 'tv']);
    });

    it('counts distinct values exactly when few, and within a few percent with the sketch', () => {
      const e = engine({ groupBy: 'src.ip', metrics: 'distinct:dst.ip,count', window: 3600 });
      const recs: NetworkFlow[] = [];
      for (let i = 0; i < 30; i++) recs.push(flow(T0 + i, 'small', 1, { dst: { ip: `1.1.1.${i % 10}` } }));
      for (let i = 0; i < 20_000; i++) recs.push(flow(T0 + i, 'big', 1, { dst: { ip: `2.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` } }));
      e.ingest(recs);
      const [w] = e.flush();
      const v = byLabel(w!);
      v.small!.distinctDstIp!.should.equal(10);
      v.big!.distinctDstIp!.should.be.within(20_000 * 0.92, 20_000 * 1.08);
      w!.totals.distinctDstIp!.should.be.within(20_010 * 0.97, 20_010 * 1.03);
    });

    it('reports a bad record in the result and keeps the rest of the batch', () => {
      const e = engine({ groupBy: 'src.ip', metrics: 'sum:bytes', window: 60 });
      const r = e.ingest([flow(T0, 'a', 1), { ...flow(T0, 'a', 1), bytes: 'lots' }, 42, { ...flow(T0, 'a', 1), ts: 'x' }, flow(T0, 'a', 2)]);
      r.accepted.should.equal(2);
      r.invalid.should.equal(3);
      r.errors.map((x) => x.index).should.eql([1, 2, 3]);
      r.errors[0]!.message.should.match(/^bytes: "lots" is not a number/);
      e.flush()[0]!.totals.bytes!.should.equal(3);
    });
  });

  describe('hostile input', () => {
    it('never serialises an object group value, and rejects non-finite numbers as bad records', () => {
      let deep: Record<string, unknown> = {};
      for (let i = 0; i < 100_000; i++) deep = { d: deep };
      const e = engine({ groupBy: 'src', metrics: 'sum:bytes,distinct:dst', window: 60 });
      const t = process.cpuUsage();
      const r = e.ingest([
        { ...flow(T0, 'a', 1), src: deep, dst: deep } as unknown as NetworkFlow,
        flow(T0, 'b', Infinity),
        { ...flow(T0, 'c', 1), bytes: '1e400' } as unknown as NetworkFlow,
        flow(T0, 'x'.repeat(100_000), 2),
      ]);
      const used = process.cpuUsage(t);
      (used.user + used.system).should.be.below(50_000 * 4); // generous: one call, not a sleep
      r.accepted.should.equal(2);
      r.invalid.should.equal(2);
      r.errors.map((x) => x.message).should.eql(['bytes: "Infinity" is not a number', 'bytes: "1e400" is not a number']);
      const [w] = e.flush();
      w!.groups.map((g) => [g.label, g.records]).should.eql([['(object)', 2]]);
      w!.totals.bytes!.should.equal(3);
    });
  });

  describe('top N and "other"', () => {
    // a=100, b=50, c=50 (tie with b), d=10, e=0
    function window(): WindowResult {
      const e = engine({ groupBy: 'src.ip', metrics: 'sum:bytes,count', window: 60 });
      e.ingest([flow(T0, 'c', 50), flow(T0, 'a', 60), flow(T0, 'b', 50), flow(T0, 'a', 40), flow(T0, 'd', 10), flow(T0, 'e', 0)]);
      return e.flush()[0]!;
    }

    it('ranks by the metric, ties by label, and puts the rest in "other" so shares add up to 100', () => {
      const w = window();
      const rows = toRows(w, ['src.ip'], 2);
      rows.map((r) => [r.label, r.bytes, r.flows]).should.eql([['a', 100, 2], ['b', 50, 1], ['other', 60, 3]]);
      rows.map((r) => r.share).should.eql([(100 / 210) * 100, (50 / 210) * 100, (60 / 210) * 100]);
      rows.reduce((s, r) => s + r.share!, 0).should.be.approximately(100, 1e-9);
      rows[0]!.src_ip!.should.equal('a');
      (rows[2]!.src_ip === null).should.be.true();
    });

    it('with N at least the number of groups, has no "other"; with 0 lists all', () => {
      toRows(window(), ['src.ip'], 5).map((r) => r.label).should.eql(['a', 'b', 'c', 'd', 'e']);
      toRows(window(), ['src.ip'], 0).should.have.length(5);
    });

    it('sorts by another metric when asked', () => {
      const e = engine({ groupBy: 'src.ip', metrics: 'sum:bytes,count', sortBy: 'flows', window: 60 });
      e.ingest([flow(T0, 'big', 1000), flow(T0, 'chatty', 1), flow(T0, 'chatty', 1), flow(T0, 'chatty', 1)]);
      toRows(e.flush()[0]!, ['src.ip'], 1).map((r) => [r.label, r.flows, r.share]).should.eql([['chatty', 3, 75], ['other', 1, 25]]);
    });

    it('gives chart points for bars and pies, time points for lines, and flat group records', () => {
      const w = window();
      toChart(w, 2).should.eql([{ series: 'bytes', x: 'a', y: 100 }, { series: 'bytes', x: 'b', y: 50 }, { series: 'bytes', x: 'other', y: 60 }]);
      toTimeseries(w, 1).should.eql([{ series: 'a', x: T0, y: 100 }, { series: 'other', x: T0, y: 110 }]);
      const recs = toGroupRecords(w, ['src.ip'], 0);
      recs[0]!.should.eql({ windowStart: new Date(T0).toISOString(), windowEnd: new Date(T0 + MIN).toISOString(), label: 'a', records: 2, src_ip: 'a', bytes: 100, flows: 2, share: (100 / 210) * 100 });
    });
  });

  describe('calendar windows in a time zone', () => {
    it('cuts months at local midnight in Europe/Berlin, across the change to summer time', () => {
      const e = engine({ groupBy: 'src.ip', metrics: 'sum:bytes', window: 'month', timeZone: 'Europe/Berlin', lateness: 0 });
      const r = e.ingest([
        flow(Date.UTC(2024, 1, 29, 22, 59, 59, 999), 'a', 1), // Feb 29 23:59:59.999 CET: February
        flow(Date.UTC(2024, 1, 29, 23, 0, 0), 'a', 10), // Mar 1 00:00 CET: March
        flow(Date.UTC(2024, 2, 31, 21, 59, 59, 999), 'a', 100), // Mar 31 23:59:59.999 CEST: March
        flow(Date.UTC(2024, 2, 31, 22, 0, 0), 'a', 1000), // Apr 1 00:00 CEST: April
      ]);
      r.windows.map((w) => [w.label, w.start, w.end, w.totals.bytes]).should.eql([
        ['2024-02', Date.UTC(2024, 0, 31, 23), Date.UTC(2024, 1, 29, 23), 1],
        ['2024-03', Date.UTC(2024, 1, 29, 23), Date.UTC(2024, 2, 31, 22), 110],
      ]);
      // March in Berlin has 31 days less the hour summer time takes away.
      r.windows[1]!.seconds.should.equal(31 * 86400 - 3600);
      const [april] = e.flush();
      [april!.label, april!.start, april!.end, april!.totals.bytes].should.eql(['2024-04', Date.UTC(2024, 2, 31, 22), Date.UTC(2024, 3, 30, 22), 1000]);
    });

    it('cuts months in America/New_York across the change back to standard time', () => {
      calendarBounds(Date.UTC(2024, 10, 15), 'month', 'America/New_York').should.eql([Date.UTC(2024, 10, 1, 4), Date.UTC(2024, 11, 1, 5)]);
      calendarBounds(Date.UTC(2024, 11, 1, 4, 59), 'month', 'America/New_York')[0].should.equal(Date.UTC(2024, 10, 1, 4));
    });

    it('has 23- and 25-hour days where summer time starts and ends', () => {
      const [s1, e1] = calendarBounds(Date.UTC(2024, 2, 31, 12), 'day', 'Europe/Berlin');
      [s1, e1].should.eql([Date.UTC(2024, 2, 30, 23), Date.UTC(2024, 2, 31, 22)]);
      const [s2, e2] = calendarBounds(Date.UTC(2024, 9, 27, 12), 'day', 'Europe/Berlin');
      (e2 - s2).should.equal(25 * HOUR);
    });

    it('starts a day at the first local time when the zone skips midnight', () => {
      // America/Santiago moved clocks from 00:00 to 01:00 on 2024-09-08 (UTC-4 to UTC-3).
      const [start] = calendarBounds(Date.UTC(2024, 8, 8, 15), 'day', 'America/Santiago');
      start.should.equal(Date.UTC(2024, 8, 8, 4));
    });
  });

  describe('duplicates from overlapping polls', () => {
    function conn(i: number, bytes: number): NetworkFlow {
      return flow(T0 + i * 1000, `10.0.0.${i % 3}`, bytes, {
        start: T0 + i * 1000 - 500, protocol: { number: 6, name: 'tcp' },
        src: { ip: `10.0.0.${i % 3}`, port: 40000 + i }, dst: { ip: '93.184.216.34', port: 443 },
      });
    }

    it('counts a record that two polls return once (Community ID + start time)', () => {
      const e = engine({ groupBy: 'src.ip', metrics: 'sum:bytes,count', window: 3600, dedup: true });
      const all = Array.from({ length: 20 }, (_, i) => conn(i, 10 + i));
      const r1 = e.ingest(all.slice(0, 12).reverse());
      const r2 = e.ingest(all.slice(8).map((r) => structuredClone(r)).reverse()); // overlaps by 4
      r1.duplicates.should.equal(0);
      r2.duplicates.should.equal(4);
      const [w] = e.flush();
      w!.totals.should.eql({ bytes: all.reduce((s, r) => s + r.bytes!, 0), flows: 20 });
      e.stats().duplicates.should.equal(4);
    });

    it('uses the vendor record id when there is one, and counts repeats of the same tuple at another start', () => {
      const e = engine({ groupBy: 'src.ip', metrics: 'count', window: 3600, dedup: true });
      const withId = (id: string, ts: number): NetworkFlow => ({ ...flow(ts, 'a', 1), id } as NetworkFlow);
      e.ingest([withId('r1', T0), withId('r2', T0), withId('r1', T0 + 5)]).duplicates.should.equal(1);
      e.ingest([conn(1, 1), { ...conn(1, 1), start: T0 + 99_000 }]).duplicates.should.equal(0);
      e.flush()[0]!.totals.flows!.should.equal(4);
    });

    it('counts repeats when dedup is off', () => {
      const e = engine({ groupBy: 'src.ip', metrics: 'count', window: 3600, dedup: false });
      e.ingest([conn(1, 1), conn(1, 1)]);
      e.flush()[0]!.totals.flows!.should.equal(2);
    });
  });

  describe('bounded memory', () => {
    it('folds the smallest groups into "other" beyond the cap, keeps totals exact and counts the folds', () => {
      const e = engine({ groupBy: 'src.ip', metrics: 'sum:bytes,count', window: 60, maxGroups: 10 });
      // 20 groups; group i sends i+1 bytes, once. The 10 largest come last.
      e.ingest(Array.from({ length: 20 }, (_, i) => flow(T0 + i, `g${String(i).padStart(2, '0')}`, i + 1)));
      const [w] = e.flush();
      w!.groups.length.should.be.belowOrEqual(10);
      w!.foldedGroups.should.equal(10);
      e.stats().folded.should.equal(10);
      w!.groups.map((g) => g.label).should.eql(['g19', 'g18', 'g17', 'g16', 'g15', 'g14', 'g13', 'g12', 'g11', 'g10']);
      w!.folded!.values.bytes!.should.equal(55); // 1 + ... + 10
      w!.totals.bytes!.should.equal(210);
      const rows = toRows(w!, ['src.ip'], 3);
      rows.reduce((s, r) => s + (r.bytes as number), 0).should.equal(210);
      rows.reduce((s, r) => s + r.share!, 0).should.be.approximately(100, 1e-9);
    });

    it('never holds more groups than the cap however many arrive', () => {
      const e = engine({ groupBy: 'src.ip', metrics: 'sum:bytes', window: 3600, maxGroups: 100 });
      let max = 0;
      for (let b = 0; b < 50; b++) {
        e.ingest(Array.from({ length: 200 }, (_, i) => flow(T0 + b * 1000 + i, `10.${b}.${i}.1`, 5)));
        max = Math.max(max, e.stats().groups);
      }
      max.should.be.belowOrEqual(100);
      const [w] = e.flush();
      w!.totals.bytes!.should.equal(50 * 200 * 5);
      // The top 10 (topN's default) are listed, every other record is in "other".
      w!.groups.should.have.length(10);
      w!.groupCount.should.be.belowOrEqual(100);
      (w!.groups.reduce((s, g) => s + g.values.bytes!, 0) + w!.other!.values.bytes!).should.equal(50 * 200 * 5);
      (w!.groups.reduce((s, g) => s + g.records, 0) + w!.other!.records).should.equal(50 * 200);
    });
  });

  describe('per-message windows', () => {
    it('aggregates each batch on its own, with rates over the batch span', () => {
      const e = engine({ groupBy: 'app', metrics: 'sum:bytes,rate:bytes', window: 'message' });
      const r1 = e.ingest([flow(T0, 'a', 100, { app: 'Netflix' }), flow(T0 + 10_000, 'b', 300, { app: 'Netflix' }), flow(T0 + 5000, 'c', 50, { app: 'Zoom' })]);
      r1.windows.should.have.length(1);
      const w1 = r1.windows[0]!;
      [w1.start, w1.end, w1.seconds].should.eql([T0, T0 + 10_001, 10]);
      byLabel(w1).should.eql({ Netflix: { bytes: 400, bytesPerSecond: 40 }, Zoom: { bytes: 50, bytesPerSecond: 5 } });
      const r2 = e.ingest([flow(T0 - HOUR, 'a', 7, { app: 'Zoom' })]);
      byLabel(r2.windows[0]!).should.eql({ Zoom: { bytes: 7, bytesPerSecond: 7 } });
      e.ingest([]).windows.should.be.empty();
      e.flush().should.be.empty();
    });
  });

  describe('wall-clock close and persistence', () => {
    it('closes windows a wall clock considers over (advanceTo) without any new record', () => {
      const e = engine({ groupBy: 'src.ip', metrics: 'count', window: 60, lateness: 10 });
      e.ingest([flow(T0 + 1000, 'a', 1)]);
      e.advanceTo(T0 + 69_999).should.be.empty();
      e.advanceTo(T0 + 70_000).map((w) => w.totals.flows).should.eql([1]);
      e.ingest([flow(T0 + 2000, 'a', 1)]).late.should.equal(1);
    });

    it('gives the same result after a save and restore as without one', () => {
      const opts = { groupBy: 'src.ip', metrics: 'sum:bytes,distinct:dst.port,count', window: 'day', timeZone: 'Asia/Kolkata', dedup: true, maxGroups: 5 };
      const recs = Array.from({ length: 200 }, (_, i) => flow(T0 + i * MIN, `10.0.0.${i % 8}`, i, { id: `r${i}`, dst: { ip: '1.1.1.1', port: 1000 + (i % 90) } } as Partial<NetworkFlow>));
      const straight = engine(opts);
      straight.ingest(recs.slice(0, 120));
      straight.ingest(recs.slice(100));
      const a = straight.flush();
      const first = engine(opts);
      first.ingest(recs.slice(0, 120));
      const saved = JSON.parse(JSON.stringify(first.exportState())) as unknown;
      const second = engine(opts);
      second.importState(saved).should.be.true();
      const r = second.ingest(recs.slice(100));
      r.duplicates.should.equal(20);
      second.flush().should.eql(a);
      engine({ ...opts, groupBy: 'dst.ip' }).importState(saved).should.be.false();
      (() => engine(opts).importState({ format: 'nope' })).should.throw(BadInputError);
    });
  });

  describe('options', () => {
    it('names the field and what was expected', () => {
      const bad: Array<[Record<string, unknown>, string, RegExp]> = [
        [{ groupBy: '' }, 'groupBy', /record paths/],
        [{ groupBy: 'src..ip' }, 'groupBy', /not a record path/],
        [{ metrics: 'avg:bytes' }, 'metrics', /expected count, sum:<path>/],
        [{ metrics: 'sum:bytes,sum:bytes' }, 'metrics', /two metrics are named "bytes"/],
        [{ window: '7' }, 'window', /seconds from 60 to 86400/],
        [{ window: '7000' }, 'window', /divide a day/],
        [{ timeZone: 'Mars/Olympus' }, 'timeZone', /not an IANA time zone/],
        [{ topN: '-1' }, 'topN', /out of range/],
        [{ sortBy: 'packets' }, 'sortBy', /expected one of bytes/],
        [{ maxGroups: '0' }, 'maxGroups', /out of range/],
        [{ dedup: 'maybe' }, 'dedup', /not a boolean/],
      ];
      for (const [input, field, re] of bad) {
        try {
          parseOptions(input);
          throw new Error(`accepted ${JSON.stringify(input)}`);
        } catch (err) {
          (err as Error).should.be.instanceOf(BadInputError);
          (err as BadInputError).field!.should.equal(field);
          (err as Error).message.should.match(re);
        }
      }
    });

    it('fills defaults and accepts metric names', () => {
      const o = parseOptions({ metrics: 'up=sum:bytesOut, count, rate:bytes', sortBy: 'up', window: 'month', timeZone: 'Europe/Berlin' });
      o.metrics.map((m) => m.name).should.eql(['up', 'flows', 'bytesPerSecond']);
      o.sortBy.should.equal(0);
      o.groupBy.should.eql(['src.ip']);
      o.window.should.eql({ kind: 'calendar', unit: 'month' });
      o.lateness.should.equal(3600);
      o.maxGroups.should.equal(10_000);
      o.dedup.should.be.true();
    });
  });
});
