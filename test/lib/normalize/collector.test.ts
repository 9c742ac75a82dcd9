import 'should';
import { Collector } from '../../../nodes/lib/netflow';
import { Normalizer } from '../../../nodes/lib/normalize';
import { dataRecord, dataSet, ipfixMessage, ipfixTemplateSet, type FieldSpec } from '../../../simulator/netflow';

const F: FieldSpec[] = [[8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [1, 4], [2, 4]];

function records(): ReturnType<Collector['receive']> {
  const c = new Collector({ now: () => 1_700_000_000_000 });
  const rec = (src: string, dst: string): Buffer => dataRecord(F, { 8: src, 12: dst, 7: 1234, 11: 443, 4: 6, 1: 100, 2: 1 });
  return c.receive(
    ipfixMessage({ exportSec: 1_700_000_000, sequence: 0, domain: 1 }, [
      ipfixTemplateSet([{ id: 256, fields: F }]),
      dataSet(256, [rec('10.1.1.1', '8.8.8.8'), rec('8.8.8.8', '10.1.1.1'), rec('10.1.1.1', '10.2.2.2'), rec('1.1.1.1', '8.8.8.8'), rec('172.20.0.1', '8.8.8.8')]),
    ]),
    '192.0.2.1',
  );
}

describe('normalize: network-flow-collector records', () => {
  it('passes them through, with the direction from the internal networks', () => {
    const input = records();
    const { records: out, invalid } = new Normalizer({ internalNetworks: '10.0.0.0/8' }).toNetworkFlows(input, { vendor: 'ipfix', endpoint: 'collector' });
    invalid.should.eql([]);
    out.map((r) => r.direction).should.eql(['outbound', 'inbound', 'internal', 'external', 'external']);
    const { direction: _d, ...rest } = out[0]!;
    const { direction: _e, ...orig } = input[0]!;
    rest.should.eql(orig);
  });

  it('recognises them by shape even when a vendor is forced, and writes ECS for them', () => {
    const input = records();
    const n = new Normalizer({ vendor: 'firewalla/flows', format: 'ecs' });
    const { records: docs, invalid } = n.normalize(input, {});
    invalid.should.eql([]);
    docs.should.have.length(5);
    (docs[0] as Record<string, any>).should.match({ source: { ip: '10.1.1.1', port: 1234 }, destination: { ip: '8.8.8.8', port: 443 }, observer: { vendor: 'IPFIX' } });
  });

  it('reports a collector-looking record without src / dst objects', () => {
    const { invalid } = new Normalizer().toNetworkFlows([{ kind: 'flow', vendor: 'netflow', ts: 1, src: 'x' }]);
    invalid.should.have.length(1);
    invalid[0]!.reason.should.match(/src/);
  });
});
