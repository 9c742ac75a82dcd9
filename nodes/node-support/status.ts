import type { Node, NodeStatus } from 'node-red';

/**
 * A status that a busy stream updates at most once per `everyMs`: the latest state wins, and
 * nothing is shown after `close()` (which also clears the pending timer).
 */
export function throttledStatus<S>(node: Node, render: (state: S) => NodeStatus, everyMs = 500): { update(state: S): void; close(): void } {
  let timer: NodeJS.Timeout | undefined;
  let last = 0;
  let pending: S | undefined;
  let closed = false;
  const show = (): void => {
    timer = undefined;
    if (closed || pending === undefined) return;
    last = Date.now();
    const state = pending;
    pending = undefined;
    node.status(render(state));
  };
  return {
    update(state) {
      pending = state;
      if (closed || timer) return;
      const wait = last + everyMs - Date.now();
      if (wait <= 0) show();
      else timer = setTimeout(show, wait);
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
