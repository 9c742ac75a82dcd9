/**
 * The one HTTP core: an undici Pool per config node (keep-alive), connect / headers / body
 * timeouts, a response size cap, bounded retries, TLS options from a `tls-config` node, abort
 * on close, GET with a body. Every failure becomes a coded FlowError whose text names the
 * request (method and path, never the query or headers) and is scrubbed of the client's secrets.
 */
import { Pool } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import {
  AbortedError,
  AuthError,
  BadResponseError,
  FlowError,
  HttpStatusError,
  NetworkError,
  RateLimitError,
  TimeoutError,
  redact,
  safeText,
} from '../errors';
import { plainHttpMessage, speaksPlainHttp } from './plain-http';
import { parseHost, type ParsedHost } from './host';
import { sleep, systemClock, type Clock } from '../clock';
import { BACKOFF_STATUSES, DEFAULT_RETRY, backoffDelay, parseRetryAfter, type RetryPolicy } from './retry';

/** What Node-RED's tls-config node gives (`addTLSOptions`), plus verification. */
export interface TlsOptions {
  ca?: string | Buffer | Array<string | Buffer>;
  cert?: string | Buffer;
  key?: string | Buffer;
  passphrase?: string;
  servername?: string;
  /** Defaults to true: certificates are verified unless a tls-config node turns it off. */
  rejectUnauthorized?: boolean;
}

