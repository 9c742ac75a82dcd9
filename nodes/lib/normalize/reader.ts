/**
 * Typed field reading for the normalizers: vendor strings to numbers, IPs, ports, text, with the
 * rules of docs/design.md#normalization-rules (a bad number is reported, never NaN; `""`, `"N/A"`, `"-"` mean absent).
 *
 * One `Reader` serves a whole batch: it holds the first problem of the current record in
 * `error` instead of throwing or allocating, so the per-record hot path creates no closures and
 * no exceptions. Callers `begin()` a record, read fields, then check `error`.
 */
import { inAnyRange, ipv4Value, isCanonicalIpv4, parseIp, type CidrRange, type IpVersion, type ParsedIp } from '../ip';
import type { Direction } from '../network-flow';
import { MAX_NESTING, nestsDeeperThan } from '../validate';
import { lookupProtocol, protocolByNumber, PROTOCOL_TABLE, type IpProtocol } from '../protocols';
import { decimal15, DECIMAL, digits15, leadsWithNonZeroDigit, MAX_COUNTER, MAX_COUNTER_TEXT, MAX_NUMBER_TEXT, unsignedDigits } from './fast-number';

/** True for the values vendors use for "no value". */
export function isAbsent(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v !== 'string') return false;
  const len = v.length;
  if (len === 0) return true;
  if (len <= 3 && (v === 'N/A' || v === '-' || v === 'n/a' || v === 'NA' || v === '--')) return true;
  const c = v.charCodeAt(0);
  const z = v.charCodeAt(len - 1);
  // Whitespace-only, or an absent marker wrapped in whitespace (which trim() takes to include
  // tabs, line ends and non-ASCII spaces); only then pay for trim().
  if (c <= 32 || z <= 32 || c >= 127 || z >= 127) {
    const t = v.trim();
    return t.length === 0 || t === 'N/A' || t === '-' || t === 'n/a' || t === 'NA' || t === '--';
  }
  return false;
}

/** A printable ASCII character: text that starts and ends with one needs no trim(). */
function isPlainEdge(c: number): boolean {
  return c > 32 && c < 127;
}

/**
 * 1..3 printable ASCII characters, no edge space, not an absent marker: text that `trim()` and
 * `isAbsent` would leave as it is (short application names: DNS, SSH).
 */
function isPlainShortText(v: string, len: number): boolean {
  if (!isPlainEdge(v.charCodeAt(0)) || !isPlainEdge(v.charCodeAt(len - 1))) return false;
  return v !== 'N/A' && v !== '-' && v !== 'n/a' && v !== 'NA' && v !== '--';
}

/** A value for an error text: strings cut to 40 characters; objects and arrays by kind only
 * (String() of a nested array recurses and copies it all). */
