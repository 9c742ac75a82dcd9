/**
 * HyperLogLog (Flajolet et al. 2007) distinct-count sketch: a fixed number of one-byte registers
 * whatever the number of values, with the small-range (linear counting) correction. Standard error
 * is about 1.04 / sqrt(2^precision): 3.3 % at precision 10 (1 KiB), 0.8 % at 14 (16 KiB).
 * Sketches of the same precision merge (register-wise max), so per-group counts can be folded.
 */
import { BadInputError } from '../errors';

export const HLL_MIN_PRECISION = 4;
export const HLL_MAX_PRECISION = 16;

/** 32-bit FNV-1a over UTF-16 code units, then the murmur3 finaliser to spread the low bits. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export interface HyperLogLogJson {
  precision: number;
  /** Registers, base64. */
  registers: string;
}

export class HyperLogLog {
  readonly precision: number;
  private readonly registers: Uint8Array;

  constructor(precision = 12) {
    if (!Number.isInteger(precision) || precision < HLL_MIN_PRECISION || precision > HLL_MAX_PRECISION) {
      throw new BadInputError('precision', `${precision} is out of range (expected an integer >= ${HLL_MIN_PRECISION} and <= ${HLL_MAX_PRECISION})`);
    }
    this.precision = precision;
    this.registers = new Uint8Array(1 << precision);
  }

  add(value: string): void {
    this.addHash(hash32(value));
  }

  addHash(h: number): void {
    const p = this.precision;
    const idx = h >>> (32 - p);
    // Rank of the first 1 bit in the remaining 32 - p bits (32 - p + 1 when they are all 0).
    const rest = (h << p) >>> 0;
    const rank = rest === 0 ? 32 - p + 1 : Math.clz32(rest) + 1;
    if (rank > this.registers[idx]!) this.registers[idx] = rank;
  }

  count(): number {
    const m = this.registers.length;
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < m; i++) {
      const r = this.registers[i]!;
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const alpha = m === 16 ? 0.673 : m === 32 ? 0.697 : m === 64 ? 0.709 : 0.7213 / (1 + 1.079 / m);
    const est = (alpha * m * m) / sum;
    if (est <= 2.5 * m && zeros > 0) return Math.round(m * Math.log(m / zeros));
    const two32 = 2 ** 32;
    if (est > two32 / 30) return Math.round(-two32 * Math.log(1 - est / two32));
    return Math.round(est);
  }

  merge(other: HyperLogLog): void {
    if (other.precision !== this.precision) {
      throw new BadInputError('precision', `cannot merge a sketch of precision ${other.precision} into one of ${this.precision}`);
    }
    const a = this.registers;
    const b = other.registers;
    for (let i = 0; i < a.length; i++) if (b[i]! > a[i]!) a[i] = b[i]!;
  }

  toJSON(): HyperLogLogJson {
    return { precision: this.precision, registers: Buffer.from(this.registers).toString('base64') };
  }

  static fromJSON(j: unknown): HyperLogLog {
    const o = j as HyperLogLogJson;
    if (o === null || typeof o !== 'object' || typeof o.registers !== 'string') throw new BadInputError('state', 'not a HyperLogLog sketch');
    const h = new HyperLogLog(o.precision);
    const bytes = Buffer.from(o.registers, 'base64');
    if (bytes.length !== h.registers.length) throw new BadInputError('state', 'HyperLogLog registers have the wrong length');
    h.registers.set(bytes);
    return h;
  }
}
