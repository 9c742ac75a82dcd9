/**
 * Bounds for clean-up work that must never hold a redeploy up (Node-RED gives a node 15 s to
 * close): a logout gets `LOGOUT_TIMEOUT_MS`, and a whole close `CLOSE_BUDGET_MS`.
 * Built on setTimeout (not AbortSignal.timeout) so fake timers can drive it in tests; the timer
 * is unref'd so it never keeps a process alive.
 */
import { systemClock, type Clock } from '../clock';

/** How long a close waits for the appliance to confirm a logout. */
export const LOGOUT_TIMEOUT_MS = 2000;

/** How long a config node's close may take in all (logout included) before it reports done. */
export const CLOSE_BUDGET_MS = 5000;

/** An AbortSignal that aborts after `ms`, and `clear()` to drop the timer once the work ended. */
export function deadline(
  ms: number,
  reason: () => Error = () => new Error(`gave up after ${ms} ms`),
  clock: Clock = systemClock,
): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const timer = clock.setTimeout(() => controller.abort(reason()), ms);
  (timer as { unref?: () => void } | undefined)?.unref?.();
  return { signal: controller.signal, clear: () => clock.clearTimeout(timer) };
}

/** Resolves when `work` settles or after `ms`, whichever is first; never rejects. */
export async function settleWithin(work: Promise<unknown>, ms: number): Promise<'done' | 'timeout'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
    timer.unref?.();
  });
  try {
    return await Promise.race([work.then(() => 'done' as const, () => 'done' as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
