/**
 * The reference evaluator: walks the AST for every record, parsing addresses with ip.ts and
 * comparing BigInts. Slow and obvious on purpose: the property test checks that the compiled
 * predicate always agrees with it.
 */
import { parseIp, type ParsedIp } from '../ip';
import { lookupProtocol } from '../protocols';
import type { CmpOp, Expr, Side } from './ast';
import { METRIC_FIELD } from './ast';
import { glob } from './glob';
import { bpsOf, getPath, toNumber, toText } from './values';

type Rec = Record<string, unknown>;

export function evaluate(expr: Expr, rec: Rec): boolean {
  switch (expr.type) {
    case 'any':
      return true;
    case 'and':
      return expr.items.every((e) => evaluate(e, rec));
    case 'or':
      return expr.items.some((e) => evaluate(e, rec));
    case 'not':
      return !evaluate(expr.expr, rec);
    case 'ip': {
      const hit = sides(expr.side).some((s) => {
        const ip = recordIp(getPath(rec, [s, 'ip']));
        return ip !== undefined && expr.ranges.some((r) => r.version === ip.version && ip.value >= r.first && ip.value <= r.last);
      });
      return expr.negate ? !hit : hit;
    }
    case 'port': {
      const hit = sides(expr.side).some((s) => {
        const p = toNumber(getPath(rec, [s, 'port']));
        return expr.ranges.some(([lo, hi]) => p >= lo && p <= hi);
      });
      return expr.negate ? !hit : hit;
    }
    case 'portCmp':
      return sides(expr.side).some((s) => compare(toNumber(getPath(rec, [s, 'port'])), expr.op, expr.value));
    case 'proto': {
      const n = recordProto(rec.protocol);
      const hit = expr.numbers.includes(n);
      return expr.negate ? !hit : hit;
    }
    case 'text': {
      const v = toText(rec[expr.field]);
      const hit = v !== undefined && expr.patterns.some((p) => glob(p, v.toLowerCase()));
      return expr.negate ? !hit : hit;
    }
    case 'endpointText': {
      const hit = sides(expr.side).some((s) => {
        const v = getPath(rec, [s, expr.field]);
        const values = Array.isArray(v) ? v : [v];
        return values.some((x) => {
          const t = toText(x);
          return t !== undefined && expr.patterns.some((p) => glob(p, t.toLowerCase()));
        });
      });
      return expr.negate ? !hit : hit;
    }
    case 'as': {
      const hit = sides(expr.side).some((s) => {
        const n = toNumber(getPath(rec, [s, 'as']));
        return expr.ranges.some(([lo, hi]) => n >= lo && n <= hi);
      });
      return expr.negate ? !hit : hit;
    }
    case 'blocked': {
      const hit = rec.blocked === expr.value || (expr.value === false && rec.blocked !== true);
      return expr.negate ? !hit : hit;
    }
    case 'metric': {
      const v = expr.metric === 'bps' ? bpsOf(rec) : toNumber(rec[METRIC_FIELD[expr.metric]]);
      return compare(v, expr.op, expr.value);
    }
    case 'path': {
      const raw = getPath(rec, expr.path);
      if (typeof expr.value === 'number') return compare(toNumber(raw), expr.op, expr.value);
      const text = toText(raw);
      if (expr.op === '=' || expr.op === '!=') {
        const hit = text !== undefined && glob(expr.value, text.toLowerCase());
        return expr.op === '=' ? hit : !hit;
      }
      return text !== undefined && compare(text.toLowerCase(), expr.op, expr.value);
    }
  }
}

function sides(side: Side): Array<'src' | 'dst'> {
  return side === 'any' ? ['src', 'dst'] : [side];
}

/**
 * Record addresses: IPv4 only as a canonical dotted quad (what normalize writes), IPv6 in any
 * form ip.ts accepts (IPv4-mapped IPv6 counts as the IPv4 address).
 */
function recordIp(x: unknown): ParsedIp | undefined {
  if (typeof x !== 'string') return undefined;
  const ip = parseIp(x);
  if (!ip) return undefined;
  if (!x.includes(':') && ip.text !== x) return undefined;
  return ip;
}

/** `protocol` is `{number, name}` in a NetworkFlow; a bare number or name is accepted too. */
function recordProto(p: unknown): number {
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

function compare<T extends number | string>(a: T, op: CmpOp, b: T): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return !(a === b);
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
  }
}
