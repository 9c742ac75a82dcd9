/**
 * One polling cycle over many sites (docs/fleets.md#one-cycle): every site gets a start time
 * spread at random over `jitterMs` from the cycle's start (so 500 appliances are not asked in
 * the same second, and two cycles do not hit a site at the same offset), and at most
 * `concurrency` polls run at once. The random source and the clock are injected, so tests decide
 * both. A poll that throws is that site's failure, never the cycle's.
 */
import { BadInputError } from '../errors';
import { sleep, systemClock, type Clock } from '../clock';

export interface CycleOptions {
  /** Polls running at once, 1 to 1000. */
  concurrency: number;
  /** Start times are spread over [0, jitterMs). 0: every site is ready at once. */
  jitterMs: number;
  /** Returns a number in [0, 1). Default Math.random. */
  random?: () => number;
  clock?: Clock;
  signal?: AbortSignal;
}

export interface CycleOutcome<S> {
  site: S;
  ok: boolean;
  error?: unknown;
  /** Clock time when this site's poll started and ended. */
  startedAt: number;
  endedAt: number;
}

export const MAX_CONCURRENCY = 1000;

export function checkConcurrency(value: number, field = 'concurrency'): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_CONCURRENCY) {
    throw new BadInputError(field, `expected a whole number from 1 to ${MAX_CONCURRENCY}, got ${value}`);
  }
  return value;
}

/** Runs `poll` once for every site; resolves with one outcome per site, in the order they ended. */
export async function runCycle<S>(
  sites: readonly S[],
  poll: (site: S, signal: AbortSignal | undefined) => Promise<void>,
  opts: CycleOptions,
): Promise<Array<CycleOutcome<S>>> {
  const concurrency = checkConcurrency(opts.concurrency);
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? Math.random;
  const jitter = Math.max(0, opts.jitterMs);
  const start = clock.now();
  const plan = sites.map((site) => ({ site, at: start + Math.floor(Math.min(Math.max(random(), 0), 0.999999) * jitter) }));
  plan.sort((a, b) => a.at - b.at);
  const outcomes: Array<CycleOutcome<S>> = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < plan.length) {
      if (opts.signal?.aborted) return;
      const item = plan[next++]!;
      const wait = item.at - clock.now();
      if (wait > 0) {
        try {
          await sleep(wait, opts.signal, clock);
        } catch {
          return;
        }
      }
      const startedAt = clock.now();
      try {
        await poll(item.site, opts.signal);
        outcomes.push({ site: item.site, ok: true, startedAt, endedAt: clock.now() });
      } catch (error) {
        outcomes.push({ site: item.site, ok: false, error, startedAt, endedAt: clock.now() });
      }
    }
  };
  const workers: Array<Promise<void>> = [];
  for (let i = 0; i < Math.min(concurrency, plan.length); i++) workers.push(worker());
  await Promise.all(workers);
  return outcomes;
}
