/**
 * One data record as decoded, before it becomes a NetworkFlow: numbers in one Float64Array
 * indexed by `Field` (-1 = absent), so the decoding loop stores each field with one indexed
 * write and no per-field branching on what it is; IPv6 addresses are kept as text. Times stay
 * as the exporter sent them; `flow-record.ts` makes them absolute with the packet's header.
 */

/** Index of each value in `DecodedFlow.v`. */
export const enum Field {
  Bytes,
  Packets,
  Protocol,
  Tos,
  TcpFlags,
  SrcPort,
  DstPort,
  SrcV4,
  DstV4,
  NextHopV4,
  SrcMask,
  DstMask,
  InIf,
  OutIf,
  SrcAs,
  DstAs,
  IcmpTypeCode,
  FlowDirection,
  EndReason,
  StartUptime,
  EndUptime,
  StartMs,
  EndMs,
  StartDeltaUs,
  EndDeltaUs,
  SystemInitMs,
  SamplingInterval,
  SamplingAlgorithm,
  SamplerId,
  SamplingPacketInterval,
  SamplingPacketSpace,
  SamplingSize,
  SamplingPopulation,
  Count,
}

export class DecodedFlow {
  readonly v = new Float64Array(Field.Count).fill(-1);
  srcV6: string | undefined = undefined;
  dstV6: string | undefined = undefined;
  nextHopV6: string | undefined = undefined;

