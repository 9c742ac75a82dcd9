/**
 * What a closed window becomes on the node's output, ready for the tools users wire to it:
 * - `rows`: one array of table rows (top N, then "other"), e.g. for FlowFuse Dashboard's ui-table;
 * - `chart`: `[{series, x: label, y}]` for a bar or pie ui-chart (x axis "categorical", series and
 *   x and y read as keys of each point), sent with `action: 'replace'` so the chart shows this window;
 * - `timeseries`: `[{series: label, x: window start (epoch ms), y}]` for a line ui-chart on a
 *   time axis, one point per group and window, appended;
 * - `groups`: one message per group, a flat object per row for a database insert.
 * Shares are of the ranking metric and add up to 100 over the top N and "other" (docs/aggregate.md).
 */
import type { OutputMode } from './options';
import { OTHER_LABEL, type GroupResult, type WindowResult } from './result';

export interface Row {
  label: string;
  /** Share of the window's total of the ranking metric, in percent (additive metrics only). */
  share?: number;
  records: number;
  /** Group-by values with dots as underscores (`src_ip`), then the metric values by name. */
  [column: string]: unknown;
}

export interface ChartPoint {
  series: string;
  x: string | number;
  y: number;
}

export interface WindowInfo {
  start: number;
  end: number;
  label: string;
  timeZone: string;
  seconds: number;
}

/** A group-by path as a column name: `src.ip` -> `src_ip`. */
export function column(path: string): string {
  return path.replace(/\./g, '_');
}

export function windowInfo(w: WindowResult): WindowInfo {
  return { start: w.start, end: w.end, label: w.label, timeZone: w.timeZone, seconds: w.seconds };
}

function additive(w: WindowResult): boolean {
  return w.metrics[w.sortBy]!.kind !== 'distinct';
}

/**
 * The top `topN` groups (0: all the window lists), then "other" (the rest, folded groups
 * included) when not empty. The engine already cut the window at its own top N; a smaller N here
 * moves more groups into "other".
 */
export function topGroups(w: WindowResult, topN: number): { top: GroupResult[]; other: GroupResult | null } {
  const n = topN > 0 ? Math.min(topN, w.groups.length) : w.groups.length;
  const top = w.groups.slice(0, n);
  const rest = w.groups.slice(n);
  if (rest.length === 0) return { top, other: w.other };
  const values: Record<string, number> = {};
  let records = 0;
  // A distinct count does not add across groups: "other" has none rather than a wrong one.
  const additive = w.metrics.filter((m) => m.kind !== 'distinct');
  for (const m of additive) values[m.name] = w.other?.values[m.name] ?? 0;
  records = w.other?.records ?? 0;
  for (const g of rest) {
    records += g.records;
    for (const m of additive) values[m.name]! += g.values[m.name]!;
  }
  return { top, other: { key: '', label: OTHER_LABEL, fields: {}, values, records } };
}

function share(w: WindowResult, g: GroupResult): number | undefined {
  if (!additive(w)) return undefined;
  const name = w.metrics[w.sortBy]!.name;
  const total = w.totals[name]!;
  return total === 0 ? 0 : (g.values[name]! / total) * 100;
}

function row(w: WindowResult, g: GroupResult, groupBy: string[]): Row {
  const r: Row = { label: g.label, records: g.records };
  for (const p of groupBy) r[column(p)] = g.key === '' ? null : (g.fields[p] ?? null);
  for (const m of w.metrics) if (g.values[m.name] !== undefined) r[m.name] = g.values[m.name];
  const s = share(w, g);
  if (s !== undefined) r.share = s;
  return r;
}

export function toRows(w: WindowResult, groupBy: string[], topN: number): Row[] {
  const { top, other } = topGroups(w, topN);
  const rows = top.map((g) => row(w, g, groupBy));
  if (other) rows.push(row(w, other, groupBy));
  return rows;
}

/** Bar / pie points of the ranking metric: x is the group label. */
export function toChart(w: WindowResult, topN: number): ChartPoint[] {
  const m = w.metrics[w.sortBy]!;
  const { top, other } = topGroups(w, topN);
  const pts = top.map((g) => ({ series: m.name, x: g.label, y: g.values[m.name]! }));
  if (other && other.values[m.name] !== undefined) pts.push({ series: m.name, x: OTHER_LABEL, y: other.values[m.name]! });
  return pts;
}

/** Line points of the ranking metric: one series per group, x the window start. */
export function toTimeseries(w: WindowResult, topN: number): ChartPoint[] {
  const m = w.metrics[w.sortBy]!;
  const { top, other } = topGroups(w, topN);
  const pts = top.map((g) => ({ series: g.label, x: w.start, y: g.values[m.name]! }));
  if (other && other.values[m.name] !== undefined) pts.push({ series: OTHER_LABEL, x: w.start, y: other.values[m.name]! });
  return pts;
}

/** One flat object per group (top N and "other"), with the window's bounds, for a database row. */
export function toGroupRecords(w: WindowResult, groupBy: string[], topN: number): Row[] {
  return toRows(w, groupBy, topN).map((r) => ({
    windowStart: new Date(w.start).toISOString(),
    windowEnd: new Date(w.end).toISOString(),
    ...r,
  }));
}

/** A message of the node's output, as plain data. */
export interface OutMessage {
  topic: string;
  payload: unknown;
  [prop: string]: unknown;
}

/** The messages one closed window becomes, in the node's output mode (docs/aggregate.md, "Outputs"). */
export function windowMessages(w: WindowResult, mode: OutputMode, topic: string, groupBy: string[], topN: number): OutMessage[] {
  const window = windowInfo(w);
  switch (mode) {
    case 'chart':
      return [{ topic, payload: toChart(w, topN), action: 'replace', window, totals: w.totals }];
    case 'timeseries':
      return [{ topic, payload: toTimeseries(w, topN), window }];
    case 'groups':
      return toGroupRecords(w, groupBy, topN).map((row) => ({ topic: row.label, payload: row, window }));
    default:
      return [{
        topic, payload: toRows(w, groupBy, topN), window, totals: w.totals,
        aggregate: { records: w.records, groups: w.groupCount, foldedGroups: w.foldedGroups },
      }];
  }
}
