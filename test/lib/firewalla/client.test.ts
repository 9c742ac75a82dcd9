import 'should';
import { FirewallaClient, type FlowsPage } from '../../../nodes/lib/vendors/firewalla';
import { FlowError } from '../../../nodes/lib/errors';
import { DEMO_CREDENTIALS, startSimulator, type Simulator } from '../../../simulator/server';
import { FIREWALLA_FORBIDDEN_TOKEN, firewallaSim, renderFlow, type FirewallaSimOptions } from '../../../simulator/firewalla';
import type { SimFlow } from '../../../simulator/traffic';
import { fakeClock, type FakeClock } from '../../support/clock';
import { until } from '../../support/node-messages';

const TOKEN = DEMO_CREDENTIALS.firewallaToken;
/** A fixed traffic clock, so every expected answer can be recomputed from the generator. */
const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const NOW_S = NOW / 1000;

async function failure(p: Promise<unknown>): Promise<FlowError> {
  try {
    await p;
  } catch (err) {
    (err as Error).should.be.instanceOf(FlowError);
    return err as FlowError;
  }
  throw new Error('expected a failure');
}

async function collect(it: AsyncIterable<FlowsPage>): Promise<FlowsPage[]> {
  const out: FlowsPage[] = [];
  for await (const p of it) out.push(p);
  return out;
}

