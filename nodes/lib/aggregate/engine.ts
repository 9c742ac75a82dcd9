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
 *   Community ID + start time) was seen within the window horizon is skipped and counted.
 * - Memory: at most `maxGroups` groups per window. When a new group would exceed it, the smallest
 *   tenth (by the sort metric) is folded into the window's "other" group, so totals stay exact and
 *   `folded` says how many groups lost their identity.
 */
import { sortedOrder } from '../anomaly/engine';
import { compilePath as getter, type PathReader as Getter } from '../record-path';
import { recordIdentity, DedupCache, type DedupStats } from '../dedup';
import { BadInputError } from '../errors';
import { windowBounds, windowLabel } from './calendar';
import { DistinctCounter, type DistinctJson } from './distinct';
import { parseOptions, type AggregateOptions, type AggregateOptionsInput, type MetricDef } from './options';

/** Values counted exactly per group before a sketch takes over, and the sketch sizes. */
const GROUP_EXACT = 64;
const GROUP_PRECISION = 10;
const TOTAL_EXACT = 1024;
const TOTAL_PRECISION = 14;
/** Fraction of `maxGroups` folded at once, so folding costs O(log n) per new group amortised. */
const FOLD_FRACTION = 0.1;
const KEY_SEP = '\u001f';
const MAX_KEY_PART = 200;
const OBJECT_PART = '(object)';
export const STATE_FORMAT = 'network-flow-aggregate/1';
export const OTHER_LABEL = 'other';
export const NONE_LABEL = '(none)';

export interface GroupResult {
  key: string;
  label: string;
  /** The group-by values, by path (null where the record had none). */
  fields: Record<string, unknown>;
  /** Metric values by metric name. */
  values: Record<string, number>;
  records: number;
}

export interface WindowResult {
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive (per-message windows: the latest record time + 1). */
  end: number;
  /** `2024-03`, `2024-03-31`, `2024-03-31 14:05` in `timeZone`. */
  label: string;
  timeZone: string;
  /** The divisor of rates. */
  seconds: number;
  metrics: MetricDef[];
  /** Index in `metrics` of the ranking metric. */
  sortBy: number;
  /** Every group held, largest first by the sort metric (ties: label, then key). */
  groups: GroupResult[];
  /** Groups folded away by the group cap, together; null when none were. */
  folded: GroupResult | null;
  /** How many groups were folded into `folded`. */
  foldedGroups: number;
  /** Over every record of the window, "other" included. Distinct totals are over the window. */
  totals: Record<string, number>;
  records: number;
}

export interface RecordError {
  index: number;
  message: string;
}

export interface IngestResult {
  /** Windows this batch closed, oldest first. */
  windows: WindowResult[];
  accepted: number;
  late: number;
  duplicates: number;
  invalid: number;
  /** The first 10 bad records. */
  errors: RecordError[];
}

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

function zeros(n: number): number[] {
  const a: number[] = [];
  for (let i = 0; i < n; i++) a.push(0);
  return a;
}

class Group {
  n = 0;
  /** Plain doubles: a typed array per group costs more to allocate than the group's whole update. */
  readonly vals: number[];
  readonly sets: DistinctCounter[] | null;

  constructor(readonly key: string, readonly parts: unknown[], readonly label: string, nMetrics: number, distinct: number[]) {
    this.vals = zeros(nMetrics);
    if (distinct.length === 0) {
      this.sets = null;
    } else {
      this.sets = new Array<DistinctCounter>(nMetrics);
      for (const i of distinct) this.sets[i] = new DistinctCounter(GROUP_EXACT, GROUP_PRECISION);
    }
  }

  absorb(g: Group): void {
    this.n += g.n;
    for (let i = 0; i < this.vals.length; i++) this.vals[i]! += g.vals[i]!;
    if (this.sets && g.sets) for (let i = 0; i < this.sets.length; i++) if (this.sets[i]) this.sets[i]!.merge(g.sets[i]!);
  }
}

class WindowState {
  readonly groups = new Map<string, Group>();
  other: Group | null = null;
  folded = 0;
  records = 0;
  readonly totals: number[];
  readonly totalSets: DistinctCounter[] | null;
  minTs = Infinity;
  maxTs = -Infinity;

