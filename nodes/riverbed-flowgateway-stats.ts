/**
 * `riverbed-flowgateway-stats`: `GET /api/mgmt.flowgateway_analytics/1.0/import_stats` with a
 * JSON body built from template A, B or C; `msg.request.<property>` overrides are validated like
 * the editor's values.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { BadInputError, FlowError } from './lib/errors';
import type { NetworkFlowsMeta } from './lib/network-flow';
import { buildStatsRequest, type FlowGatewayClient, type StatsProps } from './lib/vendors/riverbed-flowgateway';
import { catalogue } from './node-support/catalogue';
import { handleEndpoint, reportInvalid, reportSetupError, requestOverrides, sharedPolling } from './node-support/endpoint';

interface FlowGatewayConfigNode extends Node {
  flowgateway?: FlowGatewayClient;
  configError?: FlowError;
}

interface StatsDef extends NodeDef, StatsProps {
  server?: string;
  store?: string;
  lease?: string | number;
}

const TYPE = 'riverbed-flowgateway-stats';

export = function (RED: NodeAPI): void {
  const t = catalogue(RED, TYPE);

  function FlowGatewayStats(this: Node, def: StatsDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const server = def.server ? (RED.nodes.getNode(def.server) as FlowGatewayConfigNode | null) : null;
    const props: StatsProps = {
      template: def.template,
      statsType: def.statsType,
      intervalType: def.intervalType,
      timeInterval: def.timeInterval,
      startTime: def.startTime,
      endTime: def.endTime,
      sourceIp: def.sourceIp,
    };

    let setupError: FlowError | undefined;
    let polling: ReturnType<typeof sharedPolling> = {};
    if (!server) setupError = new BadInputError('server', 'select a FlowGateway device (riverbed-flowgateway-config node)');
    try {
      polling = sharedPolling(RED, node, def, t);
    } catch (err) {
      setupError ??= err as FlowError;
    }
    if (setupError) {
      reportSetupError(node, setupError);
    } else {
      // The node's own values are checked at deploy; a message may still override a bad one.
      try {
        buildStatsRequest(props);
      } catch (err) {
        const e = err as FlowError;
        node.status({ fill: 'yellow', shape: 'ring', text: e.message.slice(0, 60) });
        node.warn(e.message);
      }
    }

    handleEndpoint(node, {
      async run(ctx) {
        if (setupError) throw setupError;
        if (server!.configError) throw server!.configError;
        const client = server!.flowgateway;
        if (!client) throw new BadInputError('server', 'the FlowGateway configuration is closed or invalid');
        const built = buildStatsRequest(props, requestOverrides(ctx.msg));
        const r = await client.importStats(built.body, ctx.signal);
        const meta: NetworkFlowsMeta = {
          vendor: 'riverbed-flowgateway',
          endpoint: 'import_stats',
          host: client.host,
          fetchedAt: client.http.clock.now(),
          count: r.records.length,
          template: built.template,
          request: built.body,
          envelope: r.envelope,
        };
        const msg = ctx.msg as NodeMessage & Record<string, unknown>;
        msg.payload = r.records;
        msg.networkFlows = meta;
        reportInvalid(node, msg, r.invalid, t);
        ctx.send(msg);
        return r.invalid.length
          ? t('status.someInvalid', { count: r.records.length, invalid: r.invalid.length }, `${r.records.length} records, ${r.invalid.length} skipped`)
          : t('status.ok', { count: r.records.length, template: built.template }, `${r.records.length} records (template ${built.template})`);
      },
    }, polling.shared);
  }

  RED.nodes.registerType(TYPE, FlowGatewayStats);
};
