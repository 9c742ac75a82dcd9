/**
 * The dedup cache's IPv4 flow identities (docs/performance.md#dedup-identity): an open-addressing
 * hash table (linear probing, backward-shift deletion) over typed arrays, and the identities'
 * insertion order in a ring. A `Map` of identity texts or of entry objects keeps one heap object
 * per identity: at 100,000 remembered and every record new, hashing fresh texts and collecting the
 * objects cost over 3 us a record; here no identity is an object, so the garbage collector never
 * sees them. Lookups compare every field, so a hash collision only lengthens a probe. The table
 * and the ring start small and grow as they fill (the cap may be millions).
 */
import type { FlowKey } from './flow-key';

// A slot's fields, at these offsets in its row of one Float64Array (a uint32 is exact in a double).
// One row is 64 bytes, one cache line: a probe reads one line, where a column per field read eight.
const SEQ = 0;
const HASH = 1;
const PROTO = 2;
const SADDR = 3;
const DADDR = 4;
const SPORT = 5;
const DPORT = 6;
const START = 7;
const ROW = 8;

/** The table's slots, one row each; a slot whose `seq` is 0 is empty. */
class Slots {
  readonly cells: Float64Array;
  /** `length` is a power of two: a hash's home slot is `hash & mask`. */
  readonly mask: number;

  constructor(readonly length: number) {
    this.cells = new Float64Array(length * ROW);
    this.mask = length - 1;
  }

  /** The first empty slot of the probe run from hash `h`'s home. */
  firstFree(h: number): number {
    let i = h & this.mask;
    while (this.seq(i) !== 0) i = (i + 1) & this.mask;
    return i;
  }

  seq(i: number): number {
    return this.cells[i * ROW + SEQ]!;
  }

  hash(i: number): number {
    return this.cells[i * ROW + HASH]!;
  }

  holds(i: number, k: FlowKey, h: number): boolean {
    const c = this.cells;
    const o = i * ROW;
    return c[o + HASH] === h && c[o + SADDR] === k.saddr && c[o + DADDR] === k.daddr && c[o + SPORT] === k.sport && c[o + DPORT] === k.dport && c[o + START] === k.start && c[o + PROTO] === k.proto;
  }

  put(i: number, k: FlowKey, h: number, seq: number): void {
    const c = this.cells;
    const o = i * ROW;
    c[o + SEQ] = seq;
    c[o + HASH] = h;
    c[o + PROTO] = k.proto;
    c[o + SADDR] = k.saddr;
    c[o + DADDR] = k.daddr;
    c[o + SPORT] = k.sport;
    c[o + DPORT] = k.dport;
    c[o + START] = k.start;
  }

  /** Copies slot `from` of `src` into slot `to`. */
  copy(to: number, src: Slots, from: number): void {
    for (let f = 0; f < ROW; f++) this.cells[to * ROW + f] = src.cells[from * ROW + f]!;
  }

  clear(i: number): void {
    this.cells[i * ROW + SEQ] = 0;
  }

  read(i: number, out: FlowKey): void {
    const c = this.cells;
    const o = i * ROW;
    out.proto = c[o + PROTO]!;
    out.saddr = c[o + SADDR]!;
    out.sport = c[o + SPORT]!;
    out.daddr = c[o + DADDR]!;
    out.dport = c[o + DPORT]!;
    out.start = c[o + START]!;
  }
}

const FIRST_SLOTS = 1024;

export class FlowTable {
  size = 0;
  /**
   * The table doubles at half full until it has 1.6 rows per identity of the cap, then no more:
   * at most 0.625 full, probes stay short, and a 10-million cap takes 1 GB, not 2.
   */
  private readonly enoughSlots: number;
  private slots = new Slots(FIRST_SLOTS);
  /** Insertion order: each identity's hash and sequence number (to find its slot) and record time. */
  private ringHash = new Uint32Array(FIRST_SLOTS / 2);
  private ringSeq = new Float64Array(FIRST_SLOTS / 2);
  private ringTs = new Float64Array(FIRST_SLOTS / 2);
  private head = 0;

  /** `maxSize`: the most identities it will hold at once (the cache's cap, plus the one being added). */
  constructor(maxSize: number) {
    this.enoughSlots = Math.ceil(maxSize * 1.6);
  }

