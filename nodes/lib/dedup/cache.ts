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
import { emptyFlowKey, flowKeyFromText, flowKeyText, murmurFlowHash, toFlowKey, type FlowHasher } from './flow-key';
import { FlowTable } from './flow-table';
import { identityOf, identityText } from './identity';

export interface DedupOptions {
  /** Most identities remembered. */
  cap: number;
  /** Record-time ms an identity is remembered after its record's time. */
  horizonMs: number;
}

export interface DedupDeps {
  /** The IPv4 flow hash (tests pass a weak one to force collisions); default MurmurHash3. */
  flowHash?: FlowHasher;
  /** Its seed; default random, so no one can pick colliding flows. */
  seed?: number;
}

export interface DedupStats {
  remembered: number;
  duplicates: number;
  forgotten: number;
}

/**
 * IPv4 flow identities live in a typed-array table (flow-table.ts); the others (vendor ids, IPv6
 * flows) as text in a `Set`. Both keep insertion order, and a sequence number shared by the two
 * lets expiry and the cap forget the oldest of all first, as one queue would.
 */
export class DedupCache {
  /** Text identities remembered (their times are in `times`, in queue order). */
  private readonly seenAt = new Set<string>();
  /**
   * Text identities in insertion order, a queue with a moving head. Expiry and the cap pop from
   * the head: iterating the Set from its start would step over every entry already deleted (V8
   * keeps them as holes until it rehashes), which made each call cost as much as all earlier
   * deletions.
   */
  private queue: string[] = [];
  private times: number[] = [];
  private seqs: number[] = [];
  private head = 0;
  private readonly flows: FlowTable;
  /** The next sequence number (the first is 1: the table's empty slots hold 0). */
  private seq = 1;
  private readonly key = emptyFlowKey();
  private readonly flowHash: FlowHasher;
  private readonly seed: number;
  private newest = -Infinity;
  private duplicates = 0;
  private forgotten = 0;

  constructor(
    readonly options: DedupOptions,
    deps: DedupDeps = {},
  ) {
    this.flows = new FlowTable(options.cap + 1);
    this.flowHash = deps.flowHash ?? murmurFlowHash;
    this.seed = deps.seed ?? (Math.random() * 0x100000000) | 0;
  }

  /**
   * True when `record`'s identity (identity.ts) was already seen within the horizon (the record
   * is a repeat: skip it); otherwise remembers it and returns false. A record without an
   * identity is never a repeat.
   */
  checkRecord(record: unknown, ts: number): boolean {
    const id = identityOf(record);
    if (id === undefined) return false;
    if (typeof id === 'string' || !toFlowKey(id, this.key)) return this.checkText(identityText(id), ts);
    return this.checkFlow(ts);
  }

  /** `checkRecord` for an identity as text (an IPv4 flow's text goes to the table, as its record would). */
  check(id: string, ts: number): boolean {
    return flowKeyFromText(id, this.key) ? this.checkFlow(ts) : this.checkText(id, ts);
  }

  /** For the IPv4 flow identity in `this.key`. */
  private checkFlow(ts: number): boolean {
    const key = this.key;
    const h = this.flowHash(this.seed, key);
    if (this.flows.has(key, h)) {
      this.duplicates++;
      return true;
    }
    this.beforeAdding(ts);
    this.flows.add(key, h, ts, this.seq++);
    this.keepToCap();
    return false;
  }

  private checkText(id: string, ts: number): boolean {
    if (this.seenAt.has(id)) {
      this.duplicates++;
      return true;
    }
    this.beforeAdding(ts);
    this.addText(id, ts);
    this.keepToCap();
    return false;
  }

  private addText(id: string, ts: number): void {
    this.seenAt.add(id);
    this.queue.push(id);
    this.times.push(ts);
    this.seqs.push(this.seq++);
  }

  /** A newer record time moves the horizon: forget what it has passed. */
  private beforeAdding(ts: number): void {
    // Written as "not newer" so that a NaN time, never newer, cannot become the newest.
    if (!(ts > this.newest)) return;
    this.newest = ts;
    const cutoff = this.newest - this.options.horizonMs;
    for (;;) {
      const text = this.textIsOldest();
      const t = text ? this.times[this.head]! : this.flows.oldestTs();
      if (!(t < cutoff)) return;
      this.popOldest(text);
    }
  }

  private keepToCap(): void {
    while (this.seenAt.size + this.flows.size > this.options.cap) {
      this.popOldest(this.textIsOldest());
      this.forgotten++;
    }
  }

  /** Whether the oldest identity remembered is a text one (else a flow, or none at all). */
  private textIsOldest(): boolean {
    return this.head < this.queue.length && this.seqs[this.head]! < this.flows.oldestSeq();
  }

  private popOldest(text: boolean): void {
    if (!text) {
      this.flows.popOldest();
      return;
    }
    this.seenAt.delete(this.queue[this.head]!);
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.times = this.times.slice(this.head);
      this.seqs = this.seqs.slice(this.head);
      this.head = 0;
    }
  }

  stats(): DedupStats {
    return { remembered: this.seenAt.size + this.flows.size, duplicates: this.duplicates, forgotten: this.forgotten };
  }

  clear(): void {
    this.seenAt.clear();
    this.flows.clear();
    this.queue = [];
    this.times = [];
    this.seqs = [];
    this.head = 0;
    this.newest = -Infinity;
  }

  /** [identity text, record time] pairs, oldest first, for a context store. */
  exportState(): Array<[string, number]> {
    const out: Array<[string, number]> = [];
    let i = this.head;
    // The two insertion orders merged by sequence number.
    const textsBefore = (seq: number): void => {
      for (; i < this.queue.length && this.seqs[i]! < seq; i++) out.push([this.queue[i]!, this.times[i]!]);
    };
    this.flows.forEachInOrder(emptyFlowKey(), (k, ts, seq) => {
      textsBefore(seq);
      out.push([flowKeyText(k), ts]);
    });
    textsBefore(Infinity);
    return out;
  }

  importState(entries: unknown): void {
    this.clear();
    if (!Array.isArray(entries)) return;
    const from = Math.max(0, entries.length - this.options.cap);
    const key = this.key;
    for (let i = from; i < entries.length; i++) {
      const e = entries[i] as unknown;
      if (!Array.isArray(e) || typeof e[0] !== 'string' || typeof e[1] !== 'number' || !Number.isFinite(e[1])) continue;
      const text: string = e[0];
      const t: number = e[1];
      if (flowKeyFromText(text, key)) {
        const h = this.flowHash(this.seed, key);
        if (this.flows.has(key, h)) continue;
        this.flows.add(key, h, t, this.seq++);
      } else {
        if (this.seenAt.has(text)) continue;
        this.addText(text, t);
      }
      // Only entries taken: a repeated text in a hand-edited state must not move the horizon.
      if (t > this.newest) this.newest = t;
    }
  }
}
