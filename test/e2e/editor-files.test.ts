/**
 * The editor files hold no copy of a runtime rule (docs/design.md#editor-checks): every check is
 * the runtime's, asked through the shared helper. "A copy of a rule" is read as:
 * - a `validate:` of a dialog's own (the helper's `checked()` adds the runtime's check);
 * - a regular expression that also appears in nodes/lib (an address, path or date pattern);
 * - a limit: a number literal in a comparison, or `min` / `max` on an input;
 * - a second way to the admin API besides the helper's one cache (`$.ajax` / `$.post` in a dialog).
 * Every editor file loads the helper.
 */
import 'should';
import fs from 'node:fs';
import path from 'node:path';
import { NODE_TYPES, ROOT, editorFile } from '../support/node-types';

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** Regular-expression literals of a script (a `/` after an operator or bracket, up to its closing `/`). */
function regexLiterals(code: string): string[] {
  const out: string[] = [];
  const re = /(?:^|[=(,:!&|?;{}[\s])\/((?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\\n[*])(?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\\n[])*)\/[dgimsuy]*/g;
  for (const m of code.matchAll(re)) out.push(m[1]!);
  return out;
}

function scriptsOf(html: string): string {
  return [...html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)].map((m) => m[1]!).join('\n');
}

const HELPER = path.join(ROOT, 'resources', 'editor.js');
const libSources = walk(path.join(ROOT, 'nodes', 'lib')).filter((f) => f.endsWith('.ts')).map((f) => fs.readFileSync(f, 'utf8'));
/** Patterns of the runtime worth a rule: longer than a trivial split such as /\s+/. */
const libRegexes = new Set(libSources.flatMap(regexLiterals).filter((r) => r.length >= 8));

describe('editor files (no copy of a runtime rule)', () => {
  it('finds the runtime\'s regular expressions to compare with', () => {
    libRegexes.size.should.be.above(10);
  });

  const files = [...NODE_TYPES.map((t) => ({ name: path.relative(ROOT, editorFile(t)), text: fs.readFileSync(editorFile(t), 'utf8') })),
    { name: 'resources/editor.js', text: fs.readFileSync(HELPER, 'utf8') }];

  for (const { name, text } of files) {
    describe(name, () => {
      const code = name.endsWith('.js') ? text : scriptsOf(text);

      if (name.endsWith('.html')) {
        it('loads the shared helper and defines no check of its own', () => {
          text.should.containEql('<script src="resources/node-red-contrib-network-flows/editor.js"></script>');
          code.should.not.match(/\bvalidate\s*:/);
          code.should.match(/E\.checked\(T,/);
        });
        it('asks the admin API only through the helper', () => {
          code.should.not.match(/\$\.(ajax|post|get|getJSON)\(|\bfetch\(/);
        });
        it('shows no text of its own: every text comes from the catalogue (data-i18n)', () => {
          const templates = [...text.matchAll(/<script type="text\/html"[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]!).join('\n');
          const words = templates.replace(/<style>[\s\S]*?<\/style>/g, '').replace(/<[^>]*>/g, ' ').replace(/&nbsp;/g, ' ').match(/[A-Za-z]{2,}/g) ?? [];
          words.should.eql([]);
          // Labels of the palette and the node come from the catalogue too.
          code.should.not.match(/paletteLabel\s*:\s*['"]/);
        });
        it('puts no limit on an input', () => {
          text.should.not.match(/<input[^>]*\s(min|max|maxlength|pattern)="/);
        });
      }

      it('has no regular expression of the runtime', () => {
        regexLiterals(code).filter((r) => libRegexes.has(r)).should.eql([]);
      });

      it('compares no value with a number literal (a limit)', () => {
        // The text of an <option> (a choice the user sees) is not a comparison.
        const js = code.replace(/>[^<>'"]*<\/option>/g, '></option>');
        const found = [...js.matchAll(/(?:[<>]=?|===?|!==?)\s*-?\d[\d_.]*(?:e\d+)?\b|\b\d[\d_.]*\s*(?:[<>]=?)(?!=)/g)]
          .map((m) => m[0])
          // 0, 1 and 2 are positions and counts (a node's one or two outputs), not limits.
          .filter((m) => !/^(?:[<>]=?|===?|!==?)\s*[012]$/.test(m.trim()) && !/^[012]\s*[<>]=?$/.test(m.trim()));
        found.should.eql([]);
      });
    });
  }
});
