/**
 * Every vendor client's close() finishes within a fixed bound when the appliance stops
 * answering: the logout is given LOGOUT_TIMEOUT_MS (driven here by fake timers, not the wall
 * clock), then the pool is destroyed, which aborts the logout request and closes every socket.
 */
import 'should';
import FakeTimers from '@sinonjs/fake-timers';
import { LOGOUT_TIMEOUT_MS } from '../../../nodes/lib/http/deadline';
import { FlowGatewayClient, IMPORT_STATS_PATH } from '../../../nodes/lib/vendors/riverbed-flowgateway';
import { SdwanClient } from '../../../nodes/lib/vendors/citrix-sdwan';
import { FirewallaClient } from '../../../nodes/lib/vendors/firewalla';
import { DEMO_CREDENTIALS, startSimulator, type Simulator } from '../../../simulator/server';

/** Lets real I/O and promise callbacks run (setImmediate is not faked) until `cond` holds. */
async function spinUntil(cond: () => boolean, turns = 20_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (cond()) return;
    await new Promise<void>((r) => setImmediate(r));
  }
  throw new Error('condition not reached');
}

async function spin(turns = 200): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}

describe('lib: close() is bounded when the appliance stops answering', () => {
  let sim: Simulator;
  let clock: ReturnType<typeof FakeTimers.install> | undefined;

  before(async () => {
    sim = await startSimulator();
  });
  after(async () => {
    await sim.close();
  });
  beforeEach(() => {
    sim.clearFaults();
    sim.clearLog();
  });
  afterEach(() => {
    clock?.uninstall();
    clock = undefined;
  });

  /** Starts close() with a logout that hangs; checks it ends exactly at the bound, sockets gone. */
  async function boundedClose(close: () => Promise<void>, logoutPath: string): Promise<void> {
    sim.addFault({ kind: 'hang', path: logoutPath });
    clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout'], shouldClearNativeTimers: true });
    let closed = false;
    void close().then(() => (closed = true));
    await spinUntil(() => sim.hanging === 1);
    sim.requestsTo(logoutPath).length.should.be.above(0);
    clock.tick(LOGOUT_TIMEOUT_MS - 1);
    await spin();
    closed.should.be.false('close() must wait for the logout until the bound');
    sim.hanging.should.equal(1);
    clock.tick(1);
    await spinUntil(() => closed);
    // The logout request was aborted and the pool destroyed: the appliance sees no socket left.
    await spinUntil(() => sim.hanging === 0 && sim.openConnections === 0);
  }

  it('FlowGateway (session): logout bounded at LOGOUT_TIMEOUT_MS, then every socket closed', async () => {
    const c = new FlowGatewayClient({
      host: sim.url,
      authMethod: 'session',
      credentials: { username: DEMO_CREDENTIALS.flowgatewayUsername, password: DEMO_CREDENTIALS.flowgatewayPassword },
    });
    await c.importStats([{ stats_type: 'flows_per_minute', interval_type: 'minutes', time_interval: 5, source_ip: '' }]);
    (c.counters.logins + c.counters.tokenGrants).should.equal(1); // signed in before the close
    sim.openConnections.should.be.above(0);
    await boundedClose(() => c.close(), '/api/common/1.0/logout');
    c.counters.logouts.should.equal(0);
    await c.http.request({ path: '/' }).should.be.rejectedWith({ code: 'ABORTED' }); // the client is closed
    sim.requestsTo(IMPORT_STATS_PATH).length.should.equal(1);
  });

  it('Citrix SD-WAN: logout bounded the same way', async () => {
    const c = new SdwanClient({ host: sim.url, username: DEMO_CREDENTIALS.sdwanUsername, password: DEMO_CREDENTIALS.sdwanPassword });
    await c.fetch('flows', { maxStats: 50 });
    c.isLoggedIn.should.be.true();
    await boundedClose(() => c.close(), '/sdwan/nitro/v1/config/login');
    sim.requestsTo('/sdwan/nitro/v1/config/login').map((r) => r.method).should.eql(['POST', 'DELETE']);
  });

  it('Firewalla: close() aborts a request the MSP never answers, at once', async () => {
    const c = new FirewallaClient({ host: sim.url, token: DEMO_CREDENTIALS.firewallaToken });
    sim.addFault({ kind: 'hang', path: '/v2/flows' });
    const page = c.page({ limit: 10 }).then(
      () => 'answered',
      (err: { code?: string }) => err.code,
    );
    await spinUntil(() => sim.hanging === 1);
    await c.close();
    (await page)!.should.equal('ABORTED');
    await spinUntil(() => sim.hanging === 0 && sim.openConnections === 0);
  });
});
