/**
 * `npm run test:nr5`: the whole suite (or the mocha arguments given) on the Node-RED 5 line, on
 * Node 22 (Node-RED 5 needs Node >= 22.9), without touching the project's node_modules.
 *
 * Node-RED 5 and a Node 22 binary (npm's `node-<platform>-<arch>` package: a plain binary, no
 * install script) are installed once into .cache/nr5 (gitignored) and reused while they match.
 * The tests then run on that binary with NF_NODE_RED_DIR pointing at that Node-RED
 * (test/support/node-red.ts); the e2e tests start its red.js the same way.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './demo';

const PREFIX = path.join(ROOT, '.cache', 'nr5');
const NODE_RED_RANGE = '^5.0.7';
const NODE_MAJOR = 22;
const NODE_RANGE = `^${NODE_MAJOR}.9.0`;
const NODE_PACKAGE = `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;

const nodeRedDir = path.join(PREFIX, 'node_modules', 'node-red');
const nodeBinary = path.join(PREFIX, 'node_modules', NODE_PACKAGE, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');

function installedMajor(pkgDir: string): number | undefined {
  try {
    return Number((JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version.split('.')[0]);
  } catch {
    return undefined;
  }
}

function ensureInstalled(): void {
  if (installedMajor(nodeRedDir) === 5 && installedMajor(path.dirname(path.dirname(nodeBinary))) === NODE_MAJOR && fs.existsSync(nodeBinary)) return;
  console.error(`Installing node-red@${NODE_RED_RANGE} and ${NODE_PACKAGE}@${NODE_RANGE} into ${path.relative(ROOT, PREFIX)} (once)...`);
  fs.mkdirSync(PREFIX, { recursive: true });
  fs.writeFileSync(path.join(PREFIX, 'package.json'), `${JSON.stringify({
    name: 'network-flows-nr5-line', private: true,
    description: 'Written by scripts/test-nr5.ts: the Node-RED 5 line the suite also runs on.',
    dependencies: { 'node-red': NODE_RED_RANGE, [NODE_PACKAGE]: NODE_RANGE },
  }, null, 2)}\n`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const res = spawnSync(npm, ['install', '--prefix', PREFIX, '--no-audit', '--no-fund', '--loglevel=error', '--engine-strict=false'], { cwd: PREFIX, stdio: 'inherit' });
  if (res.status !== 0) throw new Error(`npm install into ${PREFIX} failed (exit ${res.status ?? res.signal})`);
}

function main(): void {
  ensureInstalled();
  const args = process.argv.slice(2);
  const mocha = require.resolve('mocha/bin/mocha.js', { paths: [ROOT] });
  const child = spawn(nodeBinary, [mocha, ...(args.length > 0 ? args : ['test/**/*.test.ts'])], {
    cwd: ROOT,
    stdio: 'inherit',
    env: {
      ...process.env,
      NF_NODE_RED_DIR: nodeRedDir,
      // Anything that starts `node` by name gets Node 22 too.
      PATH: `${path.dirname(nodeBinary)}${path.delimiter}${process.env.PATH ?? ''}`,
    },
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

try {
  main();
} catch (err) {
  console.error(`test:nr5: ${(err as Error).message}`);
  process.exit(1);
}
