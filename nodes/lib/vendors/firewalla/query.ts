/**
 * The Firewalla MSP search query language (docs/vendors/firewalla.md#query-language): terms separated by spaces
 * and ANDed; `qualifier:a,b` ORs values; a leading `-` negates; `*` is a wildcard; quoted values
 * for spaces, commas, `*` or `:`; numeric terms `>`, `>=`, `<`, `<=` or a range `N-M`, with units
 * B/KB/MB/GB/TB (powers of 1000) for byte counts; `ts:<begin>-<end>` in epoch seconds. Qualifier
 * names and aliases are case-insensitive; literal values are matched case-sensitively.
 *
 * `parseQuery` turns a query into terms or throws a BadInputError whose text names the field and
 * the 1-based column of the mistake, so the editor, deploy-time checks and `msg.request.query`
 * all report the same thing. The simulator uses the same terms to answer queries.
 */
import { BadInputError } from '../../errors';
import { quoted as quoteText } from '../../validate';

export type QualifierType = 'text' | 'bytes' | 'port' | 'time';

export interface QualifierInfo {
  type: QualifierType;
  /** Allowed literal values, when the vendor documents a closed set. */
  values?: readonly string[];
}

/** Canonical qualifiers (docs/vendors/firewalla.md#query-language). */
export const QUALIFIERS: Readonly<Record<string, QualifierInfo>> = {
  ts: { type: 'time' },
  status: { type: 'text' },
  direction: { type: 'text', values: ['inbound', 'outbound', 'local'] },
  'box.id': { type: 'text' },
  'box.name': { type: 'text' },
  'box.group.id': { type: 'text' },
  'device.id': { type: 'text' },
  'device.name': { type: 'text' },
  'network.id': { type: 'text' },
  'network.name': { type: 'text' },
  category: { type: 'text' },
  domain: { type: 'text' },
  region: { type: 'text' },
  sport: { type: 'port' },
  dport: { type: 'port' },
  download: { type: 'bytes' },
  upload: { type: 'bytes' },
  total: { type: 'bytes' },
};

/** Alias -> canonical qualifier (the names in brackets in docs/vendors/firewalla.md#query-language). */
export const ALIASES: Readonly<Record<string, string>> = {
  box: 'box.name',
  mac: 'device.id',
  device: 'device.name',
  network: 'network.name',
  sourceport: 'sport',
  destinationport: 'dport',
};

export const UNITS: Readonly<Record<string, number>> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };

export type CompareOp = '>' | '>=' | '<' | '<=';

export type QueryValue =
  | { kind: 'text'; text: string; quoted: boolean; wildcard: boolean; column: number }
  | { kind: 'number'; value: number; column: number }
  | { kind: 'compare'; op: CompareOp; value: number; column: number }
  | { kind: 'range'; from: number; to: number; column: number };

export interface QueryTerm {
  /** Canonical qualifier (`device.name` for `device`/`DEVICE`). */
  qualifier: string;
  /** As written, before alias resolution. */
  written: string;
  negated: boolean;
  /** ORed. */
  values: QueryValue[];
  /** 1-based column where the term starts. */
  column: number;
  /** The term's text as written. */
  text: string;
}

/** A query mistake: `query: column 12: unknown qualifier "foo" ...`; `column` is 1-based. */
export class QuerySyntaxError extends BadInputError {
  readonly column: number;
  readonly reason: string;
  constructor(field: string, column: number, reason: string) {
    super(field, `column ${column}: ${reason}`);
    this.name = 'QuerySyntaxError';
    this.column = column;
    this.reason = reason;
  }
}

const KNOWN_LIST = [...Object.keys(QUALIFIERS), ...Object.keys(ALIASES)].join(', ');

/**
 * Longer queries are refused before they are read: the query goes into the request URL, and
 * 8 KiB is already beyond what many servers accept in one.
 */
export const MAX_QUERY_TEXT = 8192;

/** A letter, digit, `.` or `_`: a qualifier name character. */
function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 95;
}

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

