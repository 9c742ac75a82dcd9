/**
 * The aggregate engine: NetworkFlow records in, per-group sums, counts, distinct counts and rates
 * over windows of RECORD time out. Plain TypeScript, no Node-RED import.
 *
 * - A window is fixed (a minute to a day, aligned on the epoch), a calendar day or month in a time
 *   zone, or one message (`ingestMessage`: the batch is the window).
 * - Watermark: the newest record time seen minus `lateness`. A window closes, and its result is
 *   returned, once the watermark reaches its end; records for a closed window are counted as late
 *   and dropped. A batch is taken in time order, so a newest-first page is not "late" to itself.
 *   `flush()` closes every open window; `advanceTo(t)` closes the windows a wall clock at `t`
 *   considers over (a quiet source still gets its report).
 * - Duplicates: with `dedup`, a record whose identity (docs/aggregate.md: the vendor record id, or
 *   Community ID tuple + start time) was seen within the window horizon is skipped and counted.
 * - Memory: at most `maxGroups` groups per window. When a new group would exceed it, the smallest
 *   tenth (by the sort metric) is folded into the window's "other" group, so totals stay exact and
 *   `folded` says how many groups lost their identity.
 *
 * A record is read through record-reader.ts. The groups of a window live in a columnar table
 * (window-state.ts); a closed window becomes its top N groups and one "other" (result.ts); open
 * windows are saved and restored by state.ts.
 */
import { sortedOrder } from '../anomaly/engine';
import { DedupCache, type DedupStats } from '../dedup';
import { BadInputError } from '../errors';
import { windowBounds, windowLabel } from './calendar';
import { parseOptions, type AggregateOptions, type AggregateOptionsInput } from './options';
import { toNumber } from './keys';
import { BAD_SUMS, RecordReader } from './record-reader';
import { closeWindow, type IngestResult, type WindowResult } from './result';
import { STATE_FORMAT, num, windowFromJson, windowToJson, type AggregateState } from './state';
import { WindowState, type Layout } from './window-state';

export interface AggregateStats {
  openWindows: number;
  /** Groups held in open windows. */
  groups: number;
  /** Groups folded into "other" since the start (status line). */
  folded: number;
  records: number;
  late: number;
  duplicates: number;
  invalid: number;
  windowsClosed: number;
  dedup: DedupStats | null;
  maxTs: number | null;
}

const LATE = 'late';
const DUPLICATE = 'duplicate';

export class AggregateEngine {
  readonly options: AggregateOptions;
  private readonly reader: RecordReader;
  private readonly layout: Layout;
  private readonly latenessMs: number;
  private readonly maxFutureMs: number;
  private readonly perMessage: boolean;
  private readonly dedup: DedupCache | null;
  private readonly now: () => number;
  /** Record times above this are too far in the future (the clock read once per batch). */
  private tsLimit = 0;

  private readonly windows = new Map<number, WindowState>();
  private cur: WindowState | null = null;
  private maxTs = -Infinity;
  /** Windows ending at or before this have been closed. */
  private closedUpTo = -Infinity;
  /** The earliest end of an open window: the watermark closes nothing before it. */
  private firstEnd = Infinity;

  private nRecords = 0;
  private nLate = 0;
  private nDuplicates = 0;
  private nInvalid = 0;
  private nFolded = 0;
  private nClosed = 0;
  private out: WindowResult[] = [];

  constructor(options: AggregateOptionsInput, clock: { now?: () => number } = {}) {
    this.options = parseOptions(options);
    const o = this.options;
    this.reader = new RecordReader(o);
    this.latenessMs = o.lateness * 1000;
    this.maxFutureMs = o.maxFuture * 1000;
    this.perMessage = o.window.kind === 'message';
    this.now = clock.now ?? Date.now;
    this.layout = { nMetrics: o.metrics.length, distinct: this.reader.distinctIdx, sortBy: o.sortBy, maxGroups: o.maxGroups };
    this.dedup = o.dedup ? new DedupCache({ cap: o.dedupCap, horizonMs: this.horizonMs() }) : null;
  }

