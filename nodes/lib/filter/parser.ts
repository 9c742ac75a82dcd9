/**
 * Recursive-descent parser for filter expressions (grammar in docs/filter-language.md#grammar):
 *
 *   expr    := or
 *   or      := and (("or" | "||") and)*
 *   and     := not (("and" | "&&") not)*
 *   not     := ("not" | "!") not | primary
 *   primary := "(" or ")" | term
 *
 * so `not` binds tighter than `and`, and `and` tighter than `or` (nfdump's precedence). Every
 * error names the column, what was expected, the token it came after and what was found.
 */
import { parseCidr, type CidrRange } from '../ip';
import { DIRECTIONS } from '../network-flow';
import { lookupProtocol } from '../protocols';
import type { CmpOp, EndpointTextField, Expr, Metric, OrderOp, Side, TextField } from './ast';
import { ENDPOINT_TEXT_TERMS, METRICS, TEXT_FIELDS } from './ast';
import { FilterSyntaxError } from './errors';
import { describe, TokenStream, type Token } from './lexer';
import { parseDuration, parseRate, parseSize } from './values';

const RESERVED = new Set(['and', 'or', 'not']);
/** A record path: identifier segments joined by dots (later segments may be array indexes). */
const PATH = /^[A-Za-z_$][\w$-]*(\.[\w$-]+)*$/;

export const EXPECT = {
  term: 'a filter term',
  andOrEnd: '"and", "or" or end of expression',
  andOrParen: '"and", "or" or ")"',
  qualified: '"ip", "net", "port", "host", "country", "as", "asorg", "name", "site", "tag" or "hostname"',
  as: 'an AS number or range (such as 15169 or 64512-65534)',
  ip: 'an IP address or CIDR',
  net: 'a network in CIDR notation (such as 10.0.0.0/8)',
  port: 'a port number or range',
  proto: 'a protocol name or number',
  text: 'a value',
  direction: 'inbound, outbound, internal, external or unknown',
  bool: 'true or false',
  size: 'a number with an optional unit (K, M, G, T, KiB, MiB, GiB, TiB)',
  rate: 'a rate in bits per second (such as 10M or 10Mbps)',
  duration: 'a duration (such as 500ms, 30s, 5m or 1h)',
  operator: 'a comparison operator (=, ==, !=, >, >=, <, <=)',
  listSep: '"," or "]"',
  openList: '"["',
} as const;

/**
 * Longer expressions are refused before they are read, so one `msg.filter` cannot hold the
 * event loop. A list of 10,000 CIDRs is about 160,000 characters and fits.
 */
export const MAX_EXPRESSION_LENGTH = 256 * 1024;

/** Parentheses deeper than this are refused (the parser, compiler and evaluator recurse). */
export const MAX_DEPTH = 64;

type Item<T> = (t: Token) => T | undefined;

export function parse(text: string, field = 'expression'): Expr {
  return new Parser(text, field).parseAll();
}

