/**
 * Citrix SD-WAN NITRO monitor records (every field a string): `flows` and `ilbflows`.
 *
 * flows are one direction of a connection ("bytes sent over the life of the flow", src -> dst),
 * so `bytes` is also `bytesOut` when the source is the local side (LAN to WAN) and `bytesIn`
 * when the destination is (WAN to LAN). `age` is ms since the flow was created: the record is a
 * snapshot at fetch time, so `ts = fetchedAt`, `start = fetchedAt - age`, `durationMs = age`.
 *
 * This is the hot path of the benchmark: straight-line code, one reader, no closures, no zod.
 */
import type { Direction, NetworkFlow } from '../network-flow';
import { deriveDirection, type Reader } from './reader';
import type { BatchContext, VendorRecord } from './types';
import { SDWAN_FLOW_FIELDS, SDWAN_ILB_FIELDS } from '../vendors/citrix-sdwan/fields';

/** Fields of a flows record the mapping reads; anything else goes to `extra` as it is. */
const FLOW_FIELD_SET: ReadonlySet<string> = new Set(SDWAN_FLOW_FIELDS);

const ILB_FIELD_SET: ReadonlySet<string> = new Set(SDWAN_ILB_FIELDS);

/** Longest direction text read: every known spelling is far shorter, and a hostile one is not lowered. */
const MAX_DIRECTION_TEXT = 40;

/**
 * SD-WAN direction text to the NetworkFlow vocabulary, tolerant of case and spacing
 * (`LAN to WAN`, `lan_to_wan`, `LAN-TO-WAN`); undefined when not recognised.
 */
export function sdwanDirection(v: string): Direction | undefined {
  // Exact vendor spellings first: no allocation on the hot path.
  if (v === 'LAN to WAN') return 'outbound';
  if (v === 'WAN to LAN') return 'inbound';
  if (v.length > MAX_DIRECTION_TEXT) return undefined;
  const k = v.toLowerCase().replace(/[^a-z]/g, '');
  switch (k) {
    case 'lantowan':
    case 'outbound':
    case 'egress':
      return 'outbound';
    case 'wantolan':
    case 'inbound':
    case 'ingress':
      return 'inbound';
    case 'lantolan':
    case 'internal':
    case 'local':
      return 'internal';
    case 'wantowan':
    case 'external':
      return 'external';
    default:
      return undefined;
  }
}

function copyUnknown(r: VendorRecord, known: ReadonlySet<string>, extra: Record<string, unknown>, rd: Reader): void {
  for (const k in r) {
    if (!known.has(k)) {
      const x = rd.keep(r[k], k);
      if (x !== undefined && x !== null) extra[k] = x;
    }
  }
}

/** Counts the record's own keys without allocating an array. */
function keyCount(r: VendorRecord): number {
  let n = 0;
  for (const _k in r) n++;
  return n;
}

/** How many documented fields the record has: static property loads, cheap on the hot path. */
function documentedFlowFields(r: VendorRecord): number {
  return (
    (r.age !== undefined ? 1 : 0) +
    (r.app_rule_id !== undefined ? 1 : 0) +
    (r.application !== undefined ? 1 : 0) +
    (r.bytes !== undefined ? 1 : 0) +
    (r.class_type !== undefined ? 1 : 0) +
    (r.customer_kbps !== undefined ? 1 : 0) +
    (r.dest_ip !== undefined ? 1 : 0) +
    (r.dest_port !== undefined ? 1 : 0) +
    (r.direction !== undefined ? 1 : 0) +
    (r.hdr_compression_bytes !== undefined ? 1 : 0) +
    (r.hitcount !== undefined ? 1 : 0) +
    (r.ip_dscp !== undefined ? 1 : 0) +
    (r.ipp !== undefined ? 1 : 0) +
    (r.ipsec_overhead_kbps !== undefined ? 1 : 0) +
    (r.lan_gw_ip !== undefined ? 1 : 0) +
    (r.packets !== undefined ? 1 : 0) +
    (r.path !== undefined ? 1 : 0) +
    (r.pps !== undefined ? 1 : 0) +
    (r.rule_id !== undefined ? 1 : 0) +
    (r.service_name !== undefined ? 1 : 0) +
    (r.service_type !== undefined ? 1 : 0) +
    (r.src_ip !== undefined ? 1 : 0) +
    (r.src_port !== undefined ? 1 : 0) +
    (r.transmission_type !== undefined ? 1 : 0) +
    (r.virtual_path_overhead_kbps !== undefined ? 1 : 0) +
    (r.vpathclass !== undefined ? 1 : 0)
  );
}

