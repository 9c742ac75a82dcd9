/**
 * `network-flow-filter`: the Node-RED adapter of the filter language (nodes/lib/filter).
 * `msg.payload` is one record or an array of records; output 1 gets the matches, output 2 (with
 * `outputs: 2`) the rest, in the same shape. The expression is compiled once at deploy; a
 * per-message `msg.filter` is compiled on first use and kept in a small LRU. The editor checks
 * the expression before deploy through `POST /network-flows/validate`.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { BadInputError, FlowError } from './lib/errors';
import { throttledStatus } from './node-support/status';
import { compileFilter, type FilterPredicate } from './lib/filter';
import { texts } from './node-support/texts';
import { fail } from './node-support/report';
import { registerRuleBuilder } from './node-support/filter-rules';
import { registerValidation } from './node-support/validation';

interface FilterNodeDef extends NodeDef {
  expression?: string;
  outputs?: number | string;
  sendEmpty?: boolean | string;
}

type Send = (msg: NodeMessage | Array<NodeMessage | null>) => void;
type Done = (err?: Error) => void;

const T = 'network-flow-filter';
/** Distinct `msg.filter` expressions kept compiled per node. */
const CACHE_SIZE = 32;
const STATUS_EVERY_MS = 500;

/** A small LRU of compiled expressions (or the error each one gave). */
class ExpressionCache {
  private readonly map = new Map<string, FilterPredicate | FlowError>();

  get(text: string): FilterPredicate | FlowError {
    let hit = this.map.get(text);
    if (hit !== undefined) {
      // Re-insert: Map keeps insertion order, so the first key is the least recently used.
      this.map.delete(text);
    } else {
      try {
        hit = compileFilter(text, 'filter');
      } catch (err) {
        hit = err instanceof FlowError ? err : new BadInputError('filter', String(err));
      }
      if (this.map.size >= CACHE_SIZE) this.map.delete(this.map.keys().next().value!);
    }
    this.map.set(text, hit);
    return hit;
  }
}

export = function register(RED: NodeAPI): void {
  const t = texts(RED, T);
  function FilterNode(this: Node, config: FilterNodeDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const twoOutputs = Number(config.outputs) === 2;
    const sendEmpty = config.sendEmpty === true || config.sendEmpty === 'true';
    const cache = new ExpressionCache();

    let predicate: FilterPredicate | undefined;
    // A status a badly set previous instance left clears here; a bad setting shows red again below.
    node.status({});
    let deployError: FlowError | undefined;
    try {
      predicate = compileFilter(typeof config.expression === 'string' ? config.expression : '');
    } catch (err) {
      deployError = err instanceof FlowError ? err : new BadInputError('expression', String(err));
      node.error(t('errors.expression', { message: deployError.message }));
      node.status({ fill: 'red', shape: 'ring', text: t('status.invalid') });
    }

    let closed = false;
    // A busy stream updates the status at most twice a second; the latest counts win.
    const status = throttledStatus<{ matched: number; total: number }>(node, (counts) =>
      ({ fill: 'green', shape: 'dot', text: t('status.matched', counts) }), STATUS_EVERY_MS);

    node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
      if (closed) return done();
      let test = predicate;
      const perMessage = (msg as { filter?: unknown }).filter;
      if (perMessage !== undefined && perMessage !== null) {
        if (typeof perMessage !== 'string') {
          return fail(node, msg, done, new BadInputError('filter', `expected a filter expression (text), got ${typeof perMessage}`));
        }
        const hit = cache.get(perMessage);
        if (hit instanceof FlowError) {
          node.status({ fill: 'red', shape: 'ring', text: t('status.badFilter') });
          return done(hit);
        }
        test = hit;
      }
      if (!test) return fail(node, msg, done, deployError);

      const payload = msg.payload;
      if (Array.isArray(payload)) {
        const matches: unknown[] = [];
        const rest: unknown[] = [];
        let bad = 0;
        let firstBad = -1;
        for (let i = 0; i < payload.length; i++) {
          const rec: unknown = payload[i];
          if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) {
            // One bad entry is reported and skipped; the rest of the batch still goes through.
            if (bad++ === 0) firstBad = i;
            continue;
          }
          if (test(rec as Record<string, unknown>)) matches.push(rec);
          else rest.push(rec);
        }
        if (bad > 0) node.warn(t('errors.badRecords', { count: bad, index: firstBad }));
        const out1 = matches.length > 0 || sendEmpty;
        const out2 = twoOutputs && (rest.length > 0 || sendEmpty);
        let m1: NodeMessage | null = null;
        let m2: NodeMessage | null = null;
        if (out1 && out2) {
          // Clone without the batch: the records are split between the two messages, not copied.
          msg.payload = undefined;
          m2 = RED.util.cloneMessage(msg);
          m2.payload = rest;
          m1 = msg;
          m1.payload = matches;
        } else if (out1) {
          m1 = msg;
          m1.payload = matches;
        } else if (out2) {
          m2 = msg;
          m2.payload = rest;
        }
        if (m1 || m2) send(twoOutputs ? [m1, m2] : m1!);
        status.update({ matched: matches.length, total: payload.length });
        return done();
      }
      if (typeof payload === 'object' && payload !== null) {
        const hit = test(payload as Record<string, unknown>);
        if (hit) send(twoOutputs ? [msg, null] : msg);
        else if (twoOutputs) send([null, msg]);
        status.update({ matched: hit ? 1 : 0, total: 1 });
        return done();
      }
      fail(node, msg, done, new BadInputError('payload', `expected a NetworkFlow record or an array of records, got ${payload === null ? 'null' : typeof payload}`));
    });

    node.on('close', (done: () => void) => {
      closed = true;
      status.close();
      done();
    });
  }

  RED.nodes.registerType(T, FilterNode);

  // The editor checks the expression as it is typed (and before deploy), compiled as at deploy.
  registerValidation(RED, T, (props) => compileFilter(typeof props.expression === 'string' ? props.expression : ''));
  registerRuleBuilder(RED);
};
