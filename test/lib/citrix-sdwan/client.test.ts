import 'should';
import { SdwanClient, SDWAN_FLOW_FIELDS, SDWAN_ILB_FIELDS, type SdwanClientOptions } from '../../../nodes/lib/vendors/citrix-sdwan';
import { FlowError } from '../../../nodes/lib/errors';
import { startSimulator, type Simulator } from '../../../simulator/server';
import { sdwanSim, SDWAN_DEFAULT_MAX_STATS, type SdwanSimOptions } from '../../../simulator/citrix-sdwan';
import { PINNED_NOW, fakeClock, type FakeClock } from '../../support/clock';
import { until } from '../../support/node-messages';

const USERNAME = 'nf-operator-7731';
const PASSWORD = 'S3cr3t;pa55:word';

async function failure(p: Promise<unknown>): Promise<FlowError> {
  try {
    await p;
  } catch (err) {
    (err as Error).should.be.instanceOf(FlowError);
    return err as FlowError;
  }
  throw new Error('expected the request to fail');
}

describe('lib/vendors/citrix-sdwan client (against the simulator over real HTTP)', () => {
  let sim: Simulator;
  // The appliance and the clients share a clock that stands still unless a test moves it.
  let clock: FakeClock;
  const clients: SdwanClient[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown): void => void unhandled.push(e);

  function client(extra: Partial<SdwanClientOptions> = {}): SdwanClient {
    const c = new SdwanClient({
      host: sim.url,
      username: USERNAME,
      password: PASSWORD,
      timeoutMs: 3000,
      clock,
      ...extra,
    });
    clients.push(c);
    return c;
  }
  const state = () => sdwanSim(sim);
  const monitorRequests = () => sim.requests.filter((r) => r.path.includes('/monitor/'));
  const loginRequests = (method: string) => sim.requests.filter((r) => r.path === '/sdwan/nitro/v1/config/login' && r.method === method);

  before(async () => {
    process.on('unhandledRejection', onUnhandled);
    const opts: SdwanSimOptions = { vendors: ['citrix-sdwan'], now: () => clock.now(), credentials: { sdwanUsername: USERNAME, sdwanPassword: PASSWORD } };
    sim = await startSimulator(opts);
  });
  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    await sim.close();
    unhandled.should.be.empty();
  });
  beforeEach(() => {
    clock = fakeClock();
    sim.clearFaults();
    sim.clearLog();
    sim.expireSessions();
    state().envelope = 'keyed';
    state().logins = 0;
    state().logouts = 0;
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  describe('session', () => {
    it('logs in once for 10 parallel requests and sends back every cookie the login set', async () => {
      const c = client();
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => c.fetch(i % 2 ? 'flows' : 'ilbflows', { maxStats: 50 })));
      results.forEach((r) => r.records.length.should.be.above(0));
      state().logins.should.equal(1);
      loginRequests('POST').length.should.equal(1);
      const login = loginRequests('POST')[0]!;
      JSON.parse(login.body).should.eql({ login: { username: USERNAME, password: PASSWORD } });
      String(login.headers['content-type']).should.match(/^application\/json/);
      const { session, token } = state().cookieNames;
      monitorRequests().length.should.equal(10);
      for (const r of monitorRequests()) {
        const cookie = String(r.headers.cookie);
        cookie.should.match(new RegExp(`(^|; )${session}=[0-9a-f]{32}(;|$)`));
        cookie.should.match(new RegExp(`(^|; )${token}=`));
        cookie.should.not.match(/citrix_ns_id/); // deleted by the login's Max-Age=0
      }
    });

    it('keeps using the session for later requests', async () => {
      const c = client();
      await c.fetch('flows');
      await c.fetch('ilbflows');
      await c.fetch('flows');
      state().logins.should.equal(1);
      monitorRequests().length.should.equal(3);
    });

    it('logs in again once after the session expired and retries the request once', async () => {
      const c = client();
      await c.fetch('flows');
      sim.expireSessions();
      const r = await c.fetch('flows', { maxStats: 50 });
      r.records.length.should.equal(50);
      state().logins.should.equal(2);
      monitorRequests().map((q) => q.rawQuery).should.eql(['', 'filter=max_stats%3A50', 'filter=max_stats%3A50']);
    });

    it('re-logs in once when an idle timeout ended the session, even for parallel requests', async () => {
      const idleSim = await startSimulator({ vendors: ['citrix-sdwan'], now: () => clock.now(), sdwanIdleTimeoutMs: 60_000, credentials: { sdwanUsername: USERNAME, sdwanPassword: PASSWORD } } as SdwanSimOptions);
      try {
        const c = client({ host: idleSim.url });
        await c.fetch('flows');
        clock.timers.tick(30_000);
        await c.fetch('flows'); // within the idle timeout: same session
        sdwanSim(idleSim).logins.should.equal(1);
        clock.timers.tick(61_000);
        const rs = await Promise.all(Array.from({ length: 6 }, () => c.fetch('ilbflows')));
        rs.length.should.equal(6);
        sdwanSim(idleSim).logins.should.equal(2);
        idleSim.requestsTo('/monitor/').filter((q) => q.path.endsWith('ilbflows')).length.should.equal(12); // 6 refused + 6 retried
      } finally {
        await Promise.all(clients.splice(0).map((x) => x.close()));
        await idleSim.close();
      }
    });

    it('a second 401 after logging in again fails with AUTH instead of looping', async () => {
      const c = client();
      sim.addFault({ kind: 'status', status: 401, path: '/monitor/flows', times: 5, body: JSON.stringify({ errorcode: 444, errormessage: 'Session expired or invalid' }) });
      const err = await failure(c.fetch('flows'));
      err.code.should.equal('AUTH');
      err.status!.should.equal(401);
      err.vendorCode!.should.equal(444);
      err.message.should.match(/HTTP 401 \(444: Session expired or invalid\)/);
      err.message.should.match(/logged in again once, retried once/);
      state().logins.should.equal(2);
      monitorRequests().length.should.equal(2);
      // The next request starts over with a fresh login (the fault has 3 uses left: use them up).
      sim.clearFaults();
      (await c.fetch('flows')).records.length.should.be.above(0);
      state().logins.should.equal(3);
    });

    it('wrong credentials: AUTH with the errorcode, the login is not repeated, no credential in the text', async () => {
      const c = client({ password: 'wrong-password-123' });
      const err = await failure(c.fetch('flows'));
      err.code.should.equal('AUTH');
      err.vendorCode!.should.equal(354);
      err.message.should.match(/login to 127\.0\.0\.1:\d+ failed: POST \/sdwan\/nitro\/v1\/config\/login: HTTP 401 \(354: Invalid username or password\)/);
      err.message.should.not.containEql('wrong-password-123');
      err.message.should.not.containEql(USERNAME);
      loginRequests('POST').length.should.equal(1);
      monitorRequests().length.should.equal(0);
      // Parallel callers share the one failing login too.
      sim.clearLog();
      const errs = await Promise.all(Array.from({ length: 4 }, () => failure(c.fetch('flows'))));
      errs.forEach((e) => e.code.should.equal('AUTH'));
      loginRequests('POST').length.should.equal(1);
    });

    it('a login that sets no cookie is a BAD_RESPONSE', async () => {
      sim.addFault({ kind: 'status', status: 200, path: '/config/login', body: '{"login":{"message":"ok"}}' });
      const err = await failure(client().fetch('flows'));
      err.code.should.equal('BAD_RESPONSE');
      err.message.should.match(/no session cookie was set/);
    });

    it('logs out on close, sending every cookie, and ends the session on the appliance', async () => {
      const c = client();
      await c.fetch('flows');
      state().sessionCount.should.equal(1);
      await c.close();
      const del = loginRequests('DELETE');
      del.length.should.equal(1);
      const { session, token } = state().cookieNames;
      String(del[0]!.headers.cookie).should.match(new RegExp(`${session}=.*${token}=|${token}=.*${session}=`));
      state().logouts.should.equal(1);
      state().sessionCount.should.equal(0);
      c.isLoggedIn.should.be.false();
      const err = await failure(c.fetch('flows'));
      err.code.should.equal('ABORTED');
      await c.close(); // idempotent
      loginRequests('DELETE').length.should.equal(1);
    });

    it('close without a session sends no logout', async () => {
      await client().close();
      sim.requests.length.should.equal(0);
    });

    it('close does not wait long for a logout the appliance never answers', async () => {
      const c = client({ logoutTimeoutMs: 200 });
      await c.fetch('flows');
      sim.addFault({ kind: 'slow-headers', path: '/config/login', delayMs: 1000 });
      const closing = c.close();
      await until(() => loginRequests('DELETE').length === 1);
      clock.timers.countTimers().should.equal(1); // the logout's deadline
      clock.timers.tick(200);
      await closing;
      await c.http.request({ path: '/' }).should.be.rejectedWith({ code: 'ABORTED' }); // the client is closed
      state().logouts.should.equal(0); // closed before the appliance answered
    });
  });

  describe('monitor requests', () => {
    it('reads each envelope: bare array, {"flows":[...]}, doubly nested', async () => {
      const c = client();
      for (const env of ['bare', 'keyed', 'nested'] as const) {
        state().envelope = env;
        for (const resource of ['flows', 'ilbflows'] as const) {
          const r = await c.fetch(resource, { maxStats: 50 });
          r.envelope.should.equal(env);
          r.records.length.should.be.above(0);
          r.invalid.should.be.empty();
          r.records[0]!.should.have.property('age');
        }
      }
      state().envelope = 'rotate';
      const seen = [];
      for (let i = 0; i < 3; i++) seen.push((await c.fetch('flows')).envelope);
      seen.sort().should.eql(['bare', 'keyed', 'nested']);
    });

    it('flows carry every documented field as a string, matching the simulated traffic', async () => {
      const s2 = await startSimulator({ vendors: ['citrix-sdwan'], now: () => clock.now(), credentials: { sdwanUsername: USERNAME, sdwanPassword: PASSWORD } });
      try {
        const c = client({ host: s2.url });
        const active = sdwanSim(s2).activeFlows();
        const r = await c.fetch('flows', { maxStats: 1000 });
        r.records.length.should.equal(Math.min(1000, active.length));
        r.fetchedAt.should.equal(PINNED_NOW); // the client's clock, not the wall clock
        for (const rec of r.records) {
          Object.keys(rec).sort().should.eql([...SDWAN_FLOW_FIELDS].sort());
          for (const v of Object.values(rec)) (typeof v).should.equal('string');
          ['LAN to WAN', 'WAN to LAN'].should.containEql(rec.direction);
          Number(rec.age).should.be.aboveOrEqual(0);
        }
        // Youngest first, as the simulator renders them.
        const ages = r.records.map((x) => Number(x.age));
        ages.should.eql([...ages].sort((a, b) => a - b));
        const ilb = await c.fetch('ilbflows');
        for (const rec of ilb.records) Object.keys(rec).sort().should.eql([...SDWAN_ILB_FIELDS].sort());
        ilb.records.reduce((n, x) => n + Number(x.flowcount), 0).should.be.above(0);
      } finally {
        await Promise.all(clients.splice(0).map((x) => x.close()));
        await s2.close();
      }
    });

    it('max_stats caps the answer, the default applies without it', async () => {
      const c = client();
      const active = state().activeFlows().length;
      active.should.be.above(100); // otherwise the caps prove nothing
      (await c.fetch('flows', { maxStats: 50 })).records.length.should.equal(50);
      (await c.fetch('flows', { maxStats: 100 })).records.length.should.equal(100);
      (await c.fetch('flows')).records.length.should.equal(SDWAN_DEFAULT_MAX_STATS);
      (await c.fetch('flows', { maxStats: 1000 })).records.length.should.equal(Math.min(1000, active));
      monitorRequests().map((q) => q.rawQuery).should.eql(['filter=max_stats%3A50', 'filter=max_stats%3A100', '', 'filter=max_stats%3A1000']);
    });

    it('encodes the filter (":" ";" and spaces) and the appliance applies it', async () => {
      const c = client();
      const r = await c.fetch('flows', { filter: [['direction', 'LAN to WAN'], ['ipp', '17'], ['page_no', '1']], maxStats: 1000 });
      monitorRequests()[0]!.rawQuery.should.equal('filter=direction%3ALAN%20to%20WAN%3Bipp%3A17%3Bpage_no%3A1%3Bmax_stats%3A1000');
      monitorRequests()[0]!.query.get('filter')!.should.equal('direction:LAN to WAN;ipp:17;page_no:1;max_stats:1000');
      r.filter!.should.equal('direction:LAN to WAN;ipp:17;page_no:1;max_stats:1000');
      r.records.length.should.be.above(0);
      r.records.forEach((x) => {
        x.direction!.should.equal('LAN to WAN');
        x.ipp!.should.equal('17');
      });
      const lan = r.records[0]!.src_ip as string;
      const ilb = await c.fetch('ilbflows', { filter: [['lanip', lan]] });
      ilb.records.length.should.be.above(0);
      ilb.records.forEach((x) => x.lanip!.should.equal(lan));
    });

    it('uses /sdwan/nitro/v1/monitor/ for older firmware; the login stays at v1/config', async () => {
      const c = client({ apiVersion: 'v1' });
      (await c.fetch('ilbflows')).records.length.should.be.above(0);
      monitorRequests()[0]!.path.should.equal('/sdwan/nitro/v1/monitor/ilbflows');
      loginRequests('POST').length.should.equal(1);
      c.monitorPath('flows').should.equal('/sdwan/nitro/v1/monitor/flows');
      client().monitorPath('flows').should.equal('/sdwan/nitro/v2/monitor/flows');
    });

    it('reports a malformed record and delivers the rest', async () => {
      const c = client();
      state().malformNext('wrong-type');
      const r = await c.fetch('flows', { maxStats: 50 });
      r.records.length.should.equal(50); // 51 sent, one bad
      r.invalid.should.eql([{ index: 1, reason: 'field "bytes": expected a string, got boolean' }]);
      state().malformNext('not-object', 1, 0);
      const i = await c.fetch('ilbflows');
      i.invalid.should.eql([{ index: 0, reason: 'expected an object, got string' }]);
      i.records.length.should.be.above(0);
    });

    it('an unknown response shape is BAD_RESPONSE', async () => {
      sim.addFault({ kind: 'status', status: 200, path: '/monitor/flows', body: '{"result":"ok"}' });
      const err = await failure(client().fetch('flows'));
      err.code.should.equal('BAD_RESPONSE');
      err.message.should.match(/GET \/sdwan\/nitro\/v2\/monitor\/flows: expected an array of flows records/);
    });
  });

  describe('errors', () => {
    it('each documented status gives a coded error carrying errorcode and errormessage', async () => {
      const expected: Record<number, string> = { 400: 'HTTP_4XX', 403: 'AUTH', 405: 'HTTP_4XX', 415: 'HTTP_4XX', 500: 'HTTP_5XX' };
      const c = client();
      for (const [status, code] of Object.entries(expected)) {
        sim.clearLog();
        const body = JSON.stringify({ errorcode: 7000 + Number(status), errormessage: `simulated failure ${status}` });
        sim.addFault({ kind: 'status', status: Number(status), path: '/monitor/flows', body });
        const err = await failure(c.fetch('flows'));
        err.code.should.equal(code);
        err.status!.should.equal(Number(status));
        err.vendorCode!.should.equal(7000 + Number(status));
        err.vendorMessage!.should.equal(`simulated failure ${status}`);
        err.message.should.equal(`GET /sdwan/nitro/v2/monitor/flows: HTTP ${status} (${7000 + Number(status)}: simulated failure ${status})`);
        monitorRequests().length.should.equal(1); // none of these is retried, 403 causes no re-login
      }
      state().logins.should.equal(1);
    });

    it("the appliance's own 400 for a bad max_stats arrives as HTTP_4XX with its errorcode", async () => {
      const err = await failure(client().fetch('flows', { filter: [['max_stats', '75']] }));
      err.code.should.equal('HTTP_4XX');
      err.status!.should.equal(400);
      err.vendorCode!.should.equal(1097);
      err.message.should.match(/max_stats must be 50, 100 or 1000/);
    });

    it('a refused login carries errorcode/errormessage whichever resource asked for it', async () => {
      const c = client({ password: 'not-the-password' });
      const err = await failure(c.fetch('ilbflows'));
      err.message.should.match(/401 \(354: Invalid username or password\)/);
    });

    it('scrubs credentials and session cookies that an appliance echoes into an error', async () => {
      const c = client();
      await c.fetch('flows');
      const cookie = String(monitorRequests()[0]!.headers.cookie);
      const sid = cookie.split(';')[0]!.split('=')[1]!;
      sim.addFault({ kind: 'status', status: 500, path: '/monitor/', body: JSON.stringify({ errorcode: 1, errormessage: `debug: user ${USERNAME} pass ${PASSWORD} sid ${sid}` }) });
      const err = await failure(c.fetch('flows'));
      err.code.should.equal('HTTP_5XX');
      for (const secret of [USERNAME, PASSWORD, sid]) {
        err.message.should.not.containEql(secret);
        err.vendorMessage!.should.not.containEql(secret);
      }
      err.message.should.match(/debug: user \*\*\* pass \*\*\* sid \*\*\*/);
    });

    it('requires username and password', () => {
      (() => new SdwanClient({ host: sim.url, username: '', password: 'x' })).should.throw(/^username: /);
      (() => new SdwanClient({ host: sim.url, username: 'x', password: '' })).should.throw(/^password: /);
      (() => new SdwanClient({ host: sim.url, username: 'x', password: 'y', apiVersion: 'v9' as 'v1' })).should.throw(/^apiVersion: /);
    });
  });
});
