/**
 * The anomaly node's output events (docs/design.md#network-flow-anomaly): an `alert` or a
 * `resolve` for one key and window, with its baseline, a sample of the window's records and a
 * one-line topic for people.
 */
import type { Baseline } from './baseline';
import { displayBaseline, formatSpan, formatValue } from './format';
import { KEY_SEP, type KeyState } from './key-state';
import type { AnomalyOptions, Rule } from './options';
import { windowSample } from './panes';

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

/** The window [start, end) of a key that just closed, with its value and records (0 = idle). */
export interface ClosedWindow {
  value: number;
  records: number;
  band: Baseline | null;
  start: number;
  end: number;
}

/** The event for a key's closed window; `repeat` for an alert while already alerting. */
export function anomalyEvent(type: 'alert' | 'resolve', s: KeyState, w: ClosedWindow, repeat: boolean, o: AnomalyOptions): AnomalyEvent {
  const payload: AnomalyPayload = {
    key: o.key.length === 1 ? s.id : s.id.split(KEY_SEP).join(' / '),
    keyFields: { ...s.fields },
    metric: o.metric.text,
    value: w.value,
    rule: o.rule,
    window: { start: w.start, end: w.end, seconds: o.window, type: o.windowType },
    firstSeen: s.firstSeen,
    records: w.records,
    sample: w.records > 0 ? windowSample(s.ring, s.ringPos, o.metric.kind, o.sampleSize) : [],
  };
  if (o.threshold !== undefined) payload.threshold = o.threshold;
  if (w.band) payload.baseline = displayBaseline(w.band);
  if (type === 'alert') payload.repeat = repeat;
  else {
    payload.resolved = true;
    payload.since = s.alertEnd;
  }
  return { type, topic: topic(type, payload, o), payload };
}

function topic(type: 'alert' | 'resolve', p: AnomalyPayload, o: AnomalyOptions): string {
  const m = o.metric;
  const f = (n: number): string => formatValue(m, n);
  const span = formatSpan(m, o.window, o.windowType === 'sliding');
  const ref = p.baseline
    ? `baseline ${f(p.baseline.mean)} ± ${f(p.baseline.std)}`
    : `threshold ${f(p.threshold!)}`;
  if (type === 'alert') return `${p.key}: ${m.text} ${f(p.value)}${span} above ${ref}`;
  return `${p.key}: ${m.text} back to normal, ${f(p.value)}${span} (${ref})`;
}
