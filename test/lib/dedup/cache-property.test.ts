import 'should';
import fc from 'fast-check';
import { DedupCache, recordIdentity } from '../../../nodes/lib/dedup';
import { emptyFlowKey, type FlowHasher, type FlowKey } from '../../../nodes/lib/dedup/flow-key';
import { FlowTable } from '../../../nodes/lib/dedup/flow-table';
import { propertyTimeout, runs } from '../../support/property';

/**
 * The dedup cache keeps IPv4 flows in a typed-array table and everything else as text
 * (nodes/lib/dedup/cache.ts). This is what it replaced, the reference: one queue of identity
 * texts in insertion order, the oldest forgotten first when the horizon passes it or the cap is
 * reached. Fed the same stream, both must say "repeat" for the same records, remember the same
 * count, forget the same count and export the same state.
 */
class ReferenceDedup {
  private readonly seen = new Map<string, number>();
  private readonly order: string[] = [];
  private newest = -Infinity;
  duplicates = 0;
  forgotten = 0;

  constructor(
    private readonly cap: number,
    private readonly horizonMs: number,
  ) {}

  checkRecord(record: unknown, ts: number): boolean {
    const id = recordIdentity(record);
    if (id === undefined) return false;
    if (this.seen.has(id)) {
      this.duplicates++;
      return true;
    }
    if (ts > this.newest) {
      this.newest = ts;
      while (this.order.length > 0 && this.seen.get(this.order[0]!)! < this.newest - this.horizonMs) this.seen.delete(this.order.shift()!);
    }
    this.seen.set(id, ts);
    this.order.push(id);
    while (this.seen.size > this.cap) {
      this.seen.delete(this.order.shift()!);
      this.forgotten++;
    }
    return false;
  }

  exportState(): Array<[string, number]> {
    return this.order.map((id) => [id, this.seen.get(id)!]);
  }

  /**
   * A restart from saved state. The state is only [identity, time] pairs, so the newest time seen
   * becomes the newest time saved: an identity that arrived already past the horizon may then be
   * forgotten by the next newer record where the running cache would have kept it a little longer.
   */
  static restored(cap: number, horizonMs: number, saved: Array<[string, number]>): ReferenceDedup {
    const ref = new ReferenceDedup(cap, horizonMs);
    for (const [id, t] of saved.slice(-cap)) {
      if (ref.seen.has(id)) continue;
      ref.seen.set(id, t);
      ref.order.push(id);
      if (t > ref.newest) ref.newest = t;
    }
    return ref;
  }

  stats(): { remembered: number; duplicates: number; forgotten: number } {
    return { remembered: this.seen.size, duplicates: this.duplicates, forgotten: this.forgotten };
  }
}

// Few values each, so repeats, reversed tuples and hash collisions come up often: IPv4 (also as
// mapped IPv6), IPv6, a vendor id, and records without an identity.
const ip = fc.constantFrom('10.0.0.1', '10.0.0.2', '192.0.2.9', '::ffff:10.0.0.1', 'fd00::1', 'fd00::2', 'x');
const port = fc.constantFrom<number | undefined>(0, 3, 8, 443, 51000, 65535, undefined);
const record = fc.record({
  id: fc.option(fc.constantFrom('a', 'b'), { nil: undefined, freq: 6 }),
  vendor: fc.constant('firewalla'),
  endpoint: fc.constant('flows'),
  start: fc.option(fc.constantFrom(0, -0, 1000, 1000.5, 2000), { nil: undefined }),
  ts: fc.integer({ min: 0, max: 4000 }),
  protocol: fc.option(fc.constantFrom(1, 6, 17, 58, 47).map((n) => ({ number: n })), { nil: undefined, freq: 8 }),
  src: fc.record({ ip, port }),
  dst: fc.record({ ip, port }),
}, { requiredKeys: ['vendor', 'endpoint', 'ts', 'src', 'dst'] });

/** Hashes that collide on purpose: every key in one probe run, or in a few. */
const hashes: Array<[string, FlowHasher | undefined]> = [
  ['MurmurHash3', undefined],
  ['a constant hash (one probe run)', () => 7],
  // Homes in the table's last four slots, whatever its size: runs wrap past its end.
  ['a 2-bit hash at the end of the table', (_seed, k) => (0xfffffffc + ((k.sport + k.dport + k.start) & 3)) >>> 0],
];

