/**
 * Swift source text for values: number literals and comment text. Templates only substitute these.
 */
import { groupDigits } from '../policy/sizes.js';

/** An integer literal; digits are grouped in threes when there are more than four (`2_621_440_000`, `1000`). */
export function swiftIntLiteral(value: bigint | number): string {
  const text = value.toString();
  return text.replace('-', '').length > 4 ? groupDigits(value) : text;
}

/** A `Float`/`Double` literal that reads back as the same number: 0.7 -> `0.7`, 1 -> `1.0`. */
export function swiftFloatLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/**
 * Lines of free text made safe for `///` comments: every kind of line break splits a line (so text can
 * never escape the comment onto a code line), other control characters become spaces, and trailing
 * white space goes.
 */
export function swiftCommentLines(text: string): string[] {
  return text
    .split(/\r\n|[\n\r\u000b\u000c\u0085\u2028\u2029]/)
    .map((line) => line.replace(/[\u0000-\u001f\u007f]/g, ' ').trimEnd());
}

/** `///` lines for free text: `/// text`, and a bare `///` for an empty line. */
export function swiftDocCommentLines(text: string): string[] {
  return swiftCommentLines(text).map((line) => (line === '' ? '///' : `/// ${line}`));
}

/**
 * A Swift string literal for any text: quotes, backslashes (so no `\(` interpolation), line breaks
 * and other control or invisible characters are escaped; printable Unicode is kept as it is.
 */
export function swiftStringLiteral(text: string): string {
  let body = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '\\') body += '\\\\';
    else if (char === '"') body += '\\"';
    else if (char === '\n') body += '\\n';
    else if (char === '\r') body += '\\r';
    else if (char === '\t') body += '\\t';
    else if (code < 0x20 || code === 0x7f || /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(char)) body += `\\u{${code.toString(16)}}`;
    else body += char;
  }
  return `"${body}"`;
}