export interface HttpClientOptions {
  host: string;
  tls?: TlsOptions;
  /** Budget for each phase: connect, waiting for headers, gaps in the body. Default 30 s. */
  timeoutMs?: number;
  /** Default 64 MiB: a JSON body bigger than this is refused rather than exhausting memory. */
  maxResponseBytes?: number;
  retry?: Partial<RetryPolicy>;
  /** Sockets per origin. Default 4. */
  connections?: number;
  /** Idle keep-alive time of a socket. Default 30 s. */
  keepAliveMs?: number;
  /** Returns every secret this client sends, so none can slip into an error text. */
  secrets?: () => ReadonlyArray<string | undefined>;
  /** Reads a vendor's error body into an id and a text (each vendor has its own shape). */
  describeError?: (body: unknown, text: string) => { vendorCode?: string | number; vendorMessage?: string } | undefined;
  userAgent?: string;
  /** Time source for retry waits and `Retry-After` dates. Default: the system clock. */
  clock?: Clock;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type QueryValue = string | number | boolean | undefined;

export interface RequestOptions {
  method?: HttpMethod;
  /** Path below the host's base path, starting with '/'. */
  path: string;
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  /** Serialised as JSON with `content-type: application/json` (also for GET: FlowGateway). */
  json?: unknown;
  /** Serialised as `application/x-www-form-urlencoded`. */
  form?: Record<string, string>;
  /** `json` (default): parse the body; `text`: return it as a string; `none`: discard it. */
  responseType?: 'json' | 'text' | 'none';
  signal?: AbortSignal;
  /** false turns retries off for this request (e.g. a login that must not be repeated). */
  retry?: boolean;
  /** Statuses that are returned instead of thrown (e.g. 401 handled by an auth layer). */
  acceptStatus?: readonly number[];
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: IncomingHttpHeaders;
  body: T;
  /** Bytes of body received. */
  bytes: number;
  /** Requests made, retries included. */
  attempts: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export class HttpClient {
  readonly target: ParsedHost;
  readonly clock: Clock;
  private pool: Pool;
  private readonly retry: RetryPolicy;
  private readonly maxResponseBytes: number;
  private readonly timeoutMs: number;
  private readonly closing = new AbortController();
  private readonly opts: HttpClientOptions;
  private closed = false;

  constructor(opts: HttpClientOptions) {
    this.opts = opts;
    this.target = parseHost(opts.host);
    this.clock = opts.clock ?? systemClock;
    this.timeoutMs = positive(opts.timeoutMs) ?? DEFAULT_TIMEOUT_MS;
    this.maxResponseBytes = positive(opts.maxResponseBytes) ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.retry = { ...DEFAULT_RETRY, ...definedOnly(opts.retry ?? {}) };
    this.pool = this.newPool();
  }

  private newPool(): Pool {
    const opts = this.opts;
    const tls = opts.tls ?? {};
    return new Pool(this.target.origin, {
      connections: opts.connections ?? 4,
      keepAliveTimeout: opts.keepAliveMs ?? 30_000,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      connect: {
        timeout: this.timeoutMs,
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        passphrase: tls.passphrase,
        servername: tls.servername,
        // Verified unless the user's tls-config node explicitly turned verification off.
        rejectUnauthorized: tls.rejectUnauthorized !== false,
      },
    });
  }

  /**
   * Closes the idle keep-alive sockets (after a fleet poll, so hundreds of sites do not each hold
   * a socket between polls: docs/fleets.md#connections); the next request opens a new one. Cookies,
   * tokens and sessions live above this core and are kept.
   */
  async releaseIdle(): Promise<void> {
    if (this.closed) return;
    const old = this.pool;
    this.pool = this.newPool();
    await old.close().catch(() => undefined);
  }

  /** Aborts every in-flight request and backoff wait, and closes every socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort(new AbortedError());
    await this.pool.destroy().catch(() => undefined);
  }

  async request<T = unknown>(req: RequestOptions): Promise<HttpResponse<T>> {
    const method = req.method ?? 'GET';
    const path = this.target.basePath + req.path;
    const label = `${method} ${req.path}`;
    if (this.closed) throw new AbortedError(`${label}: the client is closed`);
    const signal = req.signal ? AbortSignal.any([req.signal, this.closing.signal]) : this.closing.signal;
    const retries = req.retry === false ? 0 : this.retry.maxRetries;

    for (let attempt = 1; ; attempt++) {
      let outcome: { response?: HttpResponse<T>; error?: FlowError; waitMs?: number };
      try {
        outcome = await this.once<T>(req, method, path, label, signal, attempt);
      } catch (err) {
        throw this.scrub(err);
      }
      const retriesLeft = attempt <= retries;
      if (outcome.response) return outcome.response;
      const error = this.scrub(outcome.error);
      if (!retriesLeft || outcome.waitMs === undefined) throw error;
      try {
        await sleep(outcome.waitMs, signal, this.clock);
      } catch {
        throw new AbortedError(`${label}: cancelled while waiting to retry`);
      }
    }
  }

  /** One attempt. Returns the response, or the error and (when retryable) how long to wait. */
  private async once<T>(
    req: RequestOptions,
    method: HttpMethod,
    path: string,
    label: string,
    signal: AbortSignal,
    attempt: number,
  ): Promise<{ response?: HttpResponse<T>; error?: FlowError; waitMs?: number }> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': this.opts.userAgent ?? 'node-red-contrib-network-flows',
      ...req.headers,
    };
    let body: string | undefined;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] = 'application/json';
    } else if (req.form !== undefined) {
      body = new URLSearchParams(req.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }

    let res: Awaited<ReturnType<Pool['request']>>;
    try {
      res = await this.pool.request({
        method,
        path: path + queryString(req.query),
        headers,
        body,
        signal,
        // The body of a GET is allowed by undici; mark GET/DELETE idempotent so a reset socket is retried.
        idempotent: method === 'GET' || method === 'DELETE' || method === 'PUT',
      });
    } catch (err) {
      const error = this.transportError(err, label, 'request');
      const resetBeforeResponse = error.code === 'NETWORK' && method !== 'POST';
      return { error, waitMs: resetBeforeResponse ? backoffDelay(attempt - 1, this.retry) : undefined };
    }

    const { statusCode: status, headers: resHeaders } = res;
    let raw: Buffer;
    try {
      raw = await readCapped(res.body, this.maxResponseBytes, label);
    } catch (err) {
      return { error: err instanceof FlowError ? err : this.transportError(err, label, 'body') };
    }
    const text = raw.toString('utf8');
    // Let undici mark the socket free before the caller's next request, so sequential requests
    // reuse one kept-alive connection instead of opening a second one.
    await new Promise<void>((r) => setImmediate(r));

    if ((status >= 200 && status < 300) || req.acceptStatus?.includes(status)) {
      const responseType = req.responseType ?? 'json';
      let parsed: unknown = text;
      if (responseType === 'none') parsed = undefined;
      else if (responseType === 'json' && status !== 204) parsed = parseJsonBody(text, resHeaders, label, status, this.secretList());
      return { response: { status, headers: resHeaders, body: parsed as T, bytes: raw.length, attempts: attempt } };
    }

    const error = this.statusError(status, text, resHeaders, label);
    if (status === 429) {
      const after = parseRetryAfter(resHeaders['retry-after'], this.clock.now());
      const wait = after ?? backoffDelay(attempt - 1, this.retry);
      return { error, waitMs: wait <= this.retry.maxRetryAfterMs ? wait : undefined };
    }
    if (BACKOFF_STATUSES.has(status)) {
      const after = parseRetryAfter(resHeaders['retry-after'], this.clock.now());
      const wait = Math.max(after ?? 0, backoffDelay(attempt - 1, this.retry));
      return { error, waitMs: wait <= this.retry.maxRetryAfterMs ? wait : undefined };
    }
    return { error };
  }

  private statusError(status: number, text: string, headers: IncomingHttpHeaders, label: string): FlowError {
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const described = this.opts.describeError?.(body, text) ?? describeGeneric(body, text, headers);
    // Redacted on the whole vendor text, then cut: a secret straddling the cut cannot survive.
    const secrets = this.secretList();
    const vendorMessage = described?.vendorMessage === undefined ? undefined : safeText(described.vendorMessage, secrets);
    const code = described?.vendorCode;
    const vendorCode = typeof code === 'string' ? safeText(code, secrets, 80) : code;
    const vendorPart = [vendorCode, vendorMessage].filter((x) => x !== undefined && x !== '').join(': ');
    const message = `${label}: HTTP ${status}${vendorPart ? ` (${vendorPart})` : ''}`;
    const details = { status, vendorCode, vendorMessage, request: label };
    if (status === 401 || status === 403) return new AuthError(message, details);
    if (status === 429) {
      return new RateLimitError(message, { ...details, retryAfterMs: parseRetryAfter(headers['retry-after'], this.clock.now()) });
    }
    return new HttpStatusError(status, message, details);
  }

  private transportError(err: unknown, label: string, phase: 'request' | 'body'): FlowError {
    if (err instanceof FlowError) return err;
    if (this.closing.signal.aborted) return new AbortedError(`${label}: cancelled, the node was closed`);
    const code = (err as { code?: string } | null)?.code ?? '';
    const name = (err as { name?: string } | null)?.name ?? '';
    const t = this.timeoutMs;
    if (name === 'AbortError' || code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR') {
      return new AbortedError(`${label}: cancelled`);
    }
    if (code === 'UND_ERR_CONNECT_TIMEOUT') return new TimeoutError(`${label}: could not connect within ${t} ms`, { request: label });
    if (code === 'UND_ERR_HEADERS_TIMEOUT') return new TimeoutError(`${label}: no response within ${t} ms`, { request: label });
    if (code === 'UND_ERR_BODY_TIMEOUT') return new TimeoutError(`${label}: response body stalled for ${t} ms`, { request: label });
    const detail = errorDetail(err);
    if (phase === 'body' || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') {
      return new BadResponseError(`${label}: response was cut off (${detail})`, { request: label, cause: err });
    }
    // Not a certificate problem: the port answered the TLS hello in plain HTTP.
    if (this.target.protocol === 'https:' && speaksPlainHttp(code, detail)) return new NetworkError(plainHttpMessage(label, this.target), { request: label });
    if (/CERT|SSL|TLS|self[- ]signed|unable to verify/i.test(`${code} ${detail}`)) {
      return new NetworkError(
        `${label}: TLS certificate of ${this.target.hostname} was rejected (${detail}); trust its CA in a tls-config node`,
        { request: label },
      );
    }
    return new NetworkError(`${label}: cannot reach ${this.target.origin} (${detail})`, { request: label });
  }

  /** Text built from a response (outside this core) made safe: redacted whole, then cut. */
  safeText(text: string, max = 300): string {
    return safeText(text, this.secretList(), max);
  }

  private secretList(): ReadonlyArray<string | undefined> {
    return this.opts.secrets?.() ?? [];
  }

  /** The last line of defence: no secret in any message, whatever produced it. */
  private scrub(err: unknown): FlowError {
    const e = err instanceof FlowError ? err : new NetworkError(errorDetail(err));
    const secrets = this.secretList();
    if (!secrets.some((s) => s && s.length >= 3)) return e;
    const message = redact(e.message, secrets);
    const vendorMessage = e.vendorMessage === undefined ? undefined : redact(e.vendorMessage, secrets);
    if (message === e.message && vendorMessage === e.vendorMessage) return e;
    const copy = new FlowError(e.code, message, { ...e, vendorMessage, cause: undefined });
    copy.name = e.name;
    Object.setPrototypeOf(copy, Object.getPrototypeOf(e) as object | null);
    return copy;
  }

}