  /** How long (record time) a repeat could still land in an open window. */
  private horizonMs(): number {
    const w = this.options.window;
    const len = w.kind === 'fixed' ? w.ms : w.kind === 'calendar' ? (w.unit === 'day' ? 25 : 31 * 24) * 3600_000 : 0;
    return len + this.latenessMs;
  }

  stats(): AggregateStats {
    let groups = 0;
    for (const w of this.windows.values()) groups += w.size;
    return {
      openWindows: this.windows.size,
      groups,
      folded: this.nFolded,
      records: this.nRecords,
      late: this.nLate,
      duplicates: this.nDuplicates,
      invalid: this.nInvalid,
      windowsClosed: this.nClosed,
      dedup: this.dedup ? this.dedup.stats() : null,
      maxTs: Number.isFinite(this.maxTs) ? this.maxTs : null,
    };
  }

  /**
   * Feeds a batch (any order; taken in record-time order). Returns the windows it closed; with a
   * per-message window, the batch's own window.
   */
  ingest(records: readonly unknown[] | unknown): IngestResult {
    const list: readonly unknown[] = Array.isArray(records) ? records : [records];
    const res: IngestResult = { windows: [], accepted: 0, late: 0, duplicates: 0, invalid: 0, errors: [] };
    this.readClock();
    // A per-message window spans all time: the window check in addAt never leaves it.
    if (this.perMessage) this.cur = this.newWindow(-Infinity, Infinity);
    const { times, order } = sortedOrder(list);
    for (let j = 0; j < list.length; j++) {
      const i = order ? order[j]! : j;
      const why = this.addAt(list[i], times[i]!);
      if (why === null) res.accepted++;
      else if (why === LATE) res.late++;
      else if (why === DUPLICATE) res.duplicates++;
      else {
        res.invalid++;
        if (res.errors.length < 10) res.errors.push({ index: i, message: why });
      }
    }
    res.errors.sort((x, y) => x.index - y.index);
    this.moveWatermark();
    if (this.perMessage) {
      const w = this.cur!;
      this.cur = null;
      if (w.records > 0) this.out.push(this.close(w));
    }
    res.windows = this.takeWindows();
    return res;
  }

  /** One record, streaming; windows it closes are collected by `takeWindows()`. Not for per-message windows. */
  add(r: unknown): string | null {
    if (this.perMessage) throw new BadInputError('window', 'per-message windows take whole batches (ingest)');
    this.readClock();
    const why = this.addAt(r, sortedOrder([r]).times[0]!);
    this.moveWatermark();
    return why;
  }

  private readClock(): void {
    this.tsLimit = this.now() + this.maxFutureMs;
  }

  /**
   * Closes the windows the newest record time has passed. Once per batch, not per record: a batch
   * is taken in time order, so no record of it can belong to a window that an earlier record of
   * the same batch would have closed (its window ends after its own time, which is at least the
   * earlier one's), and the result is the same as closing record by record.
   */
  private moveWatermark(): void {
    if (this.perMessage) return;
    const wm = this.maxTs - this.latenessMs;
    if (wm > this.closedUpTo) {
      if (wm >= this.firstEnd) this.advance(wm);
      else this.closedUpTo = wm;
    }
  }

  takeWindows(): WindowResult[] {
    const o = this.out;
    this.out = [];
    return o;
  }

