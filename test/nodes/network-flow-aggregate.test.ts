import 'should';
import FakeTimers from '@sinonjs/fake-timers';
import helper, { type TestFlowsItem } from 'node-red-node-test-helper';
import aggregateNode = require('../../nodes/network-flow-aggregate');
import type { NetworkFlow } from '../../nodes/lib/network-flow';
import { pinDate } from '../support/clock';

helper.init(require.resolve('node-red'));

const MIN = 60_000;
const T0 = Date.UTC(2024, 5, 3, 10);

function flow(ts: number, ip: string, bytes: number, more: Partial<NetworkFlow> = {}): NetworkFlow {
  return { kind: 'flow', vendor: 'firewalla', endpoint: 'flows', ts, src: { ip }, dst: { ip: '1.1.1.1', port: 443 }, direction: 'outbound', bytes, ...more };
}

interface Received { topic?: string; payload: unknown; window?: { start: number; end: number }; action?: string; totals?: Record<string, number> }

function collect(n: ReturnType<typeof helper.getNode>): Received[] {
  const got: Received[] = [];
  n.on('input', (msg) => got.push(msg as unknown as Received));
  return got;
}

type FlowItem = Record<string, unknown> & { id: string; type: string };
const load = (items: FlowItem[]): Promise<void> => helper.load(aggregateNode, items as TestFlowsItem[]);
const tick = (ms = 30): Promise<void> => new Promise((r) => setTimeout(r, ms));

const base = {
  id: 'ag', type: 'network-flow-aggregate', z: 'f1', name: 'talkers', groupBy: 'src.ip', labelPath: '', metrics: 'sum:bytes,count',
  window: '60', timeZone: 'UTC', lateness: '0', topN: '2', sortBy: '', maxGroups: '100', dedup: true, output: 'rows', wallFlush: '',
  persist: false, store: '',
};

const batch = [flow(T0 + 1000, 'a', 100), flow(T0 + 2000, 'b', 50), flow(T0 + 3000, 'c', 30), flow(T0 + 4000, 'a', 20)];

