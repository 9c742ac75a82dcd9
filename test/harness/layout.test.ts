/**
 * The layout stays livable: no file under nodes/lib/ is over MAX_LINES lines (a unit that long
 * mixes concerns; split it along its seams, as CONTRIBUTING.md's layout table shows).
 */
import 'should';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const LIB = path.join(ROOT, 'nodes', 'lib');
const MAX_LINES = 450;

/** Lines as `wc -l` counts them, plus a last line without a line break. */
function lineCount(text: string): number {
  if (text === '') return 0;
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return text.endsWith('\n') ? n : n + 1;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(ts|js|mjs|cjs)$/.test(entry.name)) out.push(full);
  }
  return out;
}

describe('layout', () => {
  it('counts lines as wc -l does', () => {
    lineCount('').should.equal(0);
    lineCount('a').should.equal(1);
    lineCount('a\n').should.equal(1);
    lineCount('a\nb').should.equal(2);
    lineCount('a\n\n').should.equal(2);
  });

  it(`no file under nodes/lib/ is over ${MAX_LINES} lines`, () => {
    const files = sourceFiles(LIB);
    // The walk must see the library, or the check below passes on nothing.
    files.map((f) => path.relative(ROOT, f).split(path.sep).join('/')).should.containEql('nodes/lib/anomaly/engine.ts');
    const long = files
      .map((f) => ({ file: path.relative(ROOT, f).split(path.sep).join('/'), lines: lineCount(fs.readFileSync(f, 'utf8')) }))
      .filter((f) => f.lines > MAX_LINES)
      .map((f) => `${f.file}: ${f.lines} lines`);
    long.should.eql([], `over ${MAX_LINES} lines (split along the seams):\n  ${long.join('\n  ')}`);
  });
});
