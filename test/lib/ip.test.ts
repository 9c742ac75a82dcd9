import 'should';
import fc from 'fast-check';
import { inAnyRange, ipv4Value, isCanonicalIpv4, parseCidr, parseCidrList, parseIp } from '../../nodes/lib/ip';
import { runs } from '../support/property';

describe('lib/ip', () => {
  it('canonicalises IPv4, IPv6 and IPv4-mapped IPv6', () => {
    parseIp('10.1.2.3')!.should.match({ version: 4, text: '10.1.2.3' });
    parseIp('2001:DB8:0:0:0:0:0:1')!.text.should.equal('2001:db8::1');
    parseIp('::ffff:192.168.1.5')!.should.match({ version: 4, text: '192.168.1.5' });
    (parseIp('010.1.2.3') === undefined).should.be.true();
    (parseIp('1.2.3') === undefined).should.be.true();
    (parseIp('') === undefined).should.be.true();
  });
  it('parses CIDRs with host bits masked, /0 and /32 and /128', () => {
    parseCidr('10.1.2.3/8')!.should.match({ first: 167772160, last: 184549375, text: '10.0.0.0/8' });
    parseCidr('0.0.0.0/0')!.should.match({ first: 0, last: 4294967295 });
    parseCidr('1.2.3.4')!.should.match({ prefix: 32 });
    const r = parseCidr('2001:db8::/32')!;
    (r.last as bigint).toString(16).should.equal('20010db8ffffffffffffffffffffffff');
    (parseCidr('10.0.0.0/33') === undefined).should.be.true();
  });
  it('defaults internal networks to RFC 1918, CGNAT and ULA', () => {
    const nets = parseCidrList('');
    inAnyRange(parseIp('100.64.1.1')!, nets).should.be.true();
    inAnyRange(parseIp('fd00::1')!, nets).should.be.true();
    inAnyRange(parseIp('8.8.8.8')!, nets).should.be.false();
    (() => parseCidrList('10.0.0.0/8, bogus')).should.throw(/"bogus"/);
  });

  it('ipv4Value reads canonical dotted quads only', () => {
    ipv4Value('0.0.0.0').should.equal(0);
    ipv4Value('255.255.255.255').should.equal(4294967295);
    ipv4Value('10.1.2.3').should.equal(167838211);
    ipv4Value('192.168.100.200').should.equal(3232261320);
    ipv4Value('0.10.100.0').should.equal(10 * 65536 + 100 * 256);
    for (const bad of ['', '1.2.3', '1.2.3.4.', '.1.2.3', '1..2.3', '01.2.3.4', '1.2.3.04', '256.0.0.0', '1.2.3.-4', '1.2.3.4 ', '1.2.3.4x', '1234.1.1.1', '::1', '1.2.3.4.5']) {
      ipv4Value(bad).should.equal(-1, bad);
    }
  });

  it('ipv4Value accepts exactly the dotted quads parseIp accepts', () => {
    const candidates = fc.oneof(
      fc.ipV4(),
      fc.stringMatching(/^[0-9.]{1,16}$/),
      fc.tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 999 })).map(([a, b]) => `${a}.0${b}.1.${b}`),
    );
    fc.assert(
      fc.property(candidates, (s) => {
        const p = parseIp(s);
        const v = ipv4Value(s);
        return p && p.version === 4 && !s.includes(':') ? v === p.value : v === -1;
      }),
      { numRuns: runs(1000) },
    );
  });

  it('isCanonicalIpv4 accepts exactly what ipv4Value accepts', () => {
    for (const s of ['0.0.0.0', '255.255.255.255', '249.250.251.252', '100.200.250.255', '10.0.0.1', '1.2.3.199']) isCanonicalIpv4(s).should.be.true(s);
    for (const s of ['', '1.2.3', '01.2.3.4', '1.2.3.4.', '256.1.1.1', '1.2.3.256', '260.0.0.0', '1..2.3', '1.2.3.4 ', 'a.b.c.d', '1.2.3.04', '0.0.0.00', '1.2.3.1000', '١.2.3.4', '::1']) isCanonicalIpv4(s).should.be.false(s);
    const candidates = fc.oneof(
      fc.ipV4(),
      fc.stringMatching(/^[0-9.]{1,16}$/),
      fc.tuple(fc.integer({ min: 0, max: 299 }), fc.integer({ min: 0, max: 299 }), fc.integer({ min: 0, max: 299 })).map(([a, b, c]) => `${a}.${b}.${c}.${a + c}`),
    );
    fc.assert(fc.property(candidates, (s) => isCanonicalIpv4(s) === ipv4Value(s) >= 0), { numRuns: runs(2000) });
  });
});
