/**
 * The Flow Library scorecard (`node-red-dev validate`) needs the internet; these are its checks,
 * run locally, plus what Node-RED itself needs to show help, icons and examples.
 */
import 'should';
import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_TYPES, NODE_TYPES, documentedNodeTypes, nodeKind } from '../support/node-types';

const root = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  name: string; license?: string; repository?: unknown; keywords?: string[]; engines?: { node?: string };
  dependencies?: Record<string, string>; 'node-red': { version?: string; nodes: Record<string, string> };
  main?: string; types?: string; files?: string[];
};
const examples = fs.readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.json'))
  .map((f) => ({ file: f, nodes: JSON.parse(fs.readFileSync(path.join(root, 'examples', f), 'utf8')) as Array<Record<string, unknown>> }));

describe('package (Flow Library scorecard checks)', () => {
  it('has the metadata the Flow Library requires', () => {
    pkg.name.should.match(/^(node-red-contrib-|@[^/]+\/)/);
    pkg.license!.should.be.a.String();
    (pkg.repository !== undefined).should.be.true();
    pkg.keywords!.should.containEql('node-red');
    pkg['node-red'].version!.should.equal('>=3.0.0');
    pkg.engines!.node!.should.equal('>=20.18.1');
    Object.keys(pkg.dependencies ?? {}).length.should.be.belowOrEqual(6);
  });

  it('ships the shared editor helper where Node-RED serves it (resources/ at the package root)', () => {
    const files = (pkg as unknown as { files: string[] }).files;
    files.should.containEql('resources');
    fs.existsSync(path.join(root, 'resources', 'editor.js')).should.be.true();
  });

  it('registers exactly the node types docs/design.md#node-types documents, each of the kind documented', () => {
    const documented = documentedNodeTypes();
    documented.size.should.be.above(0, 'no node-types table found in docs/design.md');
    [...NODE_TYPES].sort().should.eql([...documented.keys()].sort());
    for (const t of NODE_TYPES) {
      const kind = documented.get(t)!;
      // Kinds read from the editor files: config, endpoint (has a `server`) or function.
      if (kind === 'config' || kind === 'endpoint' || kind === 'source' || kind === 'function') nodeKind(t).should.equal(kind, t);
      else CONFIG_TYPES.includes(t).should.be.false(`${t} is a config node but documented as ${kind}`);
    }
  });

  for (const type of NODE_TYPES) {
    describe(type, () => {
      const js = path.join(root, pkg['node-red'].nodes[type] ?? '');
      const dir = path.dirname(js);
      it('is built, with its editor file, catalogue, help and icon beside it', () => {
        fs.existsSync(js).should.be.true(`${js} missing: run npm run build`);
        const html = fs.readFileSync(path.join(dir, `${type}.html`), 'utf8');
        const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html);
        (script !== null).should.be.true('a <script type="text/javascript"> block');
        script![1]!.should.match(new RegExp(`RED\\.nodes\\.registerType\\(\\s*['"]${type}['"]\\s*,\\s*\\{`));
        const catalogue = JSON.parse(fs.readFileSync(path.join(dir, 'locales', 'en-US', `${type}.json`), 'utf8')) as Record<string, unknown>;
        (catalogue[type] !== undefined).should.be.true(`catalogue keyed by "${type}"`);
        fs.readFileSync(path.join(dir, 'locales', 'en-US', `${type}.html`), 'utf8').should.containEql(`data-help-name="${type}"`);
        const icon = /icon\s*:\s*['"]([^'"]+)['"]/.exec(script![1]!);
        if (icon && !icon[1]!.includes('/')) fs.existsSync(path.join(dir, 'icons', icon[1]!)).should.be.true(`icon ${icon[1]} beside the node`);
      });
      if (!CONFIG_TYPES.includes(type)) {
        it('is used in an example flow', () => {
          examples.some((e) => e.nodes.some((n) => n.type === type)).should.be.true(`no example in examples/ uses ${type}`);
        });
      }
    });
  }

  it('ships example flows that are importable and hold no credentials', () => {
    examples.length.should.be.above(0);
    for (const { file, nodes } of examples) {
      nodes.should.be.an.Array();
      const ids = new Set(nodes.map((n) => n.id));
      ids.size.should.equal(nodes.length, `${file}: duplicate ids`);
      for (const n of nodes) {
        (typeof n.type === 'string').should.be.true(`${file}: node without a type`);
        (n.credentials === undefined).should.be.true(`${file}: ${String(n.id)} carries credentials`);
        for (const wire of ((n.wires as string[][] | undefined) ?? []).flat()) ids.has(wire).should.be.true(`${file}: wire to missing node ${wire}`);
        if (typeof n.server === 'string') ids.has(n.server).should.be.true(`${file}: server ${n.server} missing`);
      }
    }
  });

  it('"main" is the library without Node-RED: it loads after the build and exports the public API', () => {
    const main = path.join(root, pkg.main ?? 'missing');
    fs.existsSync(main).should.be.true(`${main} missing: run npm run build`);
    fs.existsSync(path.join(root, pkg.types ?? 'missing')).should.be.true(`types ${String(pkg.types)} missing`);
    const lib = require(main) as Record<string, unknown>;
    for (const name of [
      'normalize', 'Normalizer', 'recordsOf', 'toEcs', 'compileFilter', 'validateExpression', 'parseFilter',
      'AnomalyEngine', 'parseAnomalyOptions', 'AggregateEngine', 'parseAggregateOptions', 'Collector',
      'SdwanClient', 'FirewallaClient', 'FlowGatewayClient', 'FlowError', 'BadInputError', 'AuthError', 'ERROR_CODES',
    ]) (typeof lib[name]).should.not.equal('undefined', `main exports ${name}`);
    const compile = lib.compileFilter as (text: string) => (rec: unknown) => boolean;
    compile('')({}).should.be.true(); // an empty expression matches every record
  });

  it('ships source maps whose sources are inlined (the .ts files are not shipped)', () => {
    const maps: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.js.map')) maps.push(p);
      }
    };
    for (const shipped of pkg.files ?? []) if (fs.existsSync(path.join(root, shipped)) && fs.statSync(path.join(root, shipped)).isDirectory()) walk(path.join(root, shipped));
    maps.length.should.be.above(0, 'no source maps found: run npm run build');
    for (const file of maps) {
      const map = JSON.parse(fs.readFileSync(file, 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      map.sources.forEach((src, i) => {
        const inlined = typeof map.sourcesContent?.[i] === 'string';
        (inlined || fs.existsSync(path.resolve(path.dirname(file), src))).should.be.true(`${file}: source ${src} neither inlined nor shipped`);
      });
    }
  });
});
