/**
 * `npm run i18n:missing`: what a translation under `locales/<lang>/` lacks compared with
 * `locales/en-US/`, the reference every other language follows.
 *
 * For each language folder and each node type of package.json it lists:
 * - catalogue keys of `<type>.json` missing in the language (and keys the language has that
 *   en-US no longer has: stale);
 * - values whose interpolation placeholders (`__name__`, `{{name}}`) differ from en-US;
 * - values still identical to the English text (brand names, codes and units are allowed, see
 *   `SAME_AS_ENGLISH`);
 * - help (`<type>.html`): a missing `data-help-name` block, a different heading structure
 *   (the sequence of `<h3>` / `<h4>`), message properties (`<dt>`), links, or a paragraph left in English.
 *
 * Prints one line a problem and exits 1 when there is any; `--lang de` checks one language.
 * test/docs/locales.test.ts runs the same checks.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The repository root, whether this runs from `scripts/` (tsx) or `dist/scripts/` (built). */
const ROOT = fs.existsSync(path.join(__dirname, '..', 'package.json')) ? path.resolve(__dirname, '..') : path.resolve(__dirname, '..', '..');
export const LOCALES = path.join(ROOT, 'locales');
export const REFERENCE = 'en-US';

/**
 * Values that read the same in every language: brand and product names, protocol names, codes,
 * units. A value equal to its English text is reported unless it is listed here or has no letters.
 */
export const SAME_AS_ENGLISH: ReadonlySet<string> = new Set([
  'TLS', 'API', 'MSP', 'Token', 'EWMA', 'Community ID', 'NetFlow', 'IPFIX', 'CIDR', 'DNS', 'ECS',
  'NITRO v2 (/sdwan/nitro/v2/monitor)', 'Citrix SD-WAN flows', 'Citrix SD-WAN ilbflows', 'Firewalla flows',
  'Riverbed FlowGateway import_stats', 'https://mydomain.firewalla.net', '/data/GeoLite2-Country.mmdb',
  '/data/GeoLite2-ASN.mmdb', 'src net 10.0.0.0/8 and dst port 443 and bytes > 1M', 'RFC 1918, 100.64.0.0/10, fc00::/7',
  'src.ip or src.ip,dst.port', 'UDP __listen__: __message__', 'Status', 'Port', 'Timeout', 'Name', 'Top', 'Cache',
  'Filter', 'Flows', 'Limit', 'Tags', 'Site', 'Max', 'Min', 'OAuth', 'Batch', 'Label', 'Window', 'Reverse DNS',
  'bytes, bytesOut, packets, dst.port...', 'UTC, Europe/Berlin, America/New_York...',
  // Product names, and what users type as it is (filter keywords, protocol and boolean values, a query).
  'Riverbed FlowGateway', 'Firewalla MSP', 'and', 'or', 'tcp, udp', 'true / false', 'application:HTTPS;direction:LAN to WAN',
]);

/** Words a language borrows from English as they are, as its network engineers write them. */
export const SAME_IN_LANGUAGE: Readonly<Record<string, readonly string[]>> = {
  de: ['Appliance', 'Format', 'Operator', 'Minimum', 'Band', 'Sampling', 'Templates'],
  fr: ['Appliance', 'Format', 'Minimum', 'Templates', 'Cache', 'Pages', 'minutes', 'Expression', 'port'],
  'es-ES': ['Appliance', 'Sampling', 'Templates'],
  ja: [],
  'zh-CN': [],
};

interface Problem {
  lang: string;
  file: string;
  /** A catalogue key (dotted) or a help section. */
  where: string;
  kind: 'missing-file' | 'bad-json' | 'missing' | 'stale' | 'placeholders' | 'english' | 'help';
  detail: string;
}

/** Every node type registered in package.json, in its order. */
export function nodeTypes(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
  return Object.keys(pkg['node-red'].nodes);
}

