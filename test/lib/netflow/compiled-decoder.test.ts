/**
 * The generated reader of fixed-length templates (compiled-decoder.ts) against the generic
 * field-by-field loop: for random templates (mapped, unknown and enterprise fields, reduced-size
 * integers, IPv6, NTP and seconds times) and random record bytes, both see the same records.
 */
import 'should';
import fc from 'fast-check';
import { ELEMENTS, Template, decodeRecords, type DecodedFlow, type TemplateField } from '../../../nodes/lib/netflow';
import { decodeGeneric } from '../../../nodes/lib/netflow/template';

interface Seen {
  v: number[];
  v6: Array<string | undefined>;
}

function snapshot(out: Seen[]): (f: DecodedFlow) => void {
  return (f) => void out.push({ v: Array.from(f.v), v6: [f.srcV6, f.dstV6, f.nextHopV6] });
}

const KNOWN = [...ELEMENTS.keys()];
const field: fc.Arbitrary<TemplateField> = fc.oneof(
  // A mapped element with a length it may have (or one it may not: then it is skipped).
  fc.record({ id: fc.constantFrom(...KNOWN), length: fc.constantFrom(1, 2, 3, 4, 6, 8, 16), enterprise: fc.constant(0) }),
  fc.record({ id: fc.integer({ min: 0, max: 32767 }), length: fc.integer({ min: 1, max: 20 }), enterprise: fc.constant(0) }),
  fc.record({ id: fc.constantFrom(...KNOWN), length: fc.integer({ min: 1, max: 8 }), enterprise: fc.integer({ min: 1, max: 2 ** 32 - 1 }) }),
);

describe('compiled record reader', () => {
  it('decodes exactly what the generic loop decodes', () => {
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 5 }), fc.uint8Array({ minLength: 0, maxLength: 4000 }), (fields, records, noise) => {
        const t = new Template(256, fields, 0, false, 0);
        (t.reader !== undefined).should.be.true();
        const bytes = new Uint8Array(t.fixedLength * records + Math.min(3, t.fixedLength - 1)); // + padding
        for (let i = 0; i < bytes.length; i++) bytes[i] = noise.length ? noise[i % noise.length]! : i & 255;
        const fast: Seen[] = [];
        const slow: Seen[] = [];
        const n1 = decodeRecords(t, bytes, 0, bytes.length, snapshot(fast));
        // A fresh template for the reference, so its cursor starts as clean as the first one's.
        const n2 = decodeGeneric(new Template(256, fields, 0, false, 0), bytes, 0, bytes.length, snapshot(slow));
        n1.should.equal(records);
        n2.should.equal(records);
        fast.should.eql(slow);
      }),
      { numRuns: 300 },
    );
  });
});