/** Parses a query into ANDed terms; throws QuerySyntaxError (a BadInputError) naming `field`. */
export function parseQuery(query: string, field = 'query'): QueryTerm[] {
  if (typeof query !== 'string') throw new BadInputError(field, 'expected a text query');
  if (query.length > MAX_QUERY_TEXT) throw new QuerySyntaxError(field, 1, `expected at most ${MAX_QUERY_TEXT} characters, got ${query.length}`);
  const s = query;
  const terms: QueryTerm[] = [];
  const fail = (index: number, reason: string): never => {
    throw new QuerySyntaxError(field, index + 1, reason);
  };
  let i = 0;
  while (i < s.length) {
    if (isSpace(s[i])) {
      i++;
      continue;
    }
    const start = i;
    let negated = false;
    if (s[i] === '-') {
      negated = true;
      i++;
    }
    const nameStart = i;
    while (i < s.length && isNameChar(s.charCodeAt(i))) i++;
    const written = s.slice(nameStart, i);
    if (written === '') {
      if (i >= s.length || isSpace(s[i])) fail(start, 'expected a term after "-" (e.g. -category:ad)');
      fail(i, `expected a qualifier such as category:video, found ${JSON.stringify(s[i])}`);
    }
    if (s[i] !== ':') {
      if (i >= s.length || isSpace(s[i])) {
        fail(nameStart, `${quoteText(written)} is not a term: expected qualifier:value (e.g. domain:${written.slice(0, 40)})`);
      }
      fail(i, `expected ":" after the qualifier ${quoteText(written)}, found ${JSON.stringify(s[i])}`);
    }
    const lower = written.toLowerCase();
    if (lower === 'block') {
      fail(nameStart, 'block: is not a search qualifier (the service returns nothing for block:true); use status:blocked (the node\'s "blocked" option)');
    }
    const qualifier = QUALIFIERS[lower] ? lower : ALIASES[lower];
    if (!qualifier) fail(nameStart, `unknown qualifier ${quoteText(written)} (expected one of ${KNOWN_LIST})`);
    const info = QUALIFIERS[qualifier!]!;
    i++; // ':'
    const values: QueryValue[] = [];
    for (;;) {
      if (i >= s.length || isSpace(s[i]) || s[i] === ',') {
        fail(i, `expected a value after "${s[i - 1]}"`);
      }
      const vStart = i;
      let text: string;
      let quoted = false;
      if (s[i] === '"') {
        quoted = true;
        i++;
        // Plain runs are sliced; a backslash takes the next character as it is.
        const parts: string[] = [];
        let from = i;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) {
            parts.push(s.slice(from, i));
            i++;
            from = i;
          }
          i++;
        }
        parts.push(s.slice(from, i));
        const out = parts.join('');
        if (i >= s.length) fail(vStart, 'unterminated quote: expected a closing "');
        i++; // closing quote
        if (i < s.length && !isSpace(s[i]) && s[i] !== ',') {
          fail(i, `expected a space or "," after the closing quote, found ${JSON.stringify(s[i])}`);
        }
        text = out;
      } else {
        while (i < s.length && !isSpace(s[i]) && s[i] !== ',') {
          if (s[i] === '"') fail(i, 'a quote may only start a value: quote the whole value (e.g. box.name:"Gold Plus")');
          i++;
        }
        text = s.slice(vStart, i);
      }
      values.push(typedValue(info, qualifier!, text, quoted, vStart, fail));
      if (s[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    terms.push({ qualifier: qualifier!, written, negated, values, column: start + 1, text: s.slice(start, i) });
  }
  return terms;
}

function typedValue(
  info: QualifierInfo,
  qualifier: string,
  text: string,
  quoted: boolean,
  at: number,
  fail: (index: number, reason: string) => never,
): QueryValue {
  const column = at + 1;
  if (info.type === 'text') {
    const wildcard = !quoted && text.includes('*');
    if (info.values && !wildcard && !info.values.includes(text)) {
      const hint = info.values.includes(text.toLowerCase()) ? ' (values are case-sensitive)' : '';
      fail(at, `${qualifier} must be one of ${info.values.join(', ')}, got ${quoteText(text)}${hint}`);
    }
    return { kind: 'text', text, quoted, wildcard, column };
  }
  if (quoted) fail(at, `${qualifier} takes a number, not a quoted value`);
  // Numeric forms: N, >N, >=N, <N, <=N, N-M; byte qualifiers take a unit after each number.
  let p = 0;
  let op: CompareOp | undefined;
  for (const o of ['>=', '<=', '>', '<'] as const) {
    if (text.startsWith(o)) {
      op = o;
      p = o.length;
      break;
    }
  }
  const readNumber = (): number => {
    const m = /^\d+(\.\d+)?/.exec(text.slice(p));
    if (!m) {
      const found = p < text.length ? JSON.stringify(text[p]) : 'the end of the value';
      fail(at + p, `${qualifier} expects ${describeNumber(info.type)}, found ${found}`);
    }
    p += m[0].length;
    let n = Number(m[0]);
    const u = /^[A-Za-z]+/.exec(text.slice(p));
    if (u) {
      if (info.type !== 'bytes') fail(at + p, `${qualifier} takes ${describeNumber(info.type)} without a unit, found ${quoteText(u[0])}`);
      const mult = UNITS[u[0].toUpperCase()];
      if (mult === undefined) fail(at + p, `unknown unit ${quoteText(u[0])} (expected B, KB, MB, GB or TB)`);
      n *= mult;
      p += u[0].length;
    }
    if (info.type === 'port' && (!Number.isInteger(n) || n > 65535)) {
      fail(at + p - m[0].length, `${qualifier} must be a port from 0 to 65535, got ${m[0].length > 40 ? `${m[0].slice(0, 37)}...` : m[0]}`);
    }
    return n;
  };
  const first = readNumber();
  if (op) {
    if (p < text.length) fail(at + p, `unexpected ${quoteText(text.slice(p))} after ${quoteText(text.slice(0, p))}`);
    return { kind: 'compare', op, value: first, column };
  }
  if (p === text.length) return { kind: 'number', value: first, column };
  if (text[p] !== '-') fail(at + p, `unexpected ${JSON.stringify(text[p])}: expected a range N-M or a comparison such as >${text.slice(0, Math.min(p, 40))}`);
  const dash = p;
  p++;
  const second = readNumber();
  if (p < text.length) fail(at + p, `unexpected ${quoteText(text.slice(p))} after the range`);
  if (second < first) fail(at + dash, `the range ${text.length > 60 ? `${text.slice(0, 57)}...` : text} ends before it starts`);
  return { kind: 'range', from: first, to: second, column };
}

function describeNumber(type: QualifierType): string {
  switch (type) {
    case 'time':
      return 'epoch seconds (e.g. ts:1700000000-1700003600)';
    case 'port':
      return 'a port number';
    default:
      return 'a byte count (e.g. total:>50MB)';
  }
}

/** Result form for the editor and admin endpoint: never throws. */
export type QueryCheck = { ok: true; terms: QueryTerm[] } | { ok: false; column: number; message: string };

export function checkQuery(query: string): QueryCheck {
  try {
    return { ok: true, terms: parseQuery(query) };
  } catch (err) {
    if (err instanceof QuerySyntaxError) return { ok: false, column: err.column, message: err.reason };
    return { ok: false, column: 1, message: err instanceof Error ? err.message : String(err) };
  }
}

/** True when a (parsed) query already restricts `ts`. */
export function hasTsTerm(terms: readonly QueryTerm[]): boolean {
  return terms.some((t) => t.qualifier === 'ts' && !t.negated);
}

/** `ts:<begin>-<end>` in whole epoch seconds. */
export function tsRangeTerm(beginSec: number, endSec: number): string {
  return `ts:${Math.floor(beginSec)}-${Math.floor(endSec)}`;
}

/** ANDs extra terms onto a query. */
export function andTerms(query: string, ...extra: string[]): string {
  return [query.trim(), ...extra].filter((t) => t !== '').join(' ');
}

/** True when the query (valid) asks for blocked flows: `status:blocked` not negated. */
export function asksForBlocked(terms: readonly QueryTerm[]): boolean {
  return terms.some((t) => t.qualifier === 'status' && !t.negated && t.values.some((v) => v.kind === 'text' && v.text === 'blocked'));
}

/** A value for a query term: plain when it can be, else quoted with `"` and `\` escaped. */
export function queryValue(text: string): string {
  return /^[^\s,":*\\]+$/.test(text) ? text : `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** Which boxes a flows request covers (docs/vendors/firewalla.md#boxes). */
export interface BoxScope {
  /** Box ids (gid): `box.id:a,b`. */
  ids?: readonly string[];
  /** Box names: `box.name:"Gold Plus",Lab`. */
  names?: readonly string[];
  /** A box group id: `box.group.id:3`. */
  groupId?: string;
}

/** The query terms that scope a flows request to one box or a group of boxes ('' for all boxes). */
export function boxScopeTerms(scope: BoxScope): string {
  const terms: string[] = [];
  const ids = (scope.ids ?? []).map((s) => s.trim()).filter(Boolean);
  const names = (scope.names ?? []).map((s) => s.trim()).filter(Boolean);
  if (ids.length) terms.push(`box.id:${ids.map(queryValue).join(',')}`);
  if (names.length) terms.push(`box.name:${names.map(queryValue).join(',')}`);
  if (scope.groupId?.trim()) terms.push(`box.group.id:${queryValue(scope.groupId.trim())}`);
  return terms.join(' ');
}
