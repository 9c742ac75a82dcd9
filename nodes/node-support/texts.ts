/**
 * Runtime texts, one way: every status, warning and error a node shows comes from its catalogue
 * (`locales/<lang>/<type>.json`) through `texts(RED, type)`, never from English written in code.
 *
 * Node-RED's `RED._` answers in the runtime's language. When the catalogue is not registered (a
 * node loaded from source by node-red-node-test-helper, whose `RED._` returns the key), the
 * package's own en-US catalogue file is read instead, so the text is the same one users see.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { NodeAPI } from 'node-red';

export type Vars = Record<string, string | number>;
/** `t('status.ok', {count: 3})` -> "3 flows". */
export type Texts = (key: string, vars?: Vars) => string;

type Catalogue = Record<string, unknown>;
const files = new Map<string, Catalogue | null>();

/** The en-US catalogue of `type`, beside the built node files (dist) or at the repository root (source). */
function enUS(type: string): Catalogue | null {
  let c = files.get(type);
  if (c !== undefined) return c;
  c = null;
  for (const dir of [path.join(__dirname, '..', 'locales'), path.join(__dirname, '..', '..', 'locales')]) {
    const file = path.join(dir, 'en-US', `${type}.json`);
    if (fs.existsSync(file)) {
      c = JSON.parse(fs.readFileSync(file, 'utf8')) as Catalogue;
      break;
    }
  }
  files.set(type, c);
  return c;
}

function lookup(c: Catalogue | null, key: string): string | undefined {
  let v: unknown = c;
  for (const part of key.split('.')) v = v !== null && typeof v === 'object' ? (v as Catalogue)[part] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** `__name__` placeholders, as i18next (Node-RED's) fills them. */
function fill(text: string, vars: Vars | undefined): string {
  return vars ? text.replace(/__(\w+)__/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : text;
}

/** The texts of one node type. A key missing from every catalogue is returned as is (a test catches it). */
export function texts(RED: NodeAPI, type: string): Texts {
  return (key, vars) => {
    const full = `${type}.${key}`;
    const s = RED._(full, vars);
    if (typeof s === 'string' && s !== '' && s !== full) return s;
    const own = lookup(enUS(type), full);
    return own === undefined ? full : fill(own, vars);
  };
}
