import 'should';
import fc from 'fast-check';
import { flowSchema, groupedRowSchema, quickFlowCheck, quickGroupedCheck, validateRecords, checkPage } from '../../../nodes/lib/vendors/firewalla/schemas';
import { runs } from '../../support/property';

/** Values of the wrong and right types, so records land on both sides of every check. */
const anyValue = fc.oneof(
  fc.constant(undefined), fc.constant(null), fc.boolean(), fc.string({ maxLength: 4 }),
  fc.double(), fc.integer(), fc.constant(Number.NaN), fc.constant(Infinity), fc.constant([]),
);
const refLike = fc.oneof(anyValue, fc.record({ id: anyValue, ip: anyValue, name: anyValue, port: anyValue }, { requiredKeys: [] }));
const recordLike = fc.record(
  {
    ts: fc.oneof(fc.double({ min: 1.6e9, max: 1.8e9, noNaN: true }), anyValue),
    gid: fc.oneof(fc.string(), anyValue),
    protocol: anyValue, direction: anyValue, block: anyValue, blockType: anyValue,
    download: anyValue, upload: anyValue, total: anyValue, duration: anyValue, count: anyValue,
    category: anyValue, region: anyValue, domain: anyValue, country: anyValue,
    device: refLike, network: refLike, group: refLike, source: refLike, destination: refLike,
    extra: anyValue,
  },
  { requiredKeys: [] },
);

describe('lib/vendors/firewalla schemas', () => {
  it('the fast flow check never accepts what zod rejects', () => {
    fc.assert(
      fc.property(fc.oneof(recordLike, anyValue), (r) => {
        if (quickFlowCheck(r)) flowSchema.safeParse(r).success.should.be.true();
        if (quickGroupedCheck(r)) groupedRowSchema.safeParse(r).success.should.be.true();
      }),
      { numRuns: runs(1000) },
    );
  });

  it('validateRecords classifies exactly as zod does and returns records as sent', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(recordLike, anyValue), { maxLength: 20 }), fc.boolean(), (results, grouped) => {
        const schema = grouped ? groupedRowSchema : flowSchema;
        const { records, invalid } = validateRecords(results, grouped);
        const okIdx = results.map((r, i) => (schema.safeParse(r).success ? i : -1)).filter((i) => i >= 0);
        records.length.should.equal(okIdx.length);
        okIdx.forEach((i, k) => (records[k] === results[i]).should.be.true());
        invalid.map((x) => x.index).should.eql(results.map((_, i) => i).filter((i) => !okIdx.includes(i)));
      }),
      { numRuns: runs(500) },
    );
  });

  it('keeps unknown fields and accepts null for optional ones', () => {
    const r = { ts: 1647550615.011, gid: 'g', region: null, device: { id: 'AA', name: null, port: 55664 }, sport: 1234, newField: { x: 1 } };
    validateRecords([r], false).records[0]!.should.equal(r);
    flowSchema.parse(r).should.have.property('newField');
  });

  it('a grouped row needs a count but no ts or gid; a flow needs both', () => {
    validateRecords([{ domain: 'a', count: 3, total: 10 }], true).invalid.should.eql([]);
    validateRecords([{ domain: 'a', count: 3, total: 10 }], false).invalid[0]!.reason.should.match(/^ts: /);
  });

  it('checks the page envelope', () => {
    checkPage({ count: 0, results: [], next_cursor: null }).should.have.property('page');
    checkPage({ results: [] }).should.have.property('page');
    (checkPage({ results: {} }) as { reason: string }).reason.should.match(/^results: /);
    (checkPage({ results: [], next_cursor: 5 }) as { reason: string }).reason.should.match(/^next_cursor: /);
    (checkPage([]) as { reason: string }).reason.should.be.a.String();
  });
});
