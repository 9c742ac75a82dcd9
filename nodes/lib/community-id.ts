/**
 * Community ID v1 flow hash (corelight/community-id-spec): a tuple hash that Zeek, Suricata,
 * Elastic (`network.community_id`) and others compute the same way, so a flow can be joined
 * across tools.
 *
 *   sha1(seed u16be | saddr | daddr | proto u8 | 0 u8 | sport u16be | dport u16be), base64, "1:"
 *
 * The endpoints are ordered (smaller address first, then smaller port) so both directions of a
 * connection hash alike. ICMP and ICMPv6 put type and code in the port slots, with request /
 * reply types mapped to each other; a type without a counterpart is "one-way" and not reordered.
 * Protocols other than TCP, UDP, SCTP, ICMP and ICMPv6 hash without ports.
 */
import { createHash } from 'node:crypto';
import { parseIp, type ParsedIp } from './ip';

const ICMP = 1;
const TCP = 6;
const UDP = 17;
const ICMP6 = 58;
const SCTP = 132;

// type -> counterpart type (spec: `_icmp4_port_equivalents`, `_icmp6_port_equivalents`).
const ICMP4_PAIRS: ReadonlyMap<number, number> = new Map([
  [8, 0], // echo -> echo reply
  [0, 8],
  [13, 14], // timestamp
  [14, 13],
  [15, 16], // information
  [16, 15],
  [10, 9], // router solicitation -> advertisement
  [9, 10],
  [17, 18], // address mask
  [18, 17],
]);
const ICMP6_PAIRS: ReadonlyMap<number, number> = new Map([
  [128, 129], // echo request -> reply
  [129, 128],
  [130, 131], // MLD query -> report
  [131, 130],
  [133, 134], // router solicitation -> advertisement
  [134, 133],
  [135, 136], // neighbor solicitation -> advertisement
  [136, 135],
  [139, 140], // node information query -> response
  [140, 139],
  [144, 145], // home agent address discovery request -> reply
  [145, 144],
]);

export interface CommunityIdInput {
  srcIp: string;
  dstIp: string;
  /** IANA protocol number. */
  proto: number;
  /** Port, or the ICMP type. */
  srcPort?: number;
  /** Port, or the ICMP code. */
  dstPort?: number;
  /** 0..65535, default 0. */
  seed?: number;
}

function ipBytes(ip: ParsedIp): Buffer {
  if (ip.version === 4) {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(ip.value as number, 0);
    return b;
  }
  const b = Buffer.allocUnsafe(16);
  const v = ip.value as bigint;
  b.writeBigUInt64BE(v >> 64n, 0);
  b.writeBigUInt64BE(v & 0xffffffffffffffffn, 8);
  return b;
}

function isPort(n: number | undefined): n is number {
  return n !== undefined && Number.isInteger(n) && n >= 0 && n <= 65535;
}

/** The flow tuple in the order the Community ID hashes it. */
export interface CommunityTuple {
  saddr: ParsedIp;
  daddr: ParsedIp;
  proto: number;
  /** Absent for protocols hashed without ports. */
  sport: number | undefined;
  dport: number | undefined;
}

/**
 * The tuple the Community ID hashes, endpoints ordered and ICMP types paired (see above), or
 * undefined when there is no Community ID. Two flows have the same Community ID exactly when
 * they have the same tuple (up to a SHA-1 collision), so a caller that only compares flows can
 * compare tuples and skip the hash.
 */
export function communityTuple(input: CommunityIdInput): CommunityTuple | undefined {
  let saddr = parseIp(input.srcIp);
  let daddr = parseIp(input.dstIp);
  if (!saddr || !daddr || saddr.version !== daddr.version) return undefined;
  const proto = input.proto;
  if (!Number.isInteger(proto) || proto < 0 || proto > 255) return undefined;
  let sport: number | undefined;
  let dport: number | undefined;
  let oneWay = false;

  if (proto === ICMP || proto === ICMP6) {
    if (!isPort(input.srcPort) || !isPort(input.dstPort)) return undefined;
    const pairs = proto === ICMP ? ICMP4_PAIRS : ICMP6_PAIRS;
    const counterpart = pairs.get(input.srcPort);
    sport = input.srcPort;
    if (counterpart === undefined) {
      dport = input.dstPort;
      oneWay = true;
    } else {
      dport = counterpart;
    }
  } else if (proto === TCP || proto === UDP || proto === SCTP) {
    if (!isPort(input.srcPort) || !isPort(input.dstPort)) return undefined;
    sport = input.srcPort;
    dport = input.dstPort;
  }

  if (!oneWay) {
    // Same version, so comparing the values is comparing the address bytes.
    const cmp = saddr.value < daddr.value ? -1 : saddr.value > daddr.value ? 1 : 0;
    const ordered = cmp < 0 || (cmp === 0 && (sport === undefined || dport === undefined || sport <= dport));
    if (!ordered) {
      [saddr, daddr] = [daddr, saddr];
      [sport, dport] = [dport, sport];
    }
  }
  return { saddr, daddr, proto, sport, dport };
}

/**
 * The Community ID string (`1:...`), or undefined when the addresses are missing or invalid,
 * of different versions, or a port protocol lacks a port.
 */
export function communityId(input: CommunityIdInput): string | undefined {
  const t = communityTuple(input);
  if (t === undefined) return undefined;
  const seed = input.seed ?? 0;
  const head = Buffer.allocUnsafe(2);
  head.writeUInt16BE(seed, 0);
  const mid = Buffer.from([t.proto, 0]);
  const h = createHash('sha1').update(head).update(ipBytes(t.saddr)).update(ipBytes(t.daddr)).update(mid);
  if (t.sport !== undefined && t.dport !== undefined) {
    const ports = Buffer.allocUnsafe(4);
    ports.writeUInt16BE(t.sport, 0);
    ports.writeUInt16BE(t.dport, 2);
    h.update(ports);
  }
  return `1:${h.digest('base64')}`;
}
