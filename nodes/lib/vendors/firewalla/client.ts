/**
 * Firewalla MSP API v2 client: `GET /v2/flows` with `Authorization: Token <token>`, pages as an
 * async iterator, and a pagination loop that is careful with the token's budget (about 100
 * requests per 5 minutes, docs/vendors/firewalla.md#limits-and-errors):
 *
 * - 429 with `retry-after` is retried by the HTTP core up to its cap, then fails as RATE_LIMIT;
 * - `x-ratelimit-remaining` / `x-ratelimit-reset` of every response are remembered per client
 *   (one per config node, so every node sharing the token shares the budget); before each request
 *   the client waits for the reset when the budget is used up, or fails with RATE_LIMIT when the
 *   wait would exceed `maxWaitMs`, instead of burning requests into 429s;
 * - a `next_cursor` that was already seen stops the loop with BAD_RESPONSE (a server bug would
 *   otherwise page forever); `maxPages` bounds every loop.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { AbortedError, BadInputError, BadResponseError, RateLimitError } from '../../errors';
import { HttpClient, type HttpClientOptions } from '../../http/client';
import { sleep, systemClock } from '../../clock';
import { PageCollector } from './delivery';
import { RateBudget } from '../../fleet/budget';
import { checkPage, validateBoxes, validateRecords, type FirewallaBox, type FirewallaRecord, type InvalidRecord } from './schemas';

export const FLOWS_PATH = '/v2/flows';
export const BOXES_PATH = '/v2/boxes';
export const MAX_LIMIT = 500;
export const DEFAULT_MAX_PAGES = 20;
const LABEL = `GET ${FLOWS_PATH}`;

export interface RateOptions {
  /** Requests kept in reserve: the loop waits when `x-ratelimit-remaining` is at or below this. Default 0. */
  reserve?: number;
  /** The longest wait for a budget reset before failing with RATE_LIMIT. Default 60 s. */
  maxWaitMs?: number;
  /** The token's budget for fleet walks (docs/fleets.md#one-budget-per-token): requests per window. Default 100. */
  limit?: number;
  /** Default 5 minutes. */
  windowMs?: number;
}

export interface FirewallaClientOptions extends Omit<HttpClientOptions, 'secrets' | 'describeError'> {
  /** Personal access token (a credential: never logged, scrubbed from every error). */
  token: string | undefined;
  rate?: RateOptions;
}

export interface FlowsQuery {
  query?: string;
  groupBy?: string;
  sortBy?: string;
  limit?: number;
  cursor?: string;
}

export interface RateState {
  /** Requests left in the current window, as the last response said. */
  remaining?: number;
  /** Epoch ms when the window resets. */
  resetAt?: number;
}

export interface FlowsPage {
  /** 0-based position in this run. */
  index: number;
  /** Valid records, as sent. */
  records: FirewallaRecord[];
  /** Records that failed validation (skipped). */
  invalid: InvalidRecord[];
  /** `results.length` as received. */
  received: number;
  /** The cursor this page was requested with. */
  cursor?: string;
  /** The cursor of the following page; null when there is none. */
  nextCursor: string | null;
  /** True when no further page will be fetched in this run (end of results, or maxPages). */
  last: boolean;
  /** True when the run stops at maxPages while the service has more. */
  truncated: boolean;
  fetchedAt: number;
  bytes: number;
  rate: RateState;
}

export interface PaginateOptions {
  signal?: AbortSignal;
  /** Default 20. */
  maxPages?: number;
  /** Called when the loop waits for the rate-limit window to reset. */
  onWait?: (ms: number) => void;
  /** Wait for the token's budget (`budget`) under this key before each request (a fleet walk: the box id). */
  budgetKey?: string;
}

export interface AllResult {
  records: FirewallaRecord[];
  /** `page` is 0-based, `index` the position inside that page. */
  invalid: Array<InvalidRecord & { page: number }>;
  pages: number;
  nextCursor: string | null;
  truncated: boolean;
  fetchedAt: number;
}

/** Reads a Firewalla error body: `{"error":{"title","message","type"}}` and simpler variants. */
export function describeFirewallaError(body: unknown, text: string): { vendorCode?: string; vendorMessage?: string } | undefined {
  if (body && typeof body === 'object') {
    const o = body as Record<string, unknown>;
    const e = o.error;
    if (e && typeof e === 'object') {
      const err = e as Record<string, unknown>;
      const msg = err.message ?? err.title;
      return {
        vendorCode: typeof err.type === 'string' ? err.type : undefined,
        vendorMessage: msg === undefined ? undefined : String(msg),
      };
    }
    if (typeof e === 'string') return { vendorMessage: e };
    if (typeof o.message === 'string') return { vendorMessage: o.message };
  }
  const t = text.trim();
  return t ? { vendorMessage: /^\s*</.test(t) ? 'an HTML page' : t } : undefined;
}

