/**
 * One Node-RED instance in its own process (node-red-node-test-helper is one runtime per
 * process), driven by test/support/instances.ts over IPC. It runs the project's nodes from source
 * with a context store `shared` on the Redis the parent names (docs/state.md#configuring-a-store),
 * pins `Date` to the parent's timeline, and reports what its helper nodes receive and when a
 * watched node has finished a message (a core `complete` node).
 */
import * as FakeTimers from '@sinonjs/fake-timers';
import helper from 'node-red-node-test-helper';
import type { NodeMessage } from 'node-red';
import { redisContextStore } from '../../nodes/lib/state/redis-context-store';

const nodeModules = [
  require('../../nodes/firewalla-msp-config'),
  require('../../nodes/firewalla-flows'),
  require('../../nodes/network-flow-normalize'),
  require('../../nodes/network-flow-anomaly'),
  require('../../nodes/network-flow-aggregate'),
  require('../../nodes/network-flow-sites-config'),
  require('../../nodes/network-flow-site-poller'),
  require('@node-red/nodes/core/common/24-complete.js'),
] as unknown[];
const contextModule = require('@node-red/runtime/lib/nodes/context') as { load(): Promise<void>; close(): Promise<void> };

helper.init(require.resolve('node-red'));

export interface StartMessage {
  type: 'start';
  flow: Array<Record<string, unknown>>;
  credentials: Record<string, unknown>;
  /** Node ids whose finished messages are reported. */
  watch: string[];
  redisUrl: string;
  prefix: string;
  now: number;
}
export interface InputMessage { type: 'input'; id: number; node: string; now: number; msg: Record<string, unknown> }
export type ToChild = StartMessage | InputMessage | { type: 'stop' };
export interface OutReport { node: string; topic?: unknown; networkFlows?: unknown; count?: number; payload?: unknown; round?: number }
export type FromChild =
  | { type: 'ready' }
  | { type: 'out'; out: OutReport }
  | { type: 'done'; id: number }
  | { type: 'stopped' }
  | { type: 'error'; message: string };

const send = (m: FromChild): void => {
  process.send?.(m);
};

// `Date` follows the parent's timeline: set on start and before each input, flowing in between.
let base = 0;
let origin = performance.now();
const clock = FakeTimers.install({ toFake: ['Date'] });
Object.defineProperty(clock, 'now', { configurable: true, get: () => Math.floor(base + performance.now() - origin), set: () => undefined });
const setNow = (now: number): void => {
  base = now;
  origin = performance.now();
};

let round: number | undefined;

async function start(m: StartMessage): Promise<void> {
  setNow(m.now);
  const settings = {
    contextStorage: {
      default: { module: 'memory' },
      shared: { module: redisContextStore, config: { url: m.redisUrl, prefix: m.prefix } },
    },
  };
  // The typings know only string module names; Node-RED also takes the module itself.
  helper.settings(settings as unknown as Parameters<typeof helper.settings>[0]);
  // Runs after the helper initialised the runtime's context module with these settings and
  // before the flows start: the store connects as it does in a real Node-RED start.
  const openStores = (): Promise<void> => contextModule.load();
  const flow = [
    ...m.flow,
    { id: '__complete', type: 'complete', scope: m.watch, uncaught: false, wires: [['__done']] },
    { id: '__done', type: 'helper' },
  ];
  await helper.load([...nodeModules, openStores] as Parameters<typeof helper.load>[0], flow as Parameters<typeof helper.load>[1], m.credentials);
  for (const n of m.flow) {
    if (n.type !== 'helper') continue;
    helper.getNode(n.id as string).on('input', (msg: NodeMessage & Record<string, unknown>) => {
      const p = msg.payload;
      send({
        type: 'out',
        out: {
          node: n.id as string, topic: msg.topic, networkFlows: msg.networkFlows, round: msg.round as number | undefined,
          // Record batches are counted, not copied; small results (alerts, rows) come whole.
          ...(Array.isArray(p) && p.length > 100 ? { count: p.length } : { payload: p }),
        },
      });
    });
  }
  helper.getNode('__done').on('input', (msg: NodeMessage & Record<string, unknown>) => {
    if (typeof msg.round === 'number') send({ type: 'done', id: msg.round });
  });
}

async function stop(): Promise<void> {
  // A graceful stop: close handlers run (leases released, state saved), then the stores close.
  await (helper as unknown as { _redNodes: { stopFlows(): Promise<void> } })._redNodes.stopFlows();
  await contextModule.close();
  send({ type: 'stopped' });
  process.disconnect?.();
}

process.on('message', (m: ToChild) => {
  const run = async (): Promise<void> => {
    if (m.type === 'start') {
      await start(m);
      send({ type: 'ready' });
    } else if (m.type === 'input') {
      setNow(m.now);
      round = m.id;
      helper.getNode(m.node).receive({ ...m.msg, round });
    } else {
      await stop();
    }
  };
  run().catch((e: unknown) => send({ type: 'error', message: e instanceof Error ? e.stack ?? e.message : String(e) }));
});
