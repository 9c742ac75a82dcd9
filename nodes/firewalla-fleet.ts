/**
 * `firewalla-fleet`: on each input message, walks every box of a Firewalla MSP (or the boxes
 * named) and fetches each box's flows since its last poll (docs/fleets.md#firewalla-boxes): one
 * message per box on output 1 (`msg.box`, `msg.site`, `msg.networkFlows.box`), one on output 2
 * when a box goes down or comes back, "18/20 boxes ok" in the status. Every request waits for the
 * token's one budget, shared with every other node on the same firewalla-msp-config.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { BadInputError, FlowError } from './lib/errors';
import { BoxWalker, FLOWS_DEFAULTS, parseNodeOptions, type FirewallaBox, type FirewallaClient, type FlowsOptions } from './lib/vendors/firewalla';
import { clientLookup, FIREWALLA_CONFIG } from './node-support/config-node';
import { checkSharedPolling, handleEndpoint, reportInvalid, sharedPolling, showSetup } from './node-support/endpoint';
import { texts } from './node-support/texts';
import { registerValidation } from './node-support/validation';
import { healthMessage, orDefault, parseFleetProps, siteMessage, summaryText } from './node-support/fleet';

const T = 'firewalla-fleet';

interface FleetDef extends NodeDef {
  server?: string;
  boxes?: string;
  group?: string;
  query?: string;
  blocked?: boolean | string;
  limit?: string | number;
  maxPages?: string | number;
  concurrency?: string | number;
  jitter?: string | number;
  failuresToDown?: string | number;
  emptyToDown?: string | number;
  store?: string;
  lease?: string | number;
}

/** The box facts a message carries (never the whole vendor object: it may grow). */
function boxTag(b: FirewallaBox): Record<string, unknown> {
  return { gid: b.gid, name: b.name ?? undefined, model: b.model ?? undefined, online: b.online ?? undefined, group: b.group ?? undefined };
}

/** The walk's settings as deploy reads them (and the editor's check): throws naming the field. */
function walkSettings(def: FleetDef): { flows: FlowsOptions; fleet: ReturnType<typeof parseFleetProps> } {
  const flows = parseNodeOptions({ ...FLOWS_DEFAULTS, query: def.query ?? '', blocked: def.blocked, limit: orDefault(def.limit, 500), maxPages: orDefault(def.maxPages, 5), pagination: 'all', sinceLastPoll: true });
  const fleet = parseFleetProps(def as unknown as Record<string, unknown>, { concurrency: 2, jitter: 0, failuresToDown: 3, emptyToDown: 0 });
  return { flows, fleet };
}

export = function (RED: NodeAPI): void {
  const t = texts(RED, T);

  function FirewallaFleet(this: Node, def: FleetDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const server = clientLookup<FirewallaClient>(RED, def.server, FIREWALLA_CONFIG);
    let setupError: FlowError | undefined;
    let walker: BoxWalker | undefined;
    let host = '';
    let blocked = false;
    let polling: ReturnType<typeof sharedPolling> = {};
    try {
      const client = server.client();
      host = client.host;
      polling = sharedPolling(RED, node, def, t);
      const { flows, fleet } = walkSettings(def);
      blocked = flows.blocked;
      const boxes = (def.boxes ?? '').split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
      walker = new BoxWalker(client, {
        boxes,
        group: def.group?.trim() || undefined,
        flows,
        concurrency: fleet.concurrency,
        jitterMs: fleet.jitter * 1000,
        health: { failuresToDown: fleet.failuresToDown, emptyToDown: fleet.emptyToDown },
      });
    } catch (err) {
      setupError = err instanceof FlowError ? err : new BadInputError('config', String(err));
    }
    showSetup(node, setupError, t);

    handleEndpoint(node, {
      async run(ctx) {
        if (setupError || !walker) throw setupError ?? new BadInputError('server', 'the Firewalla MSP configuration is closed or invalid');
        const report = await walker.walk(
          {
            onResult(r) {
              const meta = { vendor: 'firewalla', endpoint: 'flows', host, fetchedAt: r.fetchedAt, count: r.records.length, nextCursor: null, blocked, query: r.query, page: r.pages, pages: r.pages, truncated: r.truncated, box: boxTag(r.box) };
              const out = siteMessage(RED, ctx.msg, r.site, r.records, meta);
              out.box = boxTag(r.box);
              reportInvalid(node, out, r.invalid, t);
              ctx.send([out, null]);
            },
            onEvent(ev, box) {
              ctx.send([null, healthMessage(RED, ev, { box: boxTag(box) })]);
            },
          },
          ctx.signal,
        );
        if (!report.ran) return t('status.busy');
        return summaryText(walker.health.summary(), t);
      },
    }, t, polling.shared);
  }

  RED.nodes.registerType(T, FirewallaFleet);
  registerValidation(RED, T, (props) => {
    walkSettings(props as unknown as FleetDef);
    checkSharedPolling(props);
  });
};
