import 'should';
import dgram from 'node:dgram';
import FakeTimers from '@sinonjs/fake-timers';
import * as dnsPacket from 'dns-packet';
import { ReverseDns, parseDnsServers, type DnsTimers } from '../../../nodes/lib/enrich';

/**
 * A tiny DNS server on 127.0.0.1: answers PTR queries from `names`, answers NXDOMAIN for the
 * rest, and holds (does not answer) queries for names in `hold` until `release()`.
 */
class LoopbackDns {
  readonly socket = dgram.createSocket('udp4');
  readonly names = new Map<string, string>();
  readonly hold = new Set<string>();
  readonly held: Array<() => void> = [];
  queries: string[] = [];

  async start(): Promise<string> {
    this.socket.on('message', (msg, rinfo) => {
      const q = dnsPacket.decode(msg);
      const question = q.questions?.[0];
      if (!question) return;
      this.queries.push(question.name);
      const answer = (): void => {
        const name = this.names.get(question.name);
        const reply = dnsPacket.encode({
          type: 'response',
          id: q.id,
          flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (name ? 0 : 3),
          questions: [question],
          answers: name ? [{ type: 'PTR', name: question.name, ttl: 300, data: name }] : [],
        });
        this.socket.send(reply, rinfo.port, rinfo.address);
      };
      if (this.hold.has(question.name)) this.held.push(answer);
      else answer();
    });
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', resolve));
    return `127.0.0.1:${this.socket.address().port}`;
  }

  release(): void {
    for (const a of this.held.splice(0)) a();
  }

  close(): void {
    this.socket.close();
  }
}

const ptr = (ip: string): string => `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function waitFor(cond: () => boolean): Promise<void> {
  // Event-driven: each turn of the loop lets a UDP packet in; bounded in turns, not time.
  for (let i = 0; i < 100_000 && !cond(); i++) await settle();
  cond().should.be.true();
}

describe('enrich: reverse DNS against a loopback DNS server', () => {
  let server: LoopbackDns;
  let address: string;
  let clock: FakeTimers.Clock;
  let timers: DnsTimers;

  beforeEach(async () => {
    server = new LoopbackDns();
    address = await server.start();
    clock = FakeTimers.createClock(1_000_000);
    timers = clock;
  });
  afterEach(() => server.close());

  const resolver = (extra: Partial<ConstructorParameters<typeof ReverseDns>[0]> = {}): ReverseDns =>
    new ReverseDns({ servers: [address], timeoutMs: 5000, maxInFlight: 4, ttlMs: 60_000, cacheSize: 100, now: () => clock.now, timers, ...extra });

  it('answers PTR names, caches them for the TTL, and caches "no name" too', async () => {
    server.names.set(ptr('192.0.2.10'), 'host-a.example.');
    const dns = resolver();
    (await dns.lookup('192.0.2.10'))!.should.equal('host-a.example');
    (await dns.lookup('192.0.2.11') === null).should.be.true();
    server.queries.length.should.equal(2);
    dns.cached('192.0.2.10')!.should.equal('host-a.example');
    (await dns.lookup('192.0.2.10'))!.should.equal('host-a.example');
    (await dns.lookup('192.0.2.11') === null).should.be.true();
    server.queries.length.should.equal(2);
    clock.tick(60_001);
    (dns.cached('192.0.2.10') === undefined).should.be.true();
    server.names.set(ptr('192.0.2.10'), 'host-b.example.');
    (await dns.lookup('192.0.2.10'))!.should.equal('host-b.example');
    server.queries.length.should.equal(3);
    dns.close();
  });

  it('gives up after the timeout and answers null; the failure is cached briefly', async () => {
    server.hold.add(ptr('192.0.2.20'));
    const dns = resolver({ timeoutMs: 2000, negativeTtlMs: 10_000 });
    let answer: string | null | undefined;
    const p = dns.lookup('192.0.2.20').then((a) => (answer = a));
    await waitFor(() => server.queries.length === 1);
    clock.tick(1999);
    await settle();
    (answer === undefined).should.be.true();
    clock.tick(1);
    await p;
    (answer === null).should.be.true();
    dns.stats().timeouts.should.equal(1);
    dns.stats().inFlight.should.equal(0);
    (dns.cached('192.0.2.20') === null).should.be.true();
    clock.tick(10_000);
    (dns.cached('192.0.2.20') === undefined).should.be.true();
    dns.close();
  });

  it('never has more lookups in flight than the cap; the same address is asked once', async () => {
    const ips = Array.from({ length: 10 }, (_, i) => `198.51.100.${i + 1}`);
    for (const ip of ips) {
      server.hold.add(ptr(ip));
      server.names.set(ptr(ip), `h${ip.split('.')[3]}.example`);
    }
    const dns = resolver({ maxInFlight: 3 });
    const all = Promise.all([...ips, ...ips].map((ip) => dns.lookup(ip)));
    await waitFor(() => server.queries.length === 3);
    for (let round = 0; round < 3; round++) {
      // Let any extra query arrive if the cap were broken.
      for (let i = 0; i < 50; i++) await settle();
      dns.stats().inFlight.should.be.belowOrEqual(3);
      server.held.length.should.be.belowOrEqual(3);
      const before = server.queries.length;
      server.release();
      await waitFor(() => server.queries.length >= Math.min(10, before + 1));
    }
    await waitFor(() => server.queries.length === 10);
    server.release();
    const names = await all;
    names.slice(0, 10).should.eql(ips.map((ip) => `h${ip.split('.')[3]}.example`));
    names.slice(10).should.eql(names.slice(0, 10));
    const s = dns.stats();
    s.peakInFlight.should.equal(3);
    s.lookups.should.equal(10);
    new Set(server.queries).size.should.equal(10);
    dns.close();
  });

  it('close cancels what is in flight and queued: every lookup answers null, no timer is left', async () => {
    server.hold.add(ptr('192.0.2.30'));
    server.hold.add(ptr('192.0.2.31'));
    const dns = resolver({ maxInFlight: 1 });
    const p = Promise.all([dns.lookup('192.0.2.30'), dns.lookup('192.0.2.31')]);
    await waitFor(() => server.queries.length === 1);
    dns.stats().queued.should.equal(1);
    dns.close();
    (await p).should.eql([null, null]);
    clock.countTimers().should.equal(0);
    (await dns.lookup('192.0.2.32') === null).should.be.true();
  });

  it('a full queue skips lookups instead of growing', async () => {
    server.hold.add(ptr('192.0.2.40'));
    const dns = resolver({ maxInFlight: 1, maxQueued: 2 });
    const first = dns.lookup('192.0.2.40');
    const queued = [dns.lookup('192.0.2.41'), dns.lookup('192.0.2.42')];
    (await dns.lookup('192.0.2.43') === null).should.be.true();
    dns.stats().skipped.should.equal(1);
    dns.close();
    await Promise.all([first, ...queued]);
  });

  it('checks the server list', () => {
    parseDnsServers('127.0.0.1, 127.0.0.1:5353 [::1]:53,::1').should.eql(['127.0.0.1', '127.0.0.1:5353', '[::1]:53', '::1']);
    (() => parseDnsServers('dns.example')).should.throw(/^dnsServers: "dns\.example" is not a DNS server address/);
    (() => parseDnsServers('127.0.0.1:70000')).should.throw(/"127\.0\.0\.1:70000" is not a DNS server address/);
  });
});
