/**
 * `network-flow-anomaly`: the Node-RED adapter of the anomaly engine (nodes/lib/anomaly).
 * Records in (`msg.payload`: one record or an array), one message per alert on output 1 and,
 * with `resolve`, one per resolve on output 2. The engine lives in the node, so its baselines
 * survive a deploy that does not touch this node; with `persist` they are also saved to the
 * node's context (in the store the user names, else the default one) on close and every minute,
 * and restored before the first message is handled. A shared (Redis) store also makes every alert
 * go out once across instances (docs/state.md#alerting-once-across-instances).
 */
import { createHash } from 'node:crypto';
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import {
  AnomalyEngine, estimateMemory, formatBytes, migrateAnomalyConfig, parseOptions, type AnomalyEvent, type AnomalyOptionsInput,
} from './lib/anomaly';
import { BadInputError, FlowError } from './lib/errors';
import { coordination, parseStoreName } from './node-support/coordination';
import { persistedState } from './node-support/persisted-state';
import { texts } from './node-support/texts';
import { fail, reportError } from './node-support/report';
import { registerValidation } from './node-support/validation';

interface AnomalyNodeDef extends NodeDef {
  key?: string;
  metric?: string;
  window?: string | number;
  windowType?: string;
  rule?: string;
  threshold?: string | number;
  band?: string | number;
  alpha?: string | number;
  warmup?: string | number;
  pending?: string | number;
  cooldown?: string | number;
  resolve?: boolean | string;
  maxKeys?: string | number;
  lateness?: string | number;
  persist?: boolean | string;
  dedup?: boolean | string;
  backfill?: string;
  store?: string;
}

type Send = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void;
type Done = (err?: Error) => void;

const T = 'network-flow-anomaly';

/** The engine options of a saved node (older property names upgraded): one mapping for the node and the editor's check. */
function engineInput(saved: Record<string, unknown>): AnomalyOptionsInput {
  const c = migrateAnomalyConfig(saved);
  return {
    key: c.key, metric: c.metric, window: c.window, windowType: c.windowType, rule: c.rule, threshold: c.threshold,
    band: c.band, alpha: c.alpha, warmup: c.warmup, pending: c.pending, cooldown: c.cooldown, resolve: c.resolve,
    maxKeys: c.maxKeys, lateness: c.lateness, dedup: c.dedup,
    // The node learns from history by default, flows saved before included (docs/design.md#duplicates-and-backfill).
    backfill: c.backfill === undefined || c.backfill === '' ? 'learn' : c.backfill,
  };
}
const STATE_KEY = 'anomalyState';
/** How long an alert's claim is kept in a shared store: long enough for every instance to see the same window. */
const CLAIM_MIN_MS = 3_600_000;
const CLAIM_WINDOWS = 4;
const PERSIST_EVERY_MS = 60_000;
const STATUS_EVERY_MS = 1_000;

/** The same alert in every instance: its type, key and window end (hashed: keys may be long). */
function eventId(ev: AnomalyEvent): string {
  return createHash('sha1').update(`${ev.type}\u0000${ev.payload.key}\u0000${ev.payload.window.end}`).digest('hex');
}

