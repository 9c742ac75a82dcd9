/**
 * zod schemas of Firewalla MSP `GET /v2/flows` (docs/vendors/firewalla.md#records): a page
 * `{count, results, next_cursor}`, a Flow (regular or blocked), and a grouped row (a `groupBy`
 * answer: group keys plus count/download/upload/total, no ts or gid). Unknown fields are kept.
 * Optional fields may be null: live responses leave names out in several ways.
 *
 * A page of 500 records goes through `validateRecords`: a hand-written check that accepts exactly
 * what the schema accepts for the common case, with zod run only when that check fails (to give
 * zod's reason, or to accept what the quick check was too strict about). Records are returned as
 * sent, never zod's copies, so both paths give identical output.
 */
import { z } from 'zod';
import type { InvalidRecord } from '../../validate';

const str = z.string().nullish();
const num = z.number().finite().nullish();

const ref = z.looseObject({ id: str, ip: str, name: str });

export const flowSchema = z.looseObject({
  ts: z.number().finite(),
  gid: z.string(),
  protocol: str,
  direction: str,
  block: z.boolean().nullish(),
  blockType: str,
  download: num,
  upload: num,
  total: num,
  duration: num,
  count: num,
  category: str,
  region: str,
  domain: str,
  country: str,
  device: z.looseObject({ id: str, ip: str, name: str, port: z.union([z.string(), z.number()]).nullish() }).nullish(),
  network: z.looseObject({ id: str, name: str }).nullish(),
  group: z.looseObject({ id: str, name: str }).nullish(),
  source: ref.nullish(),
  destination: ref.nullish(),
});
export type FirewallaFlow = z.infer<typeof flowSchema>;

/** A groupBy row: the group keys (any shape) and the sums. */
export const groupedRowSchema = z.looseObject({
  count: z.number().finite(),
  download: num,
  upload: num,
  total: num,
});
export type FirewallaGroupedRow = z.infer<typeof groupedRowSchema>;

export const pageSchema = z.looseObject({
  count: z.number().int().nonnegative().optional(),
  results: z.array(z.unknown()),
  next_cursor: z.string().nullish(),
});
export type FirewallaPageBody = z.infer<typeof pageSchema>;

export type FirewallaRecord = FirewallaFlow | FirewallaGroupedRow;

export type { InvalidRecord } from '../../validate';
/**
 * A Box of `GET /v2/boxes` (docs/vendors/firewalla.md#boxes): `gid` is the id flows carry in
 * their `gid` and the query language calls `box.id`. Everything but the gid may be missing.
 */
export const boxSchema = z.looseObject({
  gid: z.string().min(1).max(256),
  name: str,
  model: str,
  mode: str,
  version: str,
  online: z.boolean().nullish(),
  publicIP: str,
  lastSeen: num,
  license: str,
  location: str,
  deviceCount: num,
  ruleCount: num,
  alarmCount: num,
  group: z.looseObject({ id: z.union([z.string(), z.number()]).nullish(), name: str }).nullish(),
});
export type FirewallaBox = z.infer<typeof boxSchema>;

/** At most this many boxes are read from one answer (an MSP has tens to hundreds). */
export const MAX_BOXES = 5000;

/** The box list: an array of boxes; bad entries are reported and skipped. */
export function validateBoxes(body: unknown): { boxes: FirewallaBox[]; invalid: InvalidRecord[] } | { reason: string } {
  if (!Array.isArray(body)) return { reason: `expected an array of boxes, got ${body === null ? 'null' : typeof body}` };
  if (body.length > MAX_BOXES) return { reason: `expected at most ${MAX_BOXES} boxes, got ${body.length}` };
  const boxes: FirewallaBox[] = [];
  const invalid: InvalidRecord[] = [];
  for (let i = 0; i < body.length; i++) {
    const parsed = boxSchema.safeParse(body[i]);
    if (parsed.success) boxes.push(body[i] as FirewallaBox);
    else invalid.push({ index: i, reason: reasonOf(parsed.error) });
  }
  return { boxes, invalid };
}


type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function okStr(v: unknown): boolean {
  return v === undefined || v === null || typeof v === 'string';
}
function okNum(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'number' && Number.isFinite(v));
}
function okRef(v: unknown, withPort: boolean): boolean {
  if (v === undefined || v === null) return true;
  if (!isObj(v)) return false;
  if (!okStr(v.id) || !okStr(v.ip) || !okStr(v.name)) return false;
  if (withPort) {
    const p = v.port;
    return p === undefined || p === null || typeof p === 'string' || (typeof p === 'number' && Number.isFinite(p));
  }
  return true;
}
function okNamed(v: unknown): boolean {
  return v === undefined || v === null || (isObj(v) && okStr(v.id) && okStr(v.name));
}

/** Mirrors flowSchema: true only when zod would accept the record too. */
export function quickFlowCheck(r: unknown): boolean {
  if (!isObj(r)) return false;
  return (
    typeof r.ts === 'number' &&
    Number.isFinite(r.ts) &&
    typeof r.gid === 'string' &&
    okStr(r.protocol) &&
    okStr(r.direction) &&
    (r.block === undefined || r.block === null || typeof r.block === 'boolean') &&
    okStr(r.blockType) &&
    okNum(r.download) &&
    okNum(r.upload) &&
    okNum(r.total) &&
    okNum(r.duration) &&
    okNum(r.count) &&
    okStr(r.category) &&
    okStr(r.region) &&
    okStr(r.domain) &&
    okStr(r.country) &&
    okRef(r.device, true) &&
    okNamed(r.network) &&
    okNamed(r.group) &&
    okRef(r.source, false) &&
    okRef(r.destination, false)
  );
}

/** Mirrors groupedRowSchema. */
export function quickGroupedCheck(r: unknown): boolean {
  return isObj(r) && typeof r.count === 'number' && Number.isFinite(r.count) && okNum(r.download) && okNum(r.upload) && okNum(r.total);
}

function reasonOf(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

/**
 * Splits a page's results into valid records (as sent) and the invalid ones with a reason. One
 * bad record never drops the others.
 */
export function validateRecords(results: readonly unknown[], grouped: boolean): { records: FirewallaRecord[]; invalid: InvalidRecord[] } {
  const quick = grouped ? quickGroupedCheck : quickFlowCheck;
  const schema = grouped ? groupedRowSchema : flowSchema;
  const records: FirewallaRecord[] = [];
  const invalid: InvalidRecord[] = [];
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    if (quick(r)) {
      records.push(r as FirewallaRecord);
      continue;
    }
    const parsed = schema.safeParse(r);
    if (parsed.success) records.push(r as FirewallaRecord);
    else invalid.push({ index: i, reason: reasonOf(parsed.error) });
  }
  return { records, invalid };
}

/** The page envelope; returns a reason when it is not one. */
export function checkPage(body: unknown): { page: FirewallaPageBody } | { reason: string } {
  if (isObj(body) && Array.isArray(body.results) && (body.count === undefined || (Number.isInteger(body.count) && (body.count as number) >= 0)) &&
    (body.next_cursor === undefined || body.next_cursor === null || typeof body.next_cursor === 'string')) {
    return { page: body as FirewallaPageBody };
  }
  const parsed = pageSchema.safeParse(body);
  if (parsed.success) return { page: body as FirewallaPageBody };
  return { reason: reasonOf(parsed.error) };
}
