import 'should';
import helper, { type TestFlows } from 'node-red-node-test-helper';
import filterNode = require('../../nodes/network-flow-filter');
import { pinDate } from '../support/clock';

helper.init(require.resolve('node-red'));

interface TestNode {
  on(event: string, cb: (arg: never) => void): void;
  receive(msg: Record<string, unknown>): void;
}
interface SpyCall {
  args: unknown[];
}

const recs = [
  { src: { ip: '10.1.1.1', port: 50000 }, dst: { ip: '93.184.216.34', port: 443 }, protocol: { number: 6, name: 'tcp' }, bytes: 5e6, app: 'HTTPS', direction: 'outbound' },
  { src: { ip: '10.1.1.2', port: 50001 }, dst: { ip: '8.8.8.8', port: 53 }, protocol: { number: 17, name: 'udp' }, bytes: 200, app: 'DNS', direction: 'outbound' },
  { src: { ip: '192.168.5.5', port: 40000 }, dst: { ip: '10.1.1.1', port: 22 }, protocol: { number: 6, name: 'tcp' }, bytes: 9e6, app: 'SSH', direction: 'inbound' },
];

function flow(props: Record<string, unknown>, wires: string[][] = [['out1'], ['out2']]): TestFlows {
  return [
    { id: 'f1', type: 'network-flow-filter', name: 'f', expression: 'bytes > 1M', outputs: 2, sendEmpty: false, wires, ...props },
    { id: 'out1', type: 'helper' },
    { id: 'out2', type: 'helper' },
  ] as TestFlows;
}

/** Collects what arrives at each helper node until `settleMs` passes without a message. */
function collect(ids: string[], settleMs = 80): Promise<Record<string, Array<Record<string, unknown>>>> {
  const got: Record<string, Array<Record<string, unknown>>> = {};
  return new Promise((resolve) => {
    let timer = setTimeout(() => resolve(got), settleMs);
    for (const id of ids) {
      got[id] = [];
      (helper.getNode(id) as unknown as TestNode).on('input', (msg: never) => {
        got[id]!.push(msg);
        clearTimeout(timer);
        timer = setTimeout(() => resolve(got), settleMs);
      });
    }
  });
}

/** The next call of node.error / warn / status; for errors, the next one with an Error (done(err)). */
/** The next call of `method`, skipping the status clear a node does at deploy and calls `skip` names. */
function nextCall(node: TestNode, method: 'error' | 'warn' | 'status', skip: (arg: unknown) => boolean = () => false): Promise<SpyCall> {
  return new Promise((resolve) =>
    node.on(`call:${method}`, (call: never) => {
      const arg = (call as SpyCall).args[0];
      if (method === 'status' && arg !== null && typeof arg === 'object' && Object.keys(arg).length === 0) return;
      if (!skip(arg)) resolve(call);
    }),
  );
}

