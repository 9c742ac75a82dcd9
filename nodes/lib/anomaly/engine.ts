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
 * - ewma: Finch (2009) incremental EW mean and variance with weight alpha, first window
 *   initialises the mean (variance 0): diff = x - mean; incr = alpha * diff; mean += incr;
 *   var = (1 - alpha) * (var + diff * incr). Band = mean ± k * sqrt(var) (k is the `band` option), compared BEFORE the
 *   window updates it.
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
 * Keys live in an LRU (a Map plus an intrusive doubly-linked list, O(1) per record); beyond
 * `maxKeys` the least recently seen key is dropped and counted in `evictions`.
 */
import { systemClock } from '../clock';
import { BadInputError } from '../errors';
import { formatSpan, formatValue } from './format';
import { DistinctCounter, HyperLogLog, unionCount } from './hyperloglog';
import { panesPerKey } from './memory';
import { isTimeInRange, keyText, MAX_ABS_VALUE, MAX_KEY_TEXT, metricNumber, recordTime, timeProblem, valueText } from './record-checks';
import { displayBaseline } from './format';
import { parseOptions, type AnomalyOptions, type AnomalyOptionsInput, type MetricKind, type Rule } from './options';

export interface Baseline {
  mean: number;
  std: number;
  lower: number;
  upper: number;
  /** (value - mean) / std; null when std is 0. */
  score: number | null;
}

export interface AnomalyPayload {
  key: string;
  keyFields: Record<string, unknown>;
  metric: string;
  value: number;
  rule: Rule;
  /** The threshold rule's limit, or the floor of a baseline rule when one is set. */
  threshold?: number;
  baseline?: Baseline;
  window: { start: number; end: number; seconds: number; type: 'tumbling' | 'sliding' };
  /** Record time of the key's first record. */
  firstSeen: number;
  /** Records of the key in the window. */
  records: number;
  sample: unknown[];
  /** Alerts: the condition was already alerting before (a sustained rise after cooldown). */
  repeat?: boolean;
  /** Resolves: always true; `since` is the end of the window that alerted. */
  resolved?: boolean;
  since?: number;
}

export interface AnomalyEvent {
  type: 'alert' | 'resolve';
  topic: string;
  payload: AnomalyPayload;
}

export interface RecordError {
  /** Index of the record in the batch. */
  index: number;
  message: string;
}

export interface IngestResult {
  events: AnomalyEvent[];
  accepted: number;
  late: number;
  /** Records without a value for the key paths. */
  noKey: number;
  /** Bad records, reported and skipped (the first `MAX_REPORTED` kept in `errors`). */
  invalid: number;
  errors: RecordError[];
}

export interface EngineStats {
  keys: number;
  activeKeys: number;
  records: number;
  alerts: number;
  resolves: number;
  evictions: number;
  late: number;
  noKey: number;
  invalid: number;
  /** Newest record time seen (epoch ms), or null. */
  maxTs: number | null;
}

export interface StructureSizes {
  keys: number;
  /** Open and closed panes held, over all keys, and the most any one key holds. */
  panes: number;
  maxPanesPerKey: number;
  /** distinct: panes counting with a HyperLogLog sketch, and values held exactly (as hashes). */
  sketches: number;
  exactValues: number;
  /** Records held as alert samples. */
  samples: number;
  /** z-score: history slots allocated. */
  historyValues: number;
}

/** One pane of one key: the metric accumulated over `window / hops` of record time. */
interface Pane {
  idx: number;
  val: number;
  n: number;
  /** distinct: the pane's values, exact while few, then a fixed-size sketch. */
  distinct: DistinctCounter | null;
  samples: unknown[];
  /** For sum / rate: the metric value of each sample, to keep the largest contributors. */
  sv: number[];
  /** Smallest of `sv` once it is full (-Infinity before): most records are not sampled. */
  svMin: number;
}

