import 'should';
import { DedupCache, recordIdentity } from '../../../nodes/lib/dedup';

const T0 = Date.UTC(2024, 0, 1);

describe('dedup', () => {
  describe('recordIdentity', () => {
    const conn = { vendor: 'firewalla', endpoint: 'flows', ts: T0 + 9000, start: T0, protocol: { number: 6, name: 'tcp' },
      src: { ip: '192.168.1.10', port: 51000 }, dst: { ip: '93.184.216.34', port: 443 } };

    it('prefers the vendor record id, scoped by vendor and endpoint', () => {
      recordIdentity({ ...conn, id: 'abc' })!.should.equal('id:firewalla:flows:abc');
      recordIdentity({ ...conn, extra: { id: 7 } })!.should.equal('id:firewalla:flows:7');
    });

    it('else uses the Community ID tuple with the start time; the reverse direction is the same flow', () => {
      const a = recordIdentity(conn)!;
      // The tuple in the Community ID's order (smaller address first), not its hash.
      a.should.equal(`flow:6|93.184.216.34|443|192.168.1.10|51000@${T0}`);
      recordIdentity({ ...conn, src: conn.dst, dst: conn.src })!.should.equal(a);
      recordIdentity({ ...conn, start: T0 + 1 })!.should.not.equal(a);
      recordIdentity({ ...conn, start: undefined })!.should.endWith(`@${T0 + 9000}`);
    });

    it('has none without addresses or protocol', () => {
      (recordIdentity({ ...conn, protocol: undefined }) === undefined).should.be.true();
      (recordIdentity({ ts: T0, src: {}, dst: {} }) === undefined).should.be.true();
      (recordIdentity(null) === undefined).should.be.true();
    });
  });

  describe('DedupCache', () => {
    it('says a repeat within the horizon is a duplicate, and forgets it after', () => {
      const c = new DedupCache({ cap: 100, horizonMs: 1000 });
      c.check('a', T0).should.be.false();
      c.check('a', T0 + 500).should.be.true();
      c.check('b', T0 + 1001).should.be.false(); // moves the horizon past a
      c.check('a', T0 + 1001).should.be.false();
      c.stats().duplicates.should.equal(1);
    });

    it('never remembers more than the cap', () => {
      const c = new DedupCache({ cap: 50, horizonMs: 1e12 });
      for (let i = 0; i < 1000; i++) c.check(`id${i}`, T0 + i);
      c.stats().should.eql({ remembered: 50, duplicates: 0, forgotten: 950 });
      c.check('id999', T0).should.be.true();
      c.check('id0', T0).should.be.false();
    });

    it('expires and evicts at a constant cost per identity (no rescan of forgotten entries)', () => {
      const c = new DedupCache({ cap: 50_000, horizonMs: 1000 });
      const t = process.cpuUsage();
      for (let i = 0; i < 300_000; i++) c.check(`id${i}`, T0 + i);
      const used = process.cpuUsage(t);
      // Linear work is a few tens of ms; rescanning deleted entries made this take minutes.
      (used.user + used.system).should.be.below(3_000_000);
      c.stats().remembered.should.equal(1001);
    });

    it('survives an export and import', () => {
      const c = new DedupCache({ cap: 10, horizonMs: 1e6 });
      c.check('x', T0);
      const d = new DedupCache({ cap: 10, horizonMs: 1e6 });
      d.importState(JSON.parse(JSON.stringify(c.exportState())));
      d.check('x', T0 + 1).should.be.true();
    });
  });
});
