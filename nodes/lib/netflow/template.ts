/**
 * A v9 / IPFIX template compiled for decoding: for a template of fixed-length fields, the
 * offset, length and slot of each field we read (the rest are skipped by offset); for one with
 * variable-length fields (RFC 7011 §7), the field list walked record by record with every
 * length prefix bounds-checked.
 */
import { bigIntToIpv6, canonicalIp, ipv6ToBigInt } from '../ip';
import { DecodedFlow } from './decoded-flow';
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
  /** Fixed-length templates: the fields we read. */
  readonly offsets: Int32Array;
  readonly lengths: Int32Array;
  readonly slots: Int32Array;
  /** Variable-length templates: every field in order. */
  readonly allLengths: Int32Array;
  readonly allSlots: Int32Array;
  /** Reads a source or destination address: records without one are counted, not built. */
  readonly hasAddress: boolean;
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
    this.allSlots = new Int32Array(n);
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
      this.allSlots[i] = slot;
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
    this.slots = new Int32Array(mapped);
    let off = 0;
    let j = 0;
    for (let i = 0; i < n; i++) {
      const len = this.allLengths[i]!;
      if (this.allSlots[i] !== Slot.None) {
        this.offsets[j] = off;
        this.lengths[j] = len;
        this.slots[j] = this.allSlots[i]!;
        j++;
      }
      if (len !== VARIABLE_LENGTH) off += len;
    }
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

/** Stores one field's value; the template checked that `len` suits the slot. */
export function setField(f: DecodedFlow, slot: number, b: Uint8Array, o: number, len: number): void {
  switch (slot) {
    case Slot.Bytes:
      f.bytes = readUnsigned(b, o, len);
      return;
    case Slot.Packets:
      f.packets = readUnsigned(b, o, len);
      return;
    case Slot.Protocol:
      f.protocol = readUnsigned(b, o, len);
      return;
    case Slot.Tos:
      f.tos = readUnsigned(b, o, len);
      return;
    case Slot.TcpFlags:
      f.tcpFlags = readUnsigned(b, o, len);
      return;
    case Slot.SrcPort:
      f.srcPort = readUnsigned(b, o, len);
      return;
    case Slot.DstPort:
      f.dstPort = readUnsigned(b, o, len);
      return;
    case Slot.SrcV4:
      f.srcV4 = readUnsigned(b, o, 4);
      return;
    case Slot.DstV4:
      f.dstV4 = readUnsigned(b, o, 4);
      return;
    case Slot.NextHopV4:
      f.nextHopV4 = readUnsigned(b, o, 4);
      return;
    case Slot.SrcV6:
      f.srcV6 = readIpv6(b, o);
      return;
    case Slot.DstV6:
      f.dstV6 = readIpv6(b, o);
      return;
    case Slot.NextHopV6:
      f.nextHopV6 = readIpv6(b, o);
      return;
    case Slot.SrcMask:
      f.srcMask = readUnsigned(b, o, len);
      return;
    case Slot.DstMask:
      f.dstMask = readUnsigned(b, o, len);
      return;
    case Slot.InIf:
      f.inIf = readUnsigned(b, o, len);
      return;
    case Slot.OutIf:
      f.outIf = readUnsigned(b, o, len);
      return;
    case Slot.SrcAs:
      f.srcAs = readUnsigned(b, o, len);
      return;
    case Slot.DstAs:
      f.dstAs = readUnsigned(b, o, len);
      return;
    case Slot.EndUptime:
      f.endUptime = readUnsigned(b, o, len);
      return;
    case Slot.StartUptime:
      f.startUptime = readUnsigned(b, o, len);
      return;
    case Slot.IcmpTypeCodeV4:
    case Slot.IcmpTypeCodeV6:
      f.icmpTypeCode = readUnsigned(b, o, len);
      return;
    case Slot.SamplingInterval:
    case Slot.SamplerRandomInterval:
      f.samplingInterval = readUnsigned(b, o, len);
      return;
    case Slot.SamplingAlgorithm:
      f.samplingAlgorithm = readUnsigned(b, o, len);
      return;
    case Slot.SamplerId:
    case Slot.SelectorId:
      f.samplerId = readUnsigned(b, o, len);
      return;
    case Slot.FlowDirection:
      f.flowDirection = readUnsigned(b, o, len);
      return;
    case Slot.FlowEndReason:
      f.endReason = readUnsigned(b, o, len);
      return;
    case Slot.StartSeconds:
      f.startMs = readUnsigned(b, o, len) * 1000;
      return;
    case Slot.EndSeconds:
      f.endMs = readUnsigned(b, o, len) * 1000;
      return;
    case Slot.StartMillis:
      f.startMs = readUnsigned(b, o, len);
      return;
    case Slot.EndMillis:
      f.endMs = readUnsigned(b, o, len);
      return;
    case Slot.StartMicros:
    case Slot.StartNanos:
      f.startMs = readNtpMs(b, o);
      return;
    case Slot.EndMicros:
    case Slot.EndNanos:
      f.endMs = readNtpMs(b, o);
      return;
    case Slot.StartDeltaMicros:
      f.startDeltaUs = readUnsigned(b, o, len);
      return;
    case Slot.EndDeltaMicros:
      f.endDeltaUs = readUnsigned(b, o, len);
      return;
    case Slot.SystemInitMillis:
      f.systemInitMs = readUnsigned(b, o, len);
      return;
    case Slot.SamplingPacketInterval:
      f.samplingPacketInterval = readUnsigned(b, o, len);
      return;
    case Slot.SamplingPacketSpace:
      f.samplingPacketSpace = readUnsigned(b, o, len);
      return;
    case Slot.SamplingSize:
      f.samplingSize = readUnsigned(b, o, len);
      return;
    case Slot.SamplingPopulation:
      f.samplingPopulation = readUnsigned(b, o, len);
      return;
  }
}

/**
 * Decodes the data records of one set body `[start, end)` into `out` (or only counts them when
 * `out` is undefined). Returns the number of
 * records, or -1 when a record runs past the end (a variable-length prefix that lies); trailing
 * bytes too few for a record are padding (RFC 7011 §3.3.1, RFC 3954 §5.3).
 */
export function decodeRecords(t: Template, b: Uint8Array, start: number, end: number, out: DecodedFlow[] | undefined): number {
  const offsets = t.offsets;
  const lengths = t.lengths;
  const slots = t.slots;
  const m = slots.length;
  const rec = t.fixedLength;
  let count = 0;
  if (rec > 0) {
    if (out === undefined) return Math.floor((end - start) / rec);
    for (let p = start; p + rec <= end; p += rec) {
      const f = new DecodedFlow();
      for (let i = 0; i < m; i++) setField(f, slots[i]!, b, p + offsets[i]!, lengths[i]!);
      out.push(f);
      count++;
    }
    return count;
  }
  if (rec === 0 || t.minLength === 0) return 0;
  const all = t.allLengths;
  const allSlots = t.allSlots;
  const n = all.length;
  let p = start;
  while (end - p >= t.minLength) {
    const f = new DecodedFlow();
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
        const s = allSlots[i]!;
        if (p + len > end) return -1;
        if (s !== Slot.None && out !== undefined) setField(f, s, b, p, len);
      }
      if (p + len > end) return -1;
      p += len;
    }
    if (out !== undefined) out.push(f);
    count++;
  }
  return count;
}
