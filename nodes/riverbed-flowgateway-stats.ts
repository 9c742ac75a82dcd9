/**
 * `riverbed-flowgateway-stats`: `GET /api/mgmt.flowgateway_analytics/1.0/import_stats` with a
 * JSON body built from template A, B or C; `msg.request.<property>` overrides are validated like
 * the editor's values.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import type { FlowError } from './lib/errors';
import type { NetworkFlowsMeta } from './lib/network-flow';
import { buildStatsRequest, type FlowGatewayClient, type StatsProps } from './lib/vendors/riverbed-flowgateway';
import { failureStatus } from './node-support/report';
import { texts } from './node-support/texts';
import { clientLookup, FLOWGATEWAY_CONFIG } from './node-support/config-node';
import { registerValidation } from './node-support/validation';
import { checkSharedPolling, handleEndpoint, reportInvalid, requestOverrides, sharedPolling, showSetup } from './node-support/endpoint';

interface StatsDef extends NodeDef, StatsProps {
  server?: string;
  store?: string;
  lease?: string | number;
}

const TYPE = 'riverbed-flowgateway-stats';

export = function (RED: NodeAPI): void {
  const t = texts(RED, TYPE);

  function FlowGatewayStats(this: Node, def: StatsDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const server = clientLookup<FlowGatewayClient>(RED, def.server, FLOWGATEWAY_CONFIG);
    const props: StatsProps = {
      template: def.template,
      statsType: def.statsType,
      intervalType: def.intervalType,
      timeInterval: def.timeInterval,
      startTime: def.startTime,
      endTime: def.endTime,
      sourceIp: def.sourceIp,
    };

    let setupError: FlowError | undefined = server.missing;
    let polling: ReturnType<typeof sharedPolling> = {};
    try {
      polling = sharedPolling(RED, node, def, t);
    } catch (err) {
      setupError ??= err as FlowError;
    }
    showSetup(node, setupError, t);
    if (!setupError) {
      // The node's own values are checked at deploy; a message may still override a bad one.
      try {
        buildStatsRequest(props);
      } catch (err) {
        const e = err as FlowError;
        node.status({ ...failureStatus(e, t), fill: 'yellow' });
        node.warn(e.message);
      }
    }

    handleEndpoint(node, {
      async run(ctx) {
        if (setupError) throw setupError;
        const client = server.client();
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
          ? t('status.someInvalid', { count: r.records.length, invalid: r.invalid.length })
          : t('status.ok', { count: r.records.length, template: built.template });
      },
    }, t, polling.shared);
  }

  RED.nodes.registerType(TYPE, FlowGatewayStats);
  // Stand-ins let the check go past a missing start or end time to the other fields.
  registerValidation(RED, TYPE, (props) => {
    buildStatsRequest(props);
    checkSharedPolling(props);
  }, {
    startTime: '2000-01-01T00:00:00Z',
    endTime: '2100-01-01T00:00:00Z',
    statsType: 'flows_per_minute',
  });
};
