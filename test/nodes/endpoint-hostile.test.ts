/**
 * Endpoint nodes in a real Node-RED against the simulator: a redeploy while the appliance does
 * not answer, a poll returning a large junk array, and oversized msg.request overrides.
 */
import 'should';
import helper from 'node-red-node-test-helper';
import type { NodeMessage } from 'node-red';
import sdwanConfig = require('../../nodes/citrix-sdwan-config');
import sdwanFlows = require('../../nodes/citrix-sdwan-flows');
import fwConfig = require('../../nodes/firewalla-msp-config');
import fwFlows = require('../../nodes/firewalla-flows');
import fgConfig = require('../../nodes/riverbed-flowgateway-config');
import fgStats = require('../../nodes/riverbed-flowgateway-stats');
import { INVALID_LIST_CAP, INVALID_REASONS_SHOWN } from '../../nodes/node-support/endpoint';
import { REQUEST_FIELD_CAP, REQUEST_TEXT_CAP } from '../../nodes/lib/validate';
import { DEMO_CREDENTIALS, startSimulator, type Simulator } from '../../simulator/server';
import { IMPORT_STATS } from '../../simulator/riverbed-flowgateway';
import { collect, next, type Msg, until } from '../support/node-messages';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const catchNode = require('@node-red/nodes/core/common/25-catch.js') as unknown;

helper.init(require.resolve('node-red'));

type FlowNodes = Array<{ id: string; type: string; [key: string]: unknown }>;

