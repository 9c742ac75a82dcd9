/**
 * One data record as decoded, before it becomes a NetworkFlow: plain numbers (-1 = absent), so
 * the decoding loop allocates one object of one shape per record and nothing else (IPv6
 * addresses excepted). Times stay as the exporter sent them; `flow-time.ts` makes them absolute
 * with the packet's header.
 */
export class DecodedFlow {
  bytes = -1;
  packets = -1;
  protocol = -1;
  tos = -1;
  tcpFlags = -1;
  srcPort = -1;
  dstPort = -1;
  /** IPv4 as an unsigned 32-bit integer. */
  srcV4 = -1;
  dstV4 = -1;
  nextHopV4 = -1;
  srcV6: string | undefined = undefined;
  dstV6: string | undefined = undefined;
  nextHopV6: string | undefined = undefined;
  srcMask = -1;
  dstMask = -1;
  inIf = -1;
  outIf = -1;
  srcAs = -1;
  dstAs = -1;
  icmpTypeCode = -1;
  flowDirection = -1;
  endReason = -1;
  /** sysUpTime (ms) at the first / last packet: NetFlow v5/v9 and IPFIX 22/21. */
  startUptime = -1;
  endUptime = -1;
  /** Absolute epoch ms from IPFIX 150..157 (seconds, ms, NTP micro / nano). */
  startMs = -1;
  endMs = -1;
  /** IPFIX 158/159: microseconds before the message's export time. */
  startDeltaUs = -1;
  endDeltaUs = -1;
  /** IPFIX 160: the exporter's boot time, epoch ms (anchors 21/22). */
  systemInitMs = -1;
  /** Sampling facts carried by the record itself or an options record. */
  samplingInterval = -1;
  samplingAlgorithm = -1;
  samplerId = -1;
  samplingPacketInterval = -1;
  samplingPacketSpace = -1;
  samplingSize = -1;
  samplingPopulation = -1;
}

/** 1 in N packets sampled, from whatever sampling fields a record carries; 0 when it says nothing. */
export function samplingRateOf(f: DecodedFlow): number {
  if (f.samplingInterval > 1) return f.samplingInterval;
  if (f.samplingPacketInterval > 0 && f.samplingPacketSpace > 0) {
    return (f.samplingPacketInterval + f.samplingPacketSpace) / f.samplingPacketInterval;
  }
  if (f.samplingSize > 0 && f.samplingPopulation > f.samplingSize) return f.samplingPopulation / f.samplingSize;
  return 0;
}
