/**
 * What the engine lets in before counting: repeats within the window horizon and history
 * before the engine went live (docs/design.md#duplicates-and-backfill).
 */
import 'should';
import { AnomalyEngine, type AnomalyOptionsInput } from '../../../nodes/lib/anomaly';
import type { NetworkFlow } from '../../../nodes/lib/network-flow';
import { fakeClock } from '../../support/clock';

const MIN = 60_000;

function flow(ts: number, port: number, bytes: number, more: Partial<NetworkFlow> = {}): NetworkFlow {
  return {
    kind: 'flow', vendor: 'firewalla', endpoint: 'flows', ts, src: { ip: '192.168.1.23', port }, dst: { ip: '93.184.216.34', port: 443 },
    protocol: { number: 6, name: 'tcp' }, direction: 'outbound', bytes, ...more,
  };
}

const threshold: AnomalyOptionsInput = { key: 'src.ip', metric: 'sum:bytes', window: 60, rule: 'threshold', threshold: 1000, lateness: 0 };

describe('lib/anomaly intake: repeats and backfill', () => {
  it('counts a record seen again within the window horizon once (Community ID + start, or vendor id)', () => {
    const clock = fakeClock();
    const t = clock.now() - 10 * MIN;
    const e = new AnomalyEngine({ ...threshold, threshold: 900, backfill: 'alert' }, clock);
    const poll = [flow(t + 1000, 40001, 400), flow(t + 2000, 40002, 400), flow(t + 3000, 40003, 50, { id: 'fw-1' } as Partial<NetworkFlow>)];
    e.ingest(poll).accepted.should.equal(3);
    const again = e.ingest([...poll, { ...poll[2]!, bytes: 50, src: { ip: '192.168.1.23', port: 1 } }]);
    again.duplicates.should.equal(4); // the vendor id matches whatever the tuple
    again.accepted.should.equal(0);
    const closed = e.ingest(flow(t + 2 * MIN, 40009, 1));
    closed.events.length.should.equal(0); // 850 bytes, not 1,700
    e.stats().duplicates.should.equal(4);
    // The same tuple starting at another time is another connection: counted.
    e.ingest(flow(t + 2 * MIN + 5000, 40001, 1000)).accepted.should.equal(1);
  });

  it('counts repeats twice with dedup off, and forgets identities beyond the horizon', () => {
    const clock = fakeClock();
    const t = clock.now() - 60 * MIN;
    const off = new AnomalyEngine({ ...threshold, dedup: false, backfill: 'alert' }, clock);
    off.ingest([flow(t + 1000, 40001, 600), flow(t + 1000, 40001, 600)]);
    off.ingest(flow(t + 2 * MIN, 40002, 1)).events.length.should.equal(1);
    const on = new AnomalyEngine({ ...threshold, backfill: 'alert' }, clock);
    on.ingest(flow(t + 1000, 40001, 600));
    on.ingest(flow(t + 10 * MIN, 40005, 1)); // the horizon (60 s window, no lateness) moves on
    // Arrives again after its window closed: late either way, never counted twice.
    const res = on.ingest(flow(t + 1000, 40001, 600));
    (res.duplicates + res.late).should.equal(1);
  });

  it('backfill learn: windows that ended before the engine started teach the baseline, never alert', () => {
    const clock = fakeClock();
    const start = Math.floor(clock.now() / MIN) * MIN;
    const e = new AnomalyEngine({ key: 'src.ip', metric: 'sum:bytes', window: 60, rule: 'ewma', alpha: 0.3, warmup: 3, lateness: 0, cooldown: 0 }, clock);
    e.options.backfill.should.equal('alert'); // the library replays unless told
    const learn = new AnomalyEngine({ ...e.options, backfill: 'learn' }, clock);
    // A day of history in the first poll: steady, with a spike in the middle.
    const history: NetworkFlow[] = [];
    for (let i = 0; i < 30; i++) history.push(flow(start - (30 - i) * MIN + 1000, 40000 + i, i === 20 ? 500_000 : 1000 + (i % 3) * 10));
    const replay = e.ingest(history);
    replay.events.filter((x) => x.type === 'alert').length.should.equal(1); // what a replay sees
    const first = learn.ingest(history);
    first.events.length.should.equal(0);
    learn.stats().backfilled.should.equal(1);
    // Live: the clock moves on, the next poll brings a spike in a window ending after the start.
    clock.timers.tick(3 * MIN);
    const live = learn.ingest([flow(start + 1000, 50001, 500_000), flow(start + 2 * MIN, 50002, 1000)]);
    live.events.map((x) => x.type).should.eql(['alert']);
    live.events[0]!.payload.baseline!.mean.should.be.below(2000); // learnt from history, the spike winsorised
  });

  it('after a restore, history ends where the saved run closed its windows: a restart does not silence the next poll', () => {
    const clock = fakeClock();
    const start = Math.floor(clock.now() / MIN) * MIN;
    const opts: AnomalyOptionsInput = { ...threshold, backfill: 'learn' };
    const before = new AnomalyEngine(opts, clock);
    clock.timers.tick(10 * MIN);
    before.ingest([flow(start + 1000, 40001, 10), flow(start + 2 * MIN + 1000, 40002, 10)]); // closes up to the window ending at start + 3 min
    const saved = JSON.parse(JSON.stringify(before.exportState())) as unknown;
    // Restarted 10 minutes later: the poll after the restart brings the minutes in between.
    clock.timers.tick(10 * MIN);
    const restarted = new AnomalyEngine(opts, clock);
    restarted.importState(saved).should.be.true();
    const gap = restarted.ingest([flow(start + 4 * MIN + 1000, 40003, 5000), flow(start + 6 * MIN, 40004, 1)]);
    gap.events.map((x) => x.type).should.eql(['alert']);
    restarted.stats().backfilled.should.equal(0);
    // Without saved state the same poll is history (the first poll's look back).
    const fresh = new AnomalyEngine(opts, clock);
    fresh.ingest([flow(start + 4 * MIN + 1000, 40003, 5000), flow(start + 6 * MIN, 40004, 1)]).events.length.should.equal(0);
    fresh.stats().backfilled.should.equal(1);
  });

  it('a reset starts history again at the clock\'s now', () => {
    const clock = fakeClock();
    const e = new AnomalyEngine({ ...threshold, backfill: 'learn' }, clock);
    clock.timers.tick(30 * MIN);
    e.reset();
    const t = Math.floor(clock.now() / MIN) * MIN;
    e.ingest([flow(t - 5 * MIN, 40001, 5000), flow(t - 2 * MIN, 40002, 1)]).events.length.should.equal(0);
    e.ingest([flow(t + 1000, 40003, 5000), flow(t + 2 * MIN, 40004, 1)]).events.length.should.equal(1);
  });
});
