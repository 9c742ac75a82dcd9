/**
 * docs/filter-language.md teaches by example: every expression in a `filter` block (one per
 * line) or `filter-block` block (the whole block) must be valid, and every pair in a
 * `filter-error` block (an expression, then its message) must fail with exactly that message.
 */
import 'should';
import fs from 'node:fs';
import path from 'node:path';
import { compileFilter, validateExpression } from '../../nodes/lib/filter';
import { METRICS, TEXT_FIELDS } from '../../nodes/lib/filter/ast';

const page = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'filter-language.md'), 'utf8');

/** The bodies of the fenced blocks of a language. */
function blocks(lang: string): string[] {
  return [...page.matchAll(new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```$', 'gm'))].map((m) => m[1]!);
}

describe('docs/filter-language.md examples', () => {
  it('every example expression is valid and compiles', () => {
    const lines = blocks('filter').flatMap((b) => b.split('\n')).filter((l) => l.trim() !== '');
    const whole = blocks('filter-block');
    lines.length.should.be.above(40);
    whole.length.should.be.above(0);
    for (const e of [...lines, ...whole]) {
      validateExpression(e).should.eql({ ok: true }, e);
      compileFilter(e).should.be.a.Function();
    }
  });

  it('every error example gives exactly the message shown', () => {
    const pairs = blocks('filter-error').flatMap((b) => b.trim().split(/\n\s*\n/)).map((p) => p.split('\n'));
    pairs.length.should.be.above(10);
    for (const [expression, message] of pairs) {
      const r = validateExpression(expression!);
      r.ok.should.be.false(expression);
      if (!r.ok) r.message.should.equal(message, expression);
    }
  });

  it('the grammar lists every keyword the parser accepts as a term', () => {
    const grammar = blocks('ebnf')[0]!;
    const fixed = ['or', '||', 'and', '&&', 'not', '!', 'ip', 'host', 'net', 'port', 'proto', 'blocked', 'any', 'src', 'dst', 'in'];
    for (const kw of [...fixed, ...TEXT_FIELDS, ...METRICS]) grammar.should.containEql(`"${kw}"`);
  });
});
