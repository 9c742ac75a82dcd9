import 'should';
import fc from 'fast-check';
import { communityId } from '../../../nodes/lib/community-id';
import { recordIdentity } from '../../../nodes/lib/dedup';
import { propertyTimeout, runs } from '../../support/property';

/**
 * The dedup identity of a flow is its Community ID tuple as text (nodes/lib/dedup/identity.ts),
 * a fast path for what it replaced: the SHA-1 Community ID itself. This is that reference; two
 * records must be "the same record" under one exactly when they are under the other.
 */
function referenceIdentity(record: Record<string, unknown>): string | undefined {
  const r = record as { id?: unknown; extra?: { id?: unknown }; vendor?: unknown; endpoint?: unknown; start?: unknown; ts?: unknown;
    protocol?: { number?: unknown }; src?: { ip?: unknown; port?: unknown }; dst?: { ip?: unknown; port?: unknown } };
  const idText = (v: unknown): string | undefined => (typeof v === 'string' ? (v === '' || v.length > 256 ? undefined : v)
    : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined);
  const vid = idText(r.id) ?? idText(r.extra?.id);
  if (vid !== undefined) return `id:${String(r.vendor)}:${String(r.endpoint)}:${vid}`;
  const start = typeof r.start === 'number' ? r.start : r.ts;
  if (typeof start !== 'number' || !Number.isFinite(start)) return undefined;
  const proto = r.protocol?.number;
  if (typeof proto !== 'number' || typeof r.src?.ip !== 'string' || typeof r.dst?.ip !== 'string') return undefined;
  const port = (p: unknown): number | undefined => (typeof p === 'number' ? p : undefined);
  const cid = communityId({ srcIp: r.src.ip, dstIp: r.dst.ip, proto, srcPort: port(r.src.port), dstPort: port(r.dst.port) });
  return cid === undefined ? undefined : `cid:${cid}@${start}`;
}

// Few values each, so that equal and reversed tuples come up often; several spellings of one
// address, mapped IPv4, mixed versions, bad text; ICMP types with and without a counterpart.
const ip = fc.constantFrom('10.0.0.1', '10.0.0.2', ' 10.0.0.1', '[fd00::1]', 'fd00::1', 'fd00:0:0::1', 'FD00::1', 'fd00::2',
  '::ffff:10.0.0.1', '::ffff:10.0.0.2', '10.0.0.01', 'x', '', 'fe80::1%eth0');
const port = fc.constantFrom<number | undefined>(0, 8, 0, 3, 128, 129, 443, 51000, 65535, 65536, -1, 1.5, undefined);
const proto = fc.constantFrom<number | undefined>(1, 6, 17, 58, 132, 47, 0, 255, 256, 6.5, undefined);
const record = fc.record({
  id: fc.option(fc.constantFrom('a', '', 7, Number.NaN), { nil: undefined }),
  vendor: fc.constantFrom('firewalla', 'citrix-sdwan'),
  endpoint: fc.constant('flows'),
  start: fc.option(fc.constantFrom(1000, 2000), { nil: undefined }),
  ts: fc.constantFrom(1000, 2000, 3000),
  protocol: fc.option(proto.map((n) => ({ number: n })), { nil: undefined }),
  src: fc.record({ ip, port }),
  dst: fc.record({ ip, port }),
}, { requiredKeys: ['vendor', 'endpoint', 'ts', 'src', 'dst'] });
/** The same flow seen from the other end. */
const reversed = (r: Record<string, unknown>): Record<string, unknown> => ({ ...r, src: r.dst, dst: r.src });

describe('dedup identity property: tuple text agrees with the Community ID', function () {
  this.timeout(propertyTimeout(20_000));

  it('has an identity exactly when the reference has one', () => {
    fc.assert(fc.property(record, (r) => {
      (recordIdentity(r) === undefined).should.equal(referenceIdentity(r) === undefined);
    }), { numRuns: runs(2000) });
  });

  it('calls two records the same exactly when the reference does', () => {
    const pair = fc.tuple(record, record, fc.boolean()).map(([a, b, flip]) => [a, flip ? reversed(a) : b] as const);
    fc.assert(fc.property(fc.oneof(pair, fc.tuple(record, record)), ([a, b]) => {
      const same = recordIdentity(a) !== undefined && recordIdentity(a) === recordIdentity(b);
      const refSame = referenceIdentity(a) !== undefined && referenceIdentity(a) === referenceIdentity(b);
      same.should.equal(refSame, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }), { numRuns: runs(4000) });
  });
});