  private addAt(r: unknown, ts: number): string | null {
    // sortedOrder gives NaN to anything that is not an object, so one range test covers those,
    // unusable times and times too far ahead.
    if (!(ts > -Infinity && ts <= this.tsLimit) || Array.isArray(r)) {
      const why = this.rejectReason(r, ts);
      if (why !== null) {
        this.nInvalid++;
        return why;
      }
    }
    // Metric values first: a bad value rejects the record before it changes anything.
    const rd = this.reader;
    const sumIdx = rd.sumIdx;
    let x0 = 0;
    let xs: number[] | null = null;
    if (rd.sumGetter !== null) {
      x0 = toNumber(rd.sumGetter(r));
      if (!Number.isFinite(x0)) return this.badValue(r, 0);
      if (sumIdx.length > 1) xs = rd.moreSums(r, x0);
      if (xs === BAD_SUMS) return this.badValue(r, rd.badSum);
    }

    if (ts > this.maxTs) this.maxTs = ts;
    let w = this.cur;
    if (w === null || ts < w.start || ts >= w.end) {
      w = this.windowFor(ts);
      if (w === null) {
        this.nLate++;
        return LATE;
      }
    }
    if (this.dedup !== null) {
      if (this.dedup.checkRecord(r, ts)) {
        this.nDuplicates++;
        return DUPLICATE;
      }
    }

    const key = rd.key(r);
    let row = w.rows.get(key);
    if (row === undefined) row = this.newGroup(w, key, r);
    w.records++;
    this.nRecords++;
    if (this.perMessage) {
      if (ts < w.minTs) w.minTs = ts;
      if (ts > w.maxTs) w.maxTs = ts;
    }
    // The group's cells: records, then one per metric (window-state.ts).
    const cells = w.cells;
    const base = row * w.stride + 1;
    cells[base - 1]!++;
    const totals = w.totals;
    if (xs === null) {
      if (sumIdx.length === 1) {
        const i = sumIdx[0]!;
        cells[base + i]! += x0;
        totals[i]! += x0;
      }
    } else {
      for (let k = 0; k < sumIdx.length; k++) {
        const i = sumIdx[k]!;
        cells[base + i]! += xs[k]!;
        totals[i]! += xs[k]!;
      }
    }
    if (!rd.onlySums) rd.addCountsAndDistinct(r, row, w, base);
    return null;
  }

