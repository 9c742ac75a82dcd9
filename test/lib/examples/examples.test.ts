/**
 * Every example explains itself (issue: examples that teach): a tab with a real description, a
 * comment that says what it shows and how to adapt it, a Catch node wired to a debug node, no
 * placeholder that Markdown would swallow, one config node per simulator, and a debug status that
 * counts a joined array, not its last page.
 */
import 'should';
import fs from 'node:fs';
import path from 'node:path';

interface FlowNode { id: string; type: string; z?: string; info?: string; wires?: string[][]; [k: string]: unknown }

const DIR = path.join(__dirname, '..', '..', '..', 'examples');
const FILES = fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
const load = (f: string): FlowNode[] => JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8')) as FlowNode[];

/** Text Markdown would treat as HTML: a `<word` outside code spans (`<last>` would vanish). */
function swallowedPlaceholders(md: string): string[] {
  const outside = md.replace(/`[^`]*`/g, '');
  return outside.match(/<[A-Za-z/][^>\s]*>?/g) ?? [];
}

describe('examples/*.json explain themselves', () => {
  it('finds the examples', () => {
    FILES.length.should.be.above(5);
  });

  for (const file of FILES) {
    describe(file, () => {
      const nodes = load(file);
      const byId = new Map(nodes.map((n) => [n.id, n]));
      const tab = nodes.find((n) => n.type === 'tab');

      it('has one tab with a real description, and every flow node on it', () => {
        nodes.filter((n) => n.type === 'tab').length.should.equal(1);
        String(tab!.label).should.not.match(/\.json|^Example/i);
        const info = String(tab!.info ?? '');
        info.should.not.match(/^Example .*\.json$/);
        info.length.should.be.above(80, `${file}: tab description too short`);
        for (const n of nodes.filter((x) => 'x' in x && x.type !== 'tab')) String(n.z).should.equal(tab!.id, `${file}: ${n.id} not on the tab`);
      });

      it('has a comment that says what it shows and how to adapt it', () => {
        const comments = nodes.filter((n) => n.type === 'comment');
        comments.length.should.be.above(0, `${file}: no comment node`);
        const text = comments.map((c) => `${String(c.name)}\n${c.info ?? ''}`).join('\n');
        text.length.should.be.above(150);
        text.should.match(/adapt/i, `${file}: the comment does not say how to adapt it`);
      });

      it('has a Catch node wired to a debug node', () => {
        const catches = nodes.filter((n) => n.type === 'catch');
        catches.length.should.be.above(0, `${file}: no Catch node`);
        catches.some((c) => (c.wires ?? []).flat().some((id) => byId.get(id)?.type === 'debug')).should.be.true(`${file}: Catch not wired to a debug node`);
      });

      it('keeps placeholders such as <last> visible in every rendered info (code spans)', () => {
        for (const n of nodes) {
          for (const key of ['info', 'label', 'name'] as const) {
            if (key !== 'info' && n.type !== 'tab' && n.type !== 'comment') continue;
            const text = typeof n[key] === 'string' ? (n[key]) : '';
            swallowedPlaceholders(text).should.eql([], `${file}: ${n.id}.${key}`);
          }
        }
      });

      it('has one config node per server (no duplicates for the same simulator)', () => {
        const configs = nodes.filter((n) => /-config$/.test(n.type));
        const keys = configs.map((c) => `${c.type} ${String(c.host)}`);
        new Set(keys).size.should.equal(keys.length, `${file}: ${keys.join(', ')}`);
      });

      it('a debug node after a join shows the joined count, not the last page\'s', () => {
        for (const dbg of nodes.filter((n) => n.type === 'debug' && n.tostatus === true)) {
          const from = nodes.filter((n) => (n.wires ?? []).flat().includes(dbg.id));
          if (from.some((n) => n.type === 'join')) String(dbg.statusVal).should.not.equal('networkFlows.count', `${file}: ${dbg.id}`);
        }
      });
    });
  }

  it('the placeholder check fails on a bare placeholder (the check can fail)', () => {
    swallowedPlaceholders('adds ts:<last>-<now>').should.not.be.empty();
    swallowedPlaceholders('adds `ts:<last>-<now>`').should.be.empty();
  });
});
