import 'should';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import helper from 'node-red-node-test-helper';
import anomalyNode = require('../../nodes/network-flow-anomaly');

const catchNode = require('@node-red/nodes/core/common/25-catch.js') as unknown;
import webhookExample = require('../../examples/anomaly-webhook.json');
import { AnomalyEngine, estimateMemory, parseOptions } from '../../nodes/lib/anomaly';
import { pinDate } from '../support/clock';
import type { NetworkFlow } from '../../nodes/lib/network-flow';

helper.init(require.resolve('node-red'));

const MIN = 60_000;
const T0 = Math.ceil(1.7e12 / MIN) * MIN;

function flow(ts: number, ip: string, bytes: number): NetworkFlow {
  return { kind: 'flow', vendor: 'firewalla', endpoint: 'flows', ts, src: { ip }, dst: { ip: '1.1.1.1', port: 443 }, direction: 'outbound', bytes };
}

/** One record per window with the given byte counts. */
function stream(xs: number[], ip = '192.168.1.23', from = 0): NetworkFlow[] {
  return xs.map((x, i) => flow(T0 + (from + i) * MIN + 1000, ip, x));
}

interface Received { topic?: string; payload: Record<string, unknown> }

/** Collects what a helper node receives. */
function collect(n: ReturnType<typeof helper.getNode>): Received[] {
  const got: Received[] = [];
  n.on('input', (msg) => got.push(msg as unknown as Received));
  return got;
}

type FlowItem = Record<string, unknown> & { id: string; type: string };
const load = (items: FlowItem[]): Promise<void> => helper.load([anomalyNode, catchNode] as never, items);

const tick = (ms = 50) => new Promise((r) => setTimeout(r, ms));

interface LogEntry { level: number; type?: string; msg?: unknown }
function logged(level: 'ERROR' | 'WARN'): LogEntry[] {
  const spy = helper.log() as unknown as { args: [LogEntry][]; ERROR: number; WARN: number };
  return spy.args.map((a) => a[0]).filter((e) => e.type === 'network-flow-anomaly' && e.level === spy[level]);
}

const base = {
  id: 'an', type: 'network-flow-anomaly', z: 'f1', name: '', key: 'src.ip', metric: 'sum:bytes', window: '60',
  windowType: 'tumbling', rule: 'threshold', threshold: '1000', band: '3', alpha: '0.1', warmup: '', pending: '1',
  cooldown: '3600', resolve: false, maxKeys: '100', lateness: '0', persist: false, outputs: 1,
  // T0 lies years before the pinned date: these tests replay history and expect its alerts.
  backfill: 'alert',
};

/** The node wired to a helper, with a Catch node wired to another. */
async function loadWithCatch(): Promise<{ got: Received[]; caught: Received[] }> {
  await load([
    { ...base, wires: [['h1']] },
    { id: 'c1', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'h1', type: 'helper', z: 'f1' },
    { id: 'caught', type: 'helper', z: 'f1' },
  ]);
  return { got: collect(helper.getNode('h1')), caught: collect(helper.getNode('caught')) };
}

