/**
 * The package's node types, read from `package.json` (`node-red.nodes`), the one list Node-RED
 * itself loads, so no test repeats it. Each type's kind is read from its editor file: a config
 * node registers `category: 'config'`, an endpoint node has a `server` property pointing at a
 * config node, a listener (a `port` property, no config node) receives records itself (source),
 * anything else works on messages (function).
 */
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');

export type NodeKind = 'config' | 'endpoint' | 'source' | 'function';

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };

/** Every registered node type, in package.json order. */
export const NODE_TYPES: readonly string[] = Object.keys(pkg['node-red'].nodes);

/** The editor file of a type in the source tree (`dist/nodes/x.js` is built from `nodes/x.ts` beside `nodes/x.html`). */
export function editorFile(type: string): string {
  const js = pkg['node-red'].nodes[type];
  if (js === undefined) throw new Error(`${type} is not registered in package.json`);
  return path.join(ROOT, 'nodes', `${path.basename(js, '.js')}.html`);
}

export function nodeKind(type: string): NodeKind {
  const html = fs.readFileSync(editorFile(type), 'utf8');
  if (/category\s*:\s*['"]config['"]/.test(html)) return 'config';
  if (/\bserver\s*:\s*\{[^}]*type\s*:\s*['"][\w-]+-config['"]/.test(html)) return 'endpoint';
  if (/\bport\s*:\s*\{/.test(html)) return 'source';
  return 'function';
}

export const CONFIG_TYPES: readonly string[] = NODE_TYPES.filter((t) => nodeKind(t) === 'config');
export const ENDPOINT_TYPES: readonly string[] = NODE_TYPES.filter((t) => nodeKind(t) === 'endpoint');
export const SOURCE_TYPES: readonly string[] = NODE_TYPES.filter((t) => nodeKind(t) === 'source');

/** The `## Node types` table of docs/design.md: type -> kind as documented. */
export function documentedNodeTypes(): Map<string, string> {
  const md = fs.readFileSync(path.join(ROOT, 'docs', 'design.md'), 'utf8');
  const start = md.indexOf('\n## Node types');
  const end = md.indexOf('\n## ', start + 1);
  const section = md.slice(start, end < 0 ? undefined : end);
  const out = new Map<string, string>();
  for (const m of section.matchAll(/^\|\s*`([\w-]+)`\s*\|\s*([\w-]+)\s*\|/gm)) out.set(m[1]!, m[2]!);
  return out;
}
