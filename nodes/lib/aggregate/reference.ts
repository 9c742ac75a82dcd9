/**
 * The plain version of `closeWindow` (result.ts): build a result for every group, sort them all,
 * keep the first N and add the rest and the folded groups up into "other". Not used by the
 * engine; test/lib/aggregate/property.test.ts checks that the fast close gives the same answer
 * (docs/performance.md#closing-a-window).
 */
import { accumulatorResult, rowResult, type CloseContext, type GroupResult, type WindowResult } from './result';
import type { WindowState } from './window-state';

export function referenceCloseWindow(ctx: CloseContext, w: WindowState): WindowResult {
  const all: GroupResult[] = [];
  const sortVals: number[] = [];
  for (let r = 0; r < w.size; r++) {
    all.push(rowResult(ctx, w, r));
    sortVals.push(w.value(r, ctx.sortBy));
  }
  const order = all.map((_, i) => i).sort((a, b) => sortVals[b]! - sortVals[a]!
    || (all[a]!.label < all[b]!.label ? -1 : all[a]!.label > all[b]!.label ? 1 : 0)
    || (all[a]!.key < all[b]!.key ? -1 : 1));
  const ranked = order.map((i) => all[i]!);
  const n = ctx.topN > 0 ? Math.min(ctx.topN, ranked.length) : ranked.length;
  const rest = ranked.slice(n);
  const folded = w.folded ? accumulatorResult(ctx, w.folded, true) : null;
  let other: GroupResult | null = null;
  if (rest.length > 0 || folded) {
    other = { key: '', label: 'other', fields: {}, values: {}, records: 0 };
    const additive = ctx.metrics.filter((m) => m.kind !== 'distinct');
    for (const m of additive) other.values[m.name] = 0;
    for (const g of folded ? [...rest, folded] : rest) {
      other.records += g.records;
      for (const m of additive) other.values[m.name]! += g.values[m.name]!;
    }
  }
  const totals: Record<string, number> = {};
  ctx.metrics.forEach((m, i) => {
    const v = w.totalSets?.[i] ? w.totalSets[i].count() : w.totals[i]!;
    totals[m.name] = m.kind === 'rate' ? v / ctx.seconds : v;
  });
  return {
    start: ctx.start, end: ctx.end, label: ctx.label, timeZone: ctx.timeZone, seconds: ctx.seconds,
    metrics: ctx.metrics, sortBy: ctx.sortBy, groups: ranked.slice(0, n), groupCount: ranked.length,
    other, folded, foldedGroups: w.foldedGroups, totals, records: w.records,
  };
}
