/**
 * The filter language of `network-flow-filter` (docs/filter-language.md): parse once,
 * compile once into a plain predicate, run it per record.
 */
import type { NetworkFlow } from '../network-flow';
import type { Expr } from './ast';
import { compileExpr } from './compile';
import { FilterSyntaxError } from './errors';
import { parse } from './parser';
import { evaluate } from './reference';

export type { Expr } from './ast';
export { FilterSyntaxError } from './errors';
export { parse as parseFilter } from './parser';

export type FilterRecord = NetworkFlow | Record<string, unknown>;
export type FilterPredicate = (rec: FilterRecord) => boolean;

const EMPTY: Record<string, unknown> = Object.freeze({});

/**
 * Parses and compiles an expression. Throws a `FilterSyntaxError` (code BAD_INPUT, with
 * `column`) when the text is not a valid expression. An empty expression (or only comments)
 * matches every record, as in nfdump. `field` names the property in error messages.
 */
export function compileFilter(text: string, field = 'expression'): FilterPredicate {
  const { predicate } = compileExpr(parse(text, field));
  // Anything that is not an object is tested as an empty record, so the predicate never throws.
  return (rec) => predicate(typeof rec === 'object' && rec !== null ? (rec as Record<string, unknown>) : EMPTY);
}

/** The straightforward evaluator (AST walk per record): the compiled predicate's yardstick. */
export function referencePredicate(text: string): FilterPredicate {
  const expr: Expr = parse(text);
  return (rec) => evaluate(expr, typeof rec === 'object' && rec !== null ? (rec as Record<string, unknown>) : EMPTY);
}

export type ValidationResult = { ok: true } | { ok: false; line: number; column: number; message: string };

/** For the editor: is this a valid expression, and if not, where and why. Never throws. */
export function validateExpression(text: unknown): ValidationResult {
  if (typeof text !== 'string') return { ok: false, line: 1, column: 1, message: 'column 1: expected the expression as text' };
  try {
    parse(text);
    return { ok: true };
  } catch (err) {
    if (err instanceof FilterSyntaxError) return { ok: false, line: err.line, column: err.column, message: err.detail };
    throw err;
  }
}
