/**
 * `network-flow-site-poller`: polls every site of a `network-flow-sites-config` list on each input
 * message (docs/fleets.md#the-site-poller): at most `concurrency` at once, start times spread
 * over `jitter` seconds, one message per site on output 1 (records tagged with the site), one
 * message on output 2 when a site goes down or comes back, and "198/200 sites ok" in the status.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { BadInputError, FlowError } from './lib/errors';
import { SitePoller, type SiteRequest } from './lib/fleet';
import { parseSdwanQuery } from './lib/vendors/citrix-sdwan';
import { buildStatsRequest, type StatsProps } from './lib/vendors/riverbed-flowgateway';
import { siteSession } from './lib/fleet/sessions';
import { checkSharedPolling, handleEndpoint, reportInvalid, sharedPolling, showSetup } from './node-support/endpoint';
import { texts } from './node-support/texts';
import { registerValidation } from './node-support/validation';
import { healthMessage, orDefault, parseFleetProps, siteMessage, summaryText, type SiteListNode } from './node-support/fleet';

const T = 'network-flow-site-poller';

interface PollerDef extends NodeDef, StatsProps {
  server?: string;
  resource?: string;
  filter?: string;
  maxStats?: string | number;
  concurrency?: string | number;
  jitter?: string | number;
  failuresToDown?: string | number;
  emptyToDown?: string | number;
  store?: string;
  lease?: string | number;
}

function fleetSettings(def: PollerDef): ReturnType<typeof parseFleetProps> {
  return parseFleetProps(def as unknown as Record<string, unknown>, { concurrency: 10, jitter: 10, failuresToDown: 3, emptyToDown: 0 });
}

/** What each site is asked, as deploy reads it (and the editor's check): throws naming the field. */
function siteRequest(def: PollerDef, vendor: SiteRequest['vendor']): SiteRequest {
  if (vendor === 'citrix-sdwan') {
    const resource = def.resource === 'ilbflows' ? 'ilbflows' : 'flows';
    const q = parseSdwanQuery({ filter: def.filter, maxStats: def.maxStats });
    return { vendor: 'citrix-sdwan', resource, filter: q.filter, maxStats: q.maxStats };
  }
  const stats: StatsProps = { template: 'A', statsType: def.statsType || 'flows_per_minute', intervalType: def.intervalType || 'minutes', timeInterval: orDefault(def.timeInterval, '1'), sourceIp: def.sourceIp ?? '' };
  buildStatsRequest(stats);
  return { vendor: 'riverbed-flowgateway', stats };
}

export = function (RED: NodeAPI): void {
  const t = texts(RED, T);

  function SitePollerNode(this: Node, def: PollerDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const server = def.server ? (RED.nodes.getNode(def.server) as SiteListNode | null) : null;
    let setupError: FlowError | undefined;
    let poller: SitePoller | undefined;
    let polling: ReturnType<typeof sharedPolling> = {};
    try {
      polling = sharedPolling(RED, node, def, t);
      if (!server) throw new BadInputError('server', 'select a site list (network-flow-sites-config node)');
      if (server.configError) throw server.configError;
      const list = server.siteList;
      if (!list) throw new BadInputError('server', 'the site list is closed or invalid');
      const fleet = fleetSettings(def);
      const request = siteRequest(def, list.account.vendor);
      poller = new SitePoller(list.sites, {
        concurrency: fleet.concurrency,
        jitterMs: fleet.jitter * 1000,
        health: { failuresToDown: fleet.failuresToDown, emptyToDown: fleet.emptyToDown },
        open: (site) => siteSession(list.client(site), request),
      });
    } catch (err) {
      setupError = err instanceof FlowError ? err : new BadInputError('config', String(err));
    }
    showSetup(node, setupError, t);

    handleEndpoint(node, {
      async run(ctx) {
        if (setupError || !poller) throw setupError ?? new BadInputError('server', 'the site list is closed or invalid');
        const p = poller;
        const sites = new Map((server!.siteList?.sites ?? []).map((s) => [s.name, s]));
        // Results and events go out as each site answers, not at the end of the cycle.
        const report = await p.cycle(ctx.signal, {
          onResult(site, result) {
            const out = siteMessage(RED, ctx.msg, site.name, result.records, result.meta);
            reportInvalid(node, out, result.invalid, t);
            ctx.send([out, null]);
          },
          onEvent(ev) {
            ctx.send([null, healthMessage(RED, ev, { host: sites.get(ev.site)?.host })]);
          },
        });
        if (!report.ran) return t('status.busy');
        return summaryText(p.health.summary(), t);
      },
      close: () => poller?.close(),
    }, t, polling.shared);
  }

  RED.nodes.registerType(T, SitePollerNode);
  // The list's vendor is not known here, so both vendors' fields are checked (each has defaults).
  registerValidation(RED, T, (props) => {
    const def = props as unknown as PollerDef;
    fleetSettings(def);
    siteRequest(def, 'citrix-sdwan');
    siteRequest(def, 'riverbed-flowgateway');
    checkSharedPolling(props);
  });
};
