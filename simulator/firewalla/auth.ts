/**
 * Firewalla MSP authentication and rate limiting (docs/vendors/firewalla.md):
 * `Authorization: Token <token>`, 401 for an unknown token, 403 for one that is known but not
 * allowed, and a budget of requests per presented token and window, with `x-ratelimit-*` headers
 * on every answer and 429 + `retry-after` once the budget is spent.
 */
import type http from 'node:http';
import { sendJson, type SimContext, type SimRequest } from '../server';
import { sendError } from './render';
import type { FirewallaSimState } from './index';

export interface FirewallaAuthOptions {
  /** Tokens the service accepts. */
  tokens: Set<string>;
  /** A token that authenticates but may not read flows. */
  forbidden: string;
}

export interface FirewallaAuth {
  /**
   * Checks the request's token and spends one request of its budget. Returns the rate-limit
   * headers for the answer, or undefined when it has already answered (401, 403, 429).
   */
  admit(req: SimRequest, res: http.ServerResponse): http.OutgoingHttpHeaders | undefined;
  /** Forgets every token's budget. */
  resetBudgets(): void;
}

export function firewallaAuth(ctx: SimContext, state: FirewallaSimState, opts: FirewallaAuthOptions): FirewallaAuth {
  const budgets = new Map<string, { start: number; used: number }>();
  return {
    resetBudgets: () => budgets.clear(),
    admit(req, res) {
      const auth = String(req.headers.authorization ?? '');
      const m = /^Token\s+(\S+)\s*$/i.exec(auth);
      const token = m?.[1];
      // Rate-limit window per presented token, on the simulator's clock like the traffic.
      const now = ctx.now();
      const key = token ?? '';
      let b = budgets.get(key);
      if (!b || now >= b.start + state.rateWindowMs) {
        b = { start: now, used: 0 };
        budgets.set(key, b);
      }
      const budget = b;
      const resetSec = Math.ceil((budget.start + state.rateWindowMs) / 1000);
      const rateHeaders = (): http.OutgoingHttpHeaders => ({
        'x-ratelimit-limit': String(state.rateLimit),
        'x-ratelimit-remaining': String(Math.max(0, state.rateLimit - budget.used)),
        'x-ratelimit-reset': String(resetSec),
      });
      if (!token || (!opts.tokens.has(token) && token !== opts.forbidden)) {
        const msg = state.echoToken && token ? `Invalid token ${token}` : 'Permission Denied';
        sendError(res, 401, 'Unauthorized', msg, 'UNAUTHORIZED', { ...rateHeaders(), 'www-authenticate': 'Token' });
        return undefined;
      }
      if (budget.used >= state.rateLimit) {
        state.rateLimited++;
        const retry = Math.max(1, Math.ceil((budget.start + state.rateWindowMs - now) / 1000));
        sendJson(res, 429, { error: { message: 'Too Many Requests' } }, { ...rateHeaders(), 'retry-after': String(retry) });
        return undefined;
      }
      budget.used++;
      if (token === opts.forbidden) {
        sendError(res, 403, 'Forbidden', 'This token is not allowed to read flows of this MSP', 'FORBIDDEN', rateHeaders());
        return undefined;
      }
      return rateHeaders();
    },
  };
}
