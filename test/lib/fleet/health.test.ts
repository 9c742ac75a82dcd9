import 'should';
import { FleetHealth } from '../../../nodes/lib/fleet';

describe('fleet: FleetHealth', () => {
  it('one down event after N failures in a row, none while it stays down, one up when it answers', () => {
    const h = new FleetHealth({ failuresToDown: 3 });
    h.setSites(['a', 'b']);
    (h.success('a', 5, 1) === undefined).should.be.true();
    (h.failure('a', 'NETWORK', 'refused', 2) === undefined).should.be.true();
    (h.failure('a', 'NETWORK', 'refused', 3) === undefined).should.be.true();
    const down = h.failure('a', 'TIMEOUT', 'no answer', 4)!;
    down.should.containEql({ event: 'down', site: 'a', reason: 'failures', at: 4 });
    down.health.should.containEql({ consecutiveFailures: 3, lastErrorCode: 'TIMEOUT', lastSuccess: 1, recordsLastPoll: 5 });
    (h.failure('a', 'TIMEOUT', 'no answer', 5) === undefined).should.be.true();
    const up = h.success('a', 2, 6)!;
    up.should.containEql({ event: 'up', site: 'a', reason: 'recovered' });
    up.health.consecutiveFailures.should.equal(0);
    (h.success('a', 2, 7) === undefined).should.be.true();
    h.summary().should.eql({ total: 2, ok: 1, down: 0, unknown: 1 });
  });

  it('a failure between successes resets nothing it should not: two failures then a success is no event', () => {
    const h = new FleetHealth({ failuresToDown: 3 });
    h.failure('a', 'NETWORK', 'x', 1);
    h.failure('a', 'NETWORK', 'x', 2);
    (h.success('a', 1, 3) === undefined).should.be.true();
    (h.failure('a', 'NETWORK', 'x', 4) === undefined).should.be.true();
    h.get('a')!.consecutiveFailures.should.equal(1);
  });

  it('no records for N polls is down too (when asked), and only records bring it back', () => {
    const h = new FleetHealth({ failuresToDown: 3, emptyToDown: 2 });
    (h.success('a', 0, 1) === undefined).should.be.true();
    h.success('a', 0, 2)!.should.containEql({ event: 'down', reason: 'no-records' });
    (h.success('a', 0, 3) === undefined).should.be.true();
    h.success('a', 4, 4)!.should.containEql({ event: 'up' });
    h.summary().ok.should.equal(1);
  });

  it('sites removed from the list are forgotten', () => {
    const h = new FleetHealth();
    h.setSites(['a', 'b', 'c']);
    h.setSites(['b']);
    h.snapshot().map((s) => s.site).should.eql(['b']);
  });

  it('refuses failuresToDown 0, naming the field', () => {
    (() => new FleetHealth({ failuresToDown: 0 })).should.throw(/failuresToDown/);
  });
});
