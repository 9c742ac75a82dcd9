/**
 * The anomaly engine: per key, a metric over windows of RECORD time, compared to a threshold or a
 * learned baseline; alerts fire once, then a cooldown; optional resolves. Plain TypeScript, no
 * Node-RED import.
 *
 * Time model
 * - Record time is `ts` (epoch ms). Time is cut into panes of `window / hops` (hops = 1 for
 *   tumbling windows, so a pane is a window). A sliding window is the last `hops` panes and is
 *   evaluated each time a pane closes: a 300 s sliding window with 5 hops is evaluated every 60 s
 *   over the preceding 300 s.
 * - Watermark: the newest `ts` seen minus `lateness`. A pane closes (and the window ending with
 *   it is evaluated) once the watermark passes its end. Records for a pane that is already closed
 *   are counted as `late` and dropped; anything newer lands in its own pane however it arrives,
 *   so a page that comes newest-first, or a batch fetched late, is windowed as if it had streamed.
 *   Nothing closes by wall-clock time: if records stop, the last windows stay open until more
 *   records (or `flush()`) arrive, which is what makes a replay give the same alerts as live.
 * - Only "active" windows (the key had records in them) feed the baseline and count toward warm-up:
 *   an idle device at night would otherwise drag its baseline to zero and alert every morning. An
 *   idle window still ends a pending streak and resolves an alert.
 *
 * Rules (the value must be ABOVE the limit)
 * - threshold: value > threshold.
 * - ewma: value above the EW mean + k * EW std (baseline.ts; k is the `band` option), compared
 *   BEFORE the window updates it.
 * - zscore: mean and sample standard deviation (n - 1) of the previous `history` active windows;
 *   anomalous when (x - mean) / std > k, i.e. x above mean + k * std.
 * - For ewma and zscore, a `threshold` (if set) is a floor the value must also exceed, which
 *   keeps a near-constant series (std ~ 0) from alerting on a tiny change.
 * - Poisoning: after warm-up a window above the band feeds the baseline with the band's upper
 *   edge instead of its value (winsorising), so one spike barely moves the baseline while a lasting
 *   level shift is still learned over a few windows.
 *
 * Alert state machine per key: `pending` consecutive anomalous windows fire an alert unless the
 * window ends within `cooldown` of the last alert's window end; a sustained condition fires again
 * once the cooldown has passed. The first window that is not anomalous resolves.
 *
 * Keys live in an LRU (lru.ts, O(1) per record); beyond `maxKeys` the least recently seen key is
 * dropped and counted in `evictions`.
 *
 * Beside this file: record-access.ts (batch order), panes.ts (panes and what a window of
 * them adds up to), windows.ts (closing windows, the alert state machine), baseline.ts (ewma and
 * zscore models), key-state.ts (what a key holds), lru.ts, events.ts (alerts and resolves),
 * results.ts (what the calls report), state.ts (the saved state).
 */
import { systemClock } from '../clock';
import { DedupCache } from '../dedup';
import type { AnomalyEvent } from './events';
import { isRepeat, liveFrom } from './intake';
import { KEY_SEP, KeyState } from './key-state';
import { Lru } from './lru';
import { parseOptions, type AnomalyOptions, type AnomalyOptionsInput, type MetricKind } from './options';
import { addTopSample } from './panes';
import { compilePath, type PathReader } from '../record-path';
import { sortedOrder } from './record-access';
import { isTimeInRange, keyText, MAX_ABS_VALUE, MAX_KEY_TEXT, metricNumber, recordTime, timeProblem, valueText } from './record-checks';
import { countStructures, type EngineStats, type IngestResult, type StructureSizes } from './results';
import { WindowCloser } from './windows';
import { checkStateFormat, countersFromJson, finiteOrNull, keyFromJson, keyToJson, stateFingerprint, STATE_FORMAT, timeOr, type AnomalyState } from './state';

export type { Baseline } from './baseline';
export type { AnomalyEvent, AnomalyPayload } from './events';
export type { AnomalyState } from './state';
export type { EngineStats, IngestResult, RecordError, StructureSizes } from './results';
export { STATE_FORMAT } from './state';
/** Also used by the aggregate engine. */
export { sortedOrder } from './record-access';

