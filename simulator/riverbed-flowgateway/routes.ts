/**
 * Riverbed FlowGateway routes (docs/vendors/riverbed-flowgateway.md): the Common API 1.0
 * (`auth_info`, `login`, `logout`, `oauth/token`, `ping`) and
 * `GET /api/mgmt.flowgateway_analytics/1.0/import_stats` with a JSON body (templates A, B, C),
 * checked strictly as an appliance's schema check is.
 *
 * Limits (a real appliance has retention limits too; ours keep the simulator responsive): at most
 * 3600 buckets for flows_per_second (one hour), 1440 for flows_per_minute (one day), 48 for
 * flows_per_hour (two days). A longer window is refused with 400 REQUEST_INVALID_INPUT naming the
 * field. The part of a window after "now" holds no data yet.
 */
import type http from 'node:http';
import { parseIp } from '../../nodes/lib/ip';
import { sendJson, type SimContext, type SimRequest, type SimulatorOptions } from '../server';
import type { FlowGatewayAuth } from './auth';
import type { FlowGatewaySimOptions, FlowGatewaySimState } from './index';
import { ApiError, sendError, statsRenderer, type StatsWindow } from './render';

export const COMMON = '/api/common/1.0';
export const IMPORT_STATS = '/api/mgmt.flowgateway_analytics/1.0/import_stats';

const STATS_TYPES: Record<string, number> = { flows_per_second: 1, flows_per_minute: 60, flows_per_hour: 3600 };
const MAX_BUCKETS: Record<string, number> = { flows_per_second: 3600, flows_per_minute: 1440, flows_per_hour: 48 };
const INTERVAL_TYPES = ['seconds', 'minutes', 'hours', 'days', 'weeks', 'months'];
const DMY = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/;

/** The request handler of the Common API and analytics routes. */
export function flowgatewayRoutes(
  ctx: SimContext,
  options: SimulatorOptions,
  state: FlowGatewaySimState,
  auth: FlowGatewayAuth,
): (req: SimRequest, res: http.ServerResponse) => boolean {
  const opts = options as SimulatorOptions & FlowGatewaySimOptions;
  const answer = statsRenderer(ctx);

  function importStats(req: SimRequest, res: http.ServerResponse): void {
    if (req.method !== 'GET') throw new ApiError(405, 'HTTP_INVALID_METHOD', 'Requested method is not available for this resource.');
    const user = auth.authenticate(req);
    if (auth.accounts()[user]?.state === 'no-analytics') {
      throw new ApiError(403, 'AUTH_FORBIDDEN', 'User is not authorized to access the requested resource.');
    }
    for (const k of req.query.keys()) {
      throw new ApiError(400, 'URI_INVALID_PARAMETER', 'URI parameter is not supported or malformed.', { parameter: k });
    }
    if (req.body.trim() === '') throw new ApiError(400, 'REQUEST_INVALID_INPUT', 'Malformed input structure: a request body is required.');
    let parsed: unknown;
    try {
      parsed = JSON.parse(req.body);
    } catch {
      throw new ApiError(400, 'BAD_REQUEST', 'Invalid argument: the body is not JSON.');
    }
    // The schema says an array; the documented examples send one object. Accept both.
    const list = Array.isArray(parsed) ? parsed : [parsed];
    if (list.length === 0) throw new ApiError(400, 'REQUEST_INVALID_INPUT', 'Malformed input structure: no stats requested.');
    const windows = list.map((r, i) => parseStatsRequest(r, Array.isArray(parsed) ? `[${i}].` : '', ctx.now()));
    const rows: Record<string, unknown>[] = [];
    for (const w of windows) rows.push(...answer(w));
    state.statsAnswers++;
    sendJson(res, 200, opts.flowgatewayEnvelope === 'DisplayStats' ? { DisplayStats: rows } : rows);
  }

  return function handle(req, res) {
    if (!req.path.startsWith('/api/common/') && !req.path.startsWith('/api/mgmt.flowgateway_analytics/')) return false;
    try {
      if (req.path === `${COMMON}/auth_info`) {
        if (req.method !== 'GET') throw new ApiError(405, 'HTTP_INVALID_METHOD', 'Requested method is not available for this resource.');
        sendJson(res, 200, {
          supported_methods: auth.methods(),
          specify_purpose: false,
          login_banner: 'Simulated Riverbed FlowGateway: authorized use only.',
        });
      } else if (req.path === `${COMMON}/login`) auth.login(req, res);
      else if (req.path === `${COMMON}/logout`) auth.logout(req, res);
      else if (req.path === `${COMMON}/oauth/token`) auth.token(req, res);
      else if (req.path === `${COMMON}/ping`) {
        res.writeHead(204);
        res.end();
      } else if (req.path === IMPORT_STATS) importStats(req, res);
      else throw new ApiError(404, 'RESOURCE_NOT_FOUND', 'Requested resource was not found.', { path: req.path });
    } catch (e) {
      if (e instanceof ApiError) sendError(res, e);
      else sendError(res, new ApiError(500, 'INTERNAL_ERROR', `Internal error: ${(e as Error).message}`));
    }
    return true;
  };
}

