/**
 * A v9 / IPFIX template compiled for decoding: for a template of fixed-length fields, the
 * offset, length and slot of each field we read (the rest are skipped by offset); for one with
 * variable-length fields (RFC 7011 §7), the field list walked record by record with every
 * length prefix bounds-checked.
 */
import { bigIntToIpv6, canonicalIp, ipv6ToBigInt } from '../ip';
import { compileReader, type CompiledReader } from './compiled-decoder';
import { DecodedFlow, Field } from './decoded-flow';
import { Slot, VARIABLE_LENGTH, slotFor } from './elements';

export interface TemplateField {
  id: number;
  length: number;
  /** Private enterprise number; 0 for IANA elements. */
  enterprise: number;
}

/** RFC 7011 limits a message to 65535 bytes; no honest template has more fields than this. */
export const MAX_TEMPLATE_FIELDS = 512;

export class Template {
  readonly fixedLength: number;
  /** Smallest possible record: fixed fields plus one length byte per variable field. */
  readonly minLength: number;
  /** Fixed-length templates: the fields we read, where, how (`Conv`) and into which `Field`. */
  readonly offsets: Int32Array;
  readonly lengths: Int32Array;
  readonly convs: Int32Array;
  readonly targets: Int32Array;
  /** Variable-length templates: every field in order (conv 0 = skipped). */
  readonly allLengths: Int32Array;
  readonly allConvs: Int32Array;
  readonly allTargets: Int32Array;
  /** Reads a source or destination address: records without one are counted, not built. */
  readonly hasAddress: boolean;
  /**
   * The record being decoded, reused for every record of this template: each record writes the
   * same slots, so the others stay -1 and nothing is allocated per record. A sink must copy
   * what it keeps before it returns.
   */
  readonly cursor = new DecodedFlow();
  /** Fixed-length templates: the generated reader (compiled-decoder.ts). */
  readonly reader: CompiledReader | undefined;
  lastSeen: number;

  constructor(
    readonly id: number,
    readonly fields: readonly TemplateField[],
    /** Options templates: how many leading fields are scope fields (0 for data templates). */
    readonly scopeCount: number,
    readonly options: boolean,
    now: number,
    /** NetFlow v9 scope field types (1 System, 2 Interface...) are not IE numbers: never mapped. */
    v9Scope = false,
  ) {
    this.lastSeen = now;
    const n = fields.length;
    this.allLengths = new Int32Array(n);
    this.allConvs = new Int32Array(n);
    this.allTargets = new Int32Array(n);
    let fixed = 0;
    let min = 0;
    let variable = false;
    let mapped = 0;
    let hasAddress = false;
    for (let i = 0; i < n; i++) {
      const f = fields[i]!;
      const slot = v9Scope && i < scopeCount ? Slot.None : slotFor(f.id, f.length, f.enterprise);
      if (slot === Slot.SrcV4 || slot === Slot.DstV4 || slot === Slot.SrcV6 || slot === Slot.DstV6) hasAddress = true;
      this.allLengths[i] = f.length;
      this.allConvs[i] = slot === Slot.None ? Conv.Skip : convOf(slot, f.length);
      this.allTargets[i] = slot === Slot.None ? 0 : SLOT_FIELD[slot]!;
      if (f.length === VARIABLE_LENGTH) {
        variable = true;
        min += 1;
      } else {
        fixed += f.length;
        min += f.length;
      }
      if (slot !== Slot.None) mapped++;
    }
    this.hasAddress = hasAddress;
    this.fixedLength = variable ? -1 : fixed;
    this.minLength = min;
    this.offsets = new Int32Array(mapped);
    this.lengths = new Int32Array(mapped);
    this.convs = new Int32Array(mapped);
    this.targets = new Int32Array(mapped);
    let off = 0;
    let j = 0;
    for (let i = 0; i < n; i++) {
      const len = this.allLengths[i]!;
      if (this.allConvs[i] !== Conv.Skip) {
        this.offsets[j] = off;
        this.lengths[j] = len;
        this.convs[j] = this.allConvs[i]!;
        this.targets[j] = this.allTargets[i]!;
        j++;
      }
      if (len !== VARIABLE_LENGTH) off += len;
    }
    // A record longer than a message can never arrive: no reader (the generic loop finds none).
    this.reader = this.fixedLength > 0 && this.fixedLength <= 65535 ? compileReader(this.fixedLength, this.offsets, this.lengths, this.convs, this.targets) : undefined;
  }

  /** Same fields, same order: a resend that changes nothing keeps the compiled form. */
  sameAs(fields: readonly TemplateField[], scopeCount: number): boolean {
    if (fields.length !== this.fields.length || scopeCount !== this.scopeCount) return false;
    for (let i = 0; i < fields.length; i++) {
      const a = fields[i]!;
      const b = this.fields[i]!;
      if (a.id !== b.id || a.length !== b.length || a.enterprise !== b.enterprise) return false;
    }
    return true;
  }
}

