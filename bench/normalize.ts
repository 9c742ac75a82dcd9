/**
 * Benchmark: normalizing 500,000 Citrix SD-WAN flow records already parsed from JSON.
 *
 * Compared, in the same process and on the same records:
 *   - `network-flow-normalize` (NetworkFlow format, no raw): the library path the node runs;
 *   - a bare hand-written mapping of the same fields (Number(), string copies, the same output
 *     shape, no validation, no canonical IPs, no reporting): the ceiling a mapping can reach;
 *   - `JSON.parse` of the same records (pages of 1,000, as an appliance with max_stats=1000
 *     answers): what the data already costs before anyone normalizes it.
 * Targets (issue 6): normalize >= 50% of the bare mapping's rate; normalization <= 20% of the
 * JSON.parse time. Each measurement is the best of several rounds, interleaved.
 *
 * `npx tsx bench/normalize.ts` prints a table; `run()` returns the rows for `npm run bench`.
 */
import { Normalizer } from '../nodes/lib/normalize';
import { protocolByNumber } from '../nodes/lib/protocols';
import type { NetworkFlow } from '../nodes/lib/network-flow';
import type { BenchResult } from './types';

const RECORDS = 500_000;
const PAGE = 1_000;
// Best of 5: on a shared machine best-of-3 of these multi-second phases swung the ratio from
// 0.22 to 0.41 for identical code; more rounds give every phase a fair chance of a quiet window.
const ROUNDS = 5;