describe('network-flow-anomaly node', () => {
  pinDate();
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  it('sends one message per alert on output 1, ready for a webhook', async () => {
    await load([
      { ...base, wires: [['h1']] },
      { id: 'h1', type: 'helper', z: 'f1' },
    ]);
    const got = collect(helper.getNode('h1'));
    const an = helper.getNode('an');
    an.receive({ payload: stream([10, 10, 5000, 5000, 10, 10]) });
    an.receive({ payload: flow(T0 + 10 * MIN, '192.168.1.23', 1) });
    await tick();
    got.length.should.equal(1);
    got[0]!.topic!.should.equal('192.168.1.23: sum:bytes 5 kB in 60 s above threshold 1 kB');
    got[0]!.payload.should.match({
      key: '192.168.1.23', keyFields: { 'src.ip': '192.168.1.23' }, metric: 'sum:bytes', value: 5000, threshold: 1000,
      window: { start: T0 + 2 * MIN, end: T0 + 3 * MIN }, firstSeen: T0 + 1000, rule: 'threshold',
    });
    (got[0]!.payload.sample as unknown[]).length.should.equal(1);
    JSON.parse(JSON.stringify(got[0]!.payload)).should.eql(got[0]!.payload); // plain JSON for http request
  });

  it('sends resolves on output 2 when resolve is on', async () => {
    await load([
      { ...base, resolve: true, outputs: 2, wires: [['h1'], ['h2']] },
      { id: 'h1', type: 'helper', z: 'f1' },
      { id: 'h2', type: 'helper', z: 'f1' },
    ]);
    const alerts = collect(helper.getNode('h1'));
    const resolves = collect(helper.getNode('h2'));
    helper.getNode('an').receive({ payload: stream([10, 5000, 5000, 10, 10]) });
    await tick();
    alerts.length.should.equal(1);
    resolves.length.should.equal(1);
    resolves[0]!.payload.should.match({ resolved: true, value: 10, since: T0 + 2 * MIN, window: { start: T0 + 3 * MIN } });
    resolves[0]!.topic!.should.match(/back to normal/);
  });

  it('closes the last windows on msg.flush and forgets everything on msg.reset', async () => {
    await load([
      { ...base, wires: [['h1']] },
      { id: 'h1', type: 'helper', z: 'f1' },
    ]);
    const got = collect(helper.getNode('h1'));
    const an = helper.getNode('an');
    an.receive({ payload: stream([10, 5000]) });
    await tick();
    got.length.should.equal(0); // window 1 still open: no record after it yet
    an.receive({ flush: true });
    await tick();
    got.length.should.equal(1);
    an.receive({ reset: true });
    an.receive({ payload: stream([5000], '192.168.1.23', 5) });
    an.receive({ flush: true });
    await tick();
    got.length.should.equal(2);
  });

  it('reports a bad configuration at deploy, naming the field, and refuses input', async () => {
    await load([
      { ...base, window: '-5', wires: [['h1']] },
      { id: 'h1', type: 'helper', z: 'f1' },
    ]);
    const errs = logged('ERROR');
    errs.length.should.be.above(0); // the test runtime may echo an entry through the flow's log
    errs.forEach((e) => String(e.msg).should.match(/^window: -5 is out of range/));
    const got = collect(helper.getNode('h1'));
    helper.getNode('an').receive({ payload: stream([5000, 5000, 5000]) });
    await tick();
    got.length.should.equal(0);
    // done(err) for the message: the configuration error again.
    logged('ERROR').length.should.be.above(errs.length);
    String(logged('ERROR').pop()!.msg).should.match(/window: -5/);
  });

  it('reports bad records to Catch with a code and msg.invalid, and keeps the rest of the batch', async () => {
    const { got, caught } = await loadWithCatch();
    const recs: unknown[] = stream([5000, 10]);
    recs.splice(1, 0, { src: { ip: 'x' }, bytes: 1 });
    helper.getNode('an').receive({ payload: recs });
    await tick();
    got.length.should.equal(1);
    caught.length.should.equal(1); // one report per message, not one per record
    const m = caught[0] as unknown as { error: { code?: string; message: string }; invalid: { index: number; reason: string }[] };
    m.error.code!.should.equal('BAD_INPUT');
    m.invalid.should.eql([{ index: 1, reason: 'ts: missing (expected a record time in epoch ms or an ISO date)' }]);
  });

  it('reports a nanosecond time and a key nested 5,000 levels deep as bad records, not as exceptions', async () => {
    const { got, caught } = await loadWithCatch();
    let deep: unknown = '10.0.0.9';
    for (let i = 0; i < 5000; i++) deep = { ip: deep };
    const recs: unknown[] = [
      { ...flow(T0 + 1000, '10.0.0.1', 5000), ts: T0 * 1e6 },
      { ...flow(T0 + 2000, '10.0.0.2', 5000), src: deep },
      flow(T0 + 3000, '192.168.1.23', 5000),
    ];
    helper.getNode('an').receive({ payload: recs });
    helper.getNode('an').receive({ flush: true });
    await tick();
    got.length.should.equal(1); // the good record still alerts
    caught.length.should.equal(1);
    const m = caught[0] as unknown as { error: { code?: string; message: string }; invalid: { index: number; reason: string }[] };
    m.error.code!.should.equal('BAD_INPUT');
    m.invalid.map((x) => x.index).should.eql([0, 1]);
    m.invalid[0]!.reason.should.match(/^ts: .* out of range .*nanoseconds/);
    m.invalid[1]!.reason.should.match(/^src\.ip: nested deeper than/);
  });

  it('uses the band saved as `k` by flows from before the rename', async () => {
    // A steady series with a step up: above mean + 1 std but inside mean + 3 std.
    const xs = [1000, 1100, 1000, 1100, 1000, 1100, 1000, 1100, 1180];
    const opts = { key: 'src.ip', metric: 'sum:bytes', window: 60, rule: 'ewma', alpha: 0.3, warmup: 4, lateness: 0 };
    const alertsWith = (band: number): number => {
      const e = new AnomalyEngine({ ...opts, band });
      return [...e.ingest(stream(xs)).events, ...e.flush()].filter((ev) => ev.type === 'alert').length;
    };
    alertsWith(1).should.equal(1);
    alertsWith(3).should.equal(0); // the default band: the old value must not be lost
    const old: Record<string, unknown> = { ...base, rule: 'ewma', alpha: '0.3', warmup: '4', threshold: '', k: '1', wires: [['h1']] };
    delete old.band;
    await load([old as FlowItem, { id: 'h1', type: 'helper', z: 'f1' }]);
    const got = collect(helper.getNode('h1'));
    helper.getNode('an').receive({ payload: stream(xs) });
    helper.getNode('an').receive({ flush: true });
    await tick();
    got.length.should.equal(1);
  });

  it('answers the dialog\'s memory check from the runtime\'s estimate, and warns at deploy above the limit', async () => {
    await load([{ ...base, maxKeys: '1000000', wires: [[]] }]);
    const warns = logged('WARN');
    warns.length.should.be.above(0); // the test runtime may echo an entry through the flow's log
    warns.forEach((w) => String(w.msg).should.match(/^worst-case memory of these settings is /));
    const small = await helper.request().post('/network-flow-anomaly/memory').send({ ...base, maxKeys: '1000' }).expect(200);
    const want = estimateMemory(parseOptions({ key: 'src.ip', metric: 'sum:bytes', window: 60, rule: 'threshold', threshold: 1000, maxKeys: 1000, lateness: 0 }));
    (small.body as { text: string; overLimit: boolean }).should.containEql({ ok: true, text: want.text, overLimit: false });
    const big = await helper.request().post('/network-flow-anomaly/memory').send({ ...base, maxKeys: '1000000', metric: 'distinct:dst.ip' }).expect(200);
    (big.body as { overLimit: boolean }).overLimit.should.be.true();
    // An old flow's `k` is read there too; a bad setting names its field.
    const bad = await helper.request().post('/network-flow-anomaly/memory').send({ ...base, band: '', k: '-1' }).expect(200);
    (bad.body as { ok: boolean; field: string }).should.containEql({ ok: false, field: 'band' });
    await helper.request().post('/network-flow-anomaly/memory').send([1]).expect(400);
  });

  it('rejects a payload that is not records', async () => {
    await load([{ ...base, wires: [[]] }]);
    helper.getNode('an').receive({ payload: 'hello' });
    await tick();
    String(logged('ERROR')[0]!.msg).should.match(/payload: expected a NetworkFlow record/);
  });

  it('sends nothing after close', async () => {
    await load([
      { ...base, wires: [['h1']] },
      { id: 'h1', type: 'helper', z: 'f1' },
    ]);
    const got = collect(helper.getNode('h1'));
    const an = helper.getNode('an');
    an.receive({ payload: stream([5000]) });
    await tick();
    await an.close(false);
    an.receive({ payload: stream([5000, 5000, 5000], '192.168.1.23', 1) });
    an.receive({ flush: true });
    await tick(100);
    got.length.should.equal(0);
  });

  it('persists its state in the node context: restored before the first message, saved on close', async () => {
    const opts = { key: 'src.ip', metric: 'sum:bytes', window: 60, rule: 'ewma', warmup: 5, cooldown: 0, lateness: 0 };
    // Yesterday's baseline: ten quiet windows, as the node would have saved it.
    const before = new AnomalyEngine(opts);
    before.ingest(stream([1000, 1010, 990, 1005, 995, 1000, 1002, 998, 1001, 999]));
    await load([
      { ...base, rule: 'ewma', threshold: '', warmup: '5', cooldown: '0', persist: true, wires: [['h1']] },
      { id: 'h1', type: 'helper', z: 'f1' },
    ]);
    const got = collect(helper.getNode('h1'));
    const an = helper.getNode('an');
    await an.context().set('anomalyState', JSON.parse(JSON.stringify(before.exportState())));
    // Without the restored baseline, warm-up would hide this spike.
    an.receive({ payload: stream([50_000, 1000], '192.168.1.23', 10) });
    await tick();
    got.length.should.equal(1);
    got[0]!.payload.should.match({ value: 50_000, window: { start: T0 + 10 * MIN } });
    (got[0]!.payload.baseline as { mean: number }).mean.should.be.approximately(1000, 20);
    // Watch what close writes: with no persistent store configured (as here), the runtime
    // deletes a node's context right after its close handlers have run.
    const ctx = an.context();
    const writes: [string, unknown][] = [];
    type SetFn = (k: string, v: unknown, cb?: (err?: Error) => void) => void;
    const realSet = ctx.set.bind(ctx) as SetFn;
    const watched = {
      get: ctx.get.bind(ctx),
      set: ((k, v, cb) => {
        writes.push([k, v]);
        realSet(k, v, cb);
      }) as SetFn,
    };
    (an as unknown as { context: () => typeof watched }).context = () => watched;
    await an.close(false);
    writes.length.should.equal(1);
    writes[0]![0].should.equal('anomalyState');
    const saved = writes[0]![1] as { keys: { id: string; windows: number }[] };
    saved.keys.map((k) => [k.id, k.windows]).should.eql([['192.168.1.23', 11]]);
  });

  it('counts a record that arrives twice (overlapping polls) once; dedup: false counts it twice', async () => {
    const poll = [1, 2, 3].map((i) => ({ ...flow(T0 + i * 1000, '192.168.1.23', 100), src: { ip: '192.168.1.23', port: 40000 + i }, protocol: { number: 6 } }));
    const counted: number[] = [];
    for (const dedup of [undefined, false]) {
      await load([
        { ...base, metric: 'count', threshold: '2', dedup, wires: [['h1']] },
        { id: 'h1', type: 'helper', z: 'f1' },
      ]);
      const got = collect(helper.getNode('h1'));
      const an = helper.getNode('an');
      an.receive({ payload: poll });
      an.receive({ payload: poll }); // the same three records again
      an.receive({ payload: flow(T0 + 2 * MIN, '192.168.1.23', 1) });
      an.receive({ flush: true });
      await tick();
      counted.push(...got.map((m) => m.payload.value as number));
      await helper.unload();
    }
    counted.should.eql([3, 6]);
  });

  it('learns from history (windows ended before deploy) without alerting, then alerts live', async () => {
    await load([
      { ...base, backfill: undefined, wires: [['h1']] },
      { id: 'h1', type: 'helper', z: 'f1' },
    ]);
    const got = collect(helper.getNode('h1'));
    const an = helper.getNode('an');
    const start = Math.floor(Date.now() / MIN) * MIN;
    // A day's look back in the first poll, with spikes: history, no alert.
    an.receive({ payload: [10, 5000, 10, 5000, 10].map((b, i) => flow(start - (10 - i) * MIN + 1000, '192.168.1.23', b)) });
    await tick();
    got.length.should.equal(0);
    // Live: a spike in a window that ends after the deploy alerts.
    an.receive({ payload: [flow(start + MIN + 1000, '192.168.1.23', 5000), flow(start + 3 * MIN, '192.168.1.23', 1)] });
    await tick();
    got.length.should.equal(1);
    got[0]!.payload.should.match({ value: 5000, window: { start: start + MIN } });
  });

});

