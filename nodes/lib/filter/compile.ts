/**
 * Compiles a parsed filter into one plain JavaScript function, once, at deploy. The generated
 * code reads record fields directly, reads IPv4 addresses with ip.ts `ipv4Value` (no regex, no
 * objects), compares against integer ranges fixed at compile time (merged and searched by
 * bisection when a list is long) and only calls ip.ts `parseIp` for text containing ':'.
 *
 * Wildcards never become regular expressions (a backtracking `[\s\S]*` per star is exponential
 * in the number of stars); glob.ts matches them in one pass.
 *
 * Safety: no text from the expression is ever pasted into the generated source. Strings, sets,
 * split patterns and non-finite numbers are passed in as constants (`K[i]`); property names are
 * written with JSON.stringify; finite numbers with String().
 */
import { ipv4Value, parseIp } from '../ip';
import { lookupProtocol } from '../protocols';
import type { CmpOp, Expr, Side } from './ast';
import { METRIC_FIELD } from './ast';
import { globParts, matchGlobParts } from './glob';
import { blockIndex, firstOctet, firstOctetMask, inRanges4, inRanges4Indexed, inRanges6, mergeRanges } from './ranges';
import { bpsOf, getPath, toNumber, toText } from './values';

export type Record_ = Record<string, unknown>;
export type Predicate = (rec: Record_) => boolean;

/** Up to this many ranges are tested inline; longer lists are bisected. */
const INLINE_RANGES = 6;
/** Longer IPv4 lists than this get a /16 block index (256 KiB) in front of the bisection. */
const INDEXED_RANGES = 256;
/** Up to this many exact strings are compared inline; more go in a Set. */
const INLINE_STRINGS = 6;

/** Run-time helpers the generated code calls (passed in, never global). */
const HELPERS = {
  V4: ipv4Value,
  O1: firstOctet,
  PARSE: parseIp,
  IN4: inRanges4,
  IN4X: inRanges4Indexed,
  IN6: inRanges6,
  N: toNumber,
  T: toText,
  P: getPath,
  BPS: bpsOf,
  PROTO: protoNumber,
  GLOB: matchGlobParts,
};

/** `protocol` as a number: `{number, name}` (a NetworkFlow), or a bare number or name. */
function protoNumber(p: unknown): number {
  if (typeof p === 'object' && p !== null) {
    const o = p as Record<string, unknown>;
    const n = toNumber(o.number);
    if (n === n) return n;
    return typeof o.name === 'string' ? (lookupProtocol(o.name)?.number ?? NaN) : NaN;
  }
  if (typeof p === 'number') return p;
  if (typeof p === 'string') return lookupProtocol(p)?.number ?? NaN;
  return NaN;
}

export interface CompiledSource {
  predicate: Predicate;
  /** The generated source, for tests and debugging. */
  source: string;
}

export function compileExpr(expr: Expr): CompiledSource {
  const g = new Generator();
  const body = g.gen(expr);
  const source = [
    '"use strict";',
    'const {V4, O1, PARSE, IN4, IN4X, IN6, N, T, P, BPS, PROTO, GLOB} = H;',
    ...g.consts.map((_, i) => `const k${i} = K[${i}];`),
    ...g.fns,
    `return function filter(r) { return ${body}; };`,
  ].join('\n');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the point of the compiler; see the header
  const factory = new Function('H', 'K', source) as (h: typeof HELPERS, k: unknown[]) => Predicate;
  return { predicate: factory(HELPERS, g.consts), source };
}

class Generator {
  readonly consts: unknown[] = [];
  readonly fns: string[] = [];

  /** A constant passed in from outside the generated source. */
  k(v: unknown): string {
    this.consts.push(v);
    return `k${this.consts.length - 1}`;
  }

  /** A finite number as a literal, anything else as a constant. */
  num(n: number): string {
    return Number.isFinite(n) ? `(${String(n)})` : this.k(n);
  }

  /** Adds a helper function and returns its name. */
  fn(params: string, body: string[]): string {
    const name = `f${this.fns.length}`;
    this.fns.push(`function ${name}(${params}) {\n  ${body.join('\n  ')}\n}`);
    return name;
  }

