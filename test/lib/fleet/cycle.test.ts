import 'should';
import { runCycle } from '../../../nodes/lib/fleet';
import { fakeClock } from '../../support/clock';
import { prng } from '../../../simulator/traffic';

describe('fleet: runCycle (concurrency cap and jitter)', () => {
  it('never runs more polls at once than the cap, and polls every site once', async () => {
    const clock = fakeClock();
    let active = 0;
    let peak = 0;
    const polled: number[] = [];
    const sites = Array.from({ length: 50 }, (_, i) => i);
    const out = await clock.run(
      runCycle(
        sites,
        async (s) => {
          active++;
          peak = Math.max(peak, active);
          await new Promise<void>((r) => clock.setTimeout(r, 100 + (s % 7) * 10));
          active--;
          polled.push(s);
          if (s % 10 === 3) throw new Error('down');
        },
        { concurrency: 4, jitterMs: 1000, random: prng(1), clock },
      ),
    );
    peak.should.equal(4);
    polled.slice().sort((a, b) => a - b).should.eql(sites);
    out.filter((o) => !o.ok).length.should.equal(5);
  });

  it('spreads start times over the jitter window from the injected random source', async () => {
    const clock = fakeClock();
    const start = clock.now();
    const starts: number[] = [];
    const seq = [0.5, 0.1, 0.9, 0];
    let k = 0;
    await clock.run(runCycle([1, 2, 3, 4], async () => void starts.push(clock.now() - start), { concurrency: 10, jitterMs: 1000, random: () => seq[k++]!, clock }));
    starts.should.eql([0, 100, 500, 900]);
  });

  it('a cancelled cycle starts nothing more', async () => {
    const clock = fakeClock();
    const ac = new AbortController();
    const started: number[] = [];
    const p = runCycle([1, 2, 3], async (s) => void started.push(s), { concurrency: 1, jitterMs: 10_000, random: () => 0.5, clock, signal: ac.signal });
    ac.abort();
    await clock.run(p);
    started.should.eql([]);
  });

  it('refuses a concurrency of 0, naming the field', async () => {
    await runCycle([1], async () => undefined, { concurrency: 0, jitterMs: 0 }).should.be.rejectedWith(/concurrency/);
  });
});
