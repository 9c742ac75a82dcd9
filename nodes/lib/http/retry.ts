/** Retry policy of the HTTP core: which failures are retried, and how long to wait. */
import { systemClock } from '../clock';

export interface RetryPolicy {
  /** Retries after the first attempt (so at most maxRetries + 1 requests). */
  maxRetries: number;
  /** First backoff step for 502/503/504 and connection resets; doubles each retry. */
  baseDelayMs: number;
  /** Cap of one backoff step. */
  maxDelayMs: number;
  /** A 429 whose Retry-After asks for longer than this is not waited for: it fails as RATE_LIMIT. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
};

/** Statuses retried with exponential backoff: the gateway or service is briefly unavailable. */
export const BACKOFF_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

/**
 * Parses a Retry-After header: delta seconds or an HTTP date. Returns ms, or undefined when
 * absent or unreadable (then the backoff schedule applies).
 */
export function parseRetryAfter(value: string | string[] | undefined, now = systemClock.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  const t = v.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const date = Date.parse(t);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Exponential backoff with "equal jitter": uniform in [c/2, c] where c = min(cap, base*2^n), so
 * clients spread out but never retry at once.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