describe('network-flow-aggregate node', () => {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  async function run(overrides: Record<string, unknown>, msgs: Array<Record<string, unknown>>): Promise<Received[]> {
    await load([{ ...base, ...overrides, wires: [['h1']] }, { id: 'h1', type: 'helper', z: 'f1' }]);
    const got = collect(helper.getNode('h1'));
    for (const m of msgs) helper.getNode('ag').receive(m as never);
    await tick();
    return got;
  }

  it('sends table rows with the top N, "other" and totals when record time closes a window', async () => {
    const got = await run({}, [{ payload: batch }, { payload: [flow(T0 + MIN + 5, 'z', 1)] }]);
    got.should.have.length(1);
    got[0]!.topic!.should.equal('talkers');
    got[0]!.window!.should.containEql({ start: T0, end: T0 + MIN });
    (got[0]!.payload as Array<Record<string, unknown>>).map((r) => [r.label, r.bytes, r.flows, r.src_ip]).should.eql([
      ['a', 120, 2, 'a'], ['b', 50, 1, 'b'], ['other', 30, 1, null],
    ]);
    got[0]!.totals!.should.eql({ bytes: 200, flows: 4 });
  });

  it('sends bar/pie chart points with action replace, in the shape ui-chart reads', async () => {
    const got = await run({ output: 'chart' }, [{ payload: batch, flush: true }]);
    got[0]!.action!.should.equal('replace');
    got[0]!.payload!.should.eql([{ series: 'bytes', x: 'a', y: 120 }, { series: 'bytes', x: 'b', y: 50 }, { series: 'bytes', x: 'other', y: 30 }]);
  });

  it('sends line points per group at the window start', async () => {
    const got = await run({ output: 'timeseries', topN: '0' }, [{ payload: batch }, { flush: true }]);
    got[0]!.payload!.should.eql([{ series: 'a', x: T0, y: 120 }, { series: 'b', x: T0, y: 50 }, { series: 'c', x: T0, y: 30 }]);
  });

  it('sends one message per group for a database', async () => {
    const got = await run({ output: 'groups', topN: '0' }, [{ payload: batch, flush: true }]);
    got.map((m) => m.topic).should.eql(['a', 'b', 'c']);
    (got[0]!.payload as Record<string, unknown>).should.containEql({ windowStart: new Date(T0).toISOString(), label: 'a', bytes: 120, flows: 2 });
  });

  it('counts records from overlapping polls once', async () => {
    const conn = (i: number): NetworkFlow => flow(T0 + i * 1000, 'a', 10, {
      start: T0 + i * 1000 - 100, protocol: { number: 17, name: 'udp' }, src: { ip: '10.0.0.1', port: 5000 + i }, dst: { ip: '8.8.8.8', port: 53 },
    });
    const poll1 = [0, 1, 2, 3].map(conn);
    const poll2 = [2, 3, 4].map(conn);
    const got = await run({ groupBy: 'src.ip' }, [{ payload: poll1 }, { payload: poll2 }, { flush: true }]);
    got[0]!.totals!.should.eql({ bytes: 50, flows: 5 });
  });

  it('aggregates each message on its own with a per-message window', async () => {
    const got = await run({ window: 'message', topN: '0' }, [{ payload: batch }, { payload: [flow(T0, 'q', 9)] }]);
    got.should.have.length(2);
    (got[1]!.payload as Array<Record<string, unknown>>).map((r) => [r.label, r.bytes]).should.eql([['q', 9]]);
  });

  it('warns about bad records and keeps the good ones; rejects a payload that is not records', async () => {
    await load([{ ...base, wires: [['h1']] }, { id: 'h1', type: 'helper', z: 'f1' }]);
    const n = helper.getNode('ag');
    const got = collect(helper.getNode('h1'));
    const warnings: string[] = [];
    const errors: string[] = [];
    (n as unknown as NodeJS.EventEmitter).on('call:warn', (call: { args: unknown[] }) => warnings.push(String(call.args[0])));
    (n as unknown as NodeJS.EventEmitter).on('call:error', (call: { args: unknown[] }) => errors.push(String(call.args[0])));
    n.receive({ payload: [flow(T0, 'a', 5), { ...flow(T0, 'a', 5), bytes: 'x' }], flush: true } as never);
    n.receive({ payload: 'nope' } as never);
    await tick();
    // The test runtime has no message catalogue: the warning is its key.
    warnings.should.eql(['network-flow-aggregate.errors.badRecords']);
    errors.some((e) => /payload: expected a NetworkFlow record/.test(e)).should.be.true(errors.join('|'));
    (got[0]!.payload as Array<Record<string, unknown>>)[0]!.bytes!.should.equal(5);
  });

  it('logs a bad configuration as an error naming the field', async () => {
    await load([{ ...base, window: '7', wires: [[]] }]);
    helper.getNode('ag').receive({ payload: batch } as never);
    await tick();
    const logs = (helper.log() as unknown as { args: Array<[{ level: number; msg?: unknown; type?: string }]> }).args.map((a) => a[0]);
    logs.some((l) => l.type === 'network-flow-aggregate' && /window/.test(String(l.msg))).should.be.true();
  });

  describe('with fake timers', () => {
    let clock: ReturnType<typeof FakeTimers.install> | undefined;
    afterEach(() => {
      clock?.uninstall();
      clock = undefined;
    });

    it('closes windows by the wall clock when wallFlush is set, and sends nothing after close', async () => {
      clock = FakeTimers.install({ now: T0 + 5000, toFake: ['setInterval', 'clearInterval', 'Date', 'setTimeout', 'clearTimeout'] });
      await load([{ ...base, lateness: '10', wallFlush: '5', wires: [['h1']] }, { id: 'h1', type: 'helper', z: 'f1' }]);
      const got = collect(helper.getNode('h1'));
      helper.getNode('ag').receive({ payload: batch } as never);
      await clock.tickAsync(60_000); // wall clock T0+65s: window end + lateness not yet passed
      got.should.have.length(0);
      await clock.tickAsync(10_000); // T0+75s
      got.should.have.length(1);
      (got[0]!.payload as Array<Record<string, unknown>>)[0]!.label!.should.equal('a');
      helper.getNode('ag').receive({ payload: [flow(T0 + 80_000, 'late-window', 1)] } as never);
      await helper.unload();
      await clock.tickAsync(600_000);
      got.should.have.length(1);
    });
  });

  it('saves open windows to the context every minute and restores them before the first message', async () => {
    type Ctx = { get: (k: string, cb: (e: unknown, v: unknown) => void) => void; set: (k: string, v: unknown, cb: (e?: unknown) => void) => void };
    const ctxOf = (): Ctx => (helper.getNode('ag') as unknown as { context: () => Ctx }).context();
    const clock = FakeTimers.install({ toFake: ['setInterval', 'clearInterval'] });
    let saved: unknown;
    try {
      await load([{ ...base, persist: true, wires: [['h1']] }, { id: 'h1', type: 'helper', z: 'f1' }]);
      helper.getNode('ag').receive({ payload: batch } as never);
      await tick();
      await clock.tickAsync(60_000);
      saved = await new Promise<unknown>((r) => ctxOf().get('aggregateState', (_e, v) => r(v)));
      (saved as { windows: unknown[] }).windows.should.have.length(1);
      saved = JSON.parse(JSON.stringify(saved));
      await helper.unload();
    } finally {
      clock.uninstall();
    }

    await load([{ ...base, persist: true, wires: [['h1']] }, { id: 'h1', type: 'helper', z: 'f1' }]);
    await new Promise<void>((r) => ctxOf().set('aggregateState', saved, () => r()));
    const got = collect(helper.getNode('h1'));
    helper.getNode('ag').receive({ payload: [flow(T0 + MIN + 1, 'next', 1)] } as never);
    await tick();
    got.should.have.length(1);
    (got[0]!.payload as Array<Record<string, unknown>>).map((r) => [r.label, r.bytes]).should.eql([['a', 120], ['b', 50], ['other', 30]]);
  });
});

