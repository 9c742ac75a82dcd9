/**
 * Node-RED finds a node's editor file, help, message catalogue and icons relative to the
 * registered .js file (@node-red/registry localfilesystem.js), so the build puts them beside
 * dist/nodes/*.js: nodes/*.html, locales/ and icons/. The shared editor helper stays in the
 * package's top-level resources/ folder, where Node-RED (1.3 and later) serves it at
 * /resources/<package>/ (package.json `files` ships it); the build checks it is there.
 */
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const out = path.join(root, 'dist', 'nodes');

function copyDir(from: string, to: string): number {
  let n = 0;
  if (!fs.existsSync(from)) return n;
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) n += copyDir(src, dst);
    else {
      fs.copyFileSync(src, dst);
      n++;
    }
  }
  return n;
}

fs.mkdirSync(out, { recursive: true });
let copied = 0;
for (const f of fs.readdirSync(path.join(root, 'nodes'))) {
  if (f.endsWith('.html')) {
    fs.copyFileSync(path.join(root, 'nodes', f), path.join(out, f));
    copied++;
  }
}
copied += copyDir(path.join(root, 'locales'), path.join(out, 'locales'));
copied += copyDir(path.join(root, 'icons'), path.join(out, 'icons'));
const helper = path.join(root, 'resources', 'editor.js');
if (!fs.existsSync(helper)) throw new Error(`copy-assets: ${path.relative(root, helper)} is missing: every editor file loads it`);
console.log(`copy-assets: ${copied} editor, help, catalogue and icon files beside dist/nodes`);
