import 'should';
import { FlowError } from '../../../nodes/lib/errors';
import {
  FlowGatewayClient,
  IMPORT_STATS_PATH,
  buildStatsRequest,
  describeError,
  testConnection,
  type FlowGatewayClientOptions,
  type StatsRequestItem,
} from '../../../nodes/lib/vendors/riverbed-flowgateway';
import { DEMO_CREDENTIALS, startSimulator, type Simulator, type SimulatorOptions } from '../../../simulator/server';
import { flowgatewayState, type FlowGatewaySimOptions } from '../../../simulator/riverbed-flowgateway';
import { fakeClock, type FakeClock } from '../../support/clock';

const USER = DEMO_CREDENTIALS.flowgatewayUsername;
const PASSWORD = DEMO_CREDENTIALS.flowgatewayPassword;
const CODE = DEMO_CREDENTIALS.flowgatewayAccessCode;
const SECRETS = [PASSWORD, CODE, Buffer.from(`${USER}:${PASSWORD}`).toString('base64'), encodeURIComponent(CODE)];

const LAST_5_MIN: StatsRequestItem[] = [{ stats_type: 'flows_per_minute', interval_type: 'minutes', time_interval: 5, source_ip: '' }];

async function failure(p: Promise<unknown>): Promise<FlowError> {
  try {
    await p;
  } catch (err) {
    (err as Error).should.be.instanceOf(FlowError);
    return err as FlowError;
  }
  throw new Error('expected the call to fail');
}

function assertNoSecrets(text: string, extra: string[] = []): void {
  for (const s of [...SECRETS, ...extra]) text.includes(s).should.be.false(`secret leaked into: ${text}`);
}

function errorId(id: string, text = 'simulated'): string {
  return JSON.stringify({ error_id: id, error_text: text });
}


