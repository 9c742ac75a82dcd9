/**
 * Which records are "the same record": polls that overlap in time return some records twice,
 * and a sum must count them once. Identity, in order of preference:
 * 1. the vendor's record id (`id`, or `extra.id`), with the vendor and endpoint it belongs to;
 * 2. the flow's 5-tuple as the Community ID orders it, plus its start time (`start`, else `ts`):
 *    the same connection seen in two polls has both; two connections on the same tuple start
 *    apart. The identity is the ordered tuple as text, not its SHA-1 (the Community ID itself):
 *    equal exactly when the Community IDs are equal, without a hash per record
 *    (docs/performance.md#dedup-identity; test/lib/dedup/property.test.ts checks the two agree).
 * Records with neither (no addresses, e.g. FlowGateway metric buckets) have no identity and are
 * never treated as duplicates.
 */
import { communityTuple, type CommunityTuple } from '../community-id';

type Rec = Record<string, unknown>;

function idText(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' || v.length > 256 ? undefined : v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  return undefined;
}

function portOf(e: unknown): number | undefined {
  const p = e !== null && typeof e === 'object' ? (e as Rec).port : undefined;
  return typeof p === 'number' ? p : undefined;
}

function ipOf(e: unknown): string | undefined {
  const ip = e !== null && typeof e === 'object' ? (e as Rec).ip : undefined;
  return typeof ip === 'string' ? ip : undefined;
}

/** A flow identity before it is written as text: the ordered tuple and the start time. */
export interface FlowIdentity {
  tuple: CommunityTuple;
  start: number;
}

/**
 * The identity of a NetworkFlow record, by the rule above: the vendor id as its text, or the flow
 * tuple and start; undefined when it has none. The dedup cache keeps IPv4 flow identities as
 * numbers (flow-key.ts) and everything else as `identityText`.
 */
export function identityOf(record: unknown): string | FlowIdentity | undefined {
  if (record === null || typeof record !== 'object') return undefined;
  const r = record as Rec;
  const extra = r.extra !== null && typeof r.extra === 'object' ? (r.extra as Rec) : undefined;
  const vid = idText(r.id) ?? idText(extra?.id);
  if (vid !== undefined) return `id:${String(r.vendor)}:${String(r.endpoint)}:${vid}`;
  const start = typeof r.start === 'number' ? r.start : r.ts;
  if (typeof start !== 'number' || !Number.isFinite(start)) return undefined;
  const proto = r.protocol !== null && typeof r.protocol === 'object' ? (r.protocol as Rec).number : undefined;
  if (typeof proto !== 'number') return undefined;
  const srcIp = ipOf(r.src);
  const dstIp = ipOf(r.dst);
  if (srcIp === undefined || dstIp === undefined) return undefined;
  const tuple = communityTuple({ srcIp, dstIp, proto, srcPort: portOf(r.src), dstPort: portOf(r.dst) });
  return tuple === undefined ? undefined : { tuple, start };
}

/** An identity as text: what the dedup state stores and what `recordIdentity` returns. */
export function identityText(id: string | FlowIdentity): string {
  if (typeof id === 'string') return id;
  const t = id.tuple;
  // Canonical address text, so `fd00::1` and `fd00:0::1` are one address, as in the hash.
  return `flow:${t.proto}|${t.saddr.text}|${t.sport ?? ''}|${t.daddr.text}|${t.dport ?? ''}@${id.start}`;
}

/** The identity of a NetworkFlow record as text, or undefined when it has none (see above). */
export function recordIdentity(record: unknown): string | undefined {
  const id = identityOf(record);
  return id === undefined ? undefined : identityText(id);
}
