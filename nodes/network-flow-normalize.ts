/**
 * `network-flow-normalize`: the Node-RED adapter of nodes/lib/normalize. `msg.payload` is an
 * array of vendor records (or one record, or a vendor response body such as Firewalla's
 * `{count, results, next_cursor}`); the vendor comes from the `vendor` property, else from
 * `msg.networkFlows`, else from each record's shape. Records that cannot be normalized are
 * listed in `msg.invalid` ({index, reason}) and counted in the status; the rest go out.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { BadInputError, FlowError } from './lib/errors';
import { texts } from './node-support/texts';
import { throttledStatus } from './node-support/status';
import { registerValidation } from './node-support/validation';
import { Normalizer, recordsOf, type InvalidRecord, type NormalizeContext } from './lib/normalize';
import { fail } from './node-support/report';

interface NormalizeNodeDef extends NodeDef {
  vendor?: string;
  format?: string;
  output?: string;
  keepRaw?: boolean | string;
  internalNetworks?: string;
}

type Send = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void;
type Done = (err?: Error) => void;

const T = 'network-flow-normalize';
const STATUS_EVERY_MS = 500;

function contextOf(meta: unknown): NormalizeContext {
  if (meta === null || typeof meta !== 'object') return {};
  const m = meta as Record<string, unknown>;
  const ctx: NormalizeContext = {};
  if (typeof m.vendor === 'string') ctx.vendor = m.vendor as NormalizeContext['vendor'];
  if (typeof m.endpoint === 'string') ctx.endpoint = m.endpoint;
  if (typeof m.host === 'string') ctx.host = m.host;
  if (typeof m.fetchedAt === 'number') ctx.fetchedAt = m.fetchedAt;
  if (typeof m.query === 'string') ctx.query = m.query;
  if (m.blocked === true) ctx.blocked = true;
  if (typeof m.site === 'string') ctx.site = m.site;
  return ctx;
}

/** The node's settings read as at deploy: the node and the editor's check share it. */
function normalizerOf(config: NormalizeNodeDef): Normalizer {
  if (config.output !== undefined && config.output !== '' && config.output !== 'batch' && config.output !== 'each') {
    throw new BadInputError('output', `${JSON.stringify(config.output)} is not "batch" or "each"`);
  }
  return new Normalizer({
    vendor: config.vendor,
    format: config.format,
    keepRaw: config.keepRaw === true || config.keepRaw === 'true',
    internalNetworks: config.internalNetworks ?? '',
  });
}

export = function register(RED: NodeAPI): void {
  function NormalizeNode(this: Node, config: NormalizeNodeDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    // The locale catalog, with English fallbacks for when it is not loaded (tests, a bad install).
    const t = texts(RED, T);
    const each = config.output === 'each';

    let normalizer: Normalizer | undefined;
    // A status a badly set previous instance left clears here; a bad setting shows red again below.
    node.status({});
    let deployError: FlowError | undefined;
    try {
      normalizer = normalizerOf(config);
    } catch (err) {
      deployError = err instanceof FlowError ? err : new BadInputError('config', String(err));
      node.error(t('errors.config', { message: deployError.message }));
      node.status({ fill: 'red', shape: 'ring', text: t('status.badConfig') });
    }

    let closed = false;
    // A busy stream updates the status at most twice a second; the latest counts win.
    const status = throttledStatus<{ ok: number; invalid: number }>(node, ({ ok, invalid }) =>
      invalid === 0
        ? { fill: 'green', shape: 'dot', text: t('status.ok', { ok }) }
        : { fill: 'yellow', shape: 'ring', text: t('status.someInvalid', { ok, invalid }) },
    STATUS_EVERY_MS);

    node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
      if (closed) return done();
      if (!normalizer) return fail(node, msg, done, deployError);
      const records = recordsOf(msg.payload);
      if (records === undefined) {
        const got = msg.payload === null ? 'null' : typeof msg.payload;
        return fail(node, msg, done, new BadInputError('payload', `expected an array of vendor records or one record, got ${got}`));
      }
      const m = msg as NodeMessageInFlow & { networkFlows?: unknown; invalid?: InvalidRecord[]; parts?: unknown };
      const meta = m.networkFlows;
      const { records: out, invalid } = normalizer.normalize(records, contextOf(meta), Date.now());
      const summary: Record<string, unknown> = meta !== null && typeof meta === 'object' ? { ...(meta) } : {};
      summary.count = out.length;
      summary.invalid = invalid.length;
      summary.format = normalizer.format;
      status.update({ ok: out.length, invalid: invalid.length });

      if (!each) {
        m.payload = out;
        m.invalid = invalid;
        m.networkFlows = summary;
        send(m);
        return done();
      }

      if (out.length === 0) {
        // Nothing to send one by one: the report still reaches the flow as a warning.
        if (invalid.length > 0) {
          const vars = { count: invalid.length, reason: invalid[0]!.reason };
          node.warn(t('errors.allInvalid', vars));
        }
        return done();
      }
      // One message per record, with msg.parts as the core split node writes them, so a join
      // node in automatic mode rebuilds the array.
      const base = RED.util.cloneMessage({ ...m, payload: undefined, invalid: undefined }) as Record<string, unknown>;
      delete base._msgid;
      const id = RED.util.generateId();
      const msgs: NodeMessage[] = new Array<NodeMessage>(out.length);
      for (let i = 0; i < out.length; i++) {
        const part: Record<string, unknown> = { id, index: i, count: out.length, type: 'array', len: 1 };
        if (m.parts !== undefined) part.parts = m.parts;
        const one: Record<string, unknown> = i === out.length - 1 ? base : RED.util.cloneMessage(base);
        one.payload = out[i];
        one.parts = part;
        one.networkFlows = summary;
        if (i === out.length - 1) one.invalid = invalid; // the report rides on the last message
        else delete one.invalid;
        msgs[i] = one;
      }
      send([msgs]);
      done();
    });

    node.on('close', (done: () => void) => {
      closed = true;
      status.close();
      done();
    });
  }

  registerValidation(RED, T, (props) => normalizerOf(props as unknown as NormalizeNodeDef));
  RED.nodes.registerType(T, NormalizeNode);
};
