/**
 * The compiler's address and port sets: sorted, merged, disjoint ranges searched by bisection
 * for large lists. (Addresses are read with ip.ts `ipv4Value`.)
 */

/**
 * The first octet of text that starts like an IPv4 address (`10.` / `192.`), or -1 when it does
 * not. Lets a CIDR test turn most non-matching addresses away after two to four characters:
 * text that starts this way is either that IPv4 address or not an address at all (IPv6 has a
 * ':' before any '.'), so when no range starts with that octet the answer is "no" either way.
 */
export function firstOctet(s: string): number {
  const a = s.charCodeAt(0) - 48;
  if (!(a >= 0 && a <= 9)) return -1;
  const b = s.charCodeAt(1);
  if (b === 46) return a;
  const bd = b - 48;
  if (!(bd >= 0 && bd <= 9) || a === 0) return -1;
  const c = s.charCodeAt(2);
  if (c === 46) return a * 10 + bd;
  const cd = c - 48;
  if (!(cd >= 0 && cd <= 9) || s.charCodeAt(3) !== 46) return -1;
  const v = a * 100 + bd * 10 + cd;
  return v <= 255 ? v : -1;
}

/** Which first octets any of the IPv4 ranges can start with. */
export function firstOctetMask(starts: readonly number[], ends: readonly number[]): Uint8Array {
  const mask = new Uint8Array(256);
  for (let i = 0; i < starts.length; i++) {
    for (let o = Math.floor(starts[i]! / 2 ** 24); o <= Math.floor(ends[i]! / 2 ** 24); o++) mask[o] = 1;
  }
  return mask;
}

/** Sorted, disjoint, non-adjacent inclusive ranges: starts[i] <= ends[i] < starts[i+1] - 1. */
export interface RangeSet<T extends number | bigint> {
  starts: T[];
  ends: T[];
}

/** Sorts and merges overlapping or adjacent ranges. */
export function mergeRanges<T extends number | bigint>(ranges: ReadonlyArray<readonly [T, T]>): RangeSet<T> {
  const sorted = [...ranges].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const starts: T[] = [];
  const ends: T[] = [];
  for (const [lo, hi] of sorted) {
    const last = ends.length - 1;
    if (last >= 0 && (lo <= ends[last]! || isNext(ends[last]!, lo))) {
      if (hi > ends[last]!) ends[last] = hi;
    } else {
      starts.push(lo);
      ends.push(hi);
    }
  }
  return { starts, ends };
}

function isNext<T extends number | bigint>(end: T, start: T): boolean {
  if (typeof end === 'number') return start === end + 1;
  return typeof end === 'bigint' && start === end + 1n;
}

/** Bisection in a number RangeSet held in typed arrays. */
export function inRanges4(starts: Float64Array, ends: Float64Array, v: number): boolean {
  let lo = 0;
  let hi = starts.length - 1;
  if (hi < 0 || v < starts[0]!) return false;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (starts[mid]! <= v) lo = mid;
    else hi = mid - 1;
  }
  return v <= ends[lo]!;
}

/** Bisection in a BigInt RangeSet (IPv6). */
export function inRanges6(set: RangeSet<bigint>, v: bigint): boolean {
  const { starts, ends } = set;
  let lo = 0;
  let hi = starts.length - 1;
  if (hi < 0 || v < starts[0]!) return false;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (starts[mid]! <= v) lo = mid;
    else hi = mid - 1;
  }
  return v <= ends[lo]!;
}

/**
 * For long IPv4 lists: for each /16 block b, the first range that ends at or after the block's
 * first address. A lookup then bisects only among the ranges that reach into the address's
 * block (usually zero to two) instead of the whole list.
 */
export function blockIndex(ends: Float64Array): Uint32Array {
  const index = new Uint32Array(65537);
  let i = 0;
  for (let b = 0; b <= 65536; b++) {
    const first = b * 65536;
    while (i < ends.length && ends[i]! < first) i++;
    index[b] = i;
  }
  return index;
}

/** `inRanges4` through a `blockIndex`. */
export function inRanges4Indexed(index: Uint32Array, starts: Float64Array, ends: Float64Array, v: number): boolean {
  const b = v >>> 16;
  let lo = index[b]!;
  // The range that holds v, if any, is the first one ending at or after v; it is at the latest
  // the first range reaching into the next block.
  let hi = Math.min(index[b + 1]!, ends.length - 1);
  if (lo > hi) return false;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ends[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return starts[lo]! <= v && v <= ends[lo]!;
}