class KeyState {
  prev: KeyState | null = null;
  next: KeyState | null = null;
  /** The newest open pane, where most records go (saves a memory load per record). */
  cur: Pane | null = null;
  /** Panes not yet closed, ascending by idx. */
  open: Pane[] = [];
  /** Closed panes of the current sliding window (ring of `hops`); null = empty pane. */
  ring: (Pane | null)[];
  ringPos = 0;
  ringRecords = 0;
  /** First pane not yet evaluated (set when the key becomes active). */
  nextPane = -Infinity;
  active = false;
  windows = 0;
  pendingRun = 0;
  alerting = false;
  alertEnd = -Infinity;
  lastAlertEnd = -Infinity;
  // EWMA
  mean = 0;
  variance = 0;
  n = 0;
  // z-score history ring
  hist: Float64Array | null = null;
  histPos = 0;
  histCount = 0;

  constructor(
    readonly id: string,
    readonly fields: Record<string, unknown>,
    readonly firstSeen: number,
    hops: number,
  ) {
    this.ring = new Array<Pane | null>(hops).fill(null);
  }
}

type Getter = (r: unknown) => unknown;

function getter(path: string): Getter {
  const segs = path.split('.');
  if (segs.length === 1) {
    const a = segs[0]!;
    return (r) => (r as Record<string, unknown>)[a];
  }
  if (segs.length === 2) {
    const [a, b] = segs as [string, string];
    return (r) => {
      const o = (r as Record<string, unknown>)[a];
      return o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[b] : undefined;
    };
  }
  return (r) => {
    let o: unknown = r;
    for (const s of segs) {
      if (o === null || typeof o !== 'object') return undefined;
      o = (o as Record<string, unknown>)[s];
    }
    return o;
  };
}


const KEY_SEP = '\u001f';
/** Bad records listed per batch (all are counted): the report stays small whatever comes in. */
export const MAX_REPORTED = 100;
export const STATE_FORMAT = 'network-flow-anomaly/1';

export class AnomalyEngine {
  readonly options: AnomalyOptions;
  private readonly paneMs: number;
  private readonly windowMs: number;
  private readonly latenessMs: number;
  private readonly cooldownMs: number;
  private readonly keyGetters: Getter[];
  private readonly metricGetter: Getter | null;
  private readonly minPending: number;
  // Copies of options read on every record.
  private readonly kind: MetricKind;
  private readonly sampleCap: number;
  private readonly maxDistinct: number;
  private readonly maxFutureMs: number;

  private readonly keys = new Map<string, KeyState>();
  private head: KeyState | null = null; // most recently seen
  private tail: KeyState | null = null; // least recently seen
  private readonly active = new Set<KeyState>();
  /** distinct, sliding windows: the union of a window's panes is built here. */
  private readonly scratch = new HyperLogLog();
  private maxTs = -Infinity;
  /** Panes with idx < closedUpTo are closed. */
  private closedUpTo = -Infinity;
  private now: () => number;
  private nowCache = 0;

  private nRecords = 0;
  private nAlerts = 0;
  private nResolves = 0;
  private nEvictions = 0;
  private nLate = 0;
  private nNoKey = 0;
  private nInvalid = 0;

  /** Events produced while closing panes, handed out by the public calls. */
  private out: AnomalyEvent[] = [];

  constructor(options: AnomalyOptionsInput, clock: { now?: () => number } = {}) {
    this.options = parseOptions(options);
    const o = this.options;
    this.windowMs = o.window * 1000;
    this.paneMs = this.windowMs / o.hops;
    this.latenessMs = o.lateness * 1000;
    this.cooldownMs = o.cooldown * 1000;
    this.keyGetters = o.key.map(getter);
    this.metricGetter = o.metric.path ? getter(o.metric.path) : null;
    this.minPending = Math.max(1, o.pending);
    this.kind = o.metric.kind;
    this.sampleCap = o.sampleSize;
    this.maxDistinct = o.maxDistinct;
    this.maxFutureMs = o.maxFuture * 1000;
    this.now = clock.now ?? systemClock.now;
  }

  get size(): number {
    return this.keys.size;
  }

  stats(): EngineStats {
    return {
      keys: this.keys.size,
      activeKeys: this.active.size,
      records: this.nRecords,
      alerts: this.nAlerts,
      resolves: this.nResolves,
      evictions: this.nEvictions,
      late: this.nLate,
      noKey: this.nNoKey,
      invalid: this.nInvalid,
      maxTs: Number.isFinite(this.maxTs) ? this.maxTs : null,
    };
  }

