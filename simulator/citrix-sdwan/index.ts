/**
 * The Citrix SD-WAN side of the simulator: NITRO session login / logout with cookies, session
 * idle timeout, and the monitor resources `flows` and `ilbflows` (v2, and v1 for older firmware)
 * with the `filter` query parameter, `max_stats`, the three response envelopes the sources
 * disagree about, and `{errorcode, errormessage}` errors (docs/vendors/citrix-sdwan.md).
 *
 * Records are rendered from the shared generated traffic (`ctx.traffic`), so SD-WAN, Firewalla
 * and FlowGateway tell one consistent story. Every field is a string, as the NITRO docs say.
 * Split by concern: `auth.ts` (sessions, cookies), `routes.ts` (resources, `filter`),
 * `render.ts` (records, envelopes, errors).
 *
 * Test handle: `sdwanSim(sim)` returns this module's state (login counter, sessions, envelope,
 * malformed-record switch) for a running Simulator.
 */
import { DEMO_CREDENTIALS, registerVendor, type SimContext, type Simulator, type SimulatorOptions, type VendorModule } from '../server';
import type { SimFlow } from '../traffic';
import { sdwanSessions } from './auth';
import { activeFlows, type SdwanEnvelope } from './render';
import { sdwanRoutes } from './routes';

export { SDWAN_ERRORS, type SdwanEnvelope } from './render';
export { parseFilter, SDWAN_DEFAULT_MAX_STATS, SDWAN_MAX_STATS } from './routes';

export interface SdwanSimOptions extends SimulatorOptions {
  /** Response envelope: bare array, `{"flows":[...]}` (`keyed`, alias `flows`), or doubly nested. `rotate` cycles per response. Default `keyed`. */
  sdwanEnvelope?: SdwanEnvelope | 'flows' | 'rotate';
  /** A session unused this long ends (as the appliance's idle timeout). Default 30 minutes. */
  sdwanIdleTimeoutMs?: number;
}

/** What a malformed record looks like: not an object at all, or a field of the wrong type. */
export type SdwanMalformed = 'not-object' | 'wrong-type';

export interface SdwanSimState {
  /** Successful logins since start. */
  logins: number;
  /** Login attempts refused (bad credentials, bad body, wrong content type). */
  failedLogins: number;
  logouts: number;
  /** Live sessions. */
  readonly sessionCount: number;
  /** The two cookie names of this simulator instance (random, so no client can hard-code them). */
  readonly cookieNames: { session: string; token: string };
  envelope: SdwanEnvelope | 'rotate';
  /** The next `count` monitor responses carry one malformed record at index `index` (default 1). */
  malformNext(kind: SdwanMalformed, count?: number, index?: number): void;
  /** Active flows at `now`, as the monitor would render them (for tests to recompute answers). */
  activeFlows(now?: number): SimFlow[];
}

const STATES = new WeakMap<SimulatorOptions, SdwanSimState>();

/** The SD-WAN module's state of a running simulator (it must serve `citrix-sdwan`). */
export function sdwanSim(sim: Simulator): SdwanSimState {
  const s = STATES.get(sim.options);
  if (!s) throw new Error('this simulator does not serve citrix-sdwan');
  return s;
}

registerVendor('citrix-sdwan', (ctx: SimContext, options: SimulatorOptions): VendorModule => {
  const opts = options as SdwanSimOptions;
  const malformed: Array<{ kind: SdwanMalformed; index: number }> = [];
  const state: SdwanSimState = {
    logins: 0,
    failedLogins: 0,
    logouts: 0,
    get sessionCount() {
      return sessions.count;
    },
    get cookieNames() {
      return sessions.cookieNames;
    },
    envelope: opts.sdwanEnvelope === 'flows' ? 'keyed' : (opts.sdwanEnvelope ?? 'keyed'),
    malformNext(kind, count = 1, index = 1) {
      for (let i = 0; i < count; i++) malformed.push({ kind, index });
    },
    activeFlows: (now = ctx.now()) => activeFlows(ctx, now),
  };
  const sessions = sdwanSessions(
    ctx,
    {
      username: options.credentials?.sdwanUsername ?? DEMO_CREDENTIALS.sdwanUsername,
      password: options.credentials?.sdwanPassword ?? DEMO_CREDENTIALS.sdwanPassword,
      idleMs: opts.sdwanIdleTimeoutMs ?? 30 * 60_000,
    },
    state,
  );
  STATES.set(options, state);
  return { name: 'citrix-sdwan', handle: sdwanRoutes(ctx, state, sessions, malformed), expireSessions: () => sessions.clear() };
});
