/**
 * The Riverbed FlowGateway side of the simulator: the Common API 1.0 authentication (auth_info,
 * Basic, cookie sessions, OAuth 2.0 access-code -> bearer token, expiry) and
 * `GET /api/mgmt.flowgateway_analytics/1.0/import_stats` with a JSON body (templates A, B, C).
 *
 * Answers come from the shared generated traffic, so every vendor of the simulator tells the same
 * story. Split by concern: `auth.ts` (accounts, Basic, sessions, OAuth tokens), `routes.ts`
 * (resources, request checks, window limits), `render.ts` (stats rows, times, errors).
 */
import { registerVendor, type SimContext, type SimulatorOptions } from '../server';
import { flowgatewayAuth } from './auth';
import { flowgatewayRoutes } from './routes';

export { formatTime } from './render';
export { COMMON, IMPORT_STATS, parseStatsRequest } from './routes';

export interface FlowGatewayAccount {
  password: string;
  /** `disabled` -> 403 AUTH_DISABLED_ACCOUNT, `expired-password` -> 403 AUTH_EXPIRED_PASSWORD,
   *  `no-analytics` -> 403 AUTH_FORBIDDEN on import_stats. Default `active`. */
  state?: 'active' | 'disabled' | 'expired-password' | 'no-analytics';
}

/** Options read from the simulator's options object (read on every request, so tests may change them live). */
export interface FlowGatewaySimOptions {
  /** Response envelope of import_stats: a bare array (the documented example, default) or `{DisplayStats: [...]}`. */
  flowgatewayEnvelope?: 'bare' | 'DisplayStats';
  /** Lifetime of OAuth access tokens in seconds (default 3600, as the appliance). */
  flowgatewayTokenLifetime?: number;
  /** Extra accounts besides the demo one (DEMO_CREDENTIALS / options.credentials). */
  flowgatewayAccounts?: Record<string, FlowGatewayAccount>;
  /** Access codes besides the demo one; `expired: true` -> 401 AUTH_EXPIRED_CODE. */
  flowgatewayAccessCodes?: Record<string, { user: string; expired?: boolean }>;
  /** What auth_info lists; default all three. Methods not listed are refused. */
  flowgatewayMethods?: Array<'BASIC' | 'COOKIE' | 'OAUTH_2_0'>;
}

/** What tests can look at: counters and live sessions / tokens of one simulator. */
export interface FlowGatewaySimState {
  logins: number;
  failedLogins: number;
  logouts: number;
  tokenGrants: number;
  /** session id -> user */
  sessions: Map<string, string>;
  /** token -> {user, expiresAt (ms)} */
  tokens: Map<string, { user: string; expiresAt: number }>;
  /** Successful import_stats answers. */
  statsAnswers: number;
}

const STATE = new WeakMap<SimulatorOptions, FlowGatewaySimState>();

/** The FlowGateway state of a simulator (`flowgatewayState(sim)`). */
export function flowgatewayState(sim: { options: SimulatorOptions }): FlowGatewaySimState {
  const s = STATE.get(sim.options);
  if (!s) throw new Error('simulator: the riverbed-flowgateway vendor is not loaded');
  return s;
}

registerVendor('riverbed-flowgateway', (ctx: SimContext, options: SimulatorOptions) => {
  const state: FlowGatewaySimState = {
    logins: 0, failedLogins: 0, logouts: 0, tokenGrants: 0, sessions: new Map(), tokens: new Map(), statsAnswers: 0,
  };
  STATE.set(options, state);
  const auth = flowgatewayAuth(ctx, options, state);
  return {
    name: 'riverbed-flowgateway',
    handle: flowgatewayRoutes(ctx, options, state, auth),
    expireSessions() {
      state.sessions.clear();
      // Tokens stay known but expire, so clients see AUTH_EXPIRED_TOKEN as after a long idle.
      const now = ctx.now();
      for (const t of state.tokens.values()) t.expiresAt = Math.min(t.expiresAt, now);
    },
  };
});
