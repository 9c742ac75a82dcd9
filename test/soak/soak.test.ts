/**
 * The short soak: a few hundred polls across every vendor endpoint node in a real Node-RED, with
 * faults switched on and off and a redeploy every 100 polls (`npm run soak` runs the long one).
 */
import 'should';
import { runSoak } from '../../scripts/soak';

describe('soak (short): every poll yields exactly one output or one caught error', function () {
  this.timeout(180_000);

  it('300 polls, faults on and off, redeploys: nothing lost or doubled, no secret, heap and sockets steady', async () => {
    const r = await runSoak({ polls: 300, seed: 7 });
    r.polls.should.equal(300);
    // The faults really happened and really produced caught errors and re-logins.
    r.faults.should.be.above(20);
    r.caught.should.be.above(0);
    r.redeploys.should.be.aboveOrEqual(3);
    (r.outputs + r.caught).should.equal(300);
    r.lost.should.equal(0);
    r.doubled.should.equal(0);
    r.secretLeaks.should.equal(0);
    r.heapGrowthPct.should.be.belowOrEqual(10);
    r.openSocketsAfterClose.should.equal(0);
    r.handlesEnd.should.be.belowOrEqual(r.handlesStart);
    r.failures.should.eql([]);
  });
});
