/**
 * What a `GET /v2/flows` request asks for (docs/vendors/firewalla.md): the search query matched
 * against generated flows (with the shared parser of the client), the time window its `ts`
 * terms allow, `groupBy` keys and `sortBy` orders. Errors are `BadRequest` (answered with 400).
 */
import { globParts, matchGlobParts } from '../../nodes/lib/filter/glob';
import { QUALIFIERS, type QueryTerm, type QueryValue } from '../../nodes/lib/vendors/firewalla/query';
import type { SimFlow } from '../traffic';
import { boxOf, PROTO } from './render';

/** A request the service refuses with 400; the message is the answer's text. */
export class BadRequest extends Error {}

type Getter = (f: SimFlow) => string | number | undefined;

const GETTERS: Record<string, Getter> = {
  ts: (f) => f.ts / 1000,
  status: (f) => (f.blocked ? 'blocked' : 'ok'),
  direction: (f) => f.direction,
  'box.id': (f) => boxOf(f).id,
  'box.name': (f) => boxOf(f).name,
  'box.group.id': (f) => boxOf(f).groupId,
  'device.id': (f) => f.device.mac,
  'device.name': (f) => f.device.name,
  'network.id': (f) => f.device.network.id,
  'network.name': (f) => f.device.network.name,
  category: (f) => f.service.category,
  domain: (f) => (f.direction === 'local' ? undefined : f.service.domain),
  region: (f) => (f.direction === 'local' ? undefined : f.service.region),
  sport: (f) => f.srcPort,
  dport: (f) => f.dstPort,
  download: (f) => (f.blocked ? undefined : f.download),
  upload: (f) => (f.blocked ? undefined : f.upload),
  total: (f) => (f.blocked ? undefined : f.download + f.upload),
};
// Every qualifier the shared parser knows has a getter here.
for (const q of Object.keys(QUALIFIERS)) if (!GETTERS[q]) throw new Error(`simulator/firewalla/query: no getter for ${q}`);


function valueMatcher(v: QueryValue, isTs: boolean): (x: string | number) => boolean {
  switch (v.kind) {
    case 'text': {
      if (v.wildcard) {
        // A linear matcher: a RegExp with `.*` per star backtracks exponentially in the stars.
        const parts = globParts(v.text);
        return (x) => matchGlobParts(parts, String(x));
      }
      return (x) => String(x) === v.text;
    }
    case 'number':
      return isTs ? (x) => (x as number) >= v.value && (x as number) < v.value + 1 : (x) => x === v.value;
    case 'compare':
      switch (v.op) {
        case '>':
          return (x) => (x as number) > v.value;
        case '>=':
          return (x) => (x as number) >= v.value;
        case '<':
          return (x) => (x as number) < v.value;
        default:
          return (x) => (x as number) <= v.value;
      }
    case 'range':
      return isTs ? (x) => (x as number) >= v.from && (x as number) < v.to : (x) => (x as number) >= v.from && (x as number) <= v.to;
  }
}

export function compile(terms: QueryTerm[]): (f: SimFlow) => boolean {
  const preds = terms.map((t) => {
    const get = GETTERS[t.qualifier]!;
    const ms = t.values.map((v) => valueMatcher(v, t.qualifier === 'ts'));
    const one = (f: SimFlow): boolean => {
      const x = get(f);
      if (x === undefined) return false;
      for (const m of ms) if (m(x)) return true;
      return false;
    };
    return t.negated ? (f: SimFlow) => !one(f) : one;
  });
  // Without a status term the service lists allowed flows; blocked ones need status:blocked.
  if (!terms.some((t) => t.qualifier === 'status')) preds.push((f) => !f.blocked);
  // An offline box reports nothing.
  preds.push((f) => boxOf(f).online);
  return (f) => {
    for (const p of preds) if (!p(f)) return false;
    return true;
  };
}

/** The [begin, end) window in ms that the positive ts terms allow, clamped to retention and now. */
export function windowOf(terms: QueryTerm[], now: number, retentionMs: number): [number, number] {
  let begin = -Infinity;
  let end = Infinity;
  let any = false;
  for (const t of terms) {
    if (t.qualifier !== 'ts' || t.negated) continue;
    any = true;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of t.values) {
      const [a, b] =
        v.kind === 'range' ? [v.from, v.to] :
        v.kind === 'number' ? [v.value, v.value + 1] :
        v.kind === 'compare' ? (v.op.startsWith('>') ? [v.value, Infinity] : [-Infinity, v.value + 0.001]) :
        [-Infinity, Infinity];
      lo = Math.min(lo, a);
      hi = Math.max(hi, b);
    }
    begin = Math.max(begin, lo * 1000);
    end = Math.min(end, hi * 1000);
  }
  if (!any) return [now - 24 * 3600_000, now];
  return [Math.max(begin, now - retentionMs), Math.min(end, now)];
}

export const FLOW_SORT_KEYS: Record<string, (f: SimFlow) => number> = {
  ts: (f) => f.ts,
  total: (f) => (f.blocked ? 0 : f.download + f.upload),
  download: (f) => (f.blocked ? 0 : f.download),
  upload: (f) => (f.blocked ? 0 : f.upload),
  duration: (f) => f.durationMs,
  count: () => 1,
};
const GROUP_SORT_KEYS = ['count', 'download', 'upload', 'total'];

export const GROUP_KEYS: Record<string, (f: SimFlow) => [string, unknown]> = {
  domain: (f) => ['domain', f.direction === 'local' ? null : f.service.domain],
  box: (f) => {
    const b = boxOf(f);
    return ['box', { id: b.id, name: b.name }];
  },
  device: (f) => ['device', { id: f.device.mac, ip: f.device.ip, name: f.device.name }],
  network: (f) => ['network', { id: f.device.network.id, name: f.device.network.name }],
  group: (f) => ['group', f.device.group ? { id: f.device.group.id, name: f.device.group.name } : null],
  category: (f) => ['category', f.service.category],
  region: (f) => ['region', f.direction === 'local' ? null : f.service.region],
  country: (f) => ['country', f.direction === 'local' ? null : f.service.region],
  direction: (f) => ['direction', f.direction],
  protocol: (f) => ['protocol', PROTO[f.proto]],
  status: (f) => ['status', f.blocked ? 'blocked' : 'ok'],
};

export function parseSort(sortBy: string, grouped: boolean): Array<{ key: string; desc: boolean }> {
  if (sortBy.trim() === '') return grouped ? [] : [{ key: 'ts', desc: true }];
  return sortBy.split(',').map((part) => {
    const [key = '', dir = 'desc', extra] = part.trim().split(':');
    if (extra !== undefined || (dir !== 'asc' && dir !== 'desc')) throw new BadRequest(`invalid sortBy "${part.trim()}": expected field:asc or field:desc`);
    const known = grouped ? GROUP_SORT_KEYS.includes(key) || key in GROUP_KEYS : key in FLOW_SORT_KEYS;
    if (!known) throw new BadRequest(`unsupported sortBy field "${key}"`);
    return { key, desc: dir === 'desc' };
  });
}
