/**
 * The `firewalla-flows` node's properties (docs/design.md#endpoint-properties) as one zod schema, used for the editor's
 * saved values at deploy and for `msg.request.*` overrides alike, plus the query the node really
 * sends: the user's query, `status:blocked` for the `blocked` option, and `ts:<last>-<now>` for
 * "since last poll".
 */
import { z } from 'zod';
import { BadInputError } from '../../errors';
import { parseInput } from '../../validate';
import { MAX_LIMIT } from './client';
import { andTerms, asksForBlocked, hasTsTerm, parseQuery, tsRangeTerm } from './query';

export const PAGINATION_MODES = ['page', 'all', 'stream'] as const;
export type PaginationMode = (typeof PAGINATION_MODES)[number];
export const MAX_PAGES_CAP = 1000;
export const DEFAULT_MAX_PAGES_NODE = 10;
/** First "since last poll" request without a ts term of its own: the last 5 minutes. */
export const INITIAL_WINDOW_S = 300;

function intIn(min: number, max: number) {
  const msg = `expected an integer from ${min} to ${max}`;
  return z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v.trim()) : v),
    z.number({ error: msg }).int({ error: msg }).min(min, { error: msg }).max(max, { error: msg }),
  );
}

const bool = z.preprocess(
  (v) => (v === 'true' ? true : v === 'false' || v === '' ? false : v),
  z.boolean({ error: 'expected true or false' }),
);

/** Longest field list read: a real one is a few names; a longer text is refused before it is split. */
const MAX_LIST_TEXT = 1000;

const list = (what: string, item: RegExp) =>
  z
    .string({ error: `expected ${what}` })
    .max(MAX_LIST_TEXT, { error: `expected ${what} of at most ${MAX_LIST_TEXT} characters`, abort: true })
    .trim()
    .refine((s) => s === '' || s.split(',').every((p) => item.test(p.trim())), {
      error: `expected ${what}`,
    });

export const flowsOptionsSchema = z.object({
  query: z.string({ error: 'expected a text query' }),
  groupBy: list('a comma-separated list of fields such as domain,box', /^[A-Za-z][\w.]*$/),
  sortBy: list('a comma-separated list such as ts:desc,total:asc', /^[A-Za-z][\w.]*(:(asc|desc))?$/),
  limit: intIn(1, MAX_LIMIT),
  blocked: bool,
  pagination: z.enum(PAGINATION_MODES, { error: 'expected page, all or stream' }),
  maxPages: intIn(1, MAX_PAGES_CAP),
  sinceLastPoll: bool,
  cursor: z.string({ error: 'expected a cursor string (msg.networkFlows.nextCursor)' }).optional(),
});
export type FlowsOptions = z.output<typeof flowsOptionsSchema>;

export const FLOWS_DEFAULTS: FlowsOptions = {
  query: '',
  groupBy: '',
  sortBy: '',
  limit: 200,
  blocked: false,
  pagination: 'page',
  maxPages: DEFAULT_MAX_PAGES_NODE,
  sinceLastPoll: false,
};

const KEYS = Object.keys(flowsOptionsSchema.shape) as Array<keyof FlowsOptions>;

/** The node's saved properties (editor strings), with defaults for empty ones. */
export function parseNodeOptions(raw: Record<string, unknown>): FlowsOptions {
  const input: Record<string, unknown> = {};
  for (const k of KEYS) {
    if (k === 'cursor') continue;
    const v = raw[k];
    input[k] = v === undefined || v === null || (v === '' && k !== 'query' && k !== 'groupBy' && k !== 'sortBy') ? FLOWS_DEFAULTS[k] : v;
  }
  const opts = parseInput(flowsOptionsSchema, input);
  parseQuery(opts.query, 'query');
  return opts;
}

/** `msg.request` over the node's options; every override validated, named `request.<field>`. */
export function applyOverrides(base: FlowsOptions, request: Record<string, unknown>): FlowsOptions {
  const picked: Record<string, unknown> = {};
  for (const k of KEYS) if (request[k] !== undefined) picked[k] = request[k];
  if (Object.keys(picked).length === 0) return base;
  const parsed = parseInput(flowsOptionsSchema.partial(), picked, 'request');
  if (parsed.query !== undefined) parseQuery(parsed.query, 'request.query');
  if (parsed.cursor !== undefined && parsed.cursor.trim() === '') throw new BadInputError('request.cursor', 'expected a cursor string, got an empty one');
  const out: FlowsOptions = { ...base };
  for (const [k, v] of Object.entries(parsed)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** State of "since last poll" kept by the node between messages. */
export interface PollState {
  /** End (epoch s) of the last successful window. */
  lastEnd?: number;
  /** The query the last poll sent and the cursor it ended with, to resume exactly that query. */
  lastQuery?: string;
  lastNextCursor?: string | null;
}

/** A PollState read back from a context store (docs/state.md#what-is-kept-where); unknown fields dropped. */
export const pollStateSchema = z.object({
  lastEnd: z.number().int().nonnegative().optional(),
  lastQuery: z.string().max(100_000).optional(),
  lastNextCursor: z.string().max(100_000).nullable().optional(),
});

/** The stored state, or undefined when it is not one (then the node starts afresh). */
export function readPollState(value: unknown): PollState | undefined {
  const r = pollStateSchema.safeParse(value);
  return r.success ? r.data : undefined;
}

/**
 * The query to send, and the window end to remember when the request succeeds. `blocked` adds
 * `status:blocked` unless the query already asks for it. "Since last poll" ANDs `ts:<last>-<now>`;
 * the first poll uses the query's own ts term if it has one, else the last 5 minutes. A request
 * that resumes the last poll's cursor resends that poll's query unchanged.
 */
export function effectiveQuery(opts: FlowsOptions, state: PollState, nowMs: number): { query: string; windowEnd?: number } {
  let query = opts.query.trim();
  const terms = parseQuery(query);
  if (opts.blocked && !asksForBlocked(terms)) query = andTerms(query, 'status:blocked');
  if (!opts.sinceLastPoll) return { query };
  if (opts.cursor !== undefined) {
    return { query: opts.cursor === state.lastNextCursor && state.lastQuery !== undefined ? state.lastQuery : query };
  }
  const now = Math.floor(nowMs / 1000);
  if (state.lastEnd === undefined) {
    if (hasTsTerm(terms)) return { query, windowEnd: now };
    return { query: andTerms(query, tsRangeTerm(now - INITIAL_WINDOW_S, now)), windowEnd: now };
  }
  // A clock step backwards restarts from the new now (a forward range; overlap rather than a gap).
  const begin = Math.min(state.lastEnd, now);
  return { query: andTerms(query, tsRangeTerm(begin, Math.max(now, begin + 1))), windowEnd: Math.max(now, begin + 1) };
}