const tail = [
  { id: 'c1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
  { id: 'out', type: 'helper' },
  { id: 'caught', type: 'helper' },
];

const VENDORS = {
  flowgateway: (url: string, authMethod = 'session'): FlowNodes => [
    { id: 'cfg', type: 'riverbed-flowgateway-config', host: url, authMethod },
    { id: 'ep', type: 'riverbed-flowgateway-stats', server: 'cfg', template: 'A', statsType: 'flows_per_minute', intervalType: 'minutes', timeInterval: '10', wires: [['out']] },
    ...tail,
  ],
  sdwan: (url: string): FlowNodes => [
    { id: 'cfg', type: 'citrix-sdwan-config', host: url, apiVersion: 'v2' },
    { id: 'ep', type: 'citrix-sdwan-flows', server: 'cfg', filter: '', maxStats: '50', wires: [['out']] },
    ...tail,
  ],
  firewalla: (url: string): FlowNodes => [
    { id: 'cfg', type: 'firewalla-msp-config', host: url },
    { id: 'ep', type: 'firewalla-flows', server: 'cfg', query: '', limit: '10', pagination: 'page', maxPages: '1', wires: [['out']] },
    ...tail,
  ],
};

const CREDS = {
  flowgateway: { cfg: { username: DEMO_CREDENTIALS.flowgatewayUsername, password: DEMO_CREDENTIALS.flowgatewayPassword } },
  sdwan: { cfg: { username: DEMO_CREDENTIALS.sdwanUsername, password: DEMO_CREDENTIALS.sdwanPassword } },
  firewalla: { cfg: { token: DEMO_CREDENTIALS.firewallaToken } },
};

type LogEntry = { id?: string; level?: number; msg?: unknown };
const logEntries = (): LogEntry[] => helper.log().args.map((a: unknown[]) => a[0] as LogEntry);

describe('endpoint nodes under hostile conditions (real Node-RED, simulator)', function () {
  this.timeout(30_000);
  let sim: Simulator;
  const nodes = [sdwanConfig, sdwanFlows, fwConfig, fwFlows, fgConfig, fgStats, catchNode] as Parameters<typeof helper.load>[0];

  before(async () => {
    sim = await startSimulator();
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    await sim.close();
  });
  beforeEach(() => {
    sim.clearFaults();
    sim.clearLog();
  });
  afterEach(async () => helper.unload());

  function load(flow: FlowNodes, creds: Record<string, Record<string, string>>): Promise<void> {
    return helper.load(nodes, flow as Parameters<typeof helper.load>[1], creds);
  }

  async function pollOk(): Promise<Msg> {
    const got = next(helper.getNode('out'));
    helper.getNode('ep').receive({ payload: 'poll' } as NodeMessage);
    return (await got)[0]!;
  }

  describe('redeploy while the appliance stops answering', () => {
    for (const [vendor, logoutPath] of [
      ['flowgateway', '/api/common/1.0/logout'],
      ['sdwan', '/sdwan/nitro/v1/config/login'],
    ] as const) {
      it(`${vendor}: the logout is given up at its bound, the pool destroyed, no socket left, no "Close timed out"`, async () => {
        // Default request timeout (30 s): only the logout bound can end this close in time.
        await load(VENDORS[vendor](sim.url), CREDS[vendor]);
        await pollOk();
        sim.openConnections.should.be.above(0);
        sim.addFault({ kind: 'hang', path: logoutPath });
        await helper.unload();
        // The logout reached the appliance, which never answered; the close aborted it.
        sim.requestsTo(logoutPath).length.should.be.above(0);
        await until(() => sim.hanging === 0 && sim.openConnections === 0);
        logEntries().some((l) => /Close timed out/i.test(String(l.msg))).should.be.false();
      });
    }

    it('firewalla: a request in flight is aborted at close; nothing is sent or caught afterwards', async () => {
      await load(VENDORS.firewalla(sim.url), CREDS.firewalla);
      const out = collect(helper.getNode('out'));
      const caught = collect(helper.getNode('caught'));
      sim.addFault({ kind: 'hang', path: '/v2/flows' });
      helper.getNode('ep').receive({ payload: 'poll' } as NodeMessage);
      await until(() => sim.hanging === 1);
      await helper.unload();
      await until(() => sim.hanging === 0 && sim.openConnections === 0);
      out.should.be.empty();
      caught.should.be.empty();
    });
  });

  describe('log flood: one summary warning per message', () => {
    it('FlowGateway poll returning ~2 MB of junk records: one warning, msg.invalid capped with the omitted count', async () => {
      await load(VENDORS.flowgateway(sim.url, 'basic'), CREDS.flowgateway);
      sim.addFault({ kind: 'big-body', path: IMPORT_STATS, bytes: 2 * 1024 * 1024 });
      const before = logEntries().length;
      const msg = await pollOk();
      const junk = Math.ceil((2 * 1024 * 1024) / (JSON.stringify({ pad: 'x'.repeat(1000) }).length + 1));
      (msg.payload as unknown[]).should.be.empty();
      (msg.invalid as unknown[]).length.should.equal(INVALID_LIST_CAP);
      (msg.invalidOmitted as number).should.equal(junk - INVALID_LIST_CAP);
      const warns = logEntries().slice(before).filter((l) => l.id === 'ep' && l.level === 30);
      warns.length.should.equal(1);
      const text = String(warns[0]!.msg);
      text.should.startWith(`${junk} record(s) skipped (see msg.invalid): record 0: `);
      text.should.containEql(`(and ${junk - INVALID_REASONS_SHOWN} more)`);
      text.should.containEql(`msg.invalid keeps the first ${INVALID_LIST_CAP}, ${junk - INVALID_LIST_CAP} left out`);
      (text.match(/record \d+:/g) ?? []).length.should.equal(INVALID_REASONS_SHOWN);
    });

    it('a few bad records: one warning naming each, no omitted count', async () => {
      await load(VENDORS.flowgateway(sim.url, 'basic'), CREDS.flowgateway);
      sim.addFault({ kind: 'status', status: 200, path: IMPORT_STATS, body: JSON.stringify([{ time: 1 }, { time: 2 }]) });
      const before = logEntries().length;
      const msg = await pollOk();
      (msg.invalid as unknown[]).length.should.equal(2);
      msg.should.not.have.property('invalidOmitted');
      const warns = logEntries().slice(before).filter((l) => l.id === 'ep' && l.level === 30);
      warns.map((w) => String(w.msg)).should.eql([
        '2 record(s) skipped (see msg.invalid): record 0: time: Invalid input: expected string, received number; record 1: time: Invalid input: expected string, received number',
      ]);
    });
  });

  describe('msg.request size caps', () => {
    const big = 'a:b '.repeat(850_000); // 3.4 MB, the reported query
    for (const [vendor, request, field, cap] of [
      ['firewalla', { query: big }, 'request.query', REQUEST_TEXT_CAP],
      ['sdwan', { filter: big }, 'request.filter', REQUEST_TEXT_CAP],
      ['flowgateway', { sourceIp: big }, 'request.sourceIp', REQUEST_FIELD_CAP],
      ['firewalla', { cursor: 'c'.repeat(REQUEST_FIELD_CAP + 1) }, 'request.cursor', REQUEST_FIELD_CAP],
    ] as const) {
      it(`${vendor}: ${field} over ${cap} characters is BAD_INPUT naming it, and nothing is sent`, async () => {
        await load(VENDORS[vendor](sim.url, 'basic'), CREDS[vendor]);
        const caught = next(helper.getNode('caught'));
        const value = Object.values(request)[0] as string;
        helper.getNode('ep').receive({ payload: 'poll', request } as unknown as NodeMessage);
        const [m] = await caught;
        const err = m!.error as { code: string; message: string };
        err.code.should.equal('BAD_INPUT');
        err.message.should.equal(`BadInputError: ${field}: expected at most ${cap} characters, got ${value.length}`);
        sim.requests.should.be.empty();
        // The CPU budget of the check itself is a library test (test/lib/hostile/vendors.test.ts):
        // a node test runs Node-RED and the simulator in the same process, so its CPU time is not the check's.
      });
    }

    it('a query at the cap is accepted and sent', async () => {
      await load(VENDORS.firewalla(sim.url), CREDS.firewalla);
      const query = `domain:${'a'.repeat(REQUEST_TEXT_CAP - 'domain:'.length)}`;
      sim.clearLog();
      const got = next(helper.getNode('out'));
      helper.getNode('ep').receive({ payload: 'poll', request: { query } } as unknown as NodeMessage);
      await got;
      sim.requestsTo('/v2/flows').length.should.equal(1);
    });
  });
});
