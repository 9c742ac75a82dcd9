import 'should';
import { BoxWalker, FirewallaClient, FLOWS_DEFAULTS, boxScopeTerms, parseQuery, type BoxResult, type FirewallaBox } from '../../../nodes/lib/vendors/firewalla';
import type { HealthEvent } from '../../../nodes/lib/fleet';
import { DEMO_CREDENTIALS, startSimulator, type Simulator } from '../../../simulator/server';
import { firewallaSim, type FirewallaSimOptions } from '../../../simulator/firewalla';
import { fakeClock, type FakeClock } from '../../support/clock';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

describe('lib/vendors/firewalla: boxes and the box walk (against the simulator)', () => {
  let sim: Simulator;
  let clock: FakeClock;
  let client: FirewallaClient;
  const opts: FirewallaSimOptions = { vendors: ['firewalla'], now: () => clock.now(), seed: 3, firewallaBoxes: 12, flowsPerMinute: 600 };

  before(async () => {
    clock = fakeClock(NOW);
    sim = await startSimulator(opts);
  });
  after(async () => sim.close());
  beforeEach(() => {
    clock = fakeClock(NOW);
    const st = firewallaSim(sim);
    st.rateLimit = 100;
    st.rateWindowMs = 300_000;
    st.resetBudgets();
    st.rateLimited = 0;
    for (const b of st.boxes.boxes) st.boxes.setOnline(b.id, true);
    client = new FirewallaClient({ host: sim.url, token: DEMO_CREDENTIALS.firewallaToken, timeoutMs: 3000, clock });
  });
  afterEach(async () => client.close());

  function walker(extra: Partial<ConstructorParameters<typeof BoxWalker>[1]> = {}): BoxWalker {
    return new BoxWalker(client, { boxes: [], flows: { ...FLOWS_DEFAULTS, limit: 500, maxPages: 5 }, concurrency: 3, ...extra });
  }

  async function walk(w: BoxWalker): Promise<{ results: BoxResult[]; events: Array<HealthEvent & { box: FirewallaBox }> }> {
    const results: BoxResult[] = [];
    const events: Array<HealthEvent & { box: FirewallaBox }> = [];
    await clock.run(w.walk({ onResult: (r) => results.push(r), onEvent: (e, box) => events.push({ ...e, box }) }));
    return { results, events };
  }

  it('GET /v2/boxes: the documented Box fields, one group with ?group=', async () => {
    const all = await client.boxes();
    all.boxes.should.have.length(12);
    all.invalid.should.eql([]);
    all.boxes[0]!.should.containEql({ gid: '00000000-1234-1234-aaaa-000000000000', name: 'Gold Plus', model: 'goldplus', online: true });
    for (const b of all.boxes) {
      b.gid.should.be.a.String();
      (b.group as { id: string }).id.should.be.a.String();
      (typeof b.deviceCount).should.equal('number');
    }
    const g = await client.boxes({ group: '3' });
    g.boxes.length.should.be.above(0);
    g.boxes.every((b) => (b.group as { id: string }).id === '3').should.be.true();
  });

  it('scopes a query to boxes with the documented terms, quoting names', () => {
    const q = boxScopeTerms({ ids: ['a-1', 'b-2'], names: ['Gold Plus', 'Lab'], groupId: '3' });
    q.should.equal('box.id:a-1,b-2 box.name:"Gold Plus",Lab box.group.id:3');
    parseQuery(q).map((t) => t.qualifier).should.eql(['box.id', 'box.name', 'box.group.id']);
  });

  it('walks every box: each result holds only its own box\'s flows, and the walk covers the MSP', async function () {
    this.timeout(30_000);
    const w = walker();
    const { results } = await walk(w);
    results.should.have.length(12);
    for (const r of results) {
      r.records.length.should.be.above(0);
      for (const rec of r.records) (rec as { gid: string }).gid.should.equal(r.box.gid);
      r.query.should.startWith(`box.id:${r.box.gid} ts:`);
      if (results.indexOf(r) >= 4) continue;
      // The same window without the box term, kept to this box's gid: nothing missing, nothing extra.
      const window = /ts:(\d+)-(\d+)/.exec(r.query)!;
      const whole = await clock.run(client.all({ query: `ts:${window[1]}-${window[2]}`, limit: 500 }, { maxPages: 50 }));
      r.records.should.eql(whole.records.filter((x) => (x as { gid: string }).gid === r.box.gid));
    }
  });

  it('a box list named by ids or names walks only those', async () => {
    const { results } = await walk(walker({ boxes: ['Gold Plus', '00000000-0000-4000-8000-000000000005'] }));
    results.map((r) => r.site).sort().should.eql(['Gold Plus', 'Site 006']);
  });

  it('150 boxes on a budget of 100 requests per 5 minutes: one walk, no 429, the budget spent evenly', async function () {
    this.timeout(60_000);
    const big = await startSimulator({ ...opts, firewallaBoxes: 150, flowsPerMinute: 60 } as FirewallaSimOptions);
    const c = new FirewallaClient({ host: big.url, token: DEMO_CREDENTIALS.firewallaToken, timeoutMs: 3000, clock });
    try {
      const w = new BoxWalker(c, { boxes: [], flows: { ...FLOWS_DEFAULTS, limit: 500, maxPages: 1 }, concurrency: 4 });
      const results: BoxResult[] = [];
      const start = clock.now();
      const report = await clock.run(w.walk({ onResult: (r) => results.push(r), onEvent: () => undefined }));
      report.ok.should.equal(150);
      results.should.have.length(150);
      firewallaSim(big).rateLimited.should.equal(0);
      // 151 requests at 90 per 5 minutes after a burst of 10 cannot take less than ~7.8 minutes.
      (clock.now() - start).should.be.above(7 * 60_000);
      const granted = [...c.budget.granted.entries()].filter(([k]) => k !== '(box list)').map(([, n]) => n);
      granted.should.have.length(150);
      granted.every((n) => n === 1).should.be.true();
    } finally {
      await c.close();
      await big.close();
    }
  });

  it('an offline box costs no request, goes down once after N walks, and comes back up once', async () => {
    const w = walker({ health: { failuresToDown: 2 }, boxListTtlMs: 0 });
    const st = firewallaSim(sim);
    const lab = st.boxes.boxes[4]!;
    st.boxes.setOnline(lab.id, false);
    const seen: Array<{ event: string; site: string; code?: string }> = [];
    for (let i = 0; i < 4; i++) {
      if (i === 3) st.boxes.setOnline(lab.id, true);
      const { events, results } = await walk(w);
      for (const e of events) seen.push({ event: e.event, site: e.site, code: e.health.lastErrorCode });
      results.some((r) => r.box.gid === lab.id).should.equal(i === 3);
      await clock.timers.tickAsync(60_000);
    }
    seen.should.eql([
      { event: 'down', site: lab.name, code: 'OFFLINE' },
      { event: 'up', site: lab.name, code: 'OFFLINE' },
    ]);
    w.health.summary().should.containEql({ total: 12, ok: 12, down: 0 });
  });
});