describe('aggregate-alerts-table.json example (anomaly alerts into a table)', () => {
  // The spike is dated from Date.now() (here and in the example's function node): pinned.
  pinDate();
  const functionNode = require('@node-red/nodes/core/function/10-function.js') as Parameters<typeof helper.load>[0];
  const anomalyNode = require('../../nodes/network-flow-anomaly') as Parameters<typeof helper.load>[0];
  const example = require('../../examples/aggregate-alerts-table.json') as FlowItem[];
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  it('adds a row when the spike alerts and removes it when the device resolves', async function () {
    // Waits are counted in polls: generous, since a loaded CI machine may take seconds.
    this.timeout(15_000);
    const keep = new Set(['function', 'network-flow-anomaly']);
    const table = example.find((n) => n.type === 'ui-table')!;
    const flow: FlowItem[] = example.filter((n) => keep.has(n.type)).map((n) => ({ ...n, z: 'f1' }));
    flow.push({ id: table.id, type: 'helper', z: 'f1' });
    await helper.load([functionNode, anomalyNode].flat(), flow as TestFlowsItem[]);
    const rows = collect(helper.getNode(table.id));
    const spikeFn = example.find((n) => n.id === 'agat-spike-fn')!;
    helper.getNode(spikeFn.id).receive({ payload: Date.now() } as never);
    for (let i = 0; i < 400 && rows.length === 0; i++) await tick(20);
    rows.should.have.length(1);
    const first = rows[0]!.payload as Array<Record<string, unknown>>;
    Array.from(first, (r) => [r.key, r.metric, r.value]).should.eql([['spike-demo', 'sum:bytes', 2_000_000_000]]);
    // A quiet next minute for the device: the anomaly node resolves, the row goes.
    const next = Math.ceil((Date.now() + 1) / MIN) * MIN + 1000;
    helper.getNode('agat-anom').receive({ payload: [flow_(next, 'spike-demo')], flush: true } as never);
    for (let i = 0; i < 400 && rows.length === 1; i++) await tick(20);
    rows.should.have.length(2);
    (rows[1]!.payload as unknown[]).length.should.equal(0);
  });

  function flow_(ts: number, device: string): NetworkFlow {
    return flow(ts, '192.168.1.250', 10, { device: { name: device } });
  }
});
