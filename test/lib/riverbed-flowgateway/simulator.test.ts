import 'should';
import { request } from 'undici';
import { DEMO_CREDENTIALS, startSimulator, type Simulator, type SimulatorOptions } from '../../../simulator/server';
import { IMPORT_STATS, flowgatewayState, formatTime, type FlowGatewaySimOptions } from '../../../simulator/riverbed-flowgateway';
import { flowEndpoints } from '../../../simulator/traffic';

const BASIC = `Basic ${Buffer.from(`${DEMO_CREDENTIALS.flowgatewayUsername}:${DEMO_CREDENTIALS.flowgatewayPassword}`).toString('base64')}`;
const NOW = Date.UTC(2024, 0, 8, 22, 30, 0);

interface Row {
  time: string;
  source_ip: string;
  n_flows: number;
  n_bytes: number;
  n_bad_bytes: number;
  n_packets: number;
  n_bad_packets: number;
  peak_n_flows: string;
  peak_n_bytes: string;
  peak_n_packets: string;
}

describe('simulator: riverbed-flowgateway', () => {
  let sim: Simulator;
  let opts: SimulatorOptions & FlowGatewaySimOptions;

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = { authorization: BASIC }): Promise<{ status: number; body: unknown; headers: Record<string, unknown> }> {
    const res = await request(`${sim.url}${path}`, {
      method: method as 'GET',
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.body.text();
    return { status: res.statusCode, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  }
  const stats = (body: unknown) => call('GET', IMPORT_STATS, body);

  before(async () => {
    opts = { vendors: ['riverbed-flowgateway'], seed: 11, now: () => NOW };
    sim = await startSimulator(opts);
  });
  after(async () => sim.close());
  beforeEach(() => {
    delete opts.flowgatewayEnvelope;
  });

  it('auth_info lists the methods with the documented fields', async () => {
    const r = await call('GET', '/api/common/1.0/auth_info', undefined, {});
    r.status.should.equal(200);
    r.body!.should.have.properties({ supported_methods: ['BASIC', 'COOKIE', 'OAUTH_2_0'], specify_purpose: false });
    (r.body as { login_banner: string }).login_banner.should.be.a.String();
  });

  it('login answers session_key/session_id and Set-Cookie; the cookie works; logout by GET answers 204', async () => {
    const r = await call('POST', '/api/common/1.0/login', { username: 'admin', password: DEMO_CREDENTIALS.flowgatewayPassword, purpose: 'test' }, {});
    r.status.should.equal(200);
    const { session_key, session_id } = r.body as { session_key: string; session_id: string };
    session_key.should.equal('SESSID');
    String(r.headers['set-cookie']).should.startWith(`SESSID=${session_id};`);
    const cookie = { cookie: `${session_key}=${session_id}` };
    (await call('GET', IMPORT_STATS, [{ stats_type: 'flows_per_minute', interval_type: 'minutes', time_interval: 1, source_ip: '' }], cookie)).status.should.equal(200);
    (await call('GET', '/api/common/1.0/logout', undefined, cookie)).status.should.equal(204);
    const after = await call('GET', IMPORT_STATS, [{ stats_type: 'flows_per_minute', interval_type: 'minutes', time_interval: 1, source_ip: '' }], cookie);
    after.status.should.equal(401);
    after.body!.should.have.property('error_id', 'AUTH_INVALID_SESSION');
  });

  it('counts token grants and answers the documented token shape', async () => {
    const before = flowgatewayState(sim).tokenGrants;
    const res = await request(`${sim.url}/api/common/1.0/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=access_code&assertion=${DEMO_CREDENTIALS.flowgatewayAccessCode}&state=abc`,
    });
    const body = (await res.body.json()) as Record<string, unknown>;
    res.statusCode.should.equal(200);
    body.should.have.properties({ token_type: 'bearer', expires_in: 3600, state: 'abc' });
    flowgatewayState(sim).tokenGrants.should.equal(before + 1);
  });

  describe('strict validation (400 REQUEST_INVALID_INPUT naming the field)', () => {
    const A = { stats_type: 'flows_per_minute', interval_type: 'minutes', time_interval: 60, source_ip: '' };
    const C = { stats_type: 'flows_per_minute', start_time: 1704751200, end_time: 1704754800, source_ip: '' };
    const cases: Array<[string, unknown, RegExp]> = [
      ['time_interval as a string', [{ ...A, time_interval: '60' }], /\[0\]\.time_interval: expected a positive integer/],
      ['fractional time_interval', [{ ...A, time_interval: 1.5 }], /time_interval/],
      ['bad stats_type', [{ ...A, stats_type: 'flows_per_day' }], /stats_type: expected flows_per_second/],
      ['bad interval_type', [{ ...A, interval_type: 'years' }], /interval_type: expected one of/],
      ['bad source_ip', [{ ...A, source_ip: '10.1.2' }], /source_ip: expected an IPv4 or IPv6 address/],
      ['missing source_ip', [{ stats_type: 'flows_per_minute', interval_type: 'minutes', time_interval: 5 }], /source_ip: required/],
      ['unknown field', [{ ...A, start_time: 5 }], /start_time: unknown field/],
      ['end before start (C)', [{ ...C, start_time: C.end_time, end_time: C.start_time }], /end_time: must be after start_time/],
      ['end before start (B)', [{ ...C, start_time: '08/01/2024 22:00:00', end_time: '08/01/2024 21:00:00' }], /end_time: must be after start_time/],
      ['bad B date', [{ ...C, start_time: '2024-01-08 21:00:00', end_time: '08/01/2024 22:00:00' }], /start_time: expected "dd\/mm\/YYYY HH:MM:SS"/],
      ['mixed B and C', [{ ...C, start_time: '08/01/2024 21:00:00' }], /end_time: start_time and end_time must both be/],
      ['C as strings of digits', [{ ...C, start_time: '1704751200', end_time: '1704754800' }], /start_time: expected "dd\/mm/],
      ['empty array', [], /no stats requested/],
      ['too many buckets', [{ ...A, stats_type: 'flows_per_second', interval_type: 'hours', time_interval: 2 }], /time_interval: window too long for flows_per_second: at most 3600 buckets/],
      ['too many hour buckets', [{ ...A, stats_type: 'flows_per_hour', interval_type: 'months', time_interval: 1 }], /at most 48 buckets/],
    ];
    for (const [name, body, re] of cases) {
      it(name, async () => {
        const r = await stats(body);
        r.status.should.equal(400);
        (r.body as { error_id: string }).error_id.should.equal('REQUEST_INVALID_INPUT');
        (r.body as { error_text: string }).error_text.should.match(re);
      });
    }

    it('a body that is not JSON is 400 BAD_REQUEST; POST is 405', async () => {
      const r = await stats('{not json');
      r.status.should.equal(400);
      r.body!.should.have.property('error_id', 'BAD_REQUEST');
      const p = await call('POST', IMPORT_STATS, [A]);
      p.status.should.equal(405);
      p.body!.should.have.property('error_id', 'HTTP_INVALID_METHOD');
    });
  });

  describe('answers from per-source buckets of the generated traffic', () => {
    it('a single object (as the documented examples) is accepted like a one-element array', async () => {
      const one = await stats({ stats_type: 'flows_per_minute', interval_type: 'minutes', time_interval: 3, source_ip: '' });
      const arr = await stats([{ stats_type: 'flows_per_minute', interval_type: 'minutes', time_interval: 3, source_ip: '' }]);
      one.status.should.equal(200);
      one.body!.should.eql(arr.body);
      (one.body as Row[]).length.should.be.above(0);
    });

    it('per-minute rows equal the flows of the window counted per source and minute (template C)', async () => {
      const start = NOW / 1000 - 600;
      const r = await stats([{ stats_type: 'flows_per_minute', start_time: start, end_time: NOW / 1000, source_ip: '' }]);
      r.status.should.equal(200);
      const rows = r.body as Row[];
      const expected = new Map<string, number>();
      for (const f of sim.traffic.between(start * 1000, NOW)) {
        const key = `${formatTime(Math.floor(f.ts / 60_000) * 60_000)}|${flowEndpoints(f).srcIp}`;
        expected.set(key, (expected.get(key) ?? 0) + 1);
      }
      const got = new Map(rows.map((row) => [`${row.time}|${row.source_ip}`, row.n_flows]));
      got.should.eql(expected);
      for (const row of rows) {
        row.time.should.match(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:00\+00:00$/);
        Date.parse(row.time.replace(' ', 'T')).should.be.within(start * 1000, NOW - 1);
        row.peak_n_flows.should.be.a.String();
        Number(row.peak_n_flows).should.be.within(1, row.n_flows);
        Number(row.peak_n_bytes).should.be.belowOrEqual(row.n_bytes);
        row.n_bad_bytes.should.be.belowOrEqual(row.n_bytes);
        row.n_bad_packets.should.be.belowOrEqual(row.n_packets);
      }
    });

    it('granularities agree: an hour of minutes sums to the same per-source totals as the hour bucket (template B)', async () => {
      const hour = { start_time: '08/01/2024 21:00:00', end_time: '08/01/2024 22:00:00', source_ip: '' };
      const minutes = (await stats([{ stats_type: 'flows_per_minute', ...hour }])).body as Row[];
      const hours = (await stats([{ stats_type: 'flows_per_hour', ...hour }])).body as Row[];
      const sum = new Map<string, [number, number, number]>();
      for (const m of minutes) {
        const s = sum.get(m.source_ip) ?? [0, 0, 0];
        sum.set(m.source_ip, [s[0] + m.n_flows, s[1] + m.n_bytes, s[2] + m.n_packets]);
      }
      hours.length.should.equal(sum.size);
      for (const h of hours) {
        h.time.should.equal('2024-01-08 21:00:00+00:00');
        [h.n_flows, h.n_bytes, h.n_packets].should.eql(sum.get(h.source_ip));
        // The peak of the hour is the busiest second, which is also the busiest second of some minute.
        Number(h.peak_n_flows).should.equal(Math.max(...minutes.filter((m) => m.source_ip === h.source_ip).map((m) => Number(m.peak_n_flows))));
      }
    });

    it('source_ip keeps only that source; seconds granularity gives one row per busy second', async () => {
      const all = (await stats([{ stats_type: 'flows_per_second', interval_type: 'minutes', time_interval: 30, source_ip: '' }])).body as Row[];
      const ip = all[0]!.source_ip;
      const one = (await stats([{ stats_type: 'flows_per_second', interval_type: 'minutes', time_interval: 30, source_ip: ip }])).body as Row[];
      one.should.eql(all.filter((r) => r.source_ip === ip));
      for (const r of one) r.peak_n_flows.should.equal(String(r.n_flows));
    });

    it('the DisplayStats envelope is selectable', async () => {
      opts.flowgatewayEnvelope = 'DisplayStats';
      const r = await stats([{ stats_type: 'flows_per_minute', interval_type: 'minutes', time_interval: 2, source_ip: '' }]);
      r.body!.should.have.property('DisplayStats').which.is.an.Array();
    });

    it('a window in the future holds no rows yet', async () => {
      const r = await stats([{ stats_type: 'flows_per_minute', start_time: NOW / 1000 + 60, end_time: NOW / 1000 + 600, source_ip: '' }]);
      r.status.should.equal(200);
      r.body!.should.eql([]);
    });
  });
});