  /**
   * What the engine holds, counted structure by structure (the quantities memory.ts prices):
   * walks every key, so for tests and diagnostics, not per record.
   */
  structureSizes(): StructureSizes {
    const out: StructureSizes = { keys: this.keys.size, maxPanesPerKey: 0, panes: 0, sketches: 0, exactValues: 0, samples: 0, historyValues: 0 };
    for (const s of this.keys.values()) {
      const panes = [...s.open, ...s.ring.filter((p): p is Pane => p !== null)];
      out.panes += panes.length;
      out.maxPanesPerKey = Math.max(out.maxPanesPerKey, panes.length);
      for (const p of panes) {
        out.samples += p.samples.length;
        if (p.distinct?.isExact === false) out.sketches++;
        out.exactValues += p.distinct?.exactSize ?? 0;
      }
      out.historyValues += s.hist?.length ?? 0;
    }
    return out;
  }

  /**
   * Feeds records (any order). A batch is processed in `ts` order, so a page that arrives
   * newest-first is as good as one that streamed. Returns the alerts and resolves of every
   * window the batch closed, in window-end order.
   */
  ingest(records: readonly unknown[] | unknown): IngestResult {
    const list: readonly unknown[] = Array.isArray(records) ? records : [records];
    const res: IngestResult = { events: [], accepted: 0, late: 0, noKey: 0, invalid: 0, errors: [] };
    this.nowCache = this.now();
    const { times, order } = sortedOrder(list);
    for (let j = 0; j < list.length; j++) {
      const i = order ? order[j]! : j;
      let msg: string | null;
      try {
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
    } else if (s !== this.head) {
      this.touch(s);
    }
    if (!s.active) {
      s.active = true;
      // Everything before the watermark was idle for this key; nothing to evaluate there.
      s.nextPane = Math.max(s.nextPane, this.closedUpTo);
      this.active.add(s);
    }

    // Find or create the open pane; records mostly go to the newest one.
    let pane = s.cur;
    if (pane === null || pane.idx !== p) {
      const open = s.open;
      pane = null;
      let at = open.length;
      for (let i = open.length - 1; i >= 0; i--) {
        const q = open[i]!;
        if (q.idx === p) {
          pane = q;
          break;
        }
        if (q.idx < p) break;
        at = i;
      }
      if (pane === null) {
        pane = { idx: p, val: 0, n: 0, distinct: kind === 'distinct' ? new DistinctCounter() : null, samples: [], sv: [], svMin: -Infinity };
        open.splice(at, 0, pane);
        s.cur = open[open.length - 1]!;
      }
    }
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
    const ev = this.out;
    if (ev.length === 0) return ev;
    this.out = [];
    // Stable: per key the panes are already in order; across keys, order by window end.
    return ev.length > 1 ? ev.sort((a, b) => a.payload.window.end - b.payload.window.end) : ev;
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
    this.head = this.tail = null;
    this.maxTs = -Infinity;
    this.closedUpTo = -Infinity;
    this.out = [];
  }

  // ---- keys and LRU ------------------------------------------------------------------------

  private createKey(id: string, r: unknown, ts: number): KeyState {
    const fields: Record<string, unknown> = {};
    const paths = this.options.key;
    for (let i = 0; i < paths.length; i++) fields[paths[i]!] = this.keyGetters[i]!(r);
    while (this.keys.size >= this.options.maxKeys && this.tail) this.evict(this.tail);
    const s = new KeyState(id, fields, ts, this.options.hops);
    this.keys.set(id, s);
    this.pushHead(s);
    return s;
  }

  private evict(s: KeyState): void {
    this.unlink(s);
    this.keys.delete(s.id);
    if (s.active) this.active.delete(s);
    this.nEvictions++;
  }

  private pushHead(s: KeyState): void {
    s.prev = null;
    s.next = this.head;
    if (this.head) this.head.prev = s;
    this.head = s;
    if (!this.tail) this.tail = s;
  }

  private unlink(s: KeyState): void {
    if (s.prev) s.prev.next = s.next;
    else this.head = s.next;
    if (s.next) s.next.prev = s.prev;
    else this.tail = s.prev;
    s.prev = s.next = null;
  }

  private touch(s: KeyState): void {
    this.unlink(s);
    this.pushHead(s);
  }

  // ---- windows -----------------------------------------------------------------------------

  /** Moves the watermark to pane `c` and evaluates every window that closes on the way. */
  private advance(c: number): void {
    this.closedUpTo = c;
    for (const s of this.active) this.closeKey(s, c);
  }

  private closeKey(s: KeyState, c: number): void {
    const hops = this.options.hops;
    while (s.nextPane < c) {
      const i = s.nextPane;
      const open = s.open;
      if (s.ringRecords === 0 && (open.length === 0 || open[0]!.idx > i)) {
        // An idle window: it ends a streak and resolves, then skip straight to the next records.
        if (s.pendingRun > 0 || s.alerting) this.evaluate(s, i, 0, 0);
        s.nextPane = open.length > 0 ? Math.min(open[0]!.idx, c) : c;
        continue;
      }
      const pane = open.length > 0 && open[0]!.idx === i ? open.shift()! : null;
      if (pane === s.cur) s.cur = null;
      const old = s.ring[s.ringPos];
      if (old) s.ringRecords -= old.n;
      s.ring[s.ringPos] = pane;
      s.ringPos = (s.ringPos + 1) % hops;
      if (pane) s.ringRecords += pane.n;
      if (s.ringRecords === 0) {
        if (s.pendingRun > 0 || s.alerting) this.evaluate(s, i, 0, 0);
      } else {
        this.evaluate(s, i, this.windowValue(s), s.ringRecords);
      }
      s.nextPane = i + 1;
    }
    if (s.open.length === 0 && s.ringRecords === 0) {
      s.active = false;
      this.active.delete(s);
    }
  }

  private windowValue(s: KeyState): number {
    const kind = this.options.metric.kind;
    const ring = s.ring;
    if (kind === 'distinct') {
      let n: number;
      if (ring.length === 1) n = ring[0] ? ring[0].distinct!.count() : 0;
      else n = unionCount(ring.filter((p) => p !== null).map((p) => p!.distinct!), this.scratch);
      return Math.min(n, this.maxDistinct);
    }
    let v = 0;
    for (const p of ring) if (p) v += p.val;
    return kind === 'rate' ? v / this.options.window : v;
  }

  /** Up to `sampleSize` records of the window: the largest contributors for sums and rates. */
  private windowSample(s: KeyState): unknown[] {
    const cap = this.options.sampleSize;
    const ring = s.ring;
    if (ring.length === 1) return ring[0] ? ring[0].samples.slice() : [];
    const kind = this.options.metric.kind;
    if (kind === 'sum' || kind === 'rate') {
      const all: { r: unknown; v: number }[] = [];
      for (const p of ring) if (p) p.samples.forEach((r, j) => all.push({ r, v: p.sv[j]! }));
      return all.sort((a, b) => b.v - a.v).slice(0, cap).map((e) => e.r);
    }
    // Newest panes first: the part of the window that changed.
    const out: unknown[] = [];
    for (let j = 1; j <= ring.length && out.length < cap; j++) {
      const p = ring[(s.ringPos - j + ring.length) % ring.length];
      if (p) for (const r of p.samples) if (out.length < cap) out.push(r);
    }
    return out;
  }

  /** The band of the current baseline, before this window updates it; null while unknown. */
  private band(s: KeyState): Baseline | null {
    const { rule, band: k } = this.options;
    let mean: number;
    let std: number;
    if (rule === 'ewma') {
      if (s.n === 0) return null;
      mean = s.mean;
      std = Math.sqrt(Math.max(0, s.variance));
    } else if (rule === 'zscore') {
      if (s.histCount < 2) return null;
      const h = s.hist!;
      const m = s.histCount;
      let sum = 0;
      for (let i = 0; i < m; i++) sum += h[i]!;
      mean = sum / m;
      let ss = 0;
      for (let i = 0; i < m; i++) ss += (h[i]! - mean) ** 2;
      std = Math.sqrt(ss / (m - 1));
    } else {
      return null;
    }
    // Every metric is >= 0, so a band below zero would only show a bound no value can reach.
    return { mean, std, lower: Math.max(0, mean - k * std), upper: mean + k * std, score: null };
  }

  private learn(s: KeyState, x: number): void {
    const o = this.options;
    if (o.rule === 'ewma') {
      if (s.n === 0) {
        s.mean = x;
        s.variance = 0;
      } else {
        const diff = x - s.mean;
        const incr = o.alpha * diff;
        s.mean += incr;
        s.variance = (1 - o.alpha) * (s.variance + diff * incr);
      }
      s.n++;
    } else if (o.rule === 'zscore') {
      if (!s.hist) s.hist = new Float64Array(o.history);
      s.hist[s.histPos] = x;
      s.histPos = (s.histPos + 1) % o.history;
      if (s.histCount < o.history) s.histCount++;
    }
  }

  /** One window of one key, ending with pane `i`; `records` 0 = idle window. */
  private evaluate(s: KeyState, i: number, value: number, records: number): void {
    const o = this.options;
    const start = (i - o.hops + 1) * this.paneMs;
    const end = (i + 1) * this.paneMs;
    let anomalous = false;
    let band: Baseline | null = null;
    if (records > 0) {
      const warmed = s.windows >= o.warmup;
      let learnX = value;
      if (o.rule === 'threshold') {
        anomalous = warmed && value > o.threshold!;
      } else {
        band = this.band(s);
        if (band) {
          band.score = band.std > 0 ? (value - band.mean) / band.std : null;
          const outlier = value > band.upper;
          if (warmed && outlier) learnX = band.upper;
          anomalous = warmed && outlier && (o.threshold === undefined || value > o.threshold);
        }
        this.learn(s, learnX);
      }
      s.windows++;
    } else if (o.rule !== 'threshold') {
      band = this.band(s);
      if (band) band.score = band.std > 0 ? (value - band.mean) / band.std : null;
    }

    if (anomalous) {
      s.pendingRun++;
      if (s.pendingRun >= this.minPending && end - s.lastAlertEnd >= this.cooldownMs) {
        const repeat = s.alerting;
        s.alerting = true;
        s.lastAlertEnd = end;
        s.alertEnd = end;
        this.nAlerts++;
        this.out.push(this.event('alert', s, value, records, band, start, end, repeat));
      }
      return;
    }
    s.pendingRun = 0;
    if (s.alerting) {
      s.alerting = false;
      if (o.resolve) {
        this.nResolves++;
        this.out.push(this.event('resolve', s, value, records, band, start, end, false));
      }
    }
  }

  private event(type: 'alert' | 'resolve', s: KeyState, value: number, records: number, band: Baseline | null,
    start: number, end: number, repeat: boolean): AnomalyEvent {
    const o = this.options;
    const payload: AnomalyPayload = {
      key: o.key.length === 1 ? s.id : s.id.split(KEY_SEP).join(' / '),
      keyFields: { ...s.fields },
      metric: o.metric.text,
      value,
      rule: o.rule,
      window: { start, end, seconds: o.window, type: o.windowType },
      firstSeen: s.firstSeen,
      records,
      sample: records > 0 ? this.windowSample(s) : [],
    };
    if (o.threshold !== undefined) payload.threshold = o.threshold;
    if (band) payload.baseline = displayBaseline(band);
    if (type === 'alert') payload.repeat = repeat;
    else {
      payload.resolved = true;
      payload.since = s.alertEnd;
    }
    return { type, topic: this.topic(type, payload), payload };
  }

  private topic(type: 'alert' | 'resolve', p: AnomalyPayload): string {
    const m = this.options.metric;
    const f = (n: number): string => formatValue(m, n);
    const span = formatSpan(m, this.options.window, this.options.windowType === 'sliding');
    const ref = p.baseline
      ? `baseline ${f(p.baseline.mean)} ± ${f(p.baseline.std)}`
      : `threshold ${f(p.threshold!)}`;
    if (type === 'alert') return `${p.key}: ${m.text} ${f(p.value)}${span} above ${ref}`;
    return `${p.key}: ${m.text} back to normal, ${f(p.value)}${span} (${ref})`;
  }

  // ---- persistence -------------------------------------------------------------------------

  /** The parts of the options that give the state its meaning: a change makes it useless. */
  private fingerprint(): string {
    const o = this.options;
    return JSON.stringify([o.key, o.metric.text, o.window, o.hops, o.rule, o.rule === 'zscore' ? o.history : 0]);
  }

  /** Plain JSON (no Map, Set or Infinity) for a context store. Keys oldest first. */
  exportState(): AnomalyState {
    const keys: KeyStateJson[] = [];
    for (let s = this.tail; s; s = s.prev) {
      keys.push({
        id: s.id,
        fields: s.fields,
        firstSeen: s.firstSeen,
        nextPane: finiteOrNull(s.nextPane),
        active: s.active,
        windows: s.windows,
        pendingRun: s.pendingRun,
        alerting: s.alerting,
        alertEnd: finiteOrNull(s.alertEnd),
        lastAlertEnd: finiteOrNull(s.lastAlertEnd),
        mean: s.mean,
        variance: s.variance,
        n: s.n,
        hist: s.hist ? Array.from(s.hist.subarray(0, s.histCount)) : [],
        histPos: s.histPos,
        ringPos: s.ringPos,
        ring: s.ring.map((p) => (p ? paneJson(p) : null)),
        open: s.open.map(paneJson),
      });
    }
    return {
      format: STATE_FORMAT,
      fingerprint: this.fingerprint(),
      maxTs: finiteOrNull(this.maxTs),
      closedUpTo: finiteOrNull(this.closedUpTo),
      counters: {
        records: this.nRecords, alerts: this.nAlerts, resolves: this.nResolves, evictions: this.nEvictions,
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
    const st = state as AnomalyState;
    if (st === null || typeof st !== 'object' || st.format !== STATE_FORMAT || !Array.isArray(st.keys)) {
      throw new BadInputError('state', `not a ${STATE_FORMAT} state`);
    }
    if (st.fingerprint !== this.fingerprint()) return false;
    const o = this.options;
    const fresh = new Map<string, KeyState>();
    const maxOpen = panesPerKey(o) - o.hops;
    const list: KeyState[] = [];
    for (const k of st.keys) {
      if (!k || typeof k.id !== 'string' || typeof k.firstSeen !== 'number' || !Array.isArray(k.ring) || k.ring.length !== o.hops || !Array.isArray(k.open)) {
        throw new BadInputError('state', 'a key entry is malformed');
      }
      // A saved state must not bring in more than these settings can hold.
      if (k.open.length > maxOpen) throw new BadInputError('state', `a key holds ${k.open.length} open windows (at most ${maxOpen})`);
      const s = new KeyState(k.id, k.fields ?? {}, k.firstSeen, o.hops);
      s.nextPane = timeOr(k.nextPane, -Infinity);
      s.active = k.active === true;
      s.windows = num(k.windows);
      s.pendingRun = num(k.pendingRun);
      s.alerting = k.alerting === true;
      s.alertEnd = timeOr(k.alertEnd, -Infinity);
      s.lastAlertEnd = timeOr(k.lastAlertEnd, -Infinity);
      s.mean = num(k.mean);
      s.variance = num(k.variance);
      s.n = num(k.n);
      if (o.rule === 'zscore' && Array.isArray(k.hist)) {
        const h = new Float64Array(o.history);
        const m = Math.min(k.hist.length, o.history);
        for (let i = 0; i < m; i++) h[i] = num(k.hist[i]);
        s.hist = h;
        s.histCount = m;
        s.histPos = m < o.history ? m : num(k.histPos) % o.history;
      }
      s.ringPos = num(k.ringPos) % o.hops;
      s.ring = k.ring.map((p) => (p ? this.paneFromJson(p) : null));
      s.ringRecords = s.ring.reduce((a, p) => a + (p ? p.n : 0), 0);
      s.open = k.open.map((p) => this.paneFromJson(p)).sort((a, b) => a.idx - b.idx);
      s.cur = s.open.length > 0 ? s.open[s.open.length - 1]! : null;
      list.push(s);
      fresh.set(s.id, s);
    }
    this.reset();
    const drop = Math.max(0, list.length - o.maxKeys);
    for (let i = drop; i < list.length; i++) {
      const s = list[i]!;
      this.keys.set(s.id, s);
      this.pushHead(s);
      if (s.active) this.active.add(s);
    }
    const c = st.counters ?? ({} as AnomalyState['counters']);
    this.nRecords = num(c.records);
    this.nAlerts = num(c.alerts);
    this.nResolves = num(c.resolves);
    this.nEvictions = num(c.evictions) + drop;
    this.nLate = num(c.late);
    this.nNoKey = num(c.noKey);
    this.nInvalid = num(c.invalid);
    this.maxTs = timeOr(st.maxTs, -Infinity);
    this.closedUpTo = timeOr(st.closedUpTo, -Infinity);
    return true;
  }

  private paneFromJson(p: PaneJson): Pane {
    if (!p || typeof p.idx !== 'number' || typeof p.n !== 'number') throw new BadInputError('state', 'a window entry is malformed');
    const pane: Pane = {
      idx: p.idx,
      val: num(p.val),
      n: p.n,
      distinct: this.options.metric.kind === 'distinct' ? DistinctCounter.fromJson(p.hashes, p.hll, p.set) : null,
      samples: Array.isArray(p.samples) ? p.samples : [],
      sv: Array.isArray(p.sv) ? p.sv.map(num) : [],
      svMin: -Infinity,
    };
    if (pane.sv.length >= this.options.sampleSize && pane.sv.length > 0) pane.svMin = minOf(pane.sv);
    return pane;
  }
}

export interface PaneJson {
  idx: number;
  val: number;
  n: number;
  /** distinct, exact: the values' hashes. */
  hashes?: number[];
  /** distinct, sketched: the HyperLogLog registers, base64. */
  hll?: string;
  /** distinct, states saved before the sketch: the values themselves (read only). */
  set?: unknown[];
  samples: unknown[];
  sv: number[];
}

export interface KeyStateJson {
  id: string;
  fields: Record<string, unknown>;
  firstSeen: number;
  nextPane: number | null;
  active: boolean;
  windows: number;
  pendingRun: number;
  alerting: boolean;
  alertEnd: number | null;
  lastAlertEnd: number | null;
  mean: number;
  variance: number;
  n: number;
  hist: number[];
  histPos: number;
  ringPos: number;
  ring: (PaneJson | null)[];
  open: PaneJson[];
}

export interface AnomalyState {
  format: typeof STATE_FORMAT;
  fingerprint: string;
  maxTs: number | null;
  closedUpTo: number | null;
  counters: { records: number; alerts: number; resolves: number; evictions: number; late: number; noKey: number; invalid: number };
  keys: KeyStateJson[];
}

const LATE = 'late';
const NO_KEY = 'no key';

function finiteOrNull(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

/** A saved time or pane index; `fallback` for anything that is not a finite number. */
function timeOr(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function paneJson(p: Pane): PaneJson {
  const j: PaneJson = { idx: p.idx, val: p.val, n: p.n, samples: p.samples, sv: p.sv };
  if (p.distinct) Object.assign(j, p.distinct.toJson());
  return j;
}

/** Keeps the `cap` records with the largest metric value in the pane (called when x > svMin). */
function addTopSample(pane: Pane, r: unknown, x: number, cap: number): void {
  const sv = pane.sv;
  if (sv.length < cap) {
    pane.samples.push(r);
    sv.push(x);
    if (sv.length === cap) pane.svMin = minOf(sv);
    return;
  }
  let min = 0;
  for (let i = 1; i < sv.length; i++) if (sv[i]! < sv[min]!) min = i;
  sv[min] = x;
  pane.samples[min] = r;
  pane.svMin = minOf(sv);
}

function minOf(a: number[]): number {
  let m = a[0]!;
  for (let i = 1; i < a.length; i++) if (a[i]! < m) m = a[i]!;
  return m;
}

/**
 * Each record's time (NaN when unusable) and the indices in ascending time, or null for the
 * order when the batch is already in order (the usual case).
 */
export function sortedOrder(list: readonly unknown[]): { times: Float64Array; order: number[] | null } {
  let prev = -Infinity;
  let sorted = true;
  const times = new Float64Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const r = list[i];
    const t = r !== null && typeof r === 'object' ? recordTime(r) : NaN;
    times[i] = t;
    if (t < prev) sorted = false;
    if (t > prev) prev = t; // NaN never compares: unusable times do not break the order
  }
  if (sorted) return { times, order: null };
  // Unusable times sort first; they are rejected one by one anyway.
  const key = (i: number): number => (Number.isNaN(times[i]!) ? -Infinity : times[i]!);
  const idx = Array.from({ length: list.length }, (_, i) => i);
  return { times, order: idx.sort((a, b) => key(a) - key(b) || a - b) };
}