  constructor(readonly start: number, readonly end: number, nMetrics: number, distinct: number[]) {
    this.totals = zeros(nMetrics);
    if (distinct.length === 0) {
      this.totalSets = null;
    } else {
      this.totalSets = new Array<DistinctCounter>(nMetrics);
      for (const i of distinct) this.totalSets[i] = new DistinctCounter(TOTAL_EXACT, TOTAL_PRECISION);
    }
  }
}

function keyPart(v: unknown): string {
  if (typeof v === 'string') return v.length > MAX_KEY_PART ? v.slice(0, MAX_KEY_PART) : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === undefined || v === null) return '';
  // An object is not a group value (group by protocol.name, not protocol); never serialised, so a
  // deep or huge value in a hostile record costs nothing.
  return OBJECT_PART;
}

function distinctValue(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v.length > MAX_KEY_PART ? v.slice(0, MAX_KEY_PART) : v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === 'boolean') return String(v);
  if (v === undefined || v === null) return undefined;
  return OBJECT_PART;
}

/** A metric value as a number: missing is 0, a numeric string is read, anything else is NaN. */
function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v === undefined || v === null) return 0;
  return typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
}

const LATE = 'late';
const DUPLICATE = 'duplicate';

export class AggregateEngine {
  readonly options: AggregateOptions;
  private readonly keyGetters: Getter[];
  private readonly labelGetter: Getter | null;
  private readonly nMetrics: number;
  /** Metric indices by kind, and the getters of summed / distinct paths (by metric index). */
  private readonly sumIdx: number[];
  private readonly countIdx: number[];
  private readonly distinctIdx: number[];
  private readonly valueGetters: (Getter | null)[];
  private readonly latenessMs: number;
  private readonly maxFutureMs: number;
  private readonly perMessage: boolean;
  private readonly dedup: DedupCache | null;
  private readonly now: () => number;
  private nowCache = 0;

