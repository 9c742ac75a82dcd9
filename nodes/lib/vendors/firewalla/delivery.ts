/**
 * Delivery of `GET /v2/flows` results in the three pagination modes of `firewalla-flows`
 * (docs/design.md#output-messages), all on one paging loop, `FirewallaClient.pages()`:
 *
 * - `page`: one page and its cursor, one delivery;
 * - `all`: follow `next_cursor` up to maxPages, one delivery holding every record
 *   (`FirewallaClient.all()` is this mode without the message fields);
 * - `stream`: one delivery per page, as the pages arrive.
 */
import type { InvalidRecord, FirewallaRecord } from './schemas';
import type { FirewallaClient, FlowsPage, FlowsQuery, PaginateOptions } from './client';
import type { PaginationMode } from './options';

/** A skipped record; `page` (1-based) is set in `all` mode, where one delivery spans pages. */
export type DeliveredInvalid = InvalidRecord & { page?: number };

/** Where a delivery sits in its run: the `msg.networkFlows` position fields of each mode. */
export interface DeliveryPosition {
  /** 1-based page of this delivery (`page`, `stream`) or pages fetched (`all`). */
  page: number;
  /** Pages fetched, on the last delivery of an `all` or `stream` run. */
  pages?: number;
  /** True when maxPages ended the run while the service had more (last delivery of `all` / `stream`). */
  truncated?: boolean;
}

export interface Delivery {
  records: FirewallaRecord[];
  /** Skipped records; without a `page` field they come from `position.page`. */
  invalid: DeliveredInvalid[];
  position: DeliveryPosition;
  /** 0-based position of this delivery in the run (the `msg.parts.index` of a stream). */
  index: number;
  /** True on the run's last delivery. */
  last: boolean;
  /** The cursor that continues after this delivery; null when the service has no more. */
  nextCursor: string | null;
  fetchedAt: number;
  /** True when the service has more than this run fetched (`page`: a next cursor; `all`: truncated). */
  more: boolean;
}

export interface DeliverOptions extends PaginateOptions {
  mode: PaginationMode;
  /** After each page arrives: its 1-based number and the records fetched so far in this run. */
  onPage?: (page: number, records: number) => void;
}

/** The records and skipped records of pages, appended in order (the `all` mode's accumulator). */
export class PageCollector {
  readonly records: FirewallaRecord[] = [];
  readonly invalid: Array<InvalidRecord & { page: number }> = [];
  last: FlowsPage | undefined;

  add(page: FlowsPage): void {
    const records = this.records;
    for (let i = 0; i < page.records.length; i++) records.push(page.records[i]!);
    for (const bad of page.invalid) this.invalid.push({ ...bad, page: page.index });
    this.last = page;
  }

  get pages(): number {
    return this.last ? this.last.index + 1 : 0;
  }
}

/**
 * Runs one request in a pagination mode and yields what each message carries. Stops early when
 * the consumer stops iterating (a stream whose node is closing).
 */
export async function* deliverFlows(client: FirewallaClient, q: FlowsQuery, opts: DeliverOptions): AsyncGenerator<Delivery, void, void> {
  const { mode, onPage, ...paging } = opts;
  const collector = mode === 'all' ? new PageCollector() : undefined;
  let fetched = 0;
  for await (const page of client.pages(q, mode === 'page' ? { ...paging, maxPages: 1 } : paging)) {
    fetched += page.records.length;
    if (collector) {
      collector.add(page);
      onPage?.(page.index + 1, fetched);
      continue;
    }
    const number = page.index + 1;
    const invalid = page.invalid;
    if (mode === 'page') {
      yield { records: page.records, invalid, position: { page: 1 }, index: 0, last: true, nextCursor: page.nextCursor, fetchedAt: page.fetchedAt, more: page.nextCursor !== null };
      // One page and its cursor, whatever the cursor is (a repeated one is the next poll's concern).
      return;
    }
    yield {
      records: page.records,
      invalid,
      position: { page: number, ...(page.last ? { pages: number, truncated: page.truncated } : {}) },
      index: page.index,
      last: page.last,
      nextCursor: page.nextCursor,
      fetchedAt: page.fetchedAt,
      more: false,
    };
    onPage?.(number, fetched);
  }
  if (collector) {
    const last = collector.last;
    const pages = collector.pages;
    yield {
      records: collector.records,
      invalid: collector.invalid.map((bad) => ({ page: bad.page + 1, index: bad.index, reason: bad.reason })),
      position: { page: pages, pages, truncated: last?.truncated ?? false },
      index: 0,
      last: true,
      nextCursor: last?.nextCursor ?? null,
      fetchedAt: last?.fetchedAt ?? client.http.clock.now(),
      more: last?.truncated ?? false,
    };
  }
}
