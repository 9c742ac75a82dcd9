import 'should';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import FakeTimers from '@sinonjs/fake-timers';
import { Enricher, findDefaultDatabases, openGeoDatabase, type EnrichTimers, type ReloadResult } from '../../../nodes/lib/enrich';
import { FlowError } from '../../../nodes/lib/errors';
import type { NetworkFlow } from '../../../nodes/lib/network-flow';
import { toEcs } from '../../../nodes/lib/normalize/ecs';
import { buildMmdb } from '../../support/mmdb-writer';

const COUNTRY_ASN: Array<[string, Parameters<typeof buildMmdb>[0][number][1]]> = [
  ['8.8.8.0/24', { country: { iso_code: 'US' }, autonomous_system_number: 15169, autonomous_system_organization: 'Google LLC' }],
  ['81.2.69.0/24', { country: { iso_code: 'GB' }, autonomous_system_number: 20712, autonomous_system_organization: 'Andrews & Arnold Ltd' }],
  ['81.2.69.160/27', { registered_country: { iso_code: 'DE' } }],
  ['2001:4860::/32', { country_code: 'us', asn: 'AS15169', as_name: 'Google LLC' }],
  // Private space in a database is ignored: the engine never asks for it.
  ['10.0.0.0/8', { country: { iso_code: 'ZZ' } }],
];

let dir: string;
const file = (name: string, content: string | Buffer): string => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
};
const flow = (src: string, dst: string, extra: Partial<NetworkFlow> = {}): NetworkFlow => ({
  kind: 'flow', vendor: 'firewalla', endpoint: 'flows', ts: 1_700_000_000_000, direction: 'outbound', src: { ip: src }, dst: { ip: dst }, ...extra,
});

async function rejection(p: Promise<unknown>): Promise<FlowError> {
  try {
    await p;
  } catch (err) {
    return err as FlowError;
  }
  throw new Error('expected a rejection');
}

