/**
 * Records of the network-flow-collector node are NetworkFlow records already: normalize passes
 * them through, filling in the direction from its internal networks (the collector cannot know
 * which side is local), so the rest of the chain works on them unchanged.
 */
import { inAnyRange, parseIp } from '../ip';
import type { NetworkFlow } from '../network-flow';
import { deriveDirection } from './reader';
import type { BatchContext, VendorRecord } from './types';

/** True for a NetworkFlow record that the collector built (vendor `netflow` or `ipfix`). */
export function isCollectorFlow(r: VendorRecord): boolean {
  return (r.vendor === 'netflow' || r.vendor === 'ipfix') && r.kind === 'flow' && typeof r.ts === 'number';
}

function internal(ip: unknown, ctx: BatchContext): boolean | undefined {
  if (typeof ip !== 'string') return undefined;
  const p = parseIp(ip);
  return p === undefined ? undefined : inAnyRange(p, ctx.reader.internal);
}

/** The record as it is, or with a direction; undefined (with `reader.error`) when it is not whole. */
export function collectorFlow(r: VendorRecord, ctx: BatchContext): NetworkFlow | undefined {
  const src = r.src as Record<string, unknown> | undefined;
  const dst = r.dst as Record<string, unknown> | undefined;
  if (src === null || typeof src !== 'object' || dst === null || typeof dst !== 'object') {
    ctx.reader.fail('src', 'a collector record needs src and dst objects');
    return undefined;
  }
  const flow = r as unknown as NetworkFlow;
  if (flow.direction !== undefined && flow.direction !== 'unknown') return flow;
  return { ...flow, direction: deriveDirection(internal(src.ip, ctx), internal(dst.ip, ctx)) };
}
