import 'should';
import fs from 'node:fs';
import path from 'node:path';
import { compileFilter, validateExpression } from '../../../nodes/lib/filter';

const root = path.join(__dirname, '..', '..', '..');
const unescape = (s: string): string => s.replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&amp;/g, '&').replace(/&quot;/g, '"');

describe('lib/filter documentation and example flow', () => {
  it('the ten worked examples in the help are valid expressions', () => {
    const help = fs.readFileSync(path.join(root, 'locales/en-US/network-flow-filter.html'), 'utf8');
    const section = help.slice(help.indexOf('<h4>Examples</h4>'));
    const examples = [...section.matchAll(/<li><code>(.*?)<\/code>:/g)].map((m) => unescape(m[1]!));
    examples.length.should.equal(10);
    for (const e of examples) validateExpression(e).should.eql({ ok: true }, e);
  });

  it('the example flow filters its own sample records as its debug names say', () => {
    const flow = JSON.parse(fs.readFileSync(path.join(root, 'examples/filter-basic.json'), 'utf8')) as Array<Record<string, unknown>>;
    const filter = flow.find((n) => n.type === 'network-flow-filter')!;
    const inject = flow.find((n) => n.type === 'inject')!;
    const recs = JSON.parse(inject.payload as string) as Array<{ app: string }>;
    const pred = compileFilter(filter.expression as string);
    recs.filter((r) => pred(r)).map((r) => r.app).should.eql(['HTTPS', 'SSH', 'HTTPS']);
    (filter.wires as string[][]).length.should.equal(2);
    // Matches and the rest, plus the Catch node's error debug.
    flow.filter((n) => n.type === 'debug').length.should.equal(3);
  });
});
