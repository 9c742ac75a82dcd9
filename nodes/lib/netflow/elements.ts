/**
 * The information elements the collector maps, by IANA IPFIX number (RFC 7012 and the IANA
 * "IPFIX Information Elements" registry; NetFlow v9 field types 1..127 are the same numbers,
 * RFC 3954 §8). Each element the collector reads gets a slot; every other element is skipped by
 * its length, as are enterprise-specific ones (RFC 7011 §3.2, enterprise bit set).
 */

/** How a field's bytes are read. */
export const enum Kind {
  /** Unsigned integer, big-endian, reduced-size encoding allowed (RFC 7011 §6.2): 1..8 bytes. */
  Unsigned = 1,
  /** Exactly 4 bytes. */
  Ipv4 = 2,
  /** Exactly 16 bytes. */
  Ipv6 = 3,
  /** dateTimeMicroseconds / dateTimeNanoseconds: 8-byte NTP timestamp (RFC 7011 §6.1.9). */
  NtpTime = 4,
}

/** Slot numbers: where a decoded value goes. 0 = skipped. */
export const enum Slot {
  None = 0,
  Bytes,
  Packets,
  Protocol,
  Tos,
  TcpFlags,
  SrcPort,
  SrcV4,
  SrcMask,
  InIf,
  DstPort,
  DstV4,
  DstMask,
  OutIf,
  NextHopV4,
  SrcAs,
  DstAs,
  EndUptime,
  StartUptime,
  SrcV6,
  DstV6,
  NextHopV6,
  IcmpTypeCodeV4,
  IcmpTypeCodeV6,
  SamplingInterval,
  SamplingAlgorithm,
  SamplerId,
  SamplerRandomInterval,
  FlowDirection,
  StartSeconds,
  EndSeconds,
  StartMillis,
  EndMillis,
  StartMicros,
  EndMicros,
  StartNanos,
  EndNanos,
  StartDeltaMicros,
  EndDeltaMicros,
  SystemInitMillis,
  FlowEndReason,
  SelectorId,
  SamplingPacketInterval,
  SamplingPacketSpace,
  SamplingSize,
  SamplingPopulation,
}

export interface Element {
  id: number;
  name: string;
  slot: Slot;
  kind: Kind;
}

