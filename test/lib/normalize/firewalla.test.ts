import 'should';
import { Normalizer, queryEndMs } from '../../../nodes/lib/normalize';
import type { NetworkFlow } from '../../../nodes/lib/network-flow';
import { FETCHED_AT, firewallaSeed, type Rec } from './fixtures';

const ctx = { vendor: 'firewalla' as const, endpoint: 'flows', host: 'https://acme.firewalla.net/', fetchedAt: FETCHED_AT };

function one(rec: Rec, c: object = ctx): NetworkFlow {
  const res = new Normalizer().toNetworkFlows([rec], c);
  if (res.invalid.length) throw new Error(`unexpected invalid: ${res.invalid[0]!.reason}`);
  return res.records[0]!;
}

function reason(rec: Rec): string {
  const res = new Normalizer().toNetworkFlows([rec], ctx);
  res.records.should.have.length(0);
  return res.invalid[0]!.reason;
}

describe('normalize: Firewalla flows', () => {
  it('keeps a flow whose device is known by its IPv4 address but which ran over IPv6', () => {
    const rec = firewallaSeed();
    (rec.destination as Rec).ip = '2607:f8b0:4004:c1b::65';
    const f = one(rec);
    f.ipVersion!.should.equal(6); // the version the flow used: the remote side's
    f.src.ip!.should.equal('192.168.210.110');
    f.dst.ip!.should.equal('2607:f8b0:4004:c1b::65');
    f.extra!.ipVersionMismatch!.should.be.true();
    const ecs = new Normalizer({ format: 'ecs' }).normalize([rec], ctx);
    ecs.invalid.should.be.empty();
    ((ecs.records[0] as Record<string, Record<string, unknown>>).network!).should.not.have.property('community_id');
  });

  it('maps every field of the documented example record (verbatim)', () => {
    one(firewallaSeed()).should.eql({
      kind: 'flow',
      vendor: 'firewalla',
      endpoint: 'flows',
      observer: 'acme.firewalla.net',
      ts: 1647550615011, // ts: epoch seconds with fraction
      start: 1647550615011 - 770,
      durationMs: 770, // duration: 0.77 s
      // outbound: the device is the source; device.port fills the source port
      src: { ip: '192.168.210.110', port: 55664, name: 'My Iphone', id: 'AA:BB:CC:DD:EE:FF', mac: 'AA:BB:CC:DD:EE:FF' },
      dst: { ip: '23.227.38.32', name: 'firewalla.com', id: 'firewalla.com', domain: 'firewalla.com' },
      ipVersion: 4,
      protocol: { number: 6, name: 'tcp' },
      direction: 'outbound',
      bytes: 1500, // upload + download
      bytesOut: 500, // upload
      bytesIn: 1000, // download
      flows: 1, // count
      category: 'shopping',
      region: 'CN',
      blocked: false, // block
      device: { name: 'My Iphone', mac: 'AA:BB:CC:DD:EE:FF', ip: '192.168.210.110' },
      network: 'Home Office',
      extra: {
        networkId: '99285a11-aaaa-bbbb-cccc-510596edaaaa',
        groupId: '2',
        groupName: 'Mobile',
        gid: '00000000-1234-1234-aaaa-000000000000',
      },
    });
  });

  it('makes the device the destination of inbound flows; upload/download stay the device\'s', () => {
    const rec = firewallaSeed();
    rec.direction = 'inbound';
    delete rec.source;
    delete rec.destination;
    rec.domain = 'scanner.example.net';
    const f = one(rec);
    f.direction.should.equal('inbound');
    f.dst.should.eql({ ip: '192.168.210.110', port: 55664, name: 'My Iphone', id: 'AA:BB:CC:DD:EE:FF' });
    f.src.should.eql({ name: 'scanner.example.net' });
    f.bytesOut!.should.equal(500);
    f.bytesIn!.should.equal(1000);
  });

  it('uses source/destination objects when present and device fields as fallbacks', () => {
    const rec = firewallaSeed();
    rec.source = { id: 'AA:BB:CC:DD:EE:FF', name: 'My Iphone' }; // no ip: device.ip fills it
    rec.destination = { ip: '2606:4700::6810:84e5', name: 'Cloudflare' };
    rec.device = { id: 'AA:BB:CC:DD:EE:FF', ip: '2001:db8::110', name: 'My Iphone', port: '55664' };
    const f = one(rec);
    f.src.ip!.should.equal('2001:db8::110');
    f.dst.ip!.should.equal('2606:4700::6810:84e5');
    f.ipVersion!.should.equal(6);
    f.dst.should.not.have.property('domain'); // "Cloudflare" is not a domain name
  });

  it('maps local to internal and derives a missing direction from the addresses', () => {
    const local = firewallaSeed();
    local.direction = 'local';
    local.destination = { id: '11:22:33:44:55:66', ip: '192.168.210.5', name: 'NAS' };
    one(local).direction.should.equal('internal');
    const none = firewallaSeed();
    delete none.direction;
    one(none).direction.should.equal('outbound');
    const odd = firewallaSeed();
    odd.direction = '';
    odd.source = { ip: '8.8.8.8' };
    odd.destination = { ip: '192.168.210.110' };
    one(odd).direction.should.equal('inbound');
  });

  it('maps blocked flows: block true, blockType, no upload or download', () => {
    const rec = firewallaSeed();
    rec.block = true;
    rec.blockType = 'dns';
    delete rec.upload;
    delete rec.download;
    const f = one(rec);
    f.blocked!.should.be.true();
    f.extra!.blockType!.should.equal('dns');
    f.should.not.have.properties('bytes', 'bytesIn', 'bytesOut');
    // blockType alone marks it blocked too
    const r2 = firewallaSeed();
    delete r2.block;
    r2.blockType = 'ip';
    one(r2).blocked!.should.be.true();
    // a blocked-flows request (msg.networkFlows.blocked) marks records that carry no block field
    const r3 = firewallaSeed();
    delete r3.block;
    one(r3, { ...ctx, blocked: true }).blocked!.should.be.true();
    one(r3).should.not.have.property('blocked');
  });

  it('maps grouped rows (no ts, no gid) as aggregates dated by the query end or fetch time', () => {
    const row = { domain: 'firewalla.com', count: 42, download: 123456, upload: 7890, total: 131346 };
    const f = one(row);
    f.kind.should.equal('flow');
    f.ts.should.equal(FETCHED_AT);
    f.flows!.should.equal(42);
    f.bytes!.should.equal(131346);
    f.bytesIn!.should.equal(123456);
    f.bytesOut!.should.equal(7890);
    f.dst.domain!.should.equal('firewalla.com');
    f.extra!.aggregate!.should.be.true();
    f.should.not.have.properties('start', 'durationMs');
    one(row, { ...ctx, query: 'ts:1704700000-1704751800 category:video' }).ts.should.equal(1704751800000);
    one({ total: '5000', count: '3', box: { id: 'b1', name: 'Gold' } }).should.match({ bytes: 5000, flows: 3, extra: { aggregate: true, box: { id: 'b1', name: 'Gold' } } });
    queryEndMs('ts:100-200.5')!.should.equal(200500);
    (queryEndMs('ts:100-') === undefined).should.be.true();
    (queryEndMs(undefined) === undefined).should.be.true();
  });

  it('reads numeric strings, and reports bad numbers and missing ts', () => {
    const rec = firewallaSeed();
    rec.ts = '1647550615.5';
    rec.download = '2000';
    rec.duration = '';
    const f = one(rec);
    f.ts.should.equal(1647550615500);
    f.bytes!.should.equal(2500);
    f.should.not.have.properties('durationMs', 'start');
    reason({ ...firewallaSeed(), upload: 'lots' }).should.equal('upload: "lots" is not a number');
    reason({ ...firewallaSeed(), ts: 'yesterday' }).should.equal('ts: "yesterday" is not a number');
    reason({ ...firewallaSeed(), ts: undefined }).should.equal('ts: missing (a flow with a gid must have a ts)');
    reason({ ...firewallaSeed(), duration: -1 }).should.equal('duration: -1 is negative');
    reason({ ...firewallaSeed(), block: 'maybe' }).should.equal('block: "maybe" is not true or false');
    reason({ ...firewallaSeed(), device: { ip: '999.1.1.1' } }).should.match(/^source\.ip|^device\.ip/);
    reason({ ...firewallaSeed(), protocol: 'carrier-pigeon' }).should.match(/^protocol:/);
  });

  it('handles huge counters up to 2^53 and rejects what is beyond', () => {
    const rec = firewallaSeed();
    rec.upload = 2 ** 52;
    rec.download = 2 ** 52;
    one(rec).bytes!.should.equal(2 ** 53);
    reason({ ...firewallaSeed(), download: 2 ** 53 + 2 }).should.match(/^download: .* not a whole number from 0 to 2\^53/);
  });

  it('maps protocol names and numbers, region and country', () => {
    const rec = firewallaSeed();
    rec.protocol = 'UDP';
    delete rec.region;
    rec.country = 'de';
    const f = one(rec);
    f.protocol!.should.eql({ number: 17, name: 'udp' });
    f.region!.should.equal('DE');
    one({ ...firewallaSeed(), protocol: 'icmp' }).protocol!.should.eql({ number: 1, name: 'icmp' });
    one({ ...firewallaSeed(), region: 'US', country: 'CA' }).extra!.country!.should.equal('CA');
  });

  it('keeps a non-MAC device id and a non-domain domain in extra', () => {
    const rec = firewallaSeed();
    rec.device = { id: 'vpn_profile_3', name: 'Road warrior', ip: '10.8.0.2' };
    rec.domain = 'not a domain';
    const f = one(rec);
    f.device!.should.eql({ name: 'Road warrior', ip: '10.8.0.2' });
    f.extra!.deviceId!.should.equal('vpn_profile_3');
    f.extra!.domain!.should.equal('not a domain');
  });
});
