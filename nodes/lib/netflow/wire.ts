/**
 * What the packet decoders (v5.ts, v9.ts, ipfix.ts) hand to the collector: they walk the wire
 * format with every read bounds-checked, and call these for templates, data and sequence
 * numbers. A decoder returns undefined, or the reason the packet was dropped.
 */
import type { DecodedFlow } from './decoded-flow';
import type { DomainState, PacketTime } from './exporter-state';
import type { TemplateField } from './template';

/** `data()` result when the set's template is unknown (the set is held or dropped, not bad). */
export const UNKNOWN_TEMPLATE = -2;
/** `data()` result when a record runs past the set's end. */
export const BAD_SET = -1;

export interface PacketHandler {
  /** The state of one observation domain / source id / v5 engine; undefined when over the cap. */
  domain(version: number, id: number): DomainState | undefined;
  /** Checks the sequence number of a packet before its records are counted. */
  sequence(d: DomainState, sequence: number): void;
  /** After the packet: what the next sequence number should be (-1: unknown, skip the check). */
  expectNext(d: DomainState, next: number): void;
  /** Learns (or refreshes) a template; false when refused (cap reached). */
  template(d: DomainState, id: number, fields: TemplateField[], scopeCount: number, options: boolean): boolean;
  /** IPFIX withdrawal: one template, or every (options) template of the domain. */
  withdraw(d: DomainState, id: number): void;
  withdrawAll(d: DomainState, options: boolean): void;
  /** A data set body: records decoded, UNKNOWN_TEMPLATE or BAD_SET. */
  data(d: DomainState, templateId: number, b: Uint8Array, start: number, end: number, time: PacketTime): number;
  /** v5: the records that follow come from this header (sampling rate 0 = none). */
  v5Header(d: DomainState, time: PacketTime, headerRate: number): void;
  /** v5: one record decoded by the fixed format (a reused object: copy what you keep). */
  v5Record(f: DecodedFlow): void;
}

export function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

export function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}
