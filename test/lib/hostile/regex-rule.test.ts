/**
 * The rule: no regular expression in `nodes/` (node code, editor code, the library) or in
 * `simulator/` may backtrack super-linearly. Every regex literal and `RegExp(...)` call is read
 * with the TypeScript parser and checked with recheck (offline: its native binary where the
 * platform has one, else its pure-JavaScript analysis, with the same answers),
 * which finds nested unbounded quantifiers (`(a+)+`, `(a|a)*`: exponential) and overlapping
 * adjacent ones (`\d+\.?\d*`, `0*\d+`: quadratic, the shape of issue 19 items 2 and 3). A
 * pattern built at run time cannot be checked and fails the rule too.
 */
import 'should';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { checkSync } from 'recheck';
import { regexpsInFile, regexpsInSource, type FoundRegExp } from '../../support/regex-scan';

const ROOT = join(__dirname, '..', '..', '..');

/**
 * Reviewed exceptions: file, pattern source, and why it cannot hurt. Only patterns whose input
 * is bounded by the code itself belong here; anything reading outside input gets fixed.
 */
const ALLOWED: ReadonlyArray<{ file: string; source: string; why: string }> = [
  {
    file: 'nodes/lib/anomaly/format.ts',
    source: '\\.?0+$',
    why: 'reads the output of toFixed() (at most ~120 characters)',
  },
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return /\.(ts|html)$/.test(name) ? [p] : [];
  });
}

/** What is wrong with one pattern, or undefined when it is linear. */
function problem(r: FoundRegExp): string | undefined {
  if (r.source === undefined) return 'built at run time, so it cannot be checked: write the pattern as a literal (or use a scanner)';
  if (r.flags === '?') return 'flags built at run time';
  const d = checkSync(r.source, r.flags, { timeout: 30_000, randomSeed: 19 });
  if (d.status === 'safe') return undefined;
  if (d.status === 'vulnerable') {
    return `backtracks (${d.complexity.type}${d.complexity.type === 'polynomial' ? `, degree ${d.complexity.degree}` : ''}) on input like ${d.attack.pattern.slice(0, 60)}`;
  }
  return `could not be shown linear (${d.error.kind})`;
}

describe('hostile input: the regular-expression rule', () => {
  it('finds regex literals and RegExp calls, not regex-like text in strings or comments (self-test)', () => {
    const code = [
      'const a = /(a+)+$/;',
      '// const notOne = /(x+)+/;',
      "const s = '/(y+)+/';",
      "const b = new RegExp('(a|a)*$', 'u');",
      'const c = RegExp(`^\\\\+?0*(\\\\d+)$`);',
      'const d = new RegExp(text);',
      'const e = x / 2 / y;',
    ].join('\n');
    const found = regexpsInSource('sample.ts', code);
    found.map((f) => [f.line, f.source, f.flags]).should.eql([
      [1, '(a+)+$', ''],
      [4, '(a|a)*$', 'u'],
      [5, '^\\+?0*(\\d+)$', ''],
      [6, undefined, ''],
    ]);
  });

  it('flags nested and overlapping quantifiers, passes linear patterns (self-test)', function () {
    this.timeout(60_000);
    const check = (source: string): string | undefined => problem({ file: 'x.ts', line: 1, source, flags: '', text: source });
    // Nested unbounded quantifiers and an alternation that matches the same text two ways.
    check('^(a+)+$')!.should.match(/exponential/);
    check('^(\\w*)*x$')!.should.match(/exponential/);
    check('^(a|a)*$')!.should.match(/exponential/);
    // Issue 19 items 2 and 3, as they were written.
    check('^\\s*[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?\\s*$')!.should.match(/polynomial/);
    check('^\\+?0*(\\d+)$')!.should.match(/polynomial/);
    check('^a[\\s\\S]*b[\\s\\S]*c[\\s\\S]*d$')!.should.match(/polynomial/);
    // Their replacements, and a repeated group whose iterations cannot overlap.
    (check('^\\s*[-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][-+]?\\d+)?\\s*$') === undefined).should.be.true();
    (check('^[A-Za-z_$][\\w$-]*(\\.[\\w$-]+)*$') === undefined).should.be.true();
    check(undefined as unknown as string)!.should.match(/built at run time/);
  });

  it('no regular expression in nodes/ or simulator/ backtracks super-linearly', function () {
    this.timeout(180_000);
    const found = [...sourceFiles(join(ROOT, 'nodes')), ...sourceFiles(join(ROOT, 'simulator'))].flatMap(regexpsInFile);
    found.length.should.be.above(50); // the scan sees the code (about 90 patterns today)
    const failures: string[] = [];
    for (const r of found) {
      const file = relative(ROOT, r.file);
      if (ALLOWED.some((a) => a.file === file && a.source === r.source)) continue;
      const p = problem(r);
      if (p !== undefined) failures.push(`${file}:${r.line}: ${r.text.slice(0, 80)}: ${p}`);
    }
    failures.should.eql([], `\n${failures.join('\n')}`);
  });
});
