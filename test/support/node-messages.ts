/** Waiting for what a node under node-red-node-test-helper receives. */
import type { Node, NodeMessage } from 'node-red';

export type Msg = NodeMessage & Record<string, unknown>;

/** Every message the node receives from now on. */
export function collect(node: Node): Msg[] {
  const got: Msg[] = [];
  node.on('input', (m: Msg) => void got.push(m));
  return got;
}

/** Resolves with the next `n` messages the node receives. */
export function next(node: Node, n = 1): Promise<Msg[]> {
  return new Promise((resolve) => {
    const got: Msg[] = [];
    node.on('input', (m: Msg) => {
      got.push(m);
      if (got.length === n) resolve(got);
    });
  });
}

/** Resolves once `cond()` holds; rejects after about `ms` (counted in polls, not read from a clock a test may pin). */
export function until(cond: () => boolean, ms = 5000): Promise<void> {
  let polls = Math.ceil(ms / 10);
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (cond()) resolve();
      else if (polls-- <= 0) reject(new Error('condition not reached'));
      else setTimeout(tick, 10);
    };
    tick();
  });
}
