import 'should';
import helper from 'node-red-node-test-helper';
import configNode = require('../../nodes/firewalla-msp-config');
import fleetNode = require('../../nodes/firewalla-fleet');
import normalizeNode = require('../../nodes/network-flow-normalize');
import { DEMO_CREDENTIALS, startSimulator, type Simulator } from '../../simulator/server';
import { firewallaSim, type FirewallaSimOptions } from '../../simulator/firewalla';
import { collect, until } from '../support/node-messages';
import { pinDate } from '../support/clock';

const catchNode = require('@node-red/nodes/core/common/25-catch.js') as unknown;

helper.init(require.resolve('node-red'));

describe('nodes: firewalla-fleet (every box of an MSP)', function () {
  this.timeout(30_000);
  pinDate();
  let sim: Simulator;

  before(async () => {
    const opts: FirewallaSimOptions = { vendors: ['firewalla'], seed: 5, firewallaBoxes: 8 };
    sim = await startSimulator(opts);
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    await sim.close();
  });
  afterEach(async () => helper.unload());

  function flow(extra: Record<string, unknown> = {}) {
    return [
      { id: 'cfg', type: 'firewalla-msp-config', host: sim.url, timeout: '3000' },
      { id: 'fleet', type: 'firewalla-fleet', server: 'cfg', boxes: '', group: '', query: '', limit: '500', maxPages: '3', concurrency: '2', failuresToDown: '1', wires: [['boxes', 'norm'], ['health']], ...extra },
      { id: 'norm', type: 'network-flow-normalize', vendor: '', format: 'networkflow', output: 'batch', wires: [['normalized']] },
      { id: 'c1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'boxes', type: 'helper' },
      { id: 'normalized', type: 'helper' },
      { id: 'health', type: 'helper' },
      { id: 'caught', type: 'helper' },
    ];
  }
  const creds = { cfg: { token: DEMO_CREDENTIALS.firewallaToken } };
  const nodes = [configNode, fleetNode, normalizeNode, catchNode] as Parameters<typeof helper.load>[0];

  it('one message per box, tagged with the box; normalized records carry the box as observerSite; an offline box goes down once', async () => {
    const st = firewallaSim(sim);
    st.rateLimited = 0;
    const offline = st.boxes.boxes[6]!;
    st.boxes.setOnline(offline.id, false);
    await helper.load(nodes, flow(), creds);
    const boxes = collect(helper.getNode('boxes'));
    const normalized = collect(helper.getNode('normalized'));
    const health = collect(helper.getNode('health'));
    helper.getNode('fleet').receive({ payload: 'tick', topic: 'walk' });
    await until(() => boxes.length === 7 && normalized.length === 7 && health.length === 1, 20_000);
    const names = boxes.map((m) => m.site as string).sort();
    names.should.eql(st.boxes.boxes.filter((b) => b.id !== offline.id).map((b) => b.name).sort());
    for (const m of boxes) {
      const box = m.box as { gid: string; name: string };
      m.topic!.should.equal('walk');
      (m.networkFlows as { site: string; box: { gid: string }; query: string }).should.containDeep({ site: box.name, box: { gid: box.gid } });
      (m.networkFlows as { query: string }).query.should.startWith(`box.id:${box.gid} ts:`);
      for (const r of m.payload as Array<{ gid: string }>) r.gid.should.equal(box.gid);
    }
    for (const m of normalized) for (const r of m.payload as Array<{ observerSite: string }>) r.observerSite.should.equal(m.site);
    health[0]!.topic!.should.equal('site-down');
    (health[0]!.payload as { site: string; health: { lastErrorCode: string }; box: { gid: string } }).should.containDeep({ site: offline.name, health: { lastErrorCode: 'OFFLINE' }, box: { gid: offline.id } });
    st.rateLimited.should.equal(0);
    st.boxes.setOnline(offline.id, true);
  });

  it('a box list scoped by name walks only those boxes', async () => {
    await helper.load(nodes, flow({ boxes: 'Gold Plus, Purple SE' }), creds);
    const boxes = collect(helper.getNode('boxes'));
    helper.getNode('fleet').receive({ payload: 'tick' });
    await until(() => boxes.length === 2, 20_000);
    boxes.map((m) => m.site).sort().should.eql(['Gold Plus', 'Purple SE']);
  });
});