export function sdwanFlow(r: VendorRecord, ctx: BatchContext): NetworkFlow | undefined {
  const rd = ctx.reader;

  // Text and version only: the numeric values are needed just to derive a missing direction.
  const srcIp = rd.ipText(r.src_ip, 'src_ip');
  const srcVersion = rd.ipVersion;
  const dstIp = rd.ipText(r.dest_ip, 'dest_ip');
  const dstVersion = rd.ipVersion;
  if (srcVersion !== undefined && dstVersion !== undefined && srcVersion !== dstVersion) {
    rd.fail('dest_ip', `IPv${dstVersion} address with an IPv${srcVersion} src_ip`);
  }
  const srcPort = rd.port(r.src_port, 'src_port');
  const dstPort = rd.port(r.dest_port, 'dest_port');
  const protocol = rd.protocol(r.ipp, 'ipp');
  const age = rd.count(r.age, 'age');
  const bytes = rd.count(r.bytes, 'bytes');
  const packets = rd.count(r.packets, 'packets');
  const pps = rd.num(r.pps, 'pps');
  const rateKbps = rd.num(r.customer_kbps, 'customer_kbps');

  // The two documented spellings first: a plain comparison, no text checks.
  const rawDir = r.direction;
  const vendorDir = rawDir === 'LAN to WAN' || rawDir === 'WAN to LAN' ? rawDir : rd.text(rawDir);
  const vendorDirection = vendorDir === undefined ? undefined : sdwanDirection(vendorDir);
  let direction = vendorDirection;
  if (direction === undefined) {
    // No or unrecognised vendor direction: derive it from the internal networks. Re-reading
    // the canonical texts gives their values and cannot fail.
    let srcIn: boolean | undefined;
    if (srcVersion !== undefined) {
      rd.ip(srcIp, 'src_ip');
      srcIn = rd.lastIpInternal();
    }
    let dstIn: boolean | undefined;
    if (dstVersion !== undefined) {
      rd.ip(dstIp, 'dest_ip');
      dstIn = rd.lastIpInternal();
    }
    direction = deriveDirection(srcIn, dstIn);
  }

  const app = rd.text(r.application) ?? rd.text(r.service_name);
  // Every field the mapping reads gave a value: then all documented fields are present, and
  // the extra part needs no separate count of them to know whether the record has others.
  const mainComplete =
    srcIp !== undefined &&
    dstIp !== undefined &&
    srcPort !== undefined &&
    dstPort !== undefined &&
    protocol !== undefined &&
    age !== undefined &&
    bytes !== undefined &&
    packets !== undefined &&
    pps !== undefined &&
    rateKbps !== undefined &&
    vendorDir !== undefined &&
    app !== undefined &&
    r.application !== undefined;
  const extra = sdwanFlowExtra(r, rd, vendorDir !== undefined && vendorDirection === undefined ? vendorDir : undefined, mainComplete);
  if (rd.error !== undefined) return undefined;

  const fetchedAt = ctx.fetchedAt;
  const observer = ctx.observer;
  const ipVersion = srcVersion ?? dstVersion;

  // Fast path, the common case of a complete record: object literals in their final shape
  // (docs/performance.md#object-literals-in-their-final-shape). The general path below builds
  // the same record leaving absent fields out.
  // (`mainComplete` narrows the fields it checked: TypeScript follows aliased conditions.)
  if (mainComplete && observer !== undefined && ipVersion !== undefined && extra !== undefined) {
    const flow: NetworkFlow =
      direction === 'inbound'
        ? {
            kind: 'flow',
            vendor: 'citrix-sdwan',
            endpoint: 'flows',
            observer,
            ts: fetchedAt,
            start: fetchedAt - age,
            durationMs: age,
            src: { ip: srcIp, port: srcPort },
            dst: { ip: dstIp, port: dstPort },
            ipVersion,
            protocol: { number: protocol.number, name: protocol.name },
            direction,
            bytes,
            packets,
            bytesIn: bytes,
            rateKbps,
            pps,
            app,
            extra,
          }
        : {
            kind: 'flow',
            vendor: 'citrix-sdwan',
            endpoint: 'flows',
            observer,
            ts: fetchedAt,
            start: fetchedAt - age,
            durationMs: age,
            src: { ip: srcIp, port: srcPort },
            dst: { ip: dstIp, port: dstPort },
            ipVersion,
            protocol: { number: protocol.number, name: protocol.name },
            direction,
            bytes,
            packets,
            bytesOut: bytes,
            rateKbps,
            pps,
            app,
            extra,
          };
    if (ctx.keepRaw) flow.raw = r;
    return flow;
  }

  const src: NetworkFlow['src'] = {};
  if (srcIp !== undefined) src.ip = srcIp;
  if (srcPort !== undefined) src.port = srcPort;
  const dst: NetworkFlow['dst'] = {};
  if (dstIp !== undefined) dst.ip = dstIp;
  if (dstPort !== undefined) dst.port = dstPort;
  const flow: NetworkFlow = { kind: 'flow', vendor: 'citrix-sdwan', endpoint: 'flows', ts: fetchedAt, src, dst, direction };
  if (observer !== undefined) flow.observer = observer;
  if (age !== undefined) {
    flow.start = fetchedAt - age;
    flow.durationMs = age;
  }
  if (ipVersion !== undefined) flow.ipVersion = ipVersion;
  if (protocol !== undefined) flow.protocol = { number: protocol.number, name: protocol.name };
  if (bytes !== undefined) {
    flow.bytes = bytes;
    if (direction === 'inbound') flow.bytesIn = bytes;
    else flow.bytesOut = bytes;
  }
  if (packets !== undefined) flow.packets = packets;
  if (rateKbps !== undefined) flow.rateKbps = rateKbps;
  if (pps !== undefined) flow.pps = pps;
  if (app !== undefined) flow.app = app;
  if (extra !== undefined) flow.extra = extra;
  if (ctx.keepRaw) flow.raw = r;
  return flow;
}

