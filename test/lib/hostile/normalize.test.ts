/**
 * Hostile input for the normalizers: every vendor path, both output formats, raw records kept
 * or not. Any field may be a 1 MB string, nested thousands of levels, a non-finite or huge
 * number, or an odd type; one record never costs more than the CPU budget, never throws, and
 * comes out either as a record or as a reported invalid record (issue 19 items 3 and 6).
 */
import 'should';
import fc from 'fast-check';
import { communityId } from '../../../nodes/lib/community-id';
import { MAX_IP_TEXT, parseCidr, parseCidrList, parseIp } from '../../../nodes/lib/ip';
import { isAbsent, MAX_COUNTER, Normalizer, observerHost, parseFlowGatewayTime, queryEndMs, Reader, recordsOf } from '../../../nodes/lib/normalize';
import { MAX_NUMBER_TEXT } from '../../../nodes/lib/normalize/fast-number';
import { MAX_NESTING, nestsDeeperThan } from '../../../nodes/lib/validate';
import { FETCHED_AT, firewallaSeed, flowGatewaySeed, sdwanFlow, sdwanIlbFlow } from '../normalize/fixtures';
import { run, withinBudget } from './budget';

type Rec = Record<string, unknown>;
const MB = 1 << 20;

/** `{a: {a: ... }}` or `[[...]]`, `depth` levels, built without recursion. */
function nested(depth: number, array = false): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = array ? [v] : { a: v };
  return v;
}

/** The values a hostile record may hold in any field. */
const HOSTILE: readonly unknown[] = [
  run('0', 100_000), // issue 19 item 3
  run('1', MB),
  run('0', MB, ''),
  run('9', MB, '.5'),
  `+${run('0', MB)}`,
  run(' ', MB, '7'),
  run('.', MB),
  run('1.', MB / 2),
  run('1:', MB / 2),
  run('e', MB),
  `::ffff:${run('1', MB)}`,
  run('ab', MB / 2, '.com'),
  run('a.', MB / 2, 'com'),
  `2024-01-08 ${run('0', MB)}`,
  run('\u00a0', MB, ''),
  nested(5000),
  nested(5000, true),
  { toString: null },
  [],
  [1, 2],
  NaN,
  Infinity,
  -Infinity,
  1e308,
  -1e308,
  -0,
  2 ** 64,
  -(2 ** 64),
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  Date.now() * 1e6, // a time in nanoseconds
  -1,
  1e21,
  '1e308',
  '1e999',
  '-0',
  '0x1f',
  'Infinity',
  'NaN',
  true,
  false,
  null,
  undefined,
  '',
  'N/A',
  12345678901234567890n,
];

const ENDPOINTS: ReadonlyArray<{ context: Rec; record: () => Rec }> = [
  { context: { vendor: 'citrix-sdwan', endpoint: 'flows', host: 'sdwan.example' }, record: sdwanFlow },
  { context: { vendor: 'citrix-sdwan', endpoint: 'ilbflows', host: 'sdwan.example' }, record: sdwanIlbFlow },
  { context: { vendor: 'firewalla', endpoint: 'flows', query: 'ts:1-2' }, record: firewallaSeed },
  { context: { vendor: 'riverbed-flowgateway', endpoint: 'import_stats' }, record: () => ({ ...flowGatewaySeed()[0]!, source_ip: '10.1.2.3' }) },
  // No context: the endpoint is recognised from the record's shape.
  { context: {}, record: sdwanFlow },
];

const NORMALIZERS = [
  new Normalizer(),
  new Normalizer({ format: 'ecs' }),
  new Normalizer({ format: 'ecs', keepRaw: true }),
  new Normalizer({ keepRaw: true, internalNetworks: '10.0.0.0/8, 2001:db8::/32' }),
];

