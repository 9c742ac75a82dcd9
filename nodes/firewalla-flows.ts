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
  checkQuery,
  effectiveQuery,
  parseNodeOptions,
  type FirewallaClient,
  type FirewallaRecord,
  type FlowsOptions,
  type FlowsPage,
  readPollState,
  type PollState,
} from './lib/vendors/firewalla';
import { catalogue } from './node-support/catalogue';
import { handleEndpoint, reportInvalid, reportSetupError, requestOverrides, sharedPolling } from './node-support/endpoint';
import { storedValue } from './node-support/persisted-state';

const T = 'firewalla-flows';
/** Context key of the "since last poll" state when the node names a store (docs/state.md#what-is-kept-where). */
const POLL_STATE_KEY = 'pollState';

interface FirewallaConfigNode extends Node {
  firewalla?: FirewallaClient;
  configError?: FlowError;
}

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
  const t = catalogue(RED, T);

  function FirewallaFlows(this: Node, def: FlowsDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const server = def.server ? (RED.nodes.getNode(def.server) as FirewallaConfigNode | null) : null;
    let poll: PollState = {};

    let setupError: FlowError | undefined;
    let defaults: FlowsOptions | undefined;
    let polling: ReturnType<typeof sharedPolling> = {};
    try {
      if (!server) throw new BadInputError('server', 'select a Firewalla MSP (firewalla-msp-config node)');
      defaults = parseNodeOptions(def as unknown as Record<string, unknown>);
      polling = sharedPolling(RED, node, def, t);
    } catch (err) {
      setupError = err instanceof FlowError ? err : new BadInputError('config', String(err));
    }
    if (setupError) {
      reportSetupError(node, setupError);
    }
    // With a store named, the poll state is read before each poll (another instance, or this one
    // before a restart, may have moved it on) and written after it.
    const stored = polling.store === undefined ? undefined : storedValue(node, POLL_STATE_KEY, polling.store);

    handleEndpoint(node, {
      async run(ctx) {
        if (setupError) throw setupError;
        if (server!.configError) throw server!.configError;
        const client = server!.firewalla;
        if (!client) throw new BadInputError('server', 'the Firewalla MSP configuration is closed or invalid');
        const opts = applyOverrides(defaults!, requestOverrides(ctx.msg));
        if (stored) {
          const value = await stored.load().catch((err: unknown) => {
            throw new NetworkError(t('errors.stateLoad', { message: (err as Error).message }, `could not read the poll state from the context store: ${(err as Error).message}`), { cause: err });
          });
          if (value !== undefined) {
            const saved = readPollState(value);
            if (saved) poll = saved;
            else node.warn(t('warn.stateIgnored', {}, 'the stored poll state is not one this node wrote: starting afresh'));
          }
        }
        const { query, windowEnd } = effectiveQuery(opts, poll, client.http.clock.now());
        const q = { query, groupBy: opts.groupBy, sortBy: opts.sortBy, limit: opts.limit, cursor: opts.cursor };
        const onWait = (ms: number): void => ctx.progress(t('status.waiting', { seconds: Math.ceil(ms / 1000) }, `rate limit: waiting ${Math.ceil(ms / 1000)} s`));
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
              node.warn(t('errors.stateSave', { message: (err as Error).message }, `could not write the poll state to the context store: ${(err as Error).message}`));
            });
          }
        };
        const msg = ctx.msg as Msg;

        if (opts.pagination === 'page') {
          const page = await client.page(q, { signal: ctx.signal, onWait });
          msg.payload = page.records;
          msg.networkFlows = meta(page.records.length, page.fetchedAt, page.nextCursor, { page: 1 });
          reportInvalid(node, msg, page.invalid, t, 1);
          remember(page.nextCursor);
          ctx.send(msg);
          await saving;
          return status(page.records.length, page.invalid.length, page.nextCursor !== null);
        }

        if (opts.pagination === 'all') {
          const records: FirewallaRecord[] = [];
          const invalid: Array<{ page: number; index: number; reason: string }> = [];
          let last: FlowsPage | undefined;
          for await (const page of client.pages(q, { signal: ctx.signal, maxPages: opts.maxPages, onWait })) {
            for (const r of page.records) records.push(r);
            for (const bad of page.invalid) invalid.push({ page: page.index + 1, index: bad.index, reason: bad.reason });
            last = page;
            ctx.progress(t('status.page', { page: page.index + 1, count: records.length }, `page ${page.index + 1}: ${records.length} flows`));
          }
          const pages = last ? last.index + 1 : 0;
          msg.payload = records;
          msg.networkFlows = meta(records.length, last?.fetchedAt ?? client.http.clock.now(), last?.nextCursor ?? null, { page: pages, pages, truncated: last?.truncated ?? false });
          reportInvalid(node, msg, invalid, t);
          remember(last?.nextCursor ?? null);
          ctx.send(msg);
          await saving;
          return status(records.length, invalid.length, last?.truncated ?? false);
        }

        // stream: one message per page, msg.parts as core split sets it (stacked over any
        // existing parts); `count` is set on the last part, which lets core join (automatic
        // mode) complete the group there.
        const partsId = RED.util.generateId();
        const outer = msg.parts;
        let sent = 0;
        let invalidCount = 0;
        for await (const page of client.pages(q, { signal: ctx.signal, maxPages: opts.maxPages, onWait })) {
          invalidCount += page.invalid.length;
          const out = RED.util.cloneMessage(msg) as Msg;
          delete out._msgid;
          out.payload = page.records;
          out.parts = {
            id: partsId,
            type: 'array',
            // join concatenates array parts only when len > 1, so a limit of 1 still rebuilds a flat array.
            len: Math.max(2, opts.limit),
            index: page.index,
            ...(page.last ? { count: page.index + 1 } : {}),
            ...(outer !== undefined ? { parts: outer } : {}),
          };
          out.networkFlows = meta(page.records.length, page.fetchedAt, page.nextCursor, {
            page: page.index + 1,
            ...(page.last ? { pages: page.index + 1, truncated: page.truncated } : {}),
          });
          reportInvalid(node, out, page.invalid, t, page.index + 1);
          if (!ctx.send(out)) return t('status.cancelled', {}, 'cancelled');
          sent += page.records.length;
          if (page.last) remember(page.nextCursor);
          ctx.progress(t('status.page', { page: page.index + 1, count: sent }, `page ${page.index + 1}: ${sent} flows`));
        }
        await saving;
        return status(sent, invalidCount, false);
      },
    }, polling.shared);

    function status(count: number, invalid: number, more: boolean): string {
      const base = invalid
        ? t('status.someInvalid', { count, invalid }, `${count} flows, ${invalid} skipped`)
        : t('status.ok', { count }, `${count} flows`);
      return more ? `${base} ${t('status.more', {}, '(more)')}` : base;
    }
  }


  RED.nodes.registerType(T, FirewallaFlows);

  // The editor checks the query as it is typed: same parser as deploy and msg.request.query.
  RED.httpAdmin.post(`/network-flows/${T}/validate-query`, RED.auth.needsPermission(`${T}.read`), (req, res) => {
    const body = (req.body ?? {}) as { query?: unknown };
    const r = checkQuery(typeof body.query === 'string' ? body.query : '');
    res.json(r.ok ? { ok: true, terms: r.terms.length } : r);
  });
};
