/**
 * Reverse DNS with a cache (docs/enrich.md#reverse-dns): PTR answers are kept for `ttlMs`, and
 * failures (no name, a server error, a timeout) for `negativeTtlMs`, in a bounded cache; at most
 * `maxInFlight` queries are outstanding, the rest wait in a bounded queue (beyond it a lookup
 * answers "no name" at once); each query gives up after `timeoutMs`. The clock and the timers are
 * injectable so tests never wait on the wall clock.
 */
import { Resolver } from 'node:dns/promises';
import { BadInputError } from '../errors';
import { parseIp } from '../ip';
import { TwoGenerationCache } from './cache';

export interface DnsTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ReverseDnsOptions {
  /** `ip` or `ip:port` (`[v6]:port`); empty: the system's resolvers. */
  servers?: readonly string[];
  timeoutMs: number;
  maxInFlight: number;
  ttlMs: number;
  negativeTtlMs?: number;
  cacheSize: number;
  /** Lookups waiting for a free slot; beyond it a lookup is skipped. Default 10 x maxInFlight. */
  maxQueued?: number;
  now?: () => number;
  timers?: DnsTimers;
  /** The query itself; default a `node:dns` Resolver using `servers`. */
  reverse?: (ip: string) => Promise<string[]>;
}

export interface ReverseDnsStats {
  lookups: number;
  cacheHits: number;
  inFlight: number;
  /** The most queries ever outstanding at once. */
  peakInFlight: number;
  queued: number;
  timeouts: number;
  failures: number;
  /** Lookups skipped because the queue was full. */
  skipped: number;
}

interface Cached {
  name: string | null;
  expires: number;
}

const SERVER = /^(\[[0-9A-Fa-f:.]+\]|[0-9.]+)(:(\d{1,5}))?$|^[0-9A-Fa-f:]+$/;

/** Checks a resolver list; returns it in the form `Resolver.setServers` takes. */
export function parseDnsServers(input: string | readonly string[], field = 'dnsServers'): string[] {
  const items = (typeof input === 'string' ? input.split(/[,\s]+/) : [...input]).map((s) => s.trim()).filter(Boolean);
  return items.map((item) => {
    const m = SERVER.exec(item);
    const host = m ? (m[1] ?? item).replace(/^\[|\]$/g, '') : '';
    const port = m?.[3] === undefined ? undefined : Number(m[3]);
    if (!m || !parseIp(host) || (port !== undefined && (port < 1 || port > 65535))) {
      throw new BadInputError(field, `"${item}" is not a DNS server address (expected an IP address with an optional port: 192.0.2.53, 192.0.2.53:5353, [2001:db8::53]:53)`);
    }
    return item;
  });
}

export class ReverseDns {
  private readonly cache: TwoGenerationCache<string, Cached>;
  private readonly pending = new Map<string, Promise<string | null>>();
  private readonly queue: Array<() => void> = [];
  private readonly timers: DnsTimers;
  private readonly now: () => number;
  private readonly reverse: (ip: string) => Promise<string[]>;
  private readonly resolver?: Resolver;
  private readonly maxQueued: number;
  private readonly negativeTtlMs: number;
  private readonly waiting = new Set<{ handle: unknown; finish: () => void }>();
  private closed = false;
  private readonly counters: ReverseDnsStats = { lookups: 0, cacheHits: 0, inFlight: 0, peakInFlight: 0, queued: 0, timeouts: 0, failures: 0, skipped: 0 };

  constructor(private readonly options: ReverseDnsOptions) {
    this.cache = new TwoGenerationCache(options.cacheSize);
    this.timers = options.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
    this.now = options.now ?? Date.now;
    this.maxQueued = options.maxQueued ?? options.maxInFlight * 10;
    this.negativeTtlMs = options.negativeTtlMs ?? Math.min(options.ttlMs, 300_000);
    if (options.reverse) this.reverse = options.reverse;
    else {
      // c-ares' own timeout backs ours up; one try, since our timer decides.
      const resolver = new Resolver({ timeout: options.timeoutMs, tries: 1 });
      if (options.servers?.length) resolver.setServers([...options.servers]);
      this.resolver = resolver;
      this.reverse = (ip) => resolver.reverse(ip).catch((err: NodeJS.ErrnoException) => {
        // No PTR record is an answer, not a failure.
        if (err.code === 'ENOTFOUND' || err.code === 'ENODATA') return [];
        throw err;
      });
    }
  }

