/**
 * What every vendor endpoint node does around its library call: take `msg.request` overrides,
 * show progress in the status, send results, hand failures to `done(err)` (so a Catch node sees
 * them with their code), and on close cancel what is in flight and send nothing afterwards.
 */
import type { Node, NodeAPI, NodeMessage, NodeMessageInFlow } from 'node-red';
import { systemClock, type Clock } from '../lib/clock';
import { FlowError, NetworkError, oneLine } from '../lib/errors';
import { CLOSE_BUDGET_MS, settleWithin } from '../lib/http/deadline';
import { checkRequestSizes } from '../lib/validate';
import { coordination, parseLeaseSeconds, parseStoreName, type Coordination } from './coordination';
import { clockTime, errorLine, failureStatus, reportError } from './report';
import type { Texts } from './texts';

export interface EndpointContext {
  /** Aborted when the node closes (redeploy, shutdown). */
  signal: AbortSignal;
  /** The incoming message (send results as copies or modifications of it). */
  msg: NodeMessageInFlow;
  /** Sends unless the node has closed since; returns false when it dropped the message. */
  send(msg: NodeMessage | Array<NodeMessage | null>): boolean;
  /** Shows progress, e.g. "page 3". */
  progress(text: string): void;
}

export interface EndpointHandlers {
  /** Runs one request cycle for a message; resolves with the status text to show. */
  run(ctx: EndpointContext): Promise<string>;
  /** Extra clean-up on close, after in-flight work was aborted. */
  close?(): Promise<void> | void;
}

/**
 * Polls of a node shared by several Node-RED instances (docs/state.md#polling-once-across-instances):
 * a message is handled only by the instance holding the lease `key`; the others show `standby`.
 */
export interface SharedPolling {
  coordination: Coordination;
  key: string;
  ttlMs: number;
  /** Status text of an instance that left a poll to the lease holder. */
  standby: () => string;
}

/**
 * The `store` and `lease` properties of an endpoint node: the store its state lives in (none:
 * memory, as before) and, when that store is shared, the lease its polls take. Throws
 * BadInputError naming the property.
 */
export function sharedPolling(RED: NodeAPI, node: Node, def: { store?: unknown; lease?: unknown }, t: Texts): { store?: string; shared?: SharedPolling } {
  const store = parseStoreName(def.store);
  const ttlMs = parseLeaseSeconds(def.lease) * 1000;
  if (store === undefined) return {};
  const coord = coordination(RED, store, { onError: (message) => node.debug(message) });
  return {
    store,
    shared: { coordination: coord, key: `poll:${node.id}`, ttlMs, standby: () => t('status.standby') },
  };
}

/** The editor's check of `store` and `lease`, as `sharedPolling` reads them at deploy. */
export function checkSharedPolling(props: { store?: unknown; lease?: unknown }): void {
  parseStoreName(props.store);
  parseLeaseSeconds(props.lease);
}

type SendFn = (msg: NodeMessage | Array<NodeMessage | null>) => void;
type DoneFn = (err?: Error) => void;

/**
 * Wires input/close of an endpoint node. `node` must already be created; `t` is its catalogue
 * (`status.requesting`, `failure.<CODE>`); `shared` leaves a poll to the lease holder when the
 * node's store is shared; `clock` dates the statuses.
 */