/**
 * The `extra` of a flows record: the documented fields with no NetworkFlow home, plus any
 * undocumented ones; undefined when there is none. A function of its own for V8's inlining
 * budget (docs/performance.md#small-functions-that-inline).
 */
function sdwanFlowExtra(r: VendorRecord, rd: Reader, oddDirection: string | undefined, mainComplete: boolean): Record<string, unknown> | undefined {
  const appRuleId = rd.loose(r.app_rule_id);
  const classType = rd.text(r.class_type);
  const hdrCompressionBytes = rd.count(r.hdr_compression_bytes, 'hdr_compression_bytes');
  const hitcount = rd.count(r.hitcount, 'hitcount');
  const ipDscp = rd.loose(r.ip_dscp);
  const ipsecOverheadKbps = rd.num(r.ipsec_overhead_kbps, 'ipsec_overhead_kbps');
  const lanGwIp = rd.ipRepeated(r.lan_gw_ip, 'lan_gw_ip');
  const path = rd.text(r.path);
  const ruleId = rd.loose(r.rule_id);
  const serviceName = rd.text(r.service_name);
  const serviceType = rd.text(r.service_type);
  const transmissionType = rd.text(r.transmission_type);
  const vpOverheadKbps = rd.num(r.virtual_path_overhead_kbps, 'virtual_path_overhead_kbps');
  const vpathclass = rd.loose(r.vpathclass);
  const complete =
    mainComplete &&
    appRuleId !== undefined &&
    classType !== undefined &&
    hdrCompressionBytes !== undefined &&
    hitcount !== undefined &&
    ipDscp !== undefined &&
    ipsecOverheadKbps !== undefined &&
    lanGwIp !== undefined &&
    path !== undefined &&
    ruleId !== undefined &&
    serviceName !== undefined &&
    serviceType !== undefined &&
    transmissionType !== undefined &&
    vpOverheadKbps !== undefined &&
    vpathclass !== undefined;
  // Fields beyond the documented ones (newer firmware) are kept rather than lost; the keys are
  // scanned only when the record has more of them than documented fields present (all of them
  // when every read gave a value).
  const hasUnknown = keyCount(r) > (complete ? SDWAN_FLOW_FIELDS.length : documentedFlowFields(r));
  if (complete && oddDirection === undefined && !hasUnknown) {
    // The common complete record: one literal, its final shape in one allocation.
    return {
      app_rule_id: appRuleId,
      class_type: classType,
      hdr_compression_bytes: hdrCompressionBytes,
      hitcount,
      ip_dscp: ipDscp,
      ipsec_overhead_kbps: ipsecOverheadKbps,
      lan_gw_ip: lanGwIp,
      path,
      rule_id: ruleId,
      service_name: serviceName,
      service_type: serviceType,
      transmission_type: transmissionType,
      virtual_path_overhead_kbps: vpOverheadKbps,
      vpathclass,
    };
  }
  const extra: Record<string, unknown> = {};
  let any = false;
  if (appRuleId !== undefined) (extra.app_rule_id = appRuleId), (any = true);
  if (classType !== undefined) (extra.class_type = classType), (any = true);
  if (hdrCompressionBytes !== undefined) (extra.hdr_compression_bytes = hdrCompressionBytes), (any = true);
  if (hitcount !== undefined) (extra.hitcount = hitcount), (any = true);
  if (ipDscp !== undefined) (extra.ip_dscp = ipDscp), (any = true);
  if (ipsecOverheadKbps !== undefined) (extra.ipsec_overhead_kbps = ipsecOverheadKbps), (any = true);
  if (lanGwIp !== undefined) (extra.lan_gw_ip = lanGwIp), (any = true);
  if (path !== undefined) (extra.path = path), (any = true);
  if (ruleId !== undefined) (extra.rule_id = ruleId), (any = true);
  if (serviceName !== undefined) (extra.service_name = serviceName), (any = true);
  if (serviceType !== undefined) (extra.service_type = serviceType), (any = true);
  if (transmissionType !== undefined) (extra.transmission_type = transmissionType), (any = true);
  if (vpOverheadKbps !== undefined) (extra.virtual_path_overhead_kbps = vpOverheadKbps), (any = true);
  if (vpathclass !== undefined) (extra.vpathclass = vpathclass), (any = true);
  // An unrecognised vendor direction is kept, so nothing the appliance said is lost.
  if (oddDirection !== undefined) (extra.direction = oddDirection), (any = true);
  if (hasUnknown) {
    copyUnknown(r, FLOW_FIELD_SET, extra, rd);
    for (const _k in extra) any = true;
  }
  return any ? extra : undefined;
}

