import 'should';
import helper from 'node-red-node-test-helper';
import type { Node } from 'node-red';
import sitesNode = require('../../nodes/network-flow-sites-config');
import pollerNode = require('../../nodes/network-flow-site-poller');
import { DEMO_CREDENTIALS } from '../../simulator/server';
import { SimFleet } from '../../simulator/fleet';
import { sdwanSim } from '../../simulator/citrix-sdwan';
import { collect, until, type Msg } from '../support/node-messages';
import { pinDate } from '../support/clock';

const catchNode = require('@node-red/nodes/core/common/25-catch.js') as unknown;

helper.init(require.resolve('node-red'));

const SITES = 200;
const CAP = 8;
/** 5 %: every 20th site fails. */
const FAILING = Array.from({ length: SITES }, (_, i) => i).filter((i) => i % 20 === 7);

describe('nodes: network-flow-sites-config, network-flow-site-poller (a fleet of 200 simulated appliances)', function () {
  this.timeout(120_000);
  pinDate();
  let fleet: SimFleet;

  before(async () => {
    // Each appliance allows 5 requests a minute: a poller that retried in a loop or polled a site twice would meet 429.
    fleet = await SimFleet.start({ sites: SITES, vendors: ['citrix-sdwan'], siteRateLimit: 5, siteRateWindowMs: 60_000 });
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    await fleet.close();
  });
  afterEach(async () => helper.unload());

  const name = (i: number): string => `site-${String(i).padStart(3, '0')}`;
  function flow(extra: Record<string, unknown> = {}) {
    const sites = fleet.sims.map((s, i) => `${s.url}, ${name(i)}`).join('\n');
    return [
      { id: 'list', type: 'network-flow-sites-config', name: 'branches', vendor: 'citrix-sdwan', sites, timeout: '2000' },
      { id: 'poll', type: 'network-flow-site-poller', server: 'list', resource: 'flows', maxStats: '50', concurrency: String(CAP), jitter: '0', failuresToDown: '2', emptyToDown: '0', wires: [['records'], ['health']], ...extra },
      { id: 'c1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'records', type: 'helper' },
      { id: 'health', type: 'helper' },
      { id: 'caught', type: 'helper' },
    ];
  }
  const creds = { list: { username: DEMO_CREDENTIALS.sdwanUsername, password: DEMO_CREDENTIALS.sdwanPassword } };

  /** Triggers one cycle and resolves with the status text it ended with, once `arrived()` holds (delivery is asynchronous). */
  async function cycle(poll: Node, arrived: () => boolean): Promise<string> {
    const statuses: string[] = [];
    const listener = (call: { args: Array<{ text?: string }> }): void => void statuses.push(call.args[0]?.text ?? '');
    (poll as unknown as NodeJS.EventEmitter).on('call:status', listener);
    poll.receive({ payload: 'tick' });
    await until(() => statuses.some((s) => / sites ok/.test(s)), 60_000);
    (poll as unknown as NodeJS.EventEmitter).removeListener('call:status', listener);
    await until(arrived, 10_000);
    return statuses.find((s) => / sites ok/.test(s))!;
  }

  it('200 sites, 5 % failing: tagged records from every healthy site, one down and one up per failing site, no 429, never more sockets than the cap', async () => {
    for (const i of FAILING) fleet.takeDown(i);
    await helper.load([sitesNode, pollerNode, catchNode] as Parameters<typeof helper.load>[0], flow(), creds);
    const poll = helper.getNode('poll');
    const records = collect(helper.getNode('records'));
    const health = collect(helper.getNode('health'));
    const caught = collect(helper.getNode('caught'));
    const healthy = new Set(Array.from({ length: SITES }, (_, i) => i).filter((i) => !FAILING.includes(i)).map(name));
    const failing = new Set(FAILING.map(name));

    const checkRecords = (msgs: Msg[]): void => {
      msgs.length.should.equal(healthy.size);
      new Set(msgs.map((m) => m.site as string)).should.eql(healthy);
      for (const m of msgs) {
        const i = Number((m.site as string).slice(5));
        const meta = m.networkFlows as Record<string, unknown>;
        meta.should.containEql({ vendor: 'citrix-sdwan', endpoint: 'flows', site: m.site, host: new URL(fleet.url(i)).host });
        (m.payload as unknown[]).length.should.be.above(0);
        (meta.count as number).should.equal((m.payload as unknown[]).length);
      }
    };

    // Cycle 1: the failing sites fail once (down needs 2 failures in a row): no health message yet.
    (await cycle(poll, () => records.length >= healthy.size)).should.startWith(`${healthy.size}/${SITES} sites ok`);
    checkRecords(records.splice(0));
    health.should.have.length(0);

    // Cycle 2: exactly one down message per failing site.
    (await cycle(poll, () => records.length >= healthy.size && health.length >= FAILING.length)).should.startWith(`${healthy.size}/${SITES} sites ok · ${FAILING.length} down`);
    checkRecords(records.splice(0));
    health.map((m) => m.topic).should.eql(FAILING.map(() => 'site-down'));
    new Set(health.map((m) => m.site as string)).should.eql(failing);
    for (const m of health) {
      const p = m.payload as { reason: string; health: { consecutiveFailures: number; lastErrorCode: string; lastSuccess?: number } };
      p.reason.should.equal('failures');
      p.health.consecutiveFailures.should.equal(2);
      p.health.lastErrorCode.should.equal('NETWORK');
      (p.health.lastSuccess === undefined).should.be.true();
    }
    health.splice(0);

    // Cycle 3: still down: nothing more.
    await cycle(poll, () => records.length >= healthy.size);
    records.splice(0).length.should.equal(healthy.size);
    health.should.have.length(0);

    // They come back: one up message each, and every site's records.
    for (const i of FAILING) fleet.bringUp(i);
    (await cycle(poll, () => records.length >= SITES && health.length >= FAILING.length)).should.startWith(`${SITES}/${SITES} sites ok`);
    const all = records.splice(0);
    all.length.should.equal(SITES);
    health.map((m) => m.topic).should.eql(FAILING.map(() => 'site-up'));
    new Set(health.map((m) => m.site as string)).should.eql(failing);

    // Counted at the appliances: no 429, never more sockets or requests at once than the cap,
    // and one NITRO session per appliance across all four cycles.
    fleet.rateLimited.should.equal(0);
    fleet.peakOpen.should.be.belowOrEqual(CAP);
    fleet.peakInFlight.should.be.belowOrEqual(CAP);
    fleet.peakOpen.should.be.above(1); // the polls did run side by side
    for (let i = 0; i < SITES; i++) sdwanSim(fleet.sim(i)).logins.should.equal(1);
    caught.should.have.length(0);
  });

  it('a bad site list fails at deploy with the line named; nothing is polled', async () => {
    const before = fleet.requests;
    const bad = flow();
    (bad[0] as Record<string, unknown>).sites = `${fleet.url(0)}, a\nftp://x, b`;
    await helper.load([sitesNode, pollerNode, catchNode] as Parameters<typeof helper.load>[0], bad, creds);
    const caught = collect(helper.getNode('caught'));
    helper.getNode('poll').receive({ payload: 'tick' });
    await until(() => caught.length === 1);
    ((caught[0]!.error as { message: string }).message).should.match(/sites: line 2: host: scheme "ftp:"/);
    fleet.requests.should.equal(before);
  });
});
