/**
 * Shared by `citrix-sdwan-flows` and `citrix-sdwan-ilbflows`: read `filter` / `maxStats` (and
 * their `msg.request` overrides, validated by the same schemas), call the config node's shared
 * client, report bad records and send the rest.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import type { FlowError } from '../lib/errors';
import type { NetworkFlowsMeta } from '../lib/network-flow';
import { parseSdwanQuery, type SdwanClient, type SdwanEndpoint } from '../lib/vendors/citrix-sdwan';
import { texts } from './texts';
import { clientLookup, SDWAN_CONFIG } from './config-node';
import { registerValidation } from './validation';
import { checkSharedPolling, handleEndpoint, reportInvalid, requestOverrides, sharedPolling, showSetup } from './endpoint';

interface SdwanEndpointDef extends NodeDef {
  server?: string;
  filter?: string;
  maxStats?: string | number;
  store?: string;
  lease?: string | number;
}

export function registerSdwanEndpoint(RED: NodeAPI, type: 'citrix-sdwan-flows' | 'citrix-sdwan-ilbflows', resource: SdwanEndpoint): void {
  const t = texts(RED, type);

  function SdwanEndpointNode(this: Node, def: SdwanEndpointDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const server = clientLookup<SdwanClient>(RED, def.server, SDWAN_CONFIG);

    let setupError: FlowError | undefined;
    let defaults: ReturnType<typeof parseSdwanQuery> | undefined;
    let polling: ReturnType<typeof sharedPolling> = {};
    try {
      if (server.missing) throw server.missing;
      defaults = parseSdwanQuery({ filter: def.filter, maxStats: def.maxStats });
      polling = sharedPolling(RED, node, def, t);
    } catch (err) {
      setupError = err as FlowError;
    }
    showSetup(node, setupError, t);

    handleEndpoint(node, {
      async run(ctx) {
        if (setupError) throw setupError;
        const client = server.client();
        const o = requestOverrides(ctx.msg);
        const override = parseSdwanQuery({ filter: o.filter, maxStats: o.maxStats }, 'request');
        const filter = o.filter !== undefined ? override.filter : defaults!.filter;
        const maxStats = o.maxStats !== undefined ? override.maxStats : defaults!.maxStats;

        const r = await client.fetch(resource, { filter, maxStats, signal: ctx.signal });
        const meta: NetworkFlowsMeta = {
          vendor: 'citrix-sdwan',
          endpoint: resource,
          host: client.host,
          fetchedAt: r.fetchedAt,
          count: r.records.length,
          envelope: r.envelope,
          ...(r.filter === undefined ? {} : { filter: r.filter }),
        };
        const msg = ctx.msg as NodeMessage & Record<string, unknown>;
        msg.payload = r.records;
        msg.networkFlows = meta;
        reportInvalid(node, msg, r.invalid, t);
        ctx.send(msg);
        return r.invalid.length
          ? t('status.someInvalid', { count: r.records.length, invalid: r.invalid.length })
          : t('status.ok', { count: r.records.length });
      },
    }, t, polling.shared);
  }

  RED.nodes.registerType(type, SdwanEndpointNode);
  registerValidation(RED, type, (props) => {
    parseSdwanQuery({ filter: props.filter, maxStats: props.maxStats });
    checkSharedPolling(props);
  });
}