function invalid(field: string, text: string): ApiError {
  return new ApiError(400, 'REQUEST_INVALID_INPUT', `Malformed input structure: ${field}: ${text}`, { field });
}

const TEMPLATE_FIELDS = {
  A: ['stats_type', 'interval_type', 'time_interval', 'source_ip'],
  BC: ['stats_type', 'start_time', 'end_time', 'source_ip'],
};

/** Strict, as an appliance's schema check: wrong types and unknown fields are refused. */
export function parseStatsRequest(r: unknown, at: string, now: number): StatsWindow {
  if (r === null || typeof r !== 'object' || Array.isArray(r)) throw invalid(at ? at.slice(0, -1) : 'body', 'expected an object');
  const o = r as Record<string, unknown>;
  const isA = 'interval_type' in o || 'time_interval' in o;
  const allowed = isA ? TEMPLATE_FIELDS.A : TEMPLATE_FIELDS.BC;
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw invalid(at + k, 'unknown field for this request template');
  const statsType = o.stats_type;
  if (typeof statsType !== 'string' || !(statsType in STATS_TYPES)) {
    throw invalid(`${at}stats_type`, 'expected flows_per_second, flows_per_minute or flows_per_hour');
  }
  const size = STATS_TYPES[statsType]!;
  if (!('source_ip' in o)) throw invalid(`${at}source_ip`, 'required (empty string for all sources)');
  if (typeof o.source_ip !== 'string') throw invalid(`${at}source_ip`, 'expected a string');
  let sourceIp = '';
  if (o.source_ip !== '') {
    const ip = parseIp(o.source_ip);
    if (!ip || o.source_ip.trim() !== o.source_ip) throw invalid(`${at}source_ip`, 'expected an IPv4 or IPv6 address or an empty string');
    sourceIp = ip.text;
  }
  let startMs: number;
  let endMs: number;
  if (isA) {
    if (typeof o.interval_type !== 'string' || !INTERVAL_TYPES.includes(o.interval_type)) {
      throw invalid(`${at}interval_type`, `expected one of ${INTERVAL_TYPES.join(', ')}`);
    }
    const n = o.time_interval;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw invalid(`${at}time_interval`, 'expected a positive integer without quotes');
    endMs = now;
    startMs = subtractInterval(now, o.interval_type, n);
  } else {
    if (!('start_time' in o)) throw invalid(`${at}start_time`, 'required');
    if (!('end_time' in o)) throw invalid(`${at}end_time`, 'required');
    if (typeof o.start_time === 'string' && typeof o.end_time === 'string') {
      startMs = parseDmy(o.start_time, `${at}start_time`);
      endMs = parseDmy(o.end_time, `${at}end_time`);
    } else if (typeof o.start_time === 'number' && typeof o.end_time === 'number') {
      startMs = parseEpoch(o.start_time, `${at}start_time`);
      endMs = parseEpoch(o.end_time, `${at}end_time`);
    } else {
      throw invalid(`${at}end_time`, 'start_time and end_time must both be "dd/mm/YYYY HH:MM:SS" strings or both epoch-second integers');
    }
    if (endMs <= startMs) throw invalid(`${at}end_time`, 'must be after start_time');
  }
  if (Math.ceil((endMs - startMs) / 1000 / size) > MAX_BUCKETS[statsType]!) {
    throw invalid(isA ? `${at}time_interval` : `${at}end_time`, `window too long for ${statsType}: at most ${MAX_BUCKETS[statsType]} buckets`);
  }
  return { size, startMs, endMs, sourceIp };
}

function subtractInterval(now: number, type: string, n: number): number {
  const unit: Record<string, number> = { seconds: 1e3, minutes: 6e4, hours: 3.6e6, days: 8.64e7, weeks: 6.048e8 };
  if (type === 'months') {
    const d = new Date(now);
    d.setUTCMonth(d.getUTCMonth() - n);
    return d.getTime();
  }
  return now - n * unit[type]!;
}

function parseDmy(text: string, field: string): number {
  const m = DMY.exec(text);
  if (!m) throw invalid(field, 'expected "dd/mm/YYYY HH:MM:SS"');
  const [d, mo, y, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 59 || back.getUTCDate() !== d || back.getUTCMonth() !== mo - 1) {
    throw invalid(field, 'not a valid date and time');
  }
  return ms;
}

function parseEpoch(n: number, field: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 32503680000) throw invalid(field, 'expected epoch seconds as an integer without quotes');
  return n * 1000;
}