  /** Why a record is rejected before anything else is read; null when it is fine after all. */
  private rejectReason(r: unknown, ts: number): string | null {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) return 'record: expected an object (a NetworkFlow record)';
    if (!Number.isFinite(ts)) return 'ts: expected a record time in epoch ms';
    if (ts > this.tsLimit) {
      // Re-read the clock once before rejecting: the cached value may be a batch old.
      this.readClock();
      if (ts > this.tsLimit) return `ts: ${new Date(ts).toISOString()} is more than ${this.options.maxFuture} s in the future`;
    }
    return null;
  }

  private badValue(r: unknown, k: number): string {
    this.nInvalid++;
    return this.reader.badValue(r, k);
  }

  /** The open window for `ts`, created if needed; null when that window is already closed. */
  private windowFor(ts: number): WindowState | null {
    const [start, end] = windowBounds(ts, this.options.window, this.options.timeZone);
    if (end <= this.closedUpTo) return null;
    let w = this.windows.get(start);
    if (w === undefined) {
      w = this.newWindow(start, end);
      this.windows.set(start, w);
      if (end < this.firstEnd) this.firstEnd = end;
    }
    this.cur = w;
    return w;
  }

  private newWindow(start: number, end: number): WindowState {
    return new WindowState(start, end, this.layout);
  }

  /** Adds the group of record `r` to `w` (folding the smallest first at the cap); returns its row. */
  private newGroup(w: WindowState, key: string, r: unknown): number {
    const folded = w.foldedGroups;
    const row = w.addGroup(this.reader.group(key, r));
    this.nFolded += w.foldedGroups - folded;
    return row;
  }

  /** Closes every window that ends at or before `wm`. */
  private advance(wm: number): void {
    this.closedUpTo = wm;
    if (wm < this.firstEnd) return;
    const ready: WindowState[] = [];
    for (const w of this.windows.values()) if (w.end <= wm) ready.push(w);
    ready.sort((a, b) => a.start - b.start);
    for (const w of ready) {
      this.windows.delete(w.start);
      if (this.cur === w) this.cur = null;
      this.out.push(this.close(w));
    }
    this.updateFirstEnd();
  }

  private updateFirstEnd(): void {
    this.firstEnd = Infinity;
    for (const w of this.windows.values()) if (w.end < this.firstEnd) this.firstEnd = w.end;
  }

  /**
   * Closes the windows a wall clock at `now` (epoch ms) considers over: those ending at or
   * before `now - lateness`. For a source that goes quiet.
   */
  advanceTo(now: number): WindowResult[] {
    if (!this.perMessage) {
      const wm = now - this.latenessMs;
      if (wm > this.closedUpTo) this.advance(wm);
    }
    return this.takeWindows();
  }

  /** Closes every open window now (partial windows included), oldest first. */
  flush(): WindowResult[] {
    const all = Array.from(this.windows.values()).sort((a, b) => a.start - b.start);
    this.windows.clear();
    this.firstEnd = Infinity;
    this.cur = null;
    for (const w of all) this.out.push(this.close(w));
    if (all.length > 0) this.closedUpTo = Math.max(this.closedUpTo, all[all.length - 1]!.end);
    return this.takeWindows();
  }

  reset(): void {
    this.windows.clear();
    this.cur = null;
    this.maxTs = -Infinity;
    this.closedUpTo = -Infinity;
    this.firstEnd = Infinity;
    this.out = [];
    this.dedup?.clear();
    this.nRecords = this.nLate = this.nDuplicates = this.nInvalid = this.nFolded = this.nClosed = 0;
  }

  private close(w: WindowState): WindowResult {
    this.nClosed++;
    const o = this.options;
    const perMessage = this.perMessage;
    const start = perMessage ? w.minTs : w.start;
    return closeWindow({
      start,
      end: perMessage ? w.maxTs + 1 : w.end,
      label: windowLabel(start, perMessage ? { kind: 'fixed', ms: 60_000 } : o.window, o.timeZone),
      timeZone: o.timeZone,
      seconds: perMessage ? Math.max(1, (w.maxTs - w.minTs) / 1000) : (w.end - w.start) / 1000,
      metrics: o.metrics,
      sortBy: o.sortBy,
      groupBy: o.groupBy,
      topN: o.topN,
    }, w);
  }

  // ---- persistence -------------------------------------------------------------------------

  /** The options that give a state its meaning: a change makes a saved state useless. */
  private fingerprint(): string {
    const o = this.options;
    return JSON.stringify([o.groupBy, o.labelPath ?? null, o.metrics.map((m) => m.text), o.window, o.timeZone]);
  }

  /** Plain JSON for a context store: open windows, counters and remembered identities. */
  exportState(): AggregateState {
    return {
      format: STATE_FORMAT,
      fingerprint: this.fingerprint(),
      maxTs: Number.isFinite(this.maxTs) ? this.maxTs : null,
      closedUpTo: Number.isFinite(this.closedUpTo) ? this.closedUpTo : null,
      counters: {
        records: this.nRecords, late: this.nLate, duplicates: this.nDuplicates, invalid: this.nInvalid,
        folded: this.nFolded, closed: this.nClosed,
      },
      windows: Array.from(this.windows.values(), windowToJson),
      dedup: this.dedup ? this.dedup.exportState() : [],
    };
  }

  /**
   * Replaces the state with an exported one. False (nothing changed) when it was made with other
   * group paths, metrics, window or zone; `BadInputError` when malformed.
   */
  importState(state: unknown): boolean {
    const st = state as AggregateState;
    if (st === null || typeof st !== 'object' || st.format !== STATE_FORMAT || !Array.isArray(st.windows)) {
      throw new BadInputError('state', `not a ${STATE_FORMAT} state`);
    }
    if (st.fingerprint !== this.fingerprint()) return false;
    const windows = st.windows.map((wj) => windowFromJson(wj, this.layout));
    this.reset();
    for (const w of windows) this.windows.set(w.start, w);
    this.updateFirstEnd();
    const c = st.counters ?? ({} as AggregateState['counters']);
    this.nRecords = num(c.records);
    this.nLate = num(c.late);
    this.nDuplicates = num(c.duplicates);
    this.nInvalid = num(c.invalid);
    this.nFolded += num(c.folded);
    this.nClosed = num(c.closed);
    this.maxTs = typeof st.maxTs === 'number' ? st.maxTs : -Infinity;
    this.closedUpTo = typeof st.closedUpTo === 'number' ? st.closedUpTo : -Infinity;
    this.dedup?.importState(st.dedup);
    return true;
  }
}
