/**
 * The Riverbed FlowGateway side of the simulator: the Common API 1.0 authentication (auth_info,
 * Basic, cookie sessions, OAuth 2.0 access-code -> bearer token, expiry) and
 * `GET /api/mgmt.flowgateway_analytics/1.0/import_stats` with a JSON body (templates A, B, C).
 *
 * Answers come from the shared generated traffic: flows are grouped by source IP into
 * second / minute / hour buckets of the requested window, so a minute bucket is exactly the sum of
 * its 60 second buckets and every vendor of the simulator tells the same story.
 *
 * Limits (a real appliance has retention limits too; ours keep the simulator responsive): at most
 * 3600 buckets for flows_per_second (one hour), 1440 for flows_per_minute (one day), 48 for
 * flows_per_hour (two days). A longer window is refused with 400 REQUEST_INVALID_INPUT naming the
 * field. The part of a window after "now" holds no data yet.
 */
import type http from 'node:http';
import { randomBytes } from 'node:crypto';
import { parseIp } from '../nodes/lib/ip';
import { DEMO_CREDENTIALS, registerVendor, sendJson, type SimContext, type SimRequest, type SimulatorOptions } from './server';
import { flowEndpoints, type SimFlow } from './traffic';

export interface FlowGatewayAccount {
  password: string;
  /** `disabled` -> 403 AUTH_DISABLED_ACCOUNT, `expired-password` -> 403 AUTH_EXPIRED_PASSWORD,
   *  `no-analytics` -> 403 AUTH_FORBIDDEN on import_stats. Default `active`. */
  state?: 'active' | 'disabled' | 'expired-password' | 'no-analytics';
}

/** Options read from the simulator's options object (read on every request, so tests may change them live). */
export interface FlowGatewaySimOptions {
  /** Response envelope of import_stats: a bare array (the documented example, default) or `{DisplayStats: [...]}`. */
  flowgatewayEnvelope?: 'bare' | 'DisplayStats';
  /** Lifetime of OAuth access tokens in seconds (default 3600, as the appliance). */
  flowgatewayTokenLifetime?: number;
  /** Extra accounts besides the demo one (DEMO_CREDENTIALS / options.credentials). */
  flowgatewayAccounts?: Record<string, FlowGatewayAccount>;
  /** Access codes besides the demo one; `expired: true` -> 401 AUTH_EXPIRED_CODE. */
  flowgatewayAccessCodes?: Record<string, { user: string; expired?: boolean }>;
  /** What auth_info lists; default all three. Methods not listed are refused. */
  flowgatewayMethods?: Array<'BASIC' | 'COOKIE' | 'OAUTH_2_0'>;
}

/** What tests can look at: counters and live sessions / tokens of one simulator. */
export interface FlowGatewaySimState {
  logins: number;
  failedLogins: number;
  logouts: number;
  tokenGrants: number;
  /** session id -> user */
  sessions: Map<string, string>;
  /** token -> {user, expiresAt (ms)} */
  tokens: Map<string, { user: string; expiresAt: number }>;
  /** Successful import_stats answers. */
  statsAnswers: number;
}

const STATE = new WeakMap<SimulatorOptions, FlowGatewaySimState>();

/** The FlowGateway state of a simulator (`flowgatewayState(sim)`). */
export function flowgatewayState(sim: { options: SimulatorOptions }): FlowGatewaySimState {
  const s = STATE.get(sim.options);
  if (!s) throw new Error('simulator: the riverbed-flowgateway vendor is not loaded');
  return s;
}

export const COMMON = '/api/common/1.0';
export const IMPORT_STATS = '/api/mgmt.flowgateway_analytics/1.0/import_stats';
const SESSION_KEY = 'SESSID';

const STATS_TYPES: Record<string, number> = { flows_per_second: 1, flows_per_minute: 60, flows_per_hour: 3600 };
const MAX_BUCKETS: Record<string, number> = { flows_per_second: 3600, flows_per_minute: 1440, flows_per_hour: 48 };
const INTERVAL_TYPES = ['seconds', 'minutes', 'hours', 'days', 'weeks', 'months'];
const DMY = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/;

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly id: string,
    text: string,
    readonly info?: Record<string, unknown>,
  ) {
    super(text);
  }
}

function sendError(res: http.ServerResponse, e: ApiError): void {
  const body: Record<string, unknown> = { error_id: e.id, error_text: e.message };
  if (e.info) body.error_info = e.info;
  const headers: http.OutgoingHttpHeaders = {};
  if (e.id === 'AUTH_REQUIRED') headers['www-authenticate'] = 'Basic realm="FlowGateway"';
  sendJson(res, e.status, body, headers);
}

