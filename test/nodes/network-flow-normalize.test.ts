import 'should';
import * as fs from 'node:fs';
import * as path from 'node:path';
import helper, { type TestFlows } from 'node-red-node-test-helper';
import normalizeNode = require('../../nodes/network-flow-normalize');
import { FETCHED_AT, FIREWALLA_RESPONSE_TEXT, firewallaSeed, flowGatewaySeed, sdwanFlow, sdwanIlbFlow } from '../lib/normalize/fixtures';
import { pinDate } from '../support/clock';
import { until } from '../support/node-messages';

helper.init(require.resolve('node-red'));

interface TestNode {
  on(event: string, cb: (arg: never) => void): void;
  receive(msg: Record<string, unknown>): void;
}
interface SpyCall {
  args: unknown[];
}
type Msg = Record<string, any>; // any: test messages are read field by field

function flow(props: Record<string, unknown> = {}): TestFlows {
  return [
    { id: 'n1', type: 'network-flow-normalize', name: '', vendor: '', format: 'networkflow', output: 'batch', keepRaw: false, internalNetworks: '', wires: [['out']], ...props },
    { id: 'out', type: 'helper' },
  ] as TestFlows;
}

/** Collects what arrives at the helper until `settleMs` passes without a message. */
function collect(settleMs = 80): Promise<Msg[]> {
  const got: Msg[] = [];
  return new Promise((resolve) => {
    let timer = setTimeout(() => resolve(got), settleMs);
    (helper.getNode('out') as unknown as TestNode).on('input', (msg: never) => {
      got.push(msg);
      clearTimeout(timer);
      timer = setTimeout(() => resolve(got), settleMs);
    });
  });
}

function nextCall(node: TestNode, method: 'error' | 'warn' | 'status', withError = false): Promise<SpyCall> {
  return new Promise((resolve) =>
    node.on(`call:${method}`, (call: never) => {
      const arg = (call as SpyCall).args[0];
      // The status clear a node does at deploy is not the status under test.
      if (method === 'status' && arg !== null && typeof arg === 'object' && Object.keys(arg).length === 0) return;
      if (!withError || arg instanceof Error) resolve(call);
    }),
  );
}

