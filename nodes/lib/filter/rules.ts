/**
 * The filter dialog's rule builder, on the real grammar: a list of simple rules joined by one
 * `and` or `or` is written as expression text, and an expression of that shape is read back into
 * rules. Anything else (parentheses, `not` other than `not blocked`, mixed `and`/`or`, terms the
 * builder has no row for) is "too complex to show as rules" and stays text
 * (docs/filter-language.md#the-rule-builder).
 */
import { BadInputError } from '../errors';
import { TEXT_FIELDS, METRICS } from './ast';
import { FilterSyntaxError } from './errors';
import { tokenize, type Token } from './lexer';
import { parse } from './parser';

type RuleKind = 'addr' | 'port' | 'list' | 'text' | 'bool' | 'num' | 'path';

interface RuleField {
  field: string;
  kind: RuleKind;
  ops: readonly string[];
}

interface Rule {
  field: string;
  op: string;
  /** Values as typed, comma-separated for a list. */
  value: string;
  /** For `path` rules: the record path. */
  path?: string;
}

export interface RuleSet {
  join: 'and' | 'or';
  rules: Rule[];
}

type ReadBack = ({ ok: true } & RuleSet) | { ok: false; reason: 'invalid' | 'complex'; message: string };

const OPS: Record<RuleKind, readonly string[]> = {
  addr: ['=', '!=', 'in'],
  port: ['=', '!=', 'in', '>', '>=', '<', '<='],
  list: ['=', '!=', 'in'],
  text: ['=', '!=', 'in'],
  bool: ['='],
  num: ['>', '>=', '<', '<=', '=', '!='],
  path: ['=', '!=', '>', '>=', '<', '<='],
};

const addr = (field: string): RuleField => ({ field, kind: 'addr', ops: OPS.addr });
const port = (field: string): RuleField => ({ field, kind: 'port', ops: OPS.port });

/** The rows the builder offers, in the order it lists them. */
export const RULE_FIELDS: readonly RuleField[] = [
  addr('src ip'), addr('dst ip'), addr('ip'), addr('src net'), addr('dst net'), addr('net'),
  port('src port'), port('dst port'), port('port'),
  { field: 'proto', kind: 'list', ops: OPS.list },
  ...TEXT_FIELDS.map((f): RuleField => ({ field: f, kind: 'text', ops: OPS.text })),
  { field: 'blocked', kind: 'bool', ops: OPS.bool },
  ...METRICS.map((f): RuleField => ({ field: f, kind: 'num', ops: OPS.num })),
  { field: 'path', kind: 'path', ops: OPS.path },
];

const BY_FIELD = new Map(RULE_FIELDS.map((f) => [f.field, f]));
/** Longest text the builder reads or writes. */
const MAX_RULE_TEXT = 65_536;
const MAX_RULES = 200;