  private readonly windows = new Map<number, WindowState>();
  private cur: WindowState | null = null;
  private maxTs = -Infinity;
  /** Windows ending at or before this have been closed. */
  private closedUpTo = -Infinity;

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
    this.keyGetters = o.groupBy.map(getter);
    this.labelGetter = o.labelPath ? getter(o.labelPath) : null;
    this.nMetrics = o.metrics.length;
    this.sumIdx = [];
    this.countIdx = [];
    this.distinctIdx = [];
    this.valueGetters = o.metrics.map((m, i) => {
      if (m.kind === 'count') this.countIdx.push(i);
      else if (m.kind === 'distinct') this.distinctIdx.push(i);
      else this.sumIdx.push(i);
      return m.path ? getter(m.path) : null;
    });
    this.latenessMs = o.lateness * 1000;
    this.maxFutureMs = o.maxFuture * 1000;
    this.perMessage = o.window.kind === 'message';
    this.now = clock.now ?? Date.now;
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
    for (const w of this.windows.values()) groups += w.groups.size;
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
    this.nowCache = this.now();
    if (this.perMessage) this.cur = this.newWindow(0, 0);
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
    return this.addAt(r, sortedOrder([r]).times[0]!);
  }

  takeWindows(): WindowResult[] {
    const o = this.out;
    this.out = [];
    return o;
  }

  private addAt(r: unknown, ts: number): string | null {
    if (r === null || typeof r !== 'object' || Array.isArray(r) || !Number.isFinite(ts) || ts > this.nowCache + this.maxFutureMs) {
      const why = this.rejectReason(r, ts);
      if (why !== null) {
        this.nInvalid++;
        return why;
      }
    }
    // Metric values first: a bad value rejects the record before it changes anything.
    const sumIdx = this.sumIdx;
    const getters = this.valueGetters;
    let x0 = 0;
    let xs: number[] | null = null;
    if (sumIdx.length > 0) {
      x0 = toNumber(getters[sumIdx[0]!]!(r));
      if (x0 !== x0 || !Number.isFinite(x0)) return this.badValue(r, 0);
      if (sumIdx.length > 1) {
        xs = [x0];
        for (let k = 1; k < sumIdx.length; k++) {
          const x = toNumber(getters[sumIdx[k]!]!(r));
          if (!Number.isFinite(x)) return this.badValue(r, k);
          xs.push(x);
        }
      }
    }

    let w = this.cur;
    if (!this.perMessage) {
      if (ts > this.maxTs) {
        this.maxTs = ts;
        if (ts - this.latenessMs > this.closedUpTo) this.advance(ts - this.latenessMs);
      }
      if (w === null || ts < w.start || ts >= w.end) {
        w = this.windowFor(ts);
        if (w === null) {
          this.nLate++;
          return LATE;
        }
      }
    }
    if (this.dedup !== null) {
      const id = recordIdentity(r);
      if (id !== undefined && this.dedup.check(id, ts)) {
        this.nDuplicates++;
        return DUPLICATE;
      }
    }
    w = w!;

    const g = this.keyGetters;
    let key: string;
    if (g.length === 1) {
      const v = g[0]!(r);
      key = typeof v === 'string' && v.length <= MAX_KEY_PART ? v : keyPart(v);
    } else {
      key = keyPart(g[0]!(r));
      for (let i = 1; i < g.length; i++) key += KEY_SEP + keyPart(g[i]!(r));
    }
    let grp = w.groups.get(key);
    if (grp === undefined) grp = this.newGroup(w, key, r);
    grp.n++;
    w.records++;
    this.nRecords++;
    if (this.perMessage) {
      if (ts < w.minTs) w.minTs = ts;
      if (ts > w.maxTs) w.maxTs = ts;
    }
    const vals = grp.vals;
    const totals = w.totals;
    if (xs === null) {
      if (sumIdx.length === 1) {
        const i = sumIdx[0]!;
        // Hot path: i comes from the spec's column layout, so vals/totals[i] always exist.
        vals[i]! += x0;
        totals[i]! += x0;
      }
    } else {
      for (let k = 0; k < sumIdx.length; k++) {
        const i = sumIdx[k]!;
        vals[i]! += xs[k]!;
        totals[i]! += xs[k]!;
      }
    }
    const countIdx = this.countIdx;
    for (let k = 0; k < countIdx.length; k++) {
      const i = countIdx[k]!;
      vals[i]! += 1;
      totals[i]! += 1;
    }
    if (this.distinctIdx.length > 0) this.addDistinct(r, grp, w);
    return null;
  }

  /** Why a record is rejected before anything else is read; null when it is fine after all. */
  private rejectReason(r: unknown, ts: number): string | null {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) return 'record: expected an object (a NetworkFlow record)';
    if (!Number.isFinite(ts)) return 'ts: expected a record time in epoch ms';
    if (ts > this.nowCache + this.maxFutureMs) {
      // Re-read the clock once before rejecting: the cached value may be a batch old.
      this.nowCache = this.now();
      if (ts > this.nowCache + this.maxFutureMs) return `ts: ${new Date(ts).toISOString()} is more than ${this.options.maxFuture} s in the future`;
    }
    return null;
  }

  private badValue(r: unknown, k: number): string {
    this.nInvalid++;
    const i = this.sumIdx[k]!;
    const v = this.valueGetters[i]!(r);
    return `${this.options.metrics[i]!.path}: "${String(v).slice(0, 40)}" is not a number`;
  }

  /** The open window for `ts`, created if needed; null when that window is already closed. */
  private windowFor(ts: number): WindowState | null {
    const [start, end] = windowBounds(ts, this.options.window, this.options.timeZone);
    if (end <= this.closedUpTo) return null;
    let w = this.windows.get(start);
    if (w === undefined) {
      w = this.newWindow(start, end);
      this.windows.set(start, w);
    }
    this.cur = w;
    return w;
  }

  private addDistinct(r: unknown, grp: Group, w: WindowState): void {
    const d = this.distinctIdx;
    for (let k = 0; k < d.length; k++) {
      const i = d[k]!;
      const dv = distinctValue(this.valueGetters[i]!(r));
      if (dv !== undefined) {
        grp.sets![i]!.add(dv);
        w.totalSets![i]!.add(dv);
      }
    }
  }

  private newWindow(start: number, end: number): WindowState {
    return new WindowState(start, end, this.nMetrics, this.distinctIdx);
  }

  private newGroup(w: WindowState, key: string, r: unknown): Group {
    if (w.groups.size >= this.options.maxGroups) this.fold(w);
    const g = this.keyGetters;
    const parts = g.map((get) => {
      const v = get(r);
      if (v === undefined || v === null) return null;
      if (typeof v === 'object') return OBJECT_PART;
      return typeof v === 'string' && v.length > MAX_KEY_PART ? v.slice(0, MAX_KEY_PART) : v;
    });
    let label: string | undefined;
    if (this.labelGetter) {
      const l = this.labelGetter(r);
      if (l !== undefined && l !== null && l !== '') label = keyPart(l);
    }
    if (label === undefined) label = parts.map((p) => (p === null || p === '' ? NONE_LABEL : keyPart(p))).join(' / ');
    const grp = new Group(key, parts, label, this.nMetrics, this.distinctIdx);
    w.groups.set(key, grp);
    return grp;
  }

  /** Folds the smallest tenth of the window's groups (by the sort metric) into "other". */
  private fold(w: WindowState): void {
    const all = Array.from(w.groups.values());
    const by = this.options.sortBy;
    const val = (g: Group): number => this.value(g, by);
    const vs = all.map(val);
    const idx = all.map((_, i) => i).sort((a, b) => vs[a]! - vs[b]! || (all[a]!.key < all[b]!.key ? -1 : 1));
    const n = Math.max(1, Math.floor(this.options.maxGroups * FOLD_FRACTION));
    const other = w.other ?? (w.other = new Group('', [], OTHER_LABEL, this.nMetrics, this.distinctIdx));
    for (let k = 0; k < n && k < idx.length; k++) {
      const grp = all[idx[k]!]!;
      other.absorb(grp);
      w.groups.delete(grp.key);
    }
    const folded = Math.min(n, idx.length);
    w.folded += folded;
    this.nFolded += folded;
  }

  /** Value of metric `i` of a group (rates are divided at close). */
  private value(g: Group, i: number): number {
    return g.sets && g.sets[i] ? g.sets[i].count() : g.vals[i]!;
  }

  /** Closes every window that ends at or before `wm`. */
  private advance(wm: number): void {
    this.closedUpTo = wm;
    if (this.windows.size === 0) return;
    const ready: WindowState[] = [];
    for (const w of this.windows.values()) if (w.end <= wm) ready.push(w);
    if (ready.length === 0) return;
    ready.sort((a, b) => a.start - b.start);
    for (const w of ready) {
      this.windows.delete(w.start);
      if (this.cur === w) this.cur = null;
      this.out.push(this.close(w));
    }
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
    this.out = [];
    this.dedup?.clear();
    this.nRecords = this.nLate = this.nDuplicates = this.nInvalid = this.nFolded = this.nClosed = 0;
  }

  private close(w: WindowState): WindowResult {
    this.nClosed++;
    const o = this.options;
    const perMessage = this.perMessage;
    const start = perMessage ? w.minTs : w.start;
    const end = perMessage ? w.maxTs + 1 : w.end;
    const seconds = perMessage ? Math.max(1, (w.maxTs - w.minTs) / 1000) : (w.end - w.start) / 1000;
    const metrics = o.metrics;
    const values = (g: Group): Record<string, number> => {
      const out: Record<string, number> = {};
      for (let i = 0; i < metrics.length; i++) {
        const m = metrics[i]!;
        const v = this.value(g, i);
        out[m.name] = m.kind === 'rate' ? v / seconds : v;
      }
      return out;
    };
    const result = (g: Group): GroupResult => {
      const fields: Record<string, unknown> = {};
      o.groupBy.forEach((p, i) => {
        fields[p] = g.parts[i] ?? null;
      });
      return { key: g.key, label: g.label, fields, values: values(g), records: g.n };
    };
    const by = o.sortBy;
    const groups = Array.from(w.groups.values());
    const sortVals = groups.map((g) => this.value(g, by));
    const order = groups.map((_, i) => i).sort((a, b) => sortVals[b]! - sortVals[a]!
      || (groups[a]!.label < groups[b]!.label ? -1 : groups[a]!.label > groups[b]!.label ? 1 : 0)
      || (groups[a]!.key < groups[b]!.key ? -1 : 1));
    const totals: Record<string, number> = {};
    for (let i = 0; i < metrics.length; i++) {
      const m = metrics[i]!;
      const v = w.totalSets && w.totalSets[i] ? w.totalSets[i]!.count() : w.totals[i]!;
      totals[m.name] = m.kind === 'rate' ? v / seconds : v;
    }
    return {
      start,
      end,
      label: windowLabel(start, perMessage ? { kind: 'fixed', ms: 60_000 } : o.window, o.timeZone),
      timeZone: o.timeZone,
      seconds,
      metrics,
      sortBy: by,
      groups: order.map((i) => result(groups[i]!)),
      folded: w.other ? { ...result(w.other), fields: {} } : null,
      foldedGroups: w.folded,
      totals,
      records: w.records,
    };
  }

  // ---- persistence -------------------------------------------------------------------------

  /** The options that give a state its meaning: a change makes a saved state useless. */
  private fingerprint(): string {
    const o = this.options;
    return JSON.stringify([o.groupBy, o.labelPath ?? null, o.metrics.map((m) => m.text), o.window, o.timeZone]);
  }

  /** Plain JSON for a context store: open windows, counters and remembered identities. */
  exportState(): AggregateState {
    const groupJson = (g: Group): GroupJson => ({
      key: g.key, parts: g.parts, label: g.label, n: g.n, vals: Array.from(g.vals),
      sets: g.sets ? g.sets.map((s) => (s ? s.toJSON() : null)) : null,
    });
    return {
      format: STATE_FORMAT,
      fingerprint: this.fingerprint(),
      maxTs: Number.isFinite(this.maxTs) ? this.maxTs : null,
      closedUpTo: Number.isFinite(this.closedUpTo) ? this.closedUpTo : null,
      counters: {
        records: this.nRecords, late: this.nLate, duplicates: this.nDuplicates, invalid: this.nInvalid,
        folded: this.nFolded, closed: this.nClosed,
      },
      windows: Array.from(this.windows.values()).map((w) => ({
        start: w.start, end: w.end, records: w.records, folded: w.folded, minTs: w.minTs, maxTs: w.maxTs,
        totals: Array.from(w.totals),
        totalSets: w.totalSets ? w.totalSets.map((s) => (s ? s.toJSON() : null)) : null,
        other: w.other ? groupJson(w.other) : null,
        groups: Array.from(w.groups.values()).map(groupJson),
      })),
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
    const nm = this.nMetrics;
    const di = this.distinctIdx;
    const toGroup = (j: GroupJson): Group => {
      if (!j || typeof j.key !== 'string' || !Array.isArray(j.vals) || j.vals.length !== nm) throw new BadInputError('state', 'a group entry is malformed');
      const g = new Group(j.key, Array.isArray(j.parts) ? j.parts : [], String(j.label), nm, di);
      g.n = num(j.n);
      j.vals.forEach((v, i) => { g.vals[i] = num(v); });
      if (g.sets) for (const i of di) g.sets[i] = DistinctCounter.fromJSON(j.sets?.[i], GROUP_EXACT, GROUP_PRECISION);
      return g;
    };
    const windows: WindowState[] = [];
    for (const wj of st.windows) {
      if (!wj || typeof wj.start !== 'number' || typeof wj.end !== 'number' || !Array.isArray(wj.groups) || !Array.isArray(wj.totals)) {
        throw new BadInputError('state', 'a window entry is malformed');
      }
      const w = new WindowState(wj.start, wj.end, nm, di);
      w.records = num(wj.records);
      w.folded = num(wj.folded);
      w.minTs = typeof wj.minTs === 'number' ? wj.minTs : Infinity;
      w.maxTs = typeof wj.maxTs === 'number' ? wj.maxTs : -Infinity;
      wj.totals.forEach((v, i) => { if (i < nm) w.totals[i] = num(v); });
      if (w.totalSets) for (const i of di) w.totalSets[i] = DistinctCounter.fromJSON(wj.totalSets?.[i], TOTAL_EXACT, TOTAL_PRECISION);
      if (wj.other) w.other = toGroup(wj.other);
      for (const gj of wj.groups) {
        const g = toGroup(gj);
        if (w.groups.size >= this.options.maxGroups) this.fold(w);
        w.groups.set(g.key, g);
      }
      windows.push(w);
    }
    this.reset();
    for (const w of windows) this.windows.set(w.start, w);
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

interface GroupJson {
  key: string;
  parts: unknown[];
  label: string;
  n: number;
  vals: number[];
  sets: (DistinctJson | null)[] | null;
}

export interface AggregateState {
  format: typeof STATE_FORMAT;
  fingerprint: string;
  maxTs: number | null;
  closedUpTo: number | null;
  counters: { records: number; late: number; duplicates: number; invalid: number; folded: number; closed: number };
  windows: Array<{
    start: number; end: number; records: number; folded: number; minTs: number; maxTs: number;
    totals: number[]; totalSets: (DistinctJson | null)[] | null; other: GroupJson | null; groups: GroupJson[];
  }>;
  dedup: Array<[string, number]>;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}
