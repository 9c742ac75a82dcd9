import 'should';
import { AnomalyEngine } from '../../../nodes/lib/anomaly';
import { Enricher } from '../../../nodes/lib/enrich';
import { compileFilter } from '../../../nodes/lib/filter';
import type { NetworkFlow } from '../../../nodes/lib/network-flow';

describe('enrich: the new fields as record paths for the anomaly node and path filters', () => {
  it('an anomaly key of dst.asOrg, src.site groups enriched records', async () => {
    const names = await Enricher.create({ geo: 'off', names: '10.0.0.0/8,,office\n192.168.0.0/16,,home', reload: 0 });
    const recs: NetworkFlow[] = [];
    for (let i = 0; i < 30; i++) {
      recs.push({
        kind: 'flow', vendor: 'firewalla', endpoint: 'flows', ts: 1_700_000_000_000 + i * 1000, direction: 'outbound',
        src: { ip: i % 3 === 0 ? '192.168.1.5' : '10.1.1.1' }, dst: { ip: '8.8.8.8', as: 15169, asOrg: 'Google LLC' }, bytes: 100,
      });
    }
    names.enrich(recs);
    const anomaly = new AnomalyEngine({ key: 'dst.asOrg, src.site', metric: 'count', window: 60, rule: 'threshold', threshold: 5 });
    anomaly.ingest(recs);
    const events = anomaly.flush();
    const keys = events.map((ev) => ev.payload.keyFields).sort((a, b) => String(a['src.site']).localeCompare(String(b['src.site'])));
    keys.should.eql([{ 'dst.asOrg': 'Google LLC', 'src.site': 'home' }, { 'dst.asOrg': 'Google LLC', 'src.site': 'office' }]);
    compileFilter('src.site = office and dst.as = 15169')(recs[1]!).should.be.true();
    compileFilter('src.tags = x')(recs[1]!).should.be.false();
    names.close();
  });
});
