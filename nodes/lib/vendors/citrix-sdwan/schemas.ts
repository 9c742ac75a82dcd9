/**
 * Wire shapes of the Citrix SD-WAN NITRO monitor resources (docs/vendors/citrix-sdwan.md#responses): every documented
 * field is an optional string. Records are kept exactly as sent (unknown fields too, for newer
 * firmware). A number where a string is documented is accepted as it is, since firmware
 * versions differ; a record that is not an object, or a documented field holding anything else
 * (object, array, boolean, null), is reported and skipped.
 */
import { z } from 'zod';
import { BadResponseError, shapeOf } from '../../errors';
import type { InvalidRecord } from '../../validate';

import { SDWAN_FLOW_FIELDS, SDWAN_ILB_FIELDS } from './fields';

export { SDWAN_FLOW_FIELDS, SDWAN_ILB_FIELDS } from './fields';

export type SdwanEndpoint = 'flows' | 'ilbflows';

const field = z.union([z.string(), z.number()], { error: 'expected a string' }).optional();

function recordSchema<const K extends readonly string[]>(fields: K) {
  const shape = Object.fromEntries(fields.map((f) => [f, field])) as { [P in K[number]]: typeof field };
  return z.looseObject(shape);
}

export const sdwanFlowSchema = recordSchema(SDWAN_FLOW_FIELDS);
export const sdwanIlbFlowSchema = recordSchema(SDWAN_ILB_FIELDS);
export type SdwanFlow = z.infer<typeof sdwanFlowSchema>;
export type SdwanIlbFlow = z.infer<typeof sdwanIlbFlowSchema>;
export type SdwanRecord = SdwanFlow | SdwanIlbFlow;

export const SCHEMAS = { flows: sdwanFlowSchema, ilbflows: sdwanIlbFlowSchema } as const;

/** Which of the documented envelopes the appliance used (reported in `msg.networkFlows.envelope`). */
export type SdwanEnvelope = 'bare' | 'keyed' | 'nested';

/**
 * Unwraps the three documented response shapes: a bare array (11.0 swagger), `{"flows":[...]}`
 * (10.0 docs) and `{"flows":{"flows":[...],"metadata":[...]}}` (other resources of the guide).
 * As a last tolerance, an object with exactly one array-valued member is taken as keyed.
 */
export function unwrapEnvelope(body: unknown, resource: SdwanEndpoint, label = `GET ${resource}`): { items: unknown[]; envelope: SdwanEnvelope } {
  if (Array.isArray(body)) return { items: body, envelope: 'bare' };
  if (body !== null && typeof body === 'object') {
    const o = body as Record<string, unknown>;
    const inner = o[resource];
    if (Array.isArray(inner)) return { items: inner, envelope: 'keyed' };
    if (inner !== null && typeof inner === 'object' && Array.isArray((inner as Record<string, unknown>)[resource])) {
      return { items: (inner as Record<string, unknown[]>)[resource]!, envelope: 'nested' };
    }
    if (inner === undefined) {
      const arrays = Object.values(o).filter(Array.isArray);
      if (arrays.length === 1) return { items: arrays[0]!, envelope: 'keyed' };
    }
  }
  const shape = shapeOf(body);
  throw new BadResponseError(`${label}: expected an array of ${resource} records, {"${resource}":[...]} or {"${resource}":{"${resource}":[...]}}, got ${shape}`);
}

export type { InvalidRecord } from '../../validate';

/** Validates each record on its own: a bad one is listed in `invalid`, the rest are kept as sent. */
export function validateRecords(items: readonly unknown[], resource: SdwanEndpoint): { records: SdwanRecord[]; invalid: InvalidRecord[] } {
  const schema = SCHEMAS[resource];
  const records: SdwanRecord[] = [];
  const invalid: InvalidRecord[] = [];
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      invalid.push({ index, reason: `expected an object, got ${item === null ? 'null' : Array.isArray(item) ? 'an array' : typeof item}` });
      continue;
    }
    const r = schema.safeParse(item);
    if (r.success) {
      // Keep the record exactly as sent (zod would copy it; the original is what the vendor said).
      records.push(item as SdwanRecord);
    } else {
      const issue = r.error.issues[0]!;
      const name = issue.path.map(String).join('.');
      const got = (item as Record<string, unknown>)[String(issue.path[0])];
      const kind = got === null ? 'null' : Array.isArray(got) ? 'an array' : typeof got;
      invalid.push({ index, reason: `field "${name}": expected a string, got ${kind}` });
    }
  }
  return { records, invalid };
}
