/**
 * A decoded data record to the project's NetworkFlow record: absolute times from the packet
 * header (v5/v9 sysUptime arithmetic, IPFIX's time elements), addresses as canonical text,
 * bytes and packets scaled by the sampling rate (and the record says by how much and why).
 */
import { communityId } from '../community-id';
import { intToIpv4 } from '../ip';
import type { NetworkFlow } from '../network-flow';
import { PORT_PROTOCOLS, protocolByNumber } from '../protocols';
import type { DecodedFlow } from './decoded-flow';
import type { PacketTime } from './exporter-state';

export type SamplingSource = 'record' | 'options' | 'header' | 'user';

export interface RecordContext {
  vendor: 'netflow' | 'ipfix';
  /** 'v5' | 'v9' | 'ipfix' */
  endpoint: string;
  exporter: string;
  /** IPFIX observation domain, v9 source id, v5 engine type * 256 + engine id. */
  domainId: number;
  time: PacketTime;
  /** Boot time announced in options data (IPFIX), epoch ms; -1 unknown. */
  systemInitMs: number;
  receivedAt: number;
  communityId: boolean;
}

const ICMP = 1;
const ICMP6 = 58;

/**
 * Epoch ms of a sysUptime value: the header says what the uptime was at export time, so the
 * field was `header - field` ms before it. The subtraction wraps like the 32-bit counters do.
 */
export function uptimeToMs(time: PacketTime, uptime: number): number {
  return time.exportMs - ((time.uptimeMs - uptime) | 0);
}

function absolute(abs: number, deltaUs: number, uptime: number, init: number, time: PacketTime): number {
  if (abs > 0) return abs;
  if (deltaUs >= 0) return time.exportMs - Math.floor(deltaUs / 1000);
  if (uptime >= 0) {
    if (time.uptimeMs >= 0) return uptimeToMs(time, uptime);
    if (init > 0) return init + uptime;
  }
  return -1;
}

export function toNetworkFlow(f: DecodedFlow, ctx: RecordContext, rate: number, source: SamplingSource | undefined): NetworkFlow {
  const init = f.systemInitMs > 0 ? f.systemInitMs : ctx.systemInitMs;
  const end = absolute(f.endMs, f.endDeltaUs, f.endUptime, init, ctx.time);
  const start = absolute(f.startMs, f.startDeltaUs, f.startUptime, init, ctx.time);
  const rec: NetworkFlow = {
    kind: 'flow',
    vendor: ctx.vendor,
    endpoint: ctx.endpoint,
    observer: ctx.exporter,
    ts: end > 0 ? end : start > 0 ? start : ctx.receivedAt,
    src: {},
    dst: {},
    direction: 'unknown',
    flows: 1,
  };
  if (start > 0) rec.start = start;
  if (start > 0 && end >= start) rec.durationMs = end - start;
  if (f.srcV4 >= 0 || f.dstV4 >= 0) {
    rec.ipVersion = 4;
    if (f.srcV4 >= 0) rec.src.ip = intToIpv4(f.srcV4);
    if (f.dstV4 >= 0) rec.dst.ip = intToIpv4(f.dstV4);
  } else if (f.srcV6 !== undefined || f.dstV6 !== undefined) {
    rec.ipVersion = f.srcV6 !== undefined && !f.srcV6.includes(':') ? 4 : 6;
    if (f.srcV6 !== undefined) rec.src.ip = f.srcV6;
    if (f.dstV6 !== undefined) rec.dst.ip = f.dstV6;
  }
  const extra: Record<string, unknown> = { version: ctx.endpoint, domainId: ctx.domainId };
  if (f.protocol >= 0 && f.protocol <= 255) {
    const p = protocolByNumber(f.protocol);
    if (p) rec.protocol = { number: p.number, name: p.name };
    if (PORT_PROTOCOLS.has(f.protocol)) {
      if (f.srcPort >= 0) rec.src.port = f.srcPort;
      if (f.dstPort >= 0) rec.dst.port = f.dstPort;
    } else if (f.protocol === ICMP || f.protocol === ICMP6) {
      // v5/v9 exporters put type * 256 + code in the destination port; IPFIX has its own element.
      const tc = f.icmpTypeCode >= 0 ? f.icmpTypeCode : f.dstPort;
      if (tc >= 0) {
        extra.icmpType = (tc >> 8) & 255;
        extra.icmpCode = tc & 255;
      }
    }
  }
  if (f.bytes >= 0) rec.bytes = rate > 1 ? Math.round(f.bytes * rate) : f.bytes;
  if (f.packets >= 0) rec.packets = rate > 1 ? Math.round(f.packets * rate) : f.packets;
  if (rate > 1 && source !== undefined) {
    extra.samplingRate = rate;
    extra.samplingSource = source;
    if (f.bytes >= 0) extra.sampledBytes = f.bytes;
    if (f.packets >= 0) extra.sampledPackets = f.packets;
  }
  if (f.inIf >= 0) extra.inIf = f.inIf;
  if (f.outIf >= 0) extra.outIf = f.outIf;
  if (f.srcAs >= 0) extra.srcAs = f.srcAs;
  if (f.dstAs >= 0) extra.dstAs = f.dstAs;
  if (f.srcMask >= 0) extra.srcMask = f.srcMask;
  if (f.dstMask >= 0) extra.dstMask = f.dstMask;
  if (f.nextHopV4 >= 0) extra.nextHop = intToIpv4(f.nextHopV4);
  else if (f.nextHopV6 !== undefined) extra.nextHop = f.nextHopV6;
  if (f.tos >= 0) extra.tos = f.tos;
  if (f.tcpFlags >= 0) extra.tcpFlags = f.tcpFlags;
  if (f.flowDirection === 0 || f.flowDirection === 1) extra.flowDirection = f.flowDirection === 0 ? 'ingress' : 'egress';
  if (f.endReason >= 0) extra.endReason = f.endReason;
  if (ctx.communityId && rec.protocol !== undefined && rec.src.ip !== undefined && rec.dst.ip !== undefined) {
    const icmp = rec.protocol.number === ICMP || rec.protocol.number === ICMP6;
    const id = communityId({
      srcIp: rec.src.ip,
      dstIp: rec.dst.ip,
      proto: rec.protocol.number,
      srcPort: icmp ? (extra.icmpType as number | undefined) : rec.src.port,
      dstPort: icmp ? (extra.icmpCode as number | undefined) : rec.dst.port,
    });
    if (id !== undefined) extra.communityId = id;
  }
  rec.extra = extra;
  return rec;
}
