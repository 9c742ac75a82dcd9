/**
 * Riverbed FlowGateway client: Common API 1.0 authentication (Basic, cookie session, OAuth 2.0
 * access code -> bearer token) in front of `import_stats`.
 *
 * - One login / token grant at a time (single-flight): concurrent requests wait for it.
 * - The bearer token is renewed before `expires_in` runs out (at the last 10 % of its life, at
 *   most 60 s early) and when the device answers 401 AUTH_EXPIRED_TOKEN.
 * - Like steelscript, a 401 AUTH_REQUIRED / AUTH_INVALID_SESSION / AUTH_EXPIRED_TOKEN /
 *   AUTH_INVALID_CREDENTIALS (and AUTH_INVALID_TOKEN) on a session or OAuth request
 *   re-authenticates once and retries once; a second failure is thrown, never looped. Basic auth
 *   has nothing to renew, so its 401 is thrown at once.
 * - `close()` logs the session out and closes the connection pool.
 * No credential, session id or token ever appears in an error text (HttpClient `secrets`).
 */
import { BadInputError, BadResponseError, FlowError, oneLine, shapeOf } from '../../errors';
import type { InvalidRecord } from '../../validate';
import { LOGOUT_TIMEOUT_MS, deadline } from '../../http/deadline';
import { HttpClient, type HttpClientOptions, type HttpResponse, type RequestOptions } from '../../http/client';
import { AuthInfo, CommonApiError, DisplayStatsRecord, ImportStatsResponse, LoginResponse, TokenResponse } from './schemas';
import type { StatsRequestItem } from './request';

