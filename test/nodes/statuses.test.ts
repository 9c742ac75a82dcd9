/**
 * Statuses and errors as users meet them in the editor (docs/design.md#statuses-and-errors):
 * short statuses in core's style, the full sentence in the error, an uncaught error logged as one
 * readable line (what the debug sidebar shows), a red status from a bad setting cleared by the
 * fixed deploy, and every runtime text from the catalogue.
 */
import 'should';
import fs from 'node:fs';
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import configNode = require('../../nodes/firewalla-msp-config');
import flowsNode = require('../../nodes/firewalla-flows');
import normalizeNode = require('../../nodes/network-flow-normalize');
import { startSimulator, type Simulator } from '../../simulator/server';
import type { FirewallaSimOptions } from '../../simulator/firewalla';
import { firewallaSim } from '../../simulator/firewalla';
import { clockTime } from '../../nodes/node-support/report';
import { ERROR_CODES } from '../../nodes/lib/errors';
import { ENDPOINT_TYPES } from '../support/node-types';
import { pinDate } from '../support/clock';
import { until } from '../support/node-messages';

helper.init(require.resolve('node-red'));

const TOKEN = 'fw-status-test-token-5d81c0a4';

interface StatusEvent { id: string; status: { fill?: string; text?: string } }
interface LogEntry { level: number; id?: string; msg?: unknown }

