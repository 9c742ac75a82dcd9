/**
 * Citrix SD-WAN NITRO client: one appliance session (cookie login) shared by every caller,
 * the monitor resources `flows` and `ilbflows`, and logout on close.
 *
 * Session rules (docs/vendors/citrix-sdwan.md#authentication): `POST /sdwan/nitro/v1/config/login` with
 * `{"login":{"username","password"}}`; keep every cookie Set-Cookie returns and send them all
 * back; a 401 on a monitor call means the session ended: log in again once, retry once.
 * Concurrent first requests share one login (single flight), and so do concurrent re-logins.
 */
import { z } from 'zod';
import { AbortedError, AuthError, BadInputError, BadResponseError, FlowError } from '../../errors';
import type { Clock } from '../../clock';
import { HttpClient, type HttpClientOptions, type TlsOptions } from '../../http/client';
import { LOGOUT_TIMEOUT_MS, deadline } from '../../http/deadline';
import { parseInput } from '../../validate';
import { CookieJar } from './cookies';
import { buildFilter, filterSchema, maxStatsSchema, type MaxStats } from './filter';
import { unwrapEnvelope, validateRecords, type InvalidRecord, type SdwanEndpoint, type SdwanEnvelope, type SdwanRecord } from './schemas';

export const LOGIN_PATH = '/sdwan/nitro/v1/config/login';
export const API_VERSIONS = ['v2', 'v1'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

/** `apiVersion`: v2 (default) or v1 for older firmware; empty means v2. */
export const apiVersionSchema = z
  .union([z.literal(''), z.enum(API_VERSIONS)], { error: 'expected "v2" or "v1"' })
  .optional()
  .transform((v): ApiVersion => (v ? v : 'v2'));

export interface SdwanClientOptions {
  host: string;
  username: string;
  password: string;
  tls?: TlsOptions;
  timeoutMs?: number;
  apiVersion?: ApiVersion;
  /** How long close() waits for the logout before giving up. Default 2000 ms. */
  logoutTimeoutMs?: number;
  /** Passed to the HTTP core (retry policy, connections...). */
  http?: Partial<Omit<HttpClientOptions, 'host' | 'tls' | 'timeoutMs' | 'secrets' | 'describeError'>>;
  /** Time source for fetchedAt and cookie expiry (also used for the HTTP core's waits). Default: the system clock. */
  clock?: Clock;
}

export interface SdwanFetchOptions {
  /** `key:value;key:value` pairs (validated) */
  filter?: ReadonlyArray<readonly [string, string]>;
  maxStats?: MaxStats;
  signal?: AbortSignal;
}

export interface SdwanFetchResult {
  resource: SdwanEndpoint;
  records: SdwanRecord[];
  invalid: InvalidRecord[];
  envelope: SdwanEnvelope;
  /** Epoch ms when the answer arrived. */
  fetchedAt: number;
  /** The `filter` query value sent, if any. */
  filter?: string;
}

/** Reads NITRO's `{errorcode, errormessage}` error body. */
export function describeSdwanError(body: unknown): { vendorCode?: string | number; vendorMessage?: string } | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const o = body as Record<string, unknown>;
  if (!('errorcode' in o) && !('errormessage' in o)) return undefined;
  const code = o.errorcode;
  return {
    vendorCode: typeof code === 'number' || typeof code === 'string' ? code : undefined,
    vendorMessage: typeof o.errormessage === 'string' ? o.errormessage : undefined,
  };
}

/** Validates a node's `filter` / `maxStats` (or `msg.request.*` with prefix `request`). */
export function parseSdwanQuery(input: { filter?: unknown; maxStats?: unknown }, prefix = ''): { filter: Array<[string, string]>; maxStats?: MaxStats } {
  const p = prefix ? `${prefix}.` : '';
  const filter = parseInput(filterSchema, input.filter === null ? undefined : input.filter, `${p}filter`);
  const maxStats = parseInput(maxStatsSchema, input.maxStats === null ? undefined : input.maxStats, `${p}maxStats`);
  return { filter, maxStats };
}

export class SdwanClient {
  readonly http: HttpClient;
  readonly apiVersion: ApiVersion;
  /** `host[:port]` of the appliance, for `msg.networkFlows.host`. */
  readonly host: string;
  private readonly username: string;
  private readonly password: string;
  private readonly logoutTimeoutMs: number;
  private readonly jar = new CookieJar();
  private loginPromise?: Promise<void>;
  private loggedIn = false;
  /** Increments with each successful login, so a stale 401 does not cause a second re-login. */
  private generation = 0;
  private closing?: Promise<void>;

  constructor(opts: SdwanClientOptions) {
    if (typeof opts.username !== 'string' || opts.username === '') throw new BadInputError('username', 'the appliance user name is required');
    if (typeof opts.password !== 'string' || opts.password === '') throw new BadInputError('password', 'the appliance password is required');
    this.username = opts.username;
    this.password = opts.password;
    this.apiVersion = parseInput(apiVersionSchema, opts.apiVersion, 'apiVersion');
    this.logoutTimeoutMs = opts.logoutTimeoutMs ?? LOGOUT_TIMEOUT_MS;
    this.http = new HttpClient({
      ...opts.http,
      clock: opts.clock ?? opts.http?.clock,
      host: opts.host,
      tls: opts.tls,
      timeoutMs: opts.timeoutMs,
      // Credentials and session cookies never reach an error text.
      secrets: () => [this.username, this.password, ...this.jar.values()],
      describeError: describeSdwanError,
    });
    this.host = new URL(this.http.target.origin).host;
  }

