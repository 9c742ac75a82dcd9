/**
 * NetFlow v5 (Cisco, "NetFlow Export Datagram Format", version 5): a 24-byte header and up to
 * 30 fixed 48-byte records. `flow_sequence` counts records, so the collector counts lost
 * records from it; `sampling_interval` (low 14 bits; mode in the top 2) scales the counts.
 */
import { DecodedFlow } from './decoded-flow';
import { u16, u32, type PacketHandler } from './wire';

export const V5_HEADER = 24;
export const V5_RECORD = 48;
export const V5_MAX_RECORDS = 30;

export function decodeV5(b: Uint8Array, h: PacketHandler): string | undefined {
  if (b.length < V5_HEADER) return `v5: ${b.length} bytes, shorter than the 24-byte header`;
  const count = u16(b, 2);
  if (count === 0 || count > V5_MAX_RECORDS) return `v5: header count ${count} (expected 1..30)`;
  if (b.length < V5_HEADER + count * V5_RECORD) return `v5: header says ${count} records, datagram has ${b.length} bytes`;
  const uptimeMs = u32(b, 4);
  const exportMs = u32(b, 8) * 1000 + Math.floor(u32(b, 12) / 1e6);
  const sequence = u32(b, 16);
  const engine = u16(b, 20);
  const sampling = u16(b, 22) & 0x3fff;
  const d = h.domain(5, engine);
  if (d === undefined) return 'v5: too many engines for this exporter';
  h.sequence(d, sequence);
  h.v5Header(d, { exportMs, uptimeMs }, sampling > 1 ? sampling : 0);
  // One object for every record: each record sets the same fields.
  const f = new DecodedFlow();
  for (let i = 0; i < count; i++) {
    const o = V5_HEADER + i * V5_RECORD;
    f.srcV4 = u32(b, o);
    f.dstV4 = u32(b, o + 4);
    f.nextHopV4 = u32(b, o + 8);
    f.inIf = u16(b, o + 12);
    f.outIf = u16(b, o + 14);
    f.packets = u32(b, o + 16);
    f.bytes = u32(b, o + 20);
    f.startUptime = u32(b, o + 24);
    f.endUptime = u32(b, o + 28);
    f.srcPort = u16(b, o + 32);
    f.dstPort = u16(b, o + 34);
    f.tcpFlags = b[o + 37]!;
    f.protocol = b[o + 38]!;
    f.tos = b[o + 39]!;
    f.srcAs = u16(b, o + 40);
    f.dstAs = u16(b, o + 42);
    f.srcMask = b[o + 44]!;
    f.dstMask = b[o + 45]!;
    h.v5Record(f);
  }
  h.expectNext(d, (sequence + count) >>> 0);
  return undefined;
}
