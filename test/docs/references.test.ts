/**
 * Every reference resolves: `docs/<page>.md#<anchor>` citations anywhere in the repository,
 * relative links in Markdown pages, and nothing cites a document that lives outside the
 * repository or a path on one machine. The checker is first shown to catch known-dead references.
 */
import 'should';
import fs from 'node:fs';
import path from 'node:path';
import { ReferenceChecker, anchorsOf, docReferences, formatProblems, githubSlug, markdownLinks, repositoryFiles } from '../support/doc-references';

const root = path.resolve(__dirname, '..', '..');
/** Dead references below are written in parts, so that this file itself holds none. */
const D = 'docs';

describe('docs references', () => {
  describe('the checker (on fixtures)', () => {
    const checker = new ReferenceChecker(root);

    it('turns headings into GitHub anchors', () => {
      githubSlug('The NetworkFlow record').should.equal('the-networkflow-record');
      githubSlug('`msg.request` overrides').should.equal('msgrequest-overrides');
      githubSlug('0002. Filter expressions compile to one predicate').should.equal('0002-filter-expressions-compile-to-one-predicate');
      githubSlug('Errors with columns (see [design](design.md))').should.equal('errors-with-columns-see-design');
      githubSlug('Number() and the cached array index').should.equal('number-and-the-cached-array-index');
    });

    it('numbers repeated headings and ignores headings inside code blocks', () => {
      const anchors = anchorsOf('# A\n## Sources\n```md\n## Not a heading\n```\n## Sources\n<a name="custom"></a>\n');
      [...anchors].sort().should.eql(['a', 'custom', 'sources', 'sources-1']);
    });

    it('finds doc citations in code, but not paths that merely end in docs/', () => {
      const refs = docReferences([
        '// see docs/design.md#error-codes and docs/filter-language.md.',
        '// https://github.com/o/r/blob/HEAD/docs/index.md and node_modules/x/docs/a.md',
        ' * docs/vendors/firewalla.md#query-language',
      ].join('\n'));
      refs.should.eql([
        { reference: 'docs/design.md#error-codes', line: 1 },
        { reference: 'docs/filter-language.md', line: 1 },
        { reference: 'docs/vendors/firewalla.md#query-language', line: 3 },
      ]);
    });

    it('reports a missing page, a missing anchor, and accepts a live one', () => {
      const text = [
        '/** docs/design.md#error-codes */',
        `/** ${D}/no-such-page.md */`,
        `/** ${D}/design.md#no-such-heading */`,
      ].join('\n');
      const problems = checker.check('nodes/lib/example.ts', text);
      problems.map((p) => [p.line, p.reference]).should.eql([
        [2, `${D}/no-such-page.md`],
        [3, `${D}/design.md#no-such-heading`],
      ]);
      problems[0]!.why.should.match(/does not exist/);
      problems[1]!.why.should.match(/no heading with the anchor #no-such-heading/);
    });

    it('reports dead relative links in Markdown, and ignores URLs and code', () => {
      const md = [
        '[ok](performance.md#filter) [self](#the-filter-language) [web](https://example.com/x.md)',
        '[dead page](nope.md) [dead anchor](design.md#nope) `[in code](nope2.md)`',
        '```',
        '[in a block](nope3.md)',
        '```',
        '[up and out](../../outside.md)',
      ].join('\n');
      markdownLinks(md).map((l) => l.target).should.eql(['performance.md#filter', '#the-filter-language', 'nope.md', 'design.md#nope', '../../outside.md']);
      const problems = checker.check('docs/filter-language.md', md);
      problems.map((p) => p.reference).should.eql(['nope.md', 'design.md#nope', '../../outside.md']);
    });

    it('reports citations of outside documents and machine paths', () => {
      const outside = 'DESIGN' + '.md';
      const notes = 'API-' + 'NOTES.md';
      const machine = ['', 'work', 'shared', 'seeds'].join('/');
      const text = [`// (${outside}, "Filter expressions")`, `// ${notes} section 2`, `// copied from ${machine}`, '// os.tmpdir() and tmp/ are fine'].join('\n');
      const problems = checker.check('nodes/lib/example.ts', text);
      problems.map((p) => p.line).should.eql([1, 2, 3]);
      problems[2]!.why.should.match(/machine/);
    });
  });

  describe('the repository', () => {
    const files = repositoryFiles(root);
    const checker = new ReferenceChecker(root);

    it('scans the code, tests, docs, README and CONTRIBUTING', () => {
      for (const f of ['README.md', 'CONTRIBUTING.md', 'docs/README.md', 'docs/design.md', 'nodes/lib/errors.ts', 'test/docs/references.test.ts']) {
        files.should.containEql(f);
      }
      files.some((f) => f.startsWith('node_modules/') || f.startsWith('dist/')).should.be.false();
    });

    it('has every docs/ page listed in docs/README.md', () => {
      const pages = repositoryFiles(path.join(root, 'docs')).filter((f) => f.endsWith('.md') && f !== 'README.md');
      const index = fs.readFileSync(path.join(root, 'docs', 'README.md'), 'utf8');
      const linked = new Set(markdownLinks(index).map((l) => l.target.split('#')[0]));
      pages.filter((p) => !linked.has(p)).should.eql([], 'pages missing from docs/README.md');
    });

    it('has no dead reference, no citation of an outside document, no machine path', () => {
      const problems = files.flatMap((f) => checker.check(f, fs.readFileSync(path.join(root, f), 'utf8')));
      problems.length.should.equal(0, `\n${formatProblems(problems)}`);
    });
  });
});
