/**
 * Firewalla MSP routes (docs/vendors/firewalla.md): `GET /v2/flows` with `limit` (default 200,
 * at most 500), `query`, `groupBy`, `sortBy` and cursor pagination newest first; 404 / 405 for
 * anything else under `/v2/`.
 *
 * A `ts:desc` query walks the one-second buckets from the newest; the cursor is the position in
 * that walk (bucket second + index), so page 200 costs the same as page 1. Other sort orders and
 * groupBy collect the window once per page request and use an offset cursor. A cursor only works
 * with the query that produced it.
 */
import type http from 'node:http';
import { QuerySyntaxError, parseQuery, type QueryTerm } from '../../nodes/lib/vendors/firewalla/query';
import { sendJson, type SimContext, type SimRequest } from '../server';
import type { SimFlow } from '../traffic';
import type { FirewallaAuth } from './auth';
import type { FirewallaSimState } from './index';
import { BadRequest, compile, FLOW_SORT_KEYS, GROUP_KEYS, parseSort, windowOf } from './query';
import { renderFlow, sendError, withCatalog } from './render';

export const FIREWALLA_DEFAULT_LIMIT = 200;
export const FIREWALLA_MAX_LIMIT = 500;

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

type FlowsPage = { count: number; results: unknown[]; next_cursor: string | null };

/** The request handler of the `/v2/` routes. */
export function firewallaRoutes(ctx: SimContext, state: FirewallaSimState, auth: FirewallaAuth, retentionMs: number): (req: SimRequest, res: http.ServerResponse) => boolean {
  return function handle(req, res) {
    if (!req.path.startsWith('/v2/')) return false;
    state.served++;
    const rateHeaders = auth.admit(req, res);
    if (!rateHeaders) return true;
    if ((req.path === '/v2/boxes' || req.path === '/v2/boxes/') && req.method === 'GET') {
      const group = req.query.get('group');
      const now = ctx.now();
      const list = state.boxes.boxes.filter((x) => !group || x.groupId === group).map((x) => state.boxes.render(x, now));
      sendJson(res, 200, list, rateHeaders);
      return true;
    }
    if (req.path !== '/v2/flows' && req.path !== '/v2/flows/') {
      sendError(res, 404, 'Not Found', `no such resource: ${req.method} ${req.path}`, 'NOT_FOUND', rateHeaders);
      return true;
    }
    if (req.method !== 'GET') {
      sendError(res, 405, 'Method Not Allowed', `${req.method} is not allowed on /v2/flows`, 'METHOD_NOT_ALLOWED', rateHeaders);
      return true;
    }
    try {
      const body = withCatalog(state.boxes, () => flows(req, ctx.now()));
      sendJson(res, 200, body, rateHeaders);
    } catch (err) {
      if (!(err instanceof BadRequest)) throw err;
      sendError(res, 400, 'Bad Request', err.message, 'BAD_REQUEST', rateHeaders);
    }
    return true;
  };

  function flows(req: SimRequest, now: number): FlowsPage {
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

  function page(results: unknown[], next: Cursor | null, requestCursor: string | null): FlowsPage {
    let nextText = next ? encodeCursor(next) : null;
    if (state.repeatCursor && requestCursor && nextText) nextText = requestCursor;
    return { count: results.length, results, next_cursor: nextText };
  }
}
