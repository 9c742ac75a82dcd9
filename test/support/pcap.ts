/**
 * A small writer of classic libpcap files (the format of tcpdump -w: 24-byte global header,
 * 16-byte record headers, little-endian, link type 1 = Ethernet) holding IPv4 / IPv6 packets
 * with TCP or UDP headers, so tests can feed real exporters (softflowd, pmacctd) flows whose
 * addresses, ports and sizes they know.
 */
import { address } from '../../simulator/netflow';

export interface PcapFlow {
  src: string;
  dst: string;
  /** 6 (TCP) or 17 (UDP). */
  proto: 6 | 17;
  sport: number;
  dport: number;
  packets: number;
  /** Transport payload bytes in each packet. */
  payload: number;
  /** Capture time of the first packet, epoch seconds; packets follow 10 ms apart. */
  startSec: number;
}

export interface PcapPacket {
  sec: number;
  usec: number;
  data: Buffer;
}

const ETH = 14;

function addrBytes(ip: string): Buffer {
  return address(ip, ip.includes(':') ? 16 : 4);
}

function checksum(b: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < b.length; i += 2) sum += b.readUInt16BE(i);
  if (b.length % 2) sum += b[b.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Bytes an exporter counts for one packet of the flow: the IP packet, header included. */
export function ipLength(f: PcapFlow): number {
  const l4 = f.proto === 6 ? 20 : 8;
  return (f.src.includes(':') ? 40 : 20) + l4 + f.payload;
}

/** One Ethernet frame of the flow; `seq` numbers the packet within it (TCP flags: SYN first, FIN last). */
export function frame(f: PcapFlow, seq: number): Buffer {
  const v6 = f.src.includes(':');
  const l4len = (f.proto === 6 ? 20 : 8) + f.payload;
  const l4 = Buffer.alloc(l4len);
  l4.writeUInt16BE(f.sport, 0);
  l4.writeUInt16BE(f.dport, 2);
  if (f.proto === 6) {
    l4.writeUInt32BE(1000 + seq * f.payload, 4);
    l4[12] = 5 << 4;
    l4[13] = seq === 0 ? 0x02 : seq === f.packets - 1 ? 0x11 : 0x10; // SYN, FIN|ACK, ACK
    l4.writeUInt16BE(65535, 14);
  } else {
    l4.writeUInt16BE(l4len, 4);
  }
  let ip: Buffer;
  if (v6) {
    ip = Buffer.alloc(40);
    ip.writeUInt32BE(0x60000000, 0);
    ip.writeUInt16BE(l4len, 4);
    ip[6] = f.proto;
    ip[7] = 64;
    addrBytes(f.src).copy(ip, 8);
    addrBytes(f.dst).copy(ip, 24);
  } else {
    ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + l4len, 2);
    ip.writeUInt16BE(seq & 0xffff, 4);
    ip[8] = 64;
    ip[9] = f.proto;
    addrBytes(f.src).copy(ip, 12);
    addrBytes(f.dst).copy(ip, 16);
    ip.writeUInt16BE(checksum(ip), 10);
  }
  const eth = Buffer.alloc(ETH);
  Buffer.from([0x02, 0, 0, 0, 0, 2]).copy(eth, 0);
  Buffer.from([0x02, 0, 0, 0, 0, 1]).copy(eth, 6);
  eth.writeUInt16BE(v6 ? 0x86dd : 0x0800, 12);
  return Buffer.concat([eth, ip, l4]);
}

/** Every packet of the flows, in capture-time order. */
export function packetsOf(flows: readonly PcapFlow[]): PcapPacket[] {
  const out: PcapPacket[] = [];
  for (const f of flows) {
    for (let i = 0; i < f.packets; i++) {
      const usecTotal = i * 10_000;
      out.push({ sec: f.startSec + Math.floor(usecTotal / 1e6), usec: usecTotal % 1e6, data: frame(f, i) });
    }
  }
  return out.sort((a, b) => a.sec - b.sec || a.usec - b.usec);
}

/** The file: global header, then each packet with its record header. */
export function pcapFile(packets: readonly PcapPacket[]): Buffer {
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b2c3d4, 0);
  head.writeUInt16LE(2, 4);
  head.writeUInt16LE(4, 6);
  head.writeInt32LE(0, 8);
  head.writeUInt32LE(0, 12);
  head.writeUInt32LE(65535, 16);
  head.writeUInt32LE(1, 20);
  const parts: Buffer[] = [head];
  for (const p of packets) {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(p.sec, 0);
    rec.writeUInt32LE(p.usec, 4);
    rec.writeUInt32LE(p.data.length, 8);
    rec.writeUInt32LE(p.data.length, 12);
    parts.push(rec, p.data);
  }
  return Buffer.concat(parts);
}
