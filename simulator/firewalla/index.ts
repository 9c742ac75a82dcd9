/**
 * The Firewalla MSP side of the simulator (docs/vendors/firewalla.md): `GET /v2/flows` with
 * `Authorization: Token <token>`, the search query language, `groupBy`, `sortBy`, `limit`
 * (default 200, at most 500), cursor pagination newest first, blocked flows through
 * `status:blocked` (and nothing for `block:true`, as measured), the measured error shapes, and a
 * per-token rate limit with `x-ratelimit-*` headers on every response.
 *
 * Split by concern: `auth.ts` (tokens, rate limit), `routes.ts` (the `/v2/` routes, paging),
 * `query.ts` (search language, window, groupBy, sortBy), `render.ts` (records, error shape).
 * Assumptions where the docs are silent: `ts:<b>-<e>` is half-open
 * (b <= ts < e, so polls `ts:<last>-<now>` never overlap); without a `status` term only allowed
 * (not blocked) flows are returned; a cursor only works with the query that produced it.
 *
 * Test handle: `firewallaSim(sim)` returns this module's switches and counters.
 */
import { DEMO_CREDENTIALS, registerVendor, type SimContext, type Simulator, type SimulatorOptions, type VendorModule } from '../server';
import type { SimFlow } from '../traffic';
import { firewallaAuth } from './auth';
import { BoxCatalog } from './boxes';
import { renderFlow, withCatalog } from './render';
import { firewallaRoutes } from './routes';

export { renderFlow } from './render';
export { FIREWALLA_DEFAULT_LIMIT, FIREWALLA_MAX_LIMIT } from './routes';

export interface FirewallaSimOptions extends SimulatorOptions {
  /** Requests per token per window. Default 100 (about what the live service allows). */
  firewallaRateLimit?: number;
  /** Rate-limit window. Default 5 minutes. */
  firewallaRateWindowMs?: number;
  /** More tokens the simulator accepts, each with its own budget. */
  firewallaTokens?: string[];
  /** A token that authenticates but is not allowed (403). Default `FIREWALLA_FORBIDDEN_TOKEN`. */
  firewallaForbiddenToken?: string;
  /** How far back flows are kept. Default 30 days. */
  firewallaRetentionDays?: number;
  /** Boxes of this MSP (`GET /v2/boxes`); each flow belongs to one. Default 2. */
  firewallaBoxes?: number;
}

export const FIREWALLA_FORBIDDEN_TOKEN = 'fw-demo-forbidden-token-9876543210';

export interface FirewallaSimState {
  /** A server bug: `next_cursor` repeats the cursor of the request (from the second page on). */
  repeatCursor: boolean;
  /** The 401 text echoes the token it got, as careless services do (for redaction tests). */
  echoToken: boolean;
  rateLimit: number;
  rateWindowMs: number;
  /** Answers (any status) and 429s sent. */
  served: number;
  rateLimited: number;
  /** Resets every token's budget. */
  resetBudgets(): void;
  /** Renders the records a query would return for a window (all pages), for tests to recompute answers. */
  render(f: SimFlow): Record<string, unknown>;
  /** The boxes of this MSP; `boxes.setOnline(gid, false)` takes one offline (no flows). */
  boxes: BoxCatalog;
}

const STATES = new WeakMap<SimulatorOptions, FirewallaSimState>();

/** The Firewalla module's state of a running simulator (it must serve `firewalla`). */
export function firewallaSim(sim: Simulator): FirewallaSimState {
  const s = STATES.get(sim.options);
  if (!s) throw new Error('this simulator does not serve firewalla');
  return s;
}

registerVendor('firewalla', (ctx: SimContext, options: SimulatorOptions): VendorModule => {
  const opts = options as FirewallaSimOptions;
  const tokens = new Set([options.credentials?.firewallaToken ?? DEMO_CREDENTIALS.firewallaToken, ...(opts.firewallaTokens ?? [])]);
  const forbidden = opts.firewallaForbiddenToken ?? FIREWALLA_FORBIDDEN_TOKEN;
  const retentionMs = (opts.firewallaRetentionDays ?? 30) * 86_400_000;
  const boxes = new BoxCatalog(opts.firewallaBoxes ?? 2);
  const state: FirewallaSimState = {
    repeatCursor: false,
    echoToken: false,
    rateLimit: opts.firewallaRateLimit ?? 100,
    rateWindowMs: opts.firewallaRateWindowMs ?? 300_000,
    served: 0,
    rateLimited: 0,
    resetBudgets: () => auth.resetBudgets(),
    render: (f) => withCatalog(boxes, () => renderFlow(f)),
    boxes,
  };
  const auth = firewallaAuth(ctx, state, { tokens, forbidden });
  STATES.set(options, state);
  return { name: 'firewalla', handle: firewallaRoutes(ctx, state, auth, retentionMs) };
});
