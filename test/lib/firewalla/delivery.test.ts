/**
 * Delivery in the three pagination modes (nodes/lib/vendors/firewalla/delivery.ts) against the
 * simulator over real HTTP: what each mode hands the node, on the one paging loop.
 */
import 'should';
import { deliverFlows, FirewallaClient, type Delivery, type DeliverOptions, type FlowsQuery } from '../../../nodes/lib/vendors/firewalla';
import { DEMO_CREDENTIALS, startSimulator, type Simulator } from '../../../simulator/server';
import { firewallaSim, renderFlow, type FirewallaSimOptions } from '../../../simulator/firewalla';
import { fakeClock, type FakeClock } from '../../support/clock';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const NOW_S = NOW / 1000;
const FROM_S = NOW_S - 900;

describe('lib/vendors/firewalla delivery (page, all, stream)', () => {
  let sim: Simulator;
  let client: FirewallaClient;
  let clock: FakeClock;
  const opts: FirewallaSimOptions = { vendors: ['firewalla'], now: () => clock.now(), seed: 11, firewallaRateLimit: 10_000 };
  let want: Record<string, unknown>[];
  /** Page size giving exactly 5 pages. */
  let limit: number;

  before(async () => {
    clock = fakeClock(NOW);
    sim = await startSimulator(opts);
    want = sim.traffic.between(FROM_S * 1000, NOW_S * 1000).filter((f) => !f.blocked).map(renderFlow);
    want.length.should.be.above(50);
    limit = Math.ceil(want.length / 5);
    Math.ceil(want.length / limit).should.equal(5);
  });
  after(async () => sim.close());
  beforeEach(() => {
    firewallaSim(sim).resetBudgets();
    firewallaSim(sim).repeatCursor = false;
    clock = fakeClock(NOW);
    client = new FirewallaClient({ host: sim.url, token: DEMO_CREDENTIALS.firewallaToken, timeoutMs: 3000, clock });
  });
  afterEach(async () => client.close());

  async function run(q: FlowsQuery, o: DeliverOptions): Promise<{ deliveries: Delivery[]; progress: Array<[number, number]> }> {
    const deliveries: Delivery[] = [];
    const progress: Array<[number, number]> = [];
    for await (const d of deliverFlows(client, q, { ...o, onPage: (page, records) => progress.push([page, records]) })) deliveries.push(d);
    return { deliveries, progress };
  }

  it('page: one delivery, one request, the cursor and "more"', async () => {
    const before = firewallaSim(sim).served;
    const { deliveries, progress } = await run({ query: `ts:${FROM_S}-${NOW_S}`, limit }, { mode: 'page', maxPages: 10 });
    firewallaSim(sim).served.should.equal(before + 1);
    deliveries.should.have.length(1);
    const d = deliveries[0]!;
    d.records.should.eql(want.slice(0, limit));
    d.position.should.eql({ page: 1 });
    d.last.should.be.true();
    (typeof d.nextCursor).should.equal('string');
    d.more.should.be.true();
    progress.should.eql([]);
  });

  it('page: a repeated cursor is handed on, not refused (that is the next poll\'s concern)', async () => {
    firewallaSim(sim).repeatCursor = true;
    const first = await run({ query: `ts:${FROM_S}-${NOW_S}`, limit }, { mode: 'page' });
    const cursor = first.deliveries[0]!.nextCursor!;
    const second = await run({ query: `ts:${FROM_S}-${NOW_S}`, limit, cursor }, { mode: 'page' });
    second.deliveries.should.have.length(1);
    second.deliveries[0]!.nextCursor!.should.equal(cursor);
  });

  it('all: one delivery with every record, the same as FirewallaClient.all()', async () => {
    const q = { query: `ts:${FROM_S}-${NOW_S}`, limit };
    const { deliveries, progress } = await run(q, { mode: 'all', maxPages: 10 });
    deliveries.should.have.length(1);
    const d = deliveries[0]!;
    d.records.should.eql(want);
    d.position.should.eql({ page: 5, pages: 5, truncated: false });
    (d.nextCursor === null).should.be.true();
    d.more.should.be.false();
    progress.should.eql([1, 2, 3, 4, 5].map((p) => [p, Math.min(p * limit, want.length)]));
    const all = await client.all(q, { maxPages: 10 });
    all.records.should.eql(d.records);
    all.pages.should.equal(5);
  });

  it('all: maxPages stops early, says truncated, and "more"', async () => {
    const { deliveries } = await run({ query: `ts:${FROM_S}-${NOW_S}`, limit }, { mode: 'all', maxPages: 2 });
    const d = deliveries[0]!;
    d.records.should.eql(want.slice(0, 2 * limit));
    d.position.should.eql({ page: 2, pages: 2, truncated: true });
    d.more.should.be.true();
  });

  it('stream: one delivery per page; pages and truncated on the last only', async () => {
    const { deliveries, progress } = await run({ query: `ts:${FROM_S}-${NOW_S}`, limit }, { mode: 'stream', maxPages: 10 });
    deliveries.map((d) => d.index).should.eql([0, 1, 2, 3, 4]);
    deliveries.flatMap((d) => d.records).should.eql(want);
    deliveries.map((d) => d.last).should.eql([false, false, false, false, true]);
    deliveries.slice(0, 4).map((d) => d.position).should.eql([1, 2, 3, 4].map((page) => ({ page })));
    deliveries[4]!.position.should.eql({ page: 5, pages: 5, truncated: false });
    deliveries.every((d) => d.more === false).should.be.true();
    progress.map(([p]) => p).should.eql([1, 2, 3, 4, 5]);
  });

  it('stream: stopping early fetches no further page', async () => {
    const before = firewallaSim(sim).served;
    for await (const d of deliverFlows(client, { query: `ts:${FROM_S}-${NOW_S}`, limit }, { mode: 'stream', maxPages: 10 })) {
      if (d.index === 1) break;
    }
    firewallaSim(sim).served.should.equal(before + 2);
  });
});
