import 'should';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import helper, { type TestFlows } from 'node-red-node-test-helper';
import enrichNode = require('../../nodes/network-flow-enrich');
import filterNode = require('../../nodes/network-flow-filter');
import { buildMmdb } from '../support/mmdb-writer';
import { next } from '../support/node-messages';

helper.init(require.resolve('node-red'));

interface TestNode {
  on(event: string, cb: (arg: never) => void): void;
  receive(msg: Record<string, unknown>): void;
  error: { args: unknown[][]; callCount: number };
  warn: { args: unknown[][] };
  status: { args: unknown[][] };
}

const rec = (src: string, dst: string) => ({ kind: 'flow', vendor: 'firewalla', endpoint: 'flows', ts: 1, direction: 'outbound', src: { ip: src }, dst: { ip: dst } });

describe('network-flow-enrich node', () => {
  let dir: string;
  let db: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'enrich-node-'));
    db = path.join(dir, 'test.mmdb');
    fs.writeFileSync(db, buildMmdb([
      ['8.8.8.0/24', { country: { iso_code: 'US' }, autonomous_system_number: 15169, autonomous_system_organization: 'Google LLC' }],
      ['1.2.3.0/24', { country: { iso_code: 'CN' }, autonomous_system_number: 4134, autonomous_system_organization: 'Chinanet' }],
    ]));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await helper.unload();
  });

  const flow = (props: Record<string, unknown>): TestFlows => [
    { id: 'e1', type: 'network-flow-enrich', geo: 'files', countryFile: db, names: '192.168.1.23,kids-ipad,home,kids', reload: 0, wires: [['f1', 'out']], ...props },
    { id: 'f1', type: 'network-flow-filter', expression: 'dst asorg "Google*" and src name "kids-ipad"', outputs: 1, wires: [['google']] },
    { id: 'out', type: 'helper' },
    { id: 'google', type: 'helper' },
  ] as TestFlows;

  async function statusText(n: TestNode, want: RegExp): Promise<void> {
    for (let i = 0; i < 500; i++) {
      const last = n.status.args[n.status.args.length - 1]?.[0] as { text?: string } | undefined;
      if (last?.text && want.test(last.text)) return;
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`status never matched ${want}: ${JSON.stringify(n.status.args.map((a) => a[0]))}`);
  }

  it('enriches an array and a single record; the filter routes by the new fields', async () => {
    await helper.load([enrichNode, filterNode], flow({}));
    const e = helper.getNode('e1') as unknown as TestNode;
    const out = helper.getNode('out') as unknown as TestNode;
    const google = helper.getNode('google') as unknown as TestNode;
    const gotOut = next(out as never, 2);
    const gotGoogle = next(google as never, 1);
    e.receive({ payload: [rec('192.168.1.23', '8.8.8.8'), rec('192.168.1.23', '1.2.3.4'), 'junk'], topic: 'kept' });
    e.receive({ payload: rec('10.0.0.1', '1.2.3.4') });
    const [batch, single] = (await gotOut);
    const records = batch!.payload as Array<ReturnType<typeof rec> & { src: Record<string, unknown>; dst: Record<string, unknown> }>;
    batch!.topic!.should.equal('kept');
    records[0]!.src.should.eql({ ip: '192.168.1.23', name: 'kids-ipad', site: 'home', tags: ['kids'] });
    records[0]!.dst.should.eql({ ip: '8.8.8.8', country: 'US', as: 15169, asOrg: 'Google LLC' });
    records[1]!.dst.country!.should.equal('CN');
    (single!.payload as { dst: Record<string, unknown> }).dst.as!.should.equal(4134);
    const [g] = await gotGoogle;
    (g!.payload as unknown[]).length.should.equal(1);
    e.warn.args.some((a) => /entries of msg.payload are not records; they were skipped/.test(String(a[0]))).should.be.true();
  });

  it('a missing database file is an error at deploy with a red status; messages fail with the coded error', async () => {
    await helper.load([enrichNode, filterNode], flow({ countryFile: path.join(dir, 'missing.mmdb') }));
    const e = helper.getNode('e1') as unknown as TestNode;
    await statusText(e, /^invalid: /);
    e.error.args.some((a) => /countryFile: cannot read ".*missing\.mmdb": no such file/.test(String(a[0]))).should.be.true();
    const failed = new Promise<Record<string, unknown>>((resolve) => {
      e.on('call:error', ((call: { args: unknown[] }) => {
        if (call.args[0] instanceof Error) resolve(call.args[0] as unknown as Record<string, unknown>);
      }));
    });
    e.receive({ payload: [rec('192.168.1.23', '8.8.8.8')] });
    const err = await failed;
    err.code!.should.equal('BAD_INPUT');
    String(err.message).should.match(/^countryFile: cannot read/);
  });

  it('a corrupt database file is an error at deploy, not a crash', async () => {
    const corrupt = path.join(dir, 'corrupt.mmdb');
    fs.writeFileSync(corrupt, Buffer.from('garbage'));
    await helper.load([enrichNode, filterNode], flow({ countryFile: corrupt }));
    const e = helper.getNode('e1') as unknown as TestNode;
    await statusText(e, /^invalid: /);
    e.error.args.some((a) => /is not a readable MaxMind DB file/.test(String(a[0]))).should.be.true();
  });

  it('a bad name-table line fails the deploy with its line number', async () => {
    await helper.load([enrichNode, filterNode], flow({ names: '10.0.0.1,a\n10.0.0.999,b' }));
    const e = helper.getNode('e1') as unknown as TestNode;
    await statusText(e, /^invalid: /);
    e.error.args.some((a) => /names: line 2: "10\.0\.0\.999" is not an IP address/.test(String(a[0]))).should.be.true();
  });

  it('with a reload timer running, sends nothing after close', async () => {
    fs.writeFileSync(path.join(dir, 'names.csv'), '10.0.0.1,x\n');
    await helper.load([enrichNode, filterNode], flow({ reload: 1, namesFile: path.join(dir, 'names.csv'), names: '' }));
    const e = helper.getNode('e1') as unknown as TestNode;
    await statusText(e, /^ready: /);
    const out = helper.getNode('out') as unknown as TestNode;
    let got = 0;
    out.on('input', () => void got++);
    await helper.unload();
    e.receive({ payload: [rec('10.0.0.1', '8.8.8.8')] });
    await new Promise((r) => setTimeout(r, 20));
    got.should.equal(0);
  });
});