  gen(e: Expr): string {
    switch (e.type) {
      case 'any':
        return 'true';
      case 'and':
        return `(${byCost(e.items).map((x) => this.gen(x)).join(' && ')})`;
      case 'or':
        return `(${byCost(e.items).map((x) => this.gen(x)).join(' || ')})`;
      case 'not':
        return `!${this.gen(e.expr)}`;
      case 'ip':
        return this.neg(e.negate, this.sides(e.side, this.ipFn(e.ranges)));
      case 'port':
        return this.neg(e.negate, this.sides(e.side, this.endpointNumberFn('port', (v) => this.numberInRanges(v, e.ranges))));
      case 'portCmp':
        return this.sides(e.side, this.endpointNumberFn('port', (v) => `${v} ${e.op} ${this.num(e.value)}`));
      case 'proto': {
        const test = this.numberInRanges('n', e.numbers.map((n) => [n, n] as [number, number]));
        const f = this.fn('o', [
          'let n = typeof o === "object" && o !== null ? o.number : undefined;',
          'if (typeof n !== "number" || n !== n) n = PROTO(o);',
          `return ${test};`,
        ]);
        return this.neg(e.negate, `${f}(r.protocol)`);
      }
      case 'text': {
        const f = this.fn('v', [
          'if (typeof v !== "string") { v = T(v); if (v === undefined) return false; }',
          'const l = v.toLowerCase();',
          `return ${this.patterns('l', e.patterns)};`,
        ]);
        return this.neg(e.negate, `${f}(r[${JSON.stringify(e.field)}])`);
      }
      case 'blocked':
        return this.neg(e.negate, `((r.blocked === true) === ${e.value ? 'true' : 'false'})`);
      case 'endpointText': {
        const match = this.fn('l', [`return ${this.patterns('l', e.patterns)};`]);
        const f = this.fn('e', [
          'if (typeof e !== "object" || e === null) return false;',
          `let v = e[${JSON.stringify(e.field)}];`,
          // tags: any one of them matches.
          `if (Array.isArray(v)) { for (let i = 0; i < v.length; i++) { const t = T(v[i]); if (t !== undefined && ${match}(t.toLowerCase())) return true; } return false; }`,
          'if (typeof v !== "string") { v = T(v); if (v === undefined) return false; }',
          `return ${match}(v.toLowerCase());`,
        ]);
        return this.neg(e.negate, this.sides(e.side, f));
      }
      case 'as':
        return this.neg(e.negate, this.sides(e.side, this.endpointNumberFn('as', (v) => this.numberInRanges(v, e.ranges))));
      case 'metric': {
        const read =
          e.metric === 'bps'
            ? 'const v = BPS(r);'
            : `let v = r[${JSON.stringify(METRIC_FIELD[e.metric])}]; if (typeof v !== "number") v = N(v);`;
        const f = this.fn('r', [read, `return ${this.cmp('v', e.op, this.num(e.value))};`]);
        return `${f}(r)`;
      }
      case 'path': {
        const path = this.k(e.path);
        if (typeof e.value === 'number') {
          const f = this.fn('r', ['const v = N(P(r, ' + path + '));', `return ${this.cmp('v', e.op, this.num(e.value))};`]);
          return `${f}(r)`;
        }
        if (e.op === '=' || e.op === '!=') {
          const f = this.fn('r', [
            `const v = T(P(r, ${path}));`,
            'if (v === undefined) return false;',
            'const l = v.toLowerCase();',
            `return ${this.patterns('l', [e.value])};`,
          ]);
          return this.neg(e.op === '!=', `${f}(r)`);
        }
        const f = this.fn('r', [
          `const v = T(P(r, ${path}));`,
          `return v !== undefined && v.toLowerCase() ${e.op} ${this.k(e.value)};`,
        ]);
        return `${f}(r)`;
      }
    }
  }

  private neg(negate: boolean, code: string): string {
    return negate ? `!${code}` : code;
  }

  /** `!=` is exactly "not =", so NaN (missing) matches `!=`. */
  private cmp(v: string, op: CmpOp, k: string): string {
    if (op === '=') return `${v} === ${k}`;
    if (op === '!=') return `!(${v} === ${k})`;
    return `${v} ${op} ${k}`;
  }

  /** Applies an endpoint test to `r.src`, `r.dst` or either. */
  private sides(side: Side, f: string): string {
    if (side === 'any') return `(${f}(r.src) || ${f}(r.dst))`;
    return `${f}(r.${side})`;
  }

  /** A function of an endpoint object testing one of its numeric fields. */
  private endpointNumberFn(field: string, test: (v: string) => string): string {
    return this.fn('e', [
      'if (typeof e !== "object" || e === null) return false;',
      `let v = e[${JSON.stringify(field)}]; if (typeof v !== "number") v = N(v);`,
      `return ${test('v')};`,
    ]);
  }

  /** Membership of a number in integer ranges: inline comparisons or bisection. */
  private numberInRanges(v: string, ranges: ReadonlyArray<readonly [number, number]>): string {
    const set = mergeRanges(ranges);
    if (set.starts.length === 0) return 'false';
    if (set.starts.length <= INLINE_RANGES) {
      return `(${set.starts
        .map((lo, i) => {
          const hi = set.ends[i]!;
          return lo === hi ? `${v} === ${this.num(lo)}` : `(${v} >= ${this.num(lo)} && ${v} <= ${this.num(hi)})`;
        })
        .join(' || ')})`;
    }
    const starts = Float64Array.from(set.starts);
    const ends = Float64Array.from(set.ends);
    // Only address sets (values above 65535) get the index; port sets bisect quickly enough.
    if (set.starts.length > INDEXED_RANGES && set.ends[set.ends.length - 1]! > 65535) {
      return `IN4X(${this.k(blockIndex(ends))}, ${this.k(starts)}, ${this.k(ends)}, ${v})`;
    }
    return `IN4(${this.k(starts)}, ${this.k(ends)}, ${v})`;
  }

