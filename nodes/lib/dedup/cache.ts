/**
 * A bounded memory of record identities already counted. An identity is remembered for
 * `horizonMs` of record time after the record's own time (the span in which a repeat could
 * still change a result: the window plus its allowed lateness), and at most `cap` identities are
 * kept: beyond that the oldest remembered is forgotten first, so memory stays bounded whatever
 * arrives; `forgotten` counts identities dropped by the cap before their horizon.
 *
 * Entries live in a Map in insertion order, which for polled data is close to record-time order;
 * expiry looks only at the oldest entries, so each call is O(1) amortised.
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
  private readonly seenAt = new Map<string, number>();
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
    const prev = m.get(id);
    if (prev !== undefined) {
      this.duplicates++;
      return true;
    }
    if (ts > this.newest) {
      this.newest = ts;
      this.expire();
    }
    m.set(id, ts);
    if (m.size > this.options.cap) {
      const first = m.keys().next().value as string;
      m.delete(first);
      this.forgotten++;
    }
    return false;
  }

  private expire(): void {
    const cutoff = this.newest - this.options.horizonMs;
    for (const [id, t] of this.seenAt) {
      if (t >= cutoff) break;
      this.seenAt.delete(id);
    }
  }

  stats(): DedupStats {
    return { remembered: this.seenAt.size, duplicates: this.duplicates, forgotten: this.forgotten };
  }

  clear(): void {
    this.seenAt.clear();
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
      if (Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'number' && Number.isFinite(e[1])) {
        this.seenAt.set(e[0], e[1]);
        if (e[1] > this.newest) this.newest = e[1];
      }
    }
  }
}