function queryString(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.append(k, String(v));
  const s = params.toString();
  // URLSearchParams writes spaces as '+'; percent-encoding is what every server decodes the same way.
  return s ? `?${s.replace(/\+/g, '%20')}` : '';
}

async function readCapped(body: AsyncIterable<Buffer> & { destroy?: (e?: Error) => void }, max: number, label: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.length;
    if (total > max) {
      body.destroy?.();
      throw new BadResponseError(`${label}: response larger than the ${max}-byte cap`, { request: label });
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}

function parseJsonBody(text: string, headers: IncomingHttpHeaders, label: string, status: number, secrets: ReadonlyArray<string | undefined>): unknown {
  const type = safeText(String(headers['content-type'] ?? '').toLowerCase(), secrets, 60);
  if (type.includes('text/html') || /^\s*</.test(text)) {
    // Redact the raw page before tags are stripped and before the 120-character cut.
    const page = safeText(stripTags(redact(text.slice(0, 64 * 1024), secrets)), secrets, 120);
    throw new BadResponseError(`${label}: expected JSON, got ${type || 'markup'}: ${page}`, { status, request: label });
  }
  if (text.trim() === '') throw new BadResponseError(`${label}: expected JSON, got an empty body`, { status, request: label });
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BadResponseError(`${label}: malformed JSON (${jsonErrorWhere(err, text)})`, { status, request: label });
  }
}