describe('statuses and errors in the editor', function () {
  this.timeout(20_000);
  pinDate();
  let sim: Simulator;
  const statuses: StatusEvent[] = [];
  const onStatus = (e: StatusEvent): void => {
    statuses.push(e);
  };
  const events = (): { on(e: string, f: (x: StatusEvent) => void): void; off(e: string, f: (x: StatusEvent) => void): void } =>
    (helper as unknown as { _events: { on(e: string, f: (x: StatusEvent) => void): void; off(e: string, f: (x: StatusEvent) => void): void } })._events;
  const lastStatus = (id: string): StatusEvent['status'] | undefined => statuses.filter((s) => s.id === id).pop()?.status;

  function flow(props: Record<string, unknown> = {}, host?: string) {
    return [
      { id: 'cfg', type: 'firewalla-msp-config', name: 'msp', host: host ?? sim.url, timeout: '2000' },
      { id: 'f1', type: 'firewalla-flows', server: 'cfg', query: '', limit: '50', pagination: 'page', maxPages: '10', sinceLastPoll: false, ...props, wires: [['out']] },
      { id: 'out', type: 'helper' },
    ];
  }
  const creds = (token = TOKEN) => ({ cfg: { token } });
  const nodes = [configNode, flowsNode] as Parameters<typeof helper.load>[0];
  const trigger = () => helper.getNode('f1').receive({ payload: 'go' });
  const errorsOf = (id: string): LogEntry[] => {
    const spy = helper.log() as unknown as { args: [LogEntry][]; ERROR: number };
    return spy.args.map((a) => a[0]).filter((e) => e.id === id && e.level === spy.ERROR);
  };

  before(async () => {
    const opts: FirewallaSimOptions = { vendors: ['firewalla'], credentials: { firewallaToken: TOKEN }, seed: 3, firewallaRateLimit: 10_000 };
    sim = await startSimulator(opts);
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    await sim.close();
  });
  beforeEach(() => {
    statuses.length = 0;
    sim.clearFaults();
    firewallaSim(sim).resetBudgets();
  });
  afterEach(async () => {
    events().off('node-status', onStatus);
    await helper.unload();
  });

  async function loaded(props: Record<string, unknown> = {}, token = TOKEN, host?: string): Promise<void> {
    await helper.load(nodes, flow(props, host), creds(token));
    events().on('node-status', onStatus);
  }

  it('auth failed: a short status; the full sentence logged as one line, not an object with a stack', async () => {
    await loaded({}, 'wrong-token-0000000000');
    trigger();
    await until(() => lastStatus('f1')?.fill === 'red');
    lastStatus('f1')!.should.eql({ fill: 'red', shape: 'ring', text: 'auth failed' });
    await until(() => errorsOf('f1').length > 0);
    const line = errorsOf('f1')[0]!.msg;
    line!.should.be.a.String();
    (line as string).should.match(/^GET \/v2\/flows: HTTP 401 .*UNAUTHORIZED/);
    (line as string).should.not.containEql('\n');
    (line as string).should.not.containEql('wrong-token');
  });

  it('cannot reach host: a closed port', async () => {
    const closed = await startSimulator({ vendors: ['echo'] });
    const url = closed.url;
    await closed.close();
    await loaded({}, TOKEN, url);
    trigger();
    await until(() => lastStatus('f1')?.fill === 'red');
    lastStatus('f1')!.text!.should.equal('cannot reach host');
    await until(() => errorsOf('f1').length > 0);
    String(errorsOf('f1')[0]!.msg).should.match(/cannot reach/);
  });

  it('rate limited, retry HH:MM: the time from the clock plus Retry-After, in the runtime\'s local time', async () => {
    await loaded();
    sim.addFault({ kind: 'rate-limit', path: '/v2/flows', retryAfter: 3600, times: 1 });
    const before = Date.now();
    trigger();
    await until(() => lastStatus('f1')?.fill === 'yellow');
    const after = Date.now();
    const text = lastStatus('f1')!.text!;
    [clockTime(before + 3600_000), clockTime(after + 3600_000)].should.containEql(text.replace('rate limited, retry ', ''));
    text.should.match(/^rate limited, retry \d\d:\d\d$/);
  });

  it('a red status from a bad setting clears when the setting is fixed and deployed', async () => {
    await loaded({ limit: '501' });
    lastStatus('f1');
    await until(() => statuses.length > 0 || (helper.getNode('f1') as unknown as { status: { args: unknown[][] } }).status.args.length > 0);
    const first = (helper.getNode('f1') as unknown as { status: { args: [StatusEvent['status']][] } }).status.args.map((a) => a[0]);
    first.should.containEql({ fill: 'red', shape: 'ring', text: 'invalid limit' });
    statuses.length = 0;
    // The user fixes the limit and deploys the modified node.
    await helper.setFlows(flow({ limit: '50' }), 'nodes', creds());
    await until(() => statuses.some((s) => s.id === 'f1'));
    lastStatus('f1')!.should.eql({});
    trigger();
    await until(() => lastStatus('f1')?.fill === 'green');
  });

  it('every endpoint catalogue has the short statuses of every error code and the progress texts', () => {
    for (const type of ENDPOINT_TYPES) {
      const c = (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'locales', 'en-US', `${type}.json`), 'utf8')) as Record<string, Record<string, Record<string, string>>>)[type]!;
      const has = (group: string, k: string): void => {
        (typeof c[group]?.[k]).should.equal('string', `${type} ${group}.${k}`);
      };
      for (const code of ERROR_CODES) has('failure', code);
      for (const k of ['RATE_LIMIT_UNTIL', 'BAD_INPUT_FIELD']) has('failure', k);
      // A fleet node sums its sites up ("18/20 boxes ok · 2 down") instead of counting records.
      const fleet = c.status?.summary !== undefined;
      for (const k of ['requesting', ...(fleet ? ['summary', 'down'] : ['ok', 'someInvalid'])]) has('status', k);
      for (const k of ['record', 'pageRecord', 'badRecords']) has('warn', k);
      for (const text of Object.values(c.failure!)) text.length.should.be.below(32, text);
    }
  });

  it('no runtime text in the node code: no catalogue() with English fallbacks, no RED._ outside the one helper, no "requesting"', () => {
    const root = path.join(__dirname, '..', '..', 'nodes');
    const files = [...fs.readdirSync(root).filter((f) => f.endsWith('.ts')).map((f) => path.join(root, f)),
      ...fs.readdirSync(path.join(root, 'node-support')).map((f) => path.join(root, 'node-support', f))];
    for (const f of files) {
      const src = fs.readFileSync(f, 'utf8');
      if (!f.endsWith(path.join('node-support', 'texts.ts'))) src.should.not.match(/RED\._\(/, f);
      src.should.not.match(/\bcatalogue\(/, f);
      src.should.not.match(/'requesting/, f);
    }
  });
});

describe('normalize: a bad setting fixed and deployed clears the red status', () => {
  pinDate();
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  it('red "invalid configuration", then cleared by the fixed deploy', async () => {
    const statuses: StatusEvent[] = [];
    const bad: Array<Record<string, unknown> & { id: string; type: string }> = [{ id: 'n1', type: 'network-flow-normalize', vendor: '', internalNetworks: '10.0.0.0/40', wires: [[]] }];
    await helper.load(normalizeNode, bad);
    const n1 = helper.getNode('n1') as unknown as { status: { args: [StatusEvent['status']][] } };
    n1.status.args.map((a) => a[0]).should.containEql({ fill: 'red', shape: 'ring', text: 'invalid configuration' });
    const ev = (helper as unknown as { _events: { on(e: string, f: (x: StatusEvent) => void): void } })._events;
    ev.on('node-status', (e) => statuses.push(e));
    await helper.setFlows([{ ...bad[0]!, internalNetworks: '10.0.0.0/8' }] as unknown as Parameters<typeof helper.load>[1], 'nodes');
    await until(() => statuses.some((s) => s.id === 'n1'));
    statuses.filter((s) => s.id === 'n1').pop()!.status.should.eql({});
  });
});
