import 'should';
import { ASSIGNED_COUNT, lookupProtocol, protocolByName, protocolByNumber } from '../../../nodes/lib/protocols';

describe('IANA protocol numbers', () => {
  it('has every assigned number 0..145 plus 253, 254, 255', () => {
    ASSIGNED_COUNT.should.equal(149);
    for (let n = 0; n <= 145; n++) protocolByNumber(n)!.name.should.not.equal('unassigned', String(n));
    for (let n = 146; n <= 252; n++) protocolByNumber(n)!.name.should.equal('unassigned');
    protocolByNumber(253)!.name.should.equal('experimental-253');
    protocolByNumber(255)!.name.should.equal('reserved');
  });

  it('maps registry numbers to lowercase keywords', () => {
    const spot: [number, string][] = [
      [0, 'hopopt'], [1, 'icmp'], [2, 'igmp'], [3, 'ggp'], [4, 'ipv4'], [5, 'st'], [6, 'tcp'], [8, 'egp'], [9, 'igp'],
      [17, 'udp'], [27, 'rdp'], [33, 'dccp'], [41, 'ipv6'], [43, 'ipv6-route'], [44, 'ipv6-frag'], [46, 'rsvp'],
      [47, 'gre'], [50, 'esp'], [51, 'ah'], [58, 'ipv6-icmp'], [59, 'ipv6-nonxt'], [60, 'ipv6-opts'], [88, 'eigrp'],
      [89, 'ospfigp'], [94, 'ipip'], [103, 'pim'], [108, 'ipcomp'], [112, 'vrrp'], [115, 'l2tp'], [132, 'sctp'],
      [135, 'mobility-header'], [136, 'udplite'], [137, 'mpls-in-ip'], [139, 'hip'], [143, 'ethernet'], [144, 'aggfrag'], [145, 'nsh'],
    ];
    for (const [n, name] of spot) protocolByNumber(n)!.name.should.equal(name);
    const names = new Set<string>();
    for (let n = 0; n <= 145; n++) {
      const name = protocolByNumber(n)!.name;
      name.should.equal(name.toLowerCase());
      names.add(name);
    }
    names.size.should.equal(146); // one name per number
  });

  it('looks up by name case-insensitively, with aliases, and by number text', () => {
    protocolByName('TCP')!.number.should.equal(6);
    protocolByName('icmpv6')!.number.should.equal(58);
    protocolByName('IPv6-ICMP')!.number.should.equal(58);
    protocolByName('ospf')!.number.should.equal(89);
    protocolByName('ISIS over IPv4')!.number.should.equal(124);
    lookupProtocol('17')!.name.should.equal('udp');
    lookupProtocol(132)!.name.should.equal('sctp');
    (lookupProtocol('256') === undefined).should.be.true();
    (lookupProtocol(-1) === undefined).should.be.true();
    (protocolByName('unassigned') === undefined).should.be.true();
    for (let n = 0; n <= 145; n++) protocolByName(protocolByNumber(n)!.name)!.number.should.equal(n);
  });
});
