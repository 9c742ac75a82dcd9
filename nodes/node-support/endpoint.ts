/**
 * What every vendor endpoint node does around its library call: take `msg.request` overrides,
 * show progress in the status, send results, hand failures to `done(err)` (so a Catch node sees
 * them with their code), and on close cancel what is in flight and send nothing afterwards.
 */
import type { Node, NodeMessage, NodeMessageInFlow } from 'node-red';
import { FlowError, NetworkError, oneLine } from '../lib/errors';
import { CLOSE_BUDGET_MS, settleWithin } from '../lib/http/deadline';
import { checkRequestSizes } from '../lib/validate';

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

type SendFn = (msg: NodeMessage | Array<NodeMessage | null>) => void;
type DoneFn = (err?: Error) => void;

/** Wires input/close of an endpoint node. `node` must already be created. */
export function handleEndpoint(node: Node, handlers: EndpointHandlers): void {
  const inFlight = new Set<AbortController>();
  let closed = false;

  node.on('input', (msg: NodeMessageInFlow, send: SendFn, done: DoneFn) => {
    const controller = new AbortController();
    inFlight.add(controller);
    node.status({ fill: 'blue', shape: 'ring', text: 'requesting…' });
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
    handlers
      .run(ctx)
      .then((text) => {
        if (closed) return;
        node.status({ fill: 'green', shape: 'dot', text: `${text} · ${clock()}` });
        done();
      })
      .catch((err: unknown) => {
        if (closed || controller.signal.aborted) {
          // Cancelled by a redeploy: nothing more is sent for this message.
          done();
          return;
        }
        const e = err instanceof FlowError ? err : new NetworkError(err instanceof Error ? err.message : String(err), { cause: err });
        node.status({ fill: 'red', shape: 'ring', text: `${e.code}: ${shorten(e.message)}` });
        done(e);
      })
      .finally(() => inFlight.delete(controller));
  });

  node.on('close', (_removed: boolean, closeDone: () => void) => {
    closed = true;
    for (const c of inFlight) c.abort();
    inFlight.clear();
    node.status({});
    void settleWithin(Promise.resolve().then(() => handlers.close?.()), CLOSE_BUDGET_MS).then(() => closeDone());
  });
}

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

function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}

function shorten(s: string, max = 60): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A node that cannot work as configured says so at deploy: red status and one error. */
export function reportSetupError(node: Node, err: FlowError): void {
  node.status({ fill: 'red', shape: 'ring', text: err.message.slice(0, 60) });
  node.error(err.message);
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

type Texts = (key: string, vars: Record<string, string | number>, fallback: string) => string;

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
      return `${p === undefined ? '' : `page ${p}, `}record ${b.index}: ${oneLine(b.reason, 120)}`;
    })
    .join('; ');
  const more = invalid.length > INVALID_REASONS_SHOWN ? invalid.length - INVALID_REASONS_SHOWN : 0;
  const vars = { count: invalid.length, first, more, omitted, cap: INVALID_LIST_CAP };
  const fallback =
    `${invalid.length} record(s) skipped (see msg.invalid): ${first}` +
    (more ? ` (and ${more} more)` : '') +
    (omitted ? `; msg.invalid keeps the first ${INVALID_LIST_CAP}, ${omitted} left out` : '');
  node.warn(omitted ? t('warn.badRecordsCapped', vars, fallback) : more ? t('warn.badRecordsMore', vars, fallback) : t('warn.badRecords', vars, fallback));
}
