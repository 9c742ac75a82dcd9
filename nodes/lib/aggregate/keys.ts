/**
 * Reading a record for the aggregate engine: the group key and identity of a record, metric values
 * as numbers, distinct values as text. Hostile values cost little: text is cut to 200 characters
 * and objects are never serialised.
 */
import type { PathReader } from '../record-path';
import type { GroupInfo } from './window-state';

const KEY_SEP = '\u001f';
const MAX_KEY_PART = 200;
const OBJECT_PART = '(object)';
export const NONE_LABEL = '(none)';

function keyPart(v: unknown): string {
  if (typeof v === 'string') return v.length > MAX_KEY_PART ? v.slice(0, MAX_KEY_PART) : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === undefined || v === null) return '';
  // An object is not a group value (group by protocol.name, not protocol); never serialised, so a
  // deep or huge value in a hostile record costs nothing.
  return OBJECT_PART;
}

export function distinctValue(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v.length > MAX_KEY_PART ? v.slice(0, MAX_KEY_PART) : v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === 'boolean') return String(v);
  if (v === undefined || v === null) return undefined;
  return OBJECT_PART;
}

/** A metric value as a number: missing is 0, a numeric string is read, anything else is NaN. */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v === undefined || v === null) return 0;
  return typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
}

/** The key of the group a record belongs to: its group-by values joined. */
export function groupKey(getters: readonly PathReader[], r: unknown): string {
  if (getters.length === 1) {
    const v = getters[0]!(r);
    return typeof v === 'string' && v.length <= MAX_KEY_PART ? v : keyPart(v);
  }
  let key = keyPart(getters[0]!(r));
  for (let i = 1; i < getters.length; i++) key += KEY_SEP + keyPart(getters[i]!(r));
  return key;
}

/** One group-by value as a group keeps it: null when missing, objects never kept. */
function groupPart(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === 'object') return OBJECT_PART;
  return typeof v === 'string' && v.length > MAX_KEY_PART ? v.slice(0, MAX_KEY_PART) : v;
}

/** A new group's values and label, from its first record. */
export function groupInfo(getters: readonly PathReader[], labelGetter: PathReader | null, key: string, r: unknown): GroupInfo {
  if (getters.length === 1 && labelGetter === null) {
    // The common case, once per new group per window: the same result as below without the
    // closures and the join (docs/performance.md#group-table).
    const part = groupPart(getters[0]!(r));
    return { key, parts: [part], label: part === null || part === '' ? NONE_LABEL : keyPart(part) };
  }
  const parts = getters.map((get) => groupPart(get(r)));
  let label: string | undefined;
  if (labelGetter) {
    const l = labelGetter(r);
    if (l !== undefined && l !== null && l !== '') label = keyPart(l);
  }
  if (label === undefined) label = parts.map((p) => (p === null || p === '' ? NONE_LABEL : keyPart(p))).join(' / ');
  return { key, parts, label };
}
