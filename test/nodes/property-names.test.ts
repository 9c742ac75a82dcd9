/**
 * No node type may use a property name the Node-RED editor reserves: `registerType` deletes such
 * a default with a console warning, so the field silently never saves (the anomaly node's `k`
 * was lost this way). The list is read from the editor's own source when it is installed.
 */
import 'should';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

const ROOT = path.resolve(__dirname, '../..');

/** Node-RED's `internalProperties`, from @node-red/editor-client; a documented fallback otherwise. */
function reservedNames(): { names: string[]; from: string } {
  const red = path.join(ROOT, 'node_modules/@node-red/editor-client/public/red/red.js');
  if (fs.existsSync(red)) {
    const m = /const internalProperties\s*=\s*(\[[^\]]*\])/.exec(fs.readFileSync(red, 'utf8'));
    if (m) return { names: JSON.parse(m[1]!.replace(/,\s*\]/, ']')) as string[], from: red };
  }
  const letters = Array.from({ length: 26 }, (_, i) => String.fromCharCode(97 + i));
  return {
    names: ['changed', 'dirty', 'id', 'inputLabels', 'moved', 'outputLabels', 'selected', 'type', 'users', 'valid',
      'validationErrors', 'wires', ...letters, '_', '_config', '_def', '_orig'],
    from: 'fallback list',
  };
}

interface Definition { defaults?: Record<string, unknown>; credentials?: Record<string, unknown> }

/** Runs a node's editor scripts against a stub `RED` and returns what it registers. */
function editorDefinitions(htmlFile: string): Map<string, Definition> {
  const html = fs.readFileSync(htmlFile, 'utf8');
  const found = new Map<string, Definition>();
  // Anything the script touches at load time (jQuery, RED.* helpers) answers with itself.
  const anything: unknown = new Proxy(function () {}, {
    get: (_t, p) => (p === Symbol.toPrimitive ? () => '' : anything),
    apply: () => anything,
    construct: () => anything as object,
  });
  const RED = new Proxy({}, {
    get: (_t, p) => (p === 'nodes'
      ? new Proxy({}, { get: (_n, q) => (q === 'registerType' ? (type: string, def: Definition) => found.set(type, def) : anything) })
      : anything),
  });
  // The shared editor helper (resources/editor.js): its `checked(type, defaults)` hands the defaults back.
  const helper: Record<string, unknown> = { checked: (_type: string, defaults: unknown) => defaults };
  const window = { NetworkFlowsEditor: new Proxy(helper, { get: (o, p) => (typeof p === 'string' && p in o ? o[p] : anything) }) };
  const scripts = html.match(/<script type="text\/javascript">[\s\S]*?<\/script>/g) ?? [];
  for (const s of scripts) {
    const code = s.replace(/^<script type="text\/javascript">/, '').replace(/<\/script>$/, '');
    vm.runInNewContext(code, { RED, $: anything, jQuery: anything, window, document: anything, console });
  }
  return found;
}

describe('node property names', () => {
  const { names, from } = reservedNames();
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
  const types = Object.entries(pkg['node-red'].nodes);

  it(`reads the reserved list (${path.basename(from)})`, () => {
    names.should.containDeep(['id', 'type', 'wires', 'a', 'k', 'z']);
  });

  for (const [type, js] of types) {
    it(`${type}: no editor default or credential uses a reserved name`, () => {
      const html = path.join(ROOT, 'nodes', `${path.basename(js, '.js')}.html`);
      const defs = editorDefinitions(html);
      defs.has(type).should.be.true(`${html} registers ${type}`);
      const def = defs.get(type)!;
      const props = [...Object.keys(def.defaults ?? {}), ...Object.keys(def.credentials ?? {})];
      props.length.should.be.above(0);
      props.filter((p) => names.includes(p)).should.eql([], `${type} uses reserved names`);
    });
  }
});
