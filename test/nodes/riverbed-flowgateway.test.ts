import 'should';
import helper from 'node-red-node-test-helper';
import type { Node } from 'node-red';
import configNode = require('../../nodes/riverbed-flowgateway-config');
import statsNode = require('../../nodes/riverbed-flowgateway-stats');
import { DEMO_CREDENTIALS, startSimulator, type Simulator, type SimulatorOptions } from '../../simulator/server';
import { IMPORT_STATS, flowgatewayState, type FlowGatewaySimOptions } from '../../simulator/riverbed-flowgateway';

// The core catch node, so failures handed to done(err) are observed the way a flow sees them.

const catchNode = require('@node-red/nodes/core/common/25-catch.js') as unknown;

import { next, type Msg, until } from '../support/node-messages';
import { PINNED_NOW, pinDate } from '../support/clock';

helper.init(require.resolve('node-red'));

const USERNAME = 'fg-operator-7331';
const PASSWORD = 'Fg:P@ss;w0rd-node-test';
const ACCESS_CODE = 'ewoJIm5vbmNlIjogImFmNTBlOTkxIiwKCSJhdWQiOiAi-fg-node-test';
const SECRETS = [PASSWORD, ACCESS_CODE, encodeURIComponent(PASSWORD), Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64')];

type Meta = { vendor: string; endpoint: string; host: string; fetchedAt: number; count: number; template: string; request: unknown[] };


interface StatsProps {
  template?: string;
  statsType?: string;
  intervalType?: string;
  timeInterval?: string;
  startTime?: string;
  endTime?: string;
  sourceIp?: string;
  server?: string;
  authMethod?: string;
}

describe('nodes: riverbed-flowgateway-config, riverbed-flowgateway-stats', function () {
  const pinned = pinDate();
  let sim: Simulator;
  let simOpts: SimulatorOptions & FlowGatewaySimOptions;
  const state = () => flowgatewayState(sim);

  function flow(p: StatsProps = {}) {
    return [
      { id: 'cfg', type: 'riverbed-flowgateway-config', name: 'fg', host: sim.url, timeout: '3000', authMethod: p.authMethod ?? 'basic' },
      {
        id: 's1', type: 'riverbed-flowgateway-stats', server: p.server ?? 'cfg',
        template: p.template ?? 'A', statsType: p.statsType ?? 'flows_per_minute', intervalType: p.intervalType ?? 'minutes',
        timeInterval: p.timeInterval ?? '10', startTime: p.startTime ?? '', endTime: p.endTime ?? '', sourceIp: p.sourceIp ?? '',
        wires: [['out']],
      },
      { id: 'c1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'out', type: 'helper' },
      { id: 'caught', type: 'helper' },
    ];
  }
  const creds = (c: Record<string, string> = {}) => ({ cfg: { username: USERNAME, password: PASSWORD, accessCode: ACCESS_CODE, ...c } });
  const nodes = [configNode, statsNode, catchNode] as Parameters<typeof helper.load>[0];

  before(async () => {
    simOpts = {
      vendors: ['riverbed-flowgateway'],
      credentials: { flowgatewayUsername: USERNAME, flowgatewayPassword: PASSWORD, flowgatewayAccessCode: ACCESS_CODE },
    };
    sim = await startSimulator(simOpts);
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
    delete simOpts.flowgatewayTokenLifetime;
    delete simOpts.flowgatewayEnvelope;
    Object.assign(state(), { logins: 0, logouts: 0, tokenGrants: 0 });
  });
  afterEach(async () => helper.unload());

  it('template A: a GET with the JSON array body; records and msg.networkFlows out, message kept', async () => {
    await helper.load(nodes, flow({ timeInterval: '10' }), creds());
    const got = next(helper.getNode('out'));
    helper.getNode('s1').receive({ payload: 'tick', topic: 'poll' });
    const [msg] = await got;
    const sent = sim.requestsTo(IMPORT_STATS);
    sent.length.should.equal(1);
    sent[0]!.method.should.equal('GET');
    const body = [{ stats_type: 'flows_per_minute', interval_type: 'minutes', time_interval: 10, source_ip: '' }];
    JSON.parse(sent[0]!.body).should.eql(body);
    msg!.topic!.should.equal('poll');
    const records = msg!.payload as Array<Record<string, unknown>>;
    records.length.should.be.above(0);
    records[0]!.should.have.keys('time', 'source_ip', 'n_flows', 'n_bytes', 'n_bad_bytes', 'n_packets', 'n_bad_packets', 'peak_n_flows', 'peak_n_bytes', 'peak_n_packets');
    records[0]!.peak_n_flows!.should.be.a.String();
    const meta = msg!.networkFlows as Meta;
    meta.should.containDeep({ vendor: 'riverbed-flowgateway', endpoint: 'import_stats', host: sim.url, count: records.length, template: 'A', request: body });
    meta.fetchedAt.should.be.within(PINNED_NOW, PINNED_NOW + 60_000); // the pinned clock, not the wall clock
    msg!.should.not.have.property('invalid');
  });

  it('template B from the editor: dd/mm/YYYY strings sent as typed; an ISO override converted to UTC', async () => {
    await helper.load(nodes, flow({ template: 'B', statsType: 'flows_per_hour', startTime: '23/08/2023 11:36:41', endTime: '23/08/2023 13:36:41', sourceIp: '192.168.210.10' }), creds());
    const got = next(helper.getNode('out'), 2);
    helper.getNode('s1').receive({ payload: 1 });
    helper.getNode('s1').receive({ payload: 2, request: { endTime: '2023-08-23T16:00:00+02:00' } });
    const msgs = await got;
    const bodies = sim.requestsTo(IMPORT_STATS).map((r) => JSON.parse(r.body) as unknown);
    bodies.should.containDeep([
      [{ stats_type: 'flows_per_hour', start_time: '23/08/2023 11:36:41', end_time: '23/08/2023 13:36:41', source_ip: '192.168.210.10' }],
      [{ stats_type: 'flows_per_hour', start_time: '23/08/2023 11:36:41', end_time: '23/08/2023 14:00:00', source_ip: '192.168.210.10' }],
    ]);
    // Each message carries the body that was sent for it.
    msgs.map((m) => (m.networkFlows as Meta).request).should.containDeep(bodies);
    for (const m of msgs) {
      (m.networkFlows as Meta).template.should.equal('B');
      for (const r of m.payload as Array<{ source_ip: string }>) r.source_ip.should.equal('192.168.210.10');
    }
  });

  it('template C: epoch seconds integers; msg.request switches template and takes ms, Date and ISO values', async () => {
    const end = Math.floor(PINNED_NOW / 1000);
    await helper.load(nodes, flow({ template: 'C', startTime: String(end - 900), endTime: String(end) }), creds());
    const got1 = next(helper.getNode('out'));
    helper.getNode('s1').receive({ payload: 1 });
    const [first] = await got1;
    (first!.networkFlows as Meta).request.should.eql([{ stats_type: 'flows_per_minute', start_time: end - 900, end_time: end, source_ip: '' }]);
    const got2 = next(helper.getNode('out'));
    helper.getNode('s1').receive({ payload: 2, request: { template: 'C', startTime: new Date((end - 600) * 1000), endTime: (end - 60) * 1000 + 123 } });
    const msgs = [first!, ...(await got2)];
    const bodies = sim.requestsTo(IMPORT_STATS).map((r) => JSON.parse(r.body) as unknown);
    bodies.should.eql([
      [{ stats_type: 'flows_per_minute', start_time: end - 900, end_time: end, source_ip: '' }],
      [{ stats_type: 'flows_per_minute', start_time: end - 600, end_time: end - 60, source_ip: '' }],
    ]);
    (msgs[1]!.networkFlows as Meta).request.should.eql(bodies[1]);
    for (const r of msgs[1]!.payload as Array<{ time: string }>) {
      Date.parse(r.time.replace(' ', 'T')).should.be.within((end - 660) * 1000, (end - 60) * 1000);
    }
  });

  it('every validation failure reaches Catch as BAD_INPUT naming the field; nothing is sent', async () => {
    await helper.load(nodes, flow(), creds());
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ template: 'X' }, /^BadInputError: request\.template: expected "A"/],
      [{ statsType: 'flows_per_day' }, /^BadInputError: request\.statsType: expected flows_per_second, flows_per_minute or flows_per_hour, got "flows_per_day"/],
      [{ intervalType: 'years' }, /^BadInputError: request\.intervalType: expected seconds, minutes, hours, days, weeks or months/],
      [{ timeInterval: 2.5 }, /^BadInputError: request\.timeInterval: expected a whole number of intervals from 1 to 1000000, got 2.5/],
      [{ timeInterval: '60s' }, /^BadInputError: request\.timeInterval: .*got "60s"/],
      [{ sourceIp: '300.1.1.1' }, /^BadInputError: request\.sourceIp: expected an IPv4 or IPv6 address, or empty for all sources/],
      [{ template: 'B' }, /^BadInputError: startTime: required: template B needs a start and an end time/],
      [{ template: 'C', startTime: 'soon', endTime: 1 }, /^BadInputError: request\.startTime: expected "dd\/mm\/YYYY HH:MM:SS" \(UTC\)/],
      [{ template: 'B', startTime: '23/08/2023 13:00:00', endTime: '23/08/2023 12:00:00' }, /^BadInputError: request\.endTime: must be after request\.startTime/],
    ];
    const caught = next(helper.getNode('caught'), bad.length);
    bad.forEach(([request], i) => helper.getNode('s1').receive({ payload: i, request }));
    const msgs = await caught;
    msgs.forEach((m) => {
      const err = m.error as { code: string; message: string };
      err.code.should.equal('BAD_INPUT');
      err.message.should.match(bad[m.payload as number]![1]);
    });
    sim.requestsTo(IMPORT_STATS).should.be.empty();
  });

  it('an invalid node property is flagged at deploy and fails each message naming the field', async () => {
    await helper.load(nodes, flow({ sourceIp: 'not-an-ip' }), creds());
    const warns = helper.log().args.map((a: unknown[]) => a[0] as { id?: string; level?: number; msg?: unknown }).filter((l) => l.id === 's1' && l.level === 30);
    warns.some((w) => /^sourceIp: expected an IPv4 or IPv6 address/.test(String(w.msg))).should.be.true();
    const caught = next(helper.getNode('caught'));
    helper.getNode('s1').receive({ payload: 1 });
    const [m] = await caught;
    (m!.error as { message: string }).message.should.match(/sourceIp: expected an IPv4/);
    // A message may correct it.
    const got = next(helper.getNode('out'));
    helper.getNode('s1').receive({ payload: 2, request: { sourceIp: '' } });
    await got;
  });

  it('a missing config node is BAD_INPUT naming server', async () => {
    await helper.load(nodes, flow({ server: 'nope' }), creds());
    const caught = next(helper.getNode('caught'));
    helper.getNode('s1').receive({ payload: 1 });
    const [m] = await caught;
    (m!.error as { code: string; message: string }).should.containDeep({ code: 'BAD_INPUT' });
    (m!.error as { message: string }).message.should.match(/server: select a FlowGateway device/);
  });

  it('session: one login for concurrent messages, re-login after expiry, logout when the flow stops', async () => {
    await helper.load(nodes, flow({ authMethod: 'session' }), creds());
    const got = next(helper.getNode('out'), 5);
    for (let i = 0; i < 5; i++) helper.getNode('s1').receive({ payload: i });
    await got;
    state().logins.should.equal(1);
    sim.expireSessions();
    const again = next(helper.getNode('out'));
    helper.getNode('s1').receive({ payload: 'after expiry' });
    await again;
    state().logins.should.equal(2);
    sim.requestsTo(IMPORT_STATS).filter((r) => r.headers.cookie).length.should.equal(7); // 5 + the refused one + its retry
    await helper.unload();
    await until(() => state().logouts === 1);
    state().sessions.size.should.equal(0);
    const logout = sim.requestsTo('/api/common/1.0/logout');
    logout.length.should.equal(1);
    logout[0]!.method.should.equal('POST');
  });

  it('oauth: the token is renewed before it runs out (short expires_in) and after AUTH_EXPIRED_TOKEN', async () => {
    // A 60 s token is renewed in its last 6 s: jump to 57 s, short of expiry.
    simOpts.flowgatewayTokenLifetime = 60;
    await helper.load(nodes, flow({ authMethod: 'oauth' }), creds());
    const one = next(helper.getNode('out'));
    helper.getNode('s1').receive({ payload: 1 });
    await one;
    state().tokenGrants.should.equal(1);
    pinned.tick(57_000);
    const two = next(helper.getNode('out'));
    helper.getNode('s1').receive({ payload: 2 });
    await two;
    state().tokenGrants.should.equal(2);
    sim.requestsTo(IMPORT_STATS).length.should.equal(2); // renewed before sending: no 401 on the way
    simOpts.flowgatewayTokenLifetime = 3600;
    sim.expireSessions();
    const three = next(helper.getNode('out'));
    helper.getNode('s1').receive({ payload: 3 });
    await three;
    state().tokenGrants.should.equal(3);
    sim.requestsTo(IMPORT_STATS).length.should.equal(4);
    const grant = sim.requestsTo('/api/common/1.0/oauth/token')[0]!;
    new URLSearchParams(grant.body).get('assertion')!.should.equal(ACCESS_CODE);
  });

  it('documented error ids reach Catch with their code and the error_id and text in the message; the message is kept', async () => {
    await helper.load(nodes, flow(), creds());
    const cases: Array<[number, string, string]> = [
      [400, 'REQUEST_INVALID_INPUT', 'HTTP_4XX'],
      [401, 'AUTH_REQUIRED', 'AUTH'],
      [403, 'AUTH_FORBIDDEN', 'AUTH'],
      [404, 'RESOURCE_NOT_FOUND', 'HTTP_4XX'],
      [405, 'HTTP_INVALID_METHOD', 'HTTP_4XX'],
      [500, 'INTERNAL_ERROR', 'HTTP_5XX'],
    ];
    for (const [status, id, code] of cases) {
      sim.addFault({ kind: 'status', status, path: IMPORT_STATS, body: JSON.stringify({ error_id: id, error_text: `text of ${id}` }) });
      const caught = next(helper.getNode('caught'));
      helper.getNode('s1').receive({ payload: id });
      const [m] = await caught;
      const err = m!.error as { code: string; message: string };
      err.code.should.equal(code);
      err.message.should.containEql(`HTTP ${status} (${id}: text of ${id})`);
      m!.payload!.should.equal(id);
    }
  });

  it('a bad record is warned about, listed in msg.invalid and skipped; the rest are delivered', async () => {
    await helper.load(nodes, flow(), creds());
    const rows = [
      { time: '2024-01-08 22:11:00+00:00', source_ip: '10.0.0.1', n_flows: 154, n_bytes: 8448, n_bad_bytes: 0, n_packets: 20, n_bad_packets: 0, peak_n_flows: '60', peak_n_bytes: '3088', peak_n_packets: '4' },
      { time: 1704751860, source_ip: '10.0.0.2', n_flows: 1, n_bytes: 1, n_packets: 1 },
    ];
    sim.addFault({ kind: 'status', status: 200, path: IMPORT_STATS, body: JSON.stringify(rows) });
    const got = next(helper.getNode('out'));
    helper.getNode('s1').receive({ payload: 1 });
    const [msg] = await got;
    (msg!.payload as unknown[]).should.eql([rows[0]]);
    (msg!.invalid as Array<{ index: number; reason: string }>).should.eql([{ index: 1, reason: 'time: Invalid input: expected string, received number' }]);
    (msg!.networkFlows as Meta).count.should.equal(1);
    const warns = helper.log().args.map((a: unknown[]) => a[0] as { id?: string; level?: number; msg?: unknown }).filter((l) => l.id === 's1' && l.level === 30);
    warns.map((w) => String(w.msg)).should.eql(['1 record(s) skipped (see msg.invalid): record 1: time: Invalid input: expected string, received number']);
  });

  it('no password or access code in messages, statuses, logs or error texts', async () => {
    const seen: unknown[] = [];
    const logs: unknown[] = [];
    const run = async (authMethod: string, c: Record<string, string>, fault?: () => void): Promise<void> => {
      await helper.load(nodes, flow({ authMethod }), creds(c));
      const n = helper.getNode('s1') as Node & { status: (s: unknown) => void };
      const orig = n.status.bind(n);
      n.status = (s: unknown) => {
        seen.push(s);
        orig(s as never);
      };
      fault?.();
      const any = new Promise<Msg>((resolve) => {
        helper.getNode('out').on('input', resolve);
        helper.getNode('caught').on('input', resolve);
      });
      helper.getNode('s1').receive({ payload: 'x' });
      seen.push(await any);
      logs.push(...helper.log().args);
      await helper.unload();
    };
    const echo = JSON.stringify({ error_id: 'INTERNAL_ERROR', error_text: `password ${PASSWORD} code ${ACCESS_CODE}` });
    await run('basic', { password: `wrong-${PASSWORD}` });
    await run('session', { password: `wrong-${PASSWORD}` });
    await run('oauth', { accessCode: `wrong-${ACCESS_CODE}` });
    for (const m of ['basic', 'session', 'oauth']) await run(m, {}, () => sim.addFault({ kind: 'status', status: 500, path: IMPORT_STATS, body: echo }));
    for (const m of ['basic', 'session', 'oauth']) await run(m, {});
    seen.length.should.be.above(15);
    const text = JSON.stringify(seen) + JSON.stringify(logs, (_k, v: unknown) => (v instanceof Error ? { message: v.message, stack: v.stack } : v));
    text.should.match(/AUTH_INVALID_CREDENTIALS/);
    text.should.match(/AUTH_INVALID_CODE/);
    text.should.match(/password \*\*\* code \*\*\*/); // the echo was scrubbed
    for (const s of [...SECRETS, `wrong-${PASSWORD}`, `wrong-${ACCESS_CODE}`]) text.should.not.containEql(s);
  });

  it('test-connection endpoint: auth_info, each auth method, stored credentials, failures without secrets', async () => {
    await helper.load(nodes, flow({ authMethod: 'session' }), creds());
    const post = (body: Record<string, unknown>) => helper.request().post('/network-flows/riverbed-flowgateway-config/test').send(body);
    for (const authMethod of ['basic', 'session', 'oauth']) {
      const ok = await post({ host: sim.url, authMethod, credentials: { username: USERNAME, password: PASSWORD, accessCode: ACCESS_CODE } });
      ok.status.should.equal(200);
      ok.body.ok.should.be.true(JSON.stringify(ok.body));
      ok.body.message.should.match(/the device supports BASIC, COOKIE, OAUTH_2_0/);
      for (const s of SECRETS) JSON.stringify(ok.body).should.not.containEql(s);
    }
    state().logouts.should.equal(1); // the session test logged out again
    const stored = await post({ id: 'cfg', host: sim.url, authMethod: 'oauth', credentials: { username: USERNAME, password: '__PWRD__', accessCode: '__PWRD__' } });
    stored.body.ok.should.be.true(JSON.stringify(stored.body));
    const bad = await post({ host: sim.url, authMethod: 'oauth', credentials: { accessCode: `guess-${ACCESS_CODE}` } });
    bad.body.should.containDeep({ ok: false, code: 'AUTH' });
    bad.body.message.should.match(/AUTH_INVALID_CODE/);
    JSON.stringify(bad.body).should.not.containEql(ACCESS_CODE);
    const badMethod = await post({ host: sim.url, authMethod: 'kerberos', credentials: {} });
    badMethod.body.should.containDeep({ ok: false, code: 'BAD_INPUT' });
    badMethod.body.message.should.match(/^authMethod: expected basic, session or oauth/);
    const noHost = await post({ host: '', authMethod: 'basic', credentials: { username: USERNAME, password: PASSWORD } });
    noHost.body.should.containDeep({ ok: false, code: 'BAD_INPUT' });
    noHost.body.message.should.match(/^host: /);
  });
});

