/**
 * The one IP helper: parsing, canonical form, CIDR ranges, internal-network tests. Built on
 * ipaddr.js for parsing; ranges are plain numbers (IPv4) and BigInt (IPv6) so hot paths can
 * compare without objects.
 */
import ipaddr from 'ipaddr.js';

export type IpVersion = 4 | 6;

export interface ParsedIp {
  version: IpVersion;
  /** Canonical text: IPv4 dotted quad, IPv6 compressed lowercase; IPv4-mapped IPv6 unmapped. */
  text: string;
  /** IPv4 as an unsigned 32-bit integer, IPv6 as a 128-bit BigInt. */
  value: number | bigint;
}

export interface CidrRange {
  version: IpVersion;
  /** First and last address of the range, inclusive. */
  first: number | bigint;
  last: number | bigint;
  prefix: number;
  text: string;
}

/**
 * A canonical IPv4 dotted quad (four 0..255 octets, no leading zeros, no spaces: exactly the
 * text `parseIp` returns unchanged) as an unsigned 32-bit integer; -1 for anything else, which
 * then goes through `parseIp` (IPv6, IPv4-mapped, brackets). No regex, no allocation: the
 * normalizer and the compiled filter run it for every record (docs/performance.md#ipv4-scanning).
 */
export function ipv4Value(text: string): number {
  const len = text.length;
  if (len < 7 || len > 15) return -1;
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else {
      const d = c - 48;
      // Not a digit, or a second digit after a leading 0 ("01" is not canonical).
      if (d < 0 || d > 9 || (digits === 1 && octet === 0)) return -1;
      octet = octet * 10 + d;
      if (++digits > 3 || octet > 255) return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

// `isCanonicalIpv4`: the same language as `ipv4Value`, as a table-driven automaton, for callers
// that need no value (docs/performance.md#ipv4-scanning).
//
// Character classes: 0 '0', 1 '1', 2 '2', 3 '3'-'4', 4 '5', 5 '6'-'9', 6 '.', 7 anything else.
// States per octet: 0 start, 1 after "0", 2 after "1", 3 after "2", 4 after "3".."9",
// 5 after "1d", 6 after "2" + "0".."4", 7 after "25", 8 three digits (only a dot may follow).
// State 0 of the table rejects; octet o, sub-state k is 1 + 9 * o + k.
const V4_CLASS = new Uint8Array(128).fill(7);
const V4_NEXT = new Uint8Array((1 + 4 * 9) * 8);
const V4_FINAL = new Uint8Array(1 + 4 * 9);
{
  '0123456789.'.split('').forEach((ch, i) => {
    V4_CLASS[ch.charCodeAt(0)] = [0, 1, 2, 3, 3, 4, 5, 5, 5, 5, 6][i]!;
  });
  const ANY = [0, 1, 2, 3, 4, 5];
  for (let o = 0; o < 4; o++) {
    const state = (k: number): number => 1 + 9 * o + k;
    const on = (k: number, classes: readonly number[], to: number): void => {
      for (const c of classes) V4_NEXT[state(k) * 8 + c] = state(to);
    };
    on(0, [0], 1);
    on(0, [1], 2);
    on(0, [2], 3);
    on(0, [3, 4, 5], 4);
    on(2, ANY, 5);
    on(3, [0, 1, 2, 3], 6);
    on(3, [4], 7);
    on(3, [5], 8);
    on(4, ANY, 8);
    on(5, ANY, 8);
    on(6, ANY, 8);
    on(7, [0, 1, 2, 3, 4], 8);
    for (let k = 1; k <= 8; k++) {
      if (o < 3) V4_NEXT[state(k) * 8 + 6] = 1 + 9 * (o + 1);
      else V4_FINAL[state(k)] = 1;
    }
  }
}

/** True exactly when `ipv4Value(text) >= 0`: a canonical dotted quad. */
export function isCanonicalIpv4(text: string): boolean {
  const len = text.length;
  if (len < 7 || len > 15) return false;
  let state = 1;
  let high = 0; // any character above 127 (looked up by its low 7 bits) makes it invalid
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    high |= c;
    state = V4_NEXT[(state << 3) | V4_CLASS[c & 127]!]!;
  }
  return V4_FINAL[state] === 1 && high < 128;
}

export function ipv4ToInt(bytes: readonly number[]): number {
  return ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
}

export function ipv6ToBigInt(parts: readonly number[]): bigint {
  let v = 0n;
  for (const p of parts) v = (v << 16n) | BigInt(p);
  return v;
}

/**
 * Longer text is no address, refused before trim() or ipaddr.js's patterns read it (those
 * took 70 ms on 1 MB of `1:`). The longest form, IPv4-mapped IPv6 written out in full
 * (`0000:0000:0000:0000:0000:ffff:255.255.255.255`), is 45 characters; the rest leaves room
 * for brackets, a zone id and white space.
 */
export const MAX_IP_TEXT = 100;

/**
 * Parses an IP address. Accepts IPv4 dotted quads and any IPv6 form (zone ids are dropped);
 * IPv4-mapped IPv6 (`::ffff:10.1.2.3`) comes back as IPv4. Returns undefined when invalid.
 */
export function parseIp(input: string): ParsedIp | undefined {
  if (typeof input !== 'string' || input.length > MAX_IP_TEXT) return undefined;
  let s = input.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  if (s === '') return undefined;
  if (!s.includes(':')) {
    // Strict dotted quad only: no octal, hex or short forms, which ipaddr.js would accept.
    const value = ipv4Value(s);
    return value < 0 ? undefined : { version: 4, text: s, value };
  }
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!ipaddr.IPv6.isValid(s)) return undefined;
  const v6 = ipaddr.IPv6.parse(s);
  if (v6.isIPv4MappedAddress()) {
    const v4 = v6.toIPv4Address();
    return { version: 4, text: v4.toString(), value: ipv4ToInt(v4.octets) };
  }
  return { version: 6, text: v6.toString(), value: ipv6ToBigInt(v6.parts) };
}