/** One record through one normalizer: within budget, never throws, one record or one report. */
function normalizeOne(n: Normalizer, record: unknown, context: Rec): { records: unknown[]; invalid: Array<{ index: number; reason: string }> } {
  const out = withinBudget('normalize', () => n.normalize([record], { ...context, fetchedAt: FETCHED_AT }, FETCHED_AT));
  if (!out.ok) throw out.error;
  const res = out.value;
  (res.records.length + res.invalid.length).should.equal(1);
  if (res.invalid.length) {
    res.invalid[0]!.index.should.equal(0);
    res.invalid[0]!.reason.should.be.a.String();
    // A reason quotes at most a short cut of the value, never the whole of it.
    res.invalid[0]!.reason.length.should.be.below(400);
  } else {
    // What goes out can be serialized (Node-RED clones and sends it); a BigInt the caller put in
    // a raw record it asked to keep stays the caller's.
    withinBudget('serialize', () => JSON.stringify(res.records[0], (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
  }
  return res;
}

describe('hostile input: normalize', () => {
  it('an SD-WAN record whose bytes are 100,000 zeros and an x is reported within budget (issue 19 item 3)', () => {
    const rec = { ...sdwanFlow(), bytes: run('0', 100_000) };
    const res = normalizeOne(new Normalizer(), rec, ENDPOINTS[0]!.context);
    res.invalid.should.have.length(1);
    res.invalid[0]!.reason.should.match(/^bytes: "0{39}…" is not a number \(longer than 100 characters\)$/);
  });

  it('long zero runs with a bad character reach the count, port, number and protocol readers within budget', () => {
    const n = new Normalizer();
    for (const field of ['bytes', 'packets', 'src_port', 'dest_port', 'customer_kbps', 'ipp', 'age', 'hitcount', 'app_rule_id']) {
      for (const v of [run('0', 100_000), run('0', MAX_NUMBER_TEXT - 1), `+${run('0', 50_000)}`, run(' ', MB, '1')]) {
        normalizeOne(n, { ...sdwanFlow(), [field]: v }, ENDPOINTS[0]!.context);
      }
    }
  });

  it('counts read exactly as with the old pattern (property, text up to the cap)', () => {
    // The old slow path, pattern for pattern: the reference for the scanner that replaced it.
    const countByRegExp = (v: string): number | 'error' | undefined => {
      if (isAbsent(v)) return undefined;
      const t = v.trim();
      const m = /^\+?0*(\d+)$/.exec(t);
      if (m) return Number(m[1]) <= Number.MAX_SAFE_INTEGER || m[1] === '9007199254740992' ? Number(m[1]) : 'error';
      if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(t)) return 'error';
      const n = Number(t);
      return n < 0 || !Number.isInteger(n) || n > MAX_COUNTER ? 'error' : n;
    };
    const rd = new Reader([]);
    const ch = fc.constantFrom('0', '0', '1', '9', '+', '-', '.', 'e', ' ', 'x', '\t');
    fc.assert(
      fc.property(fc.array(ch, { maxLength: 24 }).map((xs) => xs.join('')), fc.nat({ max: MAX_NUMBER_TEXT - 24 }), (body, zeros) => {
        for (const v of [body, '0'.repeat(zeros) + body]) {
          rd.begin();
          const n = rd.count(v, 'bytes');
          const got = rd.error === undefined ? n : 'error';
          (got === undefined ? 'absent' : got).should.equal(((r) => (r === undefined ? 'absent' : r))(countByRegExp(v)), JSON.stringify(v));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('counts and ports with leading zeros up to the cap still read as before', () => {
    const res = new Normalizer().toNetworkFlows([{ ...sdwanFlow(), bytes: `+${'0'.repeat(MAX_NUMBER_TEXT - 3)}12`, src_port: ' 0080 ' }], ENDPOINTS[0]!.context);
    res.invalid.should.eql([]);
    res.records[0]!.bytes!.should.equal(12);
    res.records[0]!.src.port!.should.equal(80);
  });

  it('every field of every vendor record, each hostile value (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ENDPOINTS),
        fc.constantFrom(...NORMALIZERS),
        fc.nat(),
        fc.constantFrom(...HOSTILE),
        fc.constantFrom('replace', 'add'),
        ({ context, record }, n, pick, value, how) => {
          const rec = record();
          const keys = Object.keys(rec);
          const key = how === 'add' ? `x_${pick % 7}` : keys[pick % keys.length]!;
          rec[key] = value;
          normalizeOne(n, rec, context);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('odd times (nanoseconds, 1e308, before 1970, past Date\'s range) are reported records in ECS too', () => {
    const ecs = new Normalizer({ format: 'ecs' });
    const odd = [Date.now() * 1e6, 1e308, -1, -1e15, 8.64e15 + 1, 2 ** 64, '1e20', 1e16, NaN, Infinity];
    for (const v of odd) {
      const cases: Array<[Rec, Rec]> = [
        [{ ...firewallaSeed(), ts: v }, ENDPOINTS[2]!.context],
        [{ ...firewallaSeed(), duration: v }, ENDPOINTS[2]!.context],
        [{ ...flowGatewaySeed()[0]!, source_ip: '10.1.2.3', time: v }, ENDPOINTS[3]!.context],
        [{ ...sdwanFlow(), age: v }, ENDPOINTS[0]!.context],
        [sdwanIlbFlow(), { ...ENDPOINTS[1]!.context, fetchedAt: v }],
      ];
      for (const [rec, context] of cases) {
        const out = withinBudget('odd time', () => ecs.normalize([rec], context, FETCHED_AT));
        if (!out.ok) throw out.error;
        (out.value.records.length + out.value.invalid.length).should.equal(1);
      }
    }
    const res = ecs.normalize([{ ...firewallaSeed(), ts: 1_700_000_000 * 1e9 }], ENDPOINTS[2]!.context, FETCHED_AT);
    res.invalid.should.have.length(1);
    res.invalid[0]!.reason.should.match(/^ts: 1\.?7\d*(e\+\d+)? ms is not a time from 1970 to 3000$/);
  });

  describe('deep nesting (issue 19 item 6)', () => {
    it('a record nested 5,000 levels deep is a reported record in every format', () => {
      for (const n of NORMALIZERS) {
        for (const { context, record } of ENDPOINTS) {
          for (const deep of [nested(5000), nested(5000, true)]) {
            const res = normalizeOne(n, { ...record(), extra_field: deep }, context);
            res.invalid.should.have.length(1);
            res.invalid[0]!.reason.should.match(/nested more than 64 levels deep$/);
          }
        }
      }
    });

    it('known fields nested deeply are reported by what they are, not serialized', () => {
      const n = new Normalizer({ format: 'ecs' });
      for (const { context, record } of ENDPOINTS) {
        for (const key of Object.keys(record())) {
          normalizeOne(n, { ...record(), [key]: nested(5000, true) }, context);
        }
      }
    });

    it('a raw record kept whole is refused when nested deeper than MAX_NESTING, kept up to it', () => {
      const n = new Normalizer({ format: 'ecs', keepRaw: true });
      const ok = normalizeOne(n, { ...firewallaSeed(), device: { ...(firewallaSeed().device as Rec), x: nested(MAX_NESTING - 2) } }, ENDPOINTS[2]!.context);
      ok.invalid.should.eql([]);
      const bad = normalizeOne(n, { ...firewallaSeed(), device: { ...(firewallaSeed().device as Rec), x: nested(MAX_NESTING - 1) } }, ENDPOINTS[2]!.context);
      bad.invalid[0]!.reason.should.equal('record: nested more than 64 levels deep');
    });

    it('nestsDeeperThan counts levels, survives cycles and shared objects, and cannot overflow', () => {
      nestsDeeperThan(nested(3), 3).should.be.false();
      nestsDeeperThan(nested(4), 3).should.be.true();
      nestsDeeperThan(nested(100_000, true)).should.be.true();
      nestsDeeperThan('x'.repeat(10)).should.be.false();
      const cyclic: Rec = { a: 1 };
      cyclic.self = cyclic;
      nestsDeeperThan(cyclic).should.be.true();
      // 60 levels, each holding the next twice: 2^60 paths, 60 objects.
      let shared: Rec = { leaf: true };
      for (let i = 0; i < 60; i++) shared = { l: shared, r: shared };
      withinBudget('shared', () => nestsDeeperThan(shared)).should.have.property('value', false);
    });
  });

  it('a batch of hostile records: each is reported or kept, the good one survives', () => {
    const records: unknown[] = [...HOSTILE.map((v) => ({ ...sdwanFlow(), bytes: v })), sdwanFlow()];
    const out = withinBudget('batch', () => new Normalizer({ format: 'ecs' }).normalize(records, ENDPOINTS[0]!.context, FETCHED_AT));
    if (!out.ok) throw out.error;
    (out.value.records.length + out.value.invalid.length).should.equal(records.length);
    out.value.records.length.should.be.above(0);
  });

  it('helpers that read vendor text: time, query, host, payload, addresses, community id', () => {
    const texts = HOSTILE.filter((v): v is string => typeof v === 'string');
    for (const t of texts) {
      withinBudget('time', () => parseFlowGatewayTime(t));
      withinBudget('query', () => queryEndMs(`ts:${t}-${t}`));
      withinBudget('query2', () => queryEndMs(t));
      withinBudget('host', () => observerHost(t));
      withinBudget('host2', () => observerHost(`https://${t}/${t}\n${t}`));
      withinBudget('ip', () => parseIp(t));
      withinBudget('cidr', () => parseCidr(`${t}/24`));
      withinBudget('cidr list', () => { try { parseCidrList(t); } catch { /* a plain Error: the callers wrap it */ } });
      withinBudget('community id', () => communityId({ srcIp: t, dstIp: t, proto: 6, srcPort: 1, dstPort: 2 }));
    }
    for (const v of HOSTILE) {
      withinBudget('time value', () => parseFlowGatewayTime(v));
      withinBudget('records of', () => recordsOf(v));
      withinBudget('community id numbers', () =>
        communityId({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', proto: v as number, srcPort: v as number, dstPort: v as number, seed: 0 }),
      );
    }
    (parseIp(`${' '.repeat(MAX_IP_TEXT - 7)}1.2.3.4`) !== undefined).should.be.true();
    (parseIp(`${' '.repeat(MAX_IP_TEXT - 6)}1.2.3.4`) === undefined).should.be.true();
  });
});