const WORD_BREAK = /[\s()[\],=!<>#"'&|]/;
const RESERVED = new Set(['and', 'or', 'not', 'in']);
const NUMBER_WITH_UNIT = /^-?(?:\d+(?:\.\d*)?|\.\d+)[a-zA-Z]*$/;

/** A value as one word, or quoted when it would not lex as one. */
function word(v: string): string {
  return v !== '' && !WORD_BREAK.test(v) && !RESERVED.has(v.toLowerCase()) ? v : JSON.stringify(v);
}

function list(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function isQuoted(v: string): boolean {
  if (v.length < 2 || !v.startsWith('"') || !v.endsWith('"')) return false;
  try {
    return typeof JSON.parse(v) === 'string';
  } catch {
    return false;
  }
}

/** One rule as expression text, or '' when it is incomplete. */
function ruleText(r: Rule): string {
  const def = BY_FIELD.get(r.field);
  if (!def) throw new BadInputError('rules', `no rule field ${JSON.stringify(String(r.field).slice(0, 40))}`);
  const value = String(r.value ?? '').trim();
  if (def.kind === 'bool') return /^(false|no|0)$/i.test(value) ? 'not blocked' : 'blocked';
  const field = def.kind === 'path' ? String(r.path ?? '').trim() : def.field;
  if (field === '' || value === '') return '';
  const op = def.ops.includes(r.op) ? r.op : def.ops[0]!;
  // A path value is a number (with a unit) or text; text read back from a string keeps its quotes.
  if (def.kind === 'path') return `${field} ${op} ${NUMBER_WITH_UNIT.test(value) || isQuoted(value) ? value : JSON.stringify(value)}`;
  if (def.kind === 'num') return `${field} ${op} ${value}`;
  if (op === 'in') return `${field} in [${list(value).map(word).join(', ')}]`;
  const vals = list(value).map(word).join(',');
  return op === '=' ? `${field} ${vals}` : `${field} ${op} ${vals}`;
}

/** The builder's rules as expression text; throws a FilterSyntaxError when the result does not parse. */
export function rulesToExpression(set: RuleSet): string {
  if (!Array.isArray(set.rules) || set.rules.length > MAX_RULES) throw new BadInputError('rules', `expected a list of at most ${MAX_RULES} rules`);
  const join = set.join === 'or' ? 'or' : 'and';
  const text = set.rules.map(ruleText).filter((t) => t !== '').join(` ${join} `);
  if (text.length > MAX_RULE_TEXT) throw new BadInputError('rules', `expected at most ${MAX_RULE_TEXT} characters of expression`);
  parse(text);
  return text;
}

const complex = (message: string): ReadBack => ({ ok: false, reason: 'complex', message });

/** Reads an expression back into rules when it is a flat list of terms the builder can show. */
export function expressionToRules(text: string): ReadBack {
  if (text.length > MAX_RULE_TEXT) return { ok: false, reason: 'invalid', message: `expected at most ${MAX_RULE_TEXT} characters` };
  try {
    parse(text);
  } catch (err) {
    if (err instanceof FilterSyntaxError) return { ok: false, reason: 'invalid', message: err.detail };
    throw err;
  }
  const tokens = tokenize(text).filter((t) => t.type !== 'eof');
  const segments: Token[][] = [[]];
  let join: 'and' | 'or' | undefined;
  let depth = 0;
  for (const t of tokens) {
    if (t.type === '(' || t.type === ')') return complex('parentheses');
    if (t.type === '[') depth++;
    if (t.type === ']') depth--;
    const kw = t.type === 'word' ? t.value.toLowerCase() : t.type === '&&' ? 'and' : t.type === '||' ? 'or' : '';
    if (depth === 0 && (kw === 'and' || kw === 'or')) {
      if (join !== undefined && join !== kw) return complex('both and and or');
      join = kw;
      segments.push([]);
      continue;
    }
    segments[segments.length - 1]!.push(t);
  }
  if (tokens.length === 0) return { ok: true, join: 'and', rules: [] };
  if (segments.length > MAX_RULES) return complex('too many terms');
  const rules: Rule[] = [];
  for (const seg of segments) {
    const rule = segmentRule(seg);
    if (!rule) return complex(seg.map((t) => t.text).join(' ').slice(0, 60));
    rules.push(rule);
  }
  return { ok: true, join: join ?? 'and', rules };
}

function segmentRule(seg: Token[]): Rule | undefined {
  const words = seg.map((t) => (t.type === 'word' ? t.value.toLowerCase() : ''));
  if (seg.length === 1 && words[0] === 'blocked') return { field: 'blocked', op: '=', value: 'true' };
  if (seg.length === 2 && (words[0] === 'not' || seg[0]!.type === '!') && words[1] === 'blocked') return { field: 'blocked', op: '=', value: 'false' };
  let i = 0;
  let field: string;
  let path: string | undefined;
  if (words[0] === 'src' || words[0] === 'dst') {
    const q = words[1] === 'host' ? 'ip' : words[1];
    if (q !== 'ip' && q !== 'net' && q !== 'port') return undefined;
    field = `${words[0]} ${q}`;
    i = 2;
  } else if (words[0] === 'host') {
    field = 'ip';
    i = 1;
  } else if (words[0] !== undefined && words[0] !== 'path' && words[0] !== 'blocked' && BY_FIELD.has(words[0])) {
    field = words[0];
    i = 1;
  } else if (seg[0]?.type === 'word' && seg[1]?.type === 'op') {
    field = 'path';
    path = seg[0].value;
    i = 1;
  } else return undefined;
  const def = BY_FIELD.get(field)!;
  let op = '=';
  if (seg[i]?.type === 'op') {
    op = seg[i]!.value === '==' ? '=' : seg[i]!.value;
    i++;
  }
  const values: string[] = [];
  /** Path values keep a string's quotes, so "2" stays text and 2 a number. */
  const valueOf = (t: Token): string => (def.kind === 'path' && t.type === 'string' ? JSON.stringify(t.value) : t.value);
  if (seg[i]?.type === 'word' && seg[i]!.value.toLowerCase() === 'in') {
    if (op !== '=' || seg[i + 1]?.type !== '[' || seg[seg.length - 1]?.type !== ']') return undefined;
    op = 'in';
    i += 2;
    const end = seg.length - 1;
    for (; i < end; i++) {
      const t = seg[i]!;
      if (t.type === ',') continue;
      if (t.type !== 'word' && t.type !== 'string') return undefined;
      values.push(valueOf(t));
    }
  } else {
    for (; i < seg.length; i++) {
      const t = seg[i]!;
      if (t.type === ',') continue;
      if (t.type !== 'word' && t.type !== 'string') return undefined;
      values.push(valueOf(t));
    }
  }
  if (values.length === 0 || !def.ops.includes(op)) return undefined;
  if ((def.kind === 'num' || def.kind === 'path') && values.length > 1) return undefined;
  return path === undefined ? { field, op, value: values.join(', ') } : { field, op, value: values[0]!, path };
}
