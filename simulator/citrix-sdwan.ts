/**
 * The Citrix SD-WAN side of the simulator: NITRO session login / logout with cookies, session
 * idle timeout, and the monitor resources `flows` and `ilbflows` (v2, and v1 for older firmware)
 * with the `filter` query parameter, `max_stats`, the three response envelopes the sources
 * disagree about, and `{errorcode, errormessage}` errors (docs/vendors/citrix-sdwan.md).
 *
 * Records are rendered from the shared generated traffic (`ctx.traffic`), so SD-WAN, Firewalla
 * and FlowGateway tell one consistent story. Every field is a string, as the NITRO docs say.
 *
 * Test handle: `sdwanSim(sim)` returns this module's state (login counter, sessions, envelope,
 * malformed-record switch) for a running Simulator.
 */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { DEMO_CREDENTIALS, registerVendor, sendJson, type SimContext, type SimRequest, type Simulator, type SimulatorOptions, type VendorModule } from './server';
import { flowEndpoints, type SimFlow } from './traffic';

export type SdwanEnvelope = 'bare' | 'keyed' | 'nested';

export interface SdwanSimOptions extends SimulatorOptions {
  /** Response envelope: bare array, `{"flows":[...]}` (`keyed`, alias `flows`), or doubly nested. `rotate` cycles per response. Default `keyed`. */
  sdwanEnvelope?: SdwanEnvelope | 'flows' | 'rotate';
  /** A session unused this long ends (as the appliance's idle timeout). Default 30 minutes. */
  sdwanIdleTimeoutMs?: number;
}

/** What a malformed record looks like: not an object at all, or a field of the wrong type. */
export type SdwanMalformed = 'not-object' | 'wrong-type';

export interface SdwanSimState {
  /** Successful logins since start. */
  logins: number;
  /** Login attempts refused (bad credentials, bad body, wrong content type). */
  failedLogins: number;
  logouts: number;
  /** Live sessions. */
  readonly sessionCount: number;
  /** The two cookie names of this simulator instance (random, so no client can hard-code them). */
  readonly cookieNames: { session: string; token: string };
  envelope: SdwanEnvelope | 'rotate';
  /** The next `count` monitor responses carry one malformed record at index `index` (default 1). */
  malformNext(kind: SdwanMalformed, count?: number, index?: number): void;
  /** Active flows at `now`, as the monitor would render them (for tests to recompute answers). */
  activeFlows(now?: number): SimFlow[];
}

/** Answer size when the request has no `max_stats` (the docs give none; the guide's examples use 50). */
export const SDWAN_DEFAULT_MAX_STATS = 100;
export const SDWAN_MAX_STATS = [50, 100, 1000] as const;
/** The longest generated flow (traffic.ts): flows ending within this after `now` may be active. */
const LONGEST_FLOW_MS = 600_050;

/** NITRO-style error codes (NetScaler's numbering where one exists; documented by status only). */
export const SDWAN_ERRORS = {
  badRequest: 1097,
  invalidCredentials: 354,
  sessionExpired: 444,
  forbidden: 10,
  badMethod: 1241,
  unsupportedMedia: 1242,
} as const;

const WAN_LINKS = [
  { name: 'WL-1-Broadband', ip: '203.0.113.10' },
  { name: 'WL-2-LTE', ip: '198.51.100.20' },
];
const CLASSES = [
  { id: '10', type: 'realtime', dscp: 'ef' },
  { id: '11', type: 'interactive', dscp: 'af41' },
  { id: '14', type: 'bulk', dscp: 'default' },
];
const TRANSMISSION = ['Load Balance Path', 'Persistent Path', 'Duplicate Path'];

interface Session {
  token: string;
  lastUsed: number;
}

const STATES = new WeakMap<SimulatorOptions, SdwanSimState>();

/** The SD-WAN module's state of a running simulator (it must serve `citrix-sdwan`). */
export function sdwanSim(sim: Simulator): SdwanSimState {
  const s = STATES.get(sim.options);
  if (!s) throw new Error('this simulator does not serve citrix-sdwan');
  return s;
}