  has(k: FlowKey, h: number): boolean {
    const s = this.slots;
    for (let i = h & s.mask; s.seq(i) !== 0; i = (i + 1) & s.mask) if (s.holds(i, k, h)) return true;
    return false;
  }

  /** Adds an identity `has` did not find; `seq` (> 0) orders it among all the cache remembers. */
  add(k: FlowKey, h: number, ts: number, seq: number): void {
    if ((this.size + 1) * 2 > this.slots.length && this.slots.length < this.enoughSlots) this.growSlots();
    if (this.size === this.ringSeq.length) this.growRing();
    this.slots.put(this.slots.firstFree(h), k, h, seq);
    const r = (this.head + this.size) & (this.ringSeq.length - 1);
    this.ringHash[r] = h;
    this.ringSeq[r] = seq;
    this.ringTs[r] = ts;
    this.size++;
  }

  /** The oldest identity's sequence number; Infinity when empty. */
  oldestSeq(): number {
    return this.size === 0 ? Infinity : this.ringSeq[this.head]!;
  }

  oldestTs(): number {
    return this.size === 0 ? Infinity : this.ringTs[this.head]!;
  }

  /** Forgets the oldest identity. */
  popOldest(): void {
    if (this.size === 0) return;
    const h = this.ringHash[this.head]!;
    const seq = this.ringSeq[this.head]!;
    this.head = (this.head + 1) & (this.ringSeq.length - 1);
    this.size--;
    this.removeSlot(this.slotOf(h, seq));
  }

  /** The slot of a remembered identity: in the probe run from its hash's home, before an empty slot. */
  private slotOf(h: number, seq: number): number {
    const s = this.slots;
    for (let i = h & s.mask; ; i = (i + 1) & s.mask) {
      const at = s.seq(i);
      if (at === seq) return i;
      // Not there: the table is broken. Fail loudly instead of probing for ever.
      if (at === 0) throw new Error(`dedup flow table: identity ${seq} is not in its probe run`);
    }
  }

  /**
   * Empties slot `i` and moves later entries of its probe run back into the gap, so every entry
   * stays reachable from its home slot without tombstones (Knuth's algorithm R).
   */
  private removeSlot(i: number): void {
    const s = this.slots;
    const mask = s.mask;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (s.seq(j) === 0) break;
      const home = s.hash(j) & mask;
      // The entry at j stays when its home lies cyclically in (i, j]: the gap is not on its path.
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (stays) continue;
      s.copy(i, s, j);
      i = j;
    }
    s.clear(i);
  }

  /** Calls `fn` for every identity, oldest first (`key` is reused between calls). */
  forEachInOrder(key: FlowKey, fn: (key: FlowKey, ts: number, seq: number) => void): void {
    const s = this.slots;
    const ringMask = this.ringSeq.length - 1;
    for (let n = 0; n < this.size; n++) {
      const r = (this.head + n) & ringMask;
      s.read(this.slotOf(this.ringHash[r]!, this.ringSeq[r]!), key);
      fn(key, this.ringTs[r]!, this.ringSeq[r]!);
    }
  }

  clear(): void {
    this.size = 0;
    this.head = 0;
    this.slots = new Slots(FIRST_SLOTS);
    this.ringHash = new Uint32Array(FIRST_SLOTS / 2);
    this.ringSeq = new Float64Array(FIRST_SLOTS / 2);
    this.ringTs = new Float64Array(FIRST_SLOTS / 2);
  }

  private growSlots(): void {
    const old = this.slots;
    const s = new Slots(old.length * 2);
    for (let j = 0; j < old.length; j++) if (old.seq(j) !== 0) s.copy(s.firstFree(old.hash(j)), old, j);
    this.slots = s;
  }

  /** Doubles the ring, its entries copied oldest first from index 0. */
  private growRing(): void {
    const n = this.ringSeq.length;
    const hash = new Uint32Array(n * 2);
    const seq = new Float64Array(n * 2);
    const ts = new Float64Array(n * 2);
    for (let k = 0; k < this.size; k++) {
      const r = (this.head + k) & (n - 1);
      hash[k] = this.ringHash[r]!;
      seq[k] = this.ringSeq[r]!;
      ts[k] = this.ringTs[r]!;
    }
    this.ringHash = hash;
    this.ringSeq = seq;
    this.ringTs = ts;
    this.head = 0;
  }
}