export function handleEndpoint(node: Node, handlers: EndpointHandlers, t: Texts, shared?: SharedPolling, clock: Clock = systemClock): void {
  const inFlight = new Set<AbortController>();
  let closed = false;

  node.on('input', (msg: NodeMessageInFlow, send: SendFn, done: DoneFn) => {
    const controller = new AbortController();
    inFlight.add(controller);
    node.status({ fill: 'blue', shape: 'ring', text: t('status.requesting') });
    const ctx: EndpointContext = {
      signal: controller.signal,
      msg,
      send(out) {
        if (closed || controller.signal.aborted) return false;
        send(out);
        return true;
      },
      progress(text) {
        if (!closed) node.status({ fill: 'blue', shape: 'ring', text });
      },
    };
    // Without a shared store the cycle starts at once, as it always did.
    const work = shared?.coordination.shared
      ? shared.coordination.acquire(shared.key, shared.ttlMs).then((leader) => (leader && !closed ? handlers.run(ctx) : STANDBY))
      : handlers.run(ctx);
    work
      .then((text) => {
        if (text === STANDBY) {
          if (!closed) node.status({ fill: 'grey', shape: 'ring', text: `${shared!.standby()} · ${clockTime(clock.now(), true)}` });
          return done();
        }
        if (closed) return;
        node.status({ fill: 'green', shape: 'dot', text: `${text} · ${clockTime(clock.now(), true)}` });
        done();
      })
      .catch((err: unknown) => {
        if (closed || controller.signal.aborted) {
          // Cancelled by a redeploy: nothing more is sent for this message.
          done();
          return;
        }
        const e = err instanceof FlowError ? err : new NetworkError(err instanceof Error ? err.message : String(err), { cause: err });
        // Short status, the full sentence to Catch or, uncaught, as one line to the log and sidebar.
        node.status(failureStatus(e, t, clock));
        reportError(node, e, msg);
        done();
      })
      .finally(() => inFlight.delete(controller));
  });

  node.on('close', (_removed: boolean, closeDone: () => void) => {
    closed = true;
    for (const c of inFlight) c.abort();
    inFlight.clear();
    node.status({});
    // Releasing the lease lets another instance take the polls over at once.
    void settleWithin(Promise.all([Promise.resolve().then(() => handlers.close?.()), shared?.coordination.close()]), CLOSE_BUDGET_MS).then(() => closeDone());
  });
}

const STANDBY = '\u0000standby';

/**
 * Values from `msg.request` override the node's own, same names (docs/design.md#request-overrides). Each is size-checked before
 * anything parses it: BAD_INPUT naming `request.<field>` when over its cap (lib/validate.ts).
 */
export function requestOverrides(msg: NodeMessageInFlow): Record<string, unknown> {
  const r = (msg as { request?: unknown }).request;
  if (r === null || typeof r !== 'object' || Array.isArray(r)) return {};
  checkRequestSizes(r as Record<string, unknown>);
  return r as Record<string, unknown>;
}

/**
 * At deploy: a node that cannot work as configured says so (short red status, one error line);
 * one that can clears the status a previous, badly set instance left (Node-RED keeps a node's
 * last status across a redeploy).
 */
export function showSetup(node: Node, err: FlowError | undefined, t: Texts): void {
  if (err === undefined) {
    node.status({});
    return;
  }
  node.status(failureStatus(err, t));
  node.error(errorLine(err));
}

/** `msg.invalid` keeps at most this many entries (the first ones); the rest are counted in `msg.invalidOmitted`. */
export const INVALID_LIST_CAP = 1000;
/** Reasons quoted in the one summary warning of a message. */
export const INVALID_REASONS_SHOWN = 3;

export interface InvalidEntry {
  index: number;
  reason: string;
  page?: number;
}

/**
 * `msg.invalid` lists the skipped records of this message (at most INVALID_LIST_CAP, with
 * `msg.invalidOmitted` saying how many more there were), and is absent when there are none.
 * Returns how many were left out.
 */
export function setInvalid(msg: NodeMessage, invalid: readonly InvalidEntry[]): number {
  const m = msg as NodeMessage & { invalid?: readonly InvalidEntry[]; invalidOmitted?: number };
  const omitted = Math.max(0, invalid.length - INVALID_LIST_CAP);
  if (invalid.length) m.invalid = omitted ? invalid.slice(0, INVALID_LIST_CAP) : invalid;
  else delete m.invalid;
  if (omitted) m.invalidOmitted = omitted;
  else delete m.invalidOmitted;
  return omitted;
}

/**
 * Sets `msg.invalid` and logs one summary warning for the message (however many records were
 * bad): the count, the first few reasons, and how many `msg.invalid` left out.
 */
export function reportInvalid(node: Node, msg: NodeMessage, invalid: readonly InvalidEntry[], t: Texts, page?: number): void {
  const omitted = setInvalid(msg, invalid);
  if (!invalid.length) return;
  const first = invalid
    .slice(0, INVALID_REASONS_SHOWN)
    .map((b) => {
      const p = b.page ?? page;
      const reason = oneLine(b.reason, 120);
      return p === undefined ? t('warn.record', { index: b.index, reason }) : t('warn.pageRecord', { page: p, index: b.index, reason });
    })
    .join('; ');
  const more = invalid.length > INVALID_REASONS_SHOWN ? invalid.length - INVALID_REASONS_SHOWN : 0;
  const vars = { count: invalid.length, first, more, omitted, cap: INVALID_LIST_CAP };
  node.warn(omitted ? t('warn.badRecordsCapped', vars) : more ? t('warn.badRecordsMore', vars) : t('warn.badRecords', vars));
}
