import 'should';
import net from 'node:net';
import { HttpClient } from '../../../nodes/lib/http/client';
import { parseRetryAfter } from '../../../nodes/lib/http/retry';
import { speaksPlainHttp } from '../../../nodes/lib/http/plain-http';
import { FlowError } from '../../../nodes/lib/errors';
import { startSimulator, type Simulator } from '../../../simulator/server';
import { PINNED_NOW, fakeClock, type FakeClock } from '../../support/clock';
import { until } from '../../support/node-messages';
import { caCert, serverCert, serverKey } from '../../support/tls';

async function failure(p: Promise<unknown>): Promise<FlowError> {
  try {
    await p;
  } catch (err) {
    (err as Error).should.be.instanceOf(FlowError);
    return err as FlowError;
  }
  throw new Error('expected the request to fail');
}

describe('lib/http client (against the simulator over real HTTP)', () => {
  let sim: Simulator;
  let client: HttpClient;
  // Retry waits run on fake timers: `clock.run()` fires them at once and `clock.waits` lists them.
  let clock: FakeClock;
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown): void => void unhandled.push(e);

  before(async () => {
    process.on('unhandledRejection', onUnhandled);
    sim = await startSimulator({ vendors: ['echo'], now: () => clock.now() });
  });
  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    await sim.close();
    unhandled.should.be.empty();
  });
  beforeEach(() => {
    sim.clearFaults();
    sim.clearLog();
    clock = fakeClock();
    client = new HttpClient({ host: sim.url, timeoutMs: 2000, clock });
  });
  afterEach(async () => client.close());

  it('reuses one kept-alive connection for many requests', async () => {
    const before = sim.connections;
    for (let i = 0; i < 25; i++) {
      const res = await client.request<{ query: { i: string } }>({ path: '/echo', query: { i } });
      res.body.query.i.should.equal(String(i));
    }
    (sim.connections - before).should.equal(1);
    sim.requestsTo('/echo').length.should.equal(25);
  });

  it('sends a JSON body with a GET (FlowGateway needs it)', async () => {
    const res = await client.request<{ method: string; body: string; headers: Record<string, string> }>({
      method: 'GET', path: '/echo', json: [{ stats_type: 'flows_per_minute', time_interval: 60 }],
    });
    res.body.method.should.equal('GET');
    JSON.parse(res.body.body).should.eql([{ stats_type: 'flows_per_minute', time_interval: 60 }]);
    res.body.headers['content-type']!.should.equal('application/json');
  });

  it('percent-encodes query values (spaces, colons, quotes, commas)', async () => {
    await client.request({ path: '/echo', query: { query: 'box.name:"Gold Plus" total:>50MB', skip: undefined } });
    const r = sim.requestsTo('/echo')[0]!;
    r.rawQuery.should.equal('query=box.name%3A%22Gold%20Plus%22%20total%3A%3E50MB');
    r.query.get('query')!.should.equal('box.name:"Gold Plus" total:>50MB');
  });

  it('times out waiting for headers', async () => {
    sim.addFault({ kind: 'slow-headers', delayMs: 1500 });
    const c = new HttpClient({ host: sim.url, timeoutMs: 300 });
    const err = await failure(c.request({ path: '/echo' }));
    await c.close();
    err.code.should.equal('TIMEOUT');
    err.message.should.match(/no response within 300 ms/);
  });

  it('times out when the body stalls', async () => {
    sim.addFault({ kind: 'slow-body', delayMs: 1500 });
    const c = new HttpClient({ host: sim.url, timeoutMs: 300 });
    const err = await failure(c.request({ path: '/echo' }));
    await c.close();
    err.code.should.equal('TIMEOUT');
    err.message.should.match(/body stalled/);
  });

  it('times out connecting when the TLS handshake never completes', async () => {
    const accepted = new Set<net.Socket>();
    const silent = net.createServer((s) => void accepted.add(s)); // accepts, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    const c = new HttpClient({ host: `https://127.0.0.1:${port}`, timeoutMs: 300, retry: { maxRetries: 0 } });
    const err = await failure(c.request({ path: '/echo' }));
    await c.close();
    for (const s of accepted) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
    err.code.should.equal('TIMEOUT');
    err.message.should.match(/could not connect within 300 ms/);
  });

  it('retries 429 after Retry-After, then succeeds', async () => {
    sim.addFault({ kind: 'rate-limit', retryAfter: 7, path: '/echo', times: 1 });
    const res = await clock.run(client.request({ path: '/echo' }));
    res.attempts.should.equal(2);
    clock.waits.should.eql([7000]);
    const [first, second] = sim.requestsTo('/echo');
    (second!.at - first!.at).should.equal(7000);
  });

  it('reads Retry-After as delta seconds or an HTTP date relative to the clock', () => {
    (parseRetryAfter('30', PINNED_NOW) ?? NaN).should.equal(30_000);
    (parseRetryAfter(new Date(PINNED_NOW + 90_000).toUTCString(), PINNED_NOW) ?? NaN).should.equal(90_000);
    (parseRetryAfter(new Date(PINNED_NOW - 5_000).toUTCString(), PINNED_NOW) ?? NaN).should.equal(0);
    (parseRetryAfter('soon', PINNED_NOW) === undefined).should.be.true();
  });

  it('fails fast with RATE_LIMIT when Retry-After exceeds the cap', async () => {
    sim.addFault({ kind: 'rate-limit', retryAfter: 300, times: 1 });
    const c = new HttpClient({ host: sim.url, retry: { maxRetryAfterMs: 5000 } });
    const err = await failure(c.request({ path: '/echo' }));
    await c.close();
    err.code.should.equal('RATE_LIMIT');
    err.retryAfterMs!.should.equal(300_000);
    sim.requestsTo('/echo').length.should.equal(1);
  });

  it('retries 502/503/504 with backoff and gives up after maxRetries', async () => {
    sim.addFault({ kind: 'status', status: 503, times: 2 });
    (await clock.run(client.request({ path: '/echo' }))).attempts.should.equal(3);
    // Equal jitter: retry n waits between half and all of 500 ms * 2^n.
    clock.waits.should.have.length(2);
    clock.waits.forEach((ms, n) => ms.should.be.within(250 * 2 ** n, 500 * 2 ** n));
    sim.clearLog();
    clock.waits.length = 0;
    sim.addFault({ kind: 'html', status: 502, times: 10 });
    const err = await clock.run(failure(client.request({ path: '/echo' })));
    clock.waits.should.have.length(3);
    err.code.should.equal('HTTP_5XX');
    err.status!.should.equal(502);
    err.message.should.match(/HTML page "502 Bad Gateway"/);
    sim.requestsTo('/echo').length.should.equal(4); // 1 + maxRetries (3)
  });

  it('never retries other 4xx, nor 500', async () => {
    for (const status of [400, 404, 405, 415, 500]) {
      sim.clearLog();
      const err = await failure(client.request({ path: `/echo/status/${status}` }));
      err.code.should.equal(status >= 500 ? 'HTTP_5XX' : 'HTTP_4XX');
      err.status!.should.equal(status);
      sim.requestsTo('/echo').length.should.equal(1);
    }
    const auth = await failure(client.request({ path: '/echo/status/401' }));
    auth.code.should.equal('AUTH');
  });

  it('refuses a response bigger than the size cap', async () => {
    sim.addFault({ kind: 'big-body', bytes: 3 * 1024 * 1024 });
    const c = new HttpClient({ host: sim.url, maxResponseBytes: 1024 * 1024 });
    const err = await failure(c.request({ path: '/echo' }));
    await c.close();
    err.code.should.equal('BAD_RESPONSE');
    err.message.should.match(/larger than the 1048576-byte cap/);
  });

  it('aborts in-flight requests and backoff waits on close', async () => {
    sim.addFault({ kind: 'slow-headers', delayMs: 1000 });
    const p = failure(client.request({ path: '/echo' }));
    await until(() => sim.requestsTo('/echo').length === 1);
    await client.close();
    const err = await p;
    err.code.should.equal('ABORTED');
    err.message.should.match(/the node was closed/);

    const c = new HttpClient({ host: sim.url, clock, retry: { baseDelayMs: 5000, maxDelayMs: 5000 } });
    sim.addFault({ kind: 'status', status: 503, times: 1 });
    const waiting = failure(c.request({ path: '/echo' }));
    await until(() => clock.timers.countTimers() === 1);
    await c.close();
    (await waiting).should.match({ code: 'ABORTED', message: /while waiting to retry/ });
    clock.timers.countTimers().should.equal(0);
    sim.requestsTo('/echo').length.should.equal(2);
    (await failure(c.request({ path: '/echo' }))).code.should.equal('ABORTED');
  });

  it('turns malformed JSON, truncated bodies, XML and HTML into BAD_RESPONSE', async () => {
    sim.addFault({ kind: 'malformed-json' });
    (await failure(client.request({ path: '/echo' }))).should.match({ code: 'BAD_RESPONSE', message: /malformed JSON/ });
    sim.addFault({ kind: 'truncate' });
    (await failure(client.request({ path: '/echo' }))).should.match({ code: 'BAD_RESPONSE', message: /cut off/ });
    sim.addFault({ kind: 'wrong-content-type' });
    (await failure(client.request({ path: '/echo' }))).should.match({ code: 'BAD_RESPONSE', message: /expected JSON, got application\/xml/ });
  });

  it('retries a dropped connection for GET, and reports NETWORK when it keeps dropping', async () => {
    sim.addFault({ kind: 'drop', times: 1 });
    (await clock.run(client.request({ path: '/echo' }))).status.should.equal(200);
    sim.addFault({ kind: 'drop', times: 10 });
    const err = await clock.run(failure(client.request({ path: '/echo' })));
    err.code.should.equal('NETWORK');
  });

  it('reports an unreachable host as NETWORK', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const c = new HttpClient({ host: `http://127.0.0.1:${port}`, retry: { maxRetries: 0 } });
    const err = await failure(c.request({ path: '/echo' }));
    await c.close();
    err.code.should.equal('NETWORK');
    err.message.should.match(/cannot reach http:\/\/127.0.0.1/);
  });

  it('keeps secrets out of error texts, even when the server echoes them', async () => {
    const secret = 'super-secret-token-42';
    const c = new HttpClient({ host: sim.url, secrets: () => [secret] });
    sim.addFault({ kind: 'status', status: 400, body: JSON.stringify({ error: { message: `invalid token ${secret}` } }) });
    const err = await failure(c.request({ path: '/echo', headers: { authorization: `Token ${secret}` } }));
    await c.close();
    err.message.should.not.containEql(secret);
    err.message.should.containEql('***');
    JSON.stringify(err).should.not.containEql(secret);
  });

  describe('TLS', () => {
    let tlsSim: Simulator;
    before(async () => {
      tlsSim = await startSimulator({ vendors: ['echo'], tls: { key: serverKey, cert: serverCert } });
    });
    after(async () => tlsSim.close());

    it('verifies certificates by default and rejects an untrusted one', async () => {
      const c = new HttpClient({ host: `127.0.0.1:${tlsSim.port}`, retry: { maxRetries: 0 } });
      c.target.origin.should.startWith('https://');
      const err = await failure(c.request({ path: '/echo' }));
      await c.close();
      err.code.should.equal('NETWORK');
      err.message.should.match(/certificate .*rejected/);
    });

    it('says a port that answers the TLS hello in plain HTTP does not speak TLS, not that a certificate was rejected', async () => {
      // `sim` is a plain HTTP server on loopback; a host without a scheme means https.
      const c = new HttpClient({ host: `127.0.0.1:${sim.port}/base`, retry: { maxRetries: 0 } });
      const err = await failure(c.request({ path: '/echo' }));
      await c.close();
      err.code.should.equal('NETWORK');
      err.message.should.equal(`GET /echo: this port does not speak TLS (127.0.0.1:${sim.port} answered in plain HTTP); did you mean http://127.0.0.1:${sim.port}/base?`);
      err.message.should.not.match(/certificate|tls-config/);
      // The other OpenSSL lines' wording of the same failure.
      speaksPlainHttp('', 'error:1408F10B:SSL routines:ssl3_get_record:packet length too long').should.be.true();
      speaksPlainHttp('ERR_SSL_HTTP_REQUEST', '').should.be.true();
      speaksPlainHttp('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate').should.be.false();
    });

    it('trusts a CA given through tls options', async () => {
      const c = new HttpClient({ host: tlsSim.url, tls: { ca: caCert } });
      (await c.request({ path: '/echo' })).status.should.equal(200);
      await c.close();
    });

    it('accepts any certificate only when verification is turned off', async () => {
      const c = new HttpClient({ host: tlsSim.url, tls: { rejectUnauthorized: false } });
      (await c.request({ path: '/echo' })).status.should.equal(200);
      await c.close();
    });
  });
});
