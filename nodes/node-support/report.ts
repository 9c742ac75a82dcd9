/**
 * How a node shows a failure, the way Node-RED's core nodes do (docs/design.md#statuses-and-errors):
 * - the status is short, in core's style ("auth failed", "cannot reach host", "rate limited,
 *   retry 14:05"), so it never runs into the next node;
 * - the full sentence goes to the error: a Catch node gets the coded error (`msg.error.code`), and
 *   an error nobody catches is logged as one readable line, which is what the debug sidebar shows
 *   (an Error object would show there as an object with its stack).
 */
import type { Node, NodeMessage, NodeStatus } from 'node-red';
import { systemClock, type Clock } from '../lib/clock';
import { FlowError, oneLine } from '../lib/errors';
import type { Texts } from './texts';

/** "14:05": a time in the runtime's local time, for statuses. */
export function clockTime(ms: number, seconds = false): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}${seconds ? `:${p(d.getSeconds())}` : ''}`;
}

/** The short status of a failure; `now` from the node's clock. Keys: `failure.<CODE>` in the node's catalogue. */
export function failureStatus(err: FlowError, t: Texts, clock: Clock = systemClock): NodeStatus {
  let text: string;
  switch (err.code) {
    case 'RATE_LIMIT':
      text = err.retryAfterMs !== undefined && err.retryAfterMs > 0
        ? t('failure.RATE_LIMIT_UNTIL', { time: clockTime(clock.now() + err.retryAfterMs) })
        : t('failure.RATE_LIMIT');
      break;
    case 'HTTP_4XX':
    case 'HTTP_5XX':
      text = t(`failure.${err.code}`, { status: err.status ?? '' });
      break;
    case 'BAD_INPUT':
      text = err.field ? t('failure.BAD_INPUT_FIELD', { field: err.field }) : t('failure.BAD_INPUT');
      break;
    default:
      text = t(`failure.${err.code}`);
  }
  return { fill: err.code === 'RATE_LIMIT' ? 'yellow' : 'red', shape: 'ring', text };
}

/** The one readable line for the log and the debug sidebar. */
export function errorLine(err: unknown): string {
  return oneLine(err instanceof Error ? err.message : String(err), 1000);
}

interface FlowWithCatch {
  handleError?(node: Node, err: unknown, msg: object): boolean;
}

/**
 * Reports a failure of handling `msg` (then call `done()`): to the Catch nodes that watch this
 * node, with the coded error; if none does, to the log (and debug sidebar) as one line. Without
 * `msg` (a failure at deploy) only the line is logged. `node.error(err, msg)` does the same
 * except that it logs the Error object itself.
 */
export function reportError(node: Node, err: unknown, msg?: object): void {
  // `_flow.handleError` is what `node.error(x, msg)` calls (Node-RED 3 to 5); it answers whether a Catch node took it.
  const flow = (node as unknown as { _flow?: FlowWithCatch })._flow;
  if (msg !== undefined) {
    if (typeof flow?.handleError !== 'function') {
      node.error(err, msg as NodeMessage);
      return;
    }
    if (flow.handleError(node, err, msg)) return;
  }
  node.error(errorLine(err));
}

/** Ends the handling of `msg` with a failure: `reportError`, then `done()` (core nodes' `node.error(err, msg); done()`). */
export function fail(node: Node, msg: object, done: () => void, err: unknown): void {
  reportError(node, err, msg);
  done();
}