describe('lib/riverbed-flowgateway client (against the simulator over real HTTP)', () => {
  let sim: Simulator;
  let simOpts: SimulatorOptions & FlowGatewaySimOptions;
  // The device and the clients share a clock that stands still unless a test moves it.
  let clock: FakeClock;
  const clients: FlowGatewayClient[] = [];

  function client(o: Partial<FlowGatewayClientOptions> = {}): FlowGatewayClient {
    const c = new FlowGatewayClient({
      host: sim.url,
      authMethod: 'basic',
      credentials: { username: USER, password: PASSWORD, accessCode: CODE },
      timeoutMs: 3000,
      clock,
      ...o,
    });
    clients.push(c);
    return c;
  }

  beforeEach(async () => {
    clock = fakeClock();
    simOpts = { vendors: ['riverbed-flowgateway'], seed: 7, now: () => clock.now() };
    sim = await startSimulator(simOpts);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await sim.close();
  });

  describe('Basic', () => {
    it('sends the stats request as a GET with a JSON array body and a Basic header, no login', async () => {
      const { body } = buildStatsRequest({ template: 'A', statsType: 'flows_per_minute', intervalType: 'minutes', timeInterval: 5, sourceIp: '' });
      const res = await client().importStats(body);
      res.records.length.should.be.above(0);
      res.invalid.should.eql([]);
      res.envelope.should.equal('bare');
      const [req, ...rest] = sim.requestsTo(IMPORT_STATS_PATH);
      rest.should.be.empty();
      req!.method.should.equal('GET');
      req!.headers['content-type']!.should.equal('application/json');
      JSON.parse(req!.body).should.eql([{ stats_type: 'flows_per_minute', interval_type: 'minutes', time_interval: 5, source_ip: '' }]);
      req!.headers.authorization!.should.equal(`Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`);
      sim.requestsTo('/login').should.be.empty();
      sim.requestsTo('/oauth').should.be.empty();
    });

    it('a wrong password is AUTH with AUTH_INVALID_CREDENTIALS, asked once (nothing to renew), password never in the text', async () => {
      const e = await failure(client({ credentials: { username: USER, password: 'wrong-password-123' } }).importStats(LAST_5_MIN));
      e.code.should.equal('AUTH');
      e.status!.should.equal(401);
      e.vendorCode!.should.equal('AUTH_INVALID_CREDENTIALS');
      e.message.should.match(/AUTH_INVALID_CREDENTIALS: Invalid username and\/or password/);
      assertNoSecrets(e.message, ['wrong-password-123']);
      sim.requestsTo(IMPORT_STATS_PATH).length.should.equal(1);
    });

    it('accepts the {"DisplayStats": [...]} envelope', async () => {
      simOpts.flowgatewayEnvelope = 'DisplayStats';
      const res = await client().importStats(LAST_5_MIN);
      res.envelope.should.equal('DisplayStats');
      res.records.length.should.be.above(0);
    });
  });

  describe('session', () => {
    it('logs in once for many concurrent requests (single flight), then sends the cookie', async () => {
      const c = client({ authMethod: 'session' });
      const results = await Promise.all(Array.from({ length: 6 }, () => c.importStats(LAST_5_MIN)));
      results.every((r) => r.records.length > 0).should.be.true();
      flowgatewayState(sim).logins.should.equal(1);
      c.counters.logins.should.equal(1);
      const login = sim.requestsTo('/api/common/1.0/login')[0]!;
      login.method.should.equal('POST');
      JSON.parse(login.body).should.have.properties({ username: USER, password: PASSWORD });
      const sid = [...flowgatewayState(sim).sessions.keys()][0]!;
      for (const r of sim.requestsTo(IMPORT_STATS_PATH)) {
        r.headers.cookie!.should.equal(`SESSID=${sid}`);
        (r.headers.authorization === undefined).should.be.true();
      }
    });

    it('logs in again after the device drops the session (AUTH_INVALID_SESSION) and retries once', async () => {
      const c = client({ authMethod: 'session' });
      await c.importStats(LAST_5_MIN);
      sim.expireSessions();
      const res = await c.importStats(LAST_5_MIN);
      res.records.length.should.be.above(0);
      flowgatewayState(sim).logins.should.equal(2);
      c.counters.reauthentications.should.equal(1);
      const statuses = sim.requestsTo(IMPORT_STATS_PATH).map((r) => r.headers.cookie);
      statuses.length.should.equal(3);
      statuses[1]!.should.equal(statuses[0]);
      statuses[2]!.should.not.equal(statuses[1]);
    });

    it('never loops: a second AUTH_INVALID_SESSION after the re-login is thrown', async () => {
      const c = client({ authMethod: 'session' });
      await c.importStats(LAST_5_MIN);
      sim.addFault({ kind: 'status', path: IMPORT_STATS_PATH, status: 401, body: errorId('AUTH_INVALID_SESSION', 'Session ID is invalid'), times: 5 });
      const e = await failure(c.importStats(LAST_5_MIN));
      e.code.should.equal('AUTH');
      e.vendorCode!.should.equal('AUTH_INVALID_SESSION');
      sim.requestsTo(IMPORT_STATS_PATH).length.should.equal(3); // 1 ok + the failing one + one retry
      flowgatewayState(sim).logins.should.equal(2);
    });

    it('never loops: a re-login refused with AUTH_INVALID_CREDENTIALS is thrown', async () => {
      const c = client({ authMethod: 'session' });
      await c.importStats(LAST_5_MIN);
      simOpts.flowgatewayAccounts = { [USER]: { password: 'changed-on-the-device' } };
      sim.expireSessions();
      const e = await failure(c.importStats(LAST_5_MIN));
      e.vendorCode!.should.equal('AUTH_INVALID_CREDENTIALS');
      e.message.should.startWith('POST /api/common/1.0/login: HTTP 401 (AUTH_INVALID_CREDENTIALS');
      sim.requestsTo('/api/common/1.0/login').length.should.equal(2);
      flowgatewayState(sim).failedLogins.should.equal(1);
      assertNoSecrets(e.message);
    });

    it('logs out on close, and nothing is sent afterwards', async () => {
      const c = client({ authMethod: 'session' });
      await c.importStats(LAST_5_MIN);
      flowgatewayState(sim).sessions.size.should.equal(1);
      await c.close();
      flowgatewayState(sim).logouts.should.equal(1);
      flowgatewayState(sim).sessions.size.should.equal(0);
      const logout = sim.requestsTo('/api/common/1.0/logout')[0]!;
      logout.method.should.equal('POST');
      logout.headers.cookie!.should.match(/^SESSID=[0-9a-f]{64}$/);
      const before = sim.requests.length;
      const e = await failure(c.importStats(LAST_5_MIN));
      e.code.should.equal('ABORTED');
      sim.requests.length.should.equal(before);
    });

    it('a client that never logged in closes without a logout', async () => {
      const c = client({ authMethod: 'session' });
      await c.close();
      sim.requestsTo('/logout').should.be.empty();
    });
  });

  describe('OAuth 2.0', () => {
    it('grants one token for concurrent requests with the form-encoded access code, then sends Bearer', async () => {
      const c = client({ authMethod: 'oauth', credentials: { accessCode: CODE } });
      await Promise.all(Array.from({ length: 5 }, () => c.importStats(LAST_5_MIN)));
      flowgatewayState(sim).tokenGrants.should.equal(1);
      const grant = sim.requestsTo('/api/common/1.0/oauth/token')[0]!;
      grant.method.should.equal('POST');
      grant.headers['content-type']!.should.equal('application/x-www-form-urlencoded');
      Object.fromEntries(new URLSearchParams(grant.body)).should.eql({ grant_type: 'access_code', assertion: CODE });
      const token = [...flowgatewayState(sim).tokens.keys()][0]!;
      for (const r of sim.requestsTo(IMPORT_STATS_PATH)) r.headers.authorization!.should.equal(`Bearer ${token}`);
    });

    it('renews the token before expires_in runs out (1 s tokens), without a 401', async () => {
      simOpts.flowgatewayTokenLifetime = 1;
      const c = client({ authMethod: 'oauth', credentials: { accessCode: CODE } });
      await c.importStats(LAST_5_MIN);
      clock.timers.tick(950); // past 90 % of the lifetime, before expiry
      await c.importStats(LAST_5_MIN);
      flowgatewayState(sim).tokenGrants.should.equal(2);
      c.counters.reauthentications.should.equal(0);
      const auths = sim.requestsTo(IMPORT_STATS_PATH).map((r) => r.headers.authorization);
      auths.length.should.equal(2);
      auths[0]!.should.not.equal(auths[1]);
    });

    it('renews at 60 s before expiry for long tokens, not earlier', async () => {
      simOpts.flowgatewayTokenLifetime = 3600;
      const c = client({ authMethod: 'oauth', credentials: { accessCode: CODE } });
      await c.importStats(LAST_5_MIN);
      clock.timers.tick(3539_000);
      await c.importStats(LAST_5_MIN);
      flowgatewayState(sim).tokenGrants.should.equal(1);
      clock.timers.tick(2_000); // 59 s left
      await c.importStats(LAST_5_MIN);
      flowgatewayState(sim).tokenGrants.should.equal(2);
    });

    it('renews on 401 AUTH_EXPIRED_TOKEN and retries once', async () => {
      const c = client({ authMethod: 'oauth', credentials: { accessCode: CODE } });
      await c.importStats(LAST_5_MIN);
      sim.expireSessions();
      const res = await c.importStats(LAST_5_MIN);
      res.records.length.should.be.above(0);
      flowgatewayState(sim).tokenGrants.should.equal(2);
      c.counters.reauthentications.should.equal(1);
      sim.requestsTo(IMPORT_STATS_PATH).length.should.equal(3);
    });

    it('a wrong or expired access code is AUTH with AUTH_INVALID_CODE / AUTH_EXPIRED_CODE, never echoed', async () => {
      let e = await failure(client({ authMethod: 'oauth', credentials: { accessCode: 'not-the-code-xyz' } }).importStats(LAST_5_MIN));
      e.code.should.equal('AUTH');
      e.vendorCode!.should.equal('AUTH_INVALID_CODE');
      assertNoSecrets(e.message, ['not-the-code-xyz']);
      simOpts.flowgatewayAccessCodes = { 'old-access-code-123': { user: USER, expired: true } };
      e = await failure(client({ authMethod: 'oauth', credentials: { accessCode: 'old-access-code-123' } }).importStats(LAST_5_MIN));
      e.vendorCode!.should.equal('AUTH_EXPIRED_CODE');
      e.message.should.match(/HTTP 401 \(AUTH_EXPIRED_CODE: OAuth access code is expired/);
      assertNoSecrets(e.message, ['old-access-code-123']);
      sim.requestsTo(IMPORT_STATS_PATH).should.be.empty();
    });
  });

  describe('missing credentials', () => {
    it('names the missing credential', () => {
      const make = (authMethod: 'basic' | 'session' | 'oauth', credentials: Record<string, string>): FlowError => {
        try {
          client({ authMethod, credentials });
        } catch (err) {
          return err as FlowError;
        }
        throw new Error('expected a failure');
      };
      make('basic', { password: 'x' }).field!.should.equal('username');
      make('session', { username: 'x' }).field!.should.equal('password');
      make('oauth', { username: 'x', password: 'y' }).field!.should.equal('accessCode');
      make('oauth', {}).code.should.equal('BAD_INPUT');
      (make('digest' as 'basic', {}).message).should.match(/^authMethod: expected basic, session or oauth/);
    });
  });

  describe('every documented error id becomes a coded error carrying the id', () => {
    type Case = { id: string; status: number; code: string; run: (sim: Simulator) => Promise<unknown> };
    const bogus = (headers: Record<string, string>) => (s: Simulator) => {
      const c = client({ host: s.url });
      return c.http.request({ method: 'GET', path: IMPORT_STATS_PATH, json: LAST_5_MIN, headers });
    };
    const cases: Case[] = [
      { id: 'AUTH_REQUIRED', status: 401, code: 'AUTH', run: bogus({}) },
      { id: 'AUTH_INVALID_CREDENTIALS', status: 401, code: 'AUTH', run: () => client({ credentials: { username: USER, password: 'nope-nope' } }).importStats(LAST_5_MIN) },
      { id: 'AUTH_INVALID_SESSION', status: 401, code: 'AUTH', run: bogus({ cookie: 'SESSID=deadbeef' }) },
      { id: 'AUTH_INVALID_TOKEN', status: 401, code: 'AUTH', run: bogus({ authorization: 'Bearer forged-token' }) },
      {
        id: 'AUTH_EXPIRED_TOKEN', status: 401, code: 'AUTH',
        run: async (s) => {
          s.addFault({ kind: 'status', path: IMPORT_STATS_PATH, status: 401, body: errorId('AUTH_EXPIRED_TOKEN', 'OAuth access token is expired.'), times: 2 });
          return client({ authMethod: 'oauth' }).importStats(LAST_5_MIN);
        },
      },
      { id: 'AUTH_INVALID_CODE', status: 401, code: 'AUTH', run: () => client({ authMethod: 'oauth', credentials: { accessCode: 'wrong-code' } }).importStats(LAST_5_MIN) },
      {
        id: 'AUTH_EXPIRED_CODE', status: 401, code: 'AUTH',
        run: () => {
          simOpts.flowgatewayAccessCodes = { 'stale-code': { user: USER, expired: true } };
          return client({ authMethod: 'oauth', credentials: { accessCode: 'stale-code' } }).importStats(LAST_5_MIN);
        },
      },
      {
        id: 'AUTH_EXPIRED_PASSWORD', status: 403, code: 'AUTH',
        run: () => {
          simOpts.flowgatewayAccounts = { ops: { password: 'ops-password', state: 'expired-password' } };
          return client({ authMethod: 'session', credentials: { username: 'ops', password: 'ops-password' } }).importStats(LAST_5_MIN);
        },
      },
      {
        id: 'AUTH_DISABLED_ACCOUNT', status: 403, code: 'AUTH',
        run: () => {
          simOpts.flowgatewayAccounts = { ops: { password: 'ops-password', state: 'disabled' } };
          return client({ credentials: { username: 'ops', password: 'ops-password' } }).importStats(LAST_5_MIN);
        },
      },
      {
        id: 'AUTH_FORBIDDEN', status: 403, code: 'AUTH',
        run: () => {
          simOpts.flowgatewayAccounts = { viewer: { password: 'viewer-password', state: 'no-analytics' } };
          return client({ credentials: { username: 'viewer', password: 'viewer-password' } }).importStats(LAST_5_MIN);
        },
      },
      { id: 'BAD_REQUEST', status: 400, code: 'HTTP_4XX', run: () => client().authedRequest({ method: 'GET', path: IMPORT_STATS_PATH, form: { not: 'json' } }) },
      { id: 'HTTP_INVALID_HEADER', status: 400, code: 'HTTP_4XX', run: bogus({ authorization: 'Token abc' }) },
      {
        id: 'REQUEST_INVALID_INPUT', status: 400, code: 'HTTP_4XX',
        run: () => client().importStats([{ stats_type: 'flows_per_minute', interval_type: 'minutes', time_interval: '60', source_ip: '' } as unknown as StatsRequestItem]),
      },
      { id: 'URI_INVALID_PARAMETER', status: 400, code: 'HTTP_4XX', run: () => client().authedRequest({ method: 'GET', path: IMPORT_STATS_PATH, query: { verbose: 1 }, json: LAST_5_MIN }) },
      { id: 'URI_MISSING_PARAMETER', status: 400, code: 'HTTP_4XX', run: () => client().http.request({ method: 'POST', path: '/api/common/1.0/oauth/token', form: { grant_type: 'access_code' } }) },
      { id: 'RESOURCE_NOT_FOUND', status: 404, code: 'HTTP_4XX', run: () => client().authedRequest({ path: '/api/mgmt.flowgateway_analytics/1.0/export_stats' }) },
      { id: 'HTTP_INVALID_METHOD', status: 405, code: 'HTTP_4XX', run: () => client().authedRequest({ method: 'POST', path: IMPORT_STATS_PATH, json: LAST_5_MIN }) },
      {
        id: 'INTERNAL_ERROR', status: 500, code: 'HTTP_5XX',
        run: (s) => {
          s.addFault({ kind: 'status', path: IMPORT_STATS_PATH, status: 500, body: JSON.stringify({ error_id: 'INTERNAL_ERROR', error_text: 'Internal error.', error_info: { component: 'analytics' } }) });
          return client().importStats(LAST_5_MIN);
        },
      },
    ];
    for (const c of cases) {
      it(`${c.id} -> ${c.status} ${c.code}`, async () => {
        const e = await failure(c.run(sim));
        e.code.should.equal(c.code);
        e.status!.should.equal(c.status);
        e.vendorCode!.should.equal(c.id);
        e.message.should.containEql(`HTTP ${c.status} (${c.id}`);
        (e.vendorMessage ?? '').length.should.be.above(0);
        assertNoSecrets(e.message);
        assertNoSecrets(JSON.stringify(e.toJSON()));
      });
    }

    it('error_info is kept in the vendor text', async () => {
      sim.addFault({ kind: 'status', path: IMPORT_STATS_PATH, status: 500, body: JSON.stringify({ error_id: 'INTERNAL_ERROR', error_text: 'Internal error.', error_info: { component: 'analytics' } }) });
      const e = await failure(client().importStats(LAST_5_MIN));
      e.vendorMessage!.should.equal('Internal error. [{"component":"analytics"}]');
    });

    it('REQUEST_INVALID_INPUT names the offending field of the body', async () => {
      const e = await failure(client().importStats([{ stats_type: 'flows_per_minute', start_time: 1702584000, end_time: 1702580400, source_ip: '' }]));
      e.vendorMessage!.should.match(/end_time: must be after start_time/);
    });

    it('describeError ignores bodies that are not Common API errors', () => {
      (describeError({ message: 'x' }) === undefined).should.be.true();
      describeError({ error_id: 'AUTH_REQUIRED' })!.should.eql({ vendorCode: 'AUTH_REQUIRED', vendorMessage: undefined });
    });
  });

  describe('responses', () => {
    it('reports and skips a bad record, delivering the rest', async () => {
      const rows = [
        { time: '2024-01-08 22:11:00+00:00', source_ip: '10.1.1.1', n_flows: 154, n_bytes: 8448, n_bad_bytes: 0, n_packets: 20, n_bad_packets: 0, peak_n_flows: '60', peak_n_bytes: '3088', peak_n_packets: '4', extra_field: 'kept' },
        { time: '2024-01-08 22:11:00+00:00', source_ip: '10.1.1.2', n_flows: 'many', n_bytes: 1, n_packets: 1 },
        { time: '2024-01-08 22:11:00+00:00', source_ip: '10.1.1.3', n_flows: 1, n_bytes: 1, n_packets: 1 },
      ];
      sim.addFault({ kind: 'status', path: IMPORT_STATS_PATH, status: 200, body: JSON.stringify({ DisplayStats: rows }) });
      const res = await client().importStats(LAST_5_MIN);
      res.records.map((r) => r.source_ip).should.eql(['10.1.1.1', '10.1.1.3']);
      res.records[0]!.should.have.property('extra_field', 'kept');
      res.records[0]!.peak_n_flows!.should.equal('60');
      res.invalid.should.have.length(1);
      res.invalid[0]!.index.should.equal(1);
      res.invalid[0]!.reason.should.match(/^n_flows: /);
    });

    it('an answer that is neither an array nor DisplayStats is BAD_RESPONSE', async () => {
      sim.addFault({ kind: 'status', path: IMPORT_STATS_PATH, status: 200, body: JSON.stringify({ rows: [] }) });
      const e = await failure(client().importStats(LAST_5_MIN));
      e.code.should.equal('BAD_RESPONSE');
      e.message.should.match(/expected an array of stats or \{"DisplayStats": \[\.\.\.\]\}, got an object with keys rows/);
    });
  });

  describe('testConnection', () => {
    for (const authMethod of ['basic', 'session', 'oauth'] as const) {
      it(`${authMethod}: lists the supported methods, authenticates, and cleans up`, async () => {
        const msg = await testConnection({ host: sim.url, authMethod, credentials: { username: USER, password: PASSWORD, accessCode: CODE } });
        msg.should.match(/supports BASIC, COOKIE, OAUTH_2_0/);
        msg.should.match(/import_stats answered \d+ record/);
        assertNoSecrets(msg);
        sim.requestsTo('/api/common/1.0/auth_info').length.should.equal(1);
        if (authMethod === 'session') flowgatewayState(sim).logouts.should.equal(1);
      });
    }

    it('says when the device does not offer the chosen method', async () => {
      simOpts.flowgatewayMethods = ['BASIC'];
      const e = await failure(testConnection({ host: sim.url, authMethod: 'oauth', credentials: { accessCode: CODE } }));
      e.code.should.equal('AUTH');
      e.message.should.match(/supports BASIC, not OAUTH_2_0/);
      sim.requestsTo('/oauth/token').should.be.empty();
    });
  });
});
