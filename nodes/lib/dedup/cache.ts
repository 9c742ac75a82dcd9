/**
 * A bounded memory of record identities already counted. An identity is remembered for
 * `horizonMs` of record time after the record's own time (the span in which a repeat could
 * still change a result: the window plus its allowed lateness), and at most `cap` identities are
 * kept: beyond that the oldest remembered is forgotten first, so memory stays bounded whatever
 * arrives; `forgotten` counts identities dropped by the cap before their horizon.
 *
 * Insertion order is, for polled data, close to record-time order; expiry looks only at the
 * oldest entries, so each call is O(1) amortised.
 */
export interface DedupOptions {
  /** Most identities remembered. */
  cap: number;
  /** Record-time ms an identity is remembered after its record's time. */
  horizonMs: number;
}

export interface DedupStats {
  remembered: number;
  duplicates: number;
  forgotten: number;
}

export class DedupCache {
  /** Identity -> record time. */
  private readonly seenAt = new Map<string, number>();
  /**
   * Identities in insertion order, a queue with a moving head. Expiry and the cap pop from the
   * head: iterating the Map from its start would step over every entry already deleted (V8 keeps
   * them as holes until it rehashes), which made each call cost as much as all earlier deletions.
   */
  private queue: string[] = [];
  private times: number[] = [];
  private head = 0;
  private newest = -Infinity;
  private duplicates = 0;
  private forgotten = 0;

  constructor(readonly options: DedupOptions) {}

  /**
   * True when `id` was already seen within the horizon (the record is a repeat: skip it);
   * otherwise remembers it and returns false.
   */
  check(id: string, ts: number): boolean {
    const m = this.seenAt;
    if (m.has(id)) {
      this.duplicates++;
      return true;
    }
    if (ts > this.newest) {
      this.newest = ts;
      this.expire();
    }
    m.set(id, ts);
    this.queue.push(id);
    this.times.push(ts);
    while (m.size > this.options.cap) {
      if (this.pop()) this.forgotten++;
    }
    return false;
  }

  /** Drops the oldest queued identity; true when it was still remembered. */
  private pop(): boolean {
    const id = this.queue[this.head]!;
    const t = this.times[this.head]!;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    if (this.seenAt.get(id) === t) {
      this.seenAt.delete(id);
      return true;
    }
    return false;
  }

  private expire(): void {
    const cutoff = this.newest - this.options.horizonMs;
    while (this.head < this.queue.length && this.times[this.head]! < cutoff) this.pop();
  }

  stats(): DedupStats {
    return { remembered: this.seenAt.size, duplicates: this.duplicates, forgotten: this.forgotten };
  }

  clear(): void {
    this.seenAt.clear();
    this.queue = [];
    this.times = [];
    this.head = 0;
    this.newest = -Infinity;
  }

  /** [identity, record time] pairs, oldest first, for a context store. */
  exportState(): Array<[string, number]> {
    return Array.from(this.seenAt);
  }

  importState(entries: unknown): void {
    this.clear();
    if (!Array.isArray(entries)) return;
    const from = Math.max(0, entries.length - this.options.cap);
    for (let i = from; i < entries.length; i++) {
      const e = entries[i] as unknown;
      if (Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'number' && Number.isFinite(e[1]) && !this.seenAt.has(e[0])) {
        this.seenAt.set(e[0], e[1]);
        this.queue.push(e[0]);
        this.times.push(e[1]);
        if (e[1] > this.newest) this.newest = e[1];
      }
    }
  }
}
