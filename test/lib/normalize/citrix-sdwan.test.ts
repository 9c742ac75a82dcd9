import 'should';
import { Normalizer, sdwanDirection } from '../../../nodes/lib/normalize';
import type { NetworkFlow } from '../../../nodes/lib/network-flow';
import { FETCHED_AT, sdwanFlow, sdwanIlbFlow } from './fixtures';

const ctxFlows = { vendor: 'citrix-sdwan' as const, endpoint: 'flows', host: 'https://SDWAN-Branch.example:8443/', fetchedAt: FETCHED_AT };
const ctxIlb = { ...ctxFlows, endpoint: 'ilbflows' };

function one(rec: Record<string, unknown>, ctx: object = ctxFlows, opts = {}): NetworkFlow {
  const res = new Normalizer(opts).toNetworkFlows([rec], ctx);
  if (res.invalid.length) throw new Error(`unexpected invalid: ${res.invalid[0]!.reason}`);
  return res.records[0]!;
}

function reason(rec: Record<string, unknown>, ctx: object = ctxFlows): string {
  const res = new Normalizer().toNetworkFlows([rec], ctx);
  res.records.should.have.length(0);
  res.invalid.should.have.length(1);
  res.invalid[0]!.index.should.equal(0);
  return res.invalid[0]!.reason;
}