  /** The cached name: a string, null (known to have none), or undefined (unknown or expired). */
  cached(ip: string): string | null | undefined {
    const hit = this.cache.get(ip);
    if (hit === undefined) return undefined;
    if (hit.expires <= this.now()) {
      this.cache.delete(ip);
      return undefined;
    }
    this.counters.cacheHits++;
    return hit.name;
  }

  /** The name of `ip` (first PTR answer, without a trailing dot), or null. Never rejects. */
  lookup(ip: string): Promise<string | null> {
    const known = this.cached(ip);
    if (known !== undefined) return Promise.resolve(known);
    const running = this.pending.get(ip);
    if (running) return running;
    if (this.closed) return Promise.resolve(null);
    if (this.counters.inFlight >= this.options.maxInFlight && this.queue.length >= this.maxQueued) {
      this.counters.skipped++;
      return Promise.resolve(null);
    }
    const p = this.run(ip);
    this.pending.set(ip, p);
    return p;
  }

  private async run(ip: string): Promise<string | null> {
    if (this.counters.inFlight >= this.options.maxInFlight) {
      this.counters.queued++;
      await new Promise<void>((resolve) => this.queue.push(resolve));
      this.counters.queued--;
      if (this.closed) return this.settle(ip, null, false);
    }
    this.counters.inFlight++;
    this.counters.peakInFlight = Math.max(this.counters.peakInFlight, this.counters.inFlight);
    this.counters.lookups++;
    let name: string | null = null;
    let cache = true;
    try {
      const names = await this.withTimeout(this.reverse(ip));
      name = names === undefined ? null : (names[0]?.replace(/\.$/, '') ?? null);
      if (names === undefined) this.counters.timeouts++;
    } catch {
      this.counters.failures++;
    } finally {
      this.counters.inFlight--;
      // Hand the slot to the next waiting lookup.
      this.queue.shift()?.();
    }
    if (this.closed) cache = false;
    return this.settle(ip, name, cache);
  }

  private settle(ip: string, name: string | null, cache: boolean): string | null {
    this.pending.delete(ip);
    if (cache) this.cache.set(ip, { name, expires: this.now() + (name === null ? this.negativeTtlMs : this.options.ttlMs) });
    return name;
  }

  /** The answer, or undefined when `timeoutMs` passed (or the resolver closed) first. */
  private withTimeout(query: Promise<string[]>): Promise<string[] | undefined> {
    return new Promise((resolve, reject) => {
      const entry = {
        handle: undefined as unknown,
        finish: () => {
          this.waiting.delete(entry);
          resolve(undefined);
        },
      };
      entry.handle = this.timers.setTimeout(entry.finish, this.options.timeoutMs);
      this.waiting.add(entry);
      query.then(
        (names) => {
          if (!this.waiting.delete(entry)) return;
          this.timers.clearTimeout(entry.handle);
          resolve(names);
        },
        (err: unknown) => {
          if (!this.waiting.delete(entry)) return;
          this.timers.clearTimeout(entry.handle);
          reject(err);
        },
      );
    });
  }

  stats(): ReverseDnsStats {
    return { ...this.counters };
  }

  /** Cancels every query and timer; waiting lookups answer null. */
  close(): void {
    this.closed = true;
    for (const entry of [...this.waiting]) {
      this.timers.clearTimeout(entry.handle);
      entry.finish();
    }
    for (const next of this.queue.splice(0)) next();
    this.resolver?.cancel();
    this.cache.clear();
  }
}
