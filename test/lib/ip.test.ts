import 'should';
import { parseIp, parseCidr, parseCidrList, inAnyRange } from '../../nodes/lib/ip';

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
});
