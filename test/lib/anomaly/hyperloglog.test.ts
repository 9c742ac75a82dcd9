import 'should';
import fc from 'fast-check';
import { prng } from '../../../simulator/traffic';
import { DistinctCounter, EXACT_LIMIT, HLL_REGISTERS, HLL_STD_ERROR, HyperLogLog, hash32, unionCount } from '../../../nodes/lib/anomaly/hyperloglog';

/** `n` distinct values as a vendor would send them: IPv4 addresses from a seeded shuffle of a /8. */
function addresses(n: number, seed: number): string[] {
  const rnd = prng(seed);
  const seen = new Set<number>();
  const out: string[] = [];
  while (out.length < n) {
    const x = Math.floor(rnd() * 2 ** 24);
    if (seen.has(x)) continue;
    seen.add(x);
    out.push(`10.${x >>> 16}.${(x >>> 8) & 255}.${x & 255}`);
  }
  return out;
}

describe('lib/anomaly hyperloglog', () => {
  it('states its error: 2^12 one-byte registers, 1.04 / sqrt(4096) = 1.6 %', () => {
    HLL_REGISTERS.should.equal(4096);
    HLL_STD_ERROR.should.be.approximately(0.01625, 1e-5);
    new HyperLogLog().registers.length.should.equal(4096);
  });

  it(`counts exactly up to ${EXACT_LIMIT} values, repeats included`, () => {
    fc.assert(fc.property(fc.array(fc.string({ maxLength: 12 }), { maxLength: 300 }), (values) => {
      const c = new DistinctCounter();
      for (const v of values) c.add(v);
      const unique = new Set(values.map(hash32)).size;
      if (unique <= EXACT_LIMIT) {
        c.isExact.should.be.true();
        c.count().should.equal(unique);
      } else {
        c.isExact.should.be.false();
      }
    }), { numRuns: 200, seed: 19 });
  });

  it('estimates within 3 standard errors on known streams, and within 1.5 on average', () => {
    const errors: number[] = [];
    for (const n of [200, 1000, 5000, 20_000]) {
      for (let seed = 1; seed <= 4; seed++) {
        const c = new DistinctCounter();
        const values = addresses(n, seed * 1000 + n);
        // Every value twice: repeats must not count.
        for (const v of values) c.add(v);
        for (const v of values) c.add(v);
        c.isExact.should.be.false();
        c.exactSize.should.equal(0); // the set is gone; only the 4 KiB sketch is held
        const rel = (c.count() - n) / n;
        Math.abs(rel).should.be.below(3 * HLL_STD_ERROR, `n=${n} seed=${seed}: estimate ${c.count()}`);
        errors.push(rel);
      }
    }
    const rms = Math.sqrt(errors.reduce((a, e) => a + e * e, 0) / errors.length);
    rms.should.be.below(1.5 * HLL_STD_ERROR);
  });

  it('the union of panes (a sliding window) is the sketch of all their values', () => {
    const a = new DistinctCounter();
    const b = new DistinctCounter();
    const small = new DistinctCounter();
    const values = addresses(30_000, 7);
    values.slice(0, 20_000).forEach((v) => a.add(v));
    values.slice(10_000).forEach((v) => b.add(v)); // overlaps a by 10,000
    values.slice(0, 50).forEach((v) => small.add(v));
    const scratch = new HyperLogLog();
    unionCount([a, b, small], scratch).should.be.approximately(30_000, 30_000 * 3 * HLL_STD_ERROR);
    // Exact panes only: the union is exact.
    const x = new DistinctCounter();
    const y = new DistinctCounter();
    values.slice(0, 100).forEach((v) => x.add(v));
    values.slice(50, 150).forEach((v) => y.add(v));
    unionCount([x, y], scratch).should.equal(150);
  });

  it('survives a JSON round trip, and refuses a malformed sketch', () => {
    const c = new DistinctCounter();
    addresses(5000, 3).forEach((v) => c.add(v));
    const back = JSON.parse(JSON.stringify(c.toJson())) as { hll?: string; hashes?: number[] };
    DistinctCounter.fromJson(back.hashes, back.hll, undefined).count().should.equal(c.count());
    (HyperLogLog.fromBase64('AAAA') === null).should.be.true();
    (HyperLogLog.fromBase64(Buffer.alloc(4096, 200).toString('base64')) === null).should.be.true();
  });
});