registerVendor('citrix-sdwan', (ctx: SimContext, options: SimulatorOptions): VendorModule => {
  const opts = options as SdwanSimOptions;
  const username = options.credentials?.sdwanUsername ?? DEMO_CREDENTIALS.sdwanUsername;
  const password = options.credentials?.sdwanPassword ?? DEMO_CREDENTIALS.sdwanPassword;
  const idleMs = opts.sdwanIdleTimeoutMs ?? 30 * 60_000;
  const suffix = randomBytes(3).toString('hex');
  const cookieNames = { session: `SDWANSESS_${suffix}`, token: `nitro_xsrf_${suffix}` };
  const sessions = new Map<string, Session>();
  let rotation = 0;
  const malformed: Array<{ kind: SdwanMalformed; index: number }> = [];

  const state: SdwanSimState = {
    logins: 0,
    failedLogins: 0,
    logouts: 0,
    get sessionCount() {
      return sessions.size;
    },
    cookieNames,
    envelope: opts.sdwanEnvelope === 'flows' ? 'keyed' : (opts.sdwanEnvelope ?? 'keyed'),
    malformNext(kind, count = 1, index = 1) {
      for (let i = 0; i < count; i++) malformed.push({ kind, index });
    },
    activeFlows: (now = ctx.now()) => activeFlows(ctx, now),
  };
  STATES.set(options, state);

  function error(res: http.ServerResponse, status: number, errorcode: number, errormessage: string, headers: http.OutgoingHttpHeaders = {}): true {
    sendJson(res, status, { errorcode, errormessage }, headers);
    return true;
  }

  /** The session the request's cookies name, if both cookies match a live, unexpired one. */
  function sessionOf(req: SimRequest): string | undefined {
    const cookies = parseCookieHeader(req.headers.cookie);
    const id = cookies.get(cookieNames.session);
    const token = cookies.get(cookieNames.token);
    if (!id || !token) return undefined;
    const s = sessions.get(id);
    if (!s || s.token !== token) return undefined;
    if (ctx.now() - s.lastUsed > idleMs) {
      sessions.delete(id);
      return undefined;
    }
    s.lastUsed = ctx.now();
    return id;
  }

  function login(req: SimRequest, res: http.ServerResponse): true {
    const type = String(req.headers['content-type'] ?? '').toLowerCase();
    if (!type.startsWith('application/json')) {
      state.failedLogins++;
      return error(res, 415, SDWAN_ERRORS.unsupportedMedia, 'Failed: Data format unacceptable, expected Content-Type application/json');
    }
    let body: unknown;
    try {
      body = JSON.parse(req.body);
    } catch {
      state.failedLogins++;
      return error(res, 400, SDWAN_ERRORS.badRequest, 'Failed: bad input parameter, body is not valid JSON');
    }
    const l = (body as { login?: { username?: unknown; password?: unknown } } | null)?.login;
    if (!l || typeof l !== 'object' || typeof l.username !== 'string' || typeof l.password !== 'string') {
      state.failedLogins++;
      return error(res, 400, SDWAN_ERRORS.badRequest, 'Failed: bad input parameter, expected {"login":{"username","password"}}');
    }
    if (l.username !== username || l.password !== password) {
      state.failedLogins++;
      return error(res, 401, SDWAN_ERRORS.invalidCredentials, 'Invalid username or password');
    }
    const id = randomBytes(16).toString('hex');
    const token = randomBytes(12).toString('base64url');
    sessions.set(id, { token, lastUsed: ctx.now() });
    state.logins++;
    sendJson(res, 200, { login: { message: 'resource added succesfully' } }, {
      'set-cookie': [
        `${cookieNames.session}=${id}; Path=/; HttpOnly; SameSite=Strict`,
        `${cookieNames.token}=${token}; Path=/; SameSite=Strict`,
        // An old firmware's cookie being cleared: a client must drop it, not send it back.
        'citrix_ns_id=; Path=/; Max-Age=0',
      ],
    });
    return true;
  }

  function logout(req: SimRequest, res: http.ServerResponse): true {
    const id = sessionOf(req);
    if (!id) return error(res, 401, SDWAN_ERRORS.sessionExpired, 'Session expired or invalid, please log in again');
    sessions.delete(id);
    state.logouts++;
    sendJson(res, 200, { login: { message: 'resource deleted succesfully' } }, {
      'set-cookie': [
        `${cookieNames.session}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT`,
        `${cookieNames.token}=; Path=/; Max-Age=0`,
      ],
    });
    return true;
  }

  function monitor(req: SimRequest, res: http.ServerResponse, resource: 'flows' | 'ilbflows'): true {
    if (req.method !== 'GET') {
      return error(res, 405, SDWAN_ERRORS.badMethod, `Failed: method ${req.method} not allowed on ${resource}`, { allow: 'GET' });
    }
    if (!sessionOf(req)) return error(res, 401, SDWAN_ERRORS.sessionExpired, 'Session expired or invalid, please log in again');
    const parsed = parseFilter(req.query.get('filter'));
    if (typeof parsed === 'string') return error(res, 400, SDWAN_ERRORS.badRequest, `Failed: bad input parameter, ${parsed}`);
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
    const body =
      env === 'bare'
        ? records
        : env === 'keyed'
          ? { [resource]: records }
          : { [resource]: { [resource]: records, metadata: [{ max_stats: String(parsed.maxStats), count: String(records.length) }] } };
    sendJson(res, 200, body);
    return true;
  }

  return {
    name: 'citrix-sdwan',
    handle(req, res) {
      if (!req.path.startsWith('/sdwan/nitro/')) return false;
      const m = /^\/sdwan\/nitro\/(v1|v2)\/(config\/login|monitor\/(flows|ilbflows))\/?$/.exec(req.path);
      if (!m) return error(res, 404, SDWAN_ERRORS.badRequest, `Failed: no such resource ${req.path}`);
      if (m[2] === 'config/login') {
        if (req.method === 'POST') return login(req, res);
        if (req.method === 'DELETE') return logout(req, res);
        return error(res, 405, SDWAN_ERRORS.badMethod, `Failed: method ${req.method} not allowed on login`, { allow: 'POST, DELETE' });
      }
      return monitor(req, res, m[3] as 'flows' | 'ilbflows');
    },
    expireSessions() {
      sessions.clear();
    },
  };
});

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

