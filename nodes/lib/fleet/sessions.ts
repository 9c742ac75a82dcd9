/**
 * One session per site for the site poller (docs/fleets.md#the-site-poller), built on the
 * existing vendor clients: a Citrix SD-WAN site keeps its NITRO session between polls, a
 * FlowGateway site its session or OAuth token; each has its own HTTP pool with one socket,
 * released after every poll. Retries are kept short (one), because a site that does not answer
 * is the health tracker's business, and a cycle must end inside its interval.
 */
import { BadInputError } from '../errors';
import type { Clock } from '../clock';
import type { TlsOptions } from '../http/client';
import { SdwanClient, type ApiVersion, type SdwanEndpoint } from '../vendors/citrix-sdwan';
import { FlowGatewayClient, buildStatsRequest, type AuthMethod, type StatsProps } from '../vendors/riverbed-flowgateway';
import type { SiteSession } from './site-poller';
import type { Site } from './sites';

export const FLEET_VENDORS = ['citrix-sdwan', 'riverbed-flowgateway'] as const;
export type FleetVendor = (typeof FLEET_VENDORS)[number];

/** What every site of a list shares: the account and the connection defaults. */
export interface SiteAccount {
  vendor: FleetVendor;
  username?: string;
  password?: string;
  accessCode?: string;
  /** SD-WAN. */
  apiVersion?: ApiVersion;
  /** FlowGateway. */
  authMethod?: AuthMethod;
  timeoutMs?: number;
  clock?: Clock;
}

/** What each poll asks for. */
export type SiteRequest =
  | { vendor: 'citrix-sdwan'; resource: SdwanEndpoint; filter: Array<[string, string]>; maxStats?: 50 | 100 | 1000 }
  | { vendor: 'riverbed-flowgateway'; stats: StatsProps };

const FLEET_HTTP = { connections: 1, retry: { maxRetries: 1 } };

/** One site's client: its HTTP pool and its session (owned by the site list, shared by its pollers). */
export type SiteClient = { vendor: 'citrix-sdwan'; client: SdwanClient } | { vendor: 'riverbed-flowgateway'; client: FlowGatewayClient };

export function openSiteClient(site: Site, account: SiteAccount, tls: TlsOptions | undefined): SiteClient {
  const timeoutMs = site.timeoutMs ?? account.timeoutMs;
  if (account.vendor === 'citrix-sdwan') {
    return {
      vendor: 'citrix-sdwan',
      client: new SdwanClient({
        host: site.host,
        tls,
        timeoutMs,
        username: account.username ?? '',
        password: account.password ?? '',
        apiVersion: account.apiVersion,
        clock: account.clock,
        http: FLEET_HTTP,
      }),
    };
  }
  return {
    vendor: 'riverbed-flowgateway',
    client: new FlowGatewayClient({
      host: site.host,
      tls,
      timeoutMs,
      authMethod: account.authMethod ?? 'basic',
      credentials: { username: account.username, password: account.password, accessCode: account.accessCode },
      clock: account.clock,
      ...FLEET_HTTP,
    }),
  };
}

/**
 * A poller's view of one site: `poll` asks the request, `releaseIdle` closes the idle socket;
 * `close` closes the client only when `owned` (a site list's clients are closed by the list).
 */
export function siteSession(site: SiteClient, request: SiteRequest, owned = false): SiteSession {
  const close = owned ? () => site.client.close() : () => Promise.resolve();
  if (site.vendor === 'citrix-sdwan') {
    if (request.vendor !== 'citrix-sdwan') throw new BadInputError('server', 'this site list is Citrix SD-WAN; the poller asks for FlowGateway statistics');
    const client = site.client;
    return {
      async poll(signal) {
        const r = await client.fetch(request.resource, { filter: request.filter, maxStats: request.maxStats, signal });
        return {
          records: r.records,
          invalid: r.invalid,
          meta: { vendor: 'citrix-sdwan', endpoint: request.resource, host: client.host, fetchedAt: r.fetchedAt, count: r.records.length, envelope: r.envelope, ...(r.filter === undefined ? {} : { filter: r.filter }) },
        };
      },
      releaseIdle: () => client.http.releaseIdle(),
      close,
    };
  }
  if (request.vendor !== 'riverbed-flowgateway') throw new BadInputError('server', 'this site list is Riverbed FlowGateway; the poller asks for Citrix SD-WAN flows');
  const client = site.client;
  return {
    async poll(signal) {
      const built = buildStatsRequest(request.stats);
      const r = await client.importStats(built.body, signal);
      return {
        records: r.records,
        invalid: r.invalid,
        meta: { vendor: 'riverbed-flowgateway', endpoint: 'import_stats', host: client.host, fetchedAt: client.http.clock.now(), count: r.records.length, template: built.template, request: built.body, envelope: r.envelope },
      };
    },
    releaseIdle: () => client.http.releaseIdle(),
    close,
  };
}