describe('network-flow-filter node', () => {
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

  it('routes matches to output 1 and the rest to output 2, array in, arrays out, props kept', async () => {
    await helper.load(filterNode, flow({}));
    const f = helper.getNode('f1') as unknown as TestNode;
    const got = collect(['out1', 'out2']);
    f.receive({ payload: recs, topic: 'batch', networkFlows: { vendor: 'firewalla' } });
    const r = await got;
    r.out1!.length.should.equal(1);
    r.out2!.length.should.equal(1);
    (r.out1![0]!.payload as unknown[]).should.eql([recs[0], recs[2]]);
    (r.out2![0]!.payload as unknown[]).should.eql([recs[1]]);
    for (const m of [r.out1![0]!, r.out2![0]!]) {
      m.topic!.should.equal('batch');
      m.networkFlows!.should.eql({ vendor: 'firewalla' });
    }
    // Two messages, not one object on both outputs.
    (r.out1![0] !== r.out2![0]).should.be.true();
    (r.out1![0]!.networkFlows !== r.out2![0]!.networkFlows).should.be.true();
  });

  it('one output: only the matches are sent; a single record stays a single record', async () => {
    await helper.load(filterNode, flow({ outputs: 1, expression: 'proto tcp and dst port in [22, 443]' }, [['out1']]));
    const f = helper.getNode('f1') as unknown as TestNode;
    const got = collect(['out1', 'out2']);
    f.receive({ payload: recs });
    f.receive({ payload: recs[0] });
    f.receive({ payload: recs[1] });
    const r = await got;
    r.out2!.length.should.equal(0);
    r.out1!.length.should.equal(2);
    (r.out1![0]!.payload as unknown[]).should.eql([recs[0], recs[2]]);
    r.out1![1]!.payload!.should.eql(recs[0]);
  });

  it('two outputs with a single record: it goes to exactly one output', async () => {
    await helper.load(filterNode, flow({ expression: 'app dns' }));
    const f = helper.getNode('f1') as unknown as TestNode;
    const got = collect(['out1', 'out2']);
    f.receive({ payload: recs[1], n: 1 });
    f.receive({ payload: recs[0], n: 2 });
    const r = await got;
    r.out1!.map((m) => m.n).should.eql([1]);
    r.out2!.map((m) => m.n).should.eql([2]);
    r.out2![0]!.payload!.should.eql(recs[0]);
  });

  it('does not send empty arrays unless sendEmpty is set', async () => {
    await helper.load(filterNode, flow({ expression: 'bytes > 1T' }));
    let f = helper.getNode('f1') as unknown as TestNode;
    let got = collect(['out1', 'out2']);
    f.receive({ payload: recs });
    let r = await got;
    r.out1!.length.should.equal(0);
    r.out2!.length.should.equal(1);
    (r.out2![0]!.payload as unknown[]).length.should.equal(3);
    await helper.unload();

    await helper.load(filterNode, flow({ expression: 'bytes > 1T', sendEmpty: true }));
    f = helper.getNode('f1') as unknown as TestNode;
    got = collect(['out1', 'out2']);
    f.receive({ payload: recs });
    f.receive({ payload: [] });
    r = await got;
    r.out1!.map((m) => (m.payload as unknown[]).length).should.eql([0, 0]);
    r.out2!.map((m) => (m.payload as unknown[]).length).should.eql([3, 0]);
  });

  it('msg.filter replaces the expression for that message; a bad one is reported with its column', async () => {
    await helper.load(filterNode, flow({ expression: 'bytes > 1M' }));
    const f = helper.getNode('f1') as unknown as TestNode;
    const got = collect(['out1', 'out2']);
    f.receive({ payload: recs, filter: 'app dns' });
    f.receive({ payload: recs });
    const r = await got;
    (r.out1![0]!.payload as Array<{ app: string }>).map((x) => x.app).should.eql(['DNS']);
    (r.out1![1]!.payload as Array<{ app: string }>).map((x) => x.app).should.eql(['HTTPS', 'SSH']);
    r.out1![0]!.filter!.should.equal('app dns');

    const err = nextCall(f, 'error');
    f.receive({ payload: recs, filter: 'dst port https' });
    const call = await err;
    const e = call.args[0] as { code: string; field: string; column: number; message: string };
    e.code.should.equal('BAD_INPUT');
    e.field.should.equal('filter');
    e.column.should.equal(10);
    e.message.should.equal('filter: column 10: expected a port number or range after "port", found "https"');
  });

  it('keeps many msg.filter expressions right through the cache (eviction included)', async () => {
    await helper.load(filterNode, flow({ outputs: 1 }, [['out1']]));
    const f = helper.getNode('f1') as unknown as TestNode;
    const got = collect(['out1'], 150);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 40; i++) f.receive({ payload: recs, filter: `bytes > ${i * 250}k`, i });
    }
    const r = await got;
    const expected = (i: number): number => recs.filter((x) => x.bytes > i * 250_000).length;
    const sent = r.out1!;
    for (const m of sent) (m.payload as unknown[]).length.should.equal(expected(m.i as number));
    // 0..19 * 250k are below 5M: three or two records; 20..35 only the 9M one; >= 36 none.
    sent.length.should.equal(2 * 36);
  });

  it('a bad expression at deploy: error and red status, then an error per message, no crash', async () => {
    // load() installs spies on the node prototype before the constructor runs.
    await helper.load(filterNode, flow({ expression: 'src net 10.0.0.0/8 and port https' }));
    const f = helper.getNode('f1') as unknown as TestNode & { error: { args: unknown[][] }; status: { args: unknown[][] } };
    f.error.args.map((a) => a[0]).should.eql(['Invalid filter expression: expression: column 29: expected a port number or range after "port", found "https"']);
    // Cleared first (a previous instance's red status goes), then red for this one.
    f.status.args.map((a) => a[0]).should.eql([{}, { fill: 'red', shape: 'ring', text: 'invalid expression' }]);

    const got = collect(['out1', 'out2']);
    const err = nextCall(f, 'error', (arg) => String(arg).startsWith('Invalid filter expression'));
    f.receive({ payload: recs });
    const call = await err;
    call.args[0]!.should.equal('expression: column 29: expected a port number or range after "port", found "https"');
    // The same message can still be filtered with a good msg.filter.
    f.receive({ payload: recs, filter: 'app ssh' });
    const r = await got;
    r.out1!.length.should.equal(1);
    r.out2!.length.should.equal(1);
  });

  it('reports a payload that is not records, and skips non-record entries of a batch', async () => {
    await helper.load(filterNode, flow({ expression: 'any' }));
    const f = helper.getNode('f1') as unknown as TestNode;
    const err = nextCall(f, 'error');
    f.receive({ payload: 'hello' });
    // No Catch node: one readable line, as core nodes log it.
    String((await err).args[0]).should.match(/^payload: expected a NetworkFlow record or an array of records, got string/);

    const got = collect(['out1', 'out2']);
    const warn = nextCall(f, 'warn');
    f.receive({ payload: [recs[0], null, 5, recs[1]] });
    (await warn).args[0]!.should.equal('2 entries of msg.payload are not records (the first at index 1); they were skipped');
    const r = await got;
    (r.out1![0]!.payload as unknown[]).should.eql([recs[0], recs[1]]);
    r.out2!.length.should.equal(0);
  });

  it('shows matched / total in the status', async () => {
    await helper.load(filterNode, flow({}));
    const f = helper.getNode('f1') as unknown as TestNode;
    const status = nextCall(f, 'status');
    f.receive({ payload: recs });
    (await status).args[0]!.should.eql({ fill: 'green', shape: 'dot', text: '2 / 3 matched' });
  });

  describe('POST /network-flows/validate (the editor\'s check of the expression)', () => {
    beforeEach(async () => {
      await helper.load(filterNode, flow({}));
    });
    const check = (props: Record<string, unknown>) => helper.request().post('/network-flows/validate').send({ type: 'network-flow-filter', props });

    it('answers ok for a valid expression', async () => {
      const res = await check({ expression: 'proto udp and not dst port in [53, 123]', outputs: 1 }).expect(200);
      res.body.should.eql({ ok: true, fields: {} });
    });

    it('answers the line, column and message for a bad one', async () => {
      const res = await check({ expression: 'proto tcp and dst port https' }).expect(200);
      res.body.should.eql({ ok: false, fields: { expression: { line: 1, column: 24, message: 'column 24: expected a port number or range after "port", found "https"' } } });
    });

    it('rejects a request without props or with an unknown type', async () => {
      (await helper.request().post('/network-flows/validate').send({ type: 'network-flow-filter' }).expect(400)).body.ok.should.be.false();
      (await helper.request().post('/network-flows/validate').send({ type: 'function', props: {} }).expect(400)).body.ok.should.be.false();
    });
  });

  describe('the rule builder (network-flows/filter-rules)', () => {
    beforeEach(async () => {
      await helper.load(filterNode, flow({}));
    });

    it('writes rules as an expression the parser accepts and reads it back', async () => {
      const rules = [{ field: 'src net', op: '=', value: '10.0.0.0/8, 192.168.0.0/16' }, { field: 'dst port', op: 'in', value: '53, 123' },
        { field: 'app', op: '=', value: 'Google Drive' }, { field: 'path', op: '=', value: 'x y', path: 'raw.vpathclass' }];
      const written = await helper.request().post('/network-flows/filter-rules').send({ join: 'or', rules }).expect(200);
      written.body.should.eql({ ok: true, expression: 'src net 10.0.0.0/8,192.168.0.0/16 or dst port in [53, 123] or app "Google Drive" or raw.vpathclass = "x y"' });
      const read = await helper.request().post('/network-flows/filter-rules').send({ expression: written.body.expression }).expect(200);
      read.body.should.eql({ ok: true, join: 'or', rules: [rules[0], rules[1], rules[2], { ...rules[3], value: '"x y"' }] });
    });

    it('says when an expression is too complex to show as rules, or invalid', async () => {
      for (const e of ['(proto tcp or proto udp) and dst port 53', 'proto tcp and not dst port 53', 'proto tcp and dst port 53 or bytes > 1M', 'src country CN']) {
        const res = await helper.request().post('/network-flows/filter-rules').send({ expression: e }).expect(200);
        res.body.should.match({ ok: false, reason: 'complex' }, e);
      }
      (await helper.request().post('/network-flows/filter-rules').send({ expression: 'bytes >' })).body.should.match({ ok: false, reason: 'invalid' });
    });

    it('lists the rows it offers', async () => {
      const res = await helper.request().get('/network-flows/filter-rules').expect(200);
      (res.body.fields as Array<{ field: string }>).map((f) => f.field).should.containEql('dst port');
    });
  });
});
