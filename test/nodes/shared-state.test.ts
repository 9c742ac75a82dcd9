/**
 * State that outlives the process (docs/state.md): Node-RED instances in child processes, a real
 * Redis (Debian's redis-server, started here), the vendor simulator. Time is the pinned `Date`
 * of this process, handed to each instance with every message; a "round" is one message to a
 * node in every running instance, the way an inject node fires in each. Assertions are on counts
 * and order, never on durations.
 */
import 'should';
import { startRedis, type RedisServer } from '../support/redis';
import { Instance } from '../support/instances';
import type { OutReport } from '../support/instance-child';
import { pinDate } from '../support/clock';
import { DEMO_CREDENTIALS, startSimulator, type Simulator } from '../../simulator/server';
import { SimFleet } from '../../simulator/fleet';
import type { FirewallaSimOptions } from '../../simulator/firewalla';
import { redisContextStore, type RedisContextStore } from '../../nodes/lib/state/redis-context-store';
import type { NetworkFlow } from '../../nodes/lib/network-flow';

const TOKEN = 'fw-shared-state-token-5d1e8a';
const MIN = 60_000;
/** SD-WAN appliances of the site list both instances poll. */
const SITES = 5;
const T0 = Math.ceil(1.7e12 / MIN) * MIN;

function record(ts: number, bytes: number, ip = '192.168.1.23'): NetworkFlow {
  return { kind: 'flow', vendor: 'firewalla', endpoint: 'flows', ts, src: { ip }, dst: { ip: '1.1.1.1', port: 443 }, direction: 'outbound', bytes };
}
/** One record per one-minute window, from window `from`. */
const stream = (xs: number[], from = 0): NetworkFlow[] => xs.map((x, i) => record(T0 + (from + i) * MIN + 1000, x));

type Meta = { query: string; count: number };
const polls = (outs: OutReport[]): Meta[] => outs.filter((o) => o.node === 'out').map((o) => o.networkFlows as Meta);
const range = (m: Meta): [number, number] => {
  const r = /ts:(\d+)-(\d+)$/.exec(m.query);
  if (!r) throw new Error(`no ts range in ${m.query}`);
  return [Number(r[1]), Number(r[2])];
};