describe('network-flow-normalize node', () => {
  pinDate();
  before(async () => {
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
  });
  afterEach(async () => {
    await helper.unload();
  });

  it('normalizes a batch from a vendor node, keeping other msg properties and updating networkFlows', async () => {
    await helper.load(normalizeNode, flow());
    const n1 = helper.getNode('n1') as unknown as TestNode;
    const got = collect();
    const status = nextCall(n1, 'status');
    n1.receive({
      topic: 'branch-7',
      payload: [sdwanFlow(), { ...sdwanFlow(), bytes: '12x' }, sdwanFlow()],
      networkFlows: { vendor: 'citrix-sdwan', endpoint: 'flows', host: '10.0.0.9', fetchedAt: FETCHED_AT, count: 3 },
    });
    const [msg] = await got;
    msg!.topic.should.equal('branch-7');
    msg!.payload.should.have.length(2);
    msg!.payload[0].should.match({ vendor: 'citrix-sdwan', endpoint: 'flows', observer: '10.0.0.9', ts: FETCHED_AT, bytes: 1048576 });
    msg!.invalid.should.eql([{ index: 1, reason: 'bytes: "12x" is not a number' }]);
    msg!.networkFlows.should.eql({ vendor: 'citrix-sdwan', endpoint: 'flows', host: '10.0.0.9', fetchedAt: FETCHED_AT, count: 2, invalid: 1, format: 'networkflow' });
    const s = (await status).args[0] as { fill: string; text: string };
    s.fill.should.equal('yellow');
    s.text.should.equal('2 records, 1 invalid');
  });

  it('recognises records by shape without msg.networkFlows, and unwraps a vendor response body', async () => {
    await helper.load(normalizeNode, flow());
    const n1 = helper.getNode('n1') as unknown as TestNode;
    let got = collect();
    n1.receive({ payload: JSON.parse(FIREWALLA_RESPONSE_TEXT) });
    let [msg] = await got;
    msg!.payload.should.have.length(1);
    msg!.payload[0].should.match({ vendor: 'firewalla', bytes: 1500, src: { ip: '192.168.210.110' } });
    msg!.invalid.should.eql([]);
    msg!.networkFlows.should.eql({ count: 1, invalid: 0, format: 'networkflow' });
    got = collect();
    n1.receive({ payload: sdwanIlbFlow() }); // one record, not an array
    [msg] = await got;
    msg!.payload.should.have.length(1);
    msg!.payload[0].should.match({ endpoint: 'ilbflows', flows: 17 });
  });

  it('forces a vendor, writes ECS, and keeps raw as event.original', async () => {
    await helper.load(normalizeNode, flow({ vendor: 'riverbed-flowgateway/import_stats', format: 'ecs', keepRaw: true }));
    const n1 = helper.getNode('n1') as unknown as TestNode;
    const got = collect();
    const rows = flowGatewaySeed().map((r) => ({ ...r, source_ip: '10.1.2.3' }));
    n1.receive({ payload: rows, networkFlows: { vendor: 'firewalla', endpoint: 'flows' } }); // forced wins
    const [msg] = await got;
    msg!.payload.should.have.length(2);
    msg!.payload[0].should.match({ event: { kind: 'metric' }, observer: { vendor: 'Riverbed', product: 'FlowGateway' }, source: { ip: '10.1.2.3' } });
    JSON.parse(msg!.payload[0].event.original).should.eql(rows[0]);
    msg!.networkFlows.format.should.equal('ecs');
  });

  it('sends one message per record with msg.parts, the invalid list on the last', async () => {
    await helper.load(normalizeNode, flow({ output: 'each' }));
    const n1 = helper.getNode('n1') as unknown as TestNode;
    const got = collect();
    n1.receive({ payload: [firewallaSeed(), { junk: true }, firewallaSeed()], topic: 't' });
    const msgs = await got;
    msgs.should.have.length(2);
    msgs[0]!.payload.vendor.should.equal('firewalla');
    msgs[0]!.topic.should.equal('t');
    msgs[0]!.parts.should.match({ index: 0, count: 2, type: 'array', len: 1 });
    msgs[1]!.parts.should.match({ index: 1, count: 2, id: msgs[0]!.parts.id });
    msgs[0]!.should.not.have.property('invalid');
    msgs[1]!.invalid.should.have.length(1);
    msgs[1]!.invalid[0].index.should.equal(1);
  });

  it('warns instead of sending when every record is invalid in each mode', async () => {
    await helper.load(normalizeNode, flow({ output: 'each' }));
    const n1 = helper.getNode('n1') as unknown as TestNode;
    const got = collect();
    const warn = nextCall(n1, 'warn');
    n1.receive({ payload: flowGatewaySeed() }); // the seed's "10.x.x.x" is not an address
    String((await warn).args[0]).should.match(/none of the 2 records.*source_ip: "10\.x\.x\.x" is not an IP address/);
    (await got).should.have.length(0);
  });

  it('sends an empty batch with the report when every record is invalid in batch mode', async () => {
    await helper.load(normalizeNode, flow());
    const n1 = helper.getNode('n1') as unknown as TestNode;
    const got = collect();
    n1.receive({ payload: flowGatewaySeed() });
    const [msg] = await got;
    msg!.payload.should.eql([]);
    msg!.invalid.should.have.length(2);
  });

  it('reports a payload that holds no records: uncaught, as one readable line (the debug sidebar shows it so)', async () => {
    await helper.load(normalizeNode, flow());
    const n1 = helper.getNode('n1') as unknown as TestNode;
    const err = nextCall(n1, 'error');
    n1.receive({ payload: 'hello' });
    const line = (await err).args[0];
    line!.should.equal('payload: expected an array of vendor records or one record, got string');
  });

  it('fails at deploy on a bad internalNetworks CIDR, naming the field, and reports each message', async () => {
    await helper.load(normalizeNode, flow({ internalNetworks: '10.0.0.0/8, 10.0.0.0/40' }));
    const n1 = helper.getNode('n1') as unknown as TestNode & { error: { args: unknown[] }[] };
    // The deploy-time error was already logged when the node was created.
    const logged = (n1 as unknown as { error: { getCalls(): SpyCall[] } }).error.getCalls().map((c) => String(c.args[0]));
    logged.some((t) => /internalNetworks: "10\.0\.0\.0\/40"/.test(t)).should.be.true(logged.join('|'));
    n1.receive({ payload: [sdwanFlow()] });
    // Each message fails with one readable line naming the field.
    await until(() => (n1 as unknown as { error: { getCalls(): SpyCall[] } }).error.getCalls().some((c) => /^internalNetworks: /.test(String(c.args[0]))));
  });

  it('uses the configured internal networks for derived directions', async () => {
    await helper.load(normalizeNode, flow({ internalNetworks: '203.0.113.0/24' }));
    const n1 = helper.getNode('n1') as unknown as TestNode;
    const got = collect();
    n1.receive({ payload: [{ lanip: '203.0.113.5', wanip: '10.0.0.1', flowcount: '1' }] });
    const [msg] = await got;
    msg!.payload[0].direction.should.equal('outbound'); // 10/8 is not internal here
  });

  it('ships an editor file with a literal registerType, help, locale, icon and an example using the node', () => {
    const root = path.join(__dirname, '..', '..');
    const html = fs.readFileSync(path.join(root, 'nodes', 'network-flow-normalize.html'), 'utf8');
    html.should.match(/RED\.nodes\.registerType\('network-flow-normalize', \{\s*category: 'network flows'/);
    html.should.match(/data-template-name="network-flow-normalize"/);
    const help = fs.readFileSync(path.join(root, 'locales', 'en-US', 'network-flow-normalize.html'), 'utf8');
    help.should.match(/data-help-name="network-flow-normalize"/);
    for (const field of ['dest_ip', 'lanip', 'wanlink', 'upload', 'blockType', 'n_bad_bytes', 'peak_n_packets', 'customer_kbps', 'vpathclass']) {
      help.should.containEql(`<code>${field}</code>`);
    }
    const locale = JSON.parse(fs.readFileSync(path.join(root, 'locales', 'en-US', 'network-flow-normalize.json'), 'utf8'));
    locale['network-flow-normalize'].status.ok.should.containEql('__ok__');
    fs.readFileSync(path.join(root, 'icons', 'network-flow-normalize.svg'), 'utf8').should.match(/^<svg /);
    const examples = fs.readdirSync(path.join(root, 'examples')).filter((f) => f.startsWith('normalize-'));
    examples.length.should.be.above(0);
    for (const f of examples) {
      const nodes = JSON.parse(fs.readFileSync(path.join(root, 'examples', f), 'utf8')) as { type: string }[];
      nodes.some((n) => n.type === 'network-flow-normalize').should.be.true(f);
    }
  });

  it('runs the example flow: injected seed records come out normalized', async () => {
    const root = path.join(__dirname, '..', '..');
    const nodes = JSON.parse(fs.readFileSync(path.join(root, 'examples', 'normalize-records.json'), 'utf8')) as Msg[];
    const injects = nodes.filter((n) => n.type === 'inject');
    const norm = nodes.find((n) => n.id === 'nfn-norm')!;
    // Loaded as in the example, minus the editor position (a positioned node without a tab is
    // not started by the runtime outside a tab).
    const { x: _x, y: _y, ...def } = norm;
    await helper.load(normalizeNode, [{ ...def, wires: [['out']] }, { id: 'out', type: 'helper' }] as TestFlows);
    const n1 = helper.getNode('nfn-norm') as unknown as TestNode;
    for (const inj of injects) {
      const got = collect();
      const msg: Msg = { payload: JSON.parse(inj.payload) };
      const nf = (inj.props as { p: string; v?: string }[]).find((p) => p.p === 'networkFlows');
      if (nf) msg.networkFlows = JSON.parse(nf.v!);
      n1.receive(msg);
      const [out] = await got;
      out!.payload.length.should.be.above(0, inj.name);
      for (const rec of out!.payload) rec.should.have.properties('kind', 'vendor', 'ts', 'direction');
    }
  });
});
