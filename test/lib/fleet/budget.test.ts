import 'should';
import { RateBudget } from '../../../nodes/lib/fleet';
import { FlowError } from '../../../nodes/lib/errors';
import { fakeClock } from '../../support/clock';

/** Times (clock ms) at which each acquire resolved, per key. */
async function drive(budget: RateBudget, clock: ReturnType<typeof fakeClock>, asks: Array<[string, number]>, untilMs: number): Promise<Array<{ key: string; at: number }>> {
  const got: Array<{ key: string; at: number }> = [];
  for (const [key, n] of asks) for (let i = 0; i < n; i++) void budget.acquire(key).then(() => got.push({ key, at: clock.now() }));
  await clock.timers.tickAsync(untilMs);
  return got;
}

describe('fleet: RateBudget (one request budget per token)', () => {
  it('never lets more than `limit` requests through in any window, a burst included', async () => {
    const clock = fakeClock();
    const budget = new RateBudget({ limit: 100, windowMs: 300_000, burst: 10, clock });
    const got = await drive(budget, clock, [['a', 400]], 1_200_000);
    got.length.should.be.above(300);
    const times = got.map((g) => g.at - got[0]!.at);
    // Slide a 5-minute window over every grant.
    for (let i = 0; i < times.length; i++) {
      let j = i;
      while (j < times.length && times[j]! < times[i]! + 300_000) j++;
      (j - i).should.be.belowOrEqual(100);
    }
    // The burst goes at once.
    times.filter((t) => t === 0).length.should.equal(10);
    budget.close();
  });

  it('serves keys round-robin: a key with 50 waiting does not starve one with 2', async () => {
    const clock = fakeClock();
    const budget = new RateBudget({ limit: 20, windowMs: 20_000, burst: 1, clock });
    const got = await drive(budget, clock, [['busy', 50], ['quiet', 2]], 10_000);
    const order = got.map((g) => g.key);
    // The first grant goes at once (the burst); from then on the two keys take turns.
    order.slice(0, 5).should.eql(['busy', 'busy', 'quiet', 'busy', 'quiet']);
    order.slice(5).every((k) => k === 'busy').should.be.true();
    budget.close();
  });

  it('stops granting when the service says the budget is used up, until its reset', async () => {
    const clock = fakeClock();
    const budget = new RateBudget({ limit: 100, windowMs: 300_000, burst: 10, clock });
    budget.observe(0, clock.now() + 60_000);
    const got = await drive(budget, clock, [['a', 3]], 59_000);
    got.length.should.equal(0);
    await clock.timers.tickAsync(2_000);
    got.length.should.equal(3);
    budget.close();
  });

  it('an aborted wait rejects with ABORTED and frees its place; close rejects the rest', async () => {
    const clock = fakeClock();
    const budget = new RateBudget({ limit: 2, windowMs: 60_000, burst: 1, clock });
    await budget.acquire('a');
    const ac = new AbortController();
    const p1 = budget.acquire('a', ac.signal);
    const p2 = budget.acquire('b');
    ac.abort();
    const e1 = await p1.then(() => undefined, (e: unknown) => e);
    (e1 as FlowError).code.should.equal('ABORTED');
    budget.waiting.should.equal(1);
    budget.close();
    const e2 = await p2.then(() => undefined, (e: unknown) => e);
    (e2 as FlowError).code.should.equal('ABORTED');
    clock.timers.countTimers().should.equal(0);
  });

  it('refuses a nonsense limit, naming the field', () => {
    (() => new RateBudget({ limit: 0, windowMs: 1000 })).should.throw(/limit/);
  });
});
