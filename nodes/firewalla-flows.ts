/**
 * `firewalla-flows`: `GET /v2/flows` of a Firewalla MSP (regular or blocked flows, grouped or not)
 * with three pagination modes: `page` (one page and its cursor), `all` (follow next_cursor up to
 * maxPages, one message) and `stream` (one message per page, with `msg.parts` as core split sets
 * it, so a core join in automatic mode rebuilds one array of records).
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { BadInputError, FlowError, NetworkError } from './lib/errors';
import type { NetworkFlowsMeta } from './lib/network-flow';
import {
  applyOverrides,
  effectiveQuery,
  parseNodeOptions,
  deliverFlows,
  type FirewallaClient,
  type FlowsOptions,
  readPollState,
  type PollState,
} from './lib/vendors/firewalla';
import { texts } from './node-support/texts';
import { clientLookup, FIREWALLA_CONFIG } from './node-support/config-node';
import { registerValidation } from './node-support/validation';
import { checkSharedPolling, handleEndpoint, reportInvalid, requestOverrides, sharedPolling, showSetup } from './node-support/endpoint';
import { storedValue } from './node-support/persisted-state';

const T = 'firewalla-flows';
/** Context key of the "since last poll" state when the node names a store (docs/state.md#what-is-kept-where). */
const POLL_STATE_KEY = 'pollState';

interface FlowsDef extends NodeDef {
  server?: string;
  query?: string;
  groupBy?: string;
  sortBy?: string;
  limit?: string | number;
  blocked?: boolean | string;
  pagination?: string;
  maxPages?: string | number;
  sinceLastPoll?: boolean | string;
  store?: string;
  lease?: string | number;
}

type Msg = NodeMessage & Record<string, unknown>;

export = function (RED: NodeAPI): void {
  const t = texts(RED, T);

  function FirewallaFlows(this: Node, def: FlowsDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const server = clientLookup<FirewallaClient>(RED, def.server, FIREWALLA_CONFIG);
    let poll: PollState = {};

    let setupError: FlowError | undefined;
    let defaults: FlowsOptions | undefined;
    let polling: ReturnType<typeof sharedPolling> = {};
    try {
      if (server.missing) throw server.missing;
      defaults = parseNodeOptions(def as unknown as Record<string, unknown>);
      polling = sharedPolling(RED, node, def, t);
    } catch (err) {
      setupError = err instanceof FlowError ? err : new BadInputError('config', String(err));
    }
    showSetup(node, setupError, t);
    // With a store named, the poll state is read before each poll (another instance, or this one
    // before a restart, may have moved it on) and written after it.
    const stored = polling.store === undefined ? undefined : storedValue(node, POLL_STATE_KEY, polling.store);

    handleEndpoint(node, {
      async run(ctx) {
        if (setupError) throw setupError;
        const client = server.client();
        const opts = applyOverrides(defaults!, requestOverrides(ctx.msg));
        if (stored) {
          const value = await stored.load().catch((err: unknown) => {
            throw new NetworkError(t('errors.stateLoad', { message: (err as Error).message }), { cause: err });
          });
          if (value !== undefined) {
            const saved = readPollState(value);
            if (saved) poll = saved;
            else node.warn(t('warn.stateIgnored'));
          }
        }
        const { query, windowEnd } = effectiveQuery(opts, poll, client.http.clock.now());
        const q = { query, groupBy: opts.groupBy, sortBy: opts.sortBy, limit: opts.limit, cursor: opts.cursor };
        const onWait = (ms: number): void => ctx.progress(t('status.waiting', { seconds: Math.ceil(ms / 1000) }));
        const meta = (count: number, fetchedAt: number, nextCursor: string | null, extra: Record<string, unknown>): NetworkFlowsMeta => ({
          vendor: 'firewalla',
          endpoint: 'flows',
          host: client.host,
          fetchedAt,
          count,
          nextCursor,
          blocked: opts.blocked,
          query,
          ...extra,
        });
        let saving: Promise<void> | undefined;
        const remember = (nextCursor: string | null): void => {
          if (windowEnd !== undefined) poll.lastEnd = windowEnd;
          poll.lastQuery = query;
          poll.lastNextCursor = nextCursor;
          if (stored) {
            saving = stored.save({ ...poll }).catch((err: unknown) => {
              node.warn(t('errors.stateSave', { message: (err as Error).message }));
            });
          }
        };
        const msg = ctx.msg as Msg;
        // stream: one message per page, msg.parts as core split sets it (stacked over any
        // existing parts); `count` is set on the last part, which lets core join (automatic
        // mode) complete the group there. page and all: the input message itself.
        const stream = opts.pagination === 'stream';
        const partsId = stream ? RED.util.generateId() : '';
        const outer = msg.parts;
        let sent = 0;
        let invalidCount = 0;
        let more = false;
        const deliveries = deliverFlows(client, q, {
          mode: opts.pagination,
          signal: ctx.signal,
          maxPages: opts.maxPages,
          onWait,
          onPage: (page, count) => ctx.progress(t('status.page', { page, count })),
        });
        for await (const d of deliveries) {
          invalidCount += d.invalid.length;
          const out = stream ? RED.util.cloneMessage<Msg>(msg) : msg;
          if (stream) {
            delete out._msgid;
            out.parts = {
              id: partsId,
              type: 'array',
              // join concatenates array parts only when len > 1, so a limit of 1 still rebuilds a flat array.
              len: Math.max(2, opts.limit),
              index: d.index,
              ...(d.last ? { count: d.index + 1 } : {}),
              ...(outer !== undefined ? { parts: outer } : {}),
            };
          }
          out.payload = d.records;
          out.networkFlows = meta(d.records.length, d.fetchedAt, d.nextCursor, { ...d.position });
          reportInvalid(node, out, d.invalid, t, d.position.page);
          if (!stream) remember(d.nextCursor);
          if (!ctx.send(out) && stream) return t('status.cancelled');
          sent += d.records.length;
          if (stream && d.last) remember(d.nextCursor);
          more = d.more;
        }
        await saving;
        return status(sent, invalidCount, more);
      },
    }, t, polling.shared);

    function status(count: number, invalid: number, more: boolean): string {
      const base = invalid
        ? t('status.someInvalid', { count, invalid })
        : t('status.ok', { count });
      return more ? `${base} ${t('status.more')}` : base;
    }
  }


  RED.nodes.registerType(T, FirewallaFlows);

  // The editor checks every property (the query with the same parser) as it is typed.
  registerValidation(RED, T, (props) => {
    parseNodeOptions(props);
    checkSharedPolling(props);
  });
};
