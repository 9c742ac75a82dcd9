/**
 * Leases and once-only claims on a shared store (docs/state.md#coordination-api): one holder per
 * key at a time, with expiry, so two Node-RED instances poll a site once and raise an alert once.
 *
 * A lease is taken with SET NX PX semantics (atomically in the backend) and renewed by its holder
 * every third of its time to live. Fencing: the holder counts itself the leader only until
 * `start of the last successful renewal + ttl - ttl/10` on its own clock, so a holder that cannot
 * renew (Redis down, process stalled) stops acting before Redis can hand the lease to another
 * instance; a renewal that fails or finds another owner drops the lease at once.
 */
import { systemClock, type Clock } from '../clock';
import type { LeaseBackend } from './redis-context-store';

export const MIN_LEASE_MS = 100;
export const MAX_LEASE_MS = 3_600_000;

interface Held {
  ttlMs: number;
  /** Local deadline: not leader after this instant without a renewal. */
  until: number;
  timer?: unknown;
}

export interface LeasesOptions {
  backend: LeaseBackend;
  /** Identifies this instance in the store (unique per process). */
  owner: string;
  clock?: Clock;
  /** Called when this instance gains or loses a lease. */
  onChange?: (key: string, leader: boolean) => void;
  /** Called with a backend failure (credentials already removed by the store). */
  onError?: (message: string) => void;
}

export class Leases {
  private readonly held = new Map<string, Held>();
  private readonly clock: Clock;
  private closed = false;

  constructor(private readonly o: LeasesOptions) {
    this.clock = o.clock ?? systemClock;
  }

  /**
   * Takes the lease `key` for `ttlMs`, or renews it when this instance holds it; true when this
   * instance is the leader for `key` now. Renewals then run by themselves until `release` or
   * `close`, or until one fails.
   */
  async acquire(key: string, ttlMs: number): Promise<boolean> {
    if (this.closed) return false;
    const ttl = Math.min(MAX_LEASE_MS, Math.max(MIN_LEASE_MS, Math.round(ttlMs)));
    const start = this.clock.now();
    let ok = false;
    try {
      ok = await this.o.backend.lease(key, this.o.owner, ttl);
    } catch (e) {
      this.o.onError?.((e as Error).message);
    }
    if (this.closed) return false;
    const was = this.held.get(key);
    if (!ok) {
      this.drop(key);
      return false;
    }
    if (was?.timer !== undefined) this.clock.clearTimeout(was.timer);
    const h: Held = { ttlMs: ttl, until: start + ttl - Math.ceil(ttl / 10) };
    h.timer = this.clock.setTimeout(() => void this.acquire(key, ttl), Math.max(1, Math.floor(ttl / 3)));
    this.held.set(key, h);
    if (!was) this.o.onChange?.(key, true);
    return this.isLeader(key);
  }

  /** True while this instance holds `key` and its local deadline has not passed. */
  isLeader(key: string): boolean {
    const h = this.held.get(key);
    return h !== undefined && this.clock.now() < h.until;
  }

  /** Gives `key` up (the other instance can take it at once). */
  async release(key: string): Promise<void> {
    if (!this.held.has(key)) return;
    this.drop(key);
    try {
      await this.o.backend.release(key, this.o.owner);
    } catch (e) {
      this.o.onError?.((e as Error).message);
    }
  }

  /**
   * True for the first instance to claim `key` within `ttlMs`. When the store cannot be reached
   * the answer is true: a duplicate alert is better than a lost one (docs/state.md#coordination-api).
   */
  async claim(key: string, ttlMs: number): Promise<boolean> {
    try {
      return await this.o.backend.claim(key, Math.min(MAX_LEASE_MS * 24, Math.max(MIN_LEASE_MS, Math.round(ttlMs))));
    } catch (e) {
      this.o.onError?.((e as Error).message);
      return true;
    }
  }

  /** Stops every renewal and releases every lease held. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.held.keys()].map((k) => this.release(k)));
  }

  private drop(key: string): void {
    const h = this.held.get(key);
    if (!h) return;
    if (h.timer !== undefined) this.clock.clearTimeout(h.timer);
    this.held.delete(key);
    this.o.onChange?.(key, false);
  }
}
