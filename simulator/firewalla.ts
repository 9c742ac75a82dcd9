/**
 * The Firewalla MSP side of the simulator (docs/vendors/firewalla.md): `GET /v2/flows` with
 * `Authorization: Token <token>`, the search query language, `groupBy`, `sortBy`, `limit`
 * (default 200, at most 500), cursor pagination newest first, blocked flows through
 * `status:blocked` (and nothing for `block:true`, as measured), the measured error shapes, and a
 * per-token rate limit with `x-ratelimit-*` headers on every response.
 *
 * Records are rendered from the shared generated traffic, in the documented Flow shape plus the
 * live-seen `total`, `domain` and `country`. A `ts:desc` query walks the one-second buckets from
 * the newest; the cursor is the position in that walk (bucket second + index), so page 200 costs
 * the same as page 1. Other sort orders and groupBy collect the window once per page request and
 * use an offset cursor. Assumptions where the docs are silent: `ts:<b>-<e>` is half-open
 * (b <= ts < e, so polls `ts:<last>-<now>` never overlap); without a `status` term only allowed
 * (not blocked) flows are returned; a cursor only works with the query that produced it.
 *
 * Test handle: `firewallaSim(sim)` returns this module's switches and counters.
 */
import type http from 'node:http';
import { globParts, matchGlobParts } from '../nodes/lib/filter/glob';
import { QUALIFIERS, QuerySyntaxError, parseQuery, type QueryTerm, type QueryValue } from '../nodes/lib/vendors/firewalla/query';
import { DEMO_CREDENTIALS, registerVendor, sendJson, type SimContext, type SimRequest, type Simulator, type SimulatorOptions, type VendorModule } from './server';
import type { SimFlow } from './traffic';
import { BoxCatalog, type SimBox } from './firewalla-boxes';

export interface FirewallaSimOptions extends SimulatorOptions {
  /** Requests per token per window. Default 100 (about what the live service allows). */
  firewallaRateLimit?: number;
  /** Rate-limit window. Default 5 minutes. */
  firewallaRateWindowMs?: number;
  /** More tokens the simulator accepts, each with its own budget. */
  firewallaTokens?: string[];
  /** A token that authenticates but is not allowed (403). Default `FIREWALLA_FORBIDDEN_TOKEN`. */
  firewallaForbiddenToken?: string;
  /** How far back flows are kept. Default 30 days. */
  firewallaRetentionDays?: number;
  /** Boxes of this MSP (`GET /v2/boxes`); each flow belongs to one. Default 2. */
  firewallaBoxes?: number;
}

export const FIREWALLA_FORBIDDEN_TOKEN = 'fw-demo-forbidden-token-9876543210';
export const FIREWALLA_DEFAULT_LIMIT = 200;
export const FIREWALLA_MAX_LIMIT = 500;

export interface FirewallaSimState {
  /** A server bug: `next_cursor` repeats the cursor of the request (from the second page on). */
  repeatCursor: boolean;
  /** The 401 text echoes the token it got, as careless services do (for redaction tests). */
  echoToken: boolean;
  rateLimit: number;
  rateWindowMs: number;
  /** Answers (any status) and 429s sent. */
  served: number;
  rateLimited: number;
  /** Resets every token's budget. */
  resetBudgets(): void;
  /** Renders the records a query would return for a window (all pages), for tests to recompute answers. */
  render(f: SimFlow): Record<string, unknown>;
  /** The boxes of this MSP; `boxes.setOnline(gid, false)` takes one offline (no flows). */
  boxes: BoxCatalog;
}

const STATES = new WeakMap<SimulatorOptions, FirewallaSimState>();

/** The Firewalla module's state of a running simulator (it must serve `firewalla`). */
export function firewallaSim(sim: Simulator): FirewallaSimState {
  const s = STATES.get(sim.options);
  if (!s) throw new Error('this simulator does not serve firewalla');
  return s;
}

/**
 * The boxes (simulator/firewalla-boxes.ts). Requests are answered synchronously, so the module-level
 * catalog is set to the serving simulator's own at the start of each one.
 */
const DEFAULT_CATALOG = new BoxCatalog(2);
let catalog = DEFAULT_CATALOG;
function boxOf(f: SimFlow): SimBox {
  return catalog.boxOf(f);
}

const PROTO: Record<number, string> = { 6: 'tcp', 17: 'udp', 1: 'icmp' };

function devicePort(f: SimFlow): number {
  return f.direction === 'inbound' ? f.dstPort : f.srcPort;
}