describe('lib/vendors/firewalla client (against the simulator over real HTTP)', () => {
  let sim: Simulator;
  let client: FirewallaClient;
  // One fake clock for the simulator (traffic and rate windows) and the client (waits): it
  // stands at NOW and moves only while `clock.run()` fires the waits the client sets.
  let clock: FakeClock;
  const opts: FirewallaSimOptions = { vendors: ['firewalla'], now: () => clock.now(), seed: 7, firewallaRateLimit: 10_000 };

  /** Allowed (or blocked) flows in [fromS, toS), newest first, rendered as the service would. */
  function expected(fromS: number, toS: number, keep: (f: SimFlow) => boolean = (f) => !f.blocked): Record<string, unknown>[] {
    return sim.traffic.between(fromS * 1000, toS * 1000).filter(keep).map(renderFlow);
  }

  before(async () => {
    sim = await startSimulator(opts);
  });
  after(async () => sim.close());
  beforeEach(() => {
    sim.clearFaults();
    sim.clearLog();
    const st = firewallaSim(sim);
    st.repeatCursor = false;
    st.echoToken = false;
    st.rateLimit = 10_000;
    st.rateWindowMs = 300_000;
    st.resetBudgets();
    clock = fakeClock(NOW);
    client = new FirewallaClient({ host: sim.url, token: TOKEN, timeoutMs: 3000, clock });
  });
  afterEach(async () => client.close());

  it('sends Authorization: Token <token> and percent-encodes the query', async () => {
    const q = `box.name:"Gold Plus" total:>50KB ts:${NOW_S - 600}-${NOW_S}`;
    const page = await client.page({ query: q, sortBy: 'ts:desc', limit: 50 });
    const r = sim.requestsTo('/v2/flows')[0]!;
    r.headers.authorization!.should.equal(`Token ${TOKEN}`);
    r.rawQuery.should.equal(
      `query=box.name%3A%22Gold%20Plus%22%20total%3A%3E50KB%20ts%3A${NOW_S - 600}-${NOW_S}&sortBy=ts%3Adesc&limit=50`,
    );
    r.query.get('query')!.should.equal(q);
    const want = expected(NOW_S - 600, NOW_S, (f) => !f.blocked && f.device.network.name !== 'Branch LAN' && f.download + f.upload > 50_000);
    page.records.should.eql(want.slice(0, 50));
    page.nextCursor!.should.be.a.String();
  });

  it('returns the documented Flow shape, newest first, limit 200 by default', async () => {
    const page = await client.page({});
    page.records.should.have.length(200);
    page.records.should.eql(expected(NOW_S - 3600, NOW_S).slice(0, 200));
    const ts = page.records.map((r) => (r as { ts: number }).ts);
    ts.should.eql([...ts].sort((a, b) => b - a));
    page.records[0]!.should.have.properties(['ts', 'gid', 'protocol', 'direction', 'block', 'download', 'upload', 'duration', 'category', 'count', 'device', 'network', 'source', 'destination', 'total']);
    page.invalid.should.eql([]);
  });

  describe('pagination', () => {
    const from = NOW_S - 900;
    const query = `ts:${from}-${NOW_S}`;
    let total: number;
    before(() => {
      total = expected(from, NOW_S).length;
      total.should.be.above(100);
    });

    it('0 pages of results: one empty page with next_cursor null', async () => {
      const pages = await collect(client.pages({ query: `${query} domain:nothing.example`, limit: 10 }));
      pages.should.have.length(1);
      pages[0]!.records.should.eql([]);
      (pages[0]!.nextCursor === null).should.be.true();
      pages[0]!.last.should.be.true();
    });

    it('1 page: everything fits, next_cursor null', async () => {
      const want = expected(NOW_S - 240, NOW_S);
      want.length.should.be.within(1, 500);
      const pages = await collect(client.pages({ query: `ts:${NOW_S - 240}-${NOW_S}`, limit: 500 }));
      pages.should.have.length(1);
      pages[0]!.records.should.eql(want);
      (pages[0]!.nextCursor === null).should.be.true();
    });

    it('7 pages: follows next_cursor to the end, no record twice, newest first', async () => {
      const limit = Math.ceil(total / 7);
      Math.ceil(total / limit).should.equal(7);
      const pages = await collect(client.pages({ query, limit }, { maxPages: 20 }));
      pages.should.have.length(7);
      pages.map((p) => p.index).should.eql([0, 1, 2, 3, 4, 5, 6]);
      pages.map((p) => p.last).should.eql([false, false, false, false, false, false, true]);
      pages.flatMap((p) => p.records).should.eql(expected(from, NOW_S));
      const sent = sim.requestsTo('/v2/flows');
      sent.should.have.length(7);
      (sent[0]!.query.get('cursor') === null).should.be.true();
      for (let i = 1; i < 7; i++) sent[i]!.query.get('cursor')!.should.equal(pages[i - 1]!.nextCursor);
    });

    it('all(): 7 pages in one result', async () => {
      const limit = Math.ceil(total / 7);
      const r = await client.all({ query, limit });
      r.pages.should.equal(7);
      r.records.should.eql(expected(from, NOW_S));
      r.truncated.should.be.false();
      (r.nextCursor === null).should.be.true();
    });

    it('maxPages stops early with the cursor to resume from', async () => {
      const limit = Math.ceil(total / 7);
      const first = await client.all({ query, limit }, { maxPages: 3 });
      first.pages.should.equal(3);
      first.truncated.should.be.true();
      first.nextCursor!.should.be.a.String();
      sim.requestsTo('/v2/flows').should.have.length(3);
      const rest = await client.all({ query, limit, cursor: first.nextCursor! }, { maxPages: 10 });
      rest.pages.should.equal(4);
      [...first.records, ...rest.records].should.eql(expected(from, NOW_S));
    });

    it('rejects a maxPages below 1 before sending', async () => {
      const err = await failure(client.all({ query }, { maxPages: 0 }));
      err.code.should.equal('BAD_INPUT');
      err.message.should.match(/^maxPages: /);
      sim.requestsTo('/v2/flows').should.have.length(0);
    });

    it('stops with BAD_RESPONSE when the service repeats a cursor', async () => {
      firewallaSim(sim).repeatCursor = true;
      const got: FlowsPage[] = [];
      const err = await failure((async () => {
        for await (const p of client.pages({ query, limit: 10 }, { maxPages: 50 })) got.push(p);
      })());
      err.code.should.equal('BAD_RESPONSE');
      err.message.should.match(/next_cursor it had already given/);
      got.should.have.length(2);
      sim.requestsTo('/v2/flows').should.have.length(2);
    });

    it('sorts by another field (offset cursors) across pages', async () => {
      const r = await client.all({ query, sortBy: 'total:asc', limit: 100 }, { maxPages: 50 });
      const totals = r.records.map((x) => (x as { total: number }).total);
      totals.should.have.length(total);
      totals.should.eql([...totals].sort((a, b) => a - b));
      r.pages.should.equal(Math.ceil(total / 100));
    });
  });

  it('grouped results: rows without ts/gid pass validation', async () => {
    const from = NOW_S - 1800;
    const r = await client.all({ query: `ts:${from}-${NOW_S}`, groupBy: 'category,box', sortBy: 'total:desc', limit: 5 });
    r.invalid.should.eql([]);
    r.records.length.should.be.above(5);
    for (const row of r.records) {
      row.should.not.have.property('ts');
      row.should.not.have.property('gid');
      row.should.have.properties(['category', 'box', 'count', 'download', 'upload', 'total']);
    }
    const flows = expected(from, NOW_S);
    r.records.reduce((n, row) => n + (row.count as number), 0).should.equal(flows.length);
    const totals = r.records.map((x) => x.total as number);
    totals.should.eql([...totals].sort((a, b) => b - a));
  });

  it('blocked flows with status:blocked (block true, blockType, no upload/download); block:true gives nothing', async () => {
    const from = NOW_S - 3600;
    const r = await client.all({ query: `status:blocked ts:${from}-${NOW_S}`, limit: 500 });
    const want = expected(from, NOW_S, (f) => f.blocked);
    want.length.should.be.above(0);
    r.records.should.eql(want);
    for (const f of r.records) {
      f.block!.should.be.true();
      ['ip', 'dns'].should.containEql(f.blockType);
      f.should.not.have.properties(['upload', 'download']);
    }
    const none = await client.page({ query: `block:true ts:${from}-${NOW_S}` });
    none.records.should.eql([]);
  });

  it('reports and skips a malformed record, keeping the rest', async () => {
    const good = expected(NOW_S - 60, NOW_S).slice(0, 3);
    const bad = { ...good[1], ts: 'yesterday' };
    sim.addFault({ kind: 'status', status: 200, body: JSON.stringify({ count: 4, results: [good[0], bad, good[2], 42], next_cursor: null }) });
    const page = await client.page({});
    page.records.should.eql([good[0], good[2]]);
    page.invalid.should.have.length(2);
    page.invalid[0]!.index.should.equal(1);
    page.invalid[0]!.reason.should.match(/^ts: /);
    page.invalid[1]!.index.should.equal(3);
    page.received.should.equal(4);
  });

  it('a body that is not a page fails with BAD_RESPONSE', async () => {
    sim.addFault({ kind: 'status', status: 200, body: JSON.stringify({ flows: [] }) });
    const err = await failure(client.page({}));
    err.code.should.equal('BAD_RESPONSE');
    err.message.should.match(/not a page of flows \(results: /);
  });

  it('limit 501: the service answers 400 and the error says so clearly', async () => {
    const err = await failure(client.page({ limit: 501 }));
    err.code.should.equal('HTTP_4XX');
    err.status!.should.equal(400);
    err.vendorMessage!.should.equal('limit exceeds max allowed value of 500');
    err.message.should.equal('GET /v2/flows: HTTP 400 (BAD_REQUEST: limit exceeds max allowed value of 500)');
  });

  it('an unknown qualifier: 400 with the service\'s message', async () => {
    const err = await failure(client.page({ query: 'colour:red' }));
    err.code.should.equal('HTTP_4XX');
    err.vendorMessage!.should.match(/unknown qualifier "colour"/);
  });

  it('401 for a wrong token, without the token in any text', async () => {
    firewallaSim(sim).echoToken = true;
    const wrong = 'fw-wrong-token-abcdef123456';
    const c = new FirewallaClient({ host: sim.url, token: wrong });
    const err = await failure(c.page({}));
    await c.close();
    err.code.should.equal('AUTH');
    err.status!.should.equal(401);
    err.vendorMessage!.should.equal('Invalid token ***');
    JSON.stringify({ ...err.toJSON(), stack: err.stack }).should.not.containEql(wrong);
    sim.requestsTo('/v2/flows')[0]!.headers.authorization!.should.equal(`Token ${wrong}`);
  });

  it('403 for a forbidden token', async () => {
    const c = new FirewallaClient({ host: sim.url, token: FIREWALLA_FORBIDDEN_TOKEN });
    const err = await failure(c.page({}));
    await c.close();
    err.code.should.equal('AUTH');
    err.status!.should.equal(403);
    err.vendorCode!.should.equal('FORBIDDEN');
    err.message.should.match(/HTTP 403 \(FORBIDDEN: /);
  });

  it('a missing token fails before any request', () => {
    (() => new FirewallaClient({ host: sim.url, token: '' })).should.throw(/^token: the personal access token is missing/);
    (() => new FirewallaClient({ host: sim.url, token: 'a b' })).should.throw(/^token: must not contain spaces/);
  });

  it('429 with retry-after is retried, then succeeds', async () => {
    sim.addFault({ kind: 'rate-limit', path: '/v2/flows', retryAfter: 3 });
    const page = await clock.run(client.page({ query: `ts:${NOW_S - 60}-${NOW_S}` }));
    clock.waits.should.eql([3000]);
    page.records.should.eql(expected(NOW_S - 60, NOW_S).slice(0, 200));
    sim.requestsTo('/v2/flows').map((r) => r.at - NOW).should.eql([0, 3000]);
  });

  it('429 beyond the core\'s retry cap surfaces as RATE_LIMIT', async () => {
    sim.addFault({ kind: 'rate-limit', path: '/v2/flows', retryAfter: 2, times: 10 });
    const c = new FirewallaClient({ host: sim.url, token: TOKEN, clock, retry: { maxRetries: 2 } });
    const err = await clock.run(failure(c.page({})));
    await c.close();
    clock.waits.should.eql([2000, 2000]);
    err.code.should.equal('RATE_LIMIT');
    err.vendorMessage!.should.equal('Too Many Requests');
    sim.requestsTo('/v2/flows').should.have.length(3);
  });

  it('never runs its own loop into a 429: waits for x-ratelimit-reset when the budget is used up', async () => {
    const st = firewallaSim(sim);
    st.rateLimit = 3;
    st.rateWindowMs = 1200;
    const from = NOW_S - 900;
    const total = expected(from, NOW_S).length;
    const limit = Math.ceil(total / 7);
    const waits: number[] = [];
    const r = await clock.run(client.all({ query: `ts:${from}-${NOW_S}`, limit }, { onWait: (ms) => waits.push(ms) }));
    r.pages.should.equal(7);
    r.records.length.should.equal(total);
    st.rateLimited.should.equal(0);
    // Three requests per window; the window's reset (whole seconds) plus 50 ms is waited for.
    // Window 1 opens at NOW, resets at NOW + 2 s; window 2 opens at NOW + 2.05 s, resets at NOW + 4 s.
    waits.should.eql([2050, 2000]);
    clock.waits.should.eql(waits);
    sim.requestsTo('/v2/flows').map((q) => q.at - NOW).should.eql([0, 0, 0, 2050, 2050, 2050, 4050]);
  });

  it('fails with RATE_LIMIT, without sending, when the reset is further away than it may wait', async () => {
    const st = firewallaSim(sim);
    st.rateLimit = 2;
    st.rateWindowMs = 300_000;
    const c = new FirewallaClient({ host: sim.url, token: TOKEN, clock, rate: { maxWaitMs: 1000 } });
    const err = await failure(c.all({ query: `ts:${NOW_S - 900}-${NOW_S}`, limit: 10 }));
    await c.close();
    err.code.should.equal('RATE_LIMIT');
    err.message.should.match(/budget is used up \(x-ratelimit-remaining 0\); it resets in 301 s, longer than the 1 s this client waits/);
    err.retryAfterMs!.should.equal(300_050);
    clock.waits.should.eql([]);
    sim.requestsTo('/v2/flows').should.have.length(2);
    st.rateLimited.should.equal(0);
  });

  it('keeps a reserve of requests when asked', async () => {
    const st = firewallaSim(sim);
    st.rateLimit = 5;
    const c = new FirewallaClient({ host: sim.url, token: TOKEN, clock, rate: { reserve: 2, maxWaitMs: 100 } });
    const err = await failure(c.all({ query: `ts:${NOW_S - 900}-${NOW_S}`, limit: 10 }));
    await c.close();
    err.code.should.equal('RATE_LIMIT');
    sim.requestsTo('/v2/flows').should.have.length(3);
  });

  it('cancels a request in flight when the signal aborts', async () => {
    sim.addFault({ kind: 'slow-headers', path: '/v2/flows', delayMs: 1000 });
    const ctl = new AbortController();
    const p = failure(client.all({}, { signal: ctl.signal }));
    await until(() => sim.requestsTo('/v2/flows').length === 1);
    ctl.abort();
    const err = await p;
    err.code.should.equal('ABORTED');
    sim.requestsTo('/v2/flows').should.have.length(1);
  });

  it('closing the client ends a rate-limit wait at once', async () => {
    const st = firewallaSim(sim);
    st.rateLimit = 1;
    st.rateWindowMs = 5000;
    const c = new FirewallaClient({ host: sim.url, token: TOKEN, clock });
    const waits: number[] = [];
    const p = failure(c.all({ query: `ts:${NOW_S - 900}-${NOW_S}`, limit: 10 }, { onWait: (ms) => waits.push(ms) }));
    await until(() => clock.timers.countTimers() === 1);
    waits.should.eql([5050]);
    await c.close();
    const err = await p;
    err.code.should.equal('ABORTED');
    err.message.should.match(/waiting for the rate limit to reset/);
    clock.timers.countTimers().should.equal(0);
    sim.requestsTo('/v2/flows').should.have.length(1);
  });

  it('shows x-ratelimit-remaining on every response', async () => {
    const st = firewallaSim(sim);
    st.rateLimit = 50;
    await client.page({ query: `ts:${NOW_S - 60}-${NOW_S}` });
    client.rate.remaining!.should.equal(49);
    client.rate.resetAt!.should.equal(NOW + 300_000);
    const c = new FirewallaClient({ host: sim.url, token: 'nope-nope-nope' });
    await failure(c.page({}));
    await c.close();
    const last = sim.requestsTo('/v2/flows').length;
    last.should.equal(2);
  });
});
