/**
 * The filter language's one error: a `FlowError` with code BAD_INPUT (field `expression`, or
 * `filter` for `msg.filter`) that also carries where in the text the problem is, so the editor
 * can point at it and the message reads `column 17: expected ... after "...", found "..."`.
 */
import { FlowError } from '../errors';

export class FilterSyntaxError extends FlowError {
  /** 1-based column within `line`. */
  readonly column: number;
  /** 1-based line (expressions may span lines: `#` comments run to the end of a line). */
  readonly line: number;
  /** 0-based offset into the whole text. */
  readonly offset: number;
  /** The message without the `expression: ` field prefix FlowError messages carry. */
  readonly detail: string;

  constructor(text: string, offset: number, message: string, field = 'expression') {
    const { line, column } = position(text, offset);
    const where = line > 1 ? `line ${line}, column ${column}` : `column ${column}`;
    super('BAD_INPUT', `${field}: ${where}: ${message}`, { field });
    this.name = 'FilterSyntaxError';
    this.line = line;
    this.column = column;
    this.offset = offset;
    this.detail = `${where}: ${message}`;
  }
}

export function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
