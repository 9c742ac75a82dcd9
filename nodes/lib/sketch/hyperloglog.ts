/**
 * The one HyperLogLog (Flajolet, Fusy, Gandouet, Meunier 2007) distinct-count sketch, used by the
 * anomaly and aggregate engines: 2^precision one-byte registers whatever the number of values.
 * Each value's 32-bit hash picks a register with its top `precision` bits and stores there the
 * largest "position of the first 1 bit" seen in the remaining bits; the harmonic mean of
 * 2^-register estimates the count with a relative standard error of 1.04 / sqrt(2^precision)
 * (1.6 % at 12, 4 KiB). Small counts use linear counting (the paper's small-range correction).
 * With a 32-bit hash the sketch is meant for counts up to about 10^8. Sketches of the same
 * precision merge (register-wise max), so per-pane or per-group counts can be combined.
 */
import { BadInputError } from '../errors';

export const HLL_MIN_PRECISION = 4;
export const HLL_MAX_PRECISION = 16;

/** Relative standard error of a sketch of `precision`: 1.04 / sqrt(2^precision). */
export function hllStdError(precision: number): number {
  return 1.04 / Math.sqrt(2 ** precision);
}

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

export interface HyperLogLogJson {
  precision: number;
  /** Registers, base64. */
  registers: string;
}

const TWO_32 = 2 ** 32;

export class HyperLogLog {
  readonly precision: number;
  readonly registers: Uint8Array;

  constructor(precision = 12) {
    if (!Number.isInteger(precision) || precision < HLL_MIN_PRECISION || precision > HLL_MAX_PRECISION) {
      throw new BadInputError('precision', `${precision} is out of range (expected an integer >= ${HLL_MIN_PRECISION} and <= ${HLL_MAX_PRECISION})`);
    }
    this.precision = precision;
    this.registers = new Uint8Array(1 << precision);
  }

  add(value: string): boolean {
    return this.addHash(hash32(value));
  }

  /** Adds a hash; true when a register grew (the value is new, as far as the sketch can tell). */
  addHash(h: number): boolean {
    const p = this.precision;
    const j = h >>> (32 - p);
    // Rank of the first 1 bit in the other 32 - p bits; a sentinel bit caps it at 32 - p + 1.
    const rank = Math.clz32((h << p) | (1 << (p - 1))) + 1;
    if (rank <= this.registers[j]!) return false;
    this.registers[j] = rank;
    return true;
  }

  /** The estimate, unrounded. */
  estimate(): number {
    const m = this.registers.length;
    let sum = 0;
    let zeros = 0;
    for (let j = 0; j < m; j++) {
      const r = this.registers[j]!;
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const alpha = m === 16 ? 0.673 : m === 32 ? 0.697 : m === 64 ? 0.709 : 0.7213 / (1 + 1.079 / m);
    const e = (alpha * m * m) / sum;
    if (e <= 2.5 * m && zeros > 0) return m * Math.log(m / zeros);
    if (e > TWO_32 / 30) return -TWO_32 * Math.log(1 - e / TWO_32);
    return e;
  }

  count(): number {
    return Math.round(this.estimate());
  }

  /** Keeps the larger register of the two: the sketch of the union. */
  merge(other: HyperLogLog): void {
    if (other.precision !== this.precision) {
      throw new BadInputError('precision', `cannot merge a sketch of precision ${other.precision} into one of ${this.precision}`);
    }
    const a = this.registers;
    const b = other.registers;
    for (let j = 0; j < a.length; j++) if (b[j]! > a[j]!) a[j] = b[j]!;
  }

  clear(): void {
    this.registers.fill(0);
  }

  toBase64(): string {
    return Buffer.from(this.registers.buffer, this.registers.byteOffset, this.registers.byteLength).toString('base64');
  }

  /** A sketch of `precision` from `toBase64()`; null when the text is not one. */
  static fromBase64(text: unknown, precision = 12): HyperLogLog | null {
    const m = 1 << precision;
    if (typeof text !== 'string' || text.length > 2 * m) return null;
    const bytes = Buffer.from(text, 'base64');
    if (bytes.length !== m) return null;
    const h = new HyperLogLog(precision);
    for (let j = 0; j < m; j++) {
      if (bytes[j]! > 33 - precision) return null;
      h.registers[j] = bytes[j]!;
    }
    return h;
  }

  toJSON(): HyperLogLogJson {
    return { precision: this.precision, registers: this.toBase64() };
  }

  static fromJSON(j: unknown): HyperLogLog {
    const o = j as HyperLogLogJson;
    if (o === null || typeof o !== 'object' || typeof o.registers !== 'string') throw new BadInputError('state', 'not a HyperLogLog sketch');
    const h = HyperLogLog.fromBase64(o.registers, new HyperLogLog(o.precision).precision);
    if (h === null) throw new BadInputError('state', 'HyperLogLog registers have the wrong length or values');
    return h;
  }
}