/** `x-ratelimit-reset`: epoch seconds (as measured), epoch ms, or seconds from now. */
export function parseRateReset(value: string | string[] | undefined, now = systemClock.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(v)) return undefined;
  const n = Number(v);
  if (n > 1e12) return n;
  if (n > 1e9) return n * 1000;
  return now + n * 1000;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export class FirewallaClient {
  readonly http: HttpClient;
  readonly rate: RateState = {};
  /**
   * The token's request budget, shared by every node on this client (one per config node): fleet
   * walks wait for it, one key per box, and every response's `x-ratelimit-*` lowers it.
   */
  readonly budget: RateBudget;
  private readonly token: string;
  private readonly reserve: number;
  private readonly maxWaitMs: number;
  /** Our own waits (rate-limit resets) end when the client closes; HttpClient only aborts its requests. */
  private readonly closing = new AbortController();

  constructor(opts: FirewallaClientOptions) {
    const token = opts.token;
    if (typeof token !== 'string' || token.trim() === '') {
      throw new BadInputError('token', 'the personal access token is missing (set it in the Firewalla MSP configuration)');
    }
    // eslint-disable-next-line no-control-regex -- rejecting control characters in a token is the point
    if (/[\s\u0000-\u001f\u007f]/.test(token.trim())) {
      throw new BadInputError('token', 'must not contain spaces or line breaks');
    }
    this.token = token.trim();
    this.reserve = Math.max(0, opts.rate?.reserve ?? 0);
    this.maxWaitMs = opts.rate?.maxWaitMs ?? 60_000;
    const { token: _t, rate: _r, ...httpOpts } = opts;
    this.http = new HttpClient({
      ...httpOpts,
      secrets: () => [this.token],
      describeError: describeFirewallaError,
    });
    this.budget = new RateBudget({ limit: opts.rate?.limit ?? 100, windowMs: opts.rate?.windowMs ?? 300_000, clock: this.http.clock });
  }

  /** The MSP domain as shown in `msg.networkFlows.host`. */
  get host(): string {
    return new URL(this.http.target.origin).host;
  }

  /** Cancels requests and rate-limit waits in flight, and closes the sockets. */
  close(): Promise<void> {
    this.closing.abort();
    this.budget.close();
    return this.http.close();
  }

  /** One page. */
  async page(q: FlowsQuery, opts: { signal?: AbortSignal; onWait?: (ms: number) => void; budgetKey?: string } = {}): Promise<FlowsPage> {
    if (q.limit !== undefined && (!Number.isInteger(q.limit) || q.limit < 1)) {
      throw new BadInputError('limit', `expected an integer from 1 to ${MAX_LIMIT}, got ${q.limit}`);
    }
    if (opts.budgetKey !== undefined) await this.budget.acquire(opts.budgetKey, opts.signal);
    await this.gate(opts.signal, opts.onWait);
    const grouped = typeof q.groupBy === 'string' && q.groupBy.trim() !== '';
    const res = await this.http.request<unknown>({
      path: FLOWS_PATH,
      query: {
        query: q.query?.trim() ? q.query.trim() : undefined,
        groupBy: grouped ? q.groupBy!.trim() : undefined,
        sortBy: q.sortBy?.trim() ? q.sortBy.trim() : undefined,
        limit: q.limit,
        cursor: q.cursor ? q.cursor : undefined,
      },
      headers: { authorization: `Token ${this.token}` },
      signal: opts.signal,
    });
    const fetchedAt = this.http.clock.now();
    this.noteRate(res.headers, fetchedAt);
    const checked = checkPage(res.body);
    if ('reason' in checked) {
      throw new BadResponseError(`${LABEL}: not a page of flows (${checked.reason})`, { status: res.status, request: LABEL });
    }
    const { records, invalid } = validateRecords(checked.page.results, grouped);
    const next = checked.page.next_cursor;
    return {
      index: 0,
      records,
      invalid,
      received: checked.page.results.length,
      cursor: q.cursor || undefined,
      nextCursor: typeof next === 'string' && next !== '' ? next : null,
      last: true,
      truncated: false,
      fetchedAt,
      bytes: res.bytes,
      rate: { ...this.rate },
    };
  }

  /**
   * Pages from `q.cursor` (or the start), following `next_cursor` until it is null/empty or
   * `maxPages` pages were fetched. Aborting the signal cancels the request in flight and any wait.
   */
  async *pages(q: FlowsQuery, opts: PaginateOptions = {}): AsyncGenerator<FlowsPage, void, void> {
    const maxPages = opts.maxPages ?? DEFAULT_MAX_PAGES;
    if (!Number.isInteger(maxPages) || maxPages < 1) throw new BadInputError('maxPages', `expected a whole number of at least 1, got ${maxPages}`);
    const seen = new Set<string>();
    let cursor = q.cursor || undefined;
    if (cursor) seen.add(cursor);
    for (let index = 0; index < maxPages; index++) {
      if (opts.signal?.aborted) throw new AbortedError(`${LABEL}: cancelled`);
      const page = await this.page({ ...q, cursor }, opts);
      page.index = index;
      const next = page.nextCursor;
      page.last = next === null || index + 1 >= maxPages;
      page.truncated = next !== null && index + 1 >= maxPages;
      yield page;
      if (next === null) return;
      if (seen.has(next)) {
        throw new BadResponseError(
          `${LABEL}: the service returned a next_cursor it had already given (after page ${index + 1}); stopped instead of fetching the same pages again`,
          { request: LABEL },
        );
      }
      seen.add(next);
      cursor = next;
    }
  }

  /** `GET /v2/boxes` (optionally one box group): the MSP's boxes; bad entries reported and skipped. */
  async boxes(opts: { group?: string; signal?: AbortSignal; onWait?: (ms: number) => void; budgetKey?: string } = {}): Promise<{ boxes: FirewallaBox[]; invalid: InvalidRecord[]; fetchedAt: number }> {
    const label = `GET ${BOXES_PATH}`;
    if (opts.budgetKey !== undefined) await this.budget.acquire(opts.budgetKey, opts.signal);
    await this.gate(opts.signal, opts.onWait);
    const res = await this.http.request<unknown>({
      path: BOXES_PATH,
      query: { group: opts.group?.trim() ? opts.group.trim() : undefined },
      headers: { authorization: `Token ${this.token}` },
      signal: opts.signal,
    });
    const fetchedAt = this.http.clock.now();
    this.noteRate(res.headers, fetchedAt);
    const checked = validateBoxes(res.body);
    if ('reason' in checked) throw new BadResponseError(`${label}: not a box list (${checked.reason})`, { status: res.status, request: label });
    return { ...checked, fetchedAt };
  }

  /** Every page (up to maxPages) in one result: the `all` mode of docs/design.md#output-messages. */
  async all(q: FlowsQuery, opts: PaginateOptions = {}): Promise<AllResult> {
    const pages = new PageCollector();
    for await (const page of this.pages(q, opts)) pages.add(page);
    const last = pages.last;
    return {
      records: pages.records,
      invalid: pages.invalid,
      pages: pages.pages,
      nextCursor: last?.nextCursor ?? null,
      truncated: last?.truncated ?? false,
      fetchedAt: last?.fetchedAt ?? this.http.clock.now(),
    };
  }

  private noteRate(headers: IncomingHttpHeaders, now: number): void {
    const rem = header(headers, 'x-ratelimit-remaining');
    if (rem !== undefined && /^\s*\d+\s*$/.test(rem)) this.rate.remaining = Number(rem);
    const reset = parseRateReset(headers['x-ratelimit-reset'], now);
    if (reset !== undefined) this.rate.resetAt = reset;
    this.budget.observe(this.rate.remaining, this.rate.resetAt);
  }

  /**
   * Before a request: when the last response said the budget is used up and its window has not
   * reset yet, wait for the reset (bounded), so our own loop never runs into 429s.
   */
  private async gate(signal: AbortSignal | undefined, onWait: ((ms: number) => void) | undefined): Promise<void> {
    const { remaining, resetAt } = this.rate;
    if (remaining !== undefined && remaining <= this.reserve) {
      const now = this.http.clock.now();
      if (resetAt !== undefined && resetAt > now) {
        const wait = resetAt - now + 50; // a little past the reset, clocks differ
        if (wait > this.maxWaitMs) {
          throw new RateLimitError(
            `${LABEL}: the token's request budget is used up (x-ratelimit-remaining ${remaining}); it resets in ${Math.ceil(wait / 1000)} s, longer than the ${Math.round(this.maxWaitMs / 1000)} s this client waits`,
            { retryAfterMs: wait, request: LABEL },
          );
        }
        onWait?.(wait);
        try {
          await sleep(wait, signal ? AbortSignal.any([signal, this.closing.signal]) : this.closing.signal, this.http.clock);
        } catch {
          throw new AbortedError(`${LABEL}: cancelled while waiting for the rate limit to reset`);
        }
        if (this.closing.signal.aborted) throw new AbortedError(`${LABEL}: the client is closed`);
      }
      // The window has reset (or its end is unknown): the next response tells the new budget.
      this.rate.remaining = undefined;
    }
    // Count this request now, so concurrent loops on one client share what is left.
    if (this.rate.remaining !== undefined) this.rate.remaining--;
  }
}
