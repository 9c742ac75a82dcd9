/**
 * What every vendor endpoint node does around its library call: take `msg.request` overrides,
 * show progress in the status, send results, hand failures to `done(err)` (so a Catch node sees
 * them with their code), and on close cancel what is in flight and send nothing afterwards.
 */
import type { Node, NodeMessage, NodeMessageInFlow } from 'node-red';
import { FlowError, NetworkError } from '../lib/errors';

export interface EndpointContext {
  /** Aborted when the node closes (redeploy, shutdown). */
  signal: AbortSignal;
  /** The incoming message (send results as copies or modifications of it). */
  msg: NodeMessageInFlow;
  /** Sends unless the node has closed since; returns false when it dropped the message. */
  send(msg: NodeMessage | NodeMessage[]): boolean;
  /** Shows progress, e.g. "page 3". */
  progress(text: string): void;
}

export interface EndpointHandlers {
  /** Runs one request cycle for a message; resolves with the status text to show. */
  run(ctx: EndpointContext): Promise<string>;
  /** Extra clean-up on close, after in-flight work was aborted. */
  close?(): Promise<void> | void;
}

type SendFn = (msg: NodeMessage | NodeMessage[]) => void;
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
    Promise.resolve(handlers.close?.())
      .catch(() => undefined)
      .finally(() => closeDone());
  });
}

/** Values from `msg.request` override the node's own, same names (docs/design.md#request-overrides). */
export function requestOverrides(msg: NodeMessageInFlow): Record<string, unknown> {
  const r = (msg as { request?: unknown }).request;
  return r !== null && typeof r === 'object' && !Array.isArray(r) ? (r as Record<string, unknown>) : {};
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

/** `msg.invalid` lists the skipped records of this message, and is absent when there are none. */
export function setInvalid(msg: NodeMessage, invalid: readonly unknown[]): void {
  const m = msg as NodeMessage & { invalid?: readonly unknown[] };
  if (invalid.length) m.invalid = invalid;
  else delete m.invalid;
}
