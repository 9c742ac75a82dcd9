/**
 * Shared by `citrix-sdwan-flows` and `citrix-sdwan-ilbflows`: read `filter` / `maxStats` (and
 * their `msg.request` overrides, validated by the same schemas), call the config node's shared
 * client, report bad records and send the rest.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { BadInputError, FlowError } from '../lib/errors';
import type { NetworkFlowsMeta } from '../lib/network-flow';
import { parseSdwanQuery, type SdwanClient, type SdwanEndpoint } from '../lib/vendors/citrix-sdwan';
import { catalogue } from './catalogue';
import { handleEndpoint, reportInvalid, reportSetupError, requestOverrides, sharedPolling } from './endpoint';

export interface SdwanCredentials {
  username?: string;
  password?: string;
}

/** What endpoint nodes read from the `citrix-sdwan-config` node. */
export interface SdwanConfigNode extends Node<SdwanCredentials> {
  /** The shared client, or undefined when the configuration is invalid (see `configError`) or closed. */
  sdwan?: SdwanClient;
  configError?: FlowError;
}

interface SdwanEndpointDef extends NodeDef {
  server?: string;
  filter?: string;
  maxStats?: string | number;
  store?: string;
  lease?: string | number;
}

export function registerSdwanEndpoint(RED: NodeAPI, type: 'citrix-sdwan-flows' | 'citrix-sdwan-ilbflows', resource: SdwanEndpoint): void {
  const t = catalogue(RED, type);

  function SdwanEndpointNode(this: Node, def: SdwanEndpointDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const server = def.server ? (RED.nodes.getNode(def.server) as SdwanConfigNode | null) : null;

    let setupError: FlowError | undefined;
    let defaults: ReturnType<typeof parseSdwanQuery> | undefined;
    let polling: ReturnType<typeof sharedPolling> = {};
    try {
      if (!server) throw new BadInputError('server', 'select a Citrix SD-WAN appliance (citrix-sdwan-config node)');
      defaults = parseSdwanQuery({ filter: def.filter, maxStats: def.maxStats });
      polling = sharedPolling(RED, node, def, t);
    } catch (err) {
      setupError = err as FlowError;
    }
    if (setupError) {
      reportSetupError(node, setupError);
    }

    handleEndpoint(node, {
      async run(ctx) {
        if (setupError) throw setupError;
        if (server!.configError) throw server!.configError;
        const client = server!.sdwan;
        if (!client) throw new BadInputError('server', 'the appliance configuration is closed or invalid');
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
          ? t('status.someInvalid', { count: r.records.length, invalid: r.invalid.length }, `${r.records.length} ${resource}, ${r.invalid.length} skipped`)
          : t('status.ok', { count: r.records.length }, `${r.records.length} ${resource}`);
      },
    }, polling.shared);
  }

  RED.nodes.registerType(type, SdwanEndpointNode);
}