/** Bad records listed per batch (all are counted): the report stays small whatever comes in. */
export const MAX_REPORTED = 100;

export class AnomalyEngine {
  readonly options: AnomalyOptions;
  private readonly paneMs: number;
  private readonly windowMs: number;
  private readonly latenessMs: number;
  private readonly keyGetters: PathReader[];
  private readonly metricGetter: PathReader | null;
  // Copies of options read on every record.
  private readonly kind: MetricKind;
  private readonly sampleCap: number;
  private readonly maxFutureMs: number;

  private readonly keys = new Lru<KeyState>();
  private readonly active = new Set<KeyState>();
  private readonly windows: WindowCloser;
  private maxTs = -Infinity;
  /** Panes with idx < closedUpTo are closed. */
  private closedUpTo = -Infinity;
  private now: () => number;
  private nowCache = 0;

  private nRecords = 0;
  private nEvictions = 0;
  private nLate = 0;
  private nNoKey = 0;
  private nInvalid = 0;
  private nDuplicates = 0;
  /** Identities counted within the window horizon (`dedup`), else null. */
  private readonly repeats: DedupCache | null;


  constructor(options: AnomalyOptionsInput, clock: { now?: () => number } = {}) {
    this.options = parseOptions(options);
    const o = this.options;
    this.windowMs = o.window * 1000;
    this.paneMs = this.windowMs / o.hops;
    this.latenessMs = o.lateness * 1000;
    this.keyGetters = o.key.map(compilePath);
    this.metricGetter = o.metric.path ? compilePath(o.metric.path) : null;
    this.kind = o.metric.kind;
    this.sampleCap = o.sampleSize;
    this.maxFutureMs = o.maxFuture * 1000;
    this.windows = new WindowCloser(o);
    this.now = clock.now ?? systemClock.now;
    this.repeats = o.dedup ? new DedupCache({ cap: o.dedupCap, horizonMs: this.windowMs + this.latenessMs }) : null;
    this.windows.liveFrom = liveFrom(o.backfill, this.now());
  }

  get size(): number {
    return this.keys.size;
  }

  stats(): EngineStats {
    return {
      keys: this.keys.size,
      activeKeys: this.active.size,
      records: this.nRecords,
      alerts: this.windows.alerts,
      resolves: this.windows.resolves,
      evictions: this.nEvictions,
      late: this.nLate,
      noKey: this.nNoKey,
      invalid: this.nInvalid,
      duplicates: this.nDuplicates,
      backfilled: this.windows.backfilled,
      maxTs: Number.isFinite(this.maxTs) ? this.maxTs : null,
    };
  }

  /**
   * What the engine holds, counted structure by structure (the quantities memory.ts prices):
   * walks every key, so for tests and diagnostics, not per record.
   */
  structureSizes(): StructureSizes {
    return countStructures(this.keys.values(), this.keys.size);
  }

  /**
   * Feeds records (any order). A batch is processed in `ts` order, so a page that arrives
   * newest-first is as good as one that streamed. Returns the alerts and resolves of every
   * window the batch closed, in window-end order.
   */
  ingest(records: readonly unknown[] | unknown): IngestResult {
    const list: readonly unknown[] = Array.isArray(records) ? records : [records];
    const res: IngestResult = { events: [], accepted: 0, duplicates: 0, late: 0, noKey: 0, invalid: 0, errors: [] };
    this.nowCache = this.now();
    const { times, order } = sortedOrder(list);
    for (let j = 0; j < list.length; j++) {
      const i = order ? order[j]! : j;
      let msg: string | null;
      try {
        if (this.repeats !== null && isRepeat(this.repeats, list[i], times[i]!)) {
          res.duplicates++;
          this.nDuplicates++;
          continue;
        }
        msg = this.addAt(list[i], times[i]!);
      } catch (err) {
        // Last line of defence (a throwing getter on a record built in a function node):
        // reported like any bad record, never thrown at the flow.
        this.nInvalid++;
        msg = `record: unreadable (${err instanceof Error ? err.name : 'error'})`;
      }
      if (msg === null) res.accepted++;
      else if (msg === LATE) res.late++;
      else if (msg === NO_KEY) res.noKey++;
      else {
        res.invalid++;
        if (res.errors.length < MAX_REPORTED) res.errors.push({ index: i, message: msg });
      }
    }
    res.errors.sort((x, y) => x.index - y.index);
    res.events = this.takeEvents();
    return res;
  }