/** Canonical text of an address, or undefined when it is not one. */
export function canonicalIp(input: string): string | undefined {
  return parseIp(input)?.text;
}

/**
 * Parses `10.0.0.0/8`, `2001:db8::/32`, or a bare address (a /32 or /128). Host bits are
 * allowed and masked off (`10.1.2.3/8` is 10.0.0.0/8), as nfdump does.
 */
export function parseCidr(input: string): CidrRange | undefined {
  if (input.length > MAX_IP_TEXT + 4) return undefined;
  const s = input.trim();
  const slash = s.indexOf('/');
  const addr = parseIp(slash < 0 ? s : s.slice(0, slash));
  if (!addr) return undefined;
  const max = addr.version === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return undefined;
    prefix = Number(p);
    // An IPv4-mapped IPv6 CIDR (::ffff:10.0.0.0/104) is the IPv4 /8.
    if (addr.version === 4 && s.slice(0, slash).includes(':')) prefix -= 96;
    if (prefix < 0 || prefix > max) return undefined;
  }
  if (addr.version === 4) {
    const v = addr.value as number;
    const size = 2 ** (32 - prefix);
    const first = Math.floor(v / size) * size;
    return { version: 4, first, last: first + size - 1, prefix, text: `${intToIpv4(first)}/${prefix}` };
  }
  const v = addr.value as bigint;
  const hostBits = BigInt(128 - prefix);
  const first = (v >> hostBits) << hostBits;
  const last = first + (1n << hostBits) - 1n;
  return { version: 6, first, last, prefix, text: `${bigIntToIpv6(first)}/${prefix}` };
}

export function intToIpv4(v: number): string {
  // A template string, not [..].join('.'): the collector formats two addresses per record.
  return `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

export function bigIntToIpv6(v: bigint): string {
  const parts: number[] = [];
  for (let i = 7; i >= 0; i--) parts.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  return new ipaddr.IPv6(parts).toString();
}

export function inRange(ip: ParsedIp, range: CidrRange): boolean {
  if (ip.version !== range.version) return false;
  return ip.value >= range.first && ip.value <= range.last;
}

/** RFC 1918, CGNAT 100.64/10, ULA fc00::/7 (the `internalNetworks` default, docs/design.md#network-flow-normalize). */
export const DEFAULT_INTERNAL_NETWORKS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'];

/**
 * Parses a comma-separated CIDR list (`internalNetworks`). Throws an Error naming the first bad
 * entry; an empty list gives the defaults.
 */
export function parseCidrList(list: string | readonly string[]): CidrRange[] {
  const items = (typeof list === 'string' ? list.split(',') : [...list]).map((x) => x.trim()).filter(Boolean);
  const source = items.length ? items : DEFAULT_INTERNAL_NETWORKS;
  return source.map((item) => {
    const r = parseCidr(item);
    if (!r) throw new Error(`"${item}" is not an IPv4 or IPv6 address or CIDR (expected e.g. 10.0.0.0/8 or fd00::/8)`);
    return r;
  });
}

/** True when the address falls in any of the ranges. */
export function inAnyRange(ip: ParsedIp, ranges: readonly CidrRange[]): boolean {
  for (const r of ranges) if (inRange(ip, r)) return true;
  return false;
}

/**
 * Ranges that no public database describes: private (RFC 1918, CGNAT, ULA), loopback,
 * link-local, unspecified, multicast, reserved and documentation-free "this network" blocks.
 * The enrich node gives such addresses only local names (docs/enrich.md#what-is-looked-up).
 */
const NON_PUBLIC = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12',
  '192.168.0.0/16', '224.0.0.0/4', '240.0.0.0/4', '::/128', '::1/128', 'fc00::/7', 'fe80::/10', 'ff00::/8',
].map((c) => parseCidr(c)!);

/** True for an address in one of the non-public ranges above. */
export function isNonPublicIp(ip: ParsedIp): boolean {
  return inAnyRange(ip, NON_PUBLIC);
}