/** The language folders under locales/ other than en-US. */
export function languages(dir = LOCALES): string[] {
  return fs.readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== REFERENCE).map((d) => d.name).sort();
}

/** A catalogue as dotted key -> text (non-string leaves are kept as their JSON). */
export function flatten(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return out;
}

/** The interpolation placeholders of a text, sorted: `__count__` (i18next) and `{{name}}`. */
export function placeholders(text: string): string[] {
  return [...text.matchAll(/__[A-Za-z0-9_]+?__|\{\{\s*[\w.-]+\s*\}\}/g)].map((m) => m[0].replace(/\s+/g, '')).sort();
}

/** Text without tags and entities, whitespace collapsed. */
export function plainText(html: string): string {
  return html.replace(/<[^>]+>/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'").replace(/&nbsp;/g, ' ').replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim();
}

/** The outline of one help file: what a translation must keep. */
interface HelpOutline {
  names: string[];
  /** Per help block: heading levels in order, e.g. `h3 h3 h4 h3`. */
  headings: string[];
  /** Message property names (`<dt>` text before its type, when it is a property path). */
  properties: string[];
  links: string[];
  paragraphs: string[];
}

export function helpOutline(html: string): HelpOutline {
  const names = [...html.matchAll(/data-help-name="([^"]+)"/g)].map((m) => m[1]!);
  const blocks = html.split(/<script[^>]*data-help-name=/).slice(1);
  const headings = blocks.map((b) => [...b.matchAll(/<(h[1-6])\b/g)].map((m) => m[1]).join(' '));
  // Message properties (`payload`, `request.filter`) stay as they are; a dialog label in a
  // Properties list (`Appliance`, `table rows`) is translated, so only the former are compared.
  const properties = [...html.matchAll(/<dt\b[^>]*>([\s\S]*?)(?:<span|<\/dt>)/g)].map((m) => plainText(m[1]!))
    .filter((p) => /^[a-z][\w.]*$/.test(p));
  const links = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
  // Prose only: code, preformatted blocks, link texts and <i> (titles of English documents, UI names) may stay as they are.
  const paragraphs = [...html.matchAll(/<(p|li|dd|td)\b[^>]*>([\s\S]*?)<\/\1>/g)]
    .map((m) => plainText(m[2]!.replace(/<(code|pre|a|i)\b[^>]*>[\s\S]*?<\/\1>/g, ' ')));
  return { names, headings, properties, links, paragraphs };
}

/** Whether a text has anything to translate: letters outside placeholders, code and paths. */
function hasWords(text: string): boolean {
  const rest = text.replace(/__[A-Za-z0-9_]+?__|\{\{[^}]*\}\}/g, '').replace(/\S*[./:=@]\S*/g, '');
  return /\p{L}{3,}/u.test(rest);
}

