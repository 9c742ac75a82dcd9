/**
 * What the anomaly engine holds per key: its LRU links, open panes, the ring of closed panes of
 * the current window, the alert state machine and the baseline.
 */
import type { BaselineState } from './baseline';
import type { LruEntry } from './lru';
import type { MetricKind } from './options';
import { newPane, type Pane } from './panes';

export class KeyState implements LruEntry<KeyState>, BaselineState {
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

  /** The open pane `idx`, created in order when the key has none yet. */
  openPane(idx: number, kind: MetricKind): Pane {
    const open = this.open;
    let at = open.length;
    for (let i = open.length - 1; i >= 0; i--) {
      const q = open[i]!;
      if (q.idx === idx) return q;
      if (q.idx < idx) break;
      at = i;
    }
    const pane = newPane(idx, kind);
    open.splice(at, 0, pane);
    this.cur = open[open.length - 1]!;
    return pane;
  }

  /** Open and closed panes held. */
  panes(): Pane[] {
    return [...this.open, ...this.ring.filter((p): p is Pane => p !== null)];
  }
}

/** Joins the texts of a key's fields into the key's id. */
export const KEY_SEP = '\u001f';