export function renderFlow(f: SimFlow): Record<string, unknown> {
  const box = boxOf(f);
  const dev = f.device;
  const local = f.direction === 'local';
  const remote = local
    ? { id: f.peer!.mac, ip: f.peer!.ip, name: f.peer!.name }
    : { id: f.service.domain, ip: f.service.ip, name: f.service.domain };
  const me = { id: dev.mac, ip: dev.ip, name: dev.name };
  const r: Record<string, unknown> = {
    ts: f.ts / 1000,
    gid: box.id,
    protocol: PROTO[f.proto],
    direction: f.direction,
    block: f.blocked,
  };
  if (f.blocked) r.blockType = f.blockType;
  else {
    r.download = f.download;
    r.upload = f.upload;
    r.total = f.download + f.upload;
  }
  r.duration = f.durationMs / 1000;
  r.category = f.service.category;
  r.count = 1;
  if (!local) r.region = f.service.region;
  r.device = { id: dev.mac, ip: dev.ip, name: dev.name, port: String(devicePort(f)) };
  r.network = { id: dev.network.id, name: dev.network.name };
  if (dev.group) r.group = { id: dev.group.id, name: dev.group.name };
  r.source = f.direction === 'inbound' ? remote : me;
  r.destination = f.direction === 'inbound' ? me : remote;
  if (!local) {
    r.domain = f.service.domain;
    r.country = f.service.region;
  }
  return r;
}

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
for (const q of Object.keys(QUALIFIERS)) if (!GETTERS[q]) throw new Error(`simulator/firewalla: no getter for ${q}`);


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

