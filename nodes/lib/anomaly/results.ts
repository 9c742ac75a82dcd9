/**
 * What the anomaly engine's calls report: the outcome of a batch, the running counters, and
 * what it holds structure by structure (the quantities memory.ts prices).
 */
import type { AnomalyEvent } from './events';
import type { KeyState } from './key-state';

export interface RecordError {
  /** Index of the record in the batch. */
  index: number;
  message: string;
}

export interface IngestResult {
  events: AnomalyEvent[];
  accepted: number;
  /** Records seen before within the window horizon (`dedup`): skipped, not counted again. */
  duplicates: number;
  late: number;
  /** Records without a value for the key paths. */
  noKey: number;
  /** Bad records, reported and skipped (the first `MAX_REPORTED` kept in `errors`). */
  invalid: number;
  errors: RecordError[];
}

/** Running totals since the engine started (kept in its saved state). */
export interface EngineCounters {
  records: number;
  alerts: number;
  resolves: number;
  evictions: number;
  late: number;
  noKey: number;
  invalid: number;
}

export interface EngineStats extends EngineCounters {
  keys: number;
  activeKeys: number;
  duplicates: number;
  /** Windows above their limit that ended before `live`, so only taught the baseline (`backfill: learn`). */
  backfilled: number;
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

/** Walks every key: for tests and diagnostics, not per record. */
export function countStructures(keys: Iterable<KeyState>, keyCount: number): StructureSizes {
  const out: StructureSizes = { keys: keyCount, maxPanesPerKey: 0, panes: 0, sketches: 0, exactValues: 0, samples: 0, historyValues: 0 };
  for (const s of keys) {
    const panes = s.panes();
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
