/**
 * Finds the regular expressions in source files: regex literals, and `RegExp(...)` /
 * `new RegExp(...)` calls (whose pattern must be a string literal to be checked). Uses the
 * TypeScript parser, so patterns inside strings, comments and templates are not mistaken for
 * literals. HTML files are read through their `<script>` blocks (the editor code).
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';

export interface FoundRegExp {
  file: string;
  line: number;
  /** The pattern's source, or undefined when it is built at run time (cannot be checked). */
  source: string | undefined;
  flags: string;
  /** How it was written, for messages. */
  text: string;
}

export function regexpsInSource(file: string, code: string, lineOffset = 0): FoundRegExp[] {
  const sf = ts.createSourceFile(file, code, ts.ScriptTarget.Latest, true, file.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const out: FoundRegExp[] = [];
  const lineOf = (n: ts.Node): number => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1 + lineOffset;
  const visit = (n: ts.Node): void => {
    if (n.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      const text = n.getText(sf);
      const end = text.lastIndexOf('/');
      out.push({ file, line: lineOf(n), source: text.slice(1, end), flags: text.slice(end + 1), text });
    } else if ((ts.isNewExpression(n) || ts.isCallExpression(n)) && ts.isIdentifier(n.expression) && n.expression.text === 'RegExp') {
      const [pattern, flags] = n.arguments ?? [];
      const literal = (a: ts.Expression | undefined): string | undefined =>
        a && (ts.isStringLiteral(a) || ts.isNoSubstitutionTemplateLiteral(a)) ? a.text : undefined;
      out.push({
        file,
        line: lineOf(n),
        source: literal(pattern),
        flags: flags === undefined ? '' : (literal(flags) ?? '?'),
        text: n.getText(sf).slice(0, 120),
      });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** The regular expressions of a .ts/.js file, or of the `<script>` blocks of an .html file. */
export function regexpsInFile(file: string): FoundRegExp[] {
  const code = readFileSync(file, 'utf8');
  if (!file.endsWith('.html')) return regexpsInSource(file, code);
  const out: FoundRegExp[] = [];
  const open = /<script\b[^>]*>/gi;
  for (let m = open.exec(code); m; m = open.exec(code)) {
    const start = m.index + m[0].length;
    const end = code.indexOf('</script>', start);
    if (end < 0) break;
    if (/type="text\/(html|x-red)"/i.test(m[0])) continue; // templates and help, not code
    const line = code.slice(0, start).split('\n').length - 1;
    out.push(...regexpsInSource(file, code.slice(start, end), line));
  }
  return out;
}
