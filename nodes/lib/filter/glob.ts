/**
 * `*` wildcards without regular expressions. A pattern is split at its stars once; matching
 * checks the first piece as a prefix and the last as a suffix, and finds each middle piece at
 * its leftmost place after the previous one. Leftmost is always right for `*`-only patterns (a
 * later place never leaves more room for the pieces after it), so there is no backtracking:
 * each piece is searched once, from where the previous one ended. A backtracking RegExp such
 * as `^a[\s\S]*b[\s\S]*c$` is exponential in the number of stars; this is at most
 * O(text x pattern) and in practice linear (String#indexOf is a Boyer-Moore search in V8).
 */

/** A pattern split at its stars: `["a", "b", ""]` for `a*b*`. Always at least one piece. */
export type GlobParts = readonly string[];

export function globParts(pattern: string): GlobParts {
  return pattern.split('*');
}

/** Does `text` match the pattern split into `parts`? Case-sensitive; callers lowercase both. */
export function matchGlobParts(parts: GlobParts, text: string): boolean {
  const n = parts.length;
  const first = parts[0]!;
  if (n === 1) return first === text;
  const last = parts[n - 1]!;
  // The prefix and the suffix must both fit without overlapping.
  if (text.length < first.length + last.length || !text.startsWith(first) || !text.endsWith(last)) return false;
  let pos = first.length;
  const end = text.length - last.length;
  for (let i = 1; i < n - 1; i++) {
    const piece = parts[i]!;
    if (piece === '') continue;
    const at = text.indexOf(piece, pos);
    if (at < 0 || at + piece.length > end) return false;
    pos = at + piece.length;
  }
  return true;
}

/** `*` matches any run of characters (also none); everything else literally. */
export function glob(pattern: string, text: string): boolean {
  return matchGlobParts(globParts(pattern), text);
}
