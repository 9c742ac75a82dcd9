import 'should';
import { compileFilter, referencePredicate } from '../../../nodes/lib/filter';
import { flow, matches, which } from './helpers';

function ep(ip?: string, port?: number): Record<string, unknown> {
  const e: Record<string, unknown> = {};
  if (ip !== undefined) e.ip = ip;
  if (port !== undefined) e.port = port;
  return e;
}

describe('lib/filter semantics (compiled predicate and reference evaluator agree)', () => {
  describe('addresses', () => {
    it('ip / host match either side, src / dst one side', () => {
      const r = flow({ src: ep('10.1.2.3'), dst: ep('8.8.8.8') });
      matches('ip 10.1.2.3', r).should.be.true();
      matches('host 8.8.8.8', r).should.be.true();
      matches('src ip 10.1.2.3', r).should.be.true();
      matches('dst ip 10.1.2.3', r).should.be.false();
      matches('src host 8.8.8.8', r).should.be.false();
      matches('dst host 8.8.8.8', r).should.be.true();
      matches('ip 10.1.2.4', r).should.be.false();
      matches('ip = 10.1.2.3', r).should.be.true();
      matches('ip == 10.1.2.3', r).should.be.true();
    });

    it('ip != means neither side is the address', () => {
      matches('ip != 10.1.2.3', flow({ src: ep('10.1.2.3'), dst: ep('8.8.8.8') })).should.be.false();
      matches('ip != 10.1.2.3', flow({ src: ep('10.1.2.4'), dst: ep('8.8.8.8') })).should.be.true();
      matches('src ip != 10.1.2.3', flow({ src: ep('10.1.2.3'), dst: ep('8.8.8.8') })).should.be.false();
      matches('dst ip != 10.1.2.3', flow({ src: ep('10.1.2.3'), dst: ep('8.8.8.8') })).should.be.true();
    });

    it('net: first and last address of an IPv4 range, and one past each end', () => {
      const recs = ['9.255.255.255', '10.0.0.0', '10.128.0.1', '10.255.255.255', '11.0.0.0'].map((ip) =>
        flow({ src: ep(ip), dst: ep('1.1.1.1') }),
      );
      which('src net 10.0.0.0/8', recs).should.eql([1, 2, 3]);
      which('net 10.0.0.0/8', recs).should.eql([1, 2, 3]);
      which('not src net 10.0.0.0/8', recs).should.eql([0, 4]);
      // Host bits in the CIDR are masked off, as in nfdump.
      which('src net 10.9.9.9/8', recs).should.eql([1, 2, 3]);
    });

    it('IPv4 /0, /32 and /31 boundaries', () => {
      const recs = ['0.0.0.0', '255.255.255.255', '192.0.2.6', '192.0.2.7', '192.0.2.8'].map((ip) =>
        flow({ src: ep(ip), dst: ep('2001:db8::1') }),
      );
      which('src net 0.0.0.0/0', recs).should.eql([0, 1, 2, 3, 4]);
      which('src net 192.0.2.7/32', recs).should.eql([3]);
      which('src net 192.0.2.6/31', recs).should.eql([2, 3]);
      which('src net 255.255.255.255/32', recs).should.eql([1]);
      which('src net 0.0.0.0/32', recs).should.eql([0]);
      // An IPv4 /0 does not contain IPv6 addresses.
      which('dst net 0.0.0.0/0', recs).should.eql([]);
    });

    it('IPv6 /0, /128 and the first and last address of a /32', () => {
      const recs = ['2001:db7:ffff:ffff:ffff:ffff:ffff:ffff', '2001:db8::', '2001:db8::1', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', '2001:db9::', '::'].map(
        (ip) => flow({ src: ep(ip), dst: ep('10.0.0.1') }),
      );
      which('src net 2001:db8::/32', recs).should.eql([1, 2, 3]);
      which('src net ::/0', recs).should.eql([0, 1, 2, 3, 4, 5]);
      which('src ip 2001:db8::1/128', recs).should.eql([2]);
      which('src ip 2001:DB8:0:0:0:0:0:1', recs).should.eql([2]);
      which('src net ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128', recs).should.eql([]);
      // An IPv6 /0 does not contain IPv4 addresses.
      which('dst net ::/0', recs).should.eql([]);
    });

    it('record addresses in any IPv6 spelling and IPv4-mapped IPv6 match', () => {
      matches('src ip 2001:db8::1', flow({ src: ep('2001:0DB8:0000::0001') })).should.be.true();
      matches('src net 10.0.0.0/8', flow({ src: ep('::ffff:10.9.8.7') })).should.be.true();
      matches('src net ::ffff:10.0.0.0/104', flow({ src: ep('10.9.8.7') })).should.be.true();
    });

    it('non-canonical or invalid record addresses never match', () => {
      for (const ip of ['010.1.2.3', ' 10.1.2.3', '10.1.2', '10.1.2.3.4', '10.1.2.256', '', 'x', '10.1.2.3 ', '1.2.3.4/8', ':::']) {
        matches('src net 0.0.0.0/0', flow({ src: ep(ip) })).should.be.false(ip);
        matches('src net ::/0', flow({ src: ep(ip) })).should.be.false(ip);
      }
      matches('src net 0.0.0.0/0', flow({ src: { ip: 167772161 } })).should.be.false();
      matches('src net 0.0.0.0/0', flow({ src: null })).should.be.false();
      matches('src net 0.0.0.0/0', flow({ src: undefined })).should.be.false();
    });

    it('ip in [...] mixes addresses and CIDRs of both families', () => {
      const list = 'ip in [192.168.1.0/24, 2001:db8::/32, 8.8.8.8, 172.16.0.0/12]';
      const recs = ['192.168.1.255', '192.168.2.0', '2001:db8:1::5', '8.8.8.8', '8.8.4.4', '172.31.255.255', '172.32.0.0'].map((ip) =>
        flow({ src: ep('203.0.113.1'), dst: ep(ip) }),
      );
      which(list, recs).should.eql([0, 3, 5, 2].sort());
      which('src ' + list, recs).should.eql([]);
      which('net in [192.168.1.0/24, 8.8.8.8]', recs).should.eql([0, 3]);
      which('ip 192.168.1.0/24, 8.8.8.8', recs).should.eql([0, 3]);
      which('ip != in [192.168.1.0/24, 8.8.8.8]', recs).should.eql([1, 2, 4, 5, 6]);
    });

    it('large address lists: bisection over merged ranges agrees with a linear scan', () => {
      // 2,000 /24s with gaps, plus overlapping and adjacent entries that must merge.
      const cidrs: string[] = [];
      for (let i = 0; i < 2000; i++) cidrs.push(`10.${(i * 3) >> 8}.${(i * 3) & 255}.0/24`);
      cidrs.push('10.0.0.0/16', '10.0.1.128/25', '2001:db8::/48', '2001:db8:1::/48', '2001:db8:5::/48', 'fe80::/10', '::1', 'ff00::/8');
      const expr = `src ip in [${cidrs.join(', ')}]`;
      const pred = compileFilter(expr);
      const ref = referencePredicate(expr);
      let checked = 0;
      for (let b = 0; b < 26; b++) {
        for (let c = 0; c < 256; c++) {
          const ip = `10.${b}.${c}.${(b * 7 + c) & 255}`;
          // The /24 list holds every third /24 from 10.0.0.0 (2,000 of them); 10.0/16 is all in.
          const n = b * 256 + c;
          const expected = b === 0 || (n % 3 === 0 && n / 3 < 2000);
          const rec = flow({ src: ep(ip) });
          pred(rec).should.equal(expected, ip);
          ref(rec).should.equal(expected, ip);
          checked++;
        }
      }
      checked.should.equal(26 * 256);
      const v6 = ['2001:db8::1', '2001:db8:1:ffff:ffff:ffff:ffff:ffff', '2001:db8:2::', '2001:db8:5::9', '2001:db8:6::', 'fe80::1', 'febf:ffff::', 'fec0::', '::1', '::2', 'ff02::1'];
      const want6 = [true, true, false, true, false, true, true, false, true, false, true];
      v6.map((ip) => pred(flow({ src: ep(ip) }))).should.eql(want6);
      v6.map((ip) => ref(flow({ src: ep(ip) }))).should.eql(want6);
    });
  });

  describe('ports', () => {
    const recs = [0, 79, 80, 443, 1023, 1024, 8080, 65535].map((p) => flow({ src: ep('10.0.0.1', 40000), dst: ep('10.0.0.2', p) }));

    it('equality, ranges, lists and comparisons', () => {
      which('dst port 80', recs).should.eql([2]);
      which('dst port = 443', recs).should.eql([3]);
      which('dst port != 80', recs).should.eql([0, 1, 3, 4, 5, 6, 7]);
      which('dst port 1024-65535', recs).should.eql([5, 6, 7]);
      which('dst port 0-79', recs).should.eql([0, 1]);
      which('dst port in [80, 443, 8000-8999]', recs).should.eql([2, 3, 6]);
      which('dst port 80,443', recs).should.eql([2, 3]);
      which('dst port > 1023', recs).should.eql([5, 6, 7]);
      which('dst port >= 1023', recs).should.eql([4, 5, 6, 7]);
      which('dst port < 80', recs).should.eql([0, 1]);
      which('dst port <= 80', recs).should.eql([0, 1, 2]);
    });

    it('unqualified port matches either side; != means neither side', () => {
      which('port 40000', recs).length.should.equal(recs.length);
      which('port > 40000', recs).should.eql([7]);
      which('port != 80', recs).should.eql([0, 1, 3, 4, 5, 6, 7]);
      which('src port 80', recs).should.eql([]);
      matches('port != 80', flow({ src: ep('1.1.1.1', 80), dst: ep('1.1.1.2', 443) })).should.be.false();
    });

    it('large port lists are bisected', () => {
      const list = Array.from({ length: 300 }, (_, i) => String(i * 200)).join(',');
      which(`dst port in [${list}]`, recs).should.eql([0]);
      const many = [80, 443, 1024, 8080, 65535, 3000, 3001, 3002, 9000, 10000].join(', ');
      which(`dst port in [${many}]`, recs).should.eql([2, 3, 5, 6, 7]);
    });

    it('missing or non-numeric ports do not match, numeric strings do', () => {
      matches('dst port 443', flow({ dst: ep('1.1.1.1') })).should.be.false();
      matches('dst port < 1', flow({ dst: { port: 'x' } })).should.be.false();
      matches('dst port 443', flow({ dst: { port: '443' } })).should.be.true();
      matches('not dst port 443', flow({ dst: {} })).should.be.true();
    });
  });

  describe('protocol', () => {
    it('by name or number, lists, != and records that carry only a name or a number', () => {
      const tcp = flow({ protocol: { number: 6, name: 'tcp' } });
      const udp = flow({ protocol: { number: 17, name: 'udp' } });
      matches('proto tcp', tcp).should.be.true();
      matches('proto TCP', tcp).should.be.true();
      matches('proto 6', tcp).should.be.true();
      matches('proto = 17', udp).should.be.true();
      matches('proto != tcp', udp).should.be.true();
      matches('proto != tcp', tcp).should.be.false();
      matches('proto tcp,udp', udp).should.be.true();
      matches('proto in [icmp, 47]', udp).should.be.false();
      matches('proto icmpv6', flow({ protocol: { number: 58, name: 'ipv6-icmp' } })).should.be.true();
      matches('proto udp', flow({ protocol: { name: 'UDP' } })).should.be.true();
      matches('proto udp', flow({ protocol: 17 })).should.be.true();
      matches('proto udp', flow({ protocol: 'udp' })).should.be.true();
      matches('proto udp', flow({ protocol: undefined })).should.be.false();
      matches('not proto udp', flow({ protocol: undefined })).should.be.true();
    });
  });

  describe('text fields', () => {
    it('case-insensitive, wildcards, comma lists, in [...], !=', () => {
      const r = flow({ app: 'YouTube', category: 'video', region: 'US', vendor: 'citrix-sdwan', direction: 'outbound' });
      matches('app youtube', r).should.be.true();
      matches('app = YOUTUBE', r).should.be.true();
      matches('app "YouTube"', r).should.be.true();
      matches('app you*', r).should.be.true();
      matches('app *tube', r).should.be.true();
      matches('app *ut*', r).should.be.true();
      matches('app y*u*e', r).should.be.true();
      matches('app y*x*e', r).should.be.false();
      matches('app *', r).should.be.true();
      matches('app you', r).should.be.false();
      matches('app != youtube', r).should.be.false();
      matches('category video,games', r).should.be.true();
      matches('category games, social', r).should.be.false();
      matches('category in [games, "VIDEO"]', r).should.be.true();
      matches('region us', r).should.be.true();
      matches('vendor citrix*', r).should.be.true();
      matches('vendor firewalla', r).should.be.false();
      matches('direction outbound', r).should.be.true();
      matches('direction inbound,internal', r).should.be.false();
      matches('direction *bound', r).should.be.true();
    });

    it('a missing field never matches =, always matches !=', () => {
      const r = flow({ app: undefined });
      matches('app *', r).should.be.false();
      matches('app != x', r).should.be.true();
      matches('not app *', r).should.be.true();
    });

    it('many exact values go in a set, wildcards still apply', () => {
      const names = Array.from({ length: 20 }, (_, i) => `app${i}`);
      matches(`app in [${names.join(', ')}]`, flow({ app: 'APP13' })).should.be.true();
      matches(`app in [${names.join(', ')}]`, flow({ app: 'app20' })).should.be.false();
      matches(`app in [${names.join(', ')}, zz*]`, flow({ app: 'zzTop' })).should.be.true();
    });

    it('special characters in values are literal', () => {
      matches('app "a.b(c)+[d]?"', flow({ app: 'A.B(C)+[D]?' })).should.be.true();
      matches('app "a.*"', flow({ app: 'a.b' })).should.be.true();
      matches('app "a.*"', flow({ app: 'ab' })).should.be.false();
      matches('app "*\\"quoted\\"*"', flow({ app: 'say "quoted" twice' })).should.be.true();
    });
  });

  describe('blocked', () => {
    it('bare, = true/false, != and not', () => {
      const b = flow({ blocked: true });
      const nb = flow({ blocked: false });
      const missing = flow({ blocked: undefined });
      which('blocked', [b, nb, missing]).should.eql([0]);
      which('not blocked', [b, nb, missing]).should.eql([1, 2]);
      which('blocked = true', [b, nb, missing]).should.eql([0]);
      which('blocked == false', [b, nb, missing]).should.eql([1, 2]);
      which('blocked != true', [b, nb, missing]).should.eql([1, 2]);
      which('blocked = FALSE and app https', [b, nb, missing]).should.eql([1, 2]);
    });
  });

  describe('metrics and units', () => {
    it('size units: K/M/G/T x1000, Ki/Mi/Gi/Ti x1024, optional B, any case', () => {
      const at = (n: number): Record<string, unknown> => flow({ bytes: n });
      matches('bytes = 1K', at(1000)).should.be.true();
      matches('bytes = 1k', at(1000)).should.be.true();
      matches('bytes = 1KB', at(1000)).should.be.true();
      matches('bytes = 1KiB', at(1024)).should.be.true();
      matches('bytes = 1ki', at(1024)).should.be.true();
      matches('bytes = 2M', at(2e6)).should.be.true();
      matches('bytes = 2MiB', at(2 * 1024 ** 2)).should.be.true();
      matches('bytes = 3G', at(3e9)).should.be.true();
      matches('bytes = 3GiB', at(3 * 1024 ** 3)).should.be.true();
      matches('bytes = 1T', at(1e12)).should.be.true();
      matches('bytes = 1TiB', at(1024 ** 4)).should.be.true();
      matches('bytes = 1.5M', at(1.5e6)).should.be.true();
      matches('bytes = 512B', at(512)).should.be.true();
      matches('bytes 512', at(512)).should.be.true();
      matches('bytes >= 50MB', at(50e6)).should.be.true();
      matches('bytes > 50MB', at(50e6)).should.be.false();
      matches('bytes < 1KiB', at(1023)).should.be.true();
      matches('bytes <= 1KiB', at(1024)).should.be.true();
      matches('bytes != 1K', at(1000)).should.be.false();
      matches('bytes != 1K', flow({ bytes: undefined })).should.be.true();
      matches('bytes > 0', flow({ bytes: undefined })).should.be.false();
      matches('bytes < 1', flow({ bytes: undefined })).should.be.false();
    });

    it('packets, pps, flows', () => {
      const r = flow({ packets: 10_001, pps: 99.5, flows: 3 });
      matches('packets > 10k', r).should.be.true();
      matches('packets > 10.001k', r).should.be.false();
      matches('pps < 100', r).should.be.true();
      matches('pps = 99.5', r).should.be.true();
      matches('flows >= 3 and flows <= 3', r).should.be.true();
    });

    it('duration compares durationMs; ms, s, m, h units, bare numbers are ms', () => {
      const r = flow({ durationMs: 90_000 });
      matches('duration = 90000', r).should.be.true();
      matches('duration = 90000ms', r).should.be.true();
      matches('duration = 90s', r).should.be.true();
      matches('duration = 1.5m', r).should.be.true();
      matches('duration = 1.5min', r).should.be.true();
      matches('duration > 1m and duration < 2m', r).should.be.true();
      matches('duration < 1h', r).should.be.true();
      matches('duration = 0.025h', r).should.be.true();
      matches('duration > 1d', r).should.be.false();
    });

    it('bps is bytes * 8 / seconds, else rateKbps * 1000, else unknown', () => {
      // 2,000,000 bytes in 2 s = 8 Mbit/s.
      const r = flow({ bytes: 2_000_000, durationMs: 2000 });
      matches('bps = 8M', r).should.be.true();
      matches('bps = 8Mbps', r).should.be.true();
      matches('bps = 8000kbps', r).should.be.true();
      matches('bps > 7.9M and bps < 8.1M', r).should.be.true();
      const rate = flow({ bytes: 1000, durationMs: 0, rateKbps: 250 });
      matches('bps = 250k', rate).should.be.true();
      const none = flow({ bytes: 1000, durationMs: undefined, rateKbps: undefined });
      matches('bps > 0', none).should.be.false();
      matches('bps < 1T', none).should.be.false();
    });
  });

  describe('record paths', () => {
    it('strings and numbers, numeric strings compare as numbers', () => {
      const r = flow();
      matches('raw.vpathclass = "2"', r).should.be.true();
      matches('raw.vpathclass = 2', r).should.be.true();
      matches('raw.vpathclass == "3"', r).should.be.false();
      matches('raw.hitcount > 16', r).should.be.true();
      matches('raw.hitcount > 1k', r).should.be.false();
      matches('extra.flowcount > 100', r).should.be.true();
      matches('extra.flowcount != 150', r).should.be.false();
      matches('src.port > 50000', r).should.be.true();
      matches('protocol.name = TCP', r).should.be.true();
      matches('kind = flow', r).should.be.true();
      matches('endpoint != flows', r).should.be.false();
      matches('observer = *', r).should.be.false();
      matches('observer != *', r).should.be.true();
    });

    it('wildcards and case-insensitive strings; ordered string comparison', () => {
      const r = flow({ extra: { domain: 'Video.Example.COM', tier: 'gold' } });
      matches('extra.domain = *.example.com', r).should.be.true();
      matches('extra.domain = "video.*"', r).should.be.true();
      matches('extra.tier > "f"', r).should.be.true();
      matches('extra.tier < "GOLDEN"', r).should.be.true();
      matches('extra.tier >= h', r).should.be.false();
    });

    it('booleans and numbers compare as text; objects and missing values never match', () => {
      const r = flow({ extra: { ok: true, n: 5, arr: [1, 2], obj: { a: 1 } } });
      matches('extra.ok = true', r).should.be.true();
      matches('extra.n = "5"', r).should.be.true();
      matches('extra.arr.1 = 2', r).should.be.true();
      matches('extra.obj = *', r).should.be.false();
      matches('extra.nope.deeper > 0', r).should.be.false();
      matches('extra.ok > 0', r).should.be.false();
      matches('toString = *', r).should.be.false();
      matches('constructor.name = Object', r).should.be.false();
    });
  });

  describe('boolean structure', () => {
    const recs = [
      flow({ app: 'a', category: 'x', region: 'p' }),
      flow({ app: 'a', category: 'y', region: 'q' }),
      flow({ app: 'b', category: 'x', region: 'q' }),
      flow({ app: 'b', category: 'y', region: 'p' }),
    ];

    it('not binds tighter than and, and tighter than or', () => {
      which('app a or category x and region q', recs).should.eql([0, 1, 2]);
      which('(app a or category x) and region q', recs).should.eql([1, 2]);
      which('app a and category x or region q', recs).should.eql([0, 1, 2]);
      which('app a and (category x or region q)', recs).should.eql([0, 1]);
      which('not app a and category x', recs).should.eql([2]);
      which('not (app a and category x)', recs).should.eql([1, 2, 3]);
      which('not app a or category x', recs).should.eql([0, 2, 3]);
      which('not not app a', recs).should.eql([0, 1]);
      which('! app a', recs).should.eql([2, 3]);
      which('app a && region q || app b && region p', recs).should.eql([1, 3]);
      which('((app a))', recs).should.eql([0, 1]);
    });

    it('keywords are case-insensitive; any, empty and comment-only expressions match everything', () => {
      which('APP a AND NOT Category x', recs).should.eql([1]);
      which('any', recs).should.eql([0, 1, 2, 3]);
      which('not any', recs).should.eql([]);
      which('', recs).should.eql([0, 1, 2, 3]);
      which('  # nothing here\n', recs).should.eql([0, 1, 2, 3]);
    });

    it('# comments run to the end of the line, also inside multi-line expressions', () => {
      which('app a # or app b\n and region q # the second line\n', recs).should.eql([1]);
      which('app "a#b"', [flow({ app: 'A#B' })]).should.eql([0]);
    });

    it('the docs/filter-language.md opening examples parse and select', () => {
      const r = flow({
        src: ep('10.1.2.3', 51000),
        dst: ep('192.168.1.20', 443),
        bytes: 60e6,
        packets: 20_000,
        category: 'games',
        blocked: false,
      });
      matches('src net 10.0.0.0/8 and dst port 443 and bytes > 1M', r).should.be.true();
      matches('proto udp and not dst port in [53, 123, 5353]', r).should.be.false();
      matches('ip in [192.168.1.0/24, 2001:db8::/32] or app HTTPS', r).should.be.true();
      matches('direction outbound and bytes >= 50MB and category video,games', r).should.be.true();
      matches('port 1024-65535 and packets > 10k and not blocked', r).should.be.true();
      matches('raw.vpathclass = "2" or extra.flowcount > 100', r).should.be.true();
    });
  });

  it('non-object records are tested as empty records and never throw', () => {
    const p = compileFilter('not app x and not src net 0.0.0.0/0');
    for (const r of [null, undefined, 5, 'str', true]) p(r as unknown as Record<string, unknown>).should.be.true();
    compileFilter('bytes > 0')(null as unknown as Record<string, unknown>).should.be.false();
  });
});
