/**
 * The site poller engine (docs/fleets.md#the-site-poller): one session per site (opened on first
 * use and kept, so an appliance sees one login, not one per poll), cycles run with a concurrency
 * cap and jitter (`runCycle`), idle sockets released after each site's poll, every outcome fed to
 * the health tracker. A trigger while a cycle runs is skipped, not queued: polls never pile up.
 */
import { FlowError } from '../errors';
import { systemClock, type Clock } from '../clock';
import { runCycle, type CycleOptions } from './cycle';
import { FleetHealth, type HealthEvent, type HealthOptions } from './health';
import type { Site } from './sites';

export interface SitePollResult {
  records: unknown[];
  invalid: Array<{ index: number; reason: string }>;
  /** What the vendor endpoint node would put in `msg.networkFlows`. */
  meta: Record<string, unknown>;
}

export interface SiteSession {
  poll(signal: AbortSignal | undefined): Promise<SitePollResult>;
  /** Closes idle sockets between polls (the session itself is kept). */
  releaseIdle?(): Promise<void>;
  /** Logs out and closes everything. */
  close(): Promise<void>;
}

export interface SitePollerOptions extends Omit<CycleOptions, 'signal' | 'clock'> {
  open(site: Site): SiteSession;
  health?: HealthOptions;
  clock?: Clock;
  onResult?(site: Site, result: SitePollResult, at: number): void;
  onEvent?(event: HealthEvent): void;
  /**
   * Asked once per site per cycle before it is polled (docs/fleets.md#several-node-red-instances):
   * false skips the site this cycle (another instance holds it); its health is left as it is.
   * Default: every site is polled.
   */
  mayPoll?(site: Site, signal: AbortSignal | undefined): Promise<boolean>;
}

export interface CycleReport {
  /** False when a cycle was still running (this trigger did nothing). */
  ran: boolean;
  sites: number;
  ok: number;
  failed: number;
  records: number;
  /** Sites another instance held (`mayPoll` said no). */
  skipped: number;
  startedAt: number;
  durationMs: number;
}

export class SitePoller {
  readonly health: FleetHealth;
  private readonly sessions = new Map<string, SiteSession>();
  private readonly sites: readonly Site[];
  private readonly opts: SitePollerOptions;
  private readonly clock: Clock;
  private running = false;
  private closed = false;

  constructor(sites: readonly Site[], opts: SitePollerOptions) {
    this.sites = sites;
    this.opts = opts;
    this.clock = opts.clock ?? systemClock;
    this.health = new FleetHealth(opts.health);
    this.health.setSites(sites.map((s) => s.name));
  }

  get busy(): boolean {
    return this.running;
  }

  /** One cycle; `handlers` replace the constructor's onResult / onEvent for this cycle. */
  async cycle(signal?: AbortSignal, handlers: Pick<SitePollerOptions, 'onResult' | 'onEvent'> = this.opts): Promise<CycleReport> {
    const startedAt = this.clock.now();
    if (this.running || this.closed) return { ran: false, sites: this.sites.length, ok: 0, failed: 0, skipped: 0, records: 0, startedAt, durationMs: 0 };
    this.running = true;
    let records = 0;
    let skipped = 0;
    try {
      const outcomes = await runCycle(
        this.sites,
        async (site, sig) => {
          let session: SiteSession | undefined;
          try {
            if (this.opts.mayPoll && !(await this.opts.mayPoll(site, sig))) {
              skipped++;
              return;
            }
            session = this.session(site);
            const result = await session.poll(sig);
            if (sig?.aborted || this.closed) return;
            records += result.records.length;
            const at = this.clock.now();
            handlers.onResult?.(site, result, at);
            const ev = this.health.success(site.name, result.records.length, at);
            if (ev) handlers.onEvent?.(ev);
          } catch (err) {
            if (sig?.aborted || this.closed) throw err;
            const code = err instanceof FlowError ? err.code : 'NETWORK';
            const ev = this.health.failure(site.name, code, err instanceof Error ? err.message : String(err), this.clock.now());
            if (ev) handlers.onEvent?.(ev);
            throw err;
          } finally {
            await session?.releaseIdle?.().catch(() => undefined);
          }
        },
        { concurrency: this.opts.concurrency, jitterMs: this.opts.jitterMs, random: this.opts.random, clock: this.clock, signal },
      );
      const ok = outcomes.filter((o) => o.ok).length;
      return { ran: true, sites: this.sites.length, ok: ok - skipped, failed: outcomes.length - ok, skipped, records, startedAt, durationMs: this.clock.now() - startedAt };
    } finally {
      this.running = false;
    }
  }

  /** Logs every session out and closes it. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((s) => s.close().catch(() => undefined)));
  }

  private session(site: Site): SiteSession {
    let s = this.sessions.get(site.name);
    if (!s) {
      s = this.opts.open(site);
      this.sessions.set(site.name, s);
    }
    return s;
  }
}