/** IANA number, name, slot, how it is read. */
const TABLE: ReadonlyArray<[number, string, Slot, Kind]> = [
  [1, 'octetDeltaCount', Slot.Bytes, Kind.Unsigned],
  [2, 'packetDeltaCount', Slot.Packets, Kind.Unsigned],
  [4, 'protocolIdentifier', Slot.Protocol, Kind.Unsigned],
  [5, 'ipClassOfService', Slot.Tos, Kind.Unsigned],
  [6, 'tcpControlBits', Slot.TcpFlags, Kind.Unsigned],
  [7, 'sourceTransportPort', Slot.SrcPort, Kind.Unsigned],
  [8, 'sourceIPv4Address', Slot.SrcV4, Kind.Ipv4],
  [9, 'sourceIPv4PrefixLength', Slot.SrcMask, Kind.Unsigned],
  [10, 'ingressInterface', Slot.InIf, Kind.Unsigned],
  [11, 'destinationTransportPort', Slot.DstPort, Kind.Unsigned],
  [12, 'destinationIPv4Address', Slot.DstV4, Kind.Ipv4],
  [13, 'destinationIPv4PrefixLength', Slot.DstMask, Kind.Unsigned],
  [14, 'egressInterface', Slot.OutIf, Kind.Unsigned],
  [15, 'ipNextHopIPv4Address', Slot.NextHopV4, Kind.Ipv4],
  [16, 'bgpSourceAsNumber', Slot.SrcAs, Kind.Unsigned],
  [17, 'bgpDestinationAsNumber', Slot.DstAs, Kind.Unsigned],
  [21, 'flowEndSysUpTime', Slot.EndUptime, Kind.Unsigned],
  [22, 'flowStartSysUpTime', Slot.StartUptime, Kind.Unsigned],
  [27, 'sourceIPv6Address', Slot.SrcV6, Kind.Ipv6],
  [28, 'destinationIPv6Address', Slot.DstV6, Kind.Ipv6],
  [29, 'sourceIPv6PrefixLength', Slot.SrcMask, Kind.Unsigned],
  [30, 'destinationIPv6PrefixLength', Slot.DstMask, Kind.Unsigned],
  [32, 'icmpTypeCodeIPv4', Slot.IcmpTypeCodeV4, Kind.Unsigned],
  [34, 'samplingInterval', Slot.SamplingInterval, Kind.Unsigned],
  [35, 'samplingAlgorithm', Slot.SamplingAlgorithm, Kind.Unsigned],
  [48, 'samplerId', Slot.SamplerId, Kind.Unsigned],
  [50, 'samplerRandomInterval', Slot.SamplerRandomInterval, Kind.Unsigned],
  [61, 'flowDirection', Slot.FlowDirection, Kind.Unsigned],
  [62, 'ipNextHopIPv6Address', Slot.NextHopV6, Kind.Ipv6],
  [136, 'flowEndReason', Slot.FlowEndReason, Kind.Unsigned],
  [139, 'icmpTypeCodeIPv6', Slot.IcmpTypeCodeV6, Kind.Unsigned],
  [150, 'flowStartSeconds', Slot.StartSeconds, Kind.Unsigned],
  [151, 'flowEndSeconds', Slot.EndSeconds, Kind.Unsigned],
  [152, 'flowStartMilliseconds', Slot.StartMillis, Kind.Unsigned],
  [153, 'flowEndMilliseconds', Slot.EndMillis, Kind.Unsigned],
  [154, 'flowStartMicroseconds', Slot.StartMicros, Kind.NtpTime],
  [155, 'flowEndMicroseconds', Slot.EndMicros, Kind.NtpTime],
  [156, 'flowStartNanoseconds', Slot.StartNanos, Kind.NtpTime],
  [157, 'flowEndNanoseconds', Slot.EndNanos, Kind.NtpTime],
  [158, 'flowStartDeltaMicroseconds', Slot.StartDeltaMicros, Kind.Unsigned],
  [159, 'flowEndDeltaMicroseconds', Slot.EndDeltaMicros, Kind.Unsigned],
  [160, 'systemInitTimeMilliseconds', Slot.SystemInitMillis, Kind.Unsigned],
  [302, 'selectorId', Slot.SelectorId, Kind.Unsigned],
  [305, 'samplingPacketInterval', Slot.SamplingPacketInterval, Kind.Unsigned],
  [306, 'samplingPacketSpace', Slot.SamplingPacketSpace, Kind.Unsigned],
  [309, 'samplingSize', Slot.SamplingSize, Kind.Unsigned],
  [310, 'samplingPopulation', Slot.SamplingPopulation, Kind.Unsigned],
];

export const ELEMENTS: ReadonlyMap<number, Element> = new Map(TABLE.map(([id, name, slot, kind]) => [id, { id, name, slot, kind }]));

/** The IANA name of an element we map, for docs and messages. */
export function elementName(id: number): string | undefined {
  return ELEMENTS.get(id)?.name;
}

/** Marks a variable-length field in a template (RFC 7011 §7). */
export const VARIABLE_LENGTH = 65535;

/**
 * The slot a field of this id and length fills, or None when we do not read it: unknown ids,
 * enterprise-specific ids, and lengths the element cannot have (an address that is not 4 or 16
 * bytes, an integer wider than 8) are skipped rather than misread.
 */
export function slotFor(id: number, length: number, enterprise: number): Slot {
  if (enterprise !== 0) return Slot.None;
  const e = ELEMENTS.get(id);
  if (e === undefined || length === VARIABLE_LENGTH) return Slot.None;
  switch (e.kind) {
    case Kind.Unsigned:
      return length >= 1 && length <= 8 ? e.slot : Slot.None;
    case Kind.Ipv4:
      return length === 4 ? e.slot : Slot.None;
    case Kind.Ipv6:
      return length === 16 ? e.slot : Slot.None;
    case Kind.NtpTime:
      return length === 8 ? e.slot : Slot.None;
  }
  return Slot.None;
}
