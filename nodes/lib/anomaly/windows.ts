/**
 * Closing a key's windows as the watermark passes them, and the alert state machine
 * (docs/design.md#network-flow-anomaly): each closed window is compared to the threshold or the
 * baseline band; `pending` anomalous windows in a row fire an alert unless within `cooldown` of
 * the last one; the first window that is not anomalous resolves. Idle windows end a streak.
 */
import { baselineBand, learnBaseline, type Baseline } from './baseline';
import { anomalyEvent, type AnomalyEvent } from './events';
import { HyperLogLog } from './hyperloglog';
import type { KeyState } from './key-state';
import type { AnomalyOptions } from './options';
import { windowValue, type WindowMetric } from './panes';

export class WindowCloser {
  alerts = 0;
  resolves = 0;
  /** Events produced while closing panes, handed out by the engine's public calls. */
  events: AnomalyEvent[] = [];
  /** Windows ending at or before this (epoch ms) learn without alerting (`backfill`). */
  liveFrom = -Infinity;
  /** Windows above their limit that ended before `liveFrom`: taught the baseline only. */
  backfilled = 0;
  private readonly paneMs: number;
  private readonly cooldownMs: number;
  private readonly minPending: number;
  private readonly windowMetric: WindowMetric;
  /** distinct, sliding windows: the union of a window's panes is built here. */
  private readonly scratch = new HyperLogLog();

  constructor(private readonly o: AnomalyOptions) {
    this.paneMs = (o.window * 1000) / o.hops;
    this.cooldownMs = o.cooldown * 1000;
    this.minPending = Math.max(1, o.pending);
    this.windowMetric = { kind: o.metric.kind, window: o.window, maxDistinct: o.maxDistinct };
  }

  /** Events since the last call, in window-end order. */
  take(): AnomalyEvent[] {
    const ev = this.events;
    if (ev.length === 0) return ev;
    this.events = [];
    // Stable: per key the panes are already in order; across keys, order by window end.
    return ev.length > 1 ? ev.sort((a, b) => a.payload.window.end - b.payload.window.end) : ev;
  }

  /**
   * Evaluates every window of `s` that ends before pane `c` (the watermark). False when the key
   * has nothing left open and is no longer active.
   */
  close(s: KeyState, c: number): boolean {
    const hops = this.o.hops;
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
        this.evaluate(s, i, windowValue(s.ring, this.windowMetric, this.scratch), s.ringRecords);
      }
      s.nextPane = i + 1;
    }
    if (s.open.length === 0 && s.ringRecords === 0) {
      s.active = false;
      return false;
    }
    return true;
  }

  /** One window of one key, ending with pane `i`; `records` 0 = idle window. */
  private evaluate(s: KeyState, i: number, value: number, records: number): void {
    const o = this.o;
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
        band = baselineBand(s, o);
        if (band) {
          band.score = band.std > 0 ? (value - band.mean) / band.std : null;
          const outlier = value > band.upper;
          if (warmed && outlier) learnX = band.upper;
          anomalous = warmed && outlier && (o.threshold === undefined || value > o.threshold);
        }
        learnBaseline(s, learnX, o);
      }
      s.windows++;
      if (anomalous && end <= this.liveFrom) {
        // Backfill: history teaches the baseline (winsorised above) but never alerts.
        anomalous = false;
        this.backfilled++;
      }
    } else if (o.rule !== 'threshold') {
      band = baselineBand(s, o);
      if (band) band.score = band.std > 0 ? (value - band.mean) / band.std : null;
    }

    if (anomalous) {
      s.pendingRun++;
      if (s.pendingRun >= this.minPending && end - s.lastAlertEnd >= this.cooldownMs) {
        const repeat = s.alerting;
        s.alerting = true;
        s.lastAlertEnd = end;
        s.alertEnd = end;
        this.alerts++;
        this.events.push(anomalyEvent('alert', s, { value, records, band, start, end }, repeat, o));
      }
      return;
    }
    s.pendingRun = 0;
    if (s.alerting) {
      s.alerting = false;
      if (o.resolve) {
        this.resolves++;
        this.events.push(anomalyEvent('resolve', s, { value, records, band, start, end }, false, o));
      }
    }
  }
}
