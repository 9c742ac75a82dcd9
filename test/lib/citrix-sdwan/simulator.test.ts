import 'should';
import { startSimulator, DEMO_CREDENTIALS, type Simulator } from '../../../simulator/server';
import { parseFilter, sdwanSim } from '../../../simulator/citrix-sdwan';
import { PINNED_NOW } from '../../support/clock';

/** The simulator's SD-WAN side, spoken to with plain fetch: it must behave as the NITRO docs say. */
describe('simulator: Citrix SD-WAN NITRO side', () => {
  let sim: Simulator;
  const LOGIN = '/sdwan/nitro/v1/config/login';

  before(async () => {
    sim = await startSimulator({ vendors: ['citrix-sdwan'], now: () => PINNED_NOW });
  });
  after(async () => sim.close());
  beforeEach(() => sim.expireSessions());

  async function call(method: string, path: string, init: { body?: string; type?: string; cookie?: string } = {}) {
    const headers: Record<string, string> = {};
    if (init.type) headers['content-type'] = init.type;
    if (init.cookie) headers.cookie = init.cookie;
    const res = await fetch(sim.url + path, { method, headers, body: init.body });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined, setCookie: res.headers.getSetCookie() };
  }
  const creds = JSON.stringify({ login: { username: DEMO_CREDENTIALS.sdwanUsername, password: DEMO_CREDENTIALS.sdwanPassword } });
  async function login(): Promise<string> {
    const r = await call('POST', LOGIN, { body: creds, type: 'application/json' });
    r.status.should.equal(200);
    return r.setCookie.map((c) => c.split(';')[0]).filter((c) => !c!.endsWith('=')).join('; ');
  }

  it('login: 415 without JSON, 400 on a bad body, 401 on wrong credentials, all {errorcode, errormessage}', async () => {
    const r415 = await call('POST', LOGIN, { body: creds, type: 'text/plain' });
    r415.status.should.equal(415);
    const r400 = await call('POST', LOGIN, { body: '{"login":{"username":"a"}}', type: 'application/json' });
    r400.status.should.equal(400);
    const r400b = await call('POST', LOGIN, { body: 'not json', type: 'application/json' });
    r400b.status.should.equal(400);
    const r401 = await call('POST', LOGIN, { body: JSON.stringify({ login: { username: 'admin', password: 'nope' } }), type: 'application/json' });
    r401.status.should.equal(401);
    for (const r of [r415, r400, r400b, r401]) {
      r.body!.errorcode!.should.be.a.Number();
      r.body!.errormessage!.should.be.a.String();
      r.setCookie.should.be.empty();
    }
    (await call('GET', LOGIN)).status.should.equal(405);
  });

  it('login sets two session cookies with per-simulator names; both are needed', async () => {
    const before = sdwanSim(sim).logins;
    const r = await call('POST', LOGIN, { body: creds, type: 'application/json; charset=utf-8' });
    r.status.should.equal(200);
    sdwanSim(sim).logins.should.equal(before + 1);
    const { session, token } = sdwanSim(sim).cookieNames;
    const live = r.setCookie.map((c) => c.split(';')[0]!).filter((c) => !c.endsWith('='));
    live.map((c) => c.split('=')[0]).should.eql([session, token]);
    const both = live.join('; ');
    (await call('GET', '/sdwan/nitro/v2/monitor/flows', { cookie: both })).status.should.equal(200);
    for (const one of live) {
      const r1 = await call('GET', '/sdwan/nitro/v2/monitor/flows', { cookie: one });
      r1.status.should.equal(401);
      r1.body!.errorcode!.should.equal(444);
    }
  });

  it('monitor: 401 without a session, 405 for other methods, 400 for a bad max_stats or filter part', async () => {
    const none = await call('GET', '/sdwan/nitro/v2/monitor/ilbflows');
    none.status.should.equal(401);
    none.body!.should.have.properties('errorcode', 'errormessage');
    const cookie = await login();
    (await call('POST', '/sdwan/nitro/v2/monitor/flows', { cookie })).status.should.equal(405);
    (await call('DELETE', '/sdwan/nitro/v1/monitor/ilbflows', { cookie })).status.should.equal(405);
    const bad = await call('GET', '/sdwan/nitro/v2/monitor/flows?filter=max_stats%3A70', { cookie });
    bad.status.should.equal(400);
    String(bad.body!.errormessage).should.match(/max_stats must be 50, 100 or 1000/);
    (await call('GET', '/sdwan/nitro/v2/monitor/flows?filter=application', { cookie })).status.should.equal(400);
    // Unknown keys are accepted and ignored; v1 serves the same resources.
    const ok = await call('GET', '/sdwan/nitro/v1/monitor/flows?filter=page_no%3A2%3Bcolour%3Ablue%3Bmax_stats%3A50', { cookie });
    ok.status.should.equal(200);
    (ok.body!.flows as unknown[]).length.should.equal(50);
  });

  it('logout ends the session and clears the cookies; expireSessions ends all', async () => {
    const cookie = await login();
    const out = await call('DELETE', LOGIN, { cookie });
    out.status.should.equal(200);
    out.setCookie.length.should.equal(2);
    (await call('GET', '/sdwan/nitro/v2/monitor/flows', { cookie })).status.should.equal(401);
    (await call('DELETE', LOGIN, { cookie })).status.should.equal(401);
    const c2 = await login();
    sim.expireSessions();
    (await call('GET', '/sdwan/nitro/v2/monitor/flows', { cookie: c2 })).status.should.equal(401);
  });

  it('parses filters as key:value;key:value', () => {
    const p = parseFilter('application:iperf;max_stats:1000;;page_no:2');
    (typeof p).should.equal('object');
    if (typeof p === 'string') throw new Error(p);
    p.maxStats.should.equal(1000);
    [...p.keys].should.eql([['application', 'iperf'], ['page_no', '2']]);
    (parseFilter('max_stats:20') as string).should.match(/max_stats/);
    (parseFilter('x:') as string).should.match(/not key:value/);
  });
});
