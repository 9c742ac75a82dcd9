/**
 * The examples stay well inside every vendor's rate budget however often the user deploys:
 * the worst-case requests per budget window, computed from each example file (inject repeat,
 * fires at deploy, pages per poll, logins) and from all examples together as `npm start`
 * deploys them (one demo token shared by every Firewalla example).
 */
import 'should';
import fs from 'node:fs';
import path from 'node:path';
import { VENDOR_BUDGETS, worstCaseRates, type FlowNode } from '../../../scripts/rate-budget';
import { demoFlows } from '../../../scripts/demo';

const DIR = path.join(__dirname, '..', '..', '..', 'examples');
const FILES = fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
/** "Well inside": at most half of a budget. */
const SHARE = 0.5;

describe('examples stay inside the vendor rate budgets, however often the user deploys', () => {
  for (const file of FILES) {
    it(file, () => {
      const flows = JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as FlowNode[];
      for (const r of worstCaseRates(flows)) {
        for (const s of r.sources) s.polls.should.not.equal(Infinity, `${file}: inject ${s.inject} ${s.why ?? ''}`);
        r.worstRequests.should.be.belowOrEqual(r.budget.requests * SHARE, `${file}: ${r.account}: ${JSON.stringify(r.sources)}`);
      }
    });
  }

  it('all examples together, as npm start deploys them (one account per vendor)', () => {
    const flows = demoFlows('http://127.0.0.1:8787', 'http://127.0.0.1:1880') as FlowNode[];
    const rates = worstCaseRates(flows, (c) => c.type); // the demo gives every config node of a type the same account
    rates.map((r) => r.configType).sort().should.eql(Object.keys(VENDOR_BUDGETS).sort());
    for (const r of rates) {
      for (const s of r.sources) s.polls.should.not.equal(Infinity, `${r.account}: inject ${s.inject} ${s.why ?? ''}`);
      r.worstRequests.should.be.belowOrEqual(r.budget.requests * SHARE, `${r.account}: ${r.worstRequests} of ${r.budget.requests}`);
    }
    // Firewalla's documented budget is the tight one: name the number in the test's output.
    const fw = rates.find((r) => r.configType === 'firewalla-msp-config')!;
    fw.worstRequests.should.be.above(0);
  });

  it('an inject that fires at every deploy is unbounded (the check can fail)', () => {
    const flows: FlowNode[] = [
      { id: 'i', type: 'inject', repeat: '300', once: true, wires: [['f']] },
      { id: 'f', type: 'firewalla-flows', server: 'c', pagination: 'all', maxPages: 3 },
      { id: 'c', type: 'firewalla-msp-config', host: 'h' },
    ];
    worstCaseRates(flows)[0]!.worstRequests.should.equal(Infinity);
    flows[0]!.once = false;
    worstCaseRates(flows)[0]!.worstRequests.should.equal(2 * 3);
  });
});