export = function register(RED: NodeAPI): void {
  const t = texts(RED, T);
  function AnomalyNode(this: Node, config: AnomalyNodeDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const persist = config.persist === true || config.persist === 'true';

    let engine: AnomalyEngine | undefined;
    let configError: FlowError | undefined;
    let store: string | undefined;
    try {
      store = parseStoreName(config.store);
      // Flows saved by older versions use older property names (`k` for `band`).
      engine = new AnomalyEngine(engineInput(config as unknown as Record<string, unknown>));
      const memory = estimateMemory(engine.options);
      if (memory.overLimit) node.warn(t('errors.memory', { estimate: memory.text, limit: formatBytes(memory.limit) }));
    } catch (err) {
      configError = err instanceof FlowError ? err : new BadInputError('config', String(err));
      reportError(node, configError);
      node.status({ fill: 'red', shape: 'ring', text: t('status.config', { field: configError.field ?? '' }) });
    }
    const withResolves = engine?.options.resolve === true;
    // With a shared store, each alert and resolve goes out from the first instance that claims it
    // (docs/state.md#alerting-once-across-instances); without one, at once as always.
    const coord = coordination(RED, store, { onError: (message) => node.warn(t('errors.claim', { message })) });
    const claimMs = Math.max(CLAIM_MIN_MS, CLAIM_WINDOWS * (engine?.options.window ?? 0) * 1000);
    let emitting: Promise<void> = Promise.resolve();

    function emit(events: AnomalyEvent[], send: Send, done: Done): void {
      const out = (list: AnomalyEvent[]): void => {
        if (closed || list.length === 0) return;
        const alerts: NodeMessage[] = [];
        const resolves: NodeMessage[] = [];
        for (const ev of list) (ev.type === 'alert' ? alerts : resolves).push({ topic: ev.topic, payload: ev.payload });
        send(withResolves ? [alerts, resolves] : [alerts]);
      };
      if (!coord.shared || events.length === 0) {
        out(events);
        return done();
      }
      // Claims are asked in parallel; messages still leave in arrival order.
      const claims = Promise.all(events.map((ev) => coord.claim(`alert:${node.id}:${eventId(ev)}`, claimMs)));
      emitting = emitting.then(() => claims).then((won) => {
        out(events.filter((_ev, i) => won[i]));
        done();
      });
    }

    let closed = false;
    let statusTimer: NodeJS.Timeout | undefined;
    let lastStatus = 0;

    function showStatus(): void {
      if (statusTimer) clearTimeout(statusTimer);
      statusTimer = undefined;
      if (!engine || closed) return;
      lastStatus = Date.now();
      const s = engine.stats();
      node.status({
        fill: s.alerts > 0 ? 'yellow' : 'green',
        shape: 'dot',
        text: t('status.summary', { keys: s.keys, alerts: s.alerts, evictions: s.evictions }),
      });
    }

    // At most one status update a second: a busy stream must not flood the editor.
    function updateStatus(): void {
      if (closed || statusTimer) return;
      const wait = lastStatus + STATUS_EVERY_MS - Date.now();
      if (wait <= 0) showStatus();
      else statusTimer = setTimeout(showStatus, wait);
    }

    const state = persistedState({
      node, enabled: persist, key: STATE_KEY, store, engine, everyMs: PERSIST_EVERY_MS,
      text: (key, vars) => t(key, vars),
      onRestored: showStatus,
    });

    function handle(msg: NodeMessageInFlow, send: Send, done: Done): void {
      if (closed) return done();
      if (!engine) return fail(node, msg, done, configError);
      if (msg.reset === true) {
        engine.reset();
        showStatus();
        return done();
      }
      const events: AnomalyEvent[] = [];
      const payload = msg.payload;
      if (payload !== null && typeof payload === 'object') {
        const res = engine.ingest(payload);
        events.push(...res.events);
        if (res.invalid > 0) {
          // One coded error per message, whatever the number of bad records: a Catch node gets
          // BAD_INPUT and the list (index, reason) in msg.invalid; the rest of the batch counted.
          // The records stay out of the report: Catch deep-clones its message, and a batch may
          // be large or hold the very value (5,000 levels deep) that was refused.
          const first = res.errors[0]!;
          const err = new BadInputError('payload', t('errors.badRecords', { count: res.invalid, index: first.index, message: first.message }));
          const { payload: _records, ...rest } = msg;
          reportError(node, err, { ...rest, invalid: res.errors.map((e) => ({ index: e.index, reason: e.message })) });
        }
      } else if (msg.flush !== true) {
        return fail(node, msg, done, new BadInputError('payload', 'expected a NetworkFlow record or an array of records'));
      }
      if (msg.flush === true) events.push(...engine.flush());
      updateStatus();
      emit(events, send, done);
    }

    node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
      // The first message waits for the saved state; later ones queue behind it in order.
      state.run(() => handle(msg, send, done));
    });

    node.on('close', (removed: boolean, done: () => void) => {
      closed = true;
      if (statusTimer) clearTimeout(statusTimer);
      statusTimer = undefined;
      state.close(removed, () => void emitting.then(() => coord.close()).then(done));
    });

    if (engine) showStatus();
  }

  RED.nodes.registerType(T, AnomalyNode);
  registerValidation(RED, T, (props) => {
    parseOptions(engineInput(props));
    parseStoreName(props.store);
  }, { key: 'src.ip', metric: 'count', window: 300 });

  // The dialog shows the worst-case memory of its settings as the user types; the rule lives in
  // nodes/lib/anomaly/memory.ts only.
  RED.httpAdmin.post(`/${T}/memory`, RED.auth.needsPermission(`${T}.read`), (req, res) => {
    const body = req.body as unknown;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      res.status(400).json({ ok: false, field: 'body', message: 'body: expected the node\'s settings as a JSON object' });
      return;
    }
    try {
      const m = estimateMemory(parseOptions(engineInput(body as Record<string, unknown>)));
      res.json({ ok: true, bytes: m.bytes, text: m.text, overLimit: m.overLimit, limit: formatBytes(m.limit) });
    } catch (err) {
      // A setting the dialog already marks red: a normal answer, not a failed request.
      const e = err instanceof FlowError ? err : new BadInputError('config', String(err));
      res.json({ ok: false, field: e.field, message: e.message });
    }
  });
};