describe('network-flow-anomaly example flow (anomaly-webhook.json)', () => {
  // The example's function node dates its records from Date.now(): pinned here.
  pinDate();
  // Core nodes, loaded the way the test helper loads any node module.
  const functionNode = require('@node-red/nodes/core/function/10-function.js') as NodeInitializerLike;
  const httpRequestNode = require('@node-red/nodes/core/network/21-httprequest.js') as NodeInitializerLike;
  type NodeInitializerLike = Parameters<typeof helper.load>[0];
  let server: http.Server;
  let port = 0;
  const posted: { topic?: unknown; body: Record<string, unknown> }[] = [];

  before(async () => {
    await helper.startServer();
    // Stands in for the example's own http-in endpoint (the helper does not serve httpNode routes).
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        posted.push({ body: JSON.parse(body) as Record<string, unknown> });
        res.setHeader('content-type', 'application/json');
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    await helper.stopServer();
  });
  afterEach(() => helper.unload());

  it('posts the spike alert to the webhook over HTTP, and the reply comes back', async function () {
    this.timeout(20_000);
    const example = webhookExample as FlowItem[];
    const keep = new Set(['function', 'network-flow-anomaly', 'http request']);
    const flow: FlowItem[] = example
      .filter((n) => keep.has(n.type) || n.type === 'debug')
      .map((n) => {
        const c: FlowItem = { ...n, z: 'f1' };
        if (n.type === 'debug') return { id: n.id, type: 'helper', z: 'f1' };
        if (n.type === 'http request') c.url = `http://127.0.0.1:${port}/anomaly-webhook`;
        return c;
      });
    await helper.load([functionNode, httpRequestNode, anomalyNode].flat(), flow);
    const gen = example.find((n) => n.type === 'function')!;
    const replyDebug = example.find((n) => n.type === 'debug' && n.name === 'webhook reply')!;
    const replies = collect(helper.getNode(replyDebug.id));
    for (let i = 0; i < 40; i++) {
      helper.getNode(gen.id).receive({ payload: i });
      await tick(5);
    }
    for (let i = 0; i < 100 && replies.length === 0; i++) await tick(50);
    posted.length.should.equal(1);
    posted[0]!.body.should.match({ key: '192.168.1.23', metric: 'sum:bytesOut', rule: 'ewma', keyFields: { 'src.ip': '192.168.1.23' } });
    (posted[0]!.body.value as number).should.be.above(1e9);
    replies.length.should.equal(1);
    replies[0]!.payload.should.eql({ ok: true });
  });
});
