/**
 * Number text to numbers for the normalizers' hot path: digit loops that give exactly the double
 * `Number()` gives, and the linear patterns and caps the slow paths use. Why loops and not
 * `Number()` or a RegExp: docs/performance.md#digit-loops-and-exact-decimals.
 */

/** 2^53: the largest counter accepted. Above it a double cannot hold every integer. */
export const MAX_COUNTER = 2 ** 53;
export const MAX_COUNTER_TEXT = '9007199254740992';

/**
 * Longer number text is reported without being parsed (or, for `loose`, kept as text). Every
 * pattern here is linear, but the cap also keeps `trim()`, `Number()` and the error text cheap;
 * no count, port, rate or id a vendor sends comes near it.
 */
export const MAX_NUMBER_TEXT = 100;

/** Linear: the parts that repeat are separated by a required `.` or `e`, so no run is re-split. */
export const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * The digits of an unsigned integer (`+` allowed) without its leading zeros (`"0"` for zeros
 * only), or undefined. A scanner, not `^\+?0*(\d+)$`: there `0*` and `\d+` both match zeros, so
 * a long run of zeros with a bad character after it is re-split at every place (quadratic).
 */
export function unsignedDigits(t: string): string | undefined {
  const len = t.length;
  let i = len > 0 && t.charCodeAt(0) === 43 ? 1 : 0; // '+'
  if (i === len) return undefined;
  for (let j = i; j < len; j++) {
    const c = t.charCodeAt(j);
    if (c < 48 || c > 57) return undefined;
  }
  while (i < len - 1 && t.charCodeAt(i) === 48) i++;
  return t.slice(i);
}

/**
 * 1..15 plain decimal digits (always exact in a double) to their value; -1 otherwise.
 * Why a loop: docs/performance.md#digit-loops-and-exact-decimals.
 */
export function digits15(v: string): number {
  const len = v.length;
  if (len === 0 || len > 15) return -1;
  let n = 0;
  for (let i = 0; i < len; i++) {
    const d = v.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * `digits` or `digits.digits`, at most 15 digits in all, to its value; -1 otherwise: the same
 * double Number() gives (docs/performance.md#digit-loops-and-exact-decimals).
 */
export function decimal15(v: string): number {
  const len = v.length;
  if (len === 0 || len > 16) return -1;
  let n = 0;
  let dot = -1;
  for (let i = 0; i < len; i++) {
    const c = v.charCodeAt(i);
    if (c === 46) {
      if (dot >= 0 || i === 0 || i === len - 1) return -1;
      dot = i;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  if (dot < 0) return len <= 15 ? n : -1;
  return n / POW10[len - 1 - dot]!;
}

/**
 * True when the text starts with a digit from 1 to 9: then `Number()` reads it exactly as the
 * slow paths of the reader would, so the fast paths may use it for text of up to 7 characters
 * (docs/performance.md#number-and-the-cached-array-index).
 */
export function leadsWithNonZeroDigit(v: string): boolean {
  const c = v.charCodeAt(0); // NaN for "", and NaN comparisons are false
  return c >= 49 && c <= 57;
}