describe('examples/riverbed-flowgateway-*.json', function () {
  pinDate();
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ vendors: ['riverbed-flowgateway'] });
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    await sim.close();
  });
  afterEach(async () => helper.unload());

  it('stats: the example runs against the simulator (host swapped for the test port)', async () => {
    const file = JSON.parse(JSON.stringify(require('../../examples/riverbed-flowgateway-stats.json'))) as Array<Record<string, unknown>>;
    [...new Set(file.map((n) => n.type))].sort().should.eql(['catch', 'comment', 'debug', 'inject', 'riverbed-flowgateway-config', 'riverbed-flowgateway-stats', 'tab']);
    // The tab, its comment and its Catch are checked in test/lib/examples; the flow itself runs here.
    const example = file.filter((n) => !['tab', 'comment', 'catch'].includes(n.type as string));
    example.forEach((n) => n.should.not.have.property('credentials'));
    JSON.stringify(example).should.not.containEql(DEMO_CREDENTIALS.flowgatewayPassword);
    const cfg = example.find((n) => n.type === 'riverbed-flowgateway-config')!;
    cfg.host!.should.equal('http://127.0.0.1:8787');
    cfg.authMethod!.should.equal('basic');
    cfg.host = sim.url;
    for (const n of example) if (n.type === 'debug') n.type = 'helper';
    for (const n of example) if ('x' in n) n.z = 'example-tab';
    example.push({ id: 'example-tab', type: 'tab', label: 'example' });
    const inject = example.find((n) => n.type === 'inject')!;
    inject.repeat = '';
    inject.once = false;
    const debugId = example.find((n) => n.type === 'helper')!.id as string;

    const injectNode = require('@node-red/nodes/core/common/20-inject.js') as unknown;
    await helper.load([configNode, statsNode, injectNode] as Parameters<typeof helper.load>[0], example as Parameters<typeof helper.load>[1], {
      [cfg.id as string]: { username: DEMO_CREDENTIALS.flowgatewayUsername, password: DEMO_CREDENTIALS.flowgatewayPassword },
    });
    const loaded = next(helper.getNode(debugId));
    helper.getNode(inject.id as string).receive({});
    const [msg] = (await loaded) as [Msg];
    (msg.networkFlows as Meta).should.containDeep({ vendor: 'riverbed-flowgateway', endpoint: 'import_stats', template: 'A' });
    (msg.payload as unknown[]).length.should.be.above(0);
  });
});
