/**
 * An IPv4 flow identity as numbers (docs/performance.md#dedup-identity): what the dedup cache's
 * flow table (flow-table.ts) stores instead of identity text, its hash, and the conversions to and
 * from the text form the dedup state keeps (the same text `identityText` writes).
 */
import { intToIpv4, ipv4Value } from '../ip';
import type { FlowIdentity } from './identity';

/** An IPv4 flow's identity; a port of -1 stands for "none" (protocols hashed without ports). */
export interface FlowKey {
  proto: number;
  saddr: number;
  sport: number;
  daddr: number;
  dport: number;
  start: number;
}

export function emptyFlowKey(): FlowKey {
  return { proto: 0, saddr: 0, sport: -1, daddr: 0, dport: -1, start: 0 };
}

/** A 32-bit hash of a key; seeded per cache, so no one can pick flows that collide. */
export type FlowHasher = (seed: number, key: FlowKey) => number;

const START = new Float64Array(1);
const START_WORDS = new Uint32Array(START.buffer);

/** One MurmurHash3 block step. */
function step(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3 (32-bit) over the key's six words: the start enters as its exact float bits. */
export const murmurFlowHash: FlowHasher = (seed, k) => {
  START[0] = k.start;
  const ports = ((k.sport + 1) | ((k.proto & 0xff) << 17)) >>> 0;
  let h = step(step(step(step(step(step(seed | 0, k.saddr), k.daddr), ports), k.dport + 1), START_WORDS[0]!), START_WORDS[1]!);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};

/** Fills `out` with an IPv4 flow identity; false for IPv6 (the cache keeps those as text). */
export function toFlowKey(id: FlowIdentity, out: FlowKey): boolean {
  const t = id.tuple;
  if (t.saddr.version !== 4) return false;
  out.proto = t.proto;
  out.saddr = t.saddr.value as number;
  out.sport = t.sport ?? -1;
  out.daddr = t.daddr.value as number;
  out.dport = t.dport ?? -1;
  // + 0 turns -0 into 0: the text form writes both as "0", so they are one identity.
  out.start = id.start + 0;
  return true;
}

/** The key's identity text, as `identityText` writes it. */
export function flowKeyText(k: FlowKey): string {
  return `flow:${k.proto}|${intToIpv4(k.saddr)}|${k.sport < 0 ? '' : k.sport}|${intToIpv4(k.daddr)}|${k.dport < 0 ? '' : k.dport}@${k.start}`;
}

/**
 * A canonical decimal integer (no sign, no leading zero) spelling text[from, to) and at most
 * `max`; -1 for anything else.
 */
function uintAt(text: string, from: number, to: number, max: number): number {
  if (to <= from || to - from > 5 || (text.charCodeAt(from) === 48 /* 0 */ && to - from > 1)) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n <= max ? n : -1;
}

/**
 * Reads an IPv4 flow identity text (a saved state's) into `out`; false for any other text (a
 * vendor id, an IPv6 flow, anything malformed), which the cache keeps as text. Accepts exactly
 * the texts `flowKeyText` writes (canonical numbers and addresses), scanning instead of splitting:
 * a restore reads up to the cap's worth at once (docs/performance.md#dedup-identity), and
 * test/lib/dedup/flow-key.test.ts ties it to split, parse and write back.
 */
export function flowKeyFromText(text: string, out: FlowKey): boolean {
  if (text.length > 120 || !text.startsWith('flow:')) return false;
  const at = text.lastIndexOf('@');
  // The four separators of proto|saddr|sport|daddr|dport (a fifth would sit in dport, refused there).
  const b1 = text.indexOf('|', 5);
  const b2 = b1 < 0 ? -1 : text.indexOf('|', b1 + 1);
  const b3 = b2 < 0 ? -1 : text.indexOf('|', b2 + 1);
  const b4 = b3 < 0 ? -1 : text.indexOf('|', b3 + 1);
  if (b4 < 0 || at < b4) return false;
  const proto = uintAt(text, 5, b1, 255);
  const saddr = ipv4Value(text.slice(b1 + 1, b2));
  const sport = b3 === b2 + 1 ? -1 : uintAt(text, b2 + 1, b3, 65535);
  const daddr = ipv4Value(text.slice(b3 + 1, b4));
  const dport = at === b4 + 1 ? -1 : uintAt(text, b4 + 1, at, 65535);
  if (proto < 0 || saddr < 0 || daddr < 0 || (sport < 0 && b3 !== b2 + 1) || (dport < 0 && at !== b4 + 1)) return false;
  const startText = text.slice(at + 1);
  const start = Number(startText);
  // The number written back the same way: no other spelling of it, and not -0 (written "0").
  if (!Number.isFinite(start) || String(start) !== startText) return false;
  out.proto = proto;
  out.saddr = saddr;
  out.sport = sport;
  out.daddr = daddr;
  out.dport = dport;
  out.start = start;
  return true;
}
