/**
 * The worst-case request rate of a set of flows against each vendor's rate budget
 * (docs/vendors/firewalla.md#limits-and-errors; the other vendors document none, so a polite
 * budget is assumed). Used by test/lib/examples/rate-budget.test.ts on every example and on what
 * `npm start` deploys, and by `npm run demo:check` to print the numbers.
 *
 * The model: an inject fires every `repeat` seconds after a deploy, and a deploy cancels the
 * running timer, so two fires are never closer than `repeat`: at most floor(window / repeat) + 1
 * in any window, however often the user deploys. An inject that fires at deploy (`once`) or on a
 * cron schedule has no such bound: it is reported as unbounded.
 */

export interface FlowNode { id: string; type: string; [k: string]: unknown }

export interface Budget {
  /** Requests allowed per `windowS` per account (token or device). */
  requests: number;
  windowS: number;
  documented: boolean;
}

/** Per config type: the vendor's budget, and requests per poll (logins and logouts included). */
export const VENDOR_BUDGETS: Record<string, Budget & { requestsPerPage: number; overheadPerPoll: number }> = {
  // 100 requests per token per 5 minutes (measured, docs/vendors/firewalla.md); token auth, no login.
  'firewalla-msp-config': { requests: 100, windowS: 300, documented: true, requestsPerPage: 1, overheadPerPoll: 0 },
  // No documented limit: a polite 100 per 5 minutes per appliance; login, query, logout.
  'citrix-sdwan-config': { requests: 100, windowS: 300, documented: false, requestsPerPage: 1, overheadPerPoll: 2 },
  // No documented limit: a polite 100 per 5 minutes per device; auth_info, authenticate, query, logout.
  'riverbed-flowgateway-config': { requests: 100, windowS: 300, documented: false, requestsPerPage: 1, overheadPerPoll: 3 },
};

export interface PollSource {
  inject: string;
  endpoint: string;
  /** Polls in the worst window; Infinity when unbounded (fires at deploy, or cron). */
  polls: number;
  pagesPerPoll: number;
  requests: number;
  why?: string;
}

export interface AccountRate {
  /** config type + host (+ token): everything that shares one budget. */
  account: string;
  configType: string;
  budget: Budget;
  worstRequests: number;
  sources: PollSource[];
}

function pagesPerPoll(node: FlowNode): number {
  if (node.type !== 'firewalla-flows') return 1;
  const mode = String(node.pagination ?? 'page');
  if (mode === 'page' || mode === '') return 1;
  const max = Number(node.maxPages ?? 10);
  return Number.isFinite(max) && max > 0 ? max : 10;
}

/** Worst-case requests per budget window for every account the flows use. */
export function worstCaseRates(flows: readonly FlowNode[], accountOf: (config: FlowNode) => string = (c) => `${c.type} ${String(c.host)}`): AccountRate[] {
  const byId = new Map(flows.map((n) => [n.id, n]));
  const out = new Map<string, AccountRate>();
  for (const inj of flows.filter((n) => n.type === 'inject')) {
    const targets = ((inj.wires as string[][] | undefined) ?? []).flat().map((id) => byId.get(id)).filter((n): n is FlowNode => n !== undefined);
    for (const ep of targets) {
      const config = typeof ep.server === 'string' ? byId.get(ep.server) : undefined;
      const vendor = config ? VENDOR_BUDGETS[config.type] : undefined;
      if (!config || !vendor) continue;
      const repeat = Number(inj.repeat);
      let polls: number;
      let why: string | undefined;
      if (inj.once === true || inj.once === 'true') {
        polls = Infinity;
        why = 'fires at every deploy (once)';
      } else if (typeof inj.crontab === 'string' && inj.crontab !== '') {
        polls = Infinity;
        why = 'cron schedule';
      } else if (!Number.isFinite(repeat) || repeat <= 0) {
        polls = 0; // a button: the user's own presses
      } else {
        polls = Math.floor(vendor.windowS / repeat) + 1;
      }
      const pages = pagesPerPoll(ep);
      const requests = polls * (pages * vendor.requestsPerPage + vendor.overheadPerPoll);
      const account = accountOf(config);
      const rate = out.get(account) ?? { account, configType: config.type, budget: vendor, worstRequests: 0, sources: [] };
      rate.worstRequests += requests;
      rate.sources.push({ inject: inj.id, endpoint: ep.id, polls, pagesPerPoll: pages, requests, ...(why ? { why } : {}) });
      out.set(account, rate);
    }
  }
  return [...out.values()];
}
