/**
 * Text for a terminal and Xcode's build log, which show a long line unbroken or cut: every line
 * memtier prints as text stays within TEXT_WIDTH columns.
 */

/** The widest line of memtier's text output, in columns. */
export const TEXT_WIDTH = 100;

const NO_BREAK = '\u00A0';

/** A space before a unit, after a number ("6 GiB", "384 px", "29.2 %"): a line never breaks there. */
const BEFORE_UNIT = /^ (?:[KMGT]i?B|bytes?|px|tokens?|%)(?![\w])/;

/** `text` with its spaces made unbreakable: a device name or a `key value` pair stays on one line. */
export function keepTogether(text: string): string {
  return text.replaceAll(' ', NO_BREAK);
}

/**
 * `text` broken at spaces into lines of at most `width` columns (default TEXT_WIDTH), each line
 * after the first starting with `indent` spaces (default 0). The first line keeps its own leading
 * spaces and alignment. A line never breaks between a number and its unit, nor inside what
 * {@link keepTogether} joined; a word longer than a line (a URL) is never cut, it overflows instead.
 */
export function wrapText(text: string, options: { width?: number; indent?: number } = {}): string[] {
  const width = options.width ?? TEXT_WIDTH;
  const indent = ' '.repeat(options.indent ?? 0);
  const lines: string[] = [];
  let line = text.trimEnd();
  // Never break inside a line's leading spaces (the first line's own, or the indent), which would leave it empty.
  let floor = line.length - line.trimStart().length;
  while (line.length > width) {
    const at = breakAt(line, width, floor);
    if (at === undefined) break;
    lines.push(line.slice(0, at).trimEnd());
    line = indent + line.slice(at).trimStart();
    floor = indent.length;
  }
  return [...lines, line].map((each) => each.replaceAll(NO_BREAK, ' '));
}

/** The last space at or before `width` where `line` may break, else the first after it; never at or before `floor`. */
function breakAt(line: string, width: number, floor: number): number | undefined {
  const breakable = (at: number) => line[at] === ' ' && line[at - 1] !== ' ' && !(/\d/.test(line[at - 1] ?? '') && BEFORE_UNIT.test(line.slice(at)));
  for (let at = Math.min(width, line.length - 1); at > floor; at--) if (breakable(at)) return at;
  for (let at = width + 1; at < line.length; at++) if (breakable(at)) return at;
  return undefined;
}