export function sdwanIlbFlow(r: VendorRecord, ctx: BatchContext): NetworkFlow | undefined {
  const rd = ctx.reader;
  const srcIp = rd.ip(r.lanip, 'lanip');
  const srcVersion = rd.ipVersion;
  const srcIn = srcVersion === undefined ? undefined : rd.lastIpInternal();
  const dstIp = rd.ip(r.wanip, 'wanip');
  const dstVersion = rd.ipVersion;
  const dstIn = dstVersion === undefined ? undefined : rd.lastIpInternal();
  if (srcVersion !== undefined && dstVersion !== undefined && srcVersion !== dstVersion) {
    rd.fail('wanip', `IPv${dstVersion} address with an IPv${srcVersion} lanip`);
  }
  const age = rd.count(r.age, 'age');
  const flows = rd.count(r.flowcount, 'flowcount');
  if (rd.error !== undefined) return undefined;
  const fetchedAt = ctx.fetchedAt;
  const flow: NetworkFlow = {
    kind: 'flow',
    vendor: 'citrix-sdwan',
    endpoint: 'ilbflows',
    ts: fetchedAt,
    src: srcIp === undefined ? {} : { ip: srcIp },
    dst: dstIp === undefined ? {} : { ip: dstIp },
    direction: deriveDirection(srcIn, dstIn),
  };
  if (ctx.observer !== undefined) flow.observer = ctx.observer;
  if (age !== undefined) {
    flow.start = fetchedAt - age;
    flow.durationMs = age;
  }
  const ipVersion = srcVersion ?? dstVersion;
  if (ipVersion !== undefined) flow.ipVersion = ipVersion;
  if (flows !== undefined) flow.flows = flows;
  const wanLink = rd.text(r.wanlink);
  if (wanLink !== undefined) flow.wanLink = wanLink;
  const extra: Record<string, unknown> = {};
  copyUnknown(r, ILB_FIELD_SET, extra, rd);
  for (const _k in extra) {
    flow.extra = extra;
    break;
  }
  if (ctx.keepRaw) flow.raw = r;
  return flow;
}