describe('normalize: Citrix SD-WAN flows', () => {
  it('maps every documented field of a flows record', () => {
    const f = one(sdwanFlow());
    f.should.eql({
      kind: 'flow',
      vendor: 'citrix-sdwan',
      endpoint: 'flows',
      observer: 'sdwan-branch.example',
      ts: FETCHED_AT, // snapshot at fetch time
      start: FETCHED_AT - 65000, // age is ms since creation
      durationMs: 65000,
      src: { ip: '10.10.1.20', port: 50123 },
      dst: { ip: '52.96.0.10', port: 443 },
      ipVersion: 4,
      protocol: { number: 6, name: 'tcp' },
      direction: 'outbound',
      bytes: 1048576,
      packets: 900,
      bytesOut: 1048576, // LAN to WAN: the local side sent them
      rateKbps: 128.5, // customer_kbps
      pps: 14,
      app: 'Office365',
      extra: {
        app_rule_id: 12,
        class_type: 'interactive',
        hdr_compression_bytes: 2048,
        hitcount: 37,
        ip_dscp: 'af41',
        ipsec_overhead_kbps: 3.25,
        lan_gw_ip: '10.10.0.1',
        path: 'DC-MPLS->Branch-MPLS',
        rule_id: 7,
        service_name: 'Internet',
        service_type: 'Internet',
        transmission_type: 'load balance',
        virtual_path_overhead_kbps: 0.75,
        vpathclass: 2,
      },
    });
  });

  it('maps WAN to LAN to inbound, with bytes received by the local side', () => {
    const f = one({ ...sdwanFlow(), direction: 'WAN to LAN', src_ip: '52.96.0.10', dest_ip: '10.10.1.20' });
    f.direction.should.equal('inbound');
    f.bytesIn!.should.equal(1048576);
    (f.bytesOut === undefined).should.be.true();
  });

  it('reads the vendor direction tolerantly of case and spacing', () => {
    for (const t of ['LAN to WAN', 'lan to wan', 'LAN-TO-WAN', ' Lan  To  Wan ', 'lan_to_wan']) {
      sdwanDirection(t.trim())!.should.equal('outbound');
    }
    for (const t of ['WAN to LAN', 'wan to lan', 'WAN_TO_LAN']) sdwanDirection(t)!.should.equal('inbound');
    (sdwanDirection('sideways') === undefined).should.be.true();
    one({ ...sdwanFlow(), direction: '  wan TO lan ' }).direction.should.equal('inbound');
  });

  it('derives the direction from internal networks when the vendor gives none or an unknown one', () => {
    const base = sdwanFlow();
    one({ ...base, direction: '' }).direction.should.equal('outbound');
    one({ ...base, direction: 'N/A', src_ip: '8.8.8.8', dest_ip: '192.168.1.2' }).direction.should.equal('inbound');
    one({ ...base, direction: undefined, src_ip: '10.0.0.1', dest_ip: '172.16.5.5' }).direction.should.equal('internal');
    one({ ...base, direction: '-', src_ip: '8.8.8.8', dest_ip: '1.1.1.1' }).direction.should.equal('external');
    const odd = one({ ...base, direction: 'Virtual Path' });
    odd.direction.should.equal('outbound');
    odd.extra!.direction!.should.equal('Virtual Path'); // kept, not lost
    // custom internal networks
    one({ ...base, direction: '', src_ip: '52.96.0.10', dest_ip: '8.8.8.8' }, ctxFlows, { internalNetworks: '52.96.0.0/16' }).direction.should.equal(
      'outbound',
    );
    const noIps = one({ ...base, direction: '', src_ip: '', dest_ip: 'N/A' });
    noIps.direction.should.equal('unknown');
    noIps.src.should.eql({ port: 50123 });
  });

  it('canonicalises IPv6 and unmaps IPv4-mapped addresses', () => {
    const f = one({ ...sdwanFlow(), src_ip: '2001:DB8:0:0:0:0:0:1', dest_ip: '2001:db8:0::abcd', lan_gw_ip: 'FE80::1' });
    f.src.ip!.should.equal('2001:db8::1');
    f.dst.ip!.should.equal('2001:db8::abcd');
    f.ipVersion!.should.equal(6);
    f.extra!.lan_gw_ip!.should.equal('fe80::1');
    const m = one({ ...sdwanFlow(), src_ip: '::ffff:10.10.1.20', dest_ip: '::FFFF:52.96.0.10' });
    m.src.ip!.should.equal('10.10.1.20');
    m.dst.ip!.should.equal('52.96.0.10');
    m.ipVersion!.should.equal(4);
  });

  it('reports a record whose addresses are of different versions or not addresses', () => {
    reason({ ...sdwanFlow(), dest_ip: '2001:db8::1' }).should.match(/^dest_ip: IPv6 address with an IPv4 src_ip/);
    reason({ ...sdwanFlow(), src_ip: '10.1.2' }).should.equal('src_ip: "10.1.2" is not an IP address');
    reason({ ...sdwanFlow(), src_ip: '010.1.2.3' }).should.match(/^src_ip:/);
    reason({ ...sdwanFlow(), lan_gw_ip: 'gateway' }).should.match(/^lan_gw_ip:/);
  });

  it('takes missing ports, empty strings, "N/A" and "-" as absent, not errors', () => {
    const f = one({ ...sdwanFlow(), src_port: '', dest_port: 'N/A', pps: '-', hitcount: '', ip_dscp: 'N/A', application: '' });
    f.src.should.eql({ ip: '10.10.1.20' });
    f.dst.should.eql({ ip: '52.96.0.10' });
    (f.pps === undefined).should.be.true();
    f.extra!.should.not.have.property('hitcount');
    f.extra!.should.not.have.property('ip_dscp');
    f.app!.should.equal('Internet'); // service_name stands in when application is empty
    const bare = one({ src_ip: '10.1.1.1', dest_ip: '8.8.8.8' });
    bare.should.eql({
      kind: 'flow',
      vendor: 'citrix-sdwan',
      endpoint: 'flows',
      observer: 'sdwan-branch.example',
      ts: FETCHED_AT,
      src: { ip: '10.1.1.1' },
      dst: { ip: '8.8.8.8' },
      ipVersion: 4,
      direction: 'outbound',
    });
  });

  it('maps ICMP and other protocol numbers through the full IANA table', () => {
    const icmp = one({ ...sdwanFlow(), ipp: '1', src_port: '0', dest_port: '0' });
    icmp.protocol!.should.eql({ number: 1, name: 'icmp' });
    icmp.src.port!.should.equal(0);
    one({ ...sdwanFlow(), ipp: '58' }).protocol!.should.eql({ number: 58, name: 'ipv6-icmp' });
    one({ ...sdwanFlow(), ipp: '47' }).protocol!.should.eql({ number: 47, name: 'gre' });
    one({ ...sdwanFlow(), ipp: '132' }).protocol!.should.eql({ number: 132, name: 'sctp' });
    one({ ...sdwanFlow(), ipp: 'UDP' }).protocol!.should.eql({ number: 17, name: 'udp' });
    reason({ ...sdwanFlow(), ipp: '256' }).should.equal('ipp: 256 is not an IP protocol number (0..255)');
    reason({ ...sdwanFlow(), ipp: 'tcpx' }).should.match(/^ipp: "tcpx" is not an IP protocol/);
  });

  it('parses counters up to 2^53 exactly and reports larger ones instead of rounding', () => {
    const max = one({ ...sdwanFlow(), bytes: '9007199254740991', packets: '9007199254740992' });
    max.bytes!.should.equal(Number.MAX_SAFE_INTEGER);
    max.packets!.should.equal(2 ** 53);
    one({ ...sdwanFlow(), bytes: '000123' }).bytes!.should.equal(123);
    reason({ ...sdwanFlow(), bytes: '9007199254740993' }).should.equal(
      'bytes: "9007199254740993" exceeds 2^53 and cannot be represented exactly',
    );
    reason({ ...sdwanFlow(), packets: '18446744073709551615' }).should.match(/^packets: .* exceeds 2\^53/);
  });

  it('reports bad numbers, never NaN', () => {
    reason({ ...sdwanFlow(), bytes: '12x' }).should.equal('bytes: "12x" is not a number');
    reason({ ...sdwanFlow(), packets: '-5' }).should.equal('packets: "-5" is negative (expected a count)');
    reason({ ...sdwanFlow(), packets: '1.5' }).should.equal('packets: "1.5" is not a whole number');
    reason({ ...sdwanFlow(), age: 'soon' }).should.equal('age: "soon" is not a number');
    reason({ ...sdwanFlow(), dest_port: '70000' }).should.equal('dest_port: "70000" is not a port (0..65535)');
    reason({ ...sdwanFlow(), customer_kbps: 'fast' }).should.equal('customer_kbps: "fast" is not a number');
    reason({ ...sdwanFlow(), hitcount: 'lots' }).should.equal('hitcount: "lots" is not a number');
    reason({ ...sdwanFlow(), virtual_path_overhead_kbps: 'NaN' }).should.match(/^virtual_path_overhead_kbps:/);
    reason({ ...sdwanFlow(), ipsec_overhead_kbps: 'Infinity' }).should.match(/^ipsec_overhead_kbps:/);
    // Rates accept ordinary decimal forms, and give exactly what Number() gives.
    for (const t of ['0.1', '12.345', '1e3', ' 7.5 ', '.5', '0.3']) one({ ...sdwanFlow(), pps: t }).pps!.should.equal(Number(t));
  });

  it('keeps identifiers of undocumented format as numbers when numeric, else as text', () => {
    const f = one({ ...sdwanFlow(), ip_dscp: '46', vpathclass: 'VP-2', rule_id: ' 8 ' });
    f.extra!.ip_dscp!.should.equal(46);
    f.extra!.vpathclass!.should.equal('VP-2');
    f.extra!.rule_id!.should.equal(8);
  });

  it('keeps undocumented fields in extra, numbers parsed, and raw when asked', () => {
    const rec = { ...sdwanFlow(), new_field: '42', label: 'x' };
    const f = one(rec, ctxFlows, { keepRaw: true });
    f.extra!.new_field!.should.equal(42);
    f.extra!.label!.should.equal('x');
    f.raw!.should.equal(rec);
    (one(sdwanFlow()).raw === undefined).should.be.true();
  });

  it('uses the time of normalization when there is no fetch time', () => {
    const now = Date.UTC(2026, 2, 10, 12);
    const f = new Normalizer().toNetworkFlows([sdwanFlow()], { vendor: 'citrix-sdwan', endpoint: 'flows' }, now).records[0]!;
    f.ts.should.equal(now);
    f.start!.should.equal(f.ts - 65000);
    (f.observer === undefined).should.be.true();
  });
});