  /**
   * The hot path, one record: null when accepted, else why not. Exposed for the benchmark and
   * for callers that stream; events it produces are collected by `takeEvents()`.
   */
  add(r: unknown): string | null {
    return this.addAt(r, r !== null && typeof r === 'object' ? recordTime(r) : NaN);
  }

  private addAt(r: unknown, ts: number): string | null {
    if (r === null || typeof r !== 'object') {
      this.nInvalid++;
      return 'record: expected an object';
    }
    if (!isTimeInRange(ts)) {
      this.nInvalid++;
      return timeProblem(r);
    }
    if (ts > this.nowCache + this.maxFutureMs) {
      // Re-read the clock once before rejecting: the cached value may be a batch old.
      this.nowCache = this.now();
      if (ts > this.nowCache + this.maxFutureMs) {
        this.nInvalid++;
        return `ts: ${new Date(ts).toISOString()} is more than ${this.options.maxFuture} s in the future`;
      }
    }
    let x = 1;
    let dv: string | undefined;
    const kind = this.kind;
    if (kind === 'sum' || kind === 'rate') {
      const v = this.metricGetter!(r);
      // Plain finite numbers (nearly every record) skip the checks' call.
      if (typeof v === 'number' && v <= MAX_ABS_VALUE && v >= -MAX_ABS_VALUE) {
        x = v;
      } else {
        const n = metricNumber(v);
        if (typeof n !== 'number') {
          this.nInvalid++;
          return `${this.options.metric.path}: ${n.reason}`;
        }
        x = n;
      }
    } else if (kind === 'distinct') {
      const v = valueText(this.metricGetter!(r));
      if (typeof v === 'object') {
        this.nInvalid++;
        return `${this.options.metric.path}: ${v.reason}`;
      }
      dv = v;
    }

    // Key before the watermark moves: a record without a key must not close windows.
    let id: string | undefined;
    const g = this.keyGetters;
    for (let i = 0; i < g.length; i++) {
      const v = g[i]!(r);
      // Plain short strings (nearly every key) skip the checks' call.
      const p = typeof v === 'string' && v.length <= MAX_KEY_TEXT && v !== '' ? v : keyText(v);
      if (typeof p !== 'string') {
        if (p === undefined) {
          id = undefined;
          break;
        }
        this.nInvalid++;
        return `${this.options.key[i]}: ${p.reason}`;
      }
      id = i === 0 ? p : id + KEY_SEP + p;
    }
    if (id === undefined) {
      this.nNoKey++;
      return NO_KEY;
    }

    if (ts > this.maxTs) {
      this.maxTs = ts;
      const c = Math.floor((ts - this.latenessMs) / this.paneMs);
      if (c > this.closedUpTo) this.advance(c);
    }
    const p = Math.floor(ts / this.paneMs);
    if (p < this.closedUpTo) {
      this.nLate++;
      return LATE;
    }

    let s = this.keys.get(id);
    if (s === undefined) {
      s = this.createKey(id, r, ts);
    } else if (s !== this.keys.head) {
      this.keys.touch(s);
    }
    if (!s.active) {
      s.active = true;
      // Everything before the watermark was idle for this key; nothing to evaluate there.
      s.nextPane = Math.max(s.nextPane, this.closedUpTo);
      this.active.add(s);
    }

    // The open pane; records mostly go to the newest one.
    let pane = s.cur;
    if (pane === null || pane.idx !== p) pane = s.openPane(p, kind);
    pane.n++;
    const cap = this.sampleCap;
    if (kind === 'distinct') {
      if (dv !== undefined && pane.distinct!.add(dv)) {
        if (pane.samples.length < cap) pane.samples.push(r);
      }
    } else {
      pane.val += x;
      if (kind === 'count') {
        if (pane.samples.length < cap) pane.samples.push(r);
      } else if (x > pane.svMin && cap > 0) {
        addTopSample(pane, r, x, cap);
      }
    }
    this.nRecords++;
    return null;
  }

  /** Events produced by `add()` since the last call, in window-end order. */
  takeEvents(): AnomalyEvent[] {
    return this.windows.take();
  }

