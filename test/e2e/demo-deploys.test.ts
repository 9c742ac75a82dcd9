/**
 * `npm start`, then 10 full deploys in a row through the admin API: the simulator answers no
 * 429 and no rate-limit error reaches the debug sidebar. The long version (10 deploys and 10
 * minutes of running) is `npm run demo:check`; the bound behind both is computed in
 * test/lib/examples/rate-budget.test.ts.
 */
import 'should';
import { runDemoCheck } from '../../scripts/demo-check';

describe('npm start demo: 10 full deploys in a row stay inside the rate budgets', function () {
  this.timeout(240_000);

  it('no 429 from the simulator, no rate-limit error in the debug sidebar', async () => {
    const r = await runDemoCheck({ deploys: 10, runMs: 5000 });
    r.deploys.should.equal(10);
    r.firewalla429.should.equal(0);
    r.rateLimitErrors.should.eql([]);
    r.firewallaBusiest5Min.should.be.belowOrEqual(r.firewallaBudget / 2);
  });
});