describe('normalize: Citrix SD-WAN ilbflows', () => {
  it('maps every documented field of an ilbflows record', () => {
    one(sdwanIlbFlow(), ctxIlb).should.eql({
      kind: 'flow',
      vendor: 'citrix-sdwan',
      endpoint: 'ilbflows',
      observer: 'sdwan-branch.example',
      ts: FETCHED_AT,
      start: FETCHED_AT - 120000,
      durationMs: 120000,
      src: { ip: '10.10.1.20' }, // lanip
      dst: { ip: '203.0.113.9' }, // wanip
      ipVersion: 4,
      direction: 'outbound', // derived: LAN address internal, WAN address not
      flows: 17, // flowcount
      wanLink: 'Branch-INET-1',
    });
  });

  it('handles IPv6, missing fields and bad counts', () => {
    const f = one({ lanip: 'fd00::10', wanip: '2001:DB8::9', wanlink: '', flowcount: 'N/A', age: '' }, ctxIlb);
    f.src.ip!.should.equal('fd00::10');
    f.dst.ip!.should.equal('2001:db8::9');
    f.ipVersion!.should.equal(6);
    f.direction.should.equal('outbound');
    f.should.not.have.properties('flows', 'wanLink', 'start', 'durationMs', 'extra');
    reason({ ...sdwanIlbFlow(), flowcount: 'many' }, ctxIlb).should.equal('flowcount: "many" is not a number');
    reason({ ...sdwanIlbFlow(), wanip: '::ffff:1.2.3.4', lanip: 'fd00::1' }, ctxIlb).should.match(/^wanip: IPv4 address with an IPv6 lanip/);
  });
});
