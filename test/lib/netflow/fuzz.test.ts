/**
 * fast-check over every decoder: random bytes, and valid v5 / v9 / IPFIX packets with bytes
 * flipped, cut or spliced. Whatever arrives, `receive` returns (never throws), the datagram is
 * either decoded or counted as bad, no internal error is hit, what is kept stays under its caps,
 * and one call's CPU time stays far below the 50 ms budget.
 */
import 'should';
import fc from 'fast-check';
import { Collector, MAX_RECORDS_PER_DATAGRAM } from '../../../nodes/lib/netflow';
import {
  dataRecord,
  dataSet,
  ipfixMessage,
  ipfixOptionsTemplateSet,
  ipfixTemplateSet,
  v5Packet,
  v9OptionsTemplateFlowSet,
  v9Packet,
  v9TemplateFlowSet,
  type FieldSpec,
} from '../../../simulator/netflow';

const T = 1_700_000_000;
const F: FieldSpec[] = [[8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [1, 8], [2, 8], [96, 65535], [5, 1, 9], [152, 8], [153, 8]];
const rec = (i: number): Buffer => dataRecord(F, { 8: `10.0.0.${i}`, 12: '10.9.9.9', 7: i, 11: 80, 4: 6, 1: i * 10, 2: i, 96: 'app', 5: 1, 152: T * 1000, 153: T * 1000 + 5 });

const SEEDS: Buffer[] = [
  ipfixMessage({ exportSec: T, sequence: 0, domain: 1 }, [
    ipfixTemplateSet([{ id: 256, fields: F }]),
    ipfixOptionsTemplateSet(257, [[302, 4]], [[34, 4]]),
    dataSet(257, [dataRecord([[302, 4], [34, 4]], { 302: 1, 34: 10 })]),
    dataSet(256, [rec(1), rec(2), rec(3)]),
  ]),
  v9Packet({ uptimeMs: 1000, unixSecs: T, sequence: 0, sourceId: 0 }, [
    v9TemplateFlowSet([{ id: 256, fields: F.filter((f) => f[1] !== 65535 && f.length === 2) }]),
    v9OptionsTemplateFlowSet(258, [[1, 4]], [[34, 4]]),
    dataSet(256, [dataRecord(F.filter((f) => f[1] !== 65535 && f.length === 2), { 8: '10.0.0.1', 12: '10.0.0.2', 1: 5 })], 4),
  ]),
  v5Packet({ uptimeMs: 1000, unixSecs: T, unixNsecs: 0, sequence: 0 }, [
    { src: '10.0.0.1', dst: '10.0.0.2', packets: 1, bytes: 40, firstUptime: 1, lastUptime: 2, srcPort: 1, dstPort: 2, proto: 6 },
    { src: '10.0.0.3', dst: '10.0.0.4', packets: 1, bytes: 40, firstUptime: 1, lastUptime: 2, srcPort: 1, dstPort: 2, proto: 17 },
  ]),
];

/** A seed packet with some bytes overwritten, maybe cut short or extended with garbage. */
const mutated = fc
  .record({
    seed: fc.integer({ min: 0, max: SEEDS.length - 1 }),
    edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
    cut: fc.option(fc.nat(), { nil: undefined }),
    tail: fc.uint8Array({ maxLength: 64 }),
  })
  .map(({ seed, edits, cut, tail }) => {
    const b = Buffer.from(SEEDS[seed]!);
    for (const [at, v] of edits) b[at % b.length] = v;
    const cutAt = cut === undefined ? b.length : cut % (b.length + 1);
    return Buffer.concat([b.subarray(0, cutAt), Buffer.from(tail)]);
  });

/** Random bytes that start like a v5, v9 or IPFIX header, so the decoders past the version see them. */
const headed = fc
  .tuple(fc.constantFrom(5, 9, 10), fc.uint8Array({ minLength: 0, maxLength: 1500 }))
  .map(([v, body]) => {
    const b = Buffer.concat([Buffer.from([0, v]), Buffer.from(body)]);
    // IPFIX: make the length field honest half the time, so the set walker is reached.
    if (v === 10 && b.length >= 4 && body[0]! % 2 === 0) b.writeUInt16BE(Math.min(b.length, 65535), 2);
    return b;
  });

function cpuMs(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

describe('netflow decoders under fuzzing', function () {
  this.timeout(120_000);

  for (const [name, arb] of [
    ['mutated valid packets', mutated],
    ['random bytes behind a valid version', headed],
    ['any bytes', fc.uint8Array({ maxLength: 2000 }).map((u) => Buffer.from(u))],
  ] as const) {
    it(`${name}: decoded or counted as bad, never an exception`, () => {
      fc.assert(
        fc.property(fc.array(arb, { minLength: 1, maxLength: 6 }), (packets) => {
          const c = new Collector({ now: () => T * 1000, maxHeldSets: 4, maxTemplatesPerExporter: 8, maxDomainsPerExporter: 4 });
          // The seeds first, so templates exist and mutated data sets reach the record decoder.
          for (const s of SEEDS) c.receive(s, '192.0.2.1');
          let returned = 0;
          for (const p of packets) {
            const out = c.receive(p, '192.0.2.1');
            returned += out.length;
            for (const r of out) {
              r.ts.should.be.a.Number();
              Number.isFinite(r.ts).should.be.true();
            }
          }
          const s = c.stats();
          s.internalErrors.should.equal(0);
          const ex = s.exporters['192.0.2.1']!;
          ex.packets.should.equal(SEEDS.length + packets.length);
          ex.templates.should.be.belowOrEqual(8);
          ex.records.should.be.aboveOrEqual(returned);
        }),
        { numRuns: 400 },
      );
    });
  }

  it('never throws and stays bounded when fed many templates, domains and early data sets', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ domain: fc.nat(20), id: fc.integer({ min: 256, max: 400 }), data: fc.boolean() }), { maxLength: 200 }),
        (items) => {
          const c = new Collector({ now: () => T * 1000, maxHeldSets: 4, maxHeldBytes: 2048, maxTemplatesPerExporter: 16, maxDomainsPerExporter: 4 });
          for (const it of items) {
            const set = it.data ? dataSet(it.id, [rec(1)]) : ipfixTemplateSet([{ id: it.id, fields: F }]);
            c.receive(ipfixMessage({ exportSec: T, sequence: 0, domain: it.domain }, [set]), '192.0.2.1');
          }
          const ex = c.stats().exporters['192.0.2.1'];
          if (ex) ex.templates.should.be.belowOrEqual(16);
          c.stats().internalErrors.should.equal(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('one datagram of the worst shapes costs far less than 50 ms of CPU', () => {
    // 65535-byte IPFIX messages: 1-byte variable-length records (the most records per byte,
    // none with an address: counted, not built), and 9-byte records of two addresses and a
    // protocol (the most records that become NetworkFlow records, each with a Community ID).
    const shapes: Array<[FieldSpec[], number, number]> = [
      [[[96, 65535]], 1, 0],
      [[[8, 4], [12, 4], [4, 1]], 9, 1],
    ];
    for (const [fields, size, built] of shapes) {
      const c = new Collector({ now: () => T * 1000 });
      c.receive(ipfixMessage({ exportSec: T, sequence: 0, domain: 0 }, [ipfixTemplateSet([{ id: 256, fields }])]), '192.0.2.1');
      const body = Buffer.alloc(65535 - 16 - 4, size === 1 ? 0 : 6);
      const msg = ipfixMessage({ exportSec: T, sequence: 0, domain: 0 }, [Buffer.concat([Buffer.from([1, 0, 0xff, 0xef]), body])]);
      msg.length.should.equal(65535);
      // Warm: the budget is for the running code, not V8 compiling it on the first datagram.
      for (let i = 0; i < 3; i++) c.receive(Buffer.from(msg), '192.0.2.1');
      let n = 0;
      const ms = cpuMs(() => (n = c.receive(msg, '192.0.2.1').length));
      // Records past MAX_RECORDS_PER_DATAGRAM are counted, not built.
      const total = built * Math.floor(body.length / size);
      n.should.equal(Math.min(total, MAX_RECORDS_PER_DATAGRAM));
      c.stats().totals.recordsOverLimit.should.equal(4 * (total - n));
      ms.should.be.below(50, `${size}-byte records`);
      if (process.env.SHOW_CPU) console.log(`${size}-byte records: ${n} built in ${ms} ms CPU`);
    }
  });
});
