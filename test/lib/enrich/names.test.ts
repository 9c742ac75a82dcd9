import 'should';
import { parseIp } from '../../../nodes/lib/ip';
import { NameTable, canonicalMac, parseNameCsv, parseNameJson, parseNameFile } from '../../../nodes/lib/enrich';

const ip = (t: string) => parseIp(t)!;

describe('enrich: local name table', () => {
  it('the longest prefix wins, for IPv4 and IPv6', () => {
    const t = parseNameCsv(
      [
        '# site plan',
        'address,name,site,tags',
        '10.0.0.0/8,corp,hq,internal',
        '10.1.0.0/16,lab,lab,internal;lab',
        '10.1.2.3,printer,lab,',
        '0.0.0.0/0,anywhere,,',
        '2001:db8::/32,v6-net,hq,',
        '2001:db8:1::/48,v6-lab,lab,',
      ].join('\n'),
      'names',
    );
    t.size.should.equal(6);
    t.lookupIp(ip('10.1.2.3'))!.name!.should.equal('printer');
    t.lookupIp(ip('10.1.2.4'))!.name!.should.equal('lab');
    t.lookupIp(ip('10.1.2.4'))!.tags!.should.eql(['internal', 'lab']);
    t.lookupIp(ip('10.200.0.1'))!.name!.should.equal('corp');
    t.lookupIp(ip('192.0.2.1'))!.name!.should.equal('anywhere');
    t.lookupIp(ip('2001:db8:1::5'))!.name!.should.equal('v6-lab');
    t.lookupIp(ip('2001:db8:2::5'))!.name!.should.equal('v6-net');
    (t.lookupIp(ip('2001:db9::1')) === undefined).should.be.true();
  });

  it('agrees with a linear scan over random tables and addresses', () => {
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const entries: Array<{ first: number; prefix: number; name: string }> = [];
    const t = new NameTable();
    for (let i = 0; i < 300; i++) {
      const prefix = [8, 16, 20, 24, 28, 32][rnd(6)]!;
      const size = 2 ** (32 - prefix);
      const first = Math.floor(((10 * 2 ** 24) + rnd(2 ** 20) * 16) / size) * size;
      const text = `${Math.floor(first / 2 ** 24)}.${Math.floor(first / 65536) % 256}.${Math.floor(first / 256) % 256}.${first % 256}/${prefix}`;
      if (entries.some((e) => e.first === first && e.prefix === prefix)) continue;
      entries.push({ first, prefix, name: `n${i}` });
      t.add(text, { name: `n${i}` });
    }
    for (let i = 0; i < 2000; i++) {
      const v = 10 * 2 ** 24 + rnd(2 ** 24);
      const want = entries.filter((e) => v >= e.first && v < e.first + 2 ** (32 - e.prefix)).sort((a, b) => b.prefix - a.prefix)[0];
      const got = t.lookupIp({ version: 4, text: '', value: v });
      String(got?.name).should.equal(String(want?.name));
    }
  });

  it('reads MAC addresses in three spellings; a MAC entry is found in any of them', () => {
    canonicalMac('aa-bb-cc-dd-ee-0f')!.should.equal('AA:BB:CC:DD:EE:0F');
    canonicalMac('aabb.ccdd.ee0f')!.should.equal('AA:BB:CC:DD:EE:0F');
    (canonicalMac('aa:bb:cc:dd:ee') === undefined).should.be.true();
    (canonicalMac('aa:bb-cc:dd:ee:ff') === undefined).should.be.true();
    const t = parseNameCsv('aa:bb:cc:dd:ee:0f,"kids-ipad, 2nd",home,kids', 'names');
    t.lookupMac('AA:BB:CC:DD:EE:0F')!.name!.should.equal('kids-ipad, 2nd');
    t.lookupMac('aa-bb-cc-dd-ee-0f')!.site!.should.equal('home');
  });

  it('names the line of a bad entry', () => {
    (() => parseNameCsv('10.0.0.0/8,a\n\n10.0.0.300,b', 'names')).should.throw(/^names: line 3: "10\.0\.0\.300" is not an IP address, a CIDR/);
    (() => parseNameCsv('10.0.0.0/8,a\n10.0.0.0/8,b', 'names')).should.throw('names: line 2: 10.0.0.0/8 is listed twice');
    (() => parseNameCsv('10.0.0.1', 'namesFile')).should.throw('namesFile: line 1: "10.0.0.1" has no name, site or tags');
    (() => parseNameCsv('10.0.0.1,"open', 'names')).should.throw('names: line 1: a quoted field is not closed');
    (() => parseNameCsv('10.0.0.1,a,b,c,d', 'names')).should.throw(/line 1: expected at most 4 columns/);
    (() => parseNameCsv(`10.0.0.1,${'x'.repeat(201)}`, 'names')).should.throw(/longer than 200/);
  });

  it('reads JSON arrays and objects; names the bad entry', () => {
    const a = parseNameJson(JSON.stringify([{ cidr: '192.168.1.0/24', name: 'home', tags: ['lan'] }, { mac: '00:11:22:33:44:55', name: 'tv' }]), 'namesFile');
    a.lookupIp(ip('192.168.1.7'))!.tags!.should.eql(['lan']);
    a.lookupMac('00:11:22:33:44:55')!.name!.should.equal('tv');
    const o = parseNameFile(JSON.stringify({ '192.168.1.23': 'kids-ipad', '10.0.0.0/8': { site: 'office', tags: 'a;b' } }), 'x.txt', 'namesFile');
    o.lookupIp(ip('192.168.1.23'))!.name!.should.equal('kids-ipad');
    o.lookupIp(ip('10.9.9.9'))!.tags!.should.eql(['a', 'b']);
    (() => parseNameJson('[{"address":"10.0.0.1","name":"a"},{"address":"nope","name":"b"}]', 'namesFile')).should.throw(/^namesFile: entry 2: "nope" is not an IP address/);
    (() => parseNameJson('{"10.0.0.1": 5}', 'namesFile')).should.throw(/"10.0.0.1": expected a name or an object/);
    (() => parseNameJson('{', 'namesFile')).should.throw(/^namesFile: not valid JSON/);
  });

  it('overlay: the top table wins for the same key, longest prefix still decides', () => {
    const dialog = parseNameCsv('10.0.0.0/8,dialog-net\n10.1.1.1,dialog-host', 'names');
    const file = parseNameCsv('10.1.1.1,file-host\n10.1.0.0/16,file-net', 'namesFile');
    const both = NameTable.overlay(dialog, file);
    both.size.should.equal(3);
    both.lookupIp(ip('10.1.1.1'))!.name!.should.equal('file-host');
    both.lookupIp(ip('10.1.9.9'))!.name!.should.equal('file-net');
    both.lookupIp(ip('10.9.9.9'))!.name!.should.equal('dialog-net');
  });
});
