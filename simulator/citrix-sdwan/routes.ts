/**
 * Citrix SD-WAN routes (docs/vendors/citrix-sdwan.md): `config/login` (POST, DELETE) and the
 * monitor resources `flows` and `ilbflows`, under `/sdwan/nitro/v2/` and `/sdwan/nitro/v1/` (older
 * firmware), with the `filter` query parameter (`key:value;key:value`) and `max_stats`.
 */
import type http from 'node:http';
import { sendJson, type SimContext, type SimRequest } from '../server';
import type { SdwanSessions } from './auth';
import type { SdwanMalformed, SdwanSimState } from './index';
import { activeFlows, envelope, renderFlow, renderIlb, SDWAN_ERRORS, sendError } from './render';

/** Answer size when the request has no `max_stats` (the docs give none; the guide's examples use 50). */
export const SDWAN_DEFAULT_MAX_STATS = 100;
export const SDWAN_MAX_STATS = [50, 100, 1000] as const;

/** The request handler of the `/sdwan/nitro/` routes; `malformed` is the queue `malformNext` fills. */
export function sdwanRoutes(
  ctx: SimContext,
  state: SdwanSimState,
  sessions: SdwanSessions,
  malformed: Array<{ kind: SdwanMalformed; index: number }>,
): (req: SimRequest, res: http.ServerResponse) => boolean {
  let rotation = 0;

  function monitor(req: SimRequest, res: http.ServerResponse, resource: 'flows' | 'ilbflows'): true {
    if (req.method !== 'GET') {
      return sendError(res, 405, SDWAN_ERRORS.badMethod, `Failed: method ${req.method} not allowed on ${resource}`, { allow: 'GET' });
    }
    if (!sessions.sessionOf(req)) return sendError(res, 401, SDWAN_ERRORS.sessionExpired, 'Session expired or invalid, please log in again');
    const parsed = parseFilter(req.query.get('filter'));
    if (typeof parsed === 'string') return sendError(res, 400, SDWAN_ERRORS.badRequest, `Failed: bad input parameter, ${parsed}`);
    const now = ctx.now();
    const flows = activeFlows(ctx, now);
    let records: unknown[] =
      resource === 'flows' ? flows.map((f) => renderFlow(f, now)).filter((r) => matches(r, parsed.keys)) : renderIlb(flows, now).filter((r) => matches(r, parsed.keys));
    records = records.slice(0, parsed.maxStats);
    const bad = malformed.shift();
    if (bad) {
      const at = Math.min(bad.index, records.length);
      records.splice(at, 0, bad.kind === 'not-object' ? 'garbage' : { ...(records[0] as object), bytes: true, src_ip: { v4: '10.0.0.1' } });
    }
    const env = state.envelope === 'rotate' ? (['bare', 'keyed', 'nested'] as const)[rotation++ % 3]! : state.envelope;
    sendJson(res, 200, envelope(env, resource, records, parsed.maxStats));
    return true;
  }

  return function handle(req, res) {
    if (!req.path.startsWith('/sdwan/nitro/')) return false;
    const m = /^\/sdwan\/nitro\/(v1|v2)\/(config\/login|monitor\/(flows|ilbflows))\/?$/.exec(req.path);
    if (!m) return sendError(res, 404, SDWAN_ERRORS.badRequest, `Failed: no such resource ${req.path}`);
    if (m[2] === 'config/login') {
      if (req.method === 'POST') return sessions.login(req, res);
      if (req.method === 'DELETE') return sessions.logout(req, res);
      return sendError(res, 405, SDWAN_ERRORS.badMethod, `Failed: method ${req.method} not allowed on login`, { allow: 'POST, DELETE' });
    }
    return monitor(req, res, m[3] as 'flows' | 'ilbflows');
  };
}

/** `max_stats` and the known keys of a `key:value;key:value` filter, or an error text. */
export function parseFilter(filter: string | null): { maxStats: number; keys: Map<string, string> } | string {
  const keys = new Map<string, string>();
  let maxStats = SDWAN_DEFAULT_MAX_STATS;
  if (filter === null || filter === '') return { maxStats, keys };
  for (const part of filter.split(';')) {
    if (part === '') continue;
    const i = part.indexOf(':');
    if (i <= 0 || i === part.length - 1) return `filter "${part}" is not key:value`;
    const key = part.slice(0, i);
    const value = part.slice(i + 1);
    if (key === 'max_stats') {
      const n = Number(value);
      if (!(SDWAN_MAX_STATS as readonly number[]).includes(n)) return `max_stats must be 50, 100 or 1000, got "${value}"`;
      maxStats = n;
    } else {
      // Keys the appliance does not filter on (page_no, anything new) are accepted and ignored.
      keys.set(key, value);
    }
  }
  return { maxStats, keys };
}

/** Record fields a filter key compares (case-insensitively); other keys are ignored. */
const FILTERABLE = new Set(['application', 'src_ip', 'dest_ip', 'src_port', 'dest_port', 'direction', 'ipp', 'service_name', 'service_type', 'lanip', 'wanip', 'wanlink']);

function matches(r: Record<string, string>, keys: Map<string, string>): boolean {
  for (const [k, v] of keys) {
    if (!FILTERABLE.has(k) || !(k in r)) continue;
    if (r[k]!.toLowerCase() !== v.toLowerCase()) return false;
  }
  return true;
}