  /**
   * Closes every open window now, whatever the watermark (end of a replay, a `msg.flush`).
   * Records older than the newest one seen become late afterwards.
   */
  flush(): AnomalyEvent[] {
    if (Number.isFinite(this.maxTs)) {
      // Close the newest pane and every trailing sliding window that still holds its records.
      const c = Math.floor(this.maxTs / this.paneMs) + this.options.hops;
      if (c > this.closedUpTo) this.advance(c);
    }
    return this.takeEvents();
  }

  /** Forgets every key and the watermark; counters are kept. */
  reset(): void {
    this.keys.clear();
    this.active.clear();
    this.maxTs = -Infinity;
    this.closedUpTo = -Infinity;
    this.windows.events = [];
    this.repeats?.clear();
    this.windows.liveFrom = liveFrom(this.options.backfill, this.now());
  }

  // ---- keys and LRU ------------------------------------------------------------------------

  private createKey(id: string, r: unknown, ts: number): KeyState {
    const fields: Record<string, unknown> = {};
    const paths = this.options.key;
    for (let i = 0; i < paths.length; i++) fields[paths[i]!] = this.keyGetters[i]!(r);
    while (this.keys.size >= this.options.maxKeys && this.keys.tail) this.evict(this.keys.tail);
    const s = new KeyState(id, fields, ts, this.options.hops);
    this.keys.add(s);
    return s;
  }

  private evict(s: KeyState): void {
    this.keys.remove(s);
    if (s.active) this.active.delete(s);
    this.nEvictions++;
  }

  // ---- windows -----------------------------------------------------------------------------

  /** Moves the watermark to pane `c` and evaluates every window that closes on the way. */
  private advance(c: number): void {
    this.closedUpTo = c;
    for (const s of this.active) if (!this.windows.close(s, c)) this.active.delete(s);
  }

  // ---- persistence ------------------------------------------------------------------------

  /** Plain JSON (no Map, Set or Infinity) for a context store. Keys oldest first. */
  exportState(): AnomalyState {
    const keys = [];
    for (const s of this.keys.oldestFirst()) keys.push(keyToJson(s));
    return {
      format: STATE_FORMAT,
      fingerprint: stateFingerprint(this.options),
      maxTs: finiteOrNull(this.maxTs),
      closedUpTo: finiteOrNull(this.closedUpTo),
      counters: {
        records: this.nRecords, alerts: this.windows.alerts, resolves: this.windows.resolves, evictions: this.nEvictions,
        late: this.nLate, noKey: this.nNoKey, invalid: this.nInvalid,
      },
      keys,
    };
  }

  /**
   * Replaces the state with an exported one. Returns false (and changes nothing) when it was
   * made with a different key, metric, window or rule; throws `BadInputError` when malformed.
   * If it holds more keys than `maxKeys`, the oldest are dropped (and counted as evictions).
   */
  importState(state: unknown): boolean {
    const st = checkStateFormat(state);
    if (st.fingerprint !== stateFingerprint(this.options)) return false;
    const list = st.keys.map((k) => keyFromJson(k, this.options));
    this.reset();
    const drop = Math.max(0, list.length - this.options.maxKeys);
    for (let i = drop; i < list.length; i++) {
      const s = list[i]!;
      this.keys.add(s);
      if (s.active) this.active.add(s);
    }
    const c = countersFromJson(st.counters);
    this.nRecords = c.records;
    this.windows.alerts = c.alerts;
    this.windows.resolves = c.resolves;
    this.nEvictions = c.evictions + drop;
    this.nLate = c.late;
    this.nNoKey = c.noKey;
    this.nInvalid = c.invalid;
    this.maxTs = timeOr(st.maxTs, -Infinity);
    this.closedUpTo = timeOr(st.closedUpTo, -Infinity);
    // History ends where the saved run stopped closing windows: what it had not judged yet is
    // judged live now, so a restart does not silence the windows polled around it.
    if (Number.isFinite(this.closedUpTo)) this.windows.liveFrom = Math.min(this.windows.liveFrom, this.closedUpTo * this.paneMs);
    return true;
  }
}

const LATE = 'late';
const NO_KEY = 'no key';
