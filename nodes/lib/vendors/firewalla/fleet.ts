/**
 * Walking every box of a Firewalla MSP (docs/fleets.md#firewalla-boxes): list the boxes
 * (`GET /v2/boxes`, kept for `boxListTtlMs`), keep those the scope names, and fetch each box's
 * flows since its own last poll with a `box.id:<gid>` term, at most `concurrency` boxes at a time.
 * Every request waits for the token's one budget (`FirewallaClient.budget`) under the box's id,
 * so a walk of 300 boxes spends the budget evenly and never runs into 429s. A box the list
 * reports offline costs no request: it counts as a failed poll with code OFFLINE.
 */
import { BadInputError, FlowError } from '../../errors';
import type { Clock } from '../../clock';
import { runCycle } from '../../fleet/cycle';
import { FleetHealth, type HealthEvent, type HealthOptions } from '../../fleet/health';
import type { FirewallaClient } from './client';
import { effectiveQuery, type FlowsOptions, type PollState } from './options';
import { andTerms, boxScopeTerms } from './query';
import type { FirewallaBox, FirewallaRecord, InvalidRecord } from './schemas';

/** The budget key of the box list request. */
export const BOX_LIST_KEY = '(box list)';

export interface BoxWalkOptions {
  /** Box ids or names to walk (either matches); empty: every box. */
  boxes: readonly string[];
  /** Only boxes of this box group (sent as `?group=`). */
  group?: string;
  /** The flows options every box's request starts from (`sinceLastPoll` is always on). */
  flows: FlowsOptions;
  concurrency: number;
  jitterMs?: number;
  random?: () => number;
  health?: HealthOptions;
  /** How long the box list is reused. Default 10 minutes. */
  boxListTtlMs?: number;
  /** Asked once per box per walk (docs/fleets.md#several-node-red-instances): false skips it this walk. */
  mayPoll?(box: FirewallaBox, signal: AbortSignal | undefined): Promise<boolean>;
}

export interface BoxResult {
  box: FirewallaBox;
  /** The box's name, or its gid when it has none: the site name in messages and health. */
  site: string;
  records: FirewallaRecord[];
  invalid: Array<InvalidRecord & { page: number }>;
  pages: number;
  truncated: boolean;
  query: string;
  fetchedAt: number;
}

export interface WalkReport {
  ran: boolean;
  boxes: number;
  ok: number;
  failed: number;
  records: number;
  startedAt: number;
  durationMs: number;
}

/** `box.name` or the gid. */
export function boxSite(box: FirewallaBox): string {
  return typeof box.name === 'string' && box.name.trim() !== '' ? box.name : box.gid;
}

export class BoxWalker {
  readonly health: FleetHealth;
  private readonly poll = new Map<string, PollState>();
  private list?: { boxes: FirewallaBox[]; at: number };
  private running = false;

  constructor(
    private readonly client: FirewallaClient,
    private readonly opts: BoxWalkOptions,
    private readonly clock: Clock = client.http.clock,
  ) {
    if (opts.flows.groupBy.trim() !== '') throw new BadInputError('groupBy', 'a box walk fetches flows per box: leave groupBy empty');
    this.health = new FleetHealth(opts.health);
  }

  /** The boxes this walk covers (from the cached list). */
  async boxes(signal?: AbortSignal): Promise<FirewallaBox[]> {
    const now = this.clock.now();
    if (!this.list || now - this.list.at >= (this.opts.boxListTtlMs ?? 600_000)) {
      const r = await this.client.boxes({ group: this.opts.group, signal, budgetKey: BOX_LIST_KEY });
      const wanted = new Set(this.opts.boxes.map((b) => b.trim()).filter(Boolean));
      const boxes = wanted.size ? r.boxes.filter((b) => wanted.has(b.gid) || (typeof b.name === 'string' && wanted.has(b.name))) : r.boxes;
      this.list = { boxes, at: now };
      this.health.setSites(boxes.map((b) => b.gid));
    }
    return this.list.boxes;
  }

  /** One walk over every box; results and health events are handed out as they happen. */
  async walk(handlers: { onResult(r: BoxResult): void; onEvent(e: HealthEvent, box: FirewallaBox): void }, signal?: AbortSignal): Promise<WalkReport> {
    const startedAt = this.clock.now();
    if (this.running) return { ran: false, boxes: this.list?.boxes.length ?? 0, ok: 0, failed: 0, records: 0, startedAt, durationMs: 0 };
    this.running = true;
    try {
      const boxes = await this.boxes(signal);
      let records = 0;
      const outcomes = await runCycle(
        boxes,
        async (box, sig) => {
          try {
            if (this.opts.mayPoll && !(await this.opts.mayPoll(box, sig))) return;
            if (box.online === false) throw new FlowError('NETWORK', `box ${boxSite(box)} is offline (GET /v2/boxes)`, { vendorCode: 'OFFLINE' });
            const r = await this.pollBox(box, sig);
            if (sig?.aborted) return;
            records += r.records.length;
            handlers.onResult(r);
            const ev = this.health.success(box.gid, r.records.length, r.fetchedAt);
            if (ev) handlers.onEvent({ ...ev, site: boxSite(box) }, box);
          } catch (err) {
            if (sig?.aborted) throw err;
            const code = err instanceof FlowError ? (err.vendorCode === 'OFFLINE' ? 'OFFLINE' : err.code) : 'NETWORK';
            const ev = this.health.failure(box.gid, code, err instanceof Error ? err.message : String(err), this.clock.now());
            if (ev) handlers.onEvent({ ...ev, site: boxSite(box) }, box);
            throw err;
          }
        },
        { concurrency: this.opts.concurrency, jitterMs: this.opts.jitterMs ?? 0, random: this.opts.random, clock: this.clock, signal },
      );
      const ok = outcomes.filter((o) => o.ok).length;
      return { ran: true, boxes: boxes.length, ok, failed: outcomes.length - ok, records, startedAt, durationMs: this.clock.now() - startedAt };
    } finally {
      this.running = false;
    }
  }

  /** One box: every page since the box's last poll. */
  async pollBox(box: FirewallaBox, signal?: AbortSignal): Promise<BoxResult> {
    const state = this.poll.get(box.gid) ?? {};
    const opts: FlowsOptions = { ...this.opts.flows, query: andTerms(this.opts.flows.query, boxScopeTerms({ ids: [box.gid] })), sinceLastPoll: true, cursor: undefined };
    const { query, windowEnd } = effectiveQuery(opts, state, this.clock.now());
    const records: FirewallaRecord[] = [];
    const invalid: BoxResult['invalid'] = [];
    let pages = 0;
    let truncated = false;
    let fetchedAt = this.clock.now();
    for await (const page of this.client.pages({ query, sortBy: opts.sortBy, limit: opts.limit }, { signal, maxPages: opts.maxPages, budgetKey: box.gid })) {
      pages++;
      for (const r of page.records) records.push(r);
      for (const bad of page.invalid) invalid.push({ ...bad, page: page.index + 1 });
      truncated = page.truncated;
      fetchedAt = page.fetchedAt;
    }
    this.poll.set(box.gid, { lastEnd: windowEnd, lastQuery: query, lastNextCursor: null });
    return { box, site: boxSite(box), records, invalid, pages, truncated, query, fetchedAt };
  }
}