describe('state in a shared store: restarts and two Node-RED instances on one Redis', function () {
  this.timeout(180_000); // each instance is a Node-RED started from source in its own process
  const pinned = pinDate();
  let redis: RedisServer;
  let sim: Simulator;
  let fleet: SimFleet;
  const running = new Set<Instance>();
  let prefixes = 0;

  function flow(store: string, backfill = 'learn'): Array<Record<string, unknown>> {
    return [
      { id: 'cfg', type: 'firewalla-msp-config', name: 'msp', host: sim.url, timeout: '5000' },
      {
        id: 'f1', type: 'firewalla-flows', server: 'cfg', query: '', groupBy: '', sortBy: '', limit: '500', blocked: false,
        pagination: 'all', maxPages: '20', sinceLastPoll: true, store, lease: '3', wires: [['out']],
      },
      {
        id: 'an2', type: 'network-flow-anomaly', key: 'src.ip', metric: 'sum:bytes', window: '60', windowType: 'tumbling',
        rule: 'ewma', threshold: '', band: '3', alpha: '0.1', warmup: '5', pending: '1', cooldown: '0', resolve: false,
        maxKeys: '100', lateness: '0', persist: true, store, backfill, outputs: 1, wires: [['alerts']],
      },
      {
        id: 'ag', type: 'network-flow-aggregate', name: 'talkers', groupBy: 'src.ip', labelPath: '', metrics: 'sum:bytes,count',
        window: '60', timeZone: 'UTC', lateness: '0', topN: '5', sortBy: '', maxGroups: '100', dedup: false, output: 'rows',
        wallFlush: '', persist: true, store, wires: [['rows']],
      },
      { id: 'list', type: 'network-flow-sites-config', name: 'branches', vendor: 'citrix-sdwan', sites: fleet.sims.map((s, i) => `${s.url}, site-${i}`).join('\n'), timeout: '5000' },
      {
        id: 'sp', type: 'network-flow-site-poller', server: 'list', resource: 'flows', maxStats: '50', concurrency: '5', jitter: '0',
        failuresToDown: '3', emptyToDown: '0', store, lease: '3', wires: [['sites'], []],
      },
      { id: 'out', type: 'helper' },
      { id: 'alerts', type: 'helper' },
      { id: 'rows', type: 'helper' },
      { id: 'sites', type: 'helper' },
    ];
  }

  async function start(name: string, store: string, prefix: string, backfill?: string): Promise<Instance> {
    const inst = await Instance.start({
      name, flow: flow(store, backfill), watch: ['f1', 'an2', 'ag', 'sp'],
      credentials: { cfg: { token: TOKEN }, list: { username: DEMO_CREDENTIALS.sdwanUsername, password: DEMO_CREDENTIALS.sdwanPassword } }, redisUrl: redis.url, prefix,
    });
    running.add(inst);
    return inst;
  }

  before(async () => {
    redis = await startRedis();
    const opts: FirewallaSimOptions = { vendors: ['firewalla'], credentials: { firewallaToken: TOKEN }, seed: 18, firewallaRateLimit: 100_000 };
    sim = await startSimulator(opts);
    fleet = await SimFleet.start({ sites: SITES, vendors: ['citrix-sdwan'] });
  });
  afterEach(async () => {
    await Promise.all([...running].map((i) => i.kill()));
    running.clear();
  });
  after(async () => {
    await sim.close();
    await fleet.close();
    await redis.stop();
  });

  it('a restart, graceful or killed, neither refetches nor misses a window; baselines and open windows come back', async () => {
    const prefix = `t${++prefixes}`;
    const a = await start('a', 'shared', prefix);
    const [p1] = polls(await a.round('f1'));
    await a.round('an2', { payload: stream([1000, 1010, 990, 1005, 995, 1000, 1002]) });
    await a.round('ag', { payload: [record(T0 + 8 * MIN + 1000, 120, 'a'), record(T0 + 8 * MIN + 2000, 50, 'b')] });
    await a.stop();

    pinned.tick(MIN);
    const b = await start('b', 'shared', prefix);
    const [p2] = polls(await b.round('f1'));
    range(p2!)[0].should.equal(range(p1!)[1]);
    // Without the baseline restored, warm-up would hide this spike.
    const spike = (await b.round('an2', { payload: stream([50_000, 1000], 7) })).filter((o) => o.node === 'alerts');
    spike.should.have.length(1);
    (spike[0]!.payload as { value: number }).value.should.equal(50_000);
    const rows = (await b.round('ag', { flush: true, payload: [] })).filter((o) => o.node === 'rows');
    (rows[0]!.payload as Array<{ label: string; bytes: number }>).map((r) => [r.label, r.bytes]).should.eql([['a', 120], ['b', 50]]);
    await b.kill();
    // A killed holder never released its poll lease: the next instance polls once it has lapsed
    // (before that it would be standby, as it should while the holder might still be alive).
    const probe: RedisContextStore = redisContextStore({ url: redis.url, prefix });
    await probe.open();
    try {
      while ((await probe.holder('poll:f1')) !== null) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await probe.close();
    }

    pinned.tick(MIN);
    const c = await start('c', 'shared', prefix);
    const [p3] = polls(await c.round('f1'));
    range(p3!)[0].should.equal(range(p2!)[1]);
    range(p3!)[1].should.be.above(range(p3!)[0]);
  });

  it('without a store a restart starts afresh, as before (the control)', async () => {
    const prefix = `t${++prefixes}`;
    const a = await start('a', '', prefix);
    const [p1] = polls(await a.round('f1'));
    await a.round('an2', { payload: stream([1000, 1010, 990, 1005, 995, 1000, 1002]) });
    await a.stop();
    pinned.tick(MIN);
    const b = await start('b', '', prefix);
    const [p2] = polls(await b.round('f1'));
    (range(p2!)[1] - range(p2!)[0]).should.equal(300); // the first poll's default window
    range(p2!)[0].should.not.equal(range(p1!)[1]);
    (await b.round('an2', { payload: stream([50_000, 1000], 7) })).filter((o) => o.node === 'alerts').should.have.length(0);
  });

  it('two instances on one Redis poll once per round and alert once per spike; the survivor of a kill takes over', async () => {
    const prefix = `t${++prefixes}`;
    const probe: RedisContextStore = redisContextStore({ url: redis.url, prefix });
    await probe.open();
    after(() => probe.close());
    // The spike below is recorded data sent to both instances: a replay, so history alerts.
    const instances = [await start('a', 'shared', prefix, 'alert'), await start('b', 'shared', prefix, 'alert')];
    const all = (node: string, msg?: Record<string, unknown>) => Promise.all(instances.map((i) => i.round(node, msg))).then((r) => r.flat());
    const pollRequests = () => sim.requestsTo('/v2/flows').filter((r) => !r.query.has('cursor')).length;

    let last: Meta | undefined;
    const pollers: string[] = [];
    for (let round = 0; round < 4; round++) {
      pinned.tick(MIN);
      sim.clearLog();
      const outs = await Promise.all(instances.map(async (i) => ({ name: i.name, got: polls(await i.round('f1')) })));
      pollRequests().should.equal(1);
      const polled = outs.filter((o) => o.got.length > 0);
      polled.should.have.length(1);
      pollers.push(polled[0]!.name);
      const meta = polled[0]!.got[0]!;
      if (last) range(meta)[0].should.equal(range(last)[1]);
      last = meta;

      // The site list: each appliance polled once per round, by one instance, all sites tagged.
      for (const s of fleet.sims) s.clearLog();
      const siteOuts = (await Promise.all(instances.map((i) => i.round('sp')))).map((outs) => outs.filter((o) => o.node === 'sites'));
      siteOuts.filter((outs) => outs.length > 0).should.have.length(1);
      siteOuts.flat().length.should.equal(SITES);
      fleet.sims.map((s) => s.requestsTo('/monitor/flows').length).should.eql(Array.from({ length: SITES }, () => 1));
    }

    // The same records reach both instances (e.g. NetFlow exported to both): one alert in all.
    await all('an2', { payload: stream([1000, 1010, 990, 1005, 995, 1000, 1002]) });
    const spike = (await all('an2', { payload: stream([50_000, 1000], 7) })).filter((o) => o.node === 'alerts');
    spike.should.have.length(1);

    // Kill the instance holding the poll lease; once the lease has lapsed, the next round is the survivor's.
    const holder = await probe.holder('poll:f1');
    const leader = instances.find((i) => holder?.split('/')[1] === String(i.pid))!;
    leader.name.should.equal(pollers[pollers.length - 1]);
    await leader.kill();
    const survivor = instances.find((i) => i !== leader)!;
    while ((await probe.holder('poll:f1')) === holder) await new Promise((r) => setTimeout(r, 50));
    pinned.tick(MIN);
    sim.clearLog();
    const [taken] = polls(await survivor.round('f1'));
    pollRequests().should.equal(1);
    range(taken!)[0].should.equal(range(last!)[1]);
  });
});