/** Flows crossing the WAN whose lifetime covers `now`, youngest first. */
function activeFlows(ctx: SimContext, now: number): SimFlow[] {
  return ctx.traffic
    .between(now, now + LONGEST_FLOW_MS)
    .filter((f) => f.direction !== 'local' && f.ts - f.durationMs <= now)
    .sort((a, b) => b.ts - b.durationMs - (a.ts - a.durationMs) || (a.id < b.id ? -1 : 1));
}

function renderFlow(f: SimFlow, now: number): Record<string, string> {
  const start = f.ts - f.durationMs;
  const age = Math.max(0, now - start);
  const done = f.durationMs > 0 ? Math.min(1, age / f.durationMs) : 1;
  const outbound = f.direction === 'outbound';
  // One direction of the connection: what the source sent so far.
  const total = outbound ? f.upload : f.download;
  const bytes = Math.round(total * done);
  const packets = Math.max(1, Math.round(f.packets * done * (outbound ? 0.45 : 0.55)));
  const secs = Math.max(0.001, age / 1000);
  const ep = flowEndpoints(f);
  const cls = CLASSES[f.service.category === 'business' ? 0 : f.service.category === 'video' ? 2 : 1]!;
  const wan = WAN_LINKS[f.wanLink % WAN_LINKS.length]!;
  const viaDc = f.service.category === 'business';
  const n = Number(f.id.replace('-', '')) % 97;
  return {
    age: String(age),
    app_rule_id: String(100 + (f.service.app.length % 7)),
    application: f.service.app,
    bytes: String(bytes),
    class_type: cls.type,
    customer_kbps: ((bytes * 8) / 1000 / secs).toFixed(2),
    dest_ip: ep.dstIp,
    dest_port: String(ep.dstPort),
    direction: outbound ? 'LAN to WAN' : 'WAN to LAN',
    hdr_compression_bytes: String(viaDc ? Math.round(packets * 12) : 0),
    hitcount: String(packets + n),
    ip_dscp: cls.dscp,
    ipp: String(f.proto),
    ipsec_overhead_kbps: viaDc ? ((packets * 58 * 8) / 1000 / secs).toFixed(2) : '0.00',
    lan_gw_ip: `${f.device.ip.replace(/\.\d+$/, '')}.1`,
    packets: String(packets),
    path: viaDc ? `${wan.name}->DC-MPLS` : wan.name,
    pps: (packets / secs).toFixed(2),
    rule_id: String(1 + (n % 12)),
    service_name: viaDc ? 'Branch-DC' : 'Internet',
    service_type: viaDc ? 'Virtual Path' : 'Internet',
    src_ip: ep.srcIp,
    src_port: String(ep.srcPort),
    transmission_type: viaDc ? TRANSMISSION[n % TRANSMISSION.length]! : 'Internet Load Balanced',
    virtual_path_overhead_kbps: viaDc ? ((packets * 40 * 8) / 1000 / secs).toFixed(2) : '0.00',
    vpathclass: viaDc ? cls.id : '0',
  };
}

/** Internet load-balancing flows: internet-bound flows grouped by LAN IP and WAN link. */
function renderIlb(flows: SimFlow[], now: number): Array<Record<string, string>> {
  const groups = new Map<string, { lanip: string; wan: (typeof WAN_LINKS)[number]; count: number; age: number }>();
  for (const f of flows) {
    if (f.service.category === 'business') continue; // those ride the virtual path, not ILB
    const wan = WAN_LINKS[f.wanLink % WAN_LINKS.length]!;
    const key = `${f.device.ip}|${wan.name}`;
    const age = Math.max(0, now - (f.ts - f.durationMs));
    const g = groups.get(key);
    if (g) {
      g.count++;
      g.age = Math.max(g.age, age);
    } else groups.set(key, { lanip: f.device.ip, wan, count: 1, age });
  }
  return [...groups.values()].map((g) => ({ age: String(g.age), flowcount: String(g.count), lanip: g.lanip, wanip: g.wan.ip, wanlink: g.wan.name }));
}

function parseCookieHeader(header: string | string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const text = Array.isArray(header) ? header.join('; ') : (header ?? '');
  for (const part of text.split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}
