import 'should';
import { Normalizer, parseFlowGatewayTime } from '../../../nodes/lib/normalize';
import { FETCHED_AT, flowGatewaySeed, type Rec } from './fixtures';

const ctx = { vendor: 'riverbed-flowgateway' as const, endpoint: 'import_stats', host: '10.20.0.5', fetchedAt: FETCHED_AT };

function run(recs: Rec[]) {
  return new Normalizer().toNetworkFlows(recs, ctx);
}

describe('normalize: Riverbed FlowGateway import_stats', () => {
  it('reports the documented example rows verbatim: their source_ip "10.x.x.x" is a redacted placeholder, not an address', () => {
    const res = run(flowGatewaySeed());
    res.records.should.have.length(0);
    res.invalid.should.eql([
      { index: 0, reason: 'source_ip: "10.x.x.x" is not an IP address' },
      { index: 1, reason: 'source_ip: "10.x.x.x" is not an IP address' },
    ]);
  });

  it('maps every documented field of the example rows (with a real source address)', () => {
    const rows = flowGatewaySeed().map((r) => ({ ...r, source_ip: '10.1.2.3' }));
    const res = run(rows);
    res.invalid.should.have.length(0);
    res.records[0]!.should.eql({
      kind: 'metric',
      vendor: 'riverbed-flowgateway',
      endpoint: 'import_stats',
      observer: '10.20.0.5',
      ts: Date.UTC(2024, 0, 8, 22, 11, 0), // time, UTC
      src: { ip: '10.1.2.3' }, // source_ip
      dst: {},
      ipVersion: 4,
      direction: 'unknown',
      bytes: 8448, // n_bytes
      packets: 20, // n_packets
      flows: 154, // n_flows
      extra: { n_bad_bytes: 0, n_bad_packets: 0, peak_n_flows: 60, peak_n_bytes: 3088, peak_n_packets: 4 },
    });
    res.records[1]!.should.match({ flows: 23677, bytes: 1179508, packets: 827, extra: { peak_n_flows: 1508, peak_n_bytes: 75088, peak_n_packets: 52 } });
  });

  it('takes an empty source_ip as all sources, and IPv6 / IPv4-mapped sources', () => {
    const [a, b, c] = run([
      { ...flowGatewaySeed()[0]!, source_ip: '' },
      { ...flowGatewaySeed()[0]!, source_ip: '2001:DB8::5' },
      { ...flowGatewaySeed()[0]!, source_ip: '::ffff:10.9.8.7' },
    ]).records;
    a!.src.should.eql({});
    a!.should.not.have.property('ipVersion');
    b!.src.ip!.should.equal('2001:db8::5');
    b!.ipVersion!.should.equal(6);
    c!.src.ip!.should.equal('10.9.8.7');
  });

  it('parses the time forms and rejects impossible ones', () => {
    parseFlowGatewayTime('2024-01-08 22:11:00+00:00')!.should.equal(Date.UTC(2024, 0, 8, 22, 11));
    parseFlowGatewayTime('2024-01-08 22:11:00')!.should.equal(Date.UTC(2024, 0, 8, 22, 11)); // no offset: UTC
    parseFlowGatewayTime('2024-01-08T22:11:00Z')!.should.equal(Date.UTC(2024, 0, 8, 22, 11));
    parseFlowGatewayTime('2024-01-08 23:11:00+01:00')!.should.equal(Date.UTC(2024, 0, 8, 22, 11));
    parseFlowGatewayTime('2024-01-08 17:41:00.250-0430')!.should.equal(Date.UTC(2024, 0, 8, 22, 11, 0, 250));
    parseFlowGatewayTime(1704751860)!.should.equal(1704751860000);
    for (const bad of ['2024-02-31 00:00:00', '2024-13-01 00:00:00', '08/01/2024 22:11', '', 'now']) {
      (parseFlowGatewayTime(bad) === undefined).should.be.true(bad);
    }
  });

  it('reports bad times and bad counters per row and keeps the good rows', () => {
    const good = { ...flowGatewaySeed()[0]!, source_ip: '10.1.2.3' };
    const res = run([
      { ...good, time: 'yesterday' },
      good,
      { ...good, peak_n_bytes: 'n/a?' },
      { ...good, n_bytes: 2 ** 53 + 2 },
      { ...good, time: '' },
      { ...good, peak_n_flows: 'N/A', n_bad_bytes: '' },
    ]);
    res.records.should.have.length(2);
    res.records[1]!.extra!.should.eql({ n_bad_packets: 0, peak_n_bytes: 3088, peak_n_packets: 4 });
    res.invalid.should.eql([
      { index: 0, reason: 'time: "yesterday" is not a time like "2024-01-08 22:11:00+00:00"' },
      { index: 2, reason: 'peak_n_bytes: "n/a?" is not a number' },
      { index: 3, reason: 'n_bytes: 9007199254740994 is not a whole number from 0 to 2^53' },
      { index: 4, reason: 'time: missing (every import_stats row has one)' },
    ]);
  });
});