/** Big-endian unsigned integer of 1..8 bytes (reduced-size encoding); above 2^53 loses precision. */
export function readUnsigned(b: Uint8Array, o: number, len: number): number {
  switch (len) {
    case 1:
      return b[o]!;
    case 2:
      return (b[o]! << 8) | b[o + 1]!;
    case 4:
      return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
    case 8:
      return (((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0) * 4294967296 +
        (((b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!) >>> 0);
    default: {
      let v = 0;
      for (let i = 0; i < len; i++) v = v * 256 + b[o + i]!;
      return v;
    }
  }
}

const NTP_UNIX_OFFSET_S = 2208988800;

/** An 8-byte NTP timestamp (seconds since 1900, 2^-32 fractions) as epoch ms. */
export function readNtpMs(b: Uint8Array, o: number): number {
  const secs = readUnsigned(b, o, 4);
  const frac = readUnsigned(b, o + 4, 4);
  return (secs - NTP_UNIX_OFFSET_S) * 1000 + Math.floor((frac / 4294967296) * 1000);
}

/** 16 bytes as canonical IPv6 text (IPv4-mapped addresses come back as IPv4, as ip.ts does). */
export function readIpv6(b: Uint8Array, o: number): string {
  const parts = new Array<number>(8);
  for (let i = 0; i < 8; i++) parts[i] = (b[o + 2 * i]! << 8) | b[o + 2 * i + 1]!;
  const text = bigIntToIpv6(ipv6ToBigInt(parts));
  return parts[5] === 0xffff && parts[0] === 0 && parts[1] === 0 && parts[2] === 0 && parts[3] === 0 && parts[4] === 0
    ? (canonicalIp(text) ?? text)
    : text;
}

/** How a field's bytes become its value. */
export const enum Conv {
  Skip = 0,
  U8 = 1,
  U16 = 2,
  /** Unsigned of 3, 5, 6 or 7 bytes (reduced-size encoding). */
  UOther = 3,
  U32 = 4,
  U64 = 8,
  /** dateTimeSeconds: unsigned seconds to ms. */
  Seconds = 20,
  /** dateTimeMicro/Nanoseconds: NTP timestamp to ms. */
  Ntp = 21,
  SrcV6 = 30,
  DstV6 = 31,
  NextHopV6 = 32,
}

/** The `Field` each slot fills (several slots share one: 150..157 are all start / end times). */
const SLOT_FIELD: readonly number[] = (() => {
  const m: Array<[Slot, Field]> = [
    [Slot.Bytes, Field.Bytes], [Slot.Packets, Field.Packets], [Slot.Protocol, Field.Protocol], [Slot.Tos, Field.Tos],
    [Slot.TcpFlags, Field.TcpFlags], [Slot.SrcPort, Field.SrcPort], [Slot.DstPort, Field.DstPort], [Slot.SrcV4, Field.SrcV4],
    [Slot.DstV4, Field.DstV4], [Slot.NextHopV4, Field.NextHopV4], [Slot.SrcMask, Field.SrcMask], [Slot.DstMask, Field.DstMask],
    [Slot.InIf, Field.InIf], [Slot.OutIf, Field.OutIf], [Slot.SrcAs, Field.SrcAs], [Slot.DstAs, Field.DstAs],
    [Slot.EndUptime, Field.EndUptime], [Slot.StartUptime, Field.StartUptime],
    [Slot.IcmpTypeCodeV4, Field.IcmpTypeCode], [Slot.IcmpTypeCodeV6, Field.IcmpTypeCode],
    [Slot.SamplingInterval, Field.SamplingInterval], [Slot.SamplerRandomInterval, Field.SamplingInterval],
    [Slot.SamplingAlgorithm, Field.SamplingAlgorithm], [Slot.SamplerId, Field.SamplerId], [Slot.SelectorId, Field.SamplerId],
    [Slot.FlowDirection, Field.FlowDirection], [Slot.FlowEndReason, Field.EndReason],
    [Slot.StartSeconds, Field.StartMs], [Slot.EndSeconds, Field.EndMs], [Slot.StartMillis, Field.StartMs], [Slot.EndMillis, Field.EndMs],
    [Slot.StartMicros, Field.StartMs], [Slot.EndMicros, Field.EndMs], [Slot.StartNanos, Field.StartMs], [Slot.EndNanos, Field.EndMs],
    [Slot.StartDeltaMicros, Field.StartDeltaUs], [Slot.EndDeltaMicros, Field.EndDeltaUs], [Slot.SystemInitMillis, Field.SystemInitMs],
    [Slot.SamplingPacketInterval, Field.SamplingPacketInterval], [Slot.SamplingPacketSpace, Field.SamplingPacketSpace],
    [Slot.SamplingSize, Field.SamplingSize], [Slot.SamplingPopulation, Field.SamplingPopulation],
  ];
  const out: number[] = [];
  for (const [slot, field] of m) out[slot] = field;
  return out;
})();

/** How to read a field of this slot and length (the length was checked by `slotFor`). */
function convOf(slot: Slot, length: number): Conv {
  switch (slot) {
    case Slot.SrcV6:
      return Conv.SrcV6;
    case Slot.DstV6:
      return Conv.DstV6;
    case Slot.NextHopV6:
      return Conv.NextHopV6;
    case Slot.StartSeconds:
    case Slot.EndSeconds:
      return Conv.Seconds;
    case Slot.StartMicros:
    case Slot.EndMicros:
    case Slot.StartNanos:
    case Slot.EndNanos:
      return Conv.Ntp;
  }
  return length === 1 ? Conv.U8 : length === 2 ? Conv.U16 : length === 4 ? Conv.U32 : length === 8 ? Conv.U64 : Conv.UOther;
}

/** The uncommon conversions, out of the hot loop. */
function storeSlow(f: DecodedFlow, conv: number, target: number, b: Uint8Array, o: number, len: number): void {
  switch (conv) {
    case Conv.UOther:
      f.v[target] = readUnsigned(b, o, len);
      return;
    case Conv.Seconds:
      f.v[target] = readUnsigned(b, o, len) * 1000;
      return;
    case Conv.Ntp:
      f.v[target] = readNtpMs(b, o);
      return;
    case Conv.SrcV6:
      f.srcV6 = readIpv6(b, o);
      return;
    case Conv.DstV6:
      f.dstV6 = readIpv6(b, o);
      return;
    case Conv.NextHopV6:
      f.nextHopV6 = readIpv6(b, o);
      return;
  }
}

/** Stores one field's value into the record. */
export function store(f: DecodedFlow, conv: number, target: number, b: Uint8Array, o: number, len: number): void {
  const v = f.v;
  switch (conv) {
    case Conv.U8:
      v[target] = b[o]!;
      return;
    case Conv.U16:
      v[target] = (b[o]! << 8) | b[o + 1]!;
      return;
    case Conv.U32:
      v[target] = ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
      return;
    case Conv.U64:
      v[target] =
        (((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0) * 4294967296 +
        (((b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!) >>> 0);
      return;
    default:
      storeSlow(f, conv, target, b, o, len);
  }
}

/** Receives each decoded record (the template's reused cursor: copy what you keep). */
export type RecordSink = (f: DecodedFlow) => void;

/**
 * Decodes the data records of one set body `[start, end)`, handing each to `sink` (or only
 * counting them when `sink` is undefined). Returns the number of records, or -1 when a record
 * runs past the end (a variable-length prefix that lies); trailing bytes too few for a record
 * are padding (RFC 7011 §3.3.1, RFC 3954 §5.3).
 */
export function decodeRecords(t: Template, b: Uint8Array, start: number, end: number, sink: RecordSink | undefined): number {
  const rec = t.fixedLength;
  const f = t.cursor;
  if (rec > 0 && sink !== undefined && t.reader !== undefined) return t.reader(b, start, end, f, sink, storeSlow);
  return decodeGeneric(t, b, start, end, sink);
}

/** The reference loop: any template, one field at a time (the generated reader must agree with it). */
export function decodeGeneric(t: Template, b: Uint8Array, start: number, end: number, sink: RecordSink | undefined): number {
  const rec = t.fixedLength;
  const f = t.cursor;
  let count = 0;
  if (rec > 0) {
    if (sink === undefined) return Math.floor((end - start) / rec);
    const offsets = t.offsets;
    const lengths = t.lengths;
    const convs = t.convs;
    const targets = t.targets;
    const m = convs.length;
    for (let p = start; p + rec <= end; p += rec) {
      for (let i = 0; i < m; i++) store(f, convs[i]!, targets[i]!, b, p + offsets[i]!, lengths[i]!);
      sink(f);
      count++;
    }
    return count;
  }
  if (rec === 0 || t.minLength === 0) return 0;
  const all = t.allLengths;
  const allConvs = t.allConvs;
  const allTargets = t.allTargets;
  const n = all.length;
  let p = start;
  while (end - p >= t.minLength) {
    for (let i = 0; i < n; i++) {
      let len = all[i]!;
      if (len === VARIABLE_LENGTH) {
        if (p + 1 > end) return -1;
        len = b[p]!;
        p += 1;
        if (len === 255) {
          if (p + 2 > end) return -1;
          len = (b[p]! << 8) | b[p + 1]!;
          p += 2;
        }
      } else {
        const conv = allConvs[i]!;
        if (p + len > end) return -1;
        if (conv !== Conv.Skip && sink !== undefined) store(f, conv, allTargets[i]!, b, p, len);
      }
      if (p + len > end) return -1;
      p += len;
    }
    if (sink !== undefined) sink(f);
    count++;
  }
  return count;
}