export const AUTH_METHODS = ['basic', 'session', 'oauth'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

export const COMMON_API = '/api/common/1.0';
export const IMPORT_STATS_PATH = '/api/mgmt.flowgateway_analytics/1.0/import_stats';

/** Error ids after which a fresh session or token may help (steelscript's list, plus an invalid token). */
export const REAUTH_ERROR_IDS: ReadonlySet<string> = new Set([
  'AUTH_REQUIRED',
  'AUTH_INVALID_SESSION',
  'AUTH_EXPIRED_TOKEN',
  'AUTH_INVALID_CREDENTIALS',
  'AUTH_INVALID_TOKEN',
]);

/** auth_info names for our methods. */
export const DEVICE_METHOD_NAMES: Record<AuthMethod, string> = { basic: 'BASIC', session: 'COOKIE', oauth: 'OAUTH_2_0' };

export interface FlowGatewayCredentials {
  username?: string;
  password?: string;
  accessCode?: string;
}

export interface FlowGatewayClientOptions extends Omit<HttpClientOptions, 'secrets' | 'describeError'> {
  authMethod: AuthMethod;
  credentials: FlowGatewayCredentials;
  /** Sent with a session login (the device may audit it). */
  purpose?: string;
  /** How long close() waits for the logout before giving up. Default LOGOUT_TIMEOUT_MS (2 s). */
  logoutTimeoutMs?: number;
}

export type { InvalidRecord } from '../../validate';

export interface ImportStatsResult {
  records: DisplayStatsRecord[];
  invalid: InvalidRecord[];
  /** `bare` array or `DisplayStats` envelope, as the device answered. */
  envelope: 'bare' | 'DisplayStats';
  bytes: number;
}

/** Counters for tests and status displays. */
export interface AuthCounters {
  logins: number;
  tokenGrants: number;
  reauthentications: number;
  logouts: number;
}

/** Reads `{error_id, error_text, error_info}` into the HTTP core's vendor code and text. */
export function describeError(body: unknown): { vendorCode?: string; vendorMessage?: string } | undefined {
  const parsed = CommonApiError.safeParse(body);
  if (!parsed.success) return undefined;
  const { error_id, error_text, error_info } = parsed.data;
  let text = error_text ?? '';
  if (error_info !== undefined && error_info !== null) {
    const info = typeof error_info === 'string' ? error_info : JSON.stringify(error_info);
    // Not cut here: the HTTP core redacts the whole text first, then cuts it.
    text = text ? `${text} [${info}]` : info;
  }
  return { vendorCode: error_id, vendorMessage: text || undefined };
}

type Session = { key: string; id: string };
type Token = { value: string; refreshAt: number };

export class FlowGatewayClient {
  readonly http: HttpClient;
  readonly authMethod: AuthMethod;
  readonly counters: AuthCounters = { logins: 0, tokenGrants: 0, reauthentications: 0, logouts: 0 };
  private readonly credentials: FlowGatewayCredentials;
  private readonly purpose: string;
  private session?: Session;
  private token?: Token;
  private pending?: Promise<void>;
  private closed = false;
  private readonly logoutTimeoutMs: number;

  constructor(opts: FlowGatewayClientOptions) {
    if (!(AUTH_METHODS as readonly string[]).includes(opts.authMethod)) {
      throw new BadInputError('authMethod', `expected basic, session or oauth, got ${JSON.stringify(opts.authMethod)}`);
    }
    this.authMethod = opts.authMethod;
    this.credentials = { ...opts.credentials };
    this.purpose = opts.purpose ?? 'node-red-contrib-network-flows';
    this.logoutTimeoutMs = opts.logoutTimeoutMs ?? LOGOUT_TIMEOUT_MS;
    checkCredentials(this.authMethod, this.credentials);
    this.http = new HttpClient({
      ...opts,
      // `user:password` too: base64 of it is the Basic header, which a device may echo.
      secrets: () => [
        this.credentials.password,
        this.credentials.password ? `${this.credentials.username ?? ''}:${this.credentials.password}` : undefined,
        this.credentials.accessCode,
        this.session?.id,
        this.token?.value,
      ],
      describeError: (body) => describeError(body),
    });
  }

  get host(): string {
    return this.http.target.origin + this.http.target.basePath;
  }

  /** `GET /api/common/1.0/auth_info` (no authentication needed). */
  async authInfo(signal?: AbortSignal): Promise<AuthInfo> {
    const res = await this.http.request({ path: `${COMMON_API}/auth_info`, signal });
    const parsed = AuthInfo.safeParse(res.body);
    if (!parsed.success) throw new BadResponseError(`GET ${COMMON_API}/auth_info: unexpected answer (${parsed.error.issues[0]?.message})`);
    return parsed.data;
  }

  /** `GET import_stats` with the JSON body; records validated one by one. */
  async importStats(body: StatsRequestItem[], signal?: AbortSignal): Promise<ImportStatsResult> {
    const res = await this.authedRequest({ method: 'GET', path: IMPORT_STATS_PATH, json: body, signal });
    const parsed = ImportStatsResponse.safeParse(res.body);
    if (!parsed.success) {
      throw new BadResponseError(`GET ${IMPORT_STATS_PATH}: expected an array of stats or {"DisplayStats": [...]}, got ${this.http.safeText(shapeOf(res.body))}`, {
        status: res.status,
        request: `GET ${IMPORT_STATS_PATH}`,
      });
    }
    const envelope = Array.isArray(parsed.data) ? 'bare' : 'DisplayStats';
    const rows = Array.isArray(parsed.data) ? parsed.data : parsed.data.DisplayStats;
    const records: DisplayStatsRecord[] = [];
    const invalid: InvalidRecord[] = [];
    rows.forEach((row, index) => {
      const r = DisplayStatsRecord.safeParse(row);
      if (r.success) records.push(r.data);
      else {
        const issue = r.error.issues[0]!;
        invalid.push({ index, reason: `${issue.path.map(String).join('.') || 'record'}: ${issue.message}` });
      }
    });
    return { records, invalid, envelope, bytes: res.bytes };
  }

  /**
   * Any authenticated request with the chosen method; re-authenticates once and retries once on
   * the Common API's auth error ids.
   */
  async authedRequest<T = unknown>(req: RequestOptions): Promise<HttpResponse<T>> {
    const used = await this.ensureAuth(req.signal);
    try {
      return await this.http.request<T>({ ...req, headers: { ...req.headers, ...this.authHeaders() } });
    } catch (err) {
      if (!this.shouldReauth(err)) throw err;
      this.counters.reauthentications++;
      this.invalidate(used);
      await this.ensureAuth(req.signal);
      return this.http.request<T>({ ...req, headers: { ...req.headers, ...this.authHeaders() } });
    }
  }

  /**
   * Ends the session (if any, waiting at most logoutTimeoutMs for the device) and closes the
   * connection pool, which aborts whatever is still in flight. Safe to call twice.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.logout(this.logoutTimeoutMs).catch(() => undefined);
    } finally {
      await this.http.close();
    }
  }

  /**
   * `POST /api/common/1.0/logout` for a held session, given up after `timeoutMs` (a device that
   * stopped answering must not hold a redeploy up); failures are ignored (the session dies anyway).
   */
  async logout(timeoutMs = this.logoutTimeoutMs): Promise<void> {
    const s = this.session;
    if (!s) return;
    this.session = undefined;
    const bound = deadline(timeoutMs, undefined, this.http.clock);
    try {
      await this.http.request({
        method: 'POST',
        path: `${COMMON_API}/logout`,
        headers: { cookie: `${s.key}=${s.id}` },
        responseType: 'none',
        retry: false,
        signal: bound.signal,
      });
    } finally {
      bound.clear();
    }
    this.counters.logouts++;
  }

  /** Authenticates now (the config dialog's test); returns what was used. */
  async authenticate(signal?: AbortSignal): Promise<void> {
    await this.ensureAuth(signal);
  }

  private shouldReauth(err: unknown): boolean {
    return (
      this.authMethod !== 'basic' &&
      err instanceof FlowError &&
      err.status === 401 &&
      typeof err.vendorCode === 'string' &&
      REAUTH_ERROR_IDS.has(err.vendorCode)
    );
  }

  private authHeaders(): Record<string, string> {
    if (this.authMethod === 'basic') {
      const { username = '', password = '' } = this.credentials;
      return { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
    }
    if (this.authMethod === 'session') return this.session ? { cookie: `${this.session.key}=${this.session.id}` } : {};
    return this.token ? { authorization: `Bearer ${this.token.value}` } : {};
  }

  /** Makes sure a usable session / token is held; returns it so a failed request can drop exactly it. */
  private async ensureAuth(signal?: AbortSignal): Promise<Session | Token | undefined> {
    if (this.authMethod === 'basic') return undefined;
    for (;;) {
      const current = this.authMethod === 'session' ? this.session : this.token;
      const fresh = current !== undefined && (this.authMethod === 'session' || this.http.clock.now() < (current as Token).refreshAt);
      if (fresh) return current;
      // Single flight: everyone waits for the one login / grant in progress.
      if (!this.pending) {
        this.pending = (this.authMethod === 'session' ? this.login() : this.grantToken()).finally(() => {
          this.pending = undefined;
        });
      }
      await waitFor(this.pending, signal);
      const after = this.authMethod === 'session' ? this.session : this.token;
      // A grant that is already stale (a lifetime of 0) must not spin: use it once.
      if (after) return after;
    }
  }

  private invalidate(used: Session | Token | undefined): void {
    // Only drop what this request used: another request may already hold a fresh one.
    if (used !== undefined && this.session === used) this.session = undefined;
    if (used !== undefined && this.token === used) this.token = undefined;
  }

  private async login(): Promise<void> {
    const { username, password } = this.credentials;
    const res = await this.http.request({
      method: 'POST',
      path: `${COMMON_API}/login`,
      json: { username, password, purpose: this.purpose },
      retry: false,
    });
    let session: Session | undefined;
    const parsed = LoginResponse.safeParse(res.body);
    if (parsed.success) session = { key: parsed.data.session_key, id: parsed.data.session_id };
    else session = cookieFrom(res.headers['set-cookie']);
    if (!session) throw new BadResponseError(`POST ${COMMON_API}/login: the answer carried no session_key / session_id`);
    this.session = session;
    this.counters.logins++;
  }

  private async grantToken(): Promise<void> {
    const res = await this.http.request({
      method: 'POST',
      path: `${COMMON_API}/oauth/token`,
      form: { grant_type: 'access_code', assertion: this.credentials.accessCode ?? '' },
      retry: false,
    });
    const parsed = TokenResponse.safeParse(res.body);
    if (!parsed.success) throw new BadResponseError(`POST ${COMMON_API}/oauth/token: the answer carried no access_token`);
    if (parsed.data.token_type && parsed.data.token_type.toLowerCase() !== 'bearer') {
      throw new BadResponseError(`POST ${COMMON_API}/oauth/token: token_type "${oneLine(parsed.data.token_type, 40)}" is not supported (expected bearer)`);
    }
    const lifeMs = Math.max(0, (parsed.data.expires_in ?? 3600) * 1000);
    const obtained = this.http.clock.now();
    // Renew in the last 10 % of the lifetime, and never more than 60 s early.
    const margin = Math.min(60_000, lifeMs * 0.1);
    this.token = { value: parsed.data.access_token, refreshAt: obtained + lifeMs - margin };
    this.counters.tokenGrants++;
  }
}

function checkCredentials(method: AuthMethod, c: FlowGatewayCredentials): void {
  const label = method === 'basic' ? 'Basic authentication' : 'session login';
  if (method === 'oauth') {
    if (!c.accessCode) throw new BadInputError('accessCode', 'required for OAuth 2.0: generate one on the device (Configuration > Account management > OAuth Access)');
    return;
  }
  if (!c.username) throw new BadInputError('username', `required for ${label}`);
  if (!c.password) throw new BadInputError('password', `required for ${label}`);
}

function cookieFrom(header: string | string[] | undefined): Session | undefined {
  for (const h of Array.isArray(header) ? header : header ? [header] : []) {
    const first = h.split(';')[0] ?? '';
    const eq = first.indexOf('=');
    if (eq > 0) return { key: first.slice(0, eq).trim(), id: first.slice(eq + 1).trim() };
  }
  return undefined;
}

/** Waits for a shared promise, but lets one caller give up (its own abort) without cancelling the others. */
function waitFor<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function abortError(): FlowError {
  return new FlowError('ABORTED', 'request cancelled');
}
