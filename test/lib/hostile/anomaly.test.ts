/**
 * Hostile input for the anomaly engine: long strings, deep nesting and cycles, huge and
 * non-finite numbers, odd times, in every place a record is read (time, key, metric, distinct
 * value, the record itself) and in a saved state. Each input must give a reported record (a
 * reason naming the field) or a coded error, never an exception, and one call must stay far
 * below the 50 ms the event loop may be blocked (measured as the CPU time of that one call).
 */
import 'should';
import fc from 'fast-check';
import { AnomalyEngine, type AnomalyOptionsInput } from '../../../nodes/lib/anomaly';
import { BadInputError } from '../../../nodes/lib/errors';

const T0 = 1_700_000_040_000;
/** The event loop rule is 50 ms; a bad record takes microseconds, so this is generous. */
const MAX_CPU_MS = 50;

/** CPU time of one synchronous call, ms; the least of three tries, so a GC pause elsewhere does not count. */
function cpuMs(fn: () => void): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = process.cpuUsage();
    fn();
    const d = process.cpuUsage(t);
    best = Math.min(best, (d.user + d.system) / 1000);
  }
  return best;
}

function nested(levels: number, leaf: unknown, asArray: boolean): unknown {
  let v = leaf;
  for (let i = 0; i < levels; i++) v = asArray ? [v] : { v };
  return v;
}

function cyclic(): unknown {
  const a: Record<string, unknown> = { name: 'a' };
  a.self = { back: a };
  return a;
}

/**
 * Values no well-behaved vendor sends, as short descriptions (so a failure prints a line, not
 * megabytes); `build` makes the value itself. Sizes stay within what one record of a capped
 * response body can hold; enumerating a wide object is linear in its size (paid many times
 * over when it was parsed), so those stay at 20,000 members.
 */
type Spec =
  | { kind: 'digits' | 'text' | 'deepObject' | 'deepArray' | 'wideObject' | 'longArray'; n: number; s?: string }
  | { kind: 'cycle' }
  | { kind: 'value'; v: unknown };

const spec: fc.Arbitrary<Spec> = fc.oneof(
  fc.integer({ min: 65, max: 1_000_000 }).map((n) => ({ kind: 'digits' as const, n })),
  fc.tuple(fc.integer({ min: 100, max: 300_000 }), fc.string({ minLength: 1, maxLength: 3 })).map(([n, s]) => ({ kind: 'text' as const, n, s })),
  fc.integer({ min: 17, max: 10_000 }).map((n) => ({ kind: 'deepObject' as const, n })),
  fc.integer({ min: 17, max: 10_000 }).map((n) => ({ kind: 'deepArray' as const, n })),
  fc.integer({ min: 1_000, max: 20_000 }).map((n) => ({ kind: 'wideObject' as const, n })),
  fc.integer({ min: 1_000, max: 100_000 }).map((n) => ({ kind: 'longArray' as const, n })),
  fc.constant({ kind: 'cycle' as const }),
  fc.constantFrom<unknown>(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MAX_VALUE, -Number.MAX_VALUE, -0, 5e-324,
    T0 * 1e6, T0 * 1e3, T0 / 1e3, -T0, 8.64e15 + 1, '2024-13-45T99:99:99Z', '+275760-09-13T00:00:00.000Z', 'Infinity', '0x1f', ' ',
    2n ** 70n, -(2n ** 70n)).map((v) => ({ kind: 'value' as const, v })),
  fc.oneof(fc.double(), fc.anything()).map((v) => ({ kind: 'value' as const, v })),
);

function build(x: Spec): unknown {
  switch (x.kind) {
    case 'digits': return '9'.repeat(x.n);
    case 'text': return x.s!.repeat(x.n);
    case 'deepObject': return nested(x.n, 'x', false);
    case 'deepArray': return nested(x.n, 'x', true);
    case 'wideObject': return { wide: Object.fromEntries(Array.from({ length: x.n }, (_, i) => [`k${i}`, i])) };
    case 'longArray': return Array.from({ length: x.n }, (_, i) => i);
    case 'cycle': return cyclic();
    default: return x.v;
  }
}

const good = (ts: number, ip: string) => ({ ts, src: { ip }, dst: { ip: '1.1.1.1', port: 443 }, bytes: 10 });
type Place = 'ts' | 'src.ip' | 'bytes' | 'dst.ip' | 'dst.port' | 'record';

