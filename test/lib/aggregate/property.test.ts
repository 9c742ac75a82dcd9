import 'should';
import fc from 'fast-check';
import { AggregateEngine, parseOptions } from '../../../nodes/lib/aggregate';
import { referenceCloseWindow } from '../../../nodes/lib/aggregate/reference';
import { closeWindow, type CloseContext, type WindowResult } from '../../../nodes/lib/aggregate/result';
import { WindowState, type Layout } from '../../../nodes/lib/aggregate/window-state';
import { propertyTimeout, runs } from '../../support/property';

/**
 * closeWindow (one-pass top N, "other" summed by column) against referenceCloseWindow (a result
 * for every group, one full sort): same groups in the same order, same "other", same totals.
 * Windows are filled through the table itself, with ties, a cap that folds, distinct metrics.
 */
const METRICS = ['sum:bytes,count', 'count,sum:bytes', 'sum:bytes,distinct:dst.port,rate:bytes', 'distinct:dst.port,count'];

interface Case { metrics: string; sortBy: number; topN: number; maxGroups: number; adds: Array<[number, number, number]> }

const cases: fc.Arbitrary<Case> = fc.record({
  metrics: fc.constantFrom(...METRICS),
  sortBy: fc.integer({ min: 0, max: 1 }),
  topN: fc.integer({ min: 0, max: 12 }),
  maxGroups: fc.integer({ min: 1, max: 40 }),
  // [group, bytes, port]: few groups and values, so ties are common
  adds: fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 6 })), { maxLength: 200 }),
});

function build(c: Case): { ctx: CloseContext; w: WindowState } {
  const o = parseOptions({ groupBy: 'src.ip', metrics: c.metrics, sortBy: c.sortBy, topN: c.topN, maxGroups: c.maxGroups, window: 60 });
  const layout: Layout = { nMetrics: o.metrics.length, distinct: o.metrics.flatMap((m, i) => (m.kind === 'distinct' ? [i] : [])), sortBy: o.sortBy, maxGroups: o.maxGroups };
  const w = new WindowState(0, 60_000, layout);
  for (const [g, bytes, port] of c.adds) {
    // Labels repeat across keys (g % 7) so the label tie-break matters too.
    const key = `k${g}`;
    const row = w.rows.get(key) ?? w.addGroup({ key, parts: [key], label: `l${g % 7}` });
    const base = row * w.stride;
    w.cells[base]! += 1;
    w.records++;
    o.metrics.forEach((m, i) => {
      if (m.kind === 'distinct') {
        w.sets[i]![row]!.add(String(port));
        w.totalSets![i]!.add(String(port));
      } else {
        const x = m.kind === 'count' ? 1 : bytes;
        w.cells[base + 1 + i]! += x;
        w.totals[i]! += x;
      }
    });
  }
  const ctx: CloseContext = { start: 0, end: 60_000, label: 'x', timeZone: 'UTC', seconds: 60, metrics: o.metrics, sortBy: o.sortBy, groupBy: o.groupBy, topN: o.topN };
  return { ctx, w };
}

/** Rates are divided per group in one and per sum in the other: equal to rounding. */
function rounded(r: WindowResult): unknown {
  const round = (v: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(v).map(([k, x]) => [k, Number(x.toPrecision(12))]));
  const g = (x: WindowResult['other']): unknown => (x ? { ...x, values: round(x.values) } : null);
  return { ...r, groups: r.groups.map(g), other: g(r.other), folded: g(r.folded), totals: round(r.totals) };
}

describe('aggregate close property: top N in one pass equals sort-everything', function () {
  this.timeout(propertyTimeout(20_000));

  it('gives the same window result as the reference', () => {
    fc.assert(fc.property(cases, (c) => {
      const fast = build(c);
      const ref = build(c);
      (rounded(closeWindow(fast.ctx, fast.w)) as object).should.eql(rounded(referenceCloseWindow(ref.ctx, ref.w)));
    }), { numRuns: runs(1000) });
  });
});

/**
 * The engine closes windows once per batch (engine.ts, moveWatermark); `add()` closes them record
 * by record. Fed the same records, a batch at a time in any order against one record at a time in
 * the order the batch is taken (record time, then position), both give the same windows, counts
 * and late records.
 */
interface Stream { lateness: number; batches: Array<Array<{ ts: number; group: number; bytes: number | string }>> }

const streams: fc.Arbitrary<Stream> = fc.record({
  lateness: fc.constantFrom(0, 5, 30, 90),
  batches: fc.array(fc.array(fc.record({
    // Five one-minute windows, so batches straddle window ends and some records arrive late.
    ts: fc.integer({ min: 0, max: 299_999 }),
    group: fc.integer({ min: 0, max: 5 }),
    bytes: fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.constant('not a number')),
  }), { maxLength: 30 }), { maxLength: 12 }),
});

const T0 = Date.UTC(2024, 0, 1);

function recordOf(x: { ts: number; group: number; bytes: number | string }): object {
  return { ts: T0 + x.ts, src: { ip: `10.0.0.${x.group}` }, bytes: x.bytes };
}

describe('aggregate watermark property: a batch at a time equals a record at a time', function () {
  this.timeout(propertyTimeout(20_000));

  it('closes the same windows with the same counts', () => {
    fc.assert(fc.property(streams, (st) => {
      const opts = { groupBy: 'src.ip', metrics: 'sum:bytes,count', window: 60, lateness: st.lateness, dedup: false };
      const clock = { now: () => T0 + 86_400_000 };
      const batched = new AggregateEngine(opts, clock);
      const single = new AggregateEngine(opts, clock);
      const fromBatches: unknown[] = [];
      const fromSingles: unknown[] = [];
      for (const batch of st.batches) {
        fromBatches.push(...batched.ingest(batch.map(recordOf)).windows);
        const inOrder = batch.map((x, i) => ({ x, i })).sort((a, b) => a.x.ts - b.x.ts || a.i - b.i);
        for (const { x } of inOrder) single.add(recordOf(x));
        fromSingles.push(...single.takeWindows());
      }
      fromBatches.push(...batched.flush());
      fromSingles.push(...single.flush());
      fromBatches.should.eql(fromSingles);
      batched.stats().should.eql(single.stats());
    }), { numRuns: runs(1000) });
  });
});