class Parser {
  private readonly toks: TokenStream;
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly field: string,
  ) {
    if (typeof text !== 'string') {
      throw new FilterSyntaxError('', 0, `expected the expression as text, found ${typeof text}`, field);
    }
    if (text.length > MAX_EXPRESSION_LENGTH) {
      throw new FilterSyntaxError('', 0, `expected at most ${MAX_EXPRESSION_LENGTH} characters, found ${text.length}`, field);
    }
    this.toks = new TokenStream(text, field);
  }

  parseAll(): Expr {
    if (this.peek().type === 'eof') return { type: 'any' };
    const e = this.parseOr();
    if (this.peek().type !== 'eof') this.fail(EXPECT.andOrEnd);
    return e;
  }

  // ---- token helpers -------------------------------------------------------------------------

  private peek(): Token {
    return this.toks.at(this.pos);
  }

  private next(): Token {
    const t = this.toks.at(this.pos);
    if (t.type !== 'eof') this.pos++;
    return t;
  }

  private isWord(t: Token, ...words: string[]): boolean {
    return t.type === 'word' && words.includes(t.value.toLowerCase());
  }

  /** Throws: expected X after <the previous token>, found <the current token>. */
  private fail(expected: string): never {
    const t = this.peek();
    const prev = this.pos > 0 ? this.toks.at(this.pos - 1) : undefined;
    const after = prev ? ` after ${describe(prev)}` : '';
    throw new FilterSyntaxError(this.text, t.start, `expected ${expected}${after}, found ${describe(t)}`, this.field);
  }

  // ---- boolean structure ---------------------------------------------------------------------

  private parseOr(): Expr {
    const items = [this.parseAnd()];
    while (this.peek().type === '||' || this.isWord(this.peek(), 'or')) {
      this.next();
      items.push(this.parseAnd());
    }
    return items.length === 1 ? items[0]! : { type: 'or', items };
  }

  private parseAnd(): Expr {
    const items = [this.parseNot()];
    while (this.peek().type === '&&' || this.isWord(this.peek(), 'and')) {
      this.next();
      items.push(this.parseNot());
    }
    return items.length === 1 ? items[0]! : { type: 'and', items };
  }

  private parseNot(): Expr {
    // A run of nots is read in a loop and folded (not not x = x), so no input can nest deeply;
    // it is as long as parentheses may nest, so a hostile run is refused before it costs time.
    let nots = 0;
    for (let t = this.peek(); t.type === '!' || this.isWord(t, 'not'); t = this.peek()) {
      if (nots >= MAX_DEPTH) this.fail(EXPECT.term + ` ("not" and "!" repeat at most ${MAX_DEPTH} times in a row)`);
      this.next();
      nots++;
    }
    const e = this.parsePrimary();
    return nots % 2 === 1 ? { type: 'not', expr: e } : e;
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    if (t.type === '(') {
      if (this.depth >= MAX_DEPTH) this.fail(EXPECT.term + ` (parentheses nest at most ${MAX_DEPTH} deep)`);
      this.next();
      this.depth++;
      const e = this.parseOr();
      this.depth--;
      if (this.peek().type !== ')') this.fail(EXPECT.andOrParen);
      this.next();
      return e;
    }
    if (t.type !== 'word') this.fail(EXPECT.term);
    return this.parseTerm(t);
  }

  // ---- terms ---------------------------------------------------------------------------------

  private parseTerm(t: Token): Expr {
    const kw = t.value.toLowerCase();
    switch (kw) {
      case 'src':
      case 'dst': {
        this.next();
        const q = this.peek();
        if (this.isWord(q, 'ip', 'host')) return this.next(), this.parseAddress(kw, 'ip');
        if (this.isWord(q, 'net')) return this.next(), this.parseAddress(kw, 'net');
        if (this.isWord(q, 'port')) return this.next(), this.parsePort(kw);
        if (this.isWord(q, 'as')) return this.next(), this.parseAs(kw);
        const field = q.type === 'word' ? endpointTextField(q.value) : undefined;
        if (field) return this.next(), this.parseEndpointText(kw, field);
        return this.fail(EXPECT.qualified);
      }
      case 'ip':
      case 'host':
        this.next();
        return this.parseAddress('any', 'ip');
      case 'net':
        this.next();
        return this.parseAddress('any', 'net');
      case 'port':
        this.next();
        return this.parsePort('any');
      case 'proto':
        this.next();
        return this.parseProto();
      case 'blocked':
        this.next();
        return this.parseBlocked();
      case 'any':
        this.next();
        return { type: 'any' };
      case 'as':
        this.next();
        return this.parseAs('any');
      default:
    }
    const endpointField = endpointTextField(kw);
    if (endpointField) {
      this.next();
      return this.parseEndpointText('any', endpointField);
    }
    if ((TEXT_FIELDS as readonly string[]).includes(kw)) {
      this.next();
      return this.parseText(kw as TextField);
    }
    if ((METRICS as readonly string[]).includes(kw)) {
      this.next();
      return this.parseMetric(kw as Metric);
    }
    if (!RESERVED.has(kw) && kw !== 'in' && PATH.test(t.value)) {
      // Any other identifier is a record path, which needs an operator: `observer = x`,
      // `raw.vpathclass = "2"`. A bare unknown word is more likely a misspelt keyword.
      const dotted = t.value.includes('.');
      if (!dotted && this.toks.at(this.pos + 1).type !== 'op') this.fail(EXPECT.term);
      this.next();
      return this.parsePath(t.value.split('.'));
    }
    return this.fail(EXPECT.term);
  }

  /**
   * `= v`, `== v`, `!= v`, `v`, `v,w,...`, `in [v, w, ...]` (also after `=` or `!=`). The
   * caller has already taken any ordering operator it supports.
   */
  private parseValues<T>(expected: string, item: Item<T>): { negate: boolean; items: T[] } {
    let negate = false;
    const t = this.peek();
    if (t.type === 'op') {
      if (t.value === '!=') negate = true;
      else if (t.value !== '=' && t.value !== '==') this.fail(expected);
      this.next();
    }
    const items: T[] = [];
    if (this.isWord(this.peek(), 'in')) {
      this.next();
      if (this.peek().type !== '[') this.fail(EXPECT.openList);
      this.next();
      for (;;) {
        items.push(this.parseItem(expected, item));
        const sep = this.peek();
        if (sep.type === ']') {
          this.next();
          break;
        }
        if (sep.type !== ',') this.fail(EXPECT.listSep);
        this.next();
      }
      return { negate, items };
    }
    items.push(this.parseItem(expected, item));
    while (this.peek().type === ',') {
      this.next();
      items.push(this.parseItem(expected, item));
    }
    return { negate, items };
  }

  private parseItem<T>(expected: string, item: Item<T>): T {
    const t = this.peek();
    const v = t.type === 'word' || t.type === 'string' ? item(t) : undefined;
    if (v === undefined) this.fail(expected);
    this.next();
    return v;
  }

  private parseAddress(side: Side, kind: 'ip' | 'net'): Expr {
    const { negate, items } = this.parseValues<CidrRange>(kind === 'ip' ? EXPECT.ip : EXPECT.net, (t) =>
      parseCidr(t.value),
    );
    return { type: 'ip', side, negate, ranges: items };
  }

  private parsePort(side: Side): Expr {
    const t = this.peek();
    if (t.type === 'op' && t.value !== '=' && t.value !== '==' && t.value !== '!=') {
      this.next();
      const v = this.parseItem(EXPECT.port, (w) => (w.type === 'word' ? portNumber(w.value) : undefined));
      return { type: 'portCmp', side, op: t.value as OrderOp, value: v };
    }
    const { negate, items } = this.parseValues<[number, number]>(EXPECT.port, (w) => {
      if (w.type !== 'word') return undefined;
      const dash = w.value.indexOf('-', 1);
      if (dash < 0) {
        const p = portNumber(w.value);
        return p === undefined ? undefined : [p, p];
      }
      const lo = portNumber(w.value.slice(0, dash));
      const hi = portNumber(w.value.slice(dash + 1));
      return lo === undefined || hi === undefined || lo > hi ? undefined : [lo, hi];
    });
    return { type: 'port', side, negate, ranges: items };
  }

  private parseProto(): Expr {
    const { negate, items } = this.parseValues<number>(EXPECT.proto, (t) => lookupProtocol(t.value)?.number);
    return { type: 'proto', negate, numbers: items };
  }

  private parseText(field: TextField): Expr {
    const expected = field === 'direction' ? EXPECT.direction : EXPECT.text;
    const { negate, items } = this.parseValues<string>(expected, (t) => {
      if (t.type === 'word' && RESERVED.has(t.value.toLowerCase())) return undefined;
      const v = t.value.toLowerCase();
      if (field === 'direction' && !v.includes('*') && !(DIRECTIONS as readonly string[]).includes(v)) return undefined;
      return v;
    });
    return { type: 'text', field, negate, patterns: items };
  }

  private parseEndpointText(side: Side, field: EndpointTextField): Expr {
    const { negate, items } = this.parseValues<string>(EXPECT.text, (t) =>
      t.type === 'word' && RESERVED.has(t.value.toLowerCase()) ? undefined : t.value.toLowerCase(),
    );
    return { type: 'endpointText', side, field, negate, patterns: items };
  }

  private parseAs(side: Side): Expr {
    const { negate, items } = this.parseValues<[number, number]>(EXPECT.as, (w) => {
      if (w.type !== 'word') return undefined;
      const dash = w.value.indexOf('-', 1);
      const lo = asNumber(dash < 0 ? w.value : w.value.slice(0, dash));
      const hi = dash < 0 ? lo : asNumber(w.value.slice(dash + 1));
      return lo === undefined || hi === undefined || lo > hi ? undefined : [lo, hi];
    });
    return { type: 'as', side, negate, ranges: items };
  }

  private parseBlocked(): Expr {
    const t = this.peek();
    if (t.type !== 'op') return { type: 'blocked', value: true, negate: false };
    if (t.value !== '=' && t.value !== '==' && t.value !== '!=') this.fail('"=", "!=", "and", "or" or end of expression');
    this.next();
    const value = this.parseItem(EXPECT.bool, (w) => {
      const v = w.type === 'word' ? w.value.toLowerCase() : '';
      return v === 'true' ? true : v === 'false' ? false : undefined;
    });
    return { type: 'blocked', value, negate: t.value === '!=' };
  }

  private parseMetric(metric: Metric): Expr {
    let op: CmpOp = '=';
    const t = this.peek();
    if (t.type === 'op') {
      op = (t.value === '==' ? '=' : t.value) as CmpOp;
      this.next();
    }
    const [expected, unit] =
      metric === 'duration'
        ? [EXPECT.duration, parseDuration]
        : metric === 'bps'
          ? [EXPECT.rate, parseRate]
          : [EXPECT.size, parseSize];
    const value = this.parseItem(expected, (w) => (w.type === 'word' ? unit(w.value) : undefined));
    return { type: 'metric', metric, op, value };
  }

  private parsePath(path: string[]): Expr {
    const t = this.peek();
    if (t.type !== 'op') this.fail(EXPECT.operator);
    this.next();
    const op = (t.value === '==' ? '=' : t.value) as CmpOp;
    const value = this.parseItem<number | string>(EXPECT.text, (w) => {
      if (w.type === 'string') return w.value.toLowerCase();
      if (RESERVED.has(w.value.toLowerCase())) return undefined;
      return parseSize(w.value) ?? w.value.toLowerCase();
    });
    return { type: 'path', path, op, value };
  }
}

function endpointTextField(word: string): EndpointTextField | undefined {
  const key = word.toLowerCase();
  return Object.prototype.hasOwnProperty.call(ENDPOINT_TEXT_TERMS, key) ? ENDPOINT_TEXT_TERMS[key] : undefined;
}

/** `15169` or `AS15169`: 0 to 4294967295. */
function asNumber(s: string): number | undefined {
  const digits = /^(as)?\d{1,10}$/i.test(s) ? s.replace(/^as/i, '') : undefined;
  const n = digits === undefined ? NaN : Number(digits);
  return n <= 0xffffffff ? n : undefined;
}

function portNumber(s: string): number | undefined {
  if (!/^\d{1,5}$/.test(s)) return undefined;
  const n = Number(s);
  return n <= 65535 ? n : undefined;
}
