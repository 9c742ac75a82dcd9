import 'should';
import dgram from 'node:dgram';
import helper, { type TestFlows } from 'node-red-node-test-helper';
import collectorNode = require('../../nodes/network-flow-collector');
import normalizeNode = require('../../nodes/network-flow-normalize');
import { freePort } from '../../scripts/demo';
import { dataRecord, dataSet, ipfixMessage, ipfixTemplateSet, type FieldSpec } from '../../simulator/netflow';
import { until } from '../support/node-messages';

helper.init(require.resolve('node-red'));

interface TestNode {
  on(event: string, cb: (arg: never) => void): void;
  receive(msg: Record<string, unknown>): void;
  send: (msg: unknown) => void;
}
type Msg = Record<string, any>; // any: test messages are read field by field

const T = 1_700_000_000;
const F: FieldSpec[] = [[8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [1, 4], [2, 4], [152, 8], [153, 8]];

function message(seq: number, n: number, withTemplate = true): Buffer {
  const recs = Array.from({ length: n }, (_, i) =>
    dataRecord(F, { 8: `192.168.1.${10 + i}`, 12: '203.0.113.5', 7: 40_000 + i, 11: 443, 4: 6, 1: 1500 + i, 2: 3, 152: T * 1000, 153: T * 1000 + 900 }),
  );
  return ipfixMessage({ exportSec: T + 1, sequence: seq, domain: 1 }, [...(withTemplate ? [ipfixTemplateSet([{ id: 256, fields: F }])] : []), dataSet(256, recs)]);
}

async function sendUdp(port: number, ...datagrams: Buffer[]): Promise<void> {
  const s = dgram.createSocket('udp4');
  for (const d of datagrams) await new Promise<void>((r, j) => s.send(d, port, '127.0.0.1', (e) => (e ? j(e) : r())));
  s.close();
}

function flow(port: number, props: Record<string, unknown> = {}): TestFlows {
  return [
    { id: 'c1', type: 'network-flow-collector', name: '', address: '127.0.0.1', port, batchSize: 3, batchMs: 60000, allow: '', samplingRate: 0, communityId: true, templateTimeout: 1800, holdTime: 10, wires: [['out', 'norm']], ...props },
    { id: 'norm', type: 'network-flow-normalize', vendor: '', format: 'networkflow', output: 'batch', keepRaw: false, internalNetworks: '', wires: [['normOut']] },
    { id: 'out', type: 'helper' },
    { id: 'normOut', type: 'helper' },
  ] as TestFlows;
}

function collect(id: string): Msg[] {
  const got: Msg[] = [];
  (helper.getNode(id) as unknown as TestNode).on('input', (m: never) => void got.push(m));
  return got;
}

/** Asks for the counters and waits for the answer. */
async function stats(): Promise<Msg> {
  const got = collect('out');
  (helper.getNode('c1') as unknown as TestNode).receive({ topic: 'stats' });
  await until(() => got.some((m) => m.topic === 'stats'));
  return got.find((m) => m.topic === 'stats')!.payload as Msg;
}

/** Asks for the counters until they satisfy `cond` (the datagrams are on their way). */
async function statsWhen(cond: (s: Msg) => boolean): Promise<Msg> {
  for (let i = 0; i < 200; i++) {
    const s = await stats();
    if (cond(s)) return s;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`counters never reached the expected state: ${JSON.stringify(await stats())}`);
}

/** Binding the port succeeds: nobody holds it. */
async function portIsFree(port: number): Promise<void> {
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((r, j) => {
    probe.once('error', j);
    probe.bind(port, '127.0.0.1', r);
  });
  await new Promise<void>((r) => probe.close(() => r()));
}

describe('network-flow-collector node', () => {
  before(async () => {
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
  });
  afterEach(async () => {
    await helper.unload();
  });

  it('receives IPFIX on 127.0.0.1 and sends full batches of NetworkFlow records; normalize passes them on with a direction', async () => {
    const port = await freePort();
    await helper.load([collectorNode, normalizeNode], flow(port));
    const got = collect('out');
    const normalized = collect('normOut');
    await sendUdp(port, message(0, 2), message(2, 4, false)); // 6 records: two batches of 3
    await until(() => got.length >= 2 && normalized.length >= 2);
    got.map((m) => m.payload.length).should.eql([3, 3]);
    got[0]!.payload[0].should.match({ vendor: 'ipfix', endpoint: 'ipfix', observer: '127.0.0.1', src: { ip: '192.168.1.10', port: 40000 }, dst: { ip: '203.0.113.5', port: 443 }, bytes: 1500, packets: 3, ts: T * 1000 + 900, direction: 'unknown' });
    got[0]!.networkFlows.should.match({ vendor: 'ipfix', endpoint: 'collector', host: `127.0.0.1:${port}`, count: 3, exporters: ['127.0.0.1'] });
    normalized[0]!.payload.should.have.length(3);
    normalized[0]!.payload[0].direction.should.equal('outbound');
    normalized[0]!.invalid.should.eql([]);
  });

  it('sends a partial batch after the interval, or at once on topic "flush"', async () => {
    const port = await freePort();
    await helper.load([collectorNode, normalizeNode], flow(port, { batchSize: 1000, batchMs: 20 }));
    const got = collect('out');
    await sendUdp(port, message(0, 2));
    await until(() => got.length >= 1);
    got[0]!.payload.should.have.length(2);
    await helper.unload();

    await helper.load([collectorNode, normalizeNode], flow(port, { batchSize: 1000, batchMs: 60000 }));
    const again = collect('out');
    await sendUdp(port, message(0, 1));
    await statsWhen((s) => s.totals.records === 1);
    again.filter((m) => m.topic !== 'stats').should.have.length(0); // waiting for 60 s or 1000 records
    (helper.getNode('c1') as unknown as TestNode).receive({ topic: 'flush' });
    await until(() => again.some((m) => m.topic !== 'stats'));
    again.find((m) => m.topic !== 'stats')!.payload.should.have.length(1);
  });

  it('answers topic "stats" with the counters per exporter', async () => {
    const port = await freePort();
    await helper.load([collectorNode, normalizeNode], flow(port));
    const got = collect('out');
    await sendUdp(port, message(0, 3), Buffer.from('not netflow at all'), message(10, 3, false));
    await until(() => got.filter((m) => m.topic !== 'stats').length >= 2);
    const s = await statsWhen((x) => x.exporters['127.0.0.1']?.packets === 3);
    s.exporters['127.0.0.1'].should.match({ packets: 3, records: 6, badPackets: 1, lostRecords: 7, templates: 1 });
    s.exporters['127.0.0.1'].lastError.should.match(/unsupported version/);
    s.totals.exporters.should.equal(1);
  });

  it('drops datagrams from exporters outside the allow list', async () => {
    const port = await freePort();
    await helper.load([collectorNode, normalizeNode], flow(port, { allow: '10.0.0.0/8, 2001:db8::/32' }));
    const got = collect('out');
    await sendUdp(port, message(0, 3));
    const s = await statsWhen((x) => x.notAllowed === 1);
    s.exporters.should.eql({});
    got.filter((m) => m.topic !== 'stats').should.have.length(0);
  });

  it('reports an input other than stats / flush as an error naming topic', async () => {
    const port = await freePort();
    await helper.load([collectorNode, normalizeNode], flow(port));
    const c1 = helper.getNode('c1') as unknown as TestNode;
    const err = new Promise<Msg>((r) => c1.on('call:error', (call: never) => r(call)));
    c1.receive({ topic: 'go', payload: 1 });
    const call = await err;
    String((call).args[0]).should.match(/topic/);
  });

  it('refuses a bad configuration at deploy with the field named, and opens no socket', async () => {
    const port = await freePort();
    await helper.load([collectorNode, normalizeNode], flow(port, { port: 70000, allow: '10.0.0.0/8' }));
    const c1 = helper.getNode('c1') as unknown as { error: { callCount: number; firstCall: { args: unknown[] } } };
    c1.error.callCount.should.equal(1);
    String(c1.error.firstCall.args[0]).should.match(/port: expected a whole number from 1 to 65535, got 70000/);
    await helper.unload();
    await helper.load([collectorNode, normalizeNode], flow(port, { allow: '10.0.0.0/8, bogus' }));
    String((helper.getNode('c1') as unknown as typeof c1).error.firstCall.args[0]).should.match(/allow: "bogus" is not an IPv4 or IPv6 address/);
    await portIsFree(port);
  });

  it('listens on IPv6 (udp6) when the address is ::1', async () => {
    const port = await freePort();
    await helper.load([collectorNode, normalizeNode], flow(port, { address: '::1', batchSize: 1 }));
    const got = collect('out');
    const s = dgram.createSocket('udp6');
    await new Promise<void>((r, j) => s.send(message(0, 1), port, '::1', (e) => (e ? j(e) : r())));
    s.close();
    await until(() => got.length >= 1);
    got[0]!.payload[0].observer.should.equal('::1');
  });

  it('on close: socket closed, timers cleared, the waiting batch never sent', async () => {
    const port = await freePort();
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    await helper.load([collectorNode, normalizeNode], flow(port, { batchSize: 1000, batchMs: 60000 }));
    const c1 = helper.getNode('c1') as unknown as TestNode;
    const sent: unknown[] = [];
    const send = c1.send.bind(c1);
    c1.send = (m: unknown) => {
      sent.push(m);
      send(m);
    };
    await sendUdp(port, message(0, 2));
    await statsWhen((x) => x.totals.records === 2); // the two records wait in the batch
    sent.length = 0;
    await helper.unload();
    sent.should.have.length(0);
    await portIsFree(port); // the socket was closed
    // No batch or sweep timer of the node survives (Node-RED's own may come and go: not more than before).
    process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length.should.be.belowOrEqual(timersBefore);
  });
});