describe('enrich: engine against real MaxMind DB files', () => {
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'enrich-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('adds country, AS and organisation from a .mmdb file, for both sides and both families', async () => {
    const db = file('test.mmdb', buildMmdb(COUNTRY_ASN));
    const e = await Enricher.create({ geo: 'files', countryFile: db, reload: 0 });
    const recs = [flow('81.2.69.10', '8.8.8.8'), flow('81.2.69.170', '2001:4860:4860::8888'), flow('10.1.1.1', '1.1.1.1')];
    (e.enrich(recs) === undefined).should.be.true();
    recs[0]!.src.should.eql({ ip: '81.2.69.10', country: 'GB', as: 20712, asOrg: 'Andrews & Arnold Ltd' });
    recs[0]!.dst.should.eql({ ip: '8.8.8.8', country: 'US', as: 15169, asOrg: 'Google LLC' });
    // The /27 inside the /24 wins; registered_country when there is no country.
    recs[1]!.src.should.eql({ ip: '81.2.69.170', country: 'DE' });
    recs[1]!.dst.should.eql({ ip: '2001:4860:4860::8888', country: 'US', as: 15169, asOrg: 'Google LLC' });
    // Private and unknown addresses get nothing.
    recs[2]!.src.should.eql({ ip: '10.1.1.1' });
    recs[2]!.dst.should.eql({ ip: '1.1.1.1' });
    e.close();
  });

  it('a separate ASN file fills AS fields; the cache answers repeated addresses', async () => {
    const country = file('country.mmdb', buildMmdb([['8.8.8.0/24', { country: { iso_code: 'US' } }]]));
    const asn = file('asn.mmdb', buildMmdb([['8.8.0.0/16', { autonomous_system_number: 15169, autonomous_system_organization: 'Google LLC' }]]));
    const e = await Enricher.create({ geo: 'files', countryFile: country, asnFile: asn, reload: 0 });
    const recs = Array.from({ length: 10 }, () => flow('8.8.8.8', '8.8.4.4'));
    e.enrich(recs);
    recs[9]!.src.should.eql({ ip: '8.8.8.8', country: 'US', as: 15169, asOrg: 'Google LLC' });
    recs[9]!.dst.should.eql({ ip: '8.8.4.4', as: 15169, asOrg: 'Google LLC' });
    const s = e.stats();
    s.cacheMisses.should.equal(2);
    s.cacheHits.should.equal(18);
    s.records.should.equal(10);
    e.close();
  });

  it('reads range CSV files (AS with quoted organisations, or countries)', async () => {
    const asn = file('asn.csv', '1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."\n8.8.8.0,8.8.8.255,15169,Google LLC\n2001:4860::,2001:4860:ffff:ffff:ffff:ffff:ffff:ffff,15169,Google LLC\n');
    const country = file('country.csv', '8.8.8.0,8.8.8.255,US\n1.0.0.0,1.0.0.255,AU\n');
    const e = await Enricher.create({ geo: 'files', countryFile: country, asnFile: asn, reload: 0 });
    const recs = [flow('1.0.0.1', '2001:4860::1')];
    e.enrich(recs);
    recs[0]!.src.should.eql({ ip: '1.0.0.1', country: 'AU', as: 13335, asOrg: 'Cloudflare, Inc.' });
    recs[0]!.dst.should.eql({ ip: '2001:4860::1', as: 15169, asOrg: 'Google LLC' });
    const bad = file('bad.csv', '1.0.0.0,1.0.0.255,13335,x\n1.0.1.0,1.0.0.0,1,y\n');
    const err = await rejection(openGeoDatabase(bad, 'asnFile'));
    err.code.should.equal('BAD_INPUT');
    err.message.should.match(/^asnFile: ".*bad\.csv" line 2: "1\.0\.1\.0" to "1\.0\.0\.0" is not an address range$/);
  });

  it('a missing or corrupt file is a coded error at create, never a crash', async () => {
    const missing = await rejection(Enricher.create({ geo: 'files', countryFile: path.join(dir, 'nope.mmdb') }));
    missing.should.be.instanceOf(FlowError);
    missing.code.should.equal('BAD_INPUT');
    missing.field!.should.equal('countryFile');
    missing.message.should.match(/^countryFile: cannot read ".*nope\.mmdb": no such file$/);
    const good = buildMmdb(COUNTRY_ASN);
    const corrupt = file('corrupt.mmdb', good.subarray(0, good.length - 40));
    const c = await rejection(Enricher.create({ geo: 'files', asnFile: corrupt }));
    c.code.should.equal('BAD_INPUT');
    c.message.should.match(/^asnFile: ".*corrupt\.mmdb" is not a readable MaxMind DB file/);
    const garbage = file('garbage.mmdb', Buffer.from('not a database at all'));
    (await rejection(Enricher.create({ geo: 'files', countryFile: garbage }))).message.should.match(/is not a readable MaxMind DB file/);
    const names = await rejection(Enricher.create({ geo: 'off', namesFile: path.join(dir, 'none.csv') }));
    names.message.should.match(/^namesFile: cannot read ".*none\.csv": no such file$/);
    const badLine = file('names.csv', '10.0.0.1,a\n10.0.0.2,b\nbogus,c\n');
    (await rejection(Enricher.create({ geo: 'off', namesFile: badLine }))).message.should.equal('namesFile: line 3: "bogus" is not an IP address, a CIDR (10.0.0.0/8) or a MAC address (AA:BB:CC:DD:EE:FF)');
    (await rejection(Enricher.create({ geo: 'files' }))).field!.should.equal('countryFile');
    (await rejection(Enricher.create({ geo: 'maybe' }))).message.should.equal('geo: expected default, files or off, got "maybe"');
    (await rejection(Enricher.create({ cacheSize: 0 }))).message.should.equal('cacheSize: expected a whole number from 1 to 10000000, got 0');
  });

  it('says so when the default databases are not installed, and still applies local names', async () => {
    const e = await Enricher.create({ names: '10.0.0.0/8,office', reload: 0 }, { resolveModule: () => { throw new Error('not found'); } });
    e.missingDatabase!.code.should.equal('BAD_INPUT');
    e.missingDatabase!.message.should.match(/^geo: no country or AS database: the optional packages @ip-location-db\/geo-whois-asn-country-mmdb and @ip-location-db\/asn are not installed\. Run "npm install @ip-location-db\/geo-whois-asn-country-mmdb @ip-location-db\/asn"/);
    const recs = [flow('10.1.1.1', '8.8.8.8')];
    e.enrich(recs);
    recs[0]!.src.name!.should.equal('office');
    recs[0]!.dst.should.eql({ ip: '8.8.8.8' });
    e.close();
  });

  it('names, sites and tags from the table; a MAC entry beats the address; tags are copied per record', async () => {
    const e = await Enricher.create({
      geo: 'off',
      names: '192.168.1.0/24,home-lan,home,lan\n192.168.1.23,kids-ipad,home,kids;tablet\nAA:BB:CC:00:00:01,tv,living room,media',
      reload: 0,
    });
    const a = flow('192.168.1.23', '192.168.1.99');
    const b = flow('192.168.1.23', '192.168.1.50', { src: { ip: '192.168.1.23' } });
    const c = flow('192.168.1.77', '8.8.8.8', { src: { ip: '192.168.1.77', mac: 'aa:bb:cc:00:00:01' } });
    e.enrich([a, b, c]);
    a.src.should.eql({ ip: '192.168.1.23', name: 'kids-ipad', site: 'home', tags: ['kids', 'tablet'] });
    a.dst.should.eql({ ip: '192.168.1.99', name: 'home-lan', site: 'home', tags: ['lan'] });
    (a.src.tags !== b.src.tags).should.be.true();
    a.src.tags!.push('changed');
    b.src.tags!.should.eql(['kids', 'tablet']);
    c.src.name!.should.equal('tv');
    c.src.site!.should.equal('living room');
    e.close();
  });

  it('skips entries that are not records and sides that are not objects', async () => {
    const e = await Enricher.create({ geo: 'off', names: '10.0.0.0/8,x', reload: 0 });
    const recs: unknown[] = [null, 5, 'x', [1], { src: 'nope', dst: { ip: 'not an ip' } }, { src: { ip: 7 } }];
    (e.enrich(recs) === undefined).should.be.true();
    e.stats().skipped.should.equal(4);
    e.stats().records.should.equal(2);
    e.close();
  });

  it('ECS output carries source/destination geo, as and the custom site and tags', async () => {
    const db = file('ecs.mmdb', buildMmdb(COUNTRY_ASN));
    const e = await Enricher.create({ geo: 'files', countryFile: db, names: '10.1.1.1,kids-ipad,home,kids', reload: 0 });
    const rec = flow('10.1.1.1', '8.8.8.8', { region: 'FR', protocol: { number: 6, name: 'tcp' } });
    e.enrich([rec]);
    const doc = toEcs(rec) as Record<string, Record<string, unknown>>;
    doc.destination!.geo!.should.eql({ country_iso_code: 'US' });
    doc.destination!.as!.should.eql({ number: 15169, organization: { name: 'Google LLC' } });
    (doc.source!.geo === undefined).should.be.true();
    doc.network_flows!.source_name!.should.equal('kids-ipad');
    doc.network_flows!.source_site!.should.equal('home');
    doc.network_flows!.source_tags!.should.eql(['kids']);
    // A reverse-DNS name is the side's ECS domain; a vendor's destination domain stays.
    rec.dst.hostname = 'dns.google';
    (toEcs(rec) as Record<string, Record<string, unknown>>).destination!.domain!.should.equal('dns.google');
    rec.dst.domain = 'example.com';
    (toEcs(rec) as Record<string, Record<string, unknown>>).destination!.domain!.should.equal('example.com');
    e.close();
  });

  it('re-reads a changed database and name table on the reload timer; a broken change keeps the old data', async () => {
    const clock = FakeTimers.createClock(0);
    const timers = clock as unknown as EnrichTimers;
    const db = file('reload.mmdb', buildMmdb([['8.8.8.0/24', { country: { iso_code: 'US' } }]]));
    const names = file('reload-names.csv', '10.0.0.1,before\n');
    const e = await Enricher.create({ geo: 'files', countryFile: db, namesFile: names, reload: 30 }, { timers });
    const results: ReloadResult[] = [];
    let wake: () => void = () => undefined;
    e.watch((r) => {
      results.push(r);
      wake();
    });
    const check = async (): Promise<ReloadResult> => {
      const got = new Promise<void>((resolve) => (wake = resolve));
      clock.tick(30_000);
      await got;
      return results[results.length - 1]!;
    };
    const before = [flow('10.0.0.1', '8.8.8.8')];
    e.enrich(before);
    before[0]!.dst.country!.should.equal('US');

    fs.writeFileSync(db, buildMmdb([['8.8.8.0/24', { country: { iso_code: 'CA' } }]]));
    fs.writeFileSync(names, '10.0.0.1,after\n# grown\n');
    const r1 = await check();
    r1.reloaded.length.should.equal(2);
    r1.errors.length.should.equal(0);
    const after = [flow('10.0.0.1', '8.8.8.8')];
    e.enrich(after);
    after[0]!.dst.country!.should.equal('CA');
    after[0]!.src.name!.should.equal('after');

    fs.writeFileSync(names, '10.0.0.1,again\nnot-an-address,x\n');
    const r2 = await check();
    r2.errors.length.should.equal(1);
    r2.errors[0]!.message.should.equal('namesFile: line 2: "not-an-address" is not an IP address, a CIDR (10.0.0.0/8) or a MAC address (AA:BB:CC:DD:EE:FF)');
    const kept = [flow('10.0.0.1', '8.8.8.8')];
    e.enrich(kept);
    kept[0]!.src.name!.should.equal('after');
    e.stats().reloads.should.equal(2);

    e.close();
    clock.countTimers().should.equal(0);
  });

  it('fills host names from reverse DNS for public addresses only, waiting for the answers', async () => {
    const asked: string[] = [];
    const e = await Enricher.create(
      { geo: 'off', reverseDns: true, reload: 0 },
      { reverse: async (ip) => (asked.push(ip), ip === '8.8.8.8' ? ['dns.google.'] : []) },
    );
    const recs = [flow('10.0.0.1', '8.8.8.8'), flow('192.168.1.1', '8.8.8.8'), flow('fe80::1', '9.9.9.9')];
    const pending = e.enrich(recs);
    (pending instanceof Promise).should.be.true();
    await pending;
    asked.sort().should.eql(['8.8.8.8', '9.9.9.9']);
    recs[0]!.dst.hostname!.should.equal('dns.google');
    recs[1]!.dst.hostname!.should.equal('dns.google');
    (recs[2]!.dst.hostname === undefined).should.be.true();
    (recs[0]!.src.hostname === undefined).should.be.true();
    // Cached now: no promise, no new query.
    const again = [flow('10.0.0.1', '8.8.8.8')];
    (e.enrich(again) === undefined).should.be.true();
    again[0]!.dst.hostname!.should.equal('dns.google');
    asked.length.should.equal(2);
    e.close();
  });

  it('the default npm databases give known countries and AS numbers', async function () {
    this.timeout(120_000);
    const found = findDefaultDatabases();
    found.missing.should.eql([]);
    const e = await Enricher.create({ reload: 0 });
    (e.missingDatabase === undefined).should.be.true();
    const recs = [flow('8.8.8.8', '1.1.1.1'), flow('2001:4860:4860::8888', '9.9.9.9')];
    e.enrich(recs);
    recs[0]!.src.should.eql({ ip: '8.8.8.8', country: 'US', as: 15169, asOrg: 'Google LLC' });
    recs[0]!.dst.as!.should.equal(13335);
    recs[1]!.src.as!.should.equal(15169);
    recs[1]!.src.country!.should.equal('US');
    recs[1]!.dst.as!.should.equal(19281);
    e.close();
  });

  it('treats private, loopback and link-local space as local only', async () => {
    const db = file('all.mmdb', buildMmdb([['::/1', { country_code: 'CC' }], ['0.0.0.0/1', { country: { iso_code: 'AA' } }], ['128.0.0.0/1', { country: { iso_code: 'BB' } }]]));
    const e = await Enricher.create({ geo: 'files', countryFile: db, reload: 0 });
    for (const a of ['10.0.0.1', '127.0.0.1', '169.254.1.1', '172.16.5.5', '192.168.0.1', '100.64.0.1', '::1', 'fe80::1', 'fd00::1']) {
      const rec = flow(a, a);
      e.enrich([rec]);
      rec.src.should.eql({ ip: a });
      rec.dst.should.eql({ ip: a });
    }
    const pub = [flow('11.0.0.1', '200.1.1.1')];
    e.enrich(pub);
    pub[0]!.src.country!.should.equal('AA');
    pub[0]!.dst.country!.should.equal('BB');
    const v6 = [flow('2001:db8::1', '::ffff:11.0.0.1')];
    e.enrich(v6);
    v6[0]!.src.country!.should.equal('CC');
    v6[0]!.dst.country!.should.equal('AA');
    e.close();
  });
});
