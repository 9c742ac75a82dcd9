/**
 * Every shipped language is complete: for each node type of package.json, each language folder
 * under locales/ has the catalogue (`<type>.json`, valid JSON, every en-US key with the same
 * interpolation placeholders, nothing left in English but brand names, codes and units) and the
 * help (`<type>.html`, the same help blocks, headings, message properties and links, no paragraph
 * left in English). The checks are those of `npm run i18n:missing` (scripts/i18n-missing.ts),
 * first shown to catch each kind of gap on made-up catalogues.
 */
import 'should';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LOCALES, REFERENCE, findProblems, flatten, helpOutline, languages, nodeTypes, placeholders } from '../../scripts/i18n-missing';

/** The languages the package promises (issue: Node-RED users who read these first). */
const SHIPPED = ['de', 'es-ES', 'fr', 'ja', 'zh-CN'];

/** Letters a text in the language must contain somewhere in its help. */
const SCRIPT: Record<string, RegExp> = {
  de: /[äöüß]/,
  fr: /[éèàç]/,
  'es-ES': /[ñáéíóú¿]/,
  ja: /[\u3040-\u30ff]/,
  'zh-CN': /[\u4e00-\u9fff]/,
};

describe('locales', () => {
  describe('the checker (on made-up texts)', () => {
    it('flattens catalogues to dotted keys', () => {
      [...flatten({ a: { b: 'x', c: { d: 'y' } } })].should.eql([['a.b', 'x'], ['a.c.d', 'y']]);
    });

    it('finds both placeholder styles, in order-independent form', () => {
      placeholders('__count__ of {{ total }} (__count__)').should.eql(['__count__', '__count__', '{{total}}']);
      placeholders('page __page__: __count__ flows').should.eql(placeholders('Seite __page__: __count__ Flows'));
      placeholders('__count__ flows').should.not.eql(placeholders('__anzahl__ Flows'));
    });

    it('outlines a help file: blocks, headings, properties, links', () => {
      const o = helpOutline('<script type="text/html" data-help-name="x"><p>One two three four.</p><h3>Inputs</h3>'
        + '<dl><dt>payload <span class="property-type">array</span></dt><dd>d</dd></dl><h4>More</h4><a href="https://a.example">a</a></script>');
      o.names.should.eql(['x']);
      o.headings.should.eql(['h3 h4']);
      o.properties.should.eql(['payload']);
      o.links.should.eql(['https://a.example']);
      o.paragraphs.should.containEql('One two three four.');
    });

    it('reports each kind of gap in a made-up language', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nf-locales-'));
      try {
        const write = (lang: string, file: string, text: string): void => {
          fs.mkdirSync(path.join(dir, lang), { recursive: true });
          fs.writeFileSync(path.join(dir, lang, file), text);
        };
        const help = (p: string, h: string, dt: string): string => `<script type="text/html" data-help-name="t"><p>${p}</p><h3>${h}</h3>`
          + `<dl><dt>${dt} <span>string</span></dt></dl></script>`;
        write(REFERENCE, 't.json', JSON.stringify({ t: { label: { a: 'Window size', b: '__count__ flows', c: 'TLS', d: 'Old text here' } } }));
        write(REFERENCE, 't.html', help('Counts flows per key and window.', 'Inputs', 'payload'));
        write('xx', 't.json', JSON.stringify({ t: { label: { a: 'Window size', b: '__anzahl__ Flüsse', c: 'TLS', e: 'extra' } } }));
        write('xx', 't.html', help('Counts flows per key and window.', 'Eingaben', 'nutzlast') + '<h4>x</h4>');
        write('yy', 't.json', '{ "t": ');
        const got = findProblems(['xx', 'yy', 'zz'], dir, ['t']).map((p) => `${p.file} ${p.where} ${p.kind}`);
        got.should.eql([
          'xx/t.json t.label.a english',
          'xx/t.json t.label.b placeholders',
          'xx/t.json t.label.d missing',
          'xx/t.json t.label.e stale',
          'xx/t.html headings help',
          'xx/t.html message properties help',
          'xx/t.html text english',
          'yy/t.json  bad-json',
          'yy/t.html  missing-file',
          'zz/t.json  missing-file',
          'zz/t.html  missing-file',
        ]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it(`ships ${SHIPPED.join(', ')} beside ${REFERENCE}`, () => {
    languages().should.containDeep(SHIPPED);
  });

  for (const lang of SHIPPED) {
    describe(lang, () => {
      for (const type of nodeTypes()) {
        it(`${type}: every key and help section of ${REFERENCE}, translated`, () => {
          const problems = findProblems([lang]).filter((p) => p.file.startsWith(`${lang}/${type}.`));
          problems.map((p) => `${p.file} ${p.where}: ${p.kind}: ${p.detail}`).should.eql([]);
        });
      }

      it('is written in the language (its letters appear in the help)', () => {
        for (const type of nodeTypes()) {
          const file = path.join(LOCALES, lang, `${type}.html`);
          if (!fs.existsSync(file)) continue;
          SCRIPT[lang]!.test(fs.readFileSync(file, 'utf8')).should.be.true(`${lang}/${type}.html has no ${SCRIPT[lang]} letters`);
        }
      });

      it('is UTF-8 JSON without a byte-order mark', () => {
        for (const type of nodeTypes()) {
          const file = path.join(LOCALES, lang, `${type}.json`);
          if (!fs.existsSync(file)) continue;
          const raw = fs.readFileSync(file);
          (raw[0] === 0xef && raw[1] === 0xbb).should.be.false(`${lang}/${type}.json starts with a BOM`);
          (() => JSON.parse(raw.toString('utf8'))).should.not.throw();
          Object.keys(JSON.parse(raw.toString('utf8')) as object).should.eql([type]);
        }
      });
    });
  }
});
