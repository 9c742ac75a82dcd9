/**
 * The one error hierarchy of the package. Every failure a flow can see is a `FlowError` with a
 * stable `code` (docs/design.md#error-codes), because a Catch node's `msg.error` only keeps `message`, `code`,
 * `stack` and `cause`: the code must live in `err.code` and the vendor's id and text in the
 * message. Messages never contain a credential: callers build them from safe parts only, and
 * `redact()` scrubs vendor text that might echo one.
 */

export const ERROR_CODES = [
  'AUTH',
  'HTTP_4XX',
  'HTTP_5XX',
  'RATE_LIMIT',
  'TIMEOUT',
  'NETWORK',
  'BAD_RESPONSE',
  'BAD_INPUT',
  'ABORTED',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface FlowErrorDetails {
  /** HTTP status, when a response was received. */
  status?: number;
  /** The vendor's own error id or code (`AUTH_EXPIRED_TOKEN`, `errorcode` 401, `FORBIDDEN`...). */
  vendorCode?: string | number;
  /** The vendor's error text, already redacted. */
  vendorMessage?: string;
  /** For BAD_INPUT: the property that was wrong (`limit`, `request.query`, `sourceIp`...). */
  field?: string;
  /** For RATE_LIMIT: how long the server asked us to wait. */
  retryAfterMs?: number;
  /** The method and path (never the query string, which may carry filters but never secrets). */
  request?: string;
  cause?: unknown;
}

export class FlowError extends Error {
  readonly code: ErrorCode;
  readonly status?: number;
  readonly vendorCode?: string | number;
  readonly vendorMessage?: string;
  readonly field?: string;
  readonly retryAfterMs?: number;
  readonly request?: string;

  constructor(code: ErrorCode, message: string, details: FlowErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'FlowError';
    this.code = code;
    this.status = details.status;
    this.vendorCode = details.vendorCode;
    this.vendorMessage = details.vendorMessage;
    this.field = details.field;
    this.retryAfterMs = details.retryAfterMs;
    this.request = details.request;
  }

  /** A plain object for `msg` or a status API: only safe, serialisable parts. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { code: this.code, message: this.message };
    for (const k of ['status', 'vendorCode', 'vendorMessage', 'field', 'retryAfterMs', 'request'] as const) {
      if (this[k] !== undefined) out[k] = this[k];
    }
    return out;
  }
}

export class AuthError extends FlowError {
  constructor(message: string, details: FlowErrorDetails = {}) {
    super('AUTH', message, details);
    this.name = 'AuthError';
  }
}

export class HttpStatusError extends FlowError {
  constructor(status: number, message: string, details: FlowErrorDetails = {}) {
    super(status >= 500 ? 'HTTP_5XX' : 'HTTP_4XX', message, { ...details, status });
    this.name = 'HttpStatusError';
  }
}

export class RateLimitError extends FlowError {
  constructor(message: string, details: FlowErrorDetails = {}) {
    super('RATE_LIMIT', message, details);
    this.name = 'RateLimitError';
  }
}

export class TimeoutError extends FlowError {
  constructor(message: string, details: FlowErrorDetails = {}) {
    super('TIMEOUT', message, details);
    this.name = 'TimeoutError';
  }
}

export class NetworkError extends FlowError {
  constructor(message: string, details: FlowErrorDetails = {}) {
    super('NETWORK', message, details);
    this.name = 'NetworkError';
  }
}

export class BadResponseError extends FlowError {
  constructor(message: string, details: FlowErrorDetails = {}) {
    super('BAD_RESPONSE', message, details);
    this.name = 'BadResponseError';
  }
}

/** Bad user input: names the field and says what was expected. */
export class BadInputError extends FlowError {
  constructor(field: string, message: string, details: FlowErrorDetails = {}) {
    super('BAD_INPUT', `${field}: ${message}`, { ...details, field });
    this.name = 'BadInputError';
  }
}

/** The request was cancelled because the node or client closed (redeploy, shutdown). */
export class AbortedError extends FlowError {
  constructor(message = 'request cancelled: the node was closed', details: FlowErrorDetails = {}) {
    super('ABORTED', message, details);
    this.name = 'AbortedError';
  }
}

export function isFlowError(err: unknown): err is FlowError {
  return err instanceof FlowError;
}

/**
 * Replaces every occurrence of each secret (and its URL-encoded and base64 forms, which is how
 * a credential usually leaks back: an echoed header or query) with `***`.
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 3) continue;
    const forms = new Set([s, encodeURIComponent(s), Buffer.from(s).toString('base64')]);
    for (const f of forms) out = out.split(f).join('***');
  }
  return out;
}

/** Shortens vendor text for messages and status: one line, bounded. */
export function oneLine(text: string, max = 300): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}