describe('dedup cache property: the flow table agrees with a queue of identity texts', function () {
  this.timeout(propertyTimeout(30_000));

  for (const [name, flowHash] of hashes) {
    it(`same repeats, counts and exported state, with ${name}`, () => {
      fc.assert(
        fc.property(fc.array(record, { maxLength: 200 }), fc.integer({ min: 1, max: 40 }), fc.constantFrom(500, 1500, 1e9), fc.integer({ min: 0, max: 200 }), (stream, cap, horizonMs, cut) => {
          let ref = new ReferenceDedup(cap, horizonMs);
          let cache = new DedupCache({ cap, horizonMs }, { flowHash, seed: 1 });
          stream.forEach((r, i) => {
            if (i === cut) {
              // A restart halfway: the saved state, read back by a new cache with another seed.
              const saved = JSON.parse(JSON.stringify(cache.exportState())) as unknown;
              cache = new DedupCache({ cap, horizonMs }, { flowHash, seed: 99 });
              cache.importState(saved);
              ref = ReferenceDedup.restored(cap, horizonMs, ref.exportState());
            }
            cache.checkRecord(r, r.ts).should.equal(ref.checkRecord(r, r.ts), `record ${i}: ${JSON.stringify(r)}`);
          });
          cache.exportState().should.eql(ref.exportState());
          cache.stats().should.eql(ref.stats());
        }),
        { numRuns: runs(1000) },
      );
    });
  }

  it('agrees over long streams that grow the table and wrap its ring (caps 5, 700, 5,000)', () => {
    // MurmurHash3, and a 4-bit hash whose homes straddle the table's end.
    const wrapping: FlowHasher = (_seed, k) => (((k.sport ^ k.start) & 15) - 8) >>> 0;
    for (const flowHash of [undefined, wrapping]) {
      for (const cap of [5, 700, 5000]) {
        let seed = cap;
        const rnd = (n: number): number => {
          seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
          return seed % n;
        };
        let ref = new ReferenceDedup(cap, 3000);
        let cache = new DedupCache({ cap, horizonMs: 3000 }, { flowHash, seed: 5 });
        let repeats = 0;
        for (let i = 0; i < 20_000; i++) {
          if (i === 10_000) {
            const saved = cache.exportState();
            cache = new DedupCache({ cap, horizonMs: 3000 }, { flowHash, seed: 6 });
            cache.importState(saved);
            ref = ReferenceDedup.restored(cap, 3000, ref.exportState());
          }
          const ts = i + rnd(500);
          // Starts on a 100 ms grid and few tuples, so a tuple often comes again with its start.
          const r = { vendor: 'x', endpoint: 'flows', ts, start: ts - (ts % 100), protocol: { number: rnd(4) === 0 ? 17 : 6 },
            src: { ip: `10.0.0.${rnd(8)}`, port: 1024 + rnd(40) }, dst: { ip: rnd(10) === 0 ? 'fd00::1' : '192.0.2.1', port: 443 } };
          const dup = ref.checkRecord(r, ts);
          if (dup) repeats++;
          cache.checkRecord(r, ts).should.equal(dup, `cap ${cap}, record ${i}`);
        }
        cache.exportState().should.eql(ref.exportState());
        repeats.should.be.above(cap === 5 ? 0 : 1000);
        if (cap === 5000) cache.stats().remembered.should.be.above(600); // past the table's first size
      }
    }
  });

  it('a saved state of the text-keyed cache (before the table) is read back', () => {
    const flow = { vendor: 'firewalla', endpoint: 'flows', start: 1000, ts: 1000, protocol: { number: 6 }, src: { ip: '10.0.0.2', port: 51000 }, dst: { ip: '10.0.0.1', port: 443 } };
    const saved: Array<[string, number]> = [
      [recordIdentity(flow)!, 1000],
      ['id:firewalla:flows:a', 1000],
    ];
    saved[0]![0].should.equal('flow:6|10.0.0.1|443|10.0.0.2|51000@1000');
    const c = new DedupCache({ cap: 10, horizonMs: 1e6 });
    c.importState(saved);
    c.exportState().should.eql(saved);
    c.checkRecord({ ...flow, ts: 1500 }, 1500).should.be.true();
    c.checkRecord({ ...flow, src: flow.dst, dst: flow.src, ts: 1500 }, 1500).should.be.true();
    c.checkRecord({ ...flow, start: 1001, ts: 1500 }, 1500).should.be.false();
  });

  it('start 0 and -0 are one identity, as their texts are', () => {
    const flow = { vendor: 'x', endpoint: 'flows', ts: 5, start: 0, protocol: { number: 6 }, src: { ip: '10.0.0.2', port: 51000 }, dst: { ip: '10.0.0.1', port: 443 } };
    const c = new DedupCache({ cap: 10, horizonMs: 1e6 });
    c.checkRecord(flow, 5).should.be.false();
    c.checkRecord({ ...flow, start: -0 }, 5).should.be.true();
  });
});

