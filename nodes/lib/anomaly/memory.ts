/**
 * Worst-case memory of an anomaly node's settings: the one place that computes it, used by the
 * node at deploy (a warning), by the editor through the node's admin endpoint (a live warning as
 * the user types) and by the help's formula and examples.
 *
 *   total = maxKeys × (key + panes × pane)
 *   panes = ceil(lateness / (window / hops)) + 1 open panes + hops closed panes in the window
 *   pane  = PANE + sampleSize × SAMPLE_RECORD (+ DISTINCT for distinct metrics)
 *   key   = KEY + paths × MAX_KEY_TEXT × 4 (the id and the key fields, two bytes a character)
 *           (+ history × 8 for z-score)
 *
 * The byte figures are V8 sizes measured on Node 20 (64-bit), rounded up; SAMPLE_RECORD assumes
 * a normalized NetworkFlow record of about 1 kB held as an alert sample.
 */
import { MAX_KEY_TEXT } from './record-checks';
import { EXACT_LIMIT, HLL_REGISTERS } from './hyperloglog';
import { formatBytes } from './format';
import type { AnomalyOptions } from './options';

export const BYTES = {
  /** Per key: its state object, LRU links, Map entry, ring array. */
  key: 600,
  /** Per pane: the object and its small arrays. */
  pane: 300,
  /** Per sampled record: the record itself (assumed about 1 kB) and its slot. */
  sampleRecord: 1040,
  /** Per distinct pane: the larger of the exact hash set (EXACT_LIMIT entries) and the sketch. */
  distinct: Math.max(EXACT_LIMIT * 40, HLL_REGISTERS + 100),
  /** Per z-score history value. */
  historyValue: 8,
} as const;

/** Above this the editor and the deploy warn. */
export const MEMORY_WARN_BYTES = 512 * 1024 * 1024;

export interface MemoryEstimate {
  keys: number;
  panesPerKey: number;
  paneBytes: number;
  keyBytes: number;
  /** Worst case for the whole node, bytes. */
  bytes: number;
  limit: number;
  overLimit: boolean;
  /** e.g. `10,000 keys × 13 kB = 130 MB` */
  text: string;
}

/** Panes one key can hold at once: open ones (lateness) and the closed ones of its window. */
export function panesPerKey(o: Pick<AnomalyOptions, 'window' | 'hops' | 'lateness'>): number {
  const pane = o.window / o.hops;
  // The small epsilon keeps 300 / (300 / 5) from rounding up to 6 panes.
  return Math.ceil(o.lateness / pane - 1e-9) + 1 + o.hops;
}

export function estimateMemory(o: AnomalyOptions): MemoryEstimate {
  const paneBytes = BYTES.pane + o.sampleSize * BYTES.sampleRecord + (o.metric.kind === 'distinct' ? BYTES.distinct : 0);
  const keyBytes = BYTES.key + o.key.length * MAX_KEY_TEXT * 4 + (o.rule === 'zscore' ? o.history * BYTES.historyValue : 0);
  const panes = panesPerKey(o);
  const perKey = keyBytes + panes * paneBytes;
  const bytes = o.maxKeys * perKey;
  return {
    keys: o.maxKeys,
    panesPerKey: panes,
    paneBytes,
    keyBytes,
    bytes,
    limit: MEMORY_WARN_BYTES,
    overLimit: bytes > MEMORY_WARN_BYTES,
    text: `${o.maxKeys.toLocaleString('en-US')} keys × ${formatBytes(perKey)} = ${formatBytes(bytes)}`,
  };
}