function compile(terms: QueryTerm[]): (f: SimFlow) => boolean {
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
function windowOf(terms: QueryTerm[], now: number, retentionMs: number): [number, number] {
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

interface Cursor {
  v: 1;
  /** Query key: a cursor only works with the query that produced it. */
  k: string;
  b: number;
  e: number;
  /** Scan position (ts:desc) ... */
  s?: number;
  i?: number;
  /** ... or offset (other orders, groupBy). */
  o?: number;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}
function decodeCursor(text: string): Cursor | undefined {
  try {
    const c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
    return c && c.v === 1 && typeof c.k === 'string' && Number.isFinite(c.b) && Number.isFinite(c.e) ? c : undefined;
  } catch {
    return undefined;
  }
}

function queryKey(query: string, groupBy: string, sortBy: string): string {
  let h = 2166136261;
  for (const ch of `${query}\u0000${groupBy}\u0000${sortBy}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h.toString(36);
}

const FLOW_SORT_KEYS: Record<string, (f: SimFlow) => number> = {
  ts: (f) => f.ts,
  total: (f) => (f.blocked ? 0 : f.download + f.upload),
  download: (f) => (f.blocked ? 0 : f.download),
  upload: (f) => (f.blocked ? 0 : f.upload),
  duration: (f) => f.durationMs,
  count: () => 1,
};
const GROUP_SORT_KEYS = ['count', 'download', 'upload', 'total'];

const GROUP_KEYS: Record<string, (f: SimFlow) => [string, unknown]> = {
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

class BadRequest extends Error {}

function parseSort(sortBy: string, grouped: boolean): Array<{ key: string; desc: boolean }> {
  if (sortBy.trim() === '') return grouped ? [] : [{ key: 'ts', desc: true }];
  return sortBy.split(',').map((part) => {
    const [key = '', dir = 'desc', extra] = part.trim().split(':');
    if (extra !== undefined || (dir !== 'asc' && dir !== 'desc')) throw new BadRequest(`invalid sortBy "${part.trim()}": expected field:asc or field:desc`);
    const known = grouped ? GROUP_SORT_KEYS.includes(key) || key in GROUP_KEYS : key in FLOW_SORT_KEYS;
    if (!known) throw new BadRequest(`unsupported sortBy field "${key}"`);
    return { key, desc: dir === 'desc' };
  });
}

registerVendor('firewalla', (ctx: SimContext, options: SimulatorOptions): VendorModule => {
  const opts = options as FirewallaSimOptions;
  const tokens = new Set([options.credentials?.firewallaToken ?? DEMO_CREDENTIALS.firewallaToken, ...(opts.firewallaTokens ?? [])]);
  const forbidden = opts.firewallaForbiddenToken ?? FIREWALLA_FORBIDDEN_TOKEN;
  const retentionMs = (opts.firewallaRetentionDays ?? 30) * 86_400_000;
  const budgets = new Map<string, { start: number; used: number }>();
  const boxes = new BoxCatalog(opts.firewallaBoxes ?? 2);
  const state: FirewallaSimState = {
    repeatCursor: false,
    echoToken: false,
    rateLimit: opts.firewallaRateLimit ?? 100,
    rateWindowMs: opts.firewallaRateWindowMs ?? 300_000,
    served: 0,
    rateLimited: 0,
    resetBudgets: () => budgets.clear(),
    render: (f) => {
      catalog = boxes;
      try {
        return renderFlow(f);
      } finally {
        catalog = DEFAULT_CATALOG;
      }
    },
    boxes,
  };
  STATES.set(options, state);

  const error = (res: http.ServerResponse, status: number, title: string, message: string, type: string, headers: http.OutgoingHttpHeaders): void => {
    sendJson(res, status, { error: { title, message, type } }, headers);
  };

  return {
    name: 'firewalla',
    handle(req: SimRequest, res: http.ServerResponse): boolean {
      if (!req.path.startsWith('/v2/')) return false;
      state.served++;
      const auth = String(req.headers.authorization ?? '');
      const m = /^Token\s+(\S+)\s*$/i.exec(auth);
      const token = m?.[1];
      // Rate-limit window per presented token, on the simulator's clock like the traffic.
      const now = ctx.now();
      const key = token ?? '';
      let b = budgets.get(key);
      if (!b || now >= b.start + state.rateWindowMs) {
        b = { start: now, used: 0 };
        budgets.set(key, b);
      }
      const resetSec = Math.ceil((b.start + state.rateWindowMs) / 1000);
      const rateHeaders = (): http.OutgoingHttpHeaders => ({
        'x-ratelimit-limit': String(state.rateLimit),
        'x-ratelimit-remaining': String(Math.max(0, state.rateLimit - b!.used)),
        'x-ratelimit-reset': String(resetSec),
      });
      if (!token || (!tokens.has(token) && token !== forbidden)) {
        const msg = state.echoToken && token ? `Invalid token ${token}` : 'Permission Denied';
        error(res, 401, 'Unauthorized', msg, 'UNAUTHORIZED', { ...rateHeaders(), 'www-authenticate': 'Token' });
        return true;
      }
      if (b.used >= state.rateLimit) {
        state.rateLimited++;
        const retry = Math.max(1, Math.ceil((b.start + state.rateWindowMs - now) / 1000));
        sendJson(res, 429, { error: { message: 'Too Many Requests' } }, { ...rateHeaders(), 'retry-after': String(retry) });
        return true;
      }
      b.used++;
      if (token === forbidden) {
        error(res, 403, 'Forbidden', 'This token is not allowed to read flows of this MSP', 'FORBIDDEN', rateHeaders());
        return true;
      }
      if ((req.path === '/v2/boxes' || req.path === '/v2/boxes/') && req.method === 'GET') {
        const group = req.query.get('group');
        const list = boxes.boxes.filter((x) => !group || x.groupId === group).map((x) => boxes.render(x, now));
        sendJson(res, 200, list, rateHeaders());
        return true;
      }
      if (req.path !== '/v2/flows' && req.path !== '/v2/flows/') {
        error(res, 404, 'Not Found', `no such resource: ${req.method} ${req.path}`, 'NOT_FOUND', rateHeaders());
        return true;
      }
      if (req.method !== 'GET') {
        error(res, 405, 'Method Not Allowed', `${req.method} is not allowed on /v2/flows`, 'METHOD_NOT_ALLOWED', rateHeaders());
        return true;
      }
      catalog = boxes;
      try {
        const body = flows(req, ctx.now());
        sendJson(res, 200, body, rateHeaders());
      } catch (err) {
        if (!(err instanceof BadRequest)) throw err;
        error(res, 400, 'Bad Request', err.message, 'BAD_REQUEST', rateHeaders());
      } finally {
        catalog = DEFAULT_CATALOG;
      }
      return true;
    },
  };

  function flows(req: SimRequest, now: number): { count: number; results: unknown[]; next_cursor: string | null } {
    const q = req.query;
    const limitText = q.get('limit');
    let limit = FIREWALLA_DEFAULT_LIMIT;
    if (limitText !== null && limitText !== '') {
      if (!/^\d+$/.test(limitText) || Number(limitText) < 1) throw new BadRequest('limit must be a positive integer');
      limit = Number(limitText);
      if (limit > FIREWALLA_MAX_LIMIT) throw new BadRequest(`limit exceeds max allowed value of ${FIREWALLA_MAX_LIMIT}`);
    }
    const query = q.get('query') ?? '';
    const groupBy = q.get('groupBy') ?? '';
    const sortBy = q.get('sortBy') ?? '';
    // block:true is accepted and matches nothing (measured against the live service).
    const blockTerm = /(^|\s)-?block:\S*/gi;
    const matchesNothing = /(^|\s)block:/i.test(query);
    let terms: QueryTerm[];
    try {
      terms = parseQuery(query.replace(blockTerm, ' '), 'query');
    } catch (err) {
      if (err instanceof QuerySyntaxError) throw new BadRequest(`invalid query: ${err.reason} (at column ${err.column})`);
      throw err;
    }
    const groupKeys = groupBy.split(',').map((k) => k.trim()).filter(Boolean);
    for (const k of groupKeys) if (!GROUP_KEYS[k]) throw new BadRequest(`unsupported groupBy field "${k}"`);
    const grouped = groupKeys.length > 0;
    const sort = parseSort(sortBy, grouped);
    const k = queryKey(query, groupBy, sortBy);

    const cursorText = q.get('cursor');
    let cursor: Cursor | undefined;
    if (cursorText) {
      cursor = decodeCursor(cursorText);
      if (!cursor) throw new BadRequest('invalid cursor');
      if (cursor.k !== k) throw new BadRequest('cursor does not belong to this query');
    }
    const [begin, end] = cursor ? [cursor.b, cursor.e] : windowOf(terms, now, retentionMs);
    const pred = compile(terms);
    const inWindow = (f: SimFlow): boolean => f.ts >= begin && f.ts < end;
    const lastBucket = Math.floor(begin / 1000);

    let results: unknown[];
    let next: Cursor | null = null;
    if (matchesNothing || !(end > begin)) {
      results = [];
    } else if (!grouped && sort.length === 1 && sort[0]!.key === 'ts' && sort[0]!.desc) {
      // Walk buckets newest first; the cursor is the position of the next match.
      results = [];
      let s = cursor?.s ?? Math.floor((end - 1) / 1000);
      let i = cursor?.i ?? 0;
      outer: for (; s >= lastBucket; s--, i = 0) {
        const bucket = ctx.traffic.bucket(s);
        for (; i < bucket.length; i++) {
          const f = bucket[i]!;
          if (!inWindow(f) || !pred(f)) continue;
          if (results.length === limit) {
            next = { v: 1, k, b: begin, e: end, s, i };
            break outer;
          }
          results.push(renderFlow(f));
        }
      }
    } else {
      const all: SimFlow[] = [];
      for (let s = Math.floor((end - 1) / 1000); s >= lastBucket; s--) {
        for (const f of ctx.traffic.bucket(s)) if (inWindow(f) && pred(f)) all.push(f);
      }
      let rows: Array<Record<string, unknown>>;
      if (grouped) {
        const groups = new Map<string, Record<string, unknown>>();
        for (const f of all) {
          const keys = groupKeys.map((g) => GROUP_KEYS[g]!(f));
          const id = JSON.stringify(keys);
          let row = groups.get(id);
          if (!row) {
            row = Object.fromEntries(keys);
            Object.assign(row, { count: 0, download: 0, upload: 0, total: 0 });
            groups.set(id, row);
          }
          row.count = (row.count as number) + 1;
          if (!f.blocked) {
            row.download = (row.download as number) + f.download;
            row.upload = (row.upload as number) + f.upload;
            row.total = (row.total as number) + f.download + f.upload;
          }
        }
        rows = [...groups.values()];
        if (sort.length) {
          rows.sort((a, b) => {
            for (const { key, desc } of sort) {
              const x = a[key], y = b[key];
              const c = typeof x === 'number' && typeof y === 'number' ? x - y : JSON.stringify(x).localeCompare(JSON.stringify(y));
              if (c !== 0) return desc ? -c : c;
            }
            return 0;
          });
        }
      } else {
        all.sort((a, b) => {
          for (const { key, desc } of sort) {
            const c = FLOW_SORT_KEYS[key]!(a) - FLOW_SORT_KEYS[key]!(b);
            if (c !== 0) return desc ? -c : c;
          }
          return b.ts - a.ts;
        });
        rows = [];
        const o = cursor?.o ?? 0;
        for (const f of all.slice(o, o + limit)) rows.push(renderFlow(f));
        if (o + limit < all.length) next = { v: 1, k, b: begin, e: end, o: o + limit };
        return page(rows, next, cursorText);
      }
      const o = cursor?.o ?? 0;
      results = rows.slice(o, o + limit);
      if (o + limit < rows.length) next = { v: 1, k, b: begin, e: end, o: o + limit };
    }
    return page(results, next, cursorText);
  }

  function page(results: unknown[], next: Cursor | null, requestCursor: string | null): { count: number; results: unknown[]; next_cursor: string | null } {
    let nextText = next ? encodeCursor(next) : null;
    if (state.repeatCursor && requestCursor && nextText) nextText = requestCursor;
    return { count: results.length, results, next_cursor: nextText };
  }
});