function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 39)}…` : v);
  if (v === null || typeof v !== 'object') return String(v);
  return Array.isArray(v) ? 'an array' : 'an object';
}

export class Reader {
  /** The first problem found in the current record, as `field: what was wrong`. */
  error: string | undefined = undefined;
  /** Set by `ip()`: version and numeric value of the last address read. */
  ipVersion: IpVersion | undefined = undefined;
  ipValue: number | bigint = 0;

  private readonly scratch: ParsedIp = { version: 4, text: '', value: 0 };

  constructor(readonly internal: readonly CidrRange[]) {}

  begin(): void {
    this.error = undefined;
  }

  fail(field: string, what: string): void {
    if (this.error === undefined) this.error = `${field}: ${what}`;
  }

  /**
   * A vendor field kept as it is (unknown fields go to `extra`): strings read with `loose`,
   * objects and arrays only when they nest at most `MAX_NESTING` levels (deeper ones would
   * overflow the stack of whatever serializes or clones the flow later).
   */
  keep(v: unknown, field: string): unknown {
    if (typeof v === 'string') return this.loose(v);
    // Not from JSON, but a function node may build one; JSON.stringify cannot write it.
    if (typeof v === 'bigint') return this.loose(String(v));
    if (typeof v === 'object' && v !== null && nestsDeeperThan(v)) {
      this.fail(field, `nested more than ${MAX_NESTING} levels deep`);
      return undefined;
    }
    return v;
  }

  /** Reports number text longer than `MAX_NUMBER_TEXT` (before any trim or pattern). */
  private tooLong(v: string, field: string): boolean {
    if (v.length <= MAX_NUMBER_TEXT) return false;
    this.fail(field, `${show(v)} is not a number (longer than ${MAX_NUMBER_TEXT} characters)`);
    return true;
  }

  // Each reader below: a tiny inlinable fast path plus an out-of-line slow path
  // (docs/performance.md#small-functions-that-inline).

  /**
   * A non-negative whole number up to 2^53 (bytes, packets, counts, ms). Numbers and decimal
   * strings; a value that a double cannot hold exactly is reported, not rounded.
   */
  count(v: unknown, field: string): number | undefined {
    if (typeof v === 'string') {
      if (v.length <= 7) {
        if (leadsWithNonZeroDigit(v)) {
          const n = Number(v);
          // "5e60" is short too: the range check is not redundant.
          if (Number.isInteger(n) && n <= Number.MAX_SAFE_INTEGER) return n;
        } else if (v === '0') return 0;
      } else {
        const n = digits15(v);
        if (n >= 0) return n;
      }
    }
    return this.countSlow(v, field);
  }

  private countSlow(v: unknown, field: string): number | undefined {
    if (typeof v === 'number') {
      if (v >= 0 && v <= MAX_COUNTER && Number.isInteger(v)) return v;
      this.fail(field, `${show(v)} is not a whole number from 0 to 2^53`);
      return undefined;
    }
    if (typeof v !== 'string') {
      if (v !== undefined && v !== null) this.fail(field, `expected a number, got ${typeof v}`);
      return undefined;
    }
    if (isAbsent(v)) return undefined;
    if (this.tooLong(v, field)) return undefined;
    const t = v.trim();
    const digits = unsignedDigits(t);
    if (digits !== undefined) {
      const n = Number(digits);
      if (n <= Number.MAX_SAFE_INTEGER || digits === MAX_COUNTER_TEXT) return n;
      this.fail(field, `${show(v)} exceeds 2^53 and cannot be represented exactly`);
      return undefined;
    }
    if (DECIMAL.test(t)) {
      const n = Number(t);
      if (n < 0) this.fail(field, `${show(v)} is negative (expected a count)`);
      else if (!Number.isInteger(n)) this.fail(field, `${show(v)} is not a whole number`);
      else if (n > MAX_COUNTER) this.fail(field, `${show(v)} exceeds 2^53 and cannot be represented exactly`);
      else return n;
      return undefined;
    }
    this.fail(field, `${show(v)} is not a number`);
    return undefined;
  }

  /** A finite number (rates, seconds with fraction). */
  num(v: unknown, field: string): number | undefined {
    if (typeof v === 'string') {
      const n = decimal15(v);
      if (n >= 0) return n;
    }
    return this.numSlow(v, field);
  }

  private numSlow(v: unknown, field: string): number | undefined {
    if (typeof v === 'number') {
      if (Number.isFinite(v)) return v;
      this.fail(field, `${show(v)} is not a finite number`);
      return undefined;
    }
    if (typeof v !== 'string') {
      if (v !== undefined && v !== null) this.fail(field, `expected a number, got ${typeof v}`);
      return undefined;
    }
    if (isAbsent(v)) return undefined;
    if (this.tooLong(v, field)) return undefined;
    const t = v.trim();
    if (DECIMAL.test(t)) {
      const n = Number(t);
      if (Number.isFinite(n)) return n;
    }
    this.fail(field, `${show(v)} is not a number`);
    return undefined;
  }

  /** A TCP/UDP port 0..65535. */
  port(v: unknown, field: string): number | undefined {
    if (typeof v === 'string' && v.length <= 5) {
      if (leadsWithNonZeroDigit(v)) {
        const n = Number(v);
        if (Number.isInteger(n) && n <= 65535) return n;
      } else if (v === '0') return 0;
    }
    return this.portSlow(v, field);
  }

  private portSlow(v: unknown, field: string): number | undefined {
    const n = this.countSlow(v, field);
    if (n === undefined) return undefined;
    if (n > 65535) {
      this.fail(field, `${show(v)} is not a port (0..65535)`);
      return undefined;
    }
    return n;
  }

  /**
   * An IP address in canonical text; sets `ipVersion`/`ipValue`. A plain dotted quad is checked
   * by a scanner that allocates nothing (the common case on the hot path); anything else goes
   * through ip.ts `parseIp` (IPv6, IPv4-mapped, brackets, zones).
   */
  ip(v: unknown, field: string): string | undefined {
    if (typeof v === 'string') {
      const n = ipv4Value(v);
      if (n >= 0) {
        this.ipVersion = 4;
        this.ipValue = n;
        return v;
      }
    }
    return this.ipSlow(v, field);
  }

  /**
   * `ip()` without the numeric value: same text, same errors, sets `ipVersion`, but leaves
   * `ipValue` unset for a plain dotted quad. For mappers that need the value only sometimes
   * (SD-WAN flows: only to derive a missing direction), which then read it with `ip()`.
   */
  ipText(v: unknown, field: string): string | undefined {
    if (typeof v === 'string' && isCanonicalIpv4(v)) {
      this.ipVersion = 4;
      return v;
    }
    return this.ipSlow(v, field);
  }

  private gwText: string | undefined = undefined;
  private gwValue = 0;

  /**
   * `ip()` for a field that repeats from record to record (a gateway): one remembered dotted
   * quad skips the scan. Same result as `ip()`.
   */
  ipRepeated(v: unknown, field: string): string | undefined {
    if (typeof v === 'string' && v === this.gwText) {
      this.ipVersion = 4;
      this.ipValue = this.gwValue;
      return v;
    }
    const out = this.ip(v, field);
    if (out !== undefined && out === v && this.ipVersion === 4) {
      this.gwText = out;
      this.gwValue = this.ipValue as number;
    }
    return out;
  }

  private ipSlow(v: unknown, field: string): string | undefined {
    this.ipVersion = undefined;
    if (typeof v !== 'string') {
      if (v !== undefined && v !== null) this.fail(field, `expected an IP address, got ${typeof v}`);
      return undefined;
    }
    if (isAbsent(v)) return undefined;
    const p = parseIp(v);
    if (!p) {
      this.fail(field, `${show(v)} is not an IP address`);
      return undefined;
    }
    this.ipVersion = p.version;
    this.ipValue = p.value;
    return p.text;
  }

  /** True when the last address read by `ip()` is in the internal networks. */
  lastIpInternal(): boolean {
    if (this.ipVersion === undefined) return false;
    const s = this.scratch;
    s.version = this.ipVersion;
    s.value = this.ipValue;
    return inAnyRange(s, this.internal);
  }

  /** Text, trimmed only when needed; absent markers give undefined. Numbers become text. */
  text(v: unknown): string | undefined {
    // Longer than any absent marker and no edge whitespace: the text as it is. Kept this small
    // on purpose (docs/performance.md#small-functions-that-inline).
    if (typeof v === 'string' && v.length > 3 && isPlainEdge(v.charCodeAt(0)) && isPlainEdge(v.charCodeAt(v.length - 1))) return v;
    return this.textSlow(v);
  }

  private textSlow(v: unknown): string | undefined {
    if (typeof v === 'string') {
      const len = v.length;
      if (len > 0 && len <= 3 && isPlainShortText(v, len)) return v;
      return isAbsent(v) ? undefined : v.trim();
    }
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return undefined;
  }

  /**
   * For vendor fields whose format is not documented (ids, DSCP): a number when the text is a
   * plain decimal number, otherwise the text itself. Never an error.
   */
  loose(v: unknown): string | number | boolean | undefined {
    if (typeof v === 'string') {
      if (v.length <= 7) {
        if (leadsWithNonZeroDigit(v)) {
          const n = Number(v);
          // Not NaN, and not a whole number too big to be exact ("8e40", "1e999"): such
          // text stays text, as in the slow path.
          if (n <= Number.MAX_SAFE_INTEGER) return n;
        } else if (v === '0') return 0;
      } else {
        const n = digits15(v);
        if (n >= 0) return n;
      }
      // Text starting with a letter and ending in a letter or digit cannot be a number or
      // need trimming; only the absent markers of that form need a look (N/A, NA, n/a).
      const len = v.length;
      if (len > 0) {
        const c0 = v.charCodeAt(0) | 32;
        const cl = v.charCodeAt(len - 1);
        if (c0 >= 97 && c0 <= 122 && ((cl | 32) >= 97 && (cl | 32) <= 122 || (cl >= 48 && cl <= 57)) && (len > 3 || (v !== 'N/A' && v !== 'NA' && v !== 'n/a'))) return v;
      }
    }
    return this.looseSlow(v);
  }

  private looseSlow(v: unknown): string | number | boolean | undefined {
    if (typeof v === 'string') {
      if (isAbsent(v)) return undefined;
      const t = v.trim();
      if (t.length <= MAX_NUMBER_TEXT && DECIMAL.test(t)) {
        const n = Number(t);
        if (Number.isFinite(n) && (!Number.isInteger(n) || Number.isSafeInteger(n))) return n;
      }
      return t;
    }
    if (typeof v === 'number' || typeof v === 'boolean') return v;
    return undefined;
  }

  /** An IP protocol from its number (`"6"`, 6) or name (`"tcp"`, `"ICMPv6"`). */
  protocol(v: unknown, field: string): IpProtocol | undefined {
    if (typeof v === 'string') {
      const n = digits15(v);
      if (n >= 0 && n <= 255) return PROTOCOL_TABLE[n];
    }
    return this.protocolSlow(v, field);
  }

  private protocolSlow(v: unknown, field: string): IpProtocol | undefined {
    if (typeof v === 'string') {
      if (isAbsent(v)) return undefined;
      if (v.length > MAX_NUMBER_TEXT) {
        this.fail(field, `${show(v)} is not an IP protocol number or name`);
        return undefined;
      }
      const t = v.trim();
      if (/^\d+$/.test(t)) {
        const p = protocolByNumber(Number(t));
        if (p === undefined) this.fail(field, `${t} is not an IP protocol number (0..255)`);
        return p;
      }
      const p = lookupProtocol(t);
      if (p === undefined) this.fail(field, `${show(v)} is not an IP protocol number or name`);
      return p;
    }
    if (typeof v === 'number') {
      const p = protocolByNumber(v);
      if (p === undefined) this.fail(field, `${v} is not an IP protocol number (0..255)`);
      return p;
    }
    if (v === undefined || v === null) return undefined;
    this.fail(field, `expected an IP protocol number or name, got ${typeof v}`);
    return undefined;
  }

  /** A boolean from true/false, "true"/"false", 1/0. */
  bool(v: unknown, field: string): boolean | undefined {
    if (typeof v === 'boolean') return v;
    if (v === undefined || v === null) return undefined;
    if (v === 1 || v === '1' || v === 'true' || v === 'TRUE' || v === 'True') return true;
    if (v === 0 || v === '0' || v === 'false' || v === 'FALSE' || v === 'False') return false;
    if (isAbsent(v)) return undefined;
    this.fail(field, `${show(v)} is not true or false`);
    return undefined;
  }
}

/**
 * Direction from the internal networks when the vendor gives none: src internal and dst
 * external is outbound, the reverse inbound, both internal internal, neither external; unknown
 * when either address is missing.
 */
export function deriveDirection(srcInternal: boolean | undefined, dstInternal: boolean | undefined): Direction {
  if (srcInternal === undefined || dstInternal === undefined) return 'unknown';
  if (srcInternal) return dstInternal ? 'internal' : 'outbound';
  return dstInternal ? 'inbound' : 'external';
}

const MAC = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$/i;

/** A MAC address as upper-case colon-separated text, or undefined. */
export function canonicalMac(v: string | undefined): string | undefined {
  if (v === undefined || !MAC.test(v)) return undefined;
  return v.toUpperCase().replace(/-/g, ':');
}

const DOMAIN = /^(?=.{1,253}\.?$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?\.?$/i;

/** The text as a lower-case domain name when it looks like one (dotted, ending in a letter label). */
export function asDomain(v: string | undefined): string | undefined {
  if (v === undefined || !DOMAIN.test(v)) return undefined;
  const d = v.toLowerCase();
  return d.endsWith('.') ? d.slice(0, -1) : d;
}
