import 'should';
import helper from 'node-red-node-test-helper';
import type { Node, NodeMessage } from 'node-red';
import configNode = require('../../nodes/firewalla-msp-config');
import flowsNode = require('../../nodes/firewalla-flows');
import { DEMO_CREDENTIALS, startSimulator, type Simulator } from '../../simulator/server';
import { FIREWALLA_FORBIDDEN_TOKEN, firewallaSim, renderFlow, type FirewallaSimOptions } from '../../simulator/firewalla';
import type { SimFlow } from '../../simulator/traffic';

// Core nodes, so failures and sequences are observed the way a flow sees them.
/* eslint-disable @typescript-eslint/no-require-imports */
const catchNode = require('@node-red/nodes/core/common/25-catch.js') as unknown;
const sequenceNodes = require('@node-red/nodes/core/sequence/17-split.js') as unknown;
const injectNode = require('@node-red/nodes/core/common/20-inject.js') as unknown;
/* eslint-enable @typescript-eslint/no-require-imports */

import { collect, next, type Msg, until } from '../support/node-messages';
import { PINNED_NOW, pinDate } from '../support/clock';
import { MAX_LIMIT } from '../../nodes/lib/vendors/firewalla';

helper.init(require.resolve('node-red'));

const TOKEN = 'fw-node-test-token-7f3a9c2e5b';
type Meta = Record<string, unknown> & { count: number; nextCursor: string | null; page: number; pages?: number; query: string };

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('nodes: firewalla-msp-config, firewalla-flows (against the simulator)', function () {
  this.timeout(20_000);
  const pinned = pinDate();
  let sim: Simulator;
  const st = () => firewallaSim(sim);
  // Windows end an hour before the pinned instant, so they are complete and inside the
  // simulator's retention; their volume follows the pinned hour (NF_TEST_HOUR).
  const T1 = Math.floor(PINNED_NOW / 1000) - 3600;
  const T0 = T1 - 900;
  const WINDOW = `ts:${T0}-${T1}`;

  function expected(from = T0, to = T1, keep: (f: SimFlow) => boolean = (f) => !f.blocked): Record<string, unknown>[] {
    return sim.traffic.between(from * 1000, to * 1000).filter(keep).map(renderFlow);
  }

  function flow(props: Record<string, unknown> = {}) {
    return [
      { id: 'cfg', type: 'firewalla-msp-config', name: 'msp', host: sim.url, timeout: '3000' },
      {
        id: 'f1', type: 'firewalla-flows', server: 'cfg', query: '', groupBy: '', sortBy: '', limit: '200', blocked: false,
        pagination: 'page', maxPages: '10', sinceLastPoll: false, ...props, wires: [['out', 'joiner']],
      },
      { id: 'joiner', type: 'join', mode: 'auto', wires: [['joined']] },
      { id: 'c1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'out', type: 'helper' },
      { id: 'joined', type: 'helper' },
      { id: 'caught', type: 'helper' },
    ];
  }
  const creds = (token = TOKEN) => ({ cfg: { token } });
  const nodes = [configNode, flowsNode, catchNode, sequenceNodes] as Parameters<typeof helper.load>[0];
  const trigger = (request?: Record<string, unknown>) => helper.getNode('f1').receive({ payload: 'go', ...(request ? { request } : {}) } as NodeMessage);

  before(async () => {
    const opts: FirewallaSimOptions = { vendors: ['firewalla'], credentials: { firewallaToken: TOKEN }, seed: 11, firewallaRateLimit: 10_000 };
    sim = await startSimulator(opts);
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    await sim.close();
  });
  beforeEach(() => {
    sim.clearFaults();
    sim.clearLog();
    st().repeatCursor = false;
    st().echoToken = false;
    st().rateLimit = 10_000;
    st().rateWindowMs = 300_000;
    st().resetBudgets();
  });
  afterEach(async () => helper.unload());

  it('page: one page, the cursor, msg.networkFlows; Token header and encoded query', async () => {
    await helper.load(nodes, flow({ query: `${WINDOW} box.name:"Gold Plus"`, limit: '25' }), creds());
    const got = next(helper.getNode('out'));
    trigger();
    const [msg] = await got;
    const want = expected(T0, T1, (f) => !f.blocked && f.device.network.name !== 'Branch LAN');
    msg!.payload!.should.eql(want.slice(0, 25));
    const meta = msg!.networkFlows as Meta;
    meta.should.match({ vendor: 'firewalla', endpoint: 'flows', host: sim.url.replace('http://', ''), count: 25, page: 1, blocked: false });
    (meta.fetchedAt as number).should.be.a.Number();
    meta.nextCursor!.should.be.a.String();
    const req = sim.requestsTo('/v2/flows')[0]!;
    req.headers.authorization!.should.equal(`Token ${TOKEN}`);
    req.rawQuery.should.equal(`query=ts%3A${T0}-${T1}%20box.name%3A%22Gold%20Plus%22&limit=25`);

    // msg.request.cursor resumes with the next page.
    const again = next(helper.getNode('out'));
    trigger({ cursor: meta.nextCursor });
    const [m2] = await again;
    m2!.payload!.should.eql(want.slice(25, 50));
    sim.requestsTo('/v2/flows')[1]!.query.get('cursor')!.should.equal(meta.nextCursor);
  });

  const pageCases = (total: () => number) => [
    { name: '0 pages of results', query: () => `${WINDOW} domain:nothing.example`, limit: () => 50, pages: 1, records: () => 0 },
    { name: '1 page', query: () => `ts:${T1 - 120}-${T1}`, limit: () => 500, pages: 1, records: () => expected(T1 - 120, T1).length },
    { name: '7 pages', query: () => WINDOW, limit: () => Math.ceil(total() / 7), pages: 7, records: () => total() },
  ];

  describe('all and stream modes', () => {
    let total = 0;
    before(() => {
      total = expected().length;
    });
    for (const c of pageCases(() => total)) {
      it(`all: ${c.name} in one message`, async () => {
        Math.ceil(c.records() / c.limit()).should.equal(c.records() === 0 ? 0 : c.pages);
        await helper.load(nodes, flow({ pagination: 'all', maxPages: '20', limit: String(c.limit()), query: c.query() }), creds());
        const out = collect(helper.getNode('out'));
        trigger();
        await until(() => out.length === 1);
        await delay(50);
        out.should.have.length(1);
        (out[0]!.payload as unknown[]).length.should.equal(c.records());
        if (c.records()) (out[0]!.payload as unknown[]).should.eql(c.name === '1 page' ? expected(T1 - 120, T1) : expected());
        (out[0]!.networkFlows as Meta).should.match({ count: c.records(), pages: c.pages, page: c.pages, nextCursor: null, truncated: false });
        sim.requestsTo('/v2/flows').should.have.length(c.pages);
      });

      it(`stream: ${c.name}, one message per page with msg.parts; core join rebuilds the array`, async () => {
        await helper.load(nodes, flow({ pagination: 'stream', maxPages: '20', limit: String(c.limit()), query: c.query() }), creds());
        const out = collect(helper.getNode('out'));
        const joined = next(helper.getNode('joined'));
        trigger();
        const [j] = await joined;
        out.should.have.length(c.pages);
        const ids = new Set(out.map((m) => (m.parts as { id: string }).id));
        ids.size.should.equal(1);
        out.map((m) => (m.parts as { index: number }).index).should.eql([...Array(c.pages).keys()]);
        out.slice(0, -1).forEach((m) => m.parts!.should.not.have.property('count'));
        (out[c.pages - 1]!.parts as { count: number }).count.should.equal(c.pages);
        (out[c.pages - 1]!.networkFlows as Meta).should.match({ pages: c.pages, nextCursor: null });
        (j!.payload as unknown[]).length.should.equal(c.records());
        if (c.records()) (j!.payload as unknown[]).should.eql(c.name === '1 page' ? expected(T1 - 120, T1) : expected());
        j!.should.not.have.property('parts');
      });
    }

    it('all: maxPages stops early, says truncated, and gives the cursor to resume', async () => {
      const limit = Math.ceil(total / 7);
      await helper.load(nodes, flow({ pagination: 'all', maxPages: '3', limit: String(limit), query: WINDOW }), creds());
      const got = next(helper.getNode('out'));
      trigger();
      const [m] = await got;
      (m!.payload as unknown[]).should.eql(expected().slice(0, 3 * limit));
      const meta = m!.networkFlows as Meta;
      meta.should.match({ pages: 3, truncated: true });
      meta.nextCursor!.should.be.a.String();
      sim.requestsTo('/v2/flows').should.have.length(3);
      const rest = next(helper.getNode('out'));
      trigger({ cursor: meta.nextCursor, maxPages: 10 });
      const [r] = await rest;
      (r!.payload as unknown[]).should.eql(expected().slice(3 * limit));
    });

    it('stream: maxPages ends the sequence (count on the last part sent)', async () => {
      await helper.load(nodes, flow({ pagination: 'stream', maxPages: '2', limit: '50', query: WINDOW }), creds());
      const out = collect(helper.getNode('out'));
      const joined = next(helper.getNode('joined'));
      trigger();
      const [j] = await joined;
      out.should.have.length(2);
      (out[1]!.parts as { count: number }).count.should.equal(2);
      (out[1]!.networkFlows as Meta).should.match({ truncated: true });
      (j!.payload as unknown[]).should.eql(expected().slice(0, 100));
    });

    it('a repeating cursor stops with BAD_RESPONSE instead of looping', async () => {
      st().repeatCursor = true;
      await helper.load(nodes, flow({ pagination: 'all', maxPages: '50', limit: '20', query: WINDOW }), creds());
      const caught = next(helper.getNode('caught'));
      trigger();
      const [m] = await caught;
      (m!.error as { code: string; message: string }).code.should.equal('BAD_RESPONSE');
      (m!.error as { message: string }).message.should.match(/next_cursor it had already given/);
      sim.requestsTo('/v2/flows').should.have.length(2);
    });
  });

  it('grouped results pass validation (no ts or gid)', async () => {
    await helper.load(nodes, flow({ groupBy: 'domain', sortBy: 'count:desc', pagination: 'all', limit: '500', query: WINDOW }), creds());
    const got = next(helper.getNode('out'));
    trigger();
    const [m] = await got;
    m!.should.not.have.property('invalid');
    const rows = m!.payload as Array<Record<string, unknown>>;
    rows.length.should.be.above(3);
    rows.forEach((r) => r.should.have.properties(['domain', 'count', 'total']).and.not.have.property('ts'));
    rows.reduce((n, r) => n + (r.count as number), 0).should.equal(expected().length);
  });

  it('blocked: adds status:blocked and returns blocked flows', async () => {
    await helper.load(nodes, flow({ blocked: true, pagination: 'all', limit: '500', query: WINDOW }), creds());
    const got = next(helper.getNode('out'));
    trigger();
    const [m] = await got;
    sim.requestsTo('/v2/flows')[0]!.query.get('query')!.should.equal(`${WINDOW} status:blocked`);
    const want = expected(T0, T1, (f) => f.blocked);
    want.length.should.be.above(0);
    m!.payload!.should.eql(want);
    (m!.networkFlows as Meta).should.match({ blocked: true, query: `${WINDOW} status:blocked` });
  });

  it('limit 501 from msg.request is refused before sending, naming the field', async () => {
    await helper.load(nodes, flow(), creds());
    const caught = next(helper.getNode('caught'));
    trigger({ limit: 501 });
    const [m] = await caught;
    const err = m!.error as { code: string; message: string };
    err.code.should.equal('BAD_INPUT');
    err.message.should.equal('BadInputError: request.limit: expected an integer from 1 to 500, got 501');
    m!.payload!.should.equal('go');
    sim.requestsTo('/v2/flows').should.have.length(0);
  });

  it('limit 501 in the node fails at deploy and on each message', async () => {
    await helper.load(nodes, flow({ limit: '501' }), creds());
    const caught = next(helper.getNode('caught'));
    trigger();
    const [m] = await caught;
    (m!.error as { message: string }).message.should.equal('BadInputError: limit: expected an integer from 1 to 500, got "501"');
    const logged = helper.log().args.map((a: unknown[]) => a[0] as { id?: string; msg?: unknown });
    logged.some((l) => l.id === 'f1' && /limit: expected an integer from 1 to 500/.test(String(l.msg))).should.be.true();
    sim.requestsTo('/v2/flows').should.have.length(0);
  });

  it('a bad query (node or msg.request) is reported with its column before sending', async () => {
    await helper.load(nodes, flow({ query: 'category:video colour:red' }), creds());
    let caught = next(helper.getNode('caught'));
    trigger();
    let [m] = await caught;
    (m!.error as { message: string }).message.should.match(/^QuerySyntaxError: query: column 16: unknown qualifier "colour"/);
    await helper.unload();
    await helper.load(nodes, flow(), creds());
    caught = next(helper.getNode('caught'));
    trigger({ query: 'total:>5XB' });
    [m] = await caught;
    (m!.error as { code: string; message: string }).message.should.match(/^QuerySyntaxError: request.query: column 9: unknown unit "XB"/);
    sim.requestsTo('/v2/flows').should.have.length(0);
  });

  it('a missing server fails with BAD_INPUT naming server', async () => {
    await helper.load(nodes, flow({ server: 'nope' }), creds());
    const caught = next(helper.getNode('caught'));
    trigger();
    const [m] = await caught;
    (m!.error as { message: string }).message.should.match(/^BadInputError: server: select a Firewalla MSP/);
  });

  it('401, 403 and 429 reach Catch with their codes, the message kept', async () => {
    const cases: Array<[string, () => void, string, RegExp]> = [
      ['wrong-token-123456', () => undefined, 'AUTH', /HTTP 401 \(UNAUTHORIZED: Permission Denied\)/],
      [FIREWALLA_FORBIDDEN_TOKEN, () => undefined, 'AUTH', /HTTP 403 \(FORBIDDEN: /],
      [TOKEN, () => sim.addFault({ kind: 'rate-limit', path: '/v2/flows', retryAfter: 120, times: 1 }), 'RATE_LIMIT', /HTTP 429 \(Too Many Requests\)/],
    ];
    for (const [token, setup, code, text] of cases) {
      await helper.load(nodes, flow(), creds(token));
      setup();
      const caught = next(helper.getNode('caught'));
      trigger();
      const [m] = await caught;
      const err = m!.error as { code: string; message: string };
      err.code.should.equal(code);
      err.message.should.match(text);
      m!.payload!.should.equal('go');
      await helper.unload();
    }
  });

  it('waits for the rate-limit reset while paging instead of running into 429', async () => {
    st().rateLimit = 2;
    st().rateWindowMs = 1500;
    // Four pages of a five-minute window: even at the busiest hour a page stays within MAX_LIMIT.
    const from = T1 - 300;
    const total = expected(from, T1).length;
    const limit = Math.ceil(total / 4);
    limit.should.be.within(1, MAX_LIMIT);
    Math.ceil(total / limit).should.equal(4);
    await helper.load(nodes, flow({ pagination: 'all', maxPages: '20', limit: String(limit), query: `ts:${from}-${T1}` }), creds());
    const got = next(helper.getNode('out'));
    trigger();
    const [m] = await got;
    (m!.networkFlows as Meta).should.match({ pages: 4 });
    (m!.payload as unknown[]).should.eql(expected(from, T1));
    st().rateLimited.should.equal(0);
    sim.requestsTo('/v2/flows').should.have.length(4);
  });

  it('a redeploy mid-stream (waiting for the rate limit) cancels it: nothing sent afterwards', async () => {
    st().rateLimit = 2;
    st().rateWindowMs = 1000;
    await helper.load(nodes, flow({ pagination: 'stream', maxPages: '20', limit: '20', query: WINDOW }), creds());
    const out = collect(helper.getNode('out'));
    const caught = collect(helper.getNode('caught'));
    trigger();
    await until(() => out.length === 2);
    await delay(100);
    const sentBefore = out.length;
    const requestsBefore = sim.requestsTo('/v2/flows').length;
    await helper.unload();
    await delay(2100); // past the reset the client was waiting for (at most 2.05 s)
    out.length.should.equal(sentBefore);
    caught.should.have.length(0);
    sim.requestsTo('/v2/flows').length.should.equal(requestsBefore);
  });

  it('a redeploy while a page is in flight (slow headers) cancels it: nothing sent afterwards', async () => {
    sim.addFault({ kind: 'slow-headers', path: '/v2/flows', delayMs: 800 });
    await helper.load(nodes, flow({ pagination: 'stream', query: WINDOW, limit: '20' }), creds());
    const out = collect(helper.getNode('out'));
    const caught = collect(helper.getNode('caught'));
    trigger();
    await until(() => sim.requestsTo('/v2/flows').length === 1);
    await helper.unload();
    await delay(1000); // past the moment the simulator answers
    out.should.have.length(0);
    caught.should.have.length(0);
    sim.requestsTo('/v2/flows').should.have.length(1);
  });

  it('since last poll: ts:<last>-<now> windows that meet, no flow twice', async () => {
    await helper.load(nodes, flow({ sinceLastPoll: true, pagination: 'all', limit: '500' }), creds());
    const out = collect(helper.getNode('out'));
    trigger();
    await until(() => out.length === 1);
    pinned.tick(60_000); // the next poll, a minute later
    trigger();
    await until(() => out.length === 2);
    const polledBy = Math.floor(Date.now() / 1000); // the pinned clock after the second poll
    const q1 = /^ts:(\d+)-(\d+)$/.exec((out[0]!.networkFlows as Meta).query)!;
    const q2 = /^ts:(\d+)-(\d+)$/.exec((out[1]!.networkFlows as Meta).query)!;
    (Number(q1[2]) - Number(q1[1])).should.equal(300);
    Number(q1[2]).should.be.within(PINNED_NOW / 1000, PINNED_NOW / 1000 + 60); // from the pinned clock, not the wall clock
    q2[1]!.should.equal(q1[2]);
    (Number(q2[2]) - Number(q2[1])).should.be.within(60, polledBy - Number(q1[2])); // the minute ticked, plus however long the polls took
    const key = (r: Record<string, unknown>) => `${r.ts}|${(r.device as { id: string }).id}|${(r.device as { port: string }).port}`;
    const first = new Set((out[0]!.payload as Array<Record<string, unknown>>).map(key));
    first.size.should.be.above(0);
    (out[1]!.payload as Array<Record<string, unknown>>).forEach((r) => first.has(key(r)).should.be.false());
    sim.requestsTo('/v2/flows').filter((r) => !r.query.has('cursor')).map((r) => r.query.get('query')).should.eql([(out[0]!.networkFlows as Meta).query, (out[1]!.networkFlows as Meta).query]);
  });

  it('since last poll keeps the user\'s own ts term on the first poll', async () => {
    await helper.load(nodes, flow({ sinceLastPoll: true, query: `category:video ${WINDOW}` }), creds());
    const got = next(helper.getNode('out'));
    trigger();
    const [m] = await got;
    (m!.networkFlows as Meta).query.should.equal(`category:video ${WINDOW}`);
  });

  it('the token appears nowhere in messages, statuses, logs or error texts', async () => {
    const seen: unknown[] = [];
    const logs: unknown[] = [];
    const run = async (token: string, setup?: () => void, props: Record<string, unknown> = {}): Promise<void> => {
      await helper.load(nodes, flow(props), creds(token));
      const n = helper.getNode('f1') as Node & { status: (s: unknown) => void };
      const orig = n.status.bind(n);
      n.status = (s: unknown) => {
        seen.push(s);
        orig(s as never);
      };
      setup?.();
      const any = new Promise<Msg>((resolve) => {
        helper.getNode('out').on('input', resolve);
        helper.getNode('caught').on('input', resolve);
      });
      trigger();
      seen.push(await any);
      await delay(20);
      logs.push(...helper.log().args);
      await helper.unload();
    };
    const wrong = 'fw-wrong-node-token-55aa77';
    st().echoToken = true;
    await run(wrong);
    await run(FIREWALLA_FORBIDDEN_TOKEN);
    await run(TOKEN, () => sim.addFault({ kind: 'status', status: 500, path: '/v2/flows', body: JSON.stringify({ error: { message: `token ${TOKEN} rejected`, type: 'INTERNAL' } }) }));
    await run(TOKEN, undefined, { pagination: 'stream', query: WINDOW, limit: '100' });
    const text = JSON.stringify(seen) + JSON.stringify(logs, (_k, v: unknown) => (v instanceof Error ? { message: v.message, stack: v.stack } : v));
    text.should.match(/Invalid token \*\*\*/);
    text.should.match(/token \*\*\* rejected/);
    text.should.match(/"count":100/);
    for (const t of [wrong, TOKEN, FIREWALLA_FORBIDDEN_TOKEN]) {
      text.should.not.containEql(t);
      text.should.not.containEql(Buffer.from(t).toString('base64'));
    }
  });

  it('test-connection endpoint: one cheap request, failures without the token', async () => {
    await helper.load(nodes, flow(), creds());
    const ok = await helper.request().post('/network-flows/firewalla-msp-config/test').send({ host: sim.url, credentials: { token: TOKEN } });
    ok.body.ok.should.be.true();
    ok.body.message.should.match(/^Connected to 127\.0\.0\.1:\d+: GET \/v2\/flows\?limit=1 returned 1 flow; \d+ requests left/);
    sim.requestsTo('/v2/flows')[0]!.rawQuery.should.equal('limit=1');
    const stored = await helper.request().post('/network-flows/firewalla-msp-config/test').send({ id: 'cfg', host: sim.url, credentials: { token: '__PWRD__' } });
    stored.body.ok.should.be.true();
    st().echoToken = true;
    const bad = await helper.request().post('/network-flows/firewalla-msp-config/test').send({ host: sim.url, credentials: { token: 'guess-' + TOKEN } });
    bad.body.should.match({ ok: false, code: 'AUTH' });
    JSON.stringify(bad.body).should.not.containEql(TOKEN);
    const noToken = await helper.request().post('/network-flows/firewalla-msp-config/test').send({ host: sim.url, credentials: {} });
    noToken.body.should.match({ ok: false, code: 'BAD_INPUT', message: /^token: / });
  });

  it('validate-query endpoint: the editor gets the column and reason', async () => {
    await helper.load(nodes, flow(), creds());
    const ok = await helper.request().post('/network-flows/firewalla-flows/validate-query').send({ query: 'mac:AA:BB box:"Gold Plus"' });
    ok.body.should.eql({ ok: true, terms: 2 });
    const bad = await helper.request().post('/network-flows/firewalla-flows/validate-query').send({ query: 'total:5MB-1MB' });
    bad.body.should.match({ ok: false, column: 10, message: /ends before it starts/ });
  });
});

describe('examples/firewalla-flows.json', function () {
  this.timeout(10_000);
  pinDate();
  let sim: Simulator;
  before(async () => {
    // A tenth of the default traffic: the grouped query reads a whole day, every domain still shows.
    sim = await startSimulator({ vendors: ['firewalla'], flowsPerMinute: 12 });
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    await sim.close();
  });
  afterEach(async () => helper.unload());

  it('runs against the simulator (host swapped for the test port): flows, blocked flows, rejoined stream', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const example = JSON.parse(JSON.stringify(require('../../examples/firewalla-flows.json'))) as Array<Record<string, unknown>>;
    const types = new Set(example.map((n) => n.type));
    [...types].sort().should.eql(['debug', 'firewalla-flows', 'firewalla-msp-config', 'inject', 'join']);
    const cfg = example.find((n) => n.type === 'firewalla-msp-config')!;
    cfg.host!.should.equal('http://127.0.0.1:8787');
    JSON.stringify(example).should.not.match(/"token"|credentials|fw-demo/);
    cfg.host = sim.url;
    for (const n of example) if (n.type === 'inject') n.once = false;
    // Debug nodes need the editor's comms; helper nodes in their place observe the same messages.
    for (const n of example) if (n.type === 'debug') n.type = 'helper';
    // Imported into a tab by the editor; the runtime skips placed nodes that have no tab.
    for (const n of example) if ('x' in n) n.z = 'example-tab';
    example.push({ id: 'example-tab', type: 'tab', label: 'example' });
    for (const n of example) if (n.type === 'inject') n.repeat = '';
    await helper.load([configNode, flowsNode, injectNode, sequenceNodes] as Parameters<typeof helper.load>[0], example as Parameters<typeof helper.load>[1], {
      [cfg.id as string]: { token: DEMO_CREDENTIALS.firewallaToken },
    });
    const got: Record<string, Msg> = {};
    for (const id of ['fw-flows-dbg', 'fw-blocked-dbg', 'fw-top-dbg']) helper.getNode(id).on('input', (m: Msg) => void (got[id] = m));
    for (const id of ['fw-flows-inj', 'fw-blocked-inj', 'fw-top-inj']) helper.getNode(id).receive({ payload: 1 } as NodeMessage);
    await until(() => Object.keys(got).length === 3);
    (got['fw-flows-dbg']!.payload as Array<{ block: boolean }>).every((r) => r.block === false).should.be.true();
    (got['fw-blocked-dbg']!.payload as Array<{ block: boolean }>).every((r) => r.block === true).should.be.true();
    const top = got['fw-top-dbg']!.payload as Array<{ total: number; domain: string }>;
    top.length.should.be.above(10);
    top.map((r) => r.total).should.eql(top.map((r) => r.total).sort((a, b) => b - a));
  });
});