  /** A function of an endpoint object: does its `ip` fall in the ranges? */
  private ipFn(ranges: ReadonlyArray<{ version: 4 | 6; first: number | bigint; last: number | bigint }>): string {
    const v4 = ranges.filter((r) => r.version === 4).map((r) => [r.first as number, r.last as number] as [number, number]);
    const v6 = mergeRanges(
      ranges.filter((r) => r.version === 6).map((r) => [r.first as bigint, r.last as bigint] as [bigint, bigint]),
    );
    let test6 = 'false';
    if (v6.starts.length > 0 && v6.starts.length <= INLINE_RANGES) {
      test6 = v6.starts.map((lo, i) => `(b >= ${this.k(lo)} && b <= ${this.k(v6.ends[i])})`).join(' || ');
    } else if (v6.starts.length > 0) {
      test6 = `IN6(${this.k(v6)}, b)`;
    }
    const merged4 = mergeRanges(v4);
    const mask = firstOctetMask(merged4.starts, merged4.ends);
    const prefilter = mask.includes(0) ? [`const o = O1(s); if (o >= 0 && ${this.k(mask)}[o] === 0) return false;`] : [];
    return this.fn('e', [
      'if (typeof e !== "object" || e === null) return false;',
      'const s = e.ip;',
      'if (typeof s !== "string") return false;',
      ...prefilter,
      'let v = V4(s);',
      'if (v < 0) {',
      // Only text with ':' is handed to the full parser: IPv6, or IPv4-mapped IPv6.
      '  if (s.indexOf(":") < 0) return false;',
      '  const p = PARSE(s);',
      '  if (p === undefined) return false;',
      `  if (p.version === 6) { const b = p.value; return ${test6}; }`,
      '  v = p.value;',
      '}',
      `return ${this.numberInRanges('v', v4)};`,
    ]);
  }

  /** Lowercase patterns with `*` wildcards against the lowercase text in `l`. */
  private patterns(l: string, patterns: readonly string[]): string {
    const exact = patterns.filter((p) => !p.includes('*'));
    const wild = patterns.filter((p) => p.includes('*'));
    const tests: string[] = [];
    if (exact.length > INLINE_STRINGS) tests.push(`${this.k(new Set(exact))}.has(${l})`);
    else for (const p of exact) tests.push(`${l} === ${this.k(p)}`);
    for (const p of wild) tests.push(this.wildcard(l, p));
    return tests.length ? `(${tests.join(' || ')})` : 'false';
  }

  private wildcard(l: string, p: string): string {
    const inner = p.slice(1, -1);
    if (/^\*+$/.test(p)) return 'true';
    if (p.indexOf('*') === p.length - 1) return `${l}.startsWith(${this.k(p.slice(0, -1))})`;
    if (p.lastIndexOf('*') === 0) return `${l}.endsWith(${this.k(p.slice(1))})`;
    if (p.startsWith('*') && p.endsWith('*') && !inner.includes('*')) return `${l}.includes(${this.k(inner)})`;
    return `GLOB(${this.k(globParts(p))}, ${l})`;
  }
}

/**
 * A rough cost of testing a term, so `and` / `or` test cheap terms first. Terms have no side
 * effects and never throw, so the order cannot change a result, only how soon it is known.
 */
function cost(e: Expr): number {
  switch (e.type) {
    case 'any':
      return 0;
    case 'blocked':
      return 1;
    case 'proto':
      return 2;
    case 'metric':
      return e.metric === 'bps' ? 4 : 2;
    case 'port':
    case 'portCmp':
      return e.side === 'any' ? 4 : 2;
    case 'text':
      return 4;
    case 'as':
      return e.side === 'any' ? 4 : 2;
    case 'endpointText':
      return e.side === 'any' ? 8 : 4;
    case 'path':
      return 5;
    case 'ip':
      return e.side === 'any' ? 20 : 10;
    case 'not':
      return cost(e.expr);
    case 'and':
    case 'or':
      return e.items.reduce((sum, x) => sum + cost(x), 0);
  }
}

/** Items sorted by cost; equal costs keep the order they were written in. */
function byCost(items: readonly Expr[]): Expr[] {
  return items
    .map((e, i) => ({ e, i, c: cost(e) }))
    .sort((a, b) => a.c - b.c || a.i - b.i)
    .map((x) => x.e);
}
