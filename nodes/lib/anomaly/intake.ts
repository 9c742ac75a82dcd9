/**
 * What the anomaly engine lets in before it counts: repeats and history
 * (docs/design.md#duplicates-and-backfill).
 *
 * - Repeats: a record whose identity (nodes/lib/dedup: the vendor record id, else the Community
 *   ID plus start time) was already counted within the window plus lateness of record time is
 *   skipped, the rule the aggregate node uses, so overlapping polls do not inflate a window.
 * - Backfill: with `learn`, every window that ends at or before the moment the engine started
 *   (or was reset) is history, the first poll's look back: it teaches baselines and warm-up but
 *   never alerts, so 24 h fetched at once does not raise a day of alerts in one second. Windows
 *   ending later are live and alert as usual. After a restore of saved state, history ends where
 *   the saved run had closed its windows instead. `alert` evaluates history like live data (replays).
 */
import type { DedupCache } from '../dedup';
import type { Backfill } from './options';

/** True when `record` was already counted within the cache's horizon (then skip it). */
export function isRepeat(cache: DedupCache, record: unknown, ts: number): boolean {
  if (!Number.isFinite(ts)) return false;
  return cache.checkRecord(record, ts);
}

/** The end of history (epoch ms) for a backfill mode, read at start or reset. */
export function liveFrom(mode: Backfill, now: number): number {
  return mode === 'learn' ? now : -Infinity;
}