  get bytes(): number {
    return this.v[Field.Bytes]!;
  }
  set bytes(x: number) {
    this.v[Field.Bytes] = x;
  }
  get packets(): number {
    return this.v[Field.Packets]!;
  }
  set packets(x: number) {
    this.v[Field.Packets] = x;
  }
  get protocol(): number {
    return this.v[Field.Protocol]!;
  }
  set protocol(x: number) {
    this.v[Field.Protocol] = x;
  }
  get tos(): number {
    return this.v[Field.Tos]!;
  }
  set tos(x: number) {
    this.v[Field.Tos] = x;
  }
  get tcpFlags(): number {
    return this.v[Field.TcpFlags]!;
  }
  set tcpFlags(x: number) {
    this.v[Field.TcpFlags] = x;
  }
  get srcPort(): number {
    return this.v[Field.SrcPort]!;
  }
  set srcPort(x: number) {
    this.v[Field.SrcPort] = x;
  }
  get dstPort(): number {
    return this.v[Field.DstPort]!;
  }
  set dstPort(x: number) {
    this.v[Field.DstPort] = x;
  }
  /** IPv4 as an unsigned 32-bit integer. */
  get srcV4(): number {
    return this.v[Field.SrcV4]!;
  }
  set srcV4(x: number) {
    this.v[Field.SrcV4] = x;
  }
  get dstV4(): number {
    return this.v[Field.DstV4]!;
  }
  set dstV4(x: number) {
    this.v[Field.DstV4] = x;
  }
  get nextHopV4(): number {
    return this.v[Field.NextHopV4]!;
  }
  set nextHopV4(x: number) {
    this.v[Field.NextHopV4] = x;
  }
  get srcMask(): number {
    return this.v[Field.SrcMask]!;
  }
  set srcMask(x: number) {
    this.v[Field.SrcMask] = x;
  }
  get dstMask(): number {
    return this.v[Field.DstMask]!;
  }
  set dstMask(x: number) {
    this.v[Field.DstMask] = x;
  }
  get inIf(): number {
    return this.v[Field.InIf]!;
  }
  set inIf(x: number) {
    this.v[Field.InIf] = x;
  }
  get outIf(): number {
    return this.v[Field.OutIf]!;
  }
  set outIf(x: number) {
    this.v[Field.OutIf] = x;
  }
  get srcAs(): number {
    return this.v[Field.SrcAs]!;
  }
  set srcAs(x: number) {
    this.v[Field.SrcAs] = x;
  }
  get dstAs(): number {
    return this.v[Field.DstAs]!;
  }
  set dstAs(x: number) {
    this.v[Field.DstAs] = x;
  }
  get icmpTypeCode(): number {
    return this.v[Field.IcmpTypeCode]!;
  }
  set icmpTypeCode(x: number) {
    this.v[Field.IcmpTypeCode] = x;
  }
  get flowDirection(): number {
    return this.v[Field.FlowDirection]!;
  }
  set flowDirection(x: number) {
    this.v[Field.FlowDirection] = x;
  }
  get endReason(): number {
    return this.v[Field.EndReason]!;
  }
  set endReason(x: number) {
    this.v[Field.EndReason] = x;
  }
  /** sysUpTime (ms) at the first / last packet: NetFlow v5/v9 and IPFIX 22/21. */
  get startUptime(): number {
    return this.v[Field.StartUptime]!;
  }
  set startUptime(x: number) {
    this.v[Field.StartUptime] = x;
  }
  get endUptime(): number {
    return this.v[Field.EndUptime]!;
  }
  set endUptime(x: number) {
    this.v[Field.EndUptime] = x;
  }
  /** Absolute epoch ms from IPFIX 150..157 (seconds, ms, NTP micro / nano). */
  get startMs(): number {
    return this.v[Field.StartMs]!;
  }
  set startMs(x: number) {
    this.v[Field.StartMs] = x;
  }
  get endMs(): number {
    return this.v[Field.EndMs]!;
  }
  set endMs(x: number) {
    this.v[Field.EndMs] = x;
  }
  /** IPFIX 158/159: microseconds before the message's export time. */
  get startDeltaUs(): number {
    return this.v[Field.StartDeltaUs]!;
  }
  set startDeltaUs(x: number) {
    this.v[Field.StartDeltaUs] = x;
  }
  get endDeltaUs(): number {
    return this.v[Field.EndDeltaUs]!;
  }
  set endDeltaUs(x: number) {
    this.v[Field.EndDeltaUs] = x;
  }
  /** IPFIX 160: the exporter's boot time, epoch ms (anchors 21/22). */
  get systemInitMs(): number {
    return this.v[Field.SystemInitMs]!;
  }
  set systemInitMs(x: number) {
    this.v[Field.SystemInitMs] = x;
  }
  /** Sampling facts carried by the record itself or an options record. */
  get samplingInterval(): number {
    return this.v[Field.SamplingInterval]!;
  }
  set samplingInterval(x: number) {
    this.v[Field.SamplingInterval] = x;
  }
  get samplingAlgorithm(): number {
    return this.v[Field.SamplingAlgorithm]!;
  }
  set samplingAlgorithm(x: number) {
    this.v[Field.SamplingAlgorithm] = x;
  }
  get samplerId(): number {
    return this.v[Field.SamplerId]!;
  }
  set samplerId(x: number) {
    this.v[Field.SamplerId] = x;
  }
  get samplingPacketInterval(): number {
    return this.v[Field.SamplingPacketInterval]!;
  }
  set samplingPacketInterval(x: number) {
    this.v[Field.SamplingPacketInterval] = x;
  }
  get samplingPacketSpace(): number {
    return this.v[Field.SamplingPacketSpace]!;
  }
  set samplingPacketSpace(x: number) {
    this.v[Field.SamplingPacketSpace] = x;
  }
  get samplingSize(): number {
    return this.v[Field.SamplingSize]!;
  }
  set samplingSize(x: number) {
    this.v[Field.SamplingSize] = x;
  }
  get samplingPopulation(): number {
    return this.v[Field.SamplingPopulation]!;
  }
  set samplingPopulation(x: number) {
    this.v[Field.SamplingPopulation] = x;
  }
}

/** 1 in N packets sampled, from whatever sampling fields a record carries; 0 when it says nothing. */
export function samplingRateOf(f: DecodedFlow): number {
  const v = f.v;
  const interval = v[Field.SamplingInterval]!;
  if (interval > 1) return interval;
  const pi = v[Field.SamplingPacketInterval]!;
  const ps = v[Field.SamplingPacketSpace]!;
  if (pi > 0 && ps > 0) return (pi + ps) / pi;
  const size = v[Field.SamplingSize]!;
  const pop = v[Field.SamplingPopulation]!;
  if (size > 0 && pop > size) return pop / size;
  return 0;
}
