/**
 * Which Node-RED the tests run against. By default the one in node_modules (the 4.1 line). With
 * NF_NODE_RED_DIR set to another node-red package directory (`npm run test:nr5` sets it to the
 * 5.x install in .cache/nr5), every `node-red` and `@node-red/*` module the tests, the test
 * helper and the e2e demo ask for resolves from there instead, so the same test files run on
 * that line without touching the project's node_modules. Loaded by .mocharc.json before any test.
 */
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';

const dir = process.env.NF_NODE_RED_DIR;

if (dir) {
  const nodeRedDir = path.resolve(dir);
  const pkgFile = path.join(nodeRedDir, 'package.json');
  if (!fs.existsSync(pkgFile)) throw new Error(`NF_NODE_RED_DIR=${dir}: no node-red package there (${pkgFile} missing)`);
  const version = (JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { version: string }).version;
  // A parent module inside that node-red package: its resolution paths find its own dependencies.
  const parent = { id: pkgFile, filename: pkgFile, paths: (Module as unknown as { _nodeModulePaths(p: string): string[] })._nodeModulePaths(nodeRedDir) };
  const internal = Module as unknown as { _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string };
  const resolve = internal._resolveFilename;
  internal._resolveFilename = function (request, from, isMain, options) {
    const fromFile = (from as { filename?: string } | undefined)?.filename ?? '';
    const isNodeRed = request === 'node-red' || request.startsWith('node-red/') || request.startsWith('@node-red/');
    // Modules inside the chosen tree already resolve to it; everyone else is redirected.
    if (isNodeRed && !fromFile.startsWith(path.dirname(nodeRedDir) + path.sep)) return resolve.call(this, request, parent, isMain, options);
    return resolve.call(this, request, from, isMain, options);
  };
  process.stderr.write(`Testing on Node-RED ${version} from ${nodeRedDir}, Node ${process.version}\n`);
}
