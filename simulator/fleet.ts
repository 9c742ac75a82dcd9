/**
 * Many simulated appliances at once (docs/fleets.md#the-simulated-fleet): one Simulator per site,
 * each on its own ephemeral port of 127.0.0.1 with its own sessions, traffic (seed + site index)
 * and request budget, and switches to take any of them down (new connections are reset, open
 * ones dropped) and bring it back. The fleet counts, across every site, the sockets open at once
 * (a socket counts from accept until the client ends it), requests in flight, and 429s sent, so a
 * test can hold a poller to its concurrency cap and its rate budget.
 */
import type { Socket } from 'node:net';
import { Simulator, loadVendors, sendJson, type SimRequest, type SimulatorOptions } from './server';

export interface FleetOptions extends SimulatorOptions {
  /** Appliances to start. */
  sites: number;
  /** Seed of site i is `seed + i` (default seed 1). */
  seed?: number;
  /** Requests each appliance answers per window before it sends 429 (default: no limit). */
  siteRateLimit?: number;
  /** Default 60 s. */
  siteRateWindowMs?: number;
}

export class SimFleet {
  readonly sims: Simulator[] = [];
  /** Sockets open now and the most ever open at once, all sites together. */
  open = 0;
  peakOpen = 0;
  inFlight = 0;
  peakInFlight = 0;
  /** 429 answers sent by the per-site rate limit. */
  rateLimited = 0;
  /** Requests answered, all sites. */
  requests = 0;
  private readonly down = new Set<number>();

  private constructor(private readonly options: FleetOptions) {}

  static async start(options: FleetOptions): Promise<SimFleet> {
    loadVendors();
    const fleet = new SimFleet(options);
    try {
      for (let i = 0; i < options.sites; i++) fleet.sims.push(await new Simulator(fleet.siteOptions(i)).start());
    } catch (err) {
      await fleet.close();
      throw err;
    }
    return fleet;
  }

  /** `http://127.0.0.1:<port>` of site i. */
  url(i: number): string {
    return this.sim(i).url;
  }

  sim(i: number): Simulator {
    const s = this.sims[i];
    if (!s) throw new Error(`simulator fleet: no site ${i}`);
    return s;
  }

  /** Takes site i down: open sockets dropped, new connections reset, until `up(i)`. */
  takeDown(i: number): void {
    this.down.add(i);
    this.sim(i).dropConnections();
  }

  bringUp(i: number): void {
    this.down.delete(i);
  }

  isDown(i: number): boolean {
    return this.down.has(i);
  }

  async close(): Promise<void> {
    await Promise.all(this.sims.map((s) => s.close()));
  }

  private siteOptions(i: number): SimulatorOptions {
    const o = this.options;
    const limit = o.siteRateLimit;
    const windowMs = o.siteRateWindowMs ?? 60_000;
    const now = o.now ?? (() => Date.now());
    let windowStart = -Infinity;
    let used = 0;
    return {
      ...o,
      seed: (o.seed ?? 1) + i,
      gate: {
        connection: (socket: Socket) => {
          if (this.down.has(i)) return false;
          this.open++;
          this.peakOpen = Math.max(this.peakOpen, this.open);
          let counted = true;
          const gone = (): void => {
            if (!counted) return;
            counted = false;
            this.open--;
          };
          socket.once('end', gone);
          socket.once('close', gone);
          return true;
        },
        request: (_req: SimRequest, res) => {
          this.requests++;
          this.inFlight++;
          this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
          res.once('close', () => this.inFlight--);
          if (limit === undefined) return false;
          const t = now();
          if (t >= windowStart + windowMs) {
            windowStart = t;
            used = 0;
          }
          if (used >= limit) {
            this.rateLimited++;
            const retry = Math.max(1, Math.ceil((windowStart + windowMs - t) / 1000));
            sendJson(res, 429, { error: 'Too Many Requests' }, { 'retry-after': String(retry) });
            return true;
          }
          used++;
          return false;
        },
      },
    };
  }
}
