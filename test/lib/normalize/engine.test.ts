import 'should';
import fc from 'fast-check';
import {
  Normalizer,
  detectEndpoint,
  endpointOfContext,
  normalize,
  observerHost,
} from '../../../nodes/lib/normalize';
import { decimal15, digits15, Reader } from '../../../nodes/lib/normalize/reader';
import { parseCidrList } from '../../../nodes/lib/ip';
import { FETCHED_AT, firewallaSeed, flowGatewaySeed, sdwanFlow, sdwanIlbFlow } from './fixtures';

describe('normalize: vendor detection, options and reporting', () => {
  it('recognises each endpoint by record shape', () => {
    detectEndpoint(sdwanFlow())!.should.equal('citrix-sdwan/flows');
    detectEndpoint(sdwanIlbFlow())!.should.equal('citrix-sdwan/ilbflows');
    detectEndpoint(firewallaSeed())!.should.equal('firewalla/flows');
    detectEndpoint({ count: 1, upload: 5, download: 6 })!.should.equal('firewalla/flows'); // grouped row
    detectEndpoint({ block: true, blockType: 'dns' })!.should.equal('firewalla/flows');
    detectEndpoint(flowGatewaySeed()[0]!)!.should.equal('riverbed-flowgateway/import_stats');
    (detectEndpoint({ foo: 1 }) === undefined).should.be.true();
  });

  it('normalizes a mixed batch by shape, reporting what it cannot recognise', () => {
    const res = normalize([sdwanFlow(), 'text', sdwanIlbFlow(), null, firewallaSeed(), { hello: 'world' }, [1]], { fetchedAt: FETCHED_AT });
    res.records.map((r) => `${(r as { vendor: string }).vendor}/${(r as { endpoint: string }).endpoint}`).should.eql([
      'citrix-sdwan/flows',
      'citrix-sdwan/ilbflows',
      'firewalla/flows',
    ]);
    res.invalid.map((i) => i.index).should.eql([1, 3, 5, 6]);
    res.invalid[0]!.reason.should.equal('expected a record object, got string');
    res.invalid[1]!.reason.should.equal('expected a record object, got null');
    res.invalid[2]!.reason.should.match(/^unrecognised record/);
    res.invalid[3]!.reason.should.equal('expected a record object, got an array');
  });

  it('uses the context vendor over the shape, and a forced vendor over both', () => {
    // An ilbflows-looking record said to be flows by the context is mapped as flows.
    const ctxRes = normalize([{ lanip: '10.0.0.1' }], { vendor: 'citrix-sdwan', endpoint: 'flows', fetchedAt: FETCHED_AT });
    ctxRes.records[0]!.should.match({ endpoint: 'flows', src: {} });
    const forced = new Normalizer({ vendor: 'citrix-sdwan/ilbflows' }).toNetworkFlows([{ lanip: '10.0.0.1' }], { vendor: 'citrix-sdwan', endpoint: 'flows' });
    forced.records[0]!.should.match({ endpoint: 'ilbflows', src: { ip: '10.0.0.1' } });
    endpointOfContext({ vendor: 'riverbed-flowgateway', endpoint: 'stats' })!.should.equal('riverbed-flowgateway/import_stats');
    endpointOfContext({ vendor: 'firewalla' })!.should.equal('firewalla/flows');
    (endpointOfContext({ vendor: 'cisco' as never, endpoint: 'flows' }) === undefined).should.be.true();
    (endpointOfContext({ vendor: 'citrix-sdwan', endpoint: 'applications' }) === undefined).should.be.true();
  });

  it('keeps going after a bad record: one bad record never drops the batch', () => {
    const recs = [sdwanFlow(), { ...sdwanFlow(), bytes: 'x' }, sdwanFlow()];
    const res = new Normalizer().toNetworkFlows(recs, { vendor: 'citrix-sdwan', endpoint: 'flows', fetchedAt: FETCHED_AT });
    res.records.should.have.length(2);
    res.invalid.should.eql([{ index: 1, reason: 'bytes: "x" is not a number' }]);
  });

  it('reports only the first problem of a record, naming the vendor field', () => {
    const res = new Normalizer().toNetworkFlows([{ ...sdwanFlow(), src_ip: 'a', bytes: 'b' }], { vendor: 'citrix-sdwan', endpoint: 'flows' });
    res.invalid[0]!.reason.should.equal('src_ip: "a" is not an IP address');
  });

  it('rejects bad options with an error naming the option', () => {
    (() => new Normalizer({ internalNetworks: '10.0.0.0/8, 300.1.1.0/24' })).should.throw(/^internalNetworks: "300\.1\.1\.0\/24"/);
    (() => new Normalizer({ internalNetworks: '10.0.0.0/8, 300.1.1.0/24' })).should.throw({ code: 'BAD_INPUT', field: 'internalNetworks' });
    (() => new Normalizer({ vendor: 'cisco/flows' })).should.throw({ code: 'BAD_INPUT', field: 'vendor' });
    (() => new Normalizer({ format: 'csv' })).should.throw({ code: 'BAD_INPUT', field: 'format' });
    new Normalizer({ internalNetworks: '' }).internal.length.should.equal(5); // the defaults
  });

  it('derives the observer from what a person typed as host', () => {
    observerHost('https://SDWAN.example:8443/sdwan')!.should.equal('sdwan.example');
    observerHost('10.1.2.3:8443')!.should.equal('10.1.2.3');
    observerHost('[2001:db8::1]:443')!.should.equal('2001:db8::1');
    observerHost('2001:db8::1')!.should.equal('2001:db8::1');
    observerHost('https://msp.firewalla.net/')!.should.equal('msp.firewalla.net');
    (observerHost('') === undefined).should.be.true();
    (observerHost(5) === undefined).should.be.true();
  });
});

describe('normalize: reader fast paths agree with the general parsers', () => {
  it('digits15 / decimal15 give exactly what Number() gives', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999_999_999 }), (n) => digits15(String(n)) === n && decimal15(String(n)) === n),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,8}\.\d{1,7}$/), (s) => decimal15(s) === Number(s)),
      { numRuns: 2000 },
    );
    for (const s of ['', '1.', '.5', '1.2.3', '0x10', ' 1', '1e3', '-1', '1234567890123456']) {
      digits15(s).should.equal(-1, s);
    }
    decimal15('1.2.3').should.equal(-1);
  });


  it('the gateway cache gives the same results as a fresh read', () => {
    const rd = new Reader(parseCidrList(''));
    rd.ipRepeated('10.0.0.1', 'g')!.should.equal('10.0.0.1');
    rd.ipRepeated('10.0.0.1', 'g')!.should.equal('10.0.0.1');
    rd.ipValue.should.equal(167772161);
    rd.lastIpInternal().should.be.true();
    rd.ipRepeated('8.8.8.8', 'g')!.should.equal('8.8.8.8');
    rd.lastIpInternal().should.be.false();
    rd.ipRepeated('2001:DB8::1', 'g')!.should.equal('2001:db8::1');
    rd.ipVersion!.should.equal(6);
    (rd.error === undefined).should.be.true();
  });
});