/** Deterministic pseudo-random generator, so every run normalizes the same data. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const APPS = ['HTTPS', 'HTTP', 'DNS', 'Office365', 'Zoom', 'iperf', 'SSH', 'NTP'];
const PATHS = ['WAN1->WAN1', 'MPLS->MPLS', 'WAN1->WAN2', 'Internet'];

function makeRecord(rnd: () => number): Record<string, string> {
  const out = rnd() < 0.6;
  const lan = `10.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${1 + Math.floor(rnd() * 254)}`;
  const wan = `${23 + Math.floor(rnd() * 180)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${1 + Math.floor(rnd() * 254)}`;
  const ipp = rnd() < 0.7 ? '6' : rnd() < 0.9 ? '17' : '1';
  const eph = String(1024 + Math.floor(rnd() * 64000));
  const svc = String([443, 80, 53, 22, 123, 8801][Math.floor(rnd() * 6)]);
  return {
    age: String(Math.floor(rnd() * 3_600_000)),
    app_rule_id: String(Math.floor(rnd() * 40)),
    application: APPS[Math.floor(rnd() * APPS.length)]!,
    bytes: String(Math.floor(rnd() * 50_000_000)),
    class_type: ['realtime', 'interactive', 'bulk'][Math.floor(rnd() * 3)]!,
    customer_kbps: (rnd() * 5000).toFixed(2),
    dest_ip: out ? wan : lan,
    dest_port: out ? svc : eph,
    direction: out ? 'LAN to WAN' : 'WAN to LAN',
    hdr_compression_bytes: String(Math.floor(rnd() * 10000)),
    hitcount: String(Math.floor(rnd() * 100000)),
    ip_dscp: ['default', 'ef', 'af41', '0'][Math.floor(rnd() * 4)]!,
    ipp,
    ipsec_overhead_kbps: (rnd() * 10).toFixed(2),
    lan_gw_ip: '10.0.0.1',
    packets: String(Math.floor(rnd() * 40000)),
    path: PATHS[Math.floor(rnd() * PATHS.length)]!,
    pps: String(Math.floor(rnd() * 900)),
    rule_id: String(Math.floor(rnd() * 200)),
    service_name: 'Internet',
    service_type: ['Internet', 'Virtual Path', 'Intranet'][Math.floor(rnd() * 3)]!,
    src_ip: out ? lan : wan,
    src_port: out ? eph : svc,
    transmission_type: ['load balance', 'duplicate', 'persistent'][Math.floor(rnd() * 3)]!,
    virtual_path_overhead_kbps: (rnd() * 10).toFixed(2),
    vpathclass: String(Math.floor(rnd() * 16)),
  };
}

/** The bare mapping: what a person would write by hand for these fields, with no checks. */
function bareMapping(r: Record<string, string>, fetchedAt: number, observer: string): NetworkFlow {
  const age = Number(r.age);
  const bytes = Number(r.bytes);
  const ipp = Number(r.ipp);
  const p = protocolByNumber(ipp);
  const inbound = r.direction === 'WAN to LAN';
  return {
    kind: 'flow',
    vendor: 'citrix-sdwan',
    endpoint: 'flows',
    observer,
    ts: fetchedAt,
    start: fetchedAt - age,
    durationMs: age,
    src: { ip: r.src_ip, port: Number(r.src_port) },
    dst: { ip: r.dest_ip, port: Number(r.dest_port) },
    ipVersion: r.src_ip!.includes(':') ? 6 : 4,
    protocol: { number: ipp, name: p ? p.name : String(ipp) },
    direction: inbound ? 'inbound' : r.direction === 'LAN to WAN' ? 'outbound' : 'unknown',
    bytes,
    packets: Number(r.packets),
    bytesOut: inbound ? undefined : bytes,
    bytesIn: inbound ? bytes : undefined,
    rateKbps: Number(r.customer_kbps),
    pps: Number(r.pps),
    app: r.application,
    extra: {
      app_rule_id: Number(r.app_rule_id),
      class_type: r.class_type,
      hdr_compression_bytes: Number(r.hdr_compression_bytes),
      hitcount: Number(r.hitcount),
      ip_dscp: r.ip_dscp,
      ipsec_overhead_kbps: Number(r.ipsec_overhead_kbps),
      lan_gw_ip: r.lan_gw_ip,
      path: r.path,
      rule_id: Number(r.rule_id),
      service_name: r.service_name,
      service_type: r.service_type,
      transmission_type: r.transmission_type,
      virtual_path_overhead_kbps: Number(r.virtual_path_overhead_kbps),
      vpathclass: Number(r.vpathclass),
    },
  };
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export async function run(): Promise<BenchResult[]> {
  const rnd = lcg(42);
  const texts: string[] = [];
  for (let p = 0; p < RECORDS / PAGE; p++) {
    const page: Record<string, string>[] = new Array<Record<string, string>>(PAGE);
    for (let i = 0; i < PAGE; i++) page[i] = makeRecord(rnd);
    texts.push(JSON.stringify(page));
  }
  const pages: Record<string, string>[][] = texts.map((t) => JSON.parse(t) as Record<string, string>[]);
  const normalizer = new Normalizer({ vendor: 'citrix-sdwan/flows' });
  const context = { vendor: 'citrix-sdwan' as const, endpoint: 'flows', host: 'https://sdwan.example', fetchedAt: 1_700_000_000_000 };

  let sink = 0;
  let bestParse = Infinity;
  let bestNorm = Infinity;
  let bestBare = Infinity;
  let invalid = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let t = process.hrtime.bigint();
    for (const text of texts) sink += (JSON.parse(text) as unknown[]).length;
    bestParse = Math.min(bestParse, seconds(t));

    t = process.hrtime.bigint();
    for (const page of pages) {
      const res = normalizer.toNetworkFlows(page, context);
      sink += res.records.length;
      invalid += res.invalid.length;
    }
    bestNorm = Math.min(bestNorm, seconds(t));

    t = process.hrtime.bigint();
    for (const page of pages) {
      const out: NetworkFlow[] = new Array<NetworkFlow>(page.length);
      for (let i = 0; i < page.length; i++) out[i] = bareMapping(page[i]!, context.fetchedAt, 'sdwan.example');
      sink += out.length;
    }
    bestBare = Math.min(bestBare, seconds(t));
  }
  if (sink === 0 || invalid !== 0) throw new Error(`benchmark data did not normalize cleanly (${invalid} invalid)`);

  const normRate = RECORDS / bestNorm;
  const bareRate = RECORDS / bestBare;
  const parseRate = RECORDS / bestParse;
  const speedRatio = normRate / bareRate;
  const added = bestNorm / bestParse;
  return [
    { name: 'normalize: JSON.parse of the records', value: Math.round(parseRate), unit: 'records/s' },
    { name: 'normalize: bare hand-written mapping', value: Math.round(bareRate), unit: 'records/s' },
    {
      name: 'normalize: SD-WAN flows -> NetworkFlow',
      value: Math.round(normRate),
      unit: 'records/s',
      baseline: Math.round(bareRate),
      ratio: Number(speedRatio.toFixed(3)),
      target: 'ratio >= 0.5 (normalize rate / bare mapping rate)',
      pass: speedRatio >= 0.5,
    },
    {
      name: 'normalize: time added to JSON.parse',
      value: Number((bestNorm * 1000).toFixed(1)),
      unit: 'ms',
      baseline: Number((bestParse * 1000).toFixed(1)),
      ratio: Number(added.toFixed(3)),
      target: 'ratio <= 0.20 (normalize time / JSON.parse time)',
      pass: added <= 0.2,
    },
  ];
}

if (require.main === module) {
  run().then(
    (rows) => console.table(rows),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
