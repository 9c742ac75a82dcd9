/**
 * The decoders on packets built field by field (simulator/netflow.ts): what each IPFIX, v9
 * and v5 feature yields, with an injected clock for template expiry and held sets.
 */
import 'should';
import { Collector, type CollectorOptions } from '../../../nodes/lib/netflow';
import {
  dataRecord,
  dataSet,
  ipfixMessage,
  ipfixOptionsTemplateSet,
  ipfixTemplateSet,
  ipfixWithdrawal,
  v5Packet,
  v9OptionsTemplateFlowSet,
  v9Packet,
  v9TemplateFlowSet,
  type FieldSpec,
} from '../../../simulator/netflow';

const EXPORTER = '192.0.2.1';
const T = 1_700_000_000;

const V4: FieldSpec[] = [
  [8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [1, 8], [2, 8], [152, 8], [153, 8], [10, 4], [14, 4], [6, 1],
];
const V6: FieldSpec[] = [[27, 16], [28, 16], [7, 2], [11, 2], [4, 1], [1, 4], [2, 4], [150, 4], [151, 4]];

function clock(start = T * 1000): { now: () => number; tick: (ms: number) => void } {
  let t = start;
  return { now: () => t, tick: (ms) => void (t += ms) };
}

function collector(opts: CollectorOptions = {}): Collector {
  return new Collector({ now: clock().now, ...opts });
}

const v4rec = (i: number): Buffer =>
  dataRecord(V4, { 8: `10.0.0.${i}`, 12: '198.51.100.9', 7: 50_000 + i, 11: 443, 4: 6, 1: 1000 * i, 2: i, 152: T * 1000 + i, 153: T * 1000 + 500 + i, 10: 3, 14: 7, 6: 0x1b });

describe('netflow decoders', () => {
  describe('IPFIX', () => {
    it('decodes IPv4 and IPv6 records of two templates, with times, interfaces and Community ID', () => {
      const c = collector();
      const msg = ipfixMessage({ exportSec: T + 1, sequence: 0, domain: 7 }, [
        ipfixTemplateSet([{ id: 256, fields: V4 }, { id: 257, fields: V6 }]),
        dataSet(256, [v4rec(1), v4rec(2)]),
        dataSet(257, [dataRecord(V6, { 27: 'fd00::1', 28: '2001:db8::2', 7: 1234, 11: 53, 4: 17, 1: 300, 2: 3, 150: T, 151: T + 2 })]),
      ]);
      const out = c.receive(msg, EXPORTER);
      out.should.have.length(3);
      out[0]!.should.match({
        kind: 'flow', vendor: 'ipfix', endpoint: 'ipfix', observer: EXPORTER, ipVersion: 4,
        src: { ip: '10.0.0.1', port: 50001 }, dst: { ip: '198.51.100.9', port: 443 },
        protocol: { number: 6, name: 'tcp' }, bytes: 1000, packets: 1, start: T * 1000 + 1, ts: T * 1000 + 501, durationMs: 500,
        direction: 'unknown', flows: 1,
        extra: { version: 'ipfix', domainId: 7, inIf: 3, outIf: 7, tcpFlags: 0x1b },
      });
      (out[0]!.extra!.communityId as string).should.match(/^1:[A-Za-z0-9+/]+=*$/);
      out[2]!.should.match({ ipVersion: 6, src: { ip: 'fd00::1', port: 1234 }, dst: { ip: '2001:db8::2', port: 53 }, protocol: { name: 'udp' }, start: T * 1000, ts: (T + 2) * 1000 });
      c.stats().totals.should.match({ packets: 1, records: 3, templates: 2, badPackets: 0 });
    });

    it('reads NTP microsecond times, delta times and uptime anchored on systemInitTimeMilliseconds', () => {
      const c = collector();
      const ntp = (ms: number): bigint => (BigInt(Math.floor(ms / 1000) + 2208988800) << 32n) | BigInt(Math.round(((ms % 1000) / 1000) * 2 ** 32));
      const fNtp: FieldSpec[] = [[8, 4], [12, 4], [154, 8], [155, 8]];
      const fDelta: FieldSpec[] = [[8, 4], [12, 4], [158, 4], [159, 4]];
      const fUp: FieldSpec[] = [[8, 4], [12, 4], [22, 4], [21, 4], [160, 8]];
      const out = c.receive(
        ipfixMessage({ exportSec: T + 10, sequence: 0, domain: 1 }, [
          ipfixTemplateSet([{ id: 300, fields: fNtp }, { id: 301, fields: fDelta }, { id: 302, fields: fUp }]),
          dataSet(300, [dataRecord(fNtp, { 8: '10.0.0.1', 12: '10.0.0.2', 154: ntp(T * 1000 + 250), 155: ntp(T * 1000 + 750) })]),
          dataSet(301, [dataRecord(fDelta, { 8: '10.0.0.1', 12: '10.0.0.2', 158: 4_000_000, 159: 1_000_000 })]),
          dataSet(302, [dataRecord(fUp, { 8: '10.0.0.1', 12: '10.0.0.2', 22: 5000, 21: 6000, 160: T * 1000 - 60_000 })]),
        ]),
        EXPORTER,
      );
      out.map((r) => [r.start, r.ts]).should.eql([
        [T * 1000 + 250, T * 1000 + 750],
        [(T + 6) * 1000, (T + 9) * 1000],
        [T * 1000 - 55_000, T * 1000 - 54_000],
      ]);
    });

    it('skips variable-length and enterprise-specific fields and reads the fields after them', () => {
      const fields: FieldSpec[] = [[8, 4], [96, 65535], [1, 4, 9], [100, 65535, 29305], [12, 4], [1, 4]];
      const c = collector();
      const long = 'x'.repeat(300); // a 3-byte length prefix (255 then 2 bytes)
      const out = c.receive(
        ipfixMessage({ exportSec: T, sequence: 0, domain: 0 }, [
          ipfixTemplateSet([{ id: 400, fields }]),
          dataSet(400, [
            dataRecord(fields, { 8: '10.1.1.1', 96: 'https', 1: 77, 100: long, 12: '10.2.2.2' }),
            dataRecord(fields, { 8: '10.1.1.3', 96: '', 100: 'y', 12: '10.2.2.4', 1: 99 }),
          ]),
        ]),
        EXPORTER,
      );
      out.map((r) => [r.src.ip, r.dst.ip, r.bytes]).should.eql([
        ['10.1.1.1', '10.2.2.2', 77],
        ['10.1.1.3', '10.2.2.4', 99],
      ]);
    });

    it('holds data that comes before its template and decodes it when the template arrives', () => {
      const c = collector();
      c.receive(ipfixMessage({ exportSec: T, sequence: 0, domain: 1 }, [dataSet(256, [v4rec(1), v4rec(2)])]), EXPORTER).should.have.length(0);
      c.stats().totals.should.match({ unknownTemplates: 1, badPackets: 0 });
      const out = c.receive(ipfixMessage({ exportSec: T, sequence: 2, domain: 1 }, [ipfixTemplateSet([{ id: 256, fields: V4 }]), dataSet(256, [v4rec(3)])]), EXPORTER);
      out.map((r) => r.src.ip).should.eql(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
      c.stats().totals.should.match({ heldDecoded: 1, heldDropped: 0, records: 3 });
    });

    it('drops held data past its age, and past the count cap, counting each', () => {
      const clk = clock();
      const c = new Collector({ now: clk.now, holdMs: 5000, maxHeldSets: 2 });
      const early = (seq: number): Buffer => ipfixMessage({ exportSec: T, sequence: seq, domain: 1 }, [dataSet(256, [v4rec(seq + 1)])]);
      c.receive(early(0), EXPORTER);
      clk.tick(6000);
      c.receive(early(1), EXPORTER); // the first one is now too old
      c.stats().totals.heldDropped.should.equal(1);
      c.receive(early(2), EXPORTER);
      c.receive(early(3), EXPORTER); // three waiting, cap two
      c.stats().totals.heldDropped.should.equal(2);
      const out = c.receive(ipfixMessage({ exportSec: T, sequence: 4, domain: 1 }, [ipfixTemplateSet([{ id: 256, fields: V4 }])]), EXPORTER);
      out.map((r) => r.src.ip).should.eql(['10.0.0.3', '10.0.0.4']);
    });

    it('withdraws one template, and all templates with the set id; data after that is unknown', () => {
      const c = collector();
      c.receive(ipfixMessage({ exportSec: T, sequence: 0, domain: 1 }, [ipfixTemplateSet([{ id: 256, fields: V4 }, { id: 257, fields: V6 }])]), EXPORTER);
      c.receive(ipfixMessage({ exportSec: T, sequence: 0, domain: 1 }, [ipfixWithdrawal(256)]), EXPORTER);
      c.stats().totals.should.match({ templates: 1, templatesWithdrawn: 1 });
      c.receive(ipfixMessage({ exportSec: T, sequence: 0, domain: 1 }, [dataSet(256, [v4rec(1)])]), EXPORTER).should.have.length(0);
      c.stats().totals.unknownTemplates.should.equal(1);
      c.receive(ipfixMessage({ exportSec: T, sequence: 0, domain: 1 }, [ipfixWithdrawal(2)]), EXPORTER);
      c.stats().totals.should.match({ templates: 0, templatesWithdrawn: 2 });
    });

    it('forgets a template not refreshed within the timeout (injected clock)', () => {
      const clk = clock();
      const c = new Collector({ now: clk.now, templateTimeoutMs: 60_000 });
      c.receive(ipfixMessage({ exportSec: T, sequence: 0, domain: 1 }, [ipfixTemplateSet([{ id: 256, fields: V4 }])]), EXPORTER);
      clk.tick(59_000);
      c.receive(ipfixMessage({ exportSec: T, sequence: 0, domain: 1 }, [dataSet(256, [v4rec(1)])]), EXPORTER).should.have.length(1);
      clk.tick(2_000);
      c.receive(ipfixMessage({ exportSec: T, sequence: 1, domain: 1 }, [dataSet(256, [v4rec(1)])]), EXPORTER).should.have.length(0);
      c.stats().totals.should.match({ templatesExpired: 1, templates: 0, unknownTemplates: 1 });
    });

    it('scales bytes and packets by the sampling rate of options data, per sampler id, and says so', () => {
      const c = collector();
      const withSampler: FieldSpec[] = [...V4, [302, 4]];
      const opts = ipfixOptionsTemplateSet(500, [[302, 4]], [[305, 4], [306, 4]]);
      const out = c.receive(
        ipfixMessage({ exportSec: T, sequence: 0, domain: 1 }, [
          opts,
          ipfixOptionsTemplateSet(501, [[149, 4]], [[34, 4]]),
          ipfixTemplateSet([{ id: 256, fields: V4 }, { id: 258, fields: withSampler }]),
          dataSet(500, [dataRecord([[302, 4], [305, 4], [306, 4]], { 302: 9, 305: 1, 306: 99 })]),
          dataSet(501, [dataRecord([[149, 4], [34, 4]], { 149: 1, 34: 10 })]),
          dataSet(258, [dataRecord(withSampler, { 8: '10.0.0.1', 12: '10.0.0.2', 1: 50, 2: 2, 302: 9 })]),
          dataSet(256, [v4rec(1)]),
        ]),
        EXPORTER,
      );
      out[0]!.should.match({ bytes: 5000, packets: 200, extra: { samplingRate: 100, samplingSource: 'options', sampledBytes: 50, sampledPackets: 2 } });
      out[1]!.should.match({ bytes: 10_000, packets: 10, extra: { samplingRate: 10, samplingSource: 'options' } });
      c.stats().totals.optionsRecords.should.equal(2);
    });

    it('applies the user sampling rate when the exporter announces none', () => {
      const c = collector({ samplingRate: 64 });
      const [r] = c.receive(ipfixMessage({ exportSec: T, sequence: 0, domain: 1 }, [ipfixTemplateSet([{ id: 256, fields: V4 }]), dataSet(256, [v4rec(2)])]), EXPORTER);
      r!.should.match({ bytes: 128_000, packets: 128, extra: { samplingRate: 64, samplingSource: 'user' } });
    });

    it('counts lost records from sequence numbers per observation domain; a restart is a reset, not loss', () => {
      const c = collector();
      const m = (seq: number, domain: number, n: number): Buffer =>
        ipfixMessage({ exportSec: T, sequence: seq, domain }, [ipfixTemplateSet([{ id: 256, fields: V4 }]), dataSet(256, Array.from({ length: n }, (_, i) => v4rec(i + 1)))]);
      c.receive(m(100, 1, 3), EXPORTER);
      c.receive(m(103, 1, 2), EXPORTER); // in order
      c.receive(m(0, 2, 4), EXPORTER); // another domain, its own numbering
      c.receive(m(110, 1, 1), EXPORTER); // 5 records missing
      c.receive(m(4, 2, 1), EXPORTER);
      c.stats().totals.lostRecords.should.equal(5);
      c.receive(m(0, 1, 1), EXPORTER); // exporter restarted
      c.stats().totals.should.match({ lostRecords: 5, sequenceResets: 1 });
    });

    it('keeps exporters apart, caps templates per exporter and exporters in total', () => {
      const c = collector({ maxTemplatesPerExporter: 2, maxExporters: 2 });
      const tpl = (id: number): Buffer => ipfixMessage({ exportSec: T, sequence: 0, domain: 1 }, [ipfixTemplateSet([{ id, fields: V4 }])]);
      c.receive(tpl(256), '192.0.2.1');
      c.receive(tpl(257), '192.0.2.1');
      c.receive(tpl(258), '192.0.2.1');
      c.receive(tpl(256), '192.0.2.2');
      c.receive(tpl(256), '192.0.2.3');
      const s = c.stats();
      s.exporters['192.0.2.1']!.should.match({ templates: 2, templatesRefused: 1 });
      s.exporters['192.0.2.2']!.templates.should.equal(1);
      s.totals.exporters.should.equal(2);
      s.exportersRefused.should.equal(1);
      // A data set of exporter 2 cannot use exporter 1's template 257.
      c.receive(ipfixMessage({ exportSec: T, sequence: 0, domain: 1 }, [dataSet(257, [v4rec(1)])]), '192.0.2.2').should.have.length(0);
    });

    it('drops datagrams from outside the allow list, and treats ::ffff:a.b.c.d as a.b.c.d', () => {
      const c = collector({ allow: '192.0.2.0/24, 2001:db8::/32' });
      const msg = ipfixMessage({ exportSec: T, sequence: 0, domain: 1 }, [ipfixTemplateSet([{ id: 256, fields: V4 }]), dataSet(256, [v4rec(1)])]);
      c.receive(msg, '198.51.100.1').should.have.length(0);
      c.receive(msg, '::ffff:192.0.2.7').should.have.length(1);
      c.receive(msg, '2001:db8::5').should.have.length(1);
      const s = c.stats();
      s.notAllowed.should.equal(1);
      Object.keys(s.exporters).sort().should.eql(['192.0.2.7', '2001:db8::5']);
    });

    it('counts and drops malformed messages, naming the reason', () => {
      const good = ipfixMessage({ exportSec: T, sequence: 0, domain: 1 }, [ipfixTemplateSet([{ id: 256, fields: V4 }]), dataSet(256, [v4rec(1)])]);
      const cases: Array<[string, Buffer, RegExp]> = [
        ['truncated', good.subarray(0, good.length - 5), /message length/],
        ['header only claims more', Buffer.concat([good.subarray(0, 2), Buffer.from([0xff, 0xff]), good.subarray(4)]), /message length 65535/],
        ['set length 0', (() => { const b = Buffer.from(good); b.writeUInt16BE(0, 18); return b; })(), /length 0/],
        ['template lies about its field count', (() => { const b = Buffer.from(good); b.writeUInt16BE(200, 22); return b; })(), /claims 200 fields/],
        ['unknown version', (() => { const b = Buffer.from(good); b.writeUInt16BE(7, 0); return b; })(), /unsupported version 7/],
        ['one byte', Buffer.from([10]), /1-byte/],
      ];
      for (const [name, buf, reason] of cases) {
        const c = collector();
        c.receive(buf, EXPORTER).should.have.length(0, name);
        const s = c.stats().exporters[EXPORTER]!;
        s.badPackets.should.equal(1, name);
        s.lastError!.should.match(reason, name);
      }
    });
  });

  describe('NetFlow v9', () => {
    const F: FieldSpec[] = [[8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [1, 4], [2, 4], [22, 4], [21, 4]];

    it('decodes with sysUptime arithmetic (including a wrapped uptime) and options-template sampling', () => {
      const c = collector();
      const uptime = 5000; // the exporter's uptime counter wrapped 2^32 ms ago
      const out = c.receive(
        v9Packet({ uptimeMs: uptime, unixSecs: T, sequence: 0, sourceId: 3 }, [
          v9TemplateFlowSet([{ id: 256, fields: F }]),
          v9OptionsTemplateFlowSet(257, [[1, 4]], [[34, 4], [35, 1]]),
          dataSet(257, [dataRecord([[1, 4], [34, 4], [35, 1]], { 1: 0, 34: 4, 35: 1 })], 4),
          dataSet(256, [dataRecord(F, { 8: '10.0.0.1', 12: '10.0.0.2', 7: 1000, 11: 80, 4: 6, 1: 100, 2: 1, 22: 2 ** 32 - 3000, 21: 4000 })], 4),
        ]),
        EXPORTER,
      );
      out.should.have.length(1);
      out[0]!.should.match({ vendor: 'netflow', endpoint: 'v9', start: T * 1000 - 8000, ts: T * 1000 - 1000, bytes: 400, packets: 4, extra: { samplingRate: 4, domainId: 3 } });
    });

    it('counts lost packets from the package sequence', () => {
      const c = collector();
      const p = (seq: number): Buffer => v9Packet({ uptimeMs: 1, unixSecs: T, sequence: seq, sourceId: 0 }, [v9TemplateFlowSet([{ id: 256, fields: F }])]);
      for (const s of [10, 11, 14, 15]) c.receive(p(s), EXPORTER);
      c.stats().totals.lostPackets.should.equal(2);
    });

    it('drops a template FlowSet whose template runs past it', () => {
      const c = collector();
      const b = v9Packet({ uptimeMs: 1, unixSecs: T, sequence: 0, sourceId: 0 }, [v9TemplateFlowSet([{ id: 256, fields: F }])]);
      b.writeUInt16BE(50, 20 + 6); // field count
      c.receive(b, EXPORTER).should.have.length(0);
      c.stats().totals.badPackets.should.equal(1);
    });
  });

  describe('NetFlow v5', () => {
    it('decodes records with times from unix_secs/nsecs and sysUptime, header sampling, and lost records', () => {
      const c = collector();
      const flow = { src: '10.0.0.1', dst: '10.0.0.2', packets: 3, bytes: 300, firstUptime: 9000, lastUptime: 9500, srcPort: 1, dstPort: 2, proto: 17 };
      const [r] = c.receive(v5Packet({ uptimeMs: 10_000, unixSecs: T, unixNsecs: 250_000_000, sequence: 0, sampling: (1 << 14) | 10 }, [flow]), EXPORTER);
      r!.should.match({ vendor: 'netflow', endpoint: 'v5', start: T * 1000 + 250 - 1000, ts: T * 1000 + 250 - 500, bytes: 3000, packets: 30, extra: { samplingRate: 10, samplingSource: 'header' } });
      c.receive(v5Packet({ uptimeMs: 10_000, unixSecs: T, unixNsecs: 0, sequence: 4, sampling: 0 }, [flow]), EXPORTER);
      c.stats().totals.lostRecords.should.equal(3);
    });

    it('puts ICMP type and code from the destination port into extra, not ports', () => {
      const c = collector();
      const [r] = c.receive(v5Packet({ uptimeMs: 1, unixSecs: T, unixNsecs: 0, sequence: 0 }, [{ src: '10.0.0.1', dst: '10.0.0.2', packets: 1, bytes: 84, firstUptime: 1, lastUptime: 1, srcPort: 0, dstPort: 8 * 256, proto: 1 }]), EXPORTER);
      r!.should.match({ protocol: { name: 'icmp' }, extra: { icmpType: 8, icmpCode: 0 } });
      (r!.src.port === undefined && r!.dst.port === undefined).should.be.true();
    });

    it('rejects a header count that the datagram does not hold', () => {
      const c = collector();
      const b = v5Packet({ uptimeMs: 1, unixSecs: T, unixNsecs: 0, sequence: 0 }, [{ src: '10.0.0.1', dst: '10.0.0.2', packets: 1, bytes: 1, firstUptime: 1, lastUptime: 1, srcPort: 1, dstPort: 1, proto: 6 }]);
      b.writeUInt16BE(2, 2);
      c.receive(b, EXPORTER).should.have.length(0);
      c.stats().totals.badPackets.should.equal(1);
    });
  });

  it('rejects bad options with the option named', () => {
    (() => new Collector({ allow: '10.0.0.0/8, nonsense' })).should.throw(/"nonsense" is not an IPv4 or IPv6 address/);
    (() => new Collector({ samplingRate: -1 })).should.throw(/samplingRate|whole number/);
    (() => new Collector({ holdMs: 1.5 })).should.throw(/holdMs/);
  });
});