registerVendor('riverbed-flowgateway', (ctx: SimContext, options: SimulatorOptions) => {
  const opts = options as SimulatorOptions & FlowGatewaySimOptions;
  const state: FlowGatewaySimState = {
    logins: 0, failedLogins: 0, logouts: 0, tokenGrants: 0, sessions: new Map(), tokens: new Map(), statsAnswers: 0,
  };
  STATE.set(options, state);
  // Past hour buckets never change (traffic is a pure function of seed and time): cache them.
  const hourCache = new Map<number, Map<string, Agg>>();

  const accounts = (): Record<string, FlowGatewayAccount> => ({
    [options.credentials?.flowgatewayUsername ?? DEMO_CREDENTIALS.flowgatewayUsername]: {
      password: options.credentials?.flowgatewayPassword ?? DEMO_CREDENTIALS.flowgatewayPassword,
    },
    ...opts.flowgatewayAccounts,
  });
  const accessCodes = (): Record<string, { user: string; expired?: boolean }> => ({
    [options.credentials?.flowgatewayAccessCode ?? DEMO_CREDENTIALS.flowgatewayAccessCode]: {
      user: options.credentials?.flowgatewayUsername ?? DEMO_CREDENTIALS.flowgatewayUsername,
    },
    ...opts.flowgatewayAccessCodes,
  });
  const methods = (): string[] => opts.flowgatewayMethods ?? ['BASIC', 'COOKIE', 'OAUTH_2_0'];

  function checkAccount(username: unknown, password: unknown): string {
    const acct = typeof username === 'string' ? accounts()[username] : undefined;
    if (!acct || acct.password !== password) {
      throw new ApiError(401, 'AUTH_INVALID_CREDENTIALS', 'Invalid username and/or password.');
    }
    if (acct.state === 'disabled') throw new ApiError(403, 'AUTH_DISABLED_ACCOUNT', 'Account is either temporarily or permanently disabled.');
    if (acct.state === 'expired-password') {
      throw new ApiError(403, 'AUTH_EXPIRED_PASSWORD', 'The password must be changed. Access only to password change resources.');
    }
    return username as string;
  }

  /** Who is calling, or an ApiError. Order as the appliance: Authorization header, then cookie. */
  function authenticate(req: SimRequest): string {
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const m = /^(\S+)\s+(\S+)$/.exec(auth.trim());
      if (!m) throw new ApiError(400, 'HTTP_INVALID_HEADER', 'An HTTP header was malformed.', { header: 'Authorization' });
      const scheme = m[1]!.toLowerCase();
      if (scheme === 'basic') {
        if (!methods().includes('BASIC')) throw new ApiError(401, 'AUTH_REQUIRED', 'BASIC authentication is disabled on this device.');
        const decoded = Buffer.from(m[2]!, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon < 0) throw new ApiError(400, 'HTTP_INVALID_HEADER', 'An HTTP header was malformed.', { header: 'Authorization' });
        return checkAccount(decoded.slice(0, colon), decoded.slice(colon + 1));
      }
      if (scheme === 'bearer') {
        const t = state.tokens.get(m[2]!);
        if (!t) throw new ApiError(401, 'AUTH_INVALID_TOKEN', 'OAuth access token is invalid.');
        if (ctx.now() >= t.expiresAt) throw new ApiError(401, 'AUTH_EXPIRED_TOKEN', 'OAuth access token is expired.');
        return t.user;
      }
      throw new ApiError(400, 'HTTP_INVALID_HEADER', 'An HTTP header was malformed.', { header: 'Authorization' });
    }
    const sid = readCookie(req.headers.cookie, SESSION_KEY);
    if (sid !== undefined) {
      const user = state.sessions.get(sid);
      if (!user) throw new ApiError(401, 'AUTH_INVALID_SESSION', 'Session ID is invalid');
      return user;
    }
    throw new ApiError(401, 'AUTH_REQUIRED', 'The requested resource requires authentication.');
  }

  function login(req: SimRequest, res: http.ServerResponse): void {
    if (req.method !== 'POST') throw new ApiError(405, 'HTTP_INVALID_METHOD', 'Requested method is not available for this resource.');
    if (!methods().includes('COOKIE')) throw new ApiError(401, 'AUTH_REQUIRED', 'COOKIE authentication is disabled on this device.');
    const input = readInput(req);
    if (typeof input.username !== 'string' || typeof input.password !== 'string') {
      throw new ApiError(400, 'REQUEST_INVALID_INPUT', 'Malformed input structure: username and password are required.');
    }
    let user: string;
    try {
      user = checkAccount(input.username, input.password);
    } catch (e) {
      state.failedLogins++;
      throw e;
    }
    const id = randomBytes(32).toString('hex');
    state.sessions.set(id, user);
    state.logins++;
    sendJson(res, 200, { session_key: SESSION_KEY, session_id: id }, { 'set-cookie': `${SESSION_KEY}=${id}; path=/; secure; HttpOnly` });
  }

  function logout(req: SimRequest, res: http.ServerResponse): void {
    // The schema says POST, the prose says GET: accept both.
    if (req.method !== 'POST' && req.method !== 'GET') {
      throw new ApiError(405, 'HTTP_INVALID_METHOD', 'Requested method is not available for this resource.');
    }
    const sid = readCookie(req.headers.cookie, SESSION_KEY);
    if (sid === undefined) throw new ApiError(401, 'AUTH_REQUIRED', 'The requested resource requires authentication.');
    if (!state.sessions.delete(sid)) throw new ApiError(401, 'AUTH_INVALID_SESSION', 'Session ID is invalid');
    state.logouts++;
    res.writeHead(204);
    res.end();
  }

  function token(req: SimRequest, res: http.ServerResponse): void {
    if (req.method !== 'POST') throw new ApiError(405, 'HTTP_INVALID_METHOD', 'Requested method is not available for this resource.');
    if (!methods().includes('OAUTH_2_0')) throw new ApiError(401, 'AUTH_REQUIRED', 'OAUTH_2_0 authentication is disabled on this device.');
    const type = String(req.headers['content-type'] ?? '');
    if (!type.includes('application/x-www-form-urlencoded')) {
      throw new ApiError(400, 'REQUEST_INVALID_INPUT', 'Malformed input structure: expected application/x-www-form-urlencoded.');
    }
    const form = new URLSearchParams(req.body);
    const grant = form.get('grant_type');
    const assertion = form.get('assertion');
    if (grant === null) throw new ApiError(400, 'URI_MISSING_PARAMETER', 'Missing required parameter.', { parameter: 'grant_type' });
    if (assertion === null) throw new ApiError(400, 'URI_MISSING_PARAMETER', 'Missing required parameter.', { parameter: 'assertion' });
    if (grant !== 'access_code') throw new ApiError(400, 'URI_INVALID_PARAMETER', 'URI parameter is not supported or malformed.', { parameter: 'grant_type' });
    const code = accessCodes()[assertion];
    if (!code) throw new ApiError(401, 'AUTH_INVALID_CODE', 'OAuth access code is invalid.');
    if (code.expired) throw new ApiError(401, 'AUTH_EXPIRED_CODE', 'OAuth access code is expired.');
    const lifetime = opts.flowgatewayTokenLifetime ?? 3600;
    const value = randomBytes(24).toString('base64url');
    state.tokens.set(value, { user: code.user, expiresAt: ctx.now() + lifetime * 1000 });
    state.tokenGrants++;
    const out: Record<string, unknown> = { access_token: value, token_type: 'bearer', allowed_signature_types: ['none'], expires_in: lifetime };
    const st = form.get('state');
    if (st !== null) out.state = st;
    sendJson(res, 200, out);
  }

  function importStats(req: SimRequest, res: http.ServerResponse): void {
    if (req.method !== 'GET') throw new ApiError(405, 'HTTP_INVALID_METHOD', 'Requested method is not available for this resource.');
    const user = authenticate(req);
    if (accounts()[user]?.state === 'no-analytics') {
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

  /** Rows of one request: (bucket, source) pairs with at least one flow, oldest bucket first. */
  function answer(w: StatsWindow): Record<string, unknown>[] {
    const end = Math.min(w.endMs, ctx.now());
    if (end <= w.startMs) return [];
    const rows: Record<string, unknown>[] = [];
    const first = Math.floor(w.startMs / 1000 / w.size) * w.size;
    for (let b = first; b * 1000 < end; b += w.size) {
      const lo = Math.max(b * 1000, w.startMs);
      const hi = Math.min((b + w.size) * 1000, end);
      const full = lo === b * 1000 && hi === (b + w.size) * 1000;
      let aggs: Map<string, Agg>;
      if (w.size === 3600 && full && hourCache.has(b)) aggs = hourCache.get(b)!;
      else {
        aggs = aggregate(lo, hi);
        if (w.size === 3600 && full) {
          if (hourCache.size > 500) hourCache.delete(hourCache.keys().next().value!);
          hourCache.set(b, aggs);
        }
      }
      const keys = [...aggs.keys()].sort();
      for (const ip of keys) {
        if (w.sourceIp && ip !== w.sourceIp) continue;
        const a = aggs.get(ip)!;
        rows.push({
          time: formatTime(b * 1000),
          source_ip: ip,
          n_flows: a.flows,
          n_bytes: a.bytes,
          n_bad_bytes: a.badBytes,
          n_packets: a.packets,
          n_bad_packets: a.badPackets,
          peak_n_flows: String(a.peakFlows),
          peak_n_bytes: String(a.peakBytes),
          peak_n_packets: String(a.peakPackets),
        });
      }
    }
    return rows;
  }

  /** Per-source sums over [lo, hi) ms; peaks are the busiest single second of each source. */
  function aggregate(lo: number, hi: number): Map<string, Agg> {
    const out = new Map<string, Agg>();
    for (let s = Math.floor(lo / 1000); s * 1000 < hi; s++) {
      const perSecond = new Map<string, { flows: number; bytes: number; packets: number }>();
      for (const f of ctx.traffic.bucket(s)) {
        if (f.ts < lo || f.ts >= hi) continue;
        const ip = sourceIp(f);
        const bad = f.blocked;
        // Blocked flows carry no payload; count their attempt packets as "bad" bytes on the wire.
        const bytes = bad ? f.packets * 60 : f.upload + f.download;
        let a = out.get(ip);
        if (!a) out.set(ip, (a = { flows: 0, bytes: 0, badBytes: 0, packets: 0, badPackets: 0, peakFlows: 0, peakBytes: 0, peakPackets: 0 }));
        a.flows++;
        a.bytes += bytes;
        a.packets += f.packets;
        if (bad) {
          a.badBytes += bytes;
          a.badPackets += f.packets;
        }
        let p = perSecond.get(ip);
        if (!p) perSecond.set(ip, (p = { flows: 0, bytes: 0, packets: 0 }));
        p.flows++;
        p.bytes += bytes;
        p.packets += f.packets;
      }
      for (const [ip, p] of perSecond) {
        const a = out.get(ip)!;
        a.peakFlows = Math.max(a.peakFlows, p.flows);
        a.peakBytes = Math.max(a.peakBytes, p.bytes);
        a.peakPackets = Math.max(a.peakPackets, p.packets);
      }
    }
    return out;
  }

  return {
    name: 'riverbed-flowgateway',
    handle(req, res) {
      if (!req.path.startsWith('/api/common/') && !req.path.startsWith('/api/mgmt.flowgateway_analytics/')) return false;
      try {
        if (req.path === `${COMMON}/auth_info`) {
          if (req.method !== 'GET') throw new ApiError(405, 'HTTP_INVALID_METHOD', 'Requested method is not available for this resource.');
          sendJson(res, 200, {
            supported_methods: methods(),
            specify_purpose: false,
            login_banner: 'Simulated Riverbed FlowGateway: authorized use only.',
          });
        } else if (req.path === `${COMMON}/login`) login(req, res);
        else if (req.path === `${COMMON}/logout`) logout(req, res);
        else if (req.path === `${COMMON}/oauth/token`) token(req, res);
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
    },
    expireSessions() {
      state.sessions.clear();
      // Tokens stay known but expire, so clients see AUTH_EXPIRED_TOKEN as after a long idle.
      const now = ctx.now();
      for (const t of state.tokens.values()) t.expiresAt = Math.min(t.expiresAt, now);
    },
  };
});

interface Agg {
  flows: number;
  bytes: number;
  badBytes: number;
  packets: number;
  badPackets: number;
  peakFlows: number;
  peakBytes: number;
  peakPackets: number;
}

interface StatsWindow {
  /** Bucket size in seconds. */
  size: number;
  startMs: number;
  endMs: number;
  sourceIp: string;
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

/** "2024-01-08 22:11:00+00:00", as the appliance writes UTC times. */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}+00:00`;
}

/** The source IP of a flow: the side that opened it. */
function sourceIp(f: SimFlow): string {
  return flowEndpoints(f).srcIp;
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** login accepts JSON and form-encoded input, as documented. */
function readInput(req: SimRequest): Record<string, unknown> {
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(req.body));
  try {
    const v: unknown = JSON.parse(req.body);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    throw new ApiError(400, 'BAD_REQUEST', 'Invalid argument: the body is not JSON.');
  }
  throw new ApiError(400, 'REQUEST_INVALID_INPUT', 'Malformed input structure: expected an object.');
}