  get isLoggedIn(): boolean {
    return this.loggedIn;
  }

  /** Logs in unless a session exists; concurrent callers share one login. */
  async ensureSession(): Promise<number> {
    if (this.loginPromise) await this.loginPromise;
    else if (!this.loggedIn) await this.login();
    return this.generation;
  }

  /** Starts a login, or joins the one in flight. */
  login(): Promise<void> {
    if (this.closing) return Promise.reject(new AbortedError(`POST ${LOGIN_PATH}: the client is closed`));
    this.loginPromise ??= this.doLogin().finally(() => {
      this.loginPromise = undefined;
    });
    return this.loginPromise;
  }

  private async doLogin(): Promise<void> {
    this.loggedIn = false;
    this.jar.clear();
    let res;
    try {
      res = await this.http.request({
        method: 'POST',
        path: LOGIN_PATH,
        json: { login: { username: this.username, password: this.password } },
        responseType: 'text',
        // A login is not repeated blindly: a wrong password must not lock the account.
        retry: false,
      });
    } catch (err) {
      if (err instanceof FlowError && err.code === 'AUTH') {
        throw new AuthError(`login to ${this.host} failed: ${err.message}`, { ...err, cause: undefined });
      }
      throw err;
    }
    this.jar.update(res.headers['set-cookie'], this.http.clock.now());
    if (this.jar.size === 0) {
      throw new BadResponseError(`POST ${LOGIN_PATH}: HTTP ${res.status} but no session cookie was set`, { status: res.status, request: `POST ${LOGIN_PATH}` });
    }
    this.generation++;
    this.loggedIn = true;
  }

  /** Re-login after a 401 that a request made in session `gen` got; shared by concurrent callers. */
  private async relogin(gen: number): Promise<void> {
    if (this.loginPromise) await this.loginPromise.catch(() => undefined);
    if (this.generation !== gen && this.loggedIn) return; // someone already replaced that session
    this.loggedIn = false;
    await this.login();
  }

  monitorPath(resource: SdwanEndpoint): string {
    return `/sdwan/nitro/${this.apiVersion}/monitor/${resource}`;
  }

  /** GET flows or ilbflows: records validated one by one, the envelope unwrapped. */
  async fetch(resource: SdwanEndpoint, opts: SdwanFetchOptions = {}): Promise<SdwanFetchResult> {
    const filter = buildFilter(opts.filter ?? [], opts.maxStats);
    const path = this.monitorPath(resource);
    const get = (): Promise<{ body: unknown }> =>
      this.http.request({ path, query: { filter }, headers: this.cookieHeader(), signal: opts.signal });

    let gen = await this.ensureSession();
    let res: { body: unknown };
    try {
      res = await get();
    } catch (err) {
      if (!(err instanceof FlowError && err.status === 401)) throw err;
      await this.relogin(gen);
      gen = this.generation;
      try {
        res = await get();
      } catch (again) {
        if (again instanceof FlowError && again.status === 401) {
          this.loggedIn = false;
          throw new AuthError(`${again.message}; the appliance refused the new session too (logged in again once, retried once)`, { ...again, cause: undefined });
        }
        throw again;
      }
    }
    const fetchedAt = this.http.clock.now();
    let unwrapped: ReturnType<typeof unwrapEnvelope>;
    try {
      unwrapped = unwrapEnvelope(res.body, resource, `GET ${path}`);
    } catch (err) {
      // The text names the answer's keys, which the appliance chose: redact it like vendor text.
      throw err instanceof BadResponseError ? new BadResponseError(this.http.safeText(err.message, 600), { request: `GET ${path}` }) : err;
    }
    const { items, envelope } = unwrapped;
    const { records, invalid } = validateRecords(items, resource);
    return { resource, records, invalid, envelope, fetchedAt, filter };
  }

  private cookieHeader(): Record<string, string> {
    const c = this.jar.header();
    return c ? { cookie: c } : {};
  }

  /** Ends the session on the appliance (best effort). Resolves true when the appliance confirmed. */
  async logout(timeoutMs = this.logoutTimeoutMs): Promise<boolean> {
    if (this.loginPromise) await this.loginPromise.catch(() => undefined);
    if (!this.loggedIn) return false;
    const headers = this.cookieHeader();
    this.loggedIn = false;
    const bound = deadline(timeoutMs, undefined, this.http.clock);
    try {
      await this.http.request({ method: 'DELETE', path: LOGIN_PATH, headers, responseType: 'none', retry: false, signal: bound.signal });
      return true;
    } catch {
      return false; // an ended session or an unreachable appliance: nothing left to clean up
    } finally {
      bound.clear();
      this.jar.clear();
    }
  }

  /** Logs out (waiting at most logoutTimeoutMs) and closes every socket. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        // A login still in flight is simply abandoned: its session will time out on the appliance.
        if (!this.loginPromise) await this.logout();
      } finally {
        this.jar.clear();
        this.loggedIn = false;
        await this.http.close();
      }
    })();
    return this.closing;
  }
}
