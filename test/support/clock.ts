/**
 * Pinned time for tests. No test draws data or expectations from the wall clock:
 *
 * - library tests inject `fakeClock()` (a `Clock` on @sinonjs/fake-timers that moves only when
 *   the test moves it, or while `run()` drives it) into clients and the simulator;
 * - node tests run a real Node-RED runtime that reads `Date` itself, so `pinDate()` fakes only
 *   `Date`: it starts at the pinned instant and flows with real time. Timers stay real, so
 *   undici's socket timeouts and Node-RED behave as in production, and no handle is left open.
 *
 * `NF_TEST_HOUR` (0-23, default 12) moves the pinned instant; `npm run test:hours` runs the node
 * tests at 00, 06, 12 and 18 UTC (18:00 is the simulator's busiest hour, simulator/traffic.ts).
 */
import * as FakeTimers from '@sinonjs/fake-timers';
import type { Clock } from '../../nodes/lib/clock';

function hourFromEnv(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 12;
  const hour = Number(value);
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) throw new Error(`NF_TEST_HOUR: expected a whole hour from 0 to 23, got "${value}"`);
  return hour;
}

/** The UTC hour tests run at. */
export const TEST_HOUR = hourFromEnv(process.env.NF_TEST_HOUR);

/** The pinned instant: 2026-03-10 at TEST_HOUR:00:00 UTC. */
export const PINNED_NOW = Date.UTC(2026, 2, 10, TEST_HOUR);

export interface FakeClock extends Clock {
  /** The fake timers behind it (`tick`, `tickAsync`, `countTimers`...). */
  readonly timers: FakeTimers.Clock;
  /** Every wait the code under test asked for, in order (ms). */
  readonly waits: number[];
  /** Awaits `work`, firing each timer as soon as it is set, so waits take no real time. */
  run<T>(work: Promise<T>): Promise<T>;
}

/** A clock that stands still at `start` until the test moves it. */
export function fakeClock(start = PINNED_NOW): FakeClock {
  const timers = FakeTimers.createClock(start);
  const waits: number[] = [];
  return {
    timers,
    waits,
    now: () => timers.now,
    setTimeout: (callback, ms) => {
      waits.push(ms);
      return timers.setTimeout(callback, ms);
    },
    clearTimeout: (handle) => timers.clearTimeout(handle as FakeTimers.TimerId),
    async run<T>(work: Promise<T>): Promise<T> {
      timers.setTickMode({ mode: 'nextAsync' });
      try {
        return await work;
      } finally {
        timers.setTickMode({ mode: 'manual' });
      }
    },
  };
}

/**
 * Node tests: call inside a `describe` (before its other hooks). Fakes only `Date`: it starts
 * at `start` and flows with real time; uninstalled after the block. `tick(ms)` jumps the date
 * forward (e.g. past a token's renewal point) without waiting.
 */
export function pinDate(start = PINNED_NOW): { tick(ms: number): void } {
  let installed: FakeTimers.Clock | undefined;
  before(() => {
    installed = FakeTimers.install({ now: start, toFake: ['Date'] });
    // Time flows by reading the monotonic clock at each `Date` read. (`shouldAdvanceTime` steps
    // 20 ms per interval tick and falls behind when the loop is busy; then a rate-limit reset
    // the simulator measures with `Date` and the client waits for with a real timer disagree.)
    const origin = performance.now();
    let base = start;
    Object.defineProperty(installed, 'now', {
      configurable: true,
      get: () => Math.floor(base + performance.now() - origin),
      set: (value: number) => {
        base = value - (performance.now() - origin);
      },
    });
  });
  after(() => {
    installed?.uninstall();
    installed = undefined;
  });
  return {
    tick(ms: number): void {
      if (!installed) throw new Error('pinDate: tick() outside the describe block that pinned the date');
      installed.tick(ms);
    },
  };
}
