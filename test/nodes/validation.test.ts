/**
 * `POST /network-flows/validate`: the editor's one check of a node's properties, run by the
 * runtime's own parsers. Every node type of package.json answers it; a refused field comes back
 * with its reason (several at once), a good node with none.
 */
import 'should';
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import { NODE_TYPES, ROOT } from '../support/node-types';

helper.init(require.resolve('node-red'));

// Every node module of package.json, loaded as Node-RED loads them.
const pkg = require(path.join(ROOT, 'package.json')) as { 'node-red': { nodes: Record<string, string> } };
const modules = NODE_TYPES.map((t) => require(path.join(ROOT, 'nodes', path.basename(pkg['node-red'].nodes[t]!, '.js'))) as unknown);

interface Answer { ok: boolean; fields: Record<string, { message: string; line?: number; column?: number }> }

async function check(type: string, props: Record<string, unknown>): Promise<Answer> {
  const res = await helper.request().post('/network-flows/validate').send({ type, props }).expect(200);
  return res.body as Answer;
}

/** Refused values per type: each listed field must come back with a reason. */
const BAD: Record<string, { props: Record<string, unknown>; refused: string[]; good: Record<string, unknown> }> = {
  'citrix-sdwan-config': { props: { host: 'ftp://x', timeout: '5', apiVersion: 'v2' }, refused: ['host', 'timeout'], good: { host: '10.1.2.3', timeout: 30000, apiVersion: 'v2' } },
  'firewalla-msp-config': { props: { host: 'https://u:p@msp.example', timeout: 700000 }, refused: ['host', 'timeout'], good: { host: 'https://msp.example', timeout: '' } },
  'riverbed-flowgateway-config': { props: { host: '', timeout: 99, authMethod: 'kerberos' }, refused: ['host', 'timeout', 'authMethod'], good: { host: 'fg.example:8443', timeout: 30000, authMethod: 'oauth' } },
  'citrix-sdwan-flows': { props: { filter: 'App:HTTPS', maxStats: '7' }, refused: ['filter', 'maxStats'], good: { filter: 'application:HTTPS', maxStats: '50' } },
  'citrix-sdwan-ilbflows': { props: { filter: 'lanip:', maxStats: '' }, refused: ['filter'], good: { filter: '', maxStats: '' } },
  'firewalla-flows': { props: { query: 'nosuchqualifier:1', groupBy: '1device', sortBy: 'ts:sideways', limit: 0, pagination: 'page', maxPages: 10 }, refused: ['query', 'groupBy', 'sortBy', 'limit'], good: { query: 'status:blocked', groupBy: 'device', sortBy: 'ts:desc', limit: 200, pagination: 'all', maxPages: 10 } },
  'riverbed-flowgateway-stats': {
    props: { template: 'B', statsType: 'flows_per_minute', startTime: 'yesterday', endTime: '01/01/2024 00:00:00', sourceIp: '10.0.0.300' },
    refused: ['startTime', 'sourceIp'],
    good: { template: 'B', statsType: 'flows_per_minute', startTime: '01/01/2024 00:00:00', endTime: '02/01/2024 00:00:00', sourceIp: '' },
  },
  'network-flow-normalize': { props: { vendor: 'acme', internalNetworks: '10.0.0.0/33' }, refused: ['vendor', 'internalNetworks'], good: { vendor: '', format: 'ecs', internalNetworks: '10.0.0.0/8' } },
  'network-flow-filter': { props: { expression: 'bytes > ' }, refused: ['expression'], good: { expression: 'dst port 443', outputs: 2 } },
  'network-flow-anomaly': { props: { key: 'src ip', metric: 'sum:bytes', window: 0, rule: 'ewma', alpha: 1.5, maxKeys: 0 }, refused: ['key', 'window', 'alpha', 'maxKeys'], good: { key: 'src.ip', metric: 'sum:bytes', window: 300, rule: 'ewma', alpha: 0.1 } },
  'network-flow-collector': { props: { address: '10.0.0.300', port: 70000, batchMs: 5 }, refused: ['address', 'port', 'batchMs'], good: { address: '127.0.0.1', port: 2055 } },
  'network-flow-enrich': { props: { geo: 'off', names: '10.0.0.300,printer', cacheSize: 0 }, refused: ['names', 'cacheSize'], good: { geo: 'off', names: '10.0.0.1,printer', cacheSize: 100 } },
  'firewalla-fleet': {
    props: { query: 'nosuchqualifier:1', limit: 0, concurrency: 0, jitter: 99999, lease: '0' },
    refused: ['query', 'limit', 'concurrency', 'jitter', 'lease'],
    good: { boxes: 'Office, Lab', query: 'category:video', limit: '500', maxPages: '5', concurrency: '2', jitter: '0', failuresToDown: '3', emptyToDown: '0', store: '', lease: '' },
  },
  'network-flow-sites-config': {
    props: { vendor: 'acme', sites: '10.1.2.3, Lyon\n10.1.2.4, Lyon', timeout: 5 },
    refused: ['vendor', 'sites', 'timeout'],
    good: { vendor: 'riverbed-flowgateway', sites: '10.1.2.3, Lyon\nhttps://fg-oslo.example, Oslo, port=8443', timeout: 10000, authMethod: 'oauth' },
  },
  'network-flow-site-poller': {
    props: { filter: 'App:HTTPS', timeInterval: 0, concurrency: 5000, store: 'no such store!' },
    refused: ['filter', 'timeInterval', 'concurrency', 'store'],
    good: { resource: 'flows', filter: 'application:HTTPS', maxStats: '50', statsType: 'flows_per_minute', intervalType: 'minutes', timeInterval: '1', concurrency: '10', jitter: '10', store: 'shared', lease: '30' },
  },
  'network-flow-aggregate': { props: { groupBy: 'src ip', metrics: 'avg:bytes', window: 7000, topN: -1 }, refused: ['groupBy', 'metrics', 'window', 'topN'], good: { groupBy: 'src.ip', metrics: 'sum:bytes,count', window: 3600, output: 'rows' } },
};

describe('POST /network-flows/validate', function () {
  this.timeout(10_000);
  before(async () => {
    await helper.startServer();
    await helper.load(modules as Parameters<typeof helper.load>[0], []);
  });
  after(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('has refused values for every node type of package.json', () => {
    Object.keys(BAD).sort().should.eql([...NODE_TYPES].sort());
  });

  for (const type of NODE_TYPES) {
    it(`${type}: names every refused field with its reason, and none for good values`, async () => {
      const row = BAD[type]!;
      const bad = await check(type, row.props);
      bad.ok.should.be.false();
      for (const f of row.refused) {
        (bad.fields[f] !== undefined).should.be.true(`${type}.${f} has no reason: ${JSON.stringify(bad.fields)}`);
        bad.fields[f]!.message.should.be.a.String().and.not.be.empty();
        // The reason is the runtime's text without the field's own name in front.
        bad.fields[f]!.message.should.not.startWith(`${f}: `);
      }
      (await check(type, row.good)).should.eql({ ok: true, fields: {} });
    });
  }

  it('refuses an unknown type, props that are not an object, and overlong text before parsing it', async () => {
    (await helper.request().post('/network-flows/validate').send({ type: 'inject', props: {} }).expect(400)).body.ok.should.be.false();
    (await helper.request().post('/network-flows/validate').send({ type: 'network-flow-filter', props: [] }).expect(400)).body.ok.should.be.false();
    const long = await check('network-flow-filter', { expression: 'x'.repeat(70_000) });
    long.fields.expression!.message.should.match(/at most/);
  });
});