/** Where JSON.parse failed, without V8's quote of the body (which may hold a secret). */
export function jsonErrorWhere(err: unknown, text: string): string {
  const m = /\bposition (\d+)/.exec(err instanceof Error ? err.message : '');
  if (m) return `invalid at character ${m[1]} of ${text.length}`;
  if (err instanceof Error && /end of JSON input|Unterminated/i.test(err.message)) return `the body ends early, after ${text.length} characters`;
  return `not valid JSON, ${text.length} characters`;
}

/** Best effort for servers without a describeError hook: common `{error, message}` shapes, or HTML title. */
function describeGeneric(body: unknown, text: string, headers: IncomingHttpHeaders): { vendorCode?: string; vendorMessage?: string } | undefined {
  if (body && typeof body === 'object') {
    const o = body as Record<string, unknown>;
    const inner = (typeof o.error === 'object' && o.error !== null ? o.error : o) as Record<string, unknown>;
    const msg = inner.message ?? inner.error_text ?? inner.errormessage ?? (typeof o.error === 'string' ? o.error : undefined);
    const code = inner.type ?? inner.error_id ?? inner.errorcode ?? inner.code;
    return {
      vendorCode: code === undefined ? undefined : String(code),
      vendorMessage: msg === undefined ? undefined : String(msg),
    };
  }
  const type = String(headers['content-type'] ?? '');
  if (type.includes('html') || /^\s*</.test(text)) {
    const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1];
    return { vendorMessage: title ? `HTML page "${title.trim()}"` : 'an HTML page' };
  }
  return text.trim() ? { vendorMessage: text } : undefined;
}

/**
 * Each `<` up to the next `>` becomes a space; an unclosed `<` stays text. A scan with the
 * meaning of `/<[^>]*>/g`, which retried from every `<` of a run without a `>` (quadratic).
 */
function stripTags(s: string): string {
  let out = '';
  let from = 0;
  for (let open = s.indexOf('<'); open >= 0; open = s.indexOf('<', from)) {
    const close = s.indexOf('>', open + 1);
    if (close < 0) break;
    out += `${s.slice(from, open)} `;
    from = close + 1;
  }
  return out + s.slice(from);
}

function errorDetail(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: string }).code;
    const cause = (err as { cause?: unknown }).cause;
    const causeText = cause instanceof Error ? `: ${cause.message}` : '';
    return `${code ? `${code} ` : ''}${err.message}${causeText}`.trim();
  }
  return String(err);
}

function positive(n: number | undefined): number | undefined {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

