/**
 * Distinct counting in fixed memory: an exact set of value hashes up to `EXACT_LIMIT` values,
 * then a HyperLogLog sketch of 2^12 one-byte registers (4 KiB) whatever the number of values.
 *
 * HyperLogLog (Flajolet, Fusy, Gandouet, Meunier 2007): each value's 32-bit hash picks a
 * register with its top `P` bits and stores there the largest "position of the first 1 bit" seen
 * in the remaining bits. The harmonic mean of 2^-register estimates the count with a relative
 * standard error of 1.04 / sqrt(2^P) = 1.6 % for P = 12; small counts use linear counting
 * (the paper's small-range correction), which is close to exact. With a 32-bit hash the sketch
 * is meant for counts up to about 10^8, far above what one window of one key sees.
 */

/** Register index bits. */
export const HLL_P = 12;
/** Registers (bytes) per sketch. */
export const HLL_REGISTERS = 1 << HLL_P;
/** Relative standard error of an estimate: 1.04 / sqrt(registers), about 0.016. */
export const HLL_STD_ERROR = 1.04 / Math.sqrt(HLL_REGISTERS);
/** Values counted exactly (as hashes) before a pane switches to the sketch. */
export const EXACT_LIMIT = 128;

const ALPHA = 0.7213 / (1 + 1.079 / HLL_REGISTERS);
const TWO_32 = 2 ** 32;

/**
 * 32-bit hash of a text: MurmurHash3's mixing applied to each UTF-16 unit, then its finaliser,
 * so near-identical values (10.0.0.1, 10.0.0.2) land on unrelated registers.
 */
export function hash32(s: string): number {
  let h = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    let k = Math.imul(s.charCodeAt(i), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= s.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

export class HyperLogLog {
  readonly registers: Uint8Array;

  constructor(registers?: Uint8Array) {
    this.registers = registers ?? new Uint8Array(HLL_REGISTERS);
  }

  /** Adds a hash; true when a register grew (the value is new, as far as the sketch can tell). */
  addHash(h: number): boolean {
    const j = h >>> (32 - HLL_P);
    // Rank of the first 1 bit in the other 20 bits (21 when they are all 0).
    const rest = (h << HLL_P) | (1 << (HLL_P - 1));
    const rank = Math.clz32(rest) + 1;
    if (rank <= this.registers[j]!) return false;
    this.registers[j] = rank;
    return true;
  }

  /** Keeps the larger register of the two: the sketch of the union. */
  merge(other: HyperLogLog): void {
    const a = this.registers;
    const b = other.registers;
    for (let j = 0; j < HLL_REGISTERS; j++) if (b[j]! > a[j]!) a[j] = b[j]!;
  }

  clear(): void {
    this.registers.fill(0);
  }

  estimate(): number {
    let sum = 0;
    let zeros = 0;
    for (let j = 0; j < HLL_REGISTERS; j++) {
      const r = this.registers[j]!;
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const e = (ALPHA * HLL_REGISTERS * HLL_REGISTERS) / sum;
    if (e <= 2.5 * HLL_REGISTERS && zeros > 0) return HLL_REGISTERS * Math.log(HLL_REGISTERS / zeros);
    if (e > TWO_32 / 30) return -TWO_32 * Math.log(1 - e / TWO_32);
    return e;
  }

  toBase64(): string {
    return Buffer.from(this.registers.buffer, this.registers.byteOffset, this.registers.byteLength).toString('base64');
  }

  /** A sketch from `toBase64()`; null when the text is not one. */
  static fromBase64(text: unknown): HyperLogLog | null {
    if (typeof text !== 'string' || text.length > 2 * HLL_REGISTERS) return null;
    const bytes = Buffer.from(text, 'base64');
    if (bytes.length !== HLL_REGISTERS) return null;
    const regs = new Uint8Array(HLL_REGISTERS);
    for (let j = 0; j < HLL_REGISTERS; j++) {
      if (bytes[j]! > 33 - HLL_P) return null;
      regs[j] = bytes[j]!;
    }
    return new HyperLogLog(regs);
  }
}

/**
 * Distinct values of one pane: exact (a set of hashes) while small, a sketch beyond
 * `EXACT_LIMIT`. Memory stays under about 4 KiB either way.
 */
export class DistinctCounter {
  private exact: Set<number> | null = new Set();
  private sketch: HyperLogLog | null = null;

  /** True when the value is new (for the sketch: when it changed a register). */
  add(value: string): boolean {
    return this.addHash(hash32(value));
  }

  addHash(h: number): boolean {
    const exact = this.exact;
    if (exact === null) return this.sketch!.addHash(h);
    if (exact.has(h)) return false;
    if (exact.size < EXACT_LIMIT) {
      exact.add(h);
      return true;
    }
    this.toSketch();
    return this.sketch!.addHash(h);
  }

  get isExact(): boolean {
    return this.exact !== null;
  }

  /** Values held exactly (0 once it is a sketch). */
  get exactSize(): number {
    return this.exact?.size ?? 0;
  }

  count(): number {
    return this.exact !== null ? this.exact.size : Math.round(this.sketch!.estimate());
  }

  /** Adds this pane's values to a union being built: its hashes into `set`, or its sketch into `into`. */
  unionInto(set: Set<number>, into: HyperLogLog): boolean {
    if (this.exact !== null) {
      for (const h of this.exact) set.add(h);
      return false;
    }
    into.merge(this.sketch!);
    return true;
  }

  toJson(): { hashes: number[] } | { hll: string } {
    return this.exact !== null ? { hashes: Array.from(this.exact) } : { hll: this.sketch!.toBase64() };
  }

  static fromJson(hashes: unknown, hll: unknown, values: unknown): DistinctCounter {
    const c = new DistinctCounter();
    const sketch = HyperLogLog.fromBase64(hll);
    if (sketch) {
      c.exact = null;
      c.sketch = sketch;
    } else if (Array.isArray(hashes)) {
      for (const h of hashes) if (typeof h === 'number' && Number.isInteger(h)) c.addHash(h | 0);
    } else if (Array.isArray(values)) {
      // States saved before the sketch held the values themselves.
      for (const v of values) c.add(typeof v === 'string' ? v : String(v));
    }
    return c;
  }

  private toSketch(): void {
    const s = new HyperLogLog();
    for (const h of this.exact!) s.addHash(h);
    this.exact = null;
    this.sketch = s;
  }
}

/** Count of the union of several panes (a sliding window), in fixed memory. */
export function unionCount(counters: Iterable<DistinctCounter>, scratch: HyperLogLog): number {
  const set = new Set<number>();
  scratch.clear();
  let sketched = false;
  for (const c of counters) if (c.unionInto(set, scratch)) sketched = true;
  // Exact panes only: the union of their hashes is exact too (at most hops x EXACT_LIMIT).
  if (!sketched) return set.size;
  for (const h of set) scratch.addHash(h);
  return Math.round(scratch.estimate());
}
