import 'should';
import fc from 'fast-check';
import { emptyFlowKey, flowKeyFromText, flowKeyText, type FlowKey } from '../../../nodes/lib/dedup/flow-key';
import { parseIp } from '../../../nodes/lib/ip';
import { propertyTimeout, runs } from '../../support/property';

/**
 * `flowKeyFromText` scans (nodes/lib/dedup/flow-key.ts). This is what it replaced, the reference:
 * split the text, parse each part, and accept only when writing the key back gives the same text.
 */
function referenceFromText(text: string): FlowKey | undefined {
  if (!text.startsWith('flow:') || text.length > 120) return undefined;
  const at = text.lastIndexOf('@');
  if (at < 0) return undefined;
  const parts = text.slice(5, at).split('|');
  if (parts.length !== 5) return undefined;
  const port = (p: string): number | undefined => {
    if (p === '') return -1;
    const n = Number(p);
    return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
  };
  const proto = Number(parts[0]);
  const s = parseIp(parts[1]!);
  const d = parseIp(parts[3]!);
  const sport = port(parts[2]!);
  const dport = port(parts[4]!);
  const start = Number(text.slice(at + 1));
  if (!Number.isInteger(proto) || proto < 0 || proto > 255 || s?.version !== 4 || d?.version !== 4) return undefined;
  if (sport === undefined || dport === undefined || !Number.isFinite(start)) return undefined;
  const key: FlowKey = { proto, saddr: s.value as number, sport, daddr: d.value as number, dport, start };
  return flowKeyText(key) === text ? key : undefined;
}

const key = fc.record({
  proto: fc.constantFrom(0, 1, 6, 17, 47, 58, 255),
  saddr: fc.constantFrom(0, 1, 0x0a000001, 0xc0000209, 0xffffffff),
  sport: fc.constantFrom(-1, 0, 8, 443, 51000, 65535),
  daddr: fc.constantFrom(0, 0x0a000002, 0x7f000001, 0xffffffff),
  dport: fc.constantFrom(-1, 0, 3, 443, 65535),
  start: fc.constantFrom(0, 1000, 1000.5, 1.7e12, 1e21, 5e-324, -5, Number.MAX_VALUE),
});
// Characters the texts are made of, and a few that only a broken or hostile state holds.
const char = fc.constantFrom(...'0123456789.|@:flow-+e '.split(''), 'x', '٣');
const edit = fc.tuple(fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), char);

function applyEdits(text: string, edits: Array<[number, string, string]>): string {
  let t = text;
  for (const [at, kind, c] of edits) {
    const i = at % (t.length + 1);
    t = kind === 'insert' ? t.slice(0, i) + c + t.slice(i) : kind === 'delete' ? t.slice(0, i) + t.slice(i + 1) : t.slice(0, i) + c + t.slice(i + 1);
  }
  return t;
}

describe('dedup flow key text: the scanner reads exactly what the reference reads', function () {
  this.timeout(propertyTimeout(20_000));

  it('reads back every text it writes', () => {
    fc.assert(fc.property(key, (k) => {
      const out = emptyFlowKey();
      flowKeyFromText(flowKeyText(k), out).should.be.true();
      out.should.eql({ ...k, start: k.start + 0 });
    }), { numRuns: runs(2000) });
  });

  it('accepts and reads a text exactly when the reference does, however it was edited', () => {
    const text = fc.oneof(
      fc.tuple(key, fc.array(edit, { minLength: 1, maxLength: 3 })).map(([k, edits]) => applyEdits(flowKeyText(k), edits)),
      fc.array(char, { maxLength: 40 }).map((cs) => `flow:${cs.join('')}`),
      fc.string({ maxLength: 130 }),
    );
    fc.assert(fc.property(text, (t) => {
      const out = emptyFlowKey();
      const ok = flowKeyFromText(t, out);
      const ref = referenceFromText(t);
      ok.should.equal(ref !== undefined, JSON.stringify(t));
      if (ref !== undefined) out.should.eql(ref);
    }), { numRuns: runs(20_000) });
  });
});
