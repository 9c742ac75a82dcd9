/**
 * Finds references that point nowhere: `docs/<page>.md#<anchor>` citations in any file of the
 * repository, relative links in Markdown, and citations of documents that live outside the
 * repository or of a path on someone's machine. Anchors follow GitHub's rules for heading ids,
 * so a link that works here works on GitHub. Used by test/docs/references.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface Problem {
  /** Repository-relative path of the file holding the reference. */
  file: string;
  line: number;
  reference: string;
  why: string;
}

/** Folders never scanned: installed or generated files, and local state. */
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', '.node-red-data', 'coverage']);
/** Text files worth scanning (files without an extension, such as `.ci/run`, are scanned too). */
const TEXT_EXT = new Set(['.ts', '.js', '.mjs', '.cjs', '.html', '.json', '.md', '.yml', '.yaml', '.txt', '.sh']);
/** A generated list of dependencies (large, no prose); in a git worktree, `.git` is a file naming another checkout. */
const SKIP_FILES = new Set(['package-lock.json', '.git']);

/** Every text file of the repository below `root`, as repository-relative paths with `/`. */
export function repositoryFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) walk(path.join(dir, e.name));
      } else if (e.isFile() && !SKIP_FILES.has(e.name)) {
        const ext = path.extname(e.name);
        if (ext === '' || TEXT_EXT.has(ext)) out.push(path.relative(root, path.join(dir, e.name)).split(path.sep).join('/'));
      }
    }
  };
  walk(root);
  return out.sort();
}

/**
 * GitHub's heading id: inline Markdown reduced to its text, lower case, punctuation dropped
 * (letters, digits, `_`, `-` and spaces kept), each space a `-`.
 */
export function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/<[^>]+>/g, ''); // inline HTML tags
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** Lines outside fenced code blocks, with their 1-based numbers. */
function proseLines(markdown: string): Array<{ text: string; line: number }> {
  const out: Array<{ text: string; line: number }> = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((text, i) => {
    const m = /^\s{0,3}(`{3,}|~{3,})/.exec(text);
    if (m) {
      if (fence === undefined) fence = m[1]![0]!.repeat(m[1]!.length);
      else if (m[1]!.startsWith(fence)) fence = undefined;
      return;
    }
    if (fence === undefined) out.push({ text, line: i + 1 });
  });
  return out;
}

/** The link targets a Markdown page offers: its headings' ids (numbered as GitHub numbers repeats) and explicit anchors. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(markdown)) {
    const h = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(text);
    if (h) {
      const base = githubSlug(h[1]!);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const a of text.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(a[1]!);
  }
  return anchors;
}

/** A docs page path (optionally with `#anchor`) not preceded by a path or URL character: a citation of our docs. */
const DOC_REFERENCE = /(?<![\w./-])docs\/[\w./-]+?\.md(?:#[\p{L}\p{N}_-]+)?/gu;

/** Every `docs/<page>.md[#anchor]` citation in a text, with its line. */
export function docReferences(text: string): Array<{ reference: string; line: number }> {
  const out: Array<{ reference: string; line: number }> = [];
  text.split('\n').forEach((t, i) => {
    for (const m of t.matchAll(DOC_REFERENCE)) out.push({ reference: m[0], line: i + 1 });
  });
  return out;
}

/** Relative links of a Markdown page (`[text](target)`), outside code; URLs with a scheme are left out. */
export function markdownLinks(markdown: string): Array<{ target: string; line: number }> {
  const out: Array<{ target: string; line: number }> = [];
  for (const { text, line } of proseLines(markdown)) {
    const noCode = text.replace(/`[^`]*`/g, '');
    for (const m of noCode.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = m[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      out.push({ target, line });
    }
  }
  return out;
}

// Built from parts so that this file does not cite them itself.
const OUTSIDE_DOCS = ['DESIGN' + '.md', 'API-' + 'NOTES'];
const MACHINE_PATH = new RegExp(`(?<![\\w.~-])/(?:${['work', 'tmp', 'root'].join('|')})/`);

/** Citations of documents outside the repository, or of a path on one machine. */
export function forbiddenCitations(text: string): Array<{ reference: string; line: number; why: string }> {
  const out: Array<{ reference: string; line: number; why: string }> = [];
  text.split('\n').forEach((t, i) => {
    for (const name of OUTSIDE_DOCS) {
      if (t.includes(name)) {
        out.push({ reference: name, line: i + 1, why: 'cites a document outside the repository: cite docs/ instead' });
        break;
      }
    }
    const m = MACHINE_PATH.exec(t);
    if (m) out.push({ reference: m[0], line: i + 1, why: 'names a path on one machine' });
  });
  return out;
}

/** Reads files relative to `root`, caching Markdown anchors. */
export class ReferenceChecker {
  private readonly anchorCache = new Map<string, Set<string> | null>();

  constructor(private readonly root: string) {}

  /** Anchors of a repository-relative Markdown file, or null when it does not exist. */
  anchors(file: string): Set<string> | null {
    if (!this.anchorCache.has(file)) {
      const abs = path.join(this.root, file);
      this.anchorCache.set(file, fs.existsSync(abs) && fs.statSync(abs).isFile() ? anchorsOf(fs.readFileSync(abs, 'utf8')) : null);
    }
    return this.anchorCache.get(file)!;
  }

  /** Why `file[#anchor]` (repository-relative) does not resolve, or undefined when it does. */
  resolve(target: string): string | undefined {
    const hash = target.indexOf('#');
    const file = hash < 0 ? target : target.slice(0, hash);
    const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
    const abs = path.join(this.root, file);
    if (!fs.existsSync(abs)) return `${file} does not exist`;
    if (anchor === undefined || anchor === '') return undefined;
    if (!file.endsWith('.md')) return undefined;
    const anchors = this.anchors(file);
    if (!anchors?.has(anchor)) return `${file} has no heading with the anchor #${anchor}`;
    return undefined;
  }

  /** Every problem in one file's text. `file` is repository-relative. */
  check(file: string, text: string): Problem[] {
    const problems: Problem[] = [];
    for (const r of docReferences(text)) {
      const why = this.resolve(r.reference);
      if (why) problems.push({ file, line: r.line, reference: r.reference, why });
    }
    if (file.endsWith('.md')) {
      const dir = path.posix.dirname(file);
      for (const l of markdownLinks(text)) {
        const target = l.target.startsWith('#') ? `${file}${l.target}` : path.posix.normalize(path.posix.join(dir, l.target));
        if (target.startsWith('../')) {
          problems.push({ file, line: l.line, reference: l.target, why: 'points outside the repository' });
          continue;
        }
        const why = this.resolve(target);
        if (why) problems.push({ file, line: l.line, reference: l.target, why });
      }
    }
    // `.gitignore` lists repository-relative patterns that may look like machine paths.
    if (path.posix.basename(file) !== '.gitignore') {
      for (const f of forbiddenCitations(text)) problems.push({ file, line: f.line, reference: f.reference, why: f.why });
    }
    return problems;
  }
}

export function formatProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `${p.file}:${p.line}: ${p.reference}: ${p.why}`).join('\n');
}
