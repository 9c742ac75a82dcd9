import 'should';
import fc from 'fast-check';
import {
  Normalizer,
  detectEndpoint,
  endpointOfContext,
  normalize,
  observerHost,
} from '../../../nodes/lib/normalize';
import { decimal15, digits15 } from '../../../nodes/lib/normalize/fast-number';
import { Reader } from '../../../nodes/lib/normalize/reader';
import { parseCidrList } from '../../../nodes/lib/ip';
import { FETCHED_AT, firewallaSeed, flowGatewaySeed, sdwanFlow, sdwanIlbFlow } from './fixtures';
import { runs } from '../../support/property';

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
      { numRuns: runs(2000) },
    );
    for (const s of ['', '1.', '.5', '1.2.3', '0x10', ' 1', '1e3', '-1', '1234567890123456']) {
      digits15(s).should.equal(-1, s);
    }
    decimal15('1.2.3').should.equal(-1);
  });


  describe('number readers agree with the written rules on any text', () => {
    // An independent statement of the rules in reader.ts: trim; "", "N/A", "-", "--", "NA"
    // mean absent; a count is a whole number from 0 to 2^53 written in decimal (sign "+",
    // leading zeros, a fraction or an exponent allowed when the value is whole); hex, octal
    // and binary forms are not numbers; loose fields keep text that is not a finite number.
    const DEC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
    const absent = (t: string): boolean => ['', 'N/A', 'n/a', '-', '--', 'NA'].includes(t);
    const refCount = (v: string, max: number): number | undefined | 'error' => {
      const t = v.trim();
      if (absent(t)) return undefined;
      if (/^\+?\d+$/.test(t)) {
        const digits = t.replace(/^\+?0*/, '') || '0';
        if (digits.length > 16 || (digits.length === 16 && digits > '9007199254740992')) return 'error';
        const n = Number(digits);
        return n <= max ? n : 'error';
      }
      if (!DEC.test(t)) return 'error';
      const n = Number(t);
      return n >= 0 && Number.isInteger(n) && n <= Math.min(max, 2 ** 53) ? n : 'error';
    };
    const refLoose = (v: string): string | number | undefined => {
      const t = v.trim();
      if (absent(t)) return undefined;
      if (DEC.test(t)) {
        const n = Number(t);
        if (Number.isFinite(n) && (!Number.isInteger(n) || Number.isSafeInteger(n))) return n;
      }
      return t;
    };
    const text = fc.oneof(
      fc.string({ unit: fc.constantFrom(...'0123456789 +-.eExXob\t'.split('')), maxLength: 9 }),
      fc.integer({ min: 0, max: 99_999_999 }).map(String),
      fc.constantFrom('0', '00', '007', '0x1f', '0b11', '0o17', ' 0x1F', '1e999', '11e999', '12.0', '12.5', '1e2', '+12', ' 12', '12 ', '65536', '65535', 'N/A', ''),
    );
    const run = <T>(read: (rd: Reader, v: string) => T, v: string): T | 'error' => {
      const rd = new Reader(parseCidrList(''));
      rd.begin();
      const out = read(rd, v);
      return rd.error === undefined ? out : 'error';
    };
    it('count', () => {
      fc.assert(fc.property(text, (v) => Object.is(run((rd, x) => rd.count(x, 'f'), v), refCount(v, 2 ** 53))), { numRuns: runs(2000) });
    });
    it('port', () => {
      fc.assert(fc.property(text, (v) => Object.is(run((rd, x) => rd.port(x, 'f'), v), refCount(v, 65535))), { numRuns: runs(2000) });
    });
    it('text', () => {
      const words = fc.string({ unit: fc.constantFrom(...'aZ9-/ \t\u00a0N'.split('')), maxLength: 7 });
      const refText = (v: string): string | undefined => (absent(v.trim()) ? undefined : v.trim());
      fc.assert(fc.property(fc.oneof(words, text), (v) => run((rd, x) => rd.text(x), v) === refText(v)), { numRuns: runs(2000) });
    });
    it('loose', () => {
      fc.assert(fc.property(text, (v) => Object.is(run((rd, x) => rd.loose(x), v), refLoose(v))), { numRuns: runs(2000) });
    });
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
