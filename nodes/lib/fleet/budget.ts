/**
 * One request budget per API token, spent fairly (docs/fleets.md#one-budget-per-token): a token
 * bucket that never lets more than `limit` requests through in any `windowMs` (the refill rate is
 * `(limit - burst) / windowMs`, so a burst plus a full window of refills still fits the
 * service's fixed window), and waiting requests are served round-robin by key (a box, a site, a
 * node), so one busy key cannot starve the others. What the service says about the budget
 * (`observe`) wins over the bucket's own count: every node on the same token shares it.
 */
import { AbortedError, BadInputError } from '../errors';
import { systemClock, type Clock } from '../clock';

export interface RateBudgetOptions {
  /** Requests the service allows per window (Firewalla: about 100 per 5 minutes). */
  limit: number;
  windowMs: number;
  /** Requests that may go at once after a quiet time. Default a tenth of `limit` (at least 1). */
  burst?: number;
  clock?: Clock;
}

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class RateBudget {
  readonly limit: number;
  readonly windowMs: number;
  readonly burst: number;
  private readonly clock: Clock;
  /** Tokens per ms. */
  private readonly rate: number;
  private tokens: number;
  private last: number;
  /** The service said the budget is used up until then (epoch ms). */
  private blockedUntil = 0;
  private readonly queues = new Map<string, Waiter[]>();
  /** Keys with waiters, in serving order. */
  private readonly ring: string[] = [];
  private timer: unknown;
  private closed = false;
  /** Requests granted per key since start (for fairness checks and status). */
  readonly granted = new Map<string, number>();

  constructor(opts: RateBudgetOptions) {
    if (!Number.isInteger(opts.limit) || opts.limit < 1) throw new BadInputError('limit', `expected a whole number of requests of at least 1, got ${opts.limit}`);
    if (!(opts.windowMs > 0)) throw new BadInputError('windowMs', `expected a positive number of ms, got ${opts.windowMs}`);
    this.limit = opts.limit;
    this.windowMs = opts.windowMs;
    this.burst = Math.max(1, Math.min(opts.limit, Math.floor(opts.burst ?? opts.limit / 10)));
    this.clock = opts.clock ?? systemClock;
    // limit == burst: only the burst, refilled over a whole window.
    this.rate = Math.max(opts.limit - this.burst, 1) / opts.windowMs;
    this.tokens = this.burst;
    this.last = this.clock.now();
  }

  /** Requests waiting right now, all keys together. */
  get waiting(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  /** Resolves when `key` may send one request; FIFO within a key, round-robin across keys. */
  acquire(key: string, signal?: AbortSignal): Promise<void> {
    if (this.closed) return Promise.reject(new AbortedError('rate budget: closed'));
    if (signal?.aborted) return Promise.reject(new AbortedError('rate budget: cancelled'));
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = { resolve, reject, signal };
      if (signal) {
        w.onAbort = () => this.drop(key, w, new AbortedError('rate budget: cancelled while waiting for the request budget'));
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      let q = this.queues.get(key);
      if (!q) {
        q = [];
        this.queues.set(key, q);
        this.ring.push(key);
      }
      q.push(w);
      this.pump();
    });
  }

  /**
   * What a response said: `remaining` requests until `resetAt` (epoch ms). Fewer than the bucket
   * holds lowers the bucket; none left stops every grant until the reset.
   */
  observe(remaining: number | undefined, resetAt: number | undefined): void {
    if (remaining === undefined) return;
    this.refill();
    if (remaining < this.tokens) this.tokens = Math.max(0, remaining);
    if (remaining <= 0 && resetAt !== undefined && resetAt > this.clock.now()) this.blockedUntil = Math.max(this.blockedUntil, resetAt + 50);
    this.pump();
  }

  /** Rejects every waiter; later acquires fail. */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    for (const [key, q] of [...this.queues]) for (const w of [...q]) this.drop(key, w, new AbortedError('rate budget: closed'));
  }

  private refill(): void {
    const now = this.clock.now();
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + (now - this.last) * this.rate);
      this.last = now;
    }
  }

  private drop(key: string, w: Waiter, err: Error): void {
    const q = this.queues.get(key);
    const i = q ? q.indexOf(w) : -1;
    if (!q || i < 0) return;
    q.splice(i, 1);
    if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
    if (q.length === 0) this.forget(key);
    w.reject(err);
  }

  private forget(key: string): void {
    this.queues.delete(key);
    const r = this.ring.indexOf(key);
    if (r >= 0) this.ring.splice(r, 1);
  }

  private pump(): void {
    if (this.closed) return;
    this.refill();
    const now = this.clock.now();
    while (this.ring.length && this.tokens >= 1 && now >= this.blockedUntil) {
      const key = this.ring.shift()!;
      const q = this.queues.get(key)!;
      const w = q.shift()!;
      if (q.length) this.ring.push(key);
      else this.queues.delete(key);
      if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
      this.tokens -= 1;
      this.granted.set(key, (this.granted.get(key) ?? 0) + 1);
      w.resolve();
    }
    if (this.ring.length && this.timer === undefined) {
      const wait = Math.max(1, Math.ceil(now < this.blockedUntil ? this.blockedUntil - now : (1 - this.tokens) / this.rate));
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, wait);
    }
  }
}
