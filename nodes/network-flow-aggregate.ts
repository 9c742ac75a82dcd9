/**
 * `network-flow-aggregate`: the Node-RED adapter of the aggregate engine (nodes/lib/aggregate).
 * Records in (`msg.payload`: one record or an array); when a window closes, its result goes out
 * in the shape the node is set to: table rows, chart points (bar/pie or line), or one message per
 * group. `msg.flush` closes every open window now; `msg.reset` forgets everything. With a
 * wall-clock flush, windows whose end (plus lateness) has passed on the clock close even when no
 * record arrives. With `persist`, open windows are saved to the context store the user names on
 * close and every minute, and restored before the first message.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { AggregateEngine, parseOptions, parseOutput, windowMessages, type OutputMode, type WindowResult } from './lib/aggregate';
import { BadInputError, FlowError } from './lib/errors';
import { persistedState } from './node-support/persisted-state';
import { throttledStatus } from './node-support/status';
import { texts } from './node-support/texts';
import { fail, reportError } from './node-support/report';
import { registerValidation } from './node-support/validation';

interface AggregateNodeDef extends NodeDef {
  groupBy?: string;
  labelPath?: string;
  metrics?: string;
  window?: string | number;
  timeZone?: string;
  lateness?: string | number;
  topN?: string | number;
  sortBy?: string;
  maxGroups?: string | number;
  dedup?: boolean | string;
  output?: string;
  wallFlush?: string | number;
  persist?: boolean | string;
  store?: string;
}

type Send = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void;
type Done = (err?: Error) => void;

const T = 'network-flow-aggregate';
const STATE_KEY = 'aggregateState';
const PERSIST_EVERY_MS = 60_000;

/** The engine options of the node's settings: one mapping for the node and the editor's check. */
function engineInput(config: AggregateNodeDef): ConstructorParameters<typeof AggregateEngine>[0] {
  return {
    groupBy: config.groupBy, labelPath: config.labelPath, metrics: config.metrics, window: config.window,
    timeZone: config.timeZone, lateness: config.lateness, topN: config.topN, sortBy: config.sortBy,
    maxGroups: config.maxGroups, dedup: config.dedup,
  };
}

/** Seconds between wall-clock flushes (0 = off). */
function wallFlushOf(config: AggregateNodeDef): number {
  const wf = config.wallFlush === undefined || config.wallFlush === '' ? 0 : Number(config.wallFlush);
  if (!Number.isFinite(wf) || wf < 0 || wf > 86400) throw new BadInputError('wallFlush', `"${String(config.wallFlush)}" is out of range (expected seconds from 0 to 86400; 0 = off)`);
  return wf;
}

export = function register(RED: NodeAPI): void {
  const t = texts(RED, T);
  function AggregateNode(this: Node, config: AggregateNodeDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const persist = config.persist === true || config.persist === 'true';
    const store = typeof config.store === 'string' && config.store.trim() !== '' ? config.store.trim() : undefined;

    let engine: AggregateEngine | undefined;
    let mode: OutputMode = 'rows';
    let wallFlushMs = 0;
    let configError: FlowError | undefined;
    try {
      engine = new AggregateEngine(engineInput(config));
      mode = parseOutput(config.output);
      wallFlushMs = wallFlushOf(config) * 1000;
    } catch (err) {
      engine = undefined;
      configError = err instanceof FlowError ? err : new BadInputError('config', String(err));
      reportError(node, configError);
      node.status({ fill: 'red', shape: 'ring', text: t('status.config', { field: configError.field ?? '' }) });
    }
    const groupBy = engine?.options.groupBy ?? [];
    const topN = engine?.options.topN ?? 0;
    const topic = config.name || `${groupBy.join(',')}: ${engine?.options.metrics.map((m) => m.text).join(',') ?? ''}`;

    let closed = false;
    const status = throttledStatus<null>(node, () => {
      const s = engine!.stats();
      return {
        fill: s.folded > 0 ? 'yellow' : 'green',
        shape: 'dot',
        text: t('status.summary', { groups: s.groups, windows: s.windowsClosed, folded: s.folded, duplicates: s.duplicates, late: s.late }),
      };
    }, 1000);

    function emit(windows: WindowResult[], send: Send): void {
      if (closed || windows.length === 0) return;
      const out: NodeMessage[] = [];
      for (const w of windows) out.push(...(windowMessages(w, mode, topic, groupBy, topN) as NodeMessage[]));
      send([out]);
    }

    const state = persistedState({
      node, enabled: persist, key: STATE_KEY, store, engine, everyMs: PERSIST_EVERY_MS,
      text: (key, vars) => t(key, vars),
    });

    // Node-RED's own send, for windows closed by the clock rather than by a message.
    const wallTimer = engine && wallFlushMs > 0
      ? setInterval(() => {
        if (closed || !engine || !state.loaded) return;
        emit(engine.advanceTo(Date.now()), (m) => node.send(m));
        status.update(null);
      }, wallFlushMs)
      : undefined;

    function handle(msg: NodeMessageInFlow, send: Send, done: Done): void {
      if (closed) return done();
      if (!engine) return fail(node, msg, done, configError);
      if (msg.reset === true) {
        engine.reset();
        status.update(null);
        return done();
      }
      const payload = msg.payload;
      const windows: WindowResult[] = [];
      if (payload !== null && typeof payload === 'object') {
        const res = engine.ingest(payload);
        windows.push(...res.windows);
        if (res.invalid > 0) {
          const first = res.errors[0]!;
          node.warn(t('errors.badRecords', { count: res.invalid, index: first.index, message: first.message }));
        }
      } else if (msg.flush !== true) {
        return fail(node, msg, done, new BadInputError('payload', 'expected a NetworkFlow record or an array of records'));
      }
      if (msg.flush === true) windows.push(...engine.flush());
      emit(windows, send);
      status.update(null);
      done();
    }

    node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
      state.run(() => handle(msg, send, done));
    });

    node.on('close', (removed: boolean, done: () => void) => {
      closed = true;
      status.close();
      if (wallTimer) clearInterval(wallTimer);
      state.close(removed, done);
    });

    if (engine) status.update(null);
  }

  RED.nodes.registerType(T, AggregateNode);
  registerValidation(RED, T, (props) => {
    const config = props as unknown as AggregateNodeDef;
    parseOptions(engineInput(config));
    parseOutput(config.output);
    wallFlushOf(config);
  }, { groupBy: 'src.ip', metrics: 'count', window: 3600 });
};
