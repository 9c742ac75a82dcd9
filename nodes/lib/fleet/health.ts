/**
 * Site health (docs/fleets.md#site-health): per site the last success, consecutive failures,
 * the last error code and the records of the last poll; a `down` event when a site failed
 * `failuresToDown` polls in a row (or, when `emptyToDown` is set, answered with no records that
 * many polls in a row), and an `up` event on the first good poll after that. Exactly one event
 * per change: a site that stays down raises nothing more. Plain data in, plain data out: the
 * node decides how to show it.
 */
import { BadInputError } from '../errors';

export type SiteCondition = 'unknown' | 'up' | 'down';

export interface SiteHealth {
  site: string;
  condition: SiteCondition;
  /** Epoch ms of the last successful poll. */
  lastSuccess?: number;
  lastAttempt?: number;
  consecutiveFailures: number;
  /** Successful polls in a row that returned no records. */
  consecutiveEmpty: number;
  lastErrorCode?: string;
  lastError?: string;
  /** Records of the last successful poll. */
  recordsLastPoll?: number;
  /** Epoch ms when the current condition began. */
  since?: number;
}

export interface HealthEvent {
  event: 'down' | 'up';
  site: string;
  /** `failures` or `no-records` for down; `recovered` for up. */
  reason: 'failures' | 'no-records' | 'recovered';
  at: number;
  health: SiteHealth;
}

export interface HealthOptions {
  /** Failed polls in a row that make a site down. Default 3. */
  failuresToDown?: number;
  /** Polls in a row without records that make a site down; 0 turns it off (default). */
  emptyToDown?: number;
}

export interface HealthSummary {
  total: number;
  ok: number;
  down: number;
  unknown: number;
}

function whole(v: number, min: number, field: string): number {
  if (!Number.isInteger(v) || v < min || v > 1000) throw new BadInputError(field, `expected a whole number from ${min} to 1000, got ${v}`);
  return v;
}

export class FleetHealth {
  readonly failuresToDown: number;
  readonly emptyToDown: number;
  private readonly sites = new Map<string, SiteHealth>();

  constructor(opts: HealthOptions = {}) {
    this.failuresToDown = whole(opts.failuresToDown ?? 3, 1, 'failuresToDown');
    this.emptyToDown = whole(opts.emptyToDown ?? 0, 0, 'emptyToDown');
  }

  /** The sites to track: new ones start `unknown`, removed ones are forgotten. */
  setSites(names: readonly string[]): void {
    const keep = new Set(names);
    for (const k of [...this.sites.keys()]) if (!keep.has(k)) this.sites.delete(k);
    for (const n of names) if (!this.sites.has(n)) this.sites.set(n, { site: n, condition: 'unknown', consecutiveFailures: 0, consecutiveEmpty: 0 });
  }

  get(site: string): SiteHealth | undefined {
    const h = this.sites.get(site);
    return h ? { ...h } : undefined;
  }

  success(site: string, records: number, at: number): HealthEvent | undefined {
    const h = this.entry(site);
    h.lastAttempt = at;
    h.lastSuccess = at;
    h.consecutiveFailures = 0;
    h.recordsLastPoll = records;
    h.consecutiveEmpty = records > 0 ? 0 : h.consecutiveEmpty + 1;
    if (this.emptyToDown > 0 && h.consecutiveEmpty >= this.emptyToDown) return this.become(h, 'down', 'no-records', at);
    if (h.condition === 'down') {
      // Down for no records comes back only with records; down for failures with any answer.
      if (this.emptyToDown > 0 && records === 0) return undefined;
      return this.become(h, 'up', 'recovered', at);
    }
    if (h.condition === 'unknown') {
      h.condition = 'up';
      h.since = at;
    }
    return undefined;
  }

  failure(site: string, code: string, message: string, at: number): HealthEvent | undefined {
    const h = this.entry(site);
    h.lastAttempt = at;
    h.consecutiveFailures++;
    h.lastErrorCode = code;
    h.lastError = message;
    if (h.consecutiveFailures >= this.failuresToDown) return this.become(h, 'down', 'failures', at);
    return undefined;
  }

  summary(): HealthSummary {
    const s: HealthSummary = { total: this.sites.size, ok: 0, down: 0, unknown: 0 };
    for (const h of this.sites.values()) {
      if (h.condition === 'down') s.down++;
      else if (h.condition === 'up' && h.consecutiveFailures === 0) s.ok++;
      else s.unknown++;
    }
    return s;
  }

  snapshot(): SiteHealth[] {
    return [...this.sites.values()].map((h) => ({ ...h }));
  }

  private entry(site: string): SiteHealth {
    let h = this.sites.get(site);
    if (!h) {
      h = { site, condition: 'unknown', consecutiveFailures: 0, consecutiveEmpty: 0 };
      this.sites.set(site, h);
    }
    return h;
  }

  private become(h: SiteHealth, condition: 'up' | 'down', reason: HealthEvent['reason'], at: number): HealthEvent | undefined {
    if (h.condition === condition) return undefined;
    h.condition = condition;
    h.since = at;
    return { event: condition, site: h.site, reason, at, health: { ...h } };
  }
}