describe('dedup flow table', () => {
  const key = (n: number): FlowKey => ({ ...emptyFlowKey(), proto: 6, saddr: n, sport: n & 0xffff, start: n * 10 });

  it('keeps insertion order and finds every key when it grows after its oldest were forgotten', () => {
    const t = new FlowTable(2000);
    for (let n = 1; n <= 400; n++) t.add(key(n), n * 2654435761 >>> 0, n, n);
    for (let n = 1; n <= 300; n++) t.popOldest();
    // 1,000 more: the ring (512 first) and the slots (1,024 first) both grow with the head at 300.
    for (let n = 401; n <= 1400; n++) t.add(key(n), n * 2654435761 >>> 0, n, n);
    t.size.should.equal(1100);
    const order: number[] = [];
    t.forEachInOrder(emptyFlowKey(), (k, ts, seq) => {
      k.saddr.should.equal(seq);
      order.push(ts);
    });
    order.should.eql(Array.from({ length: 1100 }, (_, i) => i + 301));
    t.has(key(300), 300 * 2654435761 >>> 0).should.be.false();
    for (const n of [301, 900, 1400]) t.has(key(n), n * 2654435761 >>> 0).should.be.true();
  });

  it('stops doubling at 1.6 rows per identity of its cap, and still finds every key', () => {
    const t = new FlowTable(1200);
    for (let n = 1; n <= 1200; n++) t.add(key(n), n * 2654435761 >>> 0, n, n);
    // Half full at 1,025 would double 2,048 rows to 4,096; 2,048 is already 1.6 x 1,200.
    (t as unknown as { slots: { length: number } }).slots.length.should.equal(2048);
    for (let n = 1; n <= 1200; n++) t.has(key(n), n * 2654435761 >>> 0).should.be.true();
    t.has(key(1201), 1201 * 2654435761 >>> 0).should.be.false();
  });

});

describe('dedup cache: cases from review', () => {
  it('a text repeated in a saved state is taken once and does not move the horizon (review case)', () => {
    const cache = new DedupCache({ cap: 23, horizonMs: 500 });
    cache.importState([['id:v:e:7', 2313], ['id:v:e:7', 4313]]);
    const a = { vendor: 'v', endpoint: 'e', id: 'a', ts: 916 };
    cache.checkRecord(a, 916).should.be.false();
    // A newer record than every time taken (2313): the horizon moves past `a`, which is forgotten.
    cache.checkRecord({ vendor: 'v', endpoint: 'e', ts: 3834, start: 3834, protocol: { number: 47 }, src: { ip: '0.0.0.0' }, dst: { ip: '0.0.0.0' } }, 3834).should.be.false();
    cache.checkRecord(a, 2164).should.be.false();
  });

  it('an IPv4 flow checked as text and then as a record is one identity', () => {
    const c = new DedupCache({ cap: 10, horizonMs: 1e6 });
    c.check('flow:6|10.0.0.1|443|10.0.0.2|51000@1000', 1000).should.be.false();
    const flow = { vendor: 'x', endpoint: 'flows', ts: 1000, start: 1000, protocol: { number: 6 }, src: { ip: '10.0.0.2', port: 51000 }, dst: { ip: '10.0.0.1', port: 443 } };
    c.checkRecord(flow, 1000).should.be.true();
    c.exportState().should.have.length(1);
  });
});
