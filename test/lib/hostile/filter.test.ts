/**
 * Hostile input for the filter language: wildcards, numbers, long and deep expressions. Each
 * expression is compiled (as the node does for `expression` and `msg.filter`) and run on one
 * record; every call stays within the CPU budget and fails, if at all, with a coded error.
 */
import 'should';
import fc from 'fast-check';
import { compileFilter, referencePredicate, validateExpression } from '../../../nodes/lib/filter';
import { MAX_EXPRESSION_LENGTH } from '../../../nodes/lib/filter/parser';
import { glob, globParts, matchGlobParts } from '../../../nodes/lib/filter/glob';
import { MAX_NUMBER_TEXT, toNumber } from '../../../nodes/lib/filter/values';
import { BUDGET_MS, cpuMs, run, withinBudget } from './budget';

/** The expected meaning of a pattern, as the regular expression it used to be (small inputs only). */
function globByRegExp(pattern: string, text: string): boolean {
  const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  return new RegExp(`^${pattern.split('*').map(esc).join('[\\s\\S]*')}$`).test(text);
}

/** The expected meaning of record text as a number, as the pattern it used to be (short text only). */
function numberByRegExp(x: string): number {
  return /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(x) ? Number(x) : NaN;
}

describe('hostile input: filter', () => {
  describe('wildcards (issue 19 item 1)', () => {
    const app = 'a'.repeat(40);
    const nine = `app = ${'a*'.repeat(9)}b`; // never matches: no b

    it('nine wildcards against a 40-character app: the compiled expression stays within budget', () => {
      const predicate = compileFilter(nine);
      const out = withinBudget('compiled', () => predicate({ app }));
      out.ok.should.be.true();
      (out.ok && out.value).should.be.false();
    });

    it('the same as msg.filter (field "filter") and through the reference evaluator', () => {
      const asMsg = compileFilter(nine, 'filter');
      withinBudget('msg.filter', () => asMsg({ app })).should.have.property('value', false);
      const ref = referencePredicate(nine);
      withinBudget('reference', () => ref({ app })).should.have.property('value', false);
    });

    it('hundreds of wildcards against a 1 MB value, on a record path too', () => {
      const big = run('a', 1 << 20, '');
      for (const expr of [`app = ${'*a'.repeat(300)}*b`, `raw.name = "${'*ab'.repeat(300)}*"`, `app = *${'a'.repeat(2000)}b*a*`]) {
        const p = compileFilter(expr);
        withinBudget(expr.slice(0, 30), () => p({ app: big, raw: { name: big } })).should.have.property('value', false);
      }
    });

    it('matches exactly what the old regular expression matched (property, small inputs)', () => {
      const alpha = fc.constantFrom('a', 'b', 'A', '*', '.', '\n', 'é', '[');
      const str = (n: number): fc.Arbitrary<string> => fc.array(alpha, { maxLength: n }).map((xs) => xs.join(''));
      fc.assert(
        fc.property(str(8), str(12), (pattern, text) => {
          glob(pattern, text).should.equal(globByRegExp(pattern, text));
          matchGlobParts(globParts(pattern), text).should.equal(globByRegExp(pattern, text));
          // Through the language: patterns are lowercased, as is the record's text.
          if (!/[\s"'\\()[\],=!<>#&|]/.test(pattern) && pattern !== '' && !/^(and|or|not|in)$/i.test(pattern)) {
            const want = globByRegExp(pattern.toLowerCase(), text.toLowerCase());
            compileFilter(`app = "${pattern}"`)({ app: text }).should.equal(want);
          }
        }),
        { numRuns: 2000 },
      );
    });
  });

  describe('numbers in records (issue 19 item 2)', () => {
    it('bytes > 1M against 40,000 digits and an x stays within budget and does not match', () => {
      const p = compileFilter('bytes > 1M');
      withinBudget('bytes', () => p({ bytes: run('1', 40_000) })).should.have.property('value', false);
    });

    it('1 MB of digits or spaces in a record is read within budget', () => {
      const path = compileFilter('raw.n > 5');
      withinBudget('path', () => path({ raw: { n: run('1', 1 << 20) } })).should.have.property('value', false);
      withinBudget('spaces', () => toNumber(run(' ', 1 << 20))).should.have.property('value', NaN);
    });

    it('reads short text exactly as the old pattern did (property)', () => {
      const ch = fc.constantFrom('0', '1', '9', '.', 'e', 'E', '-', '+', ' ', '\t', 'x', '\u00a0');
      fc.assert(
        fc.property(fc.array(ch, { maxLength: 14 }).map((xs) => xs.join('')), (s) => {
          Object.is(toNumber(s), numberByRegExp(s)).should.be.true();
        }),
        { numRuns: 3000 },
      );
    });

    it('text longer than MAX_NUMBER_TEXT is not a number; up to it, it is', () => {
      toNumber('1'.padStart(MAX_NUMBER_TEXT, '0')).should.equal(1);
      toNumber('1'.padStart(MAX_NUMBER_TEXT + 1, '0')).should.be.NaN();
    });

    it('non-finite and huge numbers compare without throwing', () => {
      const p = compileFilter('bytes > 1M or packets < 5 or bps > 1G or duration >= 1h or raw.x = 3');
      for (const v of [NaN, Infinity, -Infinity, 1e308, -0, 2 ** 64, Number.MAX_VALUE, '1e308', '1e999', '-0', String(2 ** 64)]) {
        withinBudget(String(v), () => p({ bytes: v, packets: v, durationMs: v, rateKbps: v, raw: { x: v } }));
      }
    });
  });

  describe('expressions', () => {
    /** Compiling is done once per expression; running once per record: both within budget. */
    function hostileExpression(text: string): void {
      const compiled = withinBudget(`compile ${JSON.stringify(text.slice(0, 30))}`, () => compileFilter(text, 'filter'));
      withinBudget('validate', () => validateExpression(text));
      if (compiled.ok) withinBudget('run', () => compiled.value({ app: text, bytes: text, src: { ip: text, port: text } }));
      else (compiled.error as { code: string }).code.should.equal('BAD_INPUT');
    }

    it('an expression over MAX_EXPRESSION_LENGTH is refused before it is read', () => {
      const out = withinBudget('too long', () => compileFilter(`app = ${run('a', 1 << 20)}`, 'filter'));
      out.ok.should.be.false();
      (!out.ok && (out.error as Error).message).should.match(/^filter: column 1: expected at most 262144 characters, found 1048583$/);
      validateExpression(run('(', MAX_EXPRESSION_LENGTH, '')).ok.should.be.false();
    });

    it('long words, strings, comments and lists up to MAX_EXPRESSION_LENGTH', () => {
      const max = MAX_EXPRESSION_LENGTH - 16;
      for (const text of [
        run('a', max, ''),
        `app = ${run('a', max, '')}`,
        `app = "${run('a', max, '')}`, // unterminated string
        `app = "${run('\\"', max / 2, '"')}`,
        run('# comment ', max / 10, ''),
        `bytes > ${run('1', max)}`,
        `bytes > ${run('9', max, 'M')}`,
        `port ${run('1', max, '')}`,
        `ip ${run('1.', max / 2, '')}`,
        `ip ${run(':', max, '')}`,
        `raw.${run('a.', max / 2, '')} = 1`,
        `src port in [${Array.from({ length: 20_000 }, (_, i) => i % 65536).join(',')}]`,
        run('(', max, ''),
        run('not ', max / 4, 'any'),
        run('! ', max / 2, 'any'),
        run('any and ', 10_000, 'any'),
        run('&', max, ''),
        run('|', max, ''),
      ]) {
        hostileExpression(text);
      }
    });

    it('random hostile expressions (property)', () => {
      const piece = fc.constantFrom('app', '=', '*', 'a', '(', ')', 'not', 'and', 'or', '"', '\\', '[', ']', ',', 'in', 'bytes', '>', '1', '.', 'e', 'raw.x', 'src', 'ip', '::', '/', '#', '\n', ' ');
      fc.assert(
        fc.property(fc.array(piece, { maxLength: 60 }), fc.integer({ min: 1, max: 1000 }), (pieces, times) => {
          hostileExpression(pieces.join(' ').repeat(times));
        }),
        { numRuns: 60 },
      );
    });
  });

  it('the budget helper measures CPU work (self-test: a busy call is caught)', () => {
    const busy = (): void => {
      const start = process.cpuUsage();
      while (process.cpuUsage(start).user < (BUDGET_MS + 5) * 1000);
    };
    cpuMs(busy).ms.should.be.above(BUDGET_MS);
    (() => withinBudget('busy', busy)).should.throw(/took/);
    (() => withinBudget('uncoded', () => JSON.parse('{'))).should.throw(/uncoded SyntaxError/);
  });
});
