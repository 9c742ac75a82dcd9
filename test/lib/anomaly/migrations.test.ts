import 'should';
import { AnomalyEngine, migrateAnomalyConfig } from '../../../nodes/lib/anomaly';

describe('lib/anomaly migrations', () => {
  it('reads the band from `k` in flows saved before the rename, and drops `k`', () => {
    const m = migrateAnomalyConfig({ id: 'a', rule: 'ewma', k: '1.5' });
    m.should.eql({ id: 'a', rule: 'ewma', band: '1.5' });
    new AnomalyEngine(m).options.band.should.equal(1.5);
  });

  it('keeps a band saved under the new name, and changes nothing in a current flow', () => {
    migrateAnomalyConfig({ band: 2, k: 5 }).should.eql({ band: 2 });
    const current = { id: 'a', band: '4' };
    migrateAnomalyConfig(current).should.eql(current);
    migrateAnomalyConfig(migrateAnomalyConfig({ k: 7 })).should.eql({ band: 7 });
  });

  it('fills the blank band an editor leaves with the old `k`', () => {
    migrateAnomalyConfig({ band: '', k: '2' }).should.eql({ band: '2' });
  });
});
