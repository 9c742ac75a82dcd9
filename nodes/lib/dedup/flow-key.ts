/**
 * An IPv4 flow identity as numbers (docs/performance.md#dedup-identity): what the dedup cache's
 * flow table (flow-table.ts) stores instead of identity text, its hash, and the conversions to and
 * from the text form the dedup state keeps (the same text `identityText` writes).
 */
import { intToIpv4, parseIp } from '../ip';
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

function portFromText(p: string | undefined): number | undefined {
  if (p === '') return -1;
  const n = Number(p);
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}

/**
 * Reads an IPv4 flow identity text (a saved state's) into `out`; false for any other text (a
 * vendor id, an IPv6 flow, anything malformed), which the cache keeps as text.
 */
export function flowKeyFromText(text: string, out: FlowKey): boolean {
  if (!text.startsWith('flow:') || text.length > 120) return false;
  const at = text.lastIndexOf('@');
  if (at < 0) return false;
  const parts = text.slice(5, at).split('|');
  if (parts.length !== 5) return false;
  const proto = Number(parts[0]);
  const s = parseIp(parts[1]!);
  const d = parseIp(parts[3]!);
  const sport = portFromText(parts[2]);
  const dport = portFromText(parts[4]);
  const start = Number(text.slice(at + 1));
  if (!Number.isInteger(proto) || proto < 0 || proto > 255 || s?.version !== 4 || d?.version !== 4) return false;
  if (sport === undefined || dport === undefined || !Number.isFinite(start)) return false;
  Object.assign(out, { proto, saddr: s.value, sport, daddr: d.value, dport, start });
  // Only a text this module writes back the same way (canonical addresses and numbers).
  return flowKeyText(out) === text;
}
