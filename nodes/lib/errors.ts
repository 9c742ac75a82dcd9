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

/** A prefix this long of a secret's form, left where a text was cut, is still redacted. */
export const MIN_REDACTED_PREFIX = 8;

/**
 * Every way a secret usually leaks back (an echoed header, query, form or JSON body): raw,
 * URL-encoded (both `%20` and form `+` styles), JSON-escaped, base64 / base64url, and base64 of
 * the secret at each of the three byte alignments inside a longer encoded string (which is how
 * Basic auth's `base64(user:secret)` carries it, whatever the user name's length). Longest first,
 * so a whole form is replaced before a part of it.
 */
export function secretForms(secrets: readonly (string | undefined)[]): string[] {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (!s || s.length < 3) continue;
    forms.add(s);
    forms.add(encodeURIComponent(s));
    forms.add(new URLSearchParams({ v: s }).toString().slice(2));
    forms.add(JSON.stringify(s).slice(1, -1));
    const bytes = Buffer.from(s);
    forms.add(bytes.toString('base64'));
    forms.add(bytes.toString('base64url'));
    for (const offset of [1, 2]) {
      // base64 of (offset unknown bytes + secret): characters that depend only on the secret's
      // bytes sit between the first touched group's mixed characters and the last partial group.
      const enc = withoutPadding(Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64'));
      const skip = offset + 1;
      const fullChars = Math.floor(((offset + bytes.length) * 8) / 6);
      const core = enc.slice(skip, fullChars);
      if (core.length >= MIN_REDACTED_PREFIX) {
        forms.add(core);
        forms.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
      }
    }
  }
  return [...forms].filter((f) => f.length >= 3).sort((a, b) => b.length - a.length);
}

/**
 * Replaces every occurrence of each secret, in every form `secretForms` lists, with `***`; and
 * any run of `MIN_REDACTED_PREFIX` or more characters that starts like a form (what is left of
 * a secret where someone else cut the text). Run it on the whole text, before any truncation.
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  return redactForms(text, secretForms(secrets));
}

function redactForms(text: string, forms: readonly string[]): string {
  let out = text;
  // Whole forms first (longest first), so a partial match of one form cannot break a whole
  // occurrence of another; then what is left of a form where the text was cut.
  for (const f of forms) if (out.includes(f)) out = out.split(f).join('***');
  for (const f of forms) if (f.length > MIN_REDACTED_PREFIX) out = redactPrefixes(out, f);
  return out;
}

/** Replaces every run of MIN_REDACTED_PREFIX or more characters that starts like `form`. */
function redactPrefixes(text: string, form: string): string {
  const head = form.slice(0, MIN_REDACTED_PREFIX);
  let i = text.indexOf(head);
  if (i < 0) return text;
  let result = '';
  let from = 0;
  while (i >= 0) {
    let n = MIN_REDACTED_PREFIX;
    while (n < form.length && i + n < text.length && text.charCodeAt(i + n) === form.charCodeAt(n)) n++;
    result += `${text.slice(from, i)}***`;
    from = i + n;
    i = text.indexOf(head, from);
  }
  return result + text.slice(from);
}

/**
 * Vendor text for a message: redacted on the whole text first, then made one line and cut to
 * `max`. Only the first `scanLimit` characters are looked at (a 64 MiB error page is not
 * scanned); a secret cut there is still caught by the prefix rule of `redact`.
 */
export function safeText(text: string, secrets: readonly (string | undefined)[], max = 300, scanLimit = 64 * 1024): string {
  return oneLine(redact(text.length > scanLimit ? text.slice(0, scanLimit) : text, secrets), max);
}

/**
 * What a response body looked like, for an error text: its type, or an object's first keys
 * (each cut at 40 characters; a key may be anything a device sent, so redact the result).
 */
export function shapeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v !== 'object') return typeof v;
  const keys: string[] = [];
  for (const k in v) {
    if (keys.length === 5) break;
    keys.push(k.length > 40 ? `${k.slice(0, 39)}…` : k);
  }
  return `an object with keys ${keys.join(', ') || '(none)'}`;
}

/** Shortens text for messages and status: one line, bounded. Redact before calling this. */
export function oneLine(text: string, max = 300): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Base64 text without its trailing `=` padding (at most two; a loop, not a backtracking `/=+$/`). */
function withoutPadding(b64: string): string {
  let end = b64.length;
  while (end > 0 && b64.charCodeAt(end - 1) === 61 /* = */) end--;
  return b64.slice(0, end);
}
