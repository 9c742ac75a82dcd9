import 'should';
import helper from 'node-red-node-test-helper';
import type { Node } from 'node-red';
import configNode = require('../../nodes/citrix-sdwan-config');
import flowsNode = require('../../nodes/citrix-sdwan-flows');
import ilbNode = require('../../nodes/citrix-sdwan-ilbflows');
import { DEMO_CREDENTIALS, startSimulator, type Simulator } from '../../simulator/server';
import { sdwanSim } from '../../simulator/citrix-sdwan';

// The core catch node, so failures handed to done(err) are observed the way a flow sees them.

const catchNode = require('@node-red/nodes/core/common/25-catch.js') as unknown;

import { next, type Msg, until } from '../support/node-messages';
import { PINNED_NOW, pinDate } from '../support/clock';

helper.init(require.resolve('node-red'));

const USERNAME = 'nf-node-operator-4242';
const PASSWORD = 'P@ss:w0rd;node-test';


describe('nodes: citrix-sdwan-config, citrix-sdwan-flows, citrix-sdwan-ilbflows', function () {
  pinDate();
  let sim: Simulator;
  const state = () => sdwanSim(sim);

  function flow(extra: { filter?: string; maxStats?: string; apiVersion?: string; server?: string } = {}) {
    return [
      { id: 'cfg', type: 'citrix-sdwan-config', name: 'branch', host: sim.url, timeout: '3000', apiVersion: extra.apiVersion ?? 'v2' },
      { id: 'f1', type: 'citrix-sdwan-flows', server: extra.server ?? 'cfg', filter: extra.filter ?? '', maxStats: extra.maxStats ?? '50', wires: [['out']] },
      { id: 'i1', type: 'citrix-sdwan-ilbflows', server: extra.server ?? 'cfg', filter: '', maxStats: '', wires: [['out']] },
      { id: 'c1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'out', type: 'helper' },
      { id: 'caught', type: 'helper' },
    ];
  }
  const creds = (password = PASSWORD) => ({ cfg: { username: USERNAME, password } });
  const nodes = [configNode, flowsNode, ilbNode, catchNode] as Parameters<typeof helper.load>[0];

  before(async () => {
    sim = await startSimulator({ vendors: ['citrix-sdwan'], credentials: { sdwanUsername: USERNAME, sdwanPassword: PASSWORD } });
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    await sim.close();
  });
  beforeEach(() => {
    sim.clearFaults();
    sim.clearLog();
    sim.expireSessions();
    state().envelope = 'keyed';
    state().logins = 0;
    state().logouts = 0;
  });
  afterEach(async () => helper.unload());

  it('flows: sends the records as sent, with msg.networkFlows', async () => {
    await helper.load(nodes, flow({ filter: 'direction:LAN to WAN' }), creds());
    const out = helper.getNode('out');
    const got = next(out);
    helper.getNode('f1').receive({ payload: 'tick', topic: 'poll' });
    const [msg] = await got;
    const payload = msg!.payload as Array<Record<string, string>>;
    payload.length.should.equal(50);
    payload.forEach((r) => r.direction!.should.equal('LAN to WAN'));
    msg!.topic!.should.equal('poll'); // the incoming message is kept
    const meta = msg!.networkFlows as Record<string, unknown>;
    meta.should.containDeep({ vendor: 'citrix-sdwan', endpoint: 'flows', host: new URL(sim.url).host, count: 50, envelope: 'keyed', filter: 'direction:LAN to WAN;max_stats:50' });
    (meta.fetchedAt as number).should.be.within(PINNED_NOW, PINNED_NOW + 60_000); // the pinned clock, not the wall clock
    msg!.should.not.have.property('invalid');
    sim.requestsTo('/monitor/flows')[0]!.rawQuery.should.equal('filter=direction%3ALAN%20to%20WAN%3Bmax_stats%3A50');
  });

  it('flows and ilbflows share one login; 10 parallel messages cause one login', async () => {
    await helper.load(nodes, flow(), creds());
    const got = next(helper.getNode('out'), 10);
    for (let i = 0; i < 5; i++) {
      helper.getNode('f1').receive({ payload: i });
      helper.getNode('i1').receive({ payload: i });
    }
    const msgs = await got;
    msgs.filter((m) => (m.networkFlows as { endpoint: string }).endpoint === 'ilbflows').length.should.equal(5);
    state().logins.should.equal(1);
    sim.requestsTo('/config/login').length.should.equal(1);
  });

  it('msg.request.filter and msg.request.maxStats override the node, validated like the editor', async () => {
    await helper.load(nodes, flow(), creds());
    const got = next(helper.getNode('out'));
    helper.getNode('f1').receive({ request: { filter: 'ipp:6', maxStats: 100 } });
    const [msg] = await got;
    (msg!.payload as Array<{ ipp: string }>).forEach((r) => r.ipp.should.equal('6'));
    sim.requestsTo('/monitor/flows')[0]!.query.get('filter')!.should.equal('ipp:6;max_stats:100');

    const caught = next(helper.getNode('caught'), 2);
    helper.getNode('f1').receive({ request: { maxStats: 75 } });
    helper.getNode('f1').receive({ request: { filter: 'Application:x' } });
    const errs = (await caught).map((m) => m.error as { message: string; code: string });
    errs[0]!.code.should.equal('BAD_INPUT');
    errs[0]!.message.should.match(/^BadInputError: request\.maxStats: expected "", 50, 100 or 1000, got 75/);
    errs[1]!.message.should.match(/^BadInputError: request\.filter: key "Application" must be lowercase/);
    sim.requestsTo('/monitor/flows').length.should.equal(1); // nothing sent for bad input
  });

  it('an invalid filter property fails at deploy and on every message naming the field', async () => {
    await helper.load(nodes, flow({ filter: 'application' }), creds());
    const caught = next(helper.getNode('caught'));
    helper.getNode('f1').receive({ payload: 1 });
    const [m] = await caught;
    const err = m!.error as { code: string; message: string };
    err.code.should.equal('BAD_INPUT');
    err.message.should.match(/^BadInputError: filter: "application" is not key:value/);
    const logged = helper.log().args.map((a: unknown[]) => a[0] as { id?: string; level?: number; msg?: unknown });
    logged.some((l) => l.id === 'f1' && /filter: "application"/.test(String(l.msg))).should.be.true();
  });

  it('a missing server fails with BAD_INPUT naming server', async () => {
    await helper.load(nodes, flow({ server: 'nope' }), creds());
    const caught = next(helper.getNode('caught'));
    helper.getNode('i1').receive({ payload: 1 });
    const [m] = await caught;
    (m!.error as { code: string }).code.should.equal('BAD_INPUT');
    (m!.error as { message: string }).message.should.match(/^BadInputError: server: select a Citrix SD-WAN appliance/);
  });

  it('reports a bad record (node.warn and msg.invalid) and delivers the rest', async () => {
    await helper.load(nodes, flow(), creds());
    state().malformNext('not-object', 1, 2);
    const got = next(helper.getNode('out'));
    helper.getNode('f1').receive({ payload: 1 });
    const [msg] = await got;
    (msg!.payload as unknown[]).length.should.equal(50);
    msg!.invalid!.should.eql([{ index: 2, reason: 'expected an object, got string' }]);
    (msg!.networkFlows as { count: number }).count.should.equal(50);
    const warns = helper.log().args.map((a: unknown[]) => a[0] as { id?: string; level?: number; msg?: unknown }).filter((l) => l.id === 'f1' && l.level === 30);
    warns.map((w) => String(w.msg)).should.containEql('1 record(s) skipped (see msg.invalid): record 2: expected an object, got string');
  });

  it('re-logs in after session expiry, and gives AUTH (not a loop) when refused again', async () => {
    await helper.load(nodes, flow(), creds());
    const out = helper.getNode('out');
    let got = next(out);
    helper.getNode('f1').receive({ payload: 1 });
    await got;
    sim.expireSessions();
    got = next(out);
    helper.getNode('f1').receive({ payload: 2 });
    await got;
    state().logins.should.equal(2);
    sim.addFault({ kind: 'status', status: 401, path: '/monitor/ilbflows', times: 2, body: JSON.stringify({ errorcode: 444, errormessage: 'Session expired' }) });
    const caught = next(helper.getNode('caught'));
    helper.getNode('i1').receive({ payload: 3 });
    const err = (await caught)[0]!.error as { code: string; message: string };
    err.code.should.equal('AUTH');
    err.message.should.match(/444: Session expired/);
    state().logins.should.equal(3);
  });

  it('logs out when the flow stops (the DELETE arrives at the appliance)', async () => {
    await helper.load(nodes, flow(), creds());
    const got = next(helper.getNode('out'));
    helper.getNode('f1').receive({ payload: 1 });
    await got;
    state().sessionCount.should.equal(1);
    await helper.unload();
    await until(() => state().logouts === 1);
    const del = sim.requests.filter((r) => r.method === 'DELETE' && r.path === '/sdwan/nitro/v1/config/login');
    del.length.should.equal(1);
    String(del[0]!.headers.cookie).should.containEql(state().cookieNames.session);
    String(del[0]!.headers.cookie).should.containEql(state().cookieNames.token);
    state().sessionCount.should.equal(0);
  });

  it('uses the v1 monitor path when apiVersion is v1', async () => {
    await helper.load(nodes, flow({ apiVersion: 'v1' }), creds());
    const got = next(helper.getNode('out'));
    helper.getNode('i1').receive({ payload: 1 });
    await got;
    sim.requestsTo('/monitor/')[0]!.path.should.equal('/sdwan/nitro/v1/monitor/ilbflows');
  });

  it('every documented error status reaches Catch with its code, errorcode and errormessage', async () => {
    await helper.load(nodes, flow(), creds());
    const codes: Record<number, string> = { 400: 'HTTP_4XX', 401: 'AUTH', 403: 'AUTH', 405: 'HTTP_4XX', 415: 'HTTP_4XX', 500: 'HTTP_5XX' };
    for (const [status, code] of Object.entries(codes)) {
      sim.addFault({ kind: 'status', status: Number(status), path: '/monitor/flows', times: status === '401' ? 2 : 1, body: JSON.stringify({ errorcode: 9000 + Number(status), errormessage: `failed with ${status}` }) });
      const caught = next(helper.getNode('caught'));
      helper.getNode('f1').receive({ payload: status });
      const [m] = await caught;
      const err = m!.error as { code: string; message: string };
      err.code.should.equal(code);
      err.message.should.containEql(`HTTP ${status} (${9000 + Number(status)}: failed with ${status})`);
      m!.payload!.should.equal(status); // the message is kept
    }
  });

  it('username and password appear nowhere in messages, statuses, logs or error texts', async () => {
    // A password that is wrong, echoed back, and right: every path a secret could leak through.
    const seen: unknown[] = [];
    const logs: unknown[] = [];
    const watchStatus = (id: string): void => {
      const n = helper.getNode(id) as Node & { status: (s: unknown) => void };
      const orig = n.status.bind(n);
      n.status = (s: unknown) => {
        seen.push(s);
        orig(s as never);
      };
    };
    const run = async (password: string, fault?: () => void): Promise<void> => {
      await helper.load(nodes, flow(), creds(password));
      watchStatus('f1');
      watchStatus('i1');
      fault?.();
      const any = new Promise<Msg>((resolve) => {
        helper.getNode('out').on('input', resolve);
        helper.getNode('caught').on('input', resolve);
      });
      helper.getNode('f1').receive({ payload: 'x' });
      seen.push(await any);
      // The log spy is replaced on each load: keep this run's entries.
      logs.push(...helper.log().args);
      await helper.unload();
    };
    await run('wrong-' + PASSWORD);
    await run(PASSWORD, () => sim.addFault({ kind: 'status', status: 500, path: '/monitor/', body: JSON.stringify({ errorcode: 1, errormessage: `user ${USERNAME} password ${PASSWORD}` }) }));
    await run(PASSWORD);
    seen.length.should.be.above(6);
    logs.length.should.be.above(3);
    const text = JSON.stringify(seen) + JSON.stringify(logs, (_k, v: unknown) => (v instanceof Error ? { message: v.message, stack: v.stack } : v));
    text.should.match(/AUTH/); // the wrong password was reported...
    text.should.match(/\*\*\*/); // ...and the echo was scrubbed
    text.should.not.containEql(USERNAME);
    text.should.not.containEql(PASSWORD);
    text.should.not.containEql(encodeURIComponent(PASSWORD));
  });

  it('test-connection endpoint: logs in, reads 50 flows, logs out; reports failures without credentials', async () => {
    await helper.load(nodes, flow(), creds());
    const ok = await helper.request().post('/network-flows/citrix-sdwan-config/test').send({ host: sim.url, apiVersion: 'v2', credentials: { username: USERNAME, password: PASSWORD } });
    ok.status.should.equal(200);
    ok.body.ok.should.be.true();
    ok.body.message.should.match(/returned 50 flows \(max_stats 50/);
    sim.requests.map((r) => `${r.method} ${r.path}`).should.eql([
      'POST /sdwan/nitro/v1/config/login',
      'GET /sdwan/nitro/v2/monitor/flows',
      'DELETE /sdwan/nitro/v1/config/login',
    ]);
    // Stored credentials are used when the dialog sends the password placeholder.
    const stored = await helper.request().post('/network-flows/citrix-sdwan-config/test').send({ id: 'cfg', host: sim.url, credentials: { username: USERNAME, password: '__PWRD__' } });
    stored.body.ok.should.be.true();
    const bad = await helper.request().post('/network-flows/citrix-sdwan-config/test').send({ host: sim.url, credentials: { username: USERNAME, password: 'guess-' + PASSWORD } });
    bad.body.ok.should.be.false();
    bad.body.code.should.equal('AUTH');
    bad.body.message.should.match(/354: Invalid username or password/);
    JSON.stringify(bad.body).should.not.containEql(PASSWORD);
    const noHost = await helper.request().post('/network-flows/citrix-sdwan-config/test').send({ host: '', credentials: { username: USERNAME, password: PASSWORD } });
    noHost.body.should.containDeep({ ok: false, code: 'BAD_INPUT' });
    noHost.body.message.should.match(/^host: /);
  });
});

describe('examples/citrix-sdwan-*.json', function () {
  pinDate();
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ vendors: ['citrix-sdwan'] });
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    await sim.close();
  });
  afterEach(async () => helper.unload());

  for (const kind of ['flows', 'ilbflows'] as const) {
    it(`${kind}: the example runs against the simulator (host swapped for the test port)`, async () => {
      const file = JSON.parse(JSON.stringify(require(`../../examples/citrix-sdwan-${kind}.json`))) as Array<Record<string, unknown>>;
      const types = new Set(file.map((n) => n.type));
      [...types].sort().should.eql(['catch', 'citrix-sdwan-config', `citrix-sdwan-${kind}`, 'comment', 'debug', 'inject', 'tab'].sort());
      // The tab, its comment and its Catch are checked in test/lib/examples; the flow itself runs here.
      const example = file.filter((n) => !['tab', 'comment', 'catch'].includes(n.type as string));
      example.forEach((n) => n.should.not.have.property('credentials'));
      JSON.stringify(example).should.not.containEql(DEMO_CREDENTIALS.sdwanPassword);
      const cfg = example.find((n) => n.type === 'citrix-sdwan-config')!;
      cfg.host!.should.equal('http://127.0.0.1:8787');
      cfg.host = sim.url;
      // Debug nodes become helper nodes so the test sees what the debug sidebar would.
      for (const n of example) if (n.type === 'debug') n.type = 'helper';
      // Imported into a tab by the editor; the runtime skips placed nodes that have no tab.
      for (const n of example) if ('x' in n) n.z = 'example-tab';
      example.push({ id: 'example-tab', type: 'tab', label: 'example' });
      const inject = example.find((n) => n.type === 'inject')!;
      inject.repeat = '';
      inject.once = false;
      const debugId = example.find((n) => n.type === 'helper')!.id as string;

      const injectNode = require('@node-red/nodes/core/common/20-inject.js') as unknown;
      await helper.load([configNode, flowsNode, ilbNode, injectNode] as Parameters<typeof helper.load>[0], example as Parameters<typeof helper.load>[1], {
        [cfg.id as string]: { username: DEMO_CREDENTIALS.sdwanUsername, password: DEMO_CREDENTIALS.sdwanPassword },
      });
      const loaded = next(helper.getNode(debugId));
      // What the inject button does: any input makes the inject node fire.
      helper.getNode(inject.id as string).receive({});
      const [msg] = (await loaded) as [Msg];
      (msg.networkFlows as { endpoint: string }).endpoint.should.equal(kind);
      (msg.payload as unknown[]).length.should.be.above(0);
    });
  }
});