/** How many words of running text (three letters or more, not code or paths) a text has. */
function proseWords(text: string): number {
  return text.split(/\s+/).filter((w) => /^[("'\u201c]?\p{L}{3,}[)"'\u201d,.;:!?]*$/u.test(w)).length;
}

function compareCatalogue(dir: string, lang: string, type: string, problems: Problem[]): void {
  const file = `${lang}/${type}.json`;
  const refFile = path.join(dir, REFERENCE, `${type}.json`);
  if (!fs.existsSync(refFile)) return;
  const ref = flatten(JSON.parse(fs.readFileSync(refFile, 'utf8')));
  const target = path.join(dir, lang, `${type}.json`);
  if (!fs.existsSync(target)) {
    problems.push({ lang, file, where: '', kind: 'missing-file', detail: `${ref.size} keys to translate` });
    return;
  }
  let tr: Map<string, string>;
  try {
    tr = flatten(JSON.parse(fs.readFileSync(target, 'utf8')));
  } catch (e) {
    problems.push({ lang, file, where: '', kind: 'bad-json', detail: (e as Error).message });
    return;
  }
  for (const [key, en] of ref) {
    const text = tr.get(key);
    if (text === undefined) {
      problems.push({ lang, file, where: key, kind: 'missing', detail: JSON.stringify(en) });
      continue;
    }
    const want = placeholders(en).join(' ');
    const got = placeholders(text).join(' ');
    if (want !== got) problems.push({ lang, file, where: key, kind: 'placeholders', detail: `en-US has [${want}], ${lang} has [${got}]` });
    if (text === en && hasWords(en) && !SAME_AS_ENGLISH.has(en) && !(SAME_IN_LANGUAGE[lang] ?? []).includes(en)) {
      problems.push({ lang, file, where: key, kind: 'english', detail: JSON.stringify(en) });
    }
  }
  for (const key of tr.keys()) {
    if (!ref.has(key)) problems.push({ lang, file, where: key, kind: 'stale', detail: 'not in en-US any more' });
  }
}

function compareHelp(dir: string, lang: string, type: string, problems: Problem[]): void {
  const file = `${lang}/${type}.html`;
  const refFile = path.join(dir, REFERENCE, `${type}.html`);
  if (!fs.existsSync(refFile)) return;
  const ref = helpOutline(fs.readFileSync(refFile, 'utf8'));
  const target = path.join(dir, lang, `${type}.html`);
  if (!fs.existsSync(target)) {
    problems.push({ lang, file, where: '', kind: 'missing-file', detail: `help with ${ref.headings.join(' | ')}` });
    return;
  }
  const tr = helpOutline(fs.readFileSync(target, 'utf8'));
  const same = (a: string[], b: string[]): boolean => a.join('\n') === b.join('\n');
  if (!same(ref.names, tr.names)) problems.push({ lang, file, where: 'data-help-name', kind: 'help', detail: `expected ${ref.names.join(', ')}, got ${tr.names.join(', ')}` });
  if (!same(ref.headings, tr.headings)) problems.push({ lang, file, where: 'headings', kind: 'help', detail: `en-US: ${ref.headings.join(' | ')}; ${lang}: ${tr.headings.join(' | ')}` });
  if (!same(ref.properties, tr.properties)) {
    const gone = ref.properties.filter((p) => !tr.properties.includes(p));
    problems.push({ lang, file, where: 'message properties', kind: 'help', detail: gone.length ? `missing ${gone.join(', ')}` : 'different order or extra <dt>' });
  }
  if (!same([...ref.links].sort(), [...tr.links].sort())) problems.push({ lang, file, where: 'links', kind: 'help', detail: `en-US: ${ref.links.join(' ')}; ${lang}: ${tr.links.join(' ')}` });
  const english = new Set(ref.paragraphs.filter((p) => proseWords(p) >= 3));
  for (const p of tr.paragraphs) {
    if (english.has(p)) problems.push({ lang, file, where: 'text', kind: 'english', detail: JSON.stringify(p.slice(0, 80)) });
  }
}

/** Every problem of every language (or the given ones); `dir` and `types` are for tests. */
export function findProblems(langs: string[] = languages(), dir = LOCALES, types = nodeTypes()): Problem[] {
  const problems: Problem[] = [];
  for (const lang of langs) {
    for (const type of types) {
      compareCatalogue(dir, lang, type, problems);
      compareHelp(dir, lang, type, problems);
    }
  }
  return problems;
}

function main(argv: string[]): number {
  const at = argv.indexOf('--lang');
  const langs = at >= 0 && argv[at + 1] ? [argv[at + 1]!] : languages();
  if (langs.length === 0) {
    console.log('i18n:missing: no language besides en-US under locales/');
    return 0;
  }
  const problems = findProblems(langs);
  for (const p of problems) console.log(`${p.file}${p.where ? ` ${p.where}` : ''}: ${p.kind}: ${p.detail}`);
  const types = nodeTypes().length;
  console.log(`i18n:missing: ${problems.length} problem(s) in ${langs.join(', ')} (${types} node types, reference ${REFERENCE})`);
  return problems.length > 0 ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
