/**
 * Splits a filter expression into tokens. Words are runs of anything that is not white space
 * or one of `( ) [ ] , = ! < > # " ' & |`, so addresses (`2001:db8::/32`), port ranges
 * (`1024-65535`), sizes (`50MB`), wildcards (`*tube*`) and record paths (`raw.vpathclass`) are
 * single words that the parser interprets in context. Characters that cannot start any token
 * (a lone `&` or `|`) become `bad` tokens, so the parser reports them with what it expected.
 */
import { FilterSyntaxError } from './errors';

export type TokenType =
  | 'word'
  | 'string'
  | 'op'
  | '('
  | ')'
  | '['
  | ']'
  | ','
  | '&&'
  | '||'
  | '!'
  | 'bad'
  | 'eof';

export interface Token {
  type: TokenType;
  /** The source text of the token (for strings: with quotes). */
  text: string;
  /** For strings: the unescaped value; for words: the text; for ops: the operator. */
  value: string;
  /** 0-based offset of the first character. */
  start: number;
}

const SPECIAL = new Set(['(', ')', '[', ']', ',', '=', '!', '<', '>', '#', '"', "'", '&', '|']);

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v' || c === '\u00a0';
}

/**
 * Tokens read on demand, so the parser stops reading at its first error: a megabyte of `(`
 * fails at the 65th token, not after a megabyte of tokens.
 */
export class TokenStream {
  private readonly toks: Token[] = [];
  private i = 0;

  constructor(
    private readonly text: string,
    private readonly field = 'expression',
  ) {}

  /** The k-th token (0-based); `eof` from the end on. */
  at(k: number): Token {
    while (this.toks.length <= k) {
      const last = this.toks[this.toks.length - 1];
      if (last !== undefined && last.type === 'eof') return last;
      this.toks.push(this.scan());
    }
    return this.toks[k]!;
  }

  private scan(): Token {
    const text = this.text;
    const field = this.field;
    const n = text.length;
    let i = this.i;
    let found: Token | undefined;
    while (i < n && found === undefined) {
      const c = text[i]!;
      if (isSpace(c)) {
        i++;
        continue;
      }
      if (c === '#') {
        // Comment to the end of the line.
        while (i < n && text[i] !== '\n') i++;
        continue;
      }
      const start = i;
      if (c === '(' || c === ')' || c === '[' || c === ']' || c === ',') {
        found = { type: c, text: c, value: c, start };
        i++;
        continue;
      }
      if (c === '=' || c === '<' || c === '>' || c === '!') {
        const two = text[i + 1] === '=';
        if (c === '!' && !two) {
          found = { type: '!', text: '!', value: '!', start };
          i++;
          continue;
        }
        const op = two ? `${c}=` : c;
        found = { type: 'op', text: op, value: op, start };
        i += op.length;
        continue;
      }
      if (c === '&' || c === '|') {
        if (text[i + 1] === c) {
          const t = c === '&' ? '&&' : '||';
          found = { type: t, text: t, value: t, start };
          i += 2;
        } else {
          found = { type: 'bad', text: c, value: c, start };
          i++;
        }
        continue;
      }
      if (c === '"' || c === "'") {
        // Plain runs are sliced, not added a character at a time (1 MB in one string stays cheap).
        const parts: string[] = [];
        i++;
        let from = i;
        let closed = false;
        while (i < n) {
          const d = text.charCodeAt(i);
          if (d === 92 && i + 1 < n) {
            // A backslash takes the next character as it is.
            parts.push(text.slice(from, i), text[i + 1]!);
            i += 2;
            from = i;
            continue;
          }
          if (d === c.charCodeAt(0)) {
            closed = true;
            break;
          }
          i++;
        }
        parts.push(text.slice(from, i));
        if (closed) i++;
        const value = parts.join('');
        if (!closed) {
          throw new FilterSyntaxError(text, start, `expected a closing ${c} for the string that starts here, found end of expression`, field);
        }
        found = { type: 'string', text: text.slice(start, i), value, start };
        continue;
      }
      while (i < n && !SPECIAL.has(text[i]!) && !isSpace(text[i]!)) i++;
      const w = text.slice(start, i);
      found = { type: 'word', text: w, value: w, start };
    }
    this.i = i;
    return found ?? { type: 'eof', text: '', value: '', start: n };
  }
}

/** All the tokens of a text, up to and including `eof` (throws on an unterminated string). */
export function tokenize(text: string, field = 'expression'): Token[] {
  const stream = new TokenStream(text, field);
  const out: Token[] = [];
  for (let k = 0; ; k++) {
    const t = stream.at(k);
    out.push(t);
    if (t.type === 'eof') return out;
  }
}

/** How a token is named in "found ..." and "after ..." parts of messages. */
export function describe(t: Token): string {
  if (t.type === 'eof') return 'end of expression';
  const s = t.text.length > 40 ? `${t.text.slice(0, 39)}…` : t.text;
  return JSON.stringify(s);
}
