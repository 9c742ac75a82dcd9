/**
 * `network-flow-collector`: the Node-RED adapter of nodes/lib/netflow. Listens on UDP for
 * NetFlow v5 / v9 and IPFIX, decodes each datagram into NetworkFlow records and sends them in
 * batches (`msg.payload` = array, `msg.networkFlows` = batch facts) when `batchSize` records are
 * waiting or `batchMs` after the first one. An input message with `topic: "stats"` gets the
 * per-exporter counters back; `topic: "flush"` sends the waiting batch now.
 */
import dgram from 'node:dgram';
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { BadInputError, FlowError } from './lib/errors';
import { Collector, parseCollectorConfig, socketTypeFor, type CollectorConfig } from './lib/netflow';
import type { NetworkFlow } from './lib/network-flow';
import { texts } from './node-support/texts';
import { throttledStatus } from './node-support/status';
import { fail } from './node-support/report';
import { registerValidation } from './node-support/validation';

type Send = (msg: NodeMessage | Array<NodeMessage | null>) => void;
type Done = (err?: Error) => void;

const T = 'network-flow-collector';
const STATUS_EVERY_MS = 1000;
/** Expired templates, held sets and idle exporters are swept this often. */
const SWEEP_EVERY_MS = 30_000;
/** A socket buffer that rides out bursts of a busy exporter (the OS may cap it lower). */
const RECEIVE_BUFFER = 4 * 1024 * 1024;

export = function register(RED: NodeAPI): void {
  function CollectorNode(this: Node, def: NodeDef & Record<string, unknown>): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const t = texts(RED, T);

    let cfg: CollectorConfig | undefined;
    let collector: Collector | undefined;
    let deployError: FlowError | undefined;
    try {
      cfg = parseCollectorConfig(def);
      collector = new Collector({
        allow: cfg.allow,
        samplingRate: cfg.samplingRate,
        communityId: cfg.communityId,
        templateTimeoutMs: cfg.templateTimeout * 1000,
        holdMs: cfg.holdTime * 1000,
      });
    } catch (err) {
      deployError = err instanceof FlowError ? err : new BadInputError('config', String(err));
      node.error(t('errors.config', { message: deployError.message }));
      node.status({ fill: 'red', shape: 'ring', text: t('status.badConfig') });
    }

    let closed = false;
    let socket: dgram.Socket | undefined;
    let batch: NetworkFlow[] = [];
    let batchTimer: NodeJS.Timeout | undefined;
    let sweepTimer: NodeJS.Timeout | undefined;
    const listenOn = cfg ? `${cfg.address || '0.0.0.0'}:${cfg.port}` : '';

    // The counters are read when the status is drawn (at most once a second), not per datagram.
    const status = throttledStatus<Collector>(node, (col) => {
      const c = col.stats().totals;
      const vars = { records: c.records, exporters: c.exporters, bad: c.badPackets, unknown: c.unknownTemplates, lost: c.lostPackets + c.lostRecords };
      const trouble = c.badPackets + c.unknownTemplates + c.lostPackets + c.lostRecords > 0;
      return trouble
        ? { fill: 'yellow', shape: 'ring', text: t('status.trouble', vars) }
        : { fill: 'green', shape: 'dot', text: t('status.ok', vars) };
    }, STATUS_EVERY_MS);

    const flush = (): void => {
      if (batchTimer) clearTimeout(batchTimer);
      batchTimer = undefined;
      if (closed || batch.length === 0) return;
      const payload = batch;
      batch = [];
      const exporters = [...new Set(payload.map((r) => r.observer))];
      const vendors = new Set(payload.map((r) => r.vendor));
      node.send({
        payload,
        networkFlows: {
          vendor: vendors.size === 1 ? payload[0]!.vendor : 'netflow',
          endpoint: 'collector',
          host: listenOn,
          fetchedAt: Date.now(),
          count: payload.length,
          exporters,
        },
      });
    };

    if (cfg && collector) {
      const c = collector;
      const { address, port, batchSize, batchMs } = cfg;
      const sock = dgram.createSocket({ type: socketTypeFor(address), reuseAddr: false });
      socket = sock;
      sock.on('message', (data: Buffer, rinfo: dgram.RemoteInfo) => {
        if (closed) return;
        const records = c.receive(data, rinfo.address);
        status.update(c);
        if (records.length === 0) return;
        for (const r of records) batch.push(r);
        if (batch.length >= batchSize) {
          // A large datagram can overfill a batch: send full batches, keep the rest waiting.
          while (batch.length >= batchSize && !closed) {
            const rest = batch.slice(batchSize);
            batch.length = batchSize;
            flush();
            batch = rest;
          }
        }
        if (batch.length > 0 && !batchTimer) batchTimer = setTimeout(flush, batchMs);
      });
      sock.on('error', (err: Error) => {
        if (closed) return;
        node.error(t('errors.socket', { listen: listenOn, message: err.message }));
        node.status({ fill: 'red', shape: 'ring', text: t('status.socketError', { code: (err as NodeJS.ErrnoException).code ?? 'error' }) });
      });
      sock.on('listening', () => {
        try {
          sock.setRecvBufferSize(RECEIVE_BUFFER);
        } catch {
          // The OS refused the size: the default buffer still works.
        }
        if (!closed) node.status({ fill: 'grey', shape: 'ring', text: t('status.listening', { listen: listenOn }) });
      });
      sock.bind({ address: address || (socketTypeFor(address) === 'udp6' ? '::' : '0.0.0.0'), port });
      sweepTimer = setInterval(() => c.sweep(), SWEEP_EVERY_MS);
    }

    node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
      if (closed) return done();
      if (!collector) return fail(node, msg, done, deployError);
      const m = msg as NodeMessageInFlow & { topic?: unknown };
      if (m.topic === 'stats') {
        m.payload = collector.stats();
        send(m);
        return done();
      }
      if (m.topic === 'flush') {
        flush();
        return done();
      }
      fail(node, msg, done, new BadInputError('topic', `expected "stats" (send the counters) or "flush" (send the waiting batch now), got ${JSON.stringify(m.topic ?? null)}`));
    });

    node.on('close', (done: () => void) => {
      closed = true;
      if (batchTimer) clearTimeout(batchTimer);
      if (sweepTimer) clearInterval(sweepTimer);
      batchTimer = undefined;
      sweepTimer = undefined;
      batch = [];
      status.close();
      if (!socket) return done();
      const s = socket;
      socket = undefined;
      s.removeAllListeners('message');
      try {
        s.close(() => done());
      } catch {
        done(); // never bound (the bind failed): nothing to close
      }
    });
  }

  RED.nodes.registerType(T, CollectorNode);
  registerValidation(RED, T, (props) => parseCollectorConfig(props), { port: 2055 });
};