function withHostile(place: Place, v: unknown): unknown {
  const r = good(T0 + 500, '10.0.0.9') as Record<string, unknown>;
  if (place === 'record') return v;
  if (place === 'ts' || place === 'bytes') r[place] = v;
  else if (place === 'src.ip') r.src = { ip: v };
  else r.dst = place === 'dst.ip' ? { ip: v, port: 443 } : { ip: '1.1.1.1', port: v };
  return r;
}

const CONFIGS: AnomalyOptionsInput[] = [
  { key: 'src.ip', metric: 'sum:bytes', window: 60, rule: 'ewma' },
  { key: 'src.ip', metric: 'distinct:dst.ip', window: 60, rule: 'threshold', threshold: 5, windowType: 'sliding' },
  { key: 'src.ip,dst.port', metric: 'rate:bytes', window: 60, rule: 'zscore' },
];

describe('hostile input: anomaly engine', () => {
  for (const opts of CONFIGS) {
    it(`${String(opts.metric)} keyed by ${String(opts.key)}: a reported record or an accepted one, fast, never a throw`, () => {
      const places: Place[] = ['ts', 'src.ip', 'bytes', 'dst.ip', 'dst.port', 'record'];
      fc.assert(fc.property(fc.constantFrom(...places), spec, (place, x) => {
        const batch = [good(T0, '10.0.0.1'), withHostile(place, build(x)), good(T0 + 1000, '10.0.0.2')];
        let res: ReturnType<AnomalyEngine['ingest']> | undefined;
        const ms = cpuMs(() => {
          const e = new AnomalyEngine(opts, { now: () => T0 });
          res = e.ingest(batch);
          e.flush();
        });
        ms.should.be.below(MAX_CPU_MS, `${place}: one call took ${ms} ms of CPU`);
        const r = res!;
        (r.accepted + r.late + r.noKey + r.invalid).should.equal(3);
        r.accepted.should.be.aboveOrEqual(2); // the good records always count
        for (const err of r.errors) {
          err.index.should.equal(1);
          // The reason names the field and never echoes the hostile value whole.
          err.message.should.match(/^(ts|src\.ip|dst\.port|bytes|dst\.ip|record): /);
          err.message.length.should.be.below(300);
        }
      }), { numRuns: 40, seed: 1919 });
    });
  }

  it('a saved state of any shape is imported, refused as not matching, or a BAD_INPUT error', () => {
    const e = new AnomalyEngine(CONFIGS[0]!, { now: () => T0 });
    const fingerprint = e.exportState().fingerprint;
    const odd = fc.oneof(fc.double(), fc.string(), fc.constantFrom<unknown>(null, -1, 2 ** 60, T0 * 1e6, '12', [], {}), fc.anything({ maxDepth: 2 }));
    const pane = fc.oneof(odd, fc.record({ idx: odd, n: odd, val: odd, samples: odd, sv: odd, hashes: odd, hll: odd, set: odd }, { requiredKeys: [] }));
    const keyEntry = fc.record({
      id: fc.oneof(fc.string(), odd), firstSeen: odd, fields: odd,
      ring: fc.oneof(fc.constant([null]), fc.array(pane, { maxLength: 3 })), open: fc.array(pane, { maxLength: 70 }),
      hist: fc.oneof(odd, fc.array(odd, { maxLength: 40 })), nextPane: odd, alertEnd: odd, mean: odd, windows: odd, ringPos: odd,
    }, { requiredKeys: [] });
    const state = fc.oneof(
      fc.anything({ maxDepth: 3 }),
      fc.record({ format: fc.constant('network-flow-anomaly/1'), fingerprint: fc.constant(fingerprint), maxTs: odd,
        closedUpTo: odd, counters: odd, keys: fc.array(keyEntry, { maxLength: 5 }) }),
    );
    fc.assert(fc.property(state, (st) => {
      const fresh = new AnomalyEngine(CONFIGS[0]!, { now: () => T0 });
      try {
        fresh.importState(st).should.be.a.Boolean();
      } catch (err) {
        (err as Error).should.be.instanceOf(BadInputError);
        (err as BadInputError).code.should.equal('BAD_INPUT');
      }
      // Whatever was imported, the engine keeps working.
      const r = fresh.ingest([good(T0, '10.0.0.1'), good(T0 + 1, '10.0.0.2')]);
      (r.accepted + r.late).should.equal(2);
    }), { numRuns: 300, seed: 1914 });
  });
});
