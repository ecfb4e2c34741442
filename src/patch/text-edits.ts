/**
 * Edits on source text by offset, applied so that everything outside them stays byte for byte.
 */

/** Replace `text[start, end)` with `replacement`. */
export interface TextEdit {
  start: number;
  end: number;
  replacement: string;
}

/** Applies non-overlapping edits; throws if two overlap (a bug in whoever made them). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let result = '';
  let position = 0;
  for (const edit of sorted) {
    if (edit.start < position) throw new Error(`overlapping edits at offset ${edit.start}`);
    result += text.slice(position, edit.start) + edit.replacement;
    position = edit.end;
  }
  return result + text.slice(position);
}

/** The offset where the line holding `index` starts. */
export function lineStart(text: string, index: number): number {
  return text.lastIndexOf('\n', index - 1) + 1;
}

/** The offset just after the line break that ends the line holding `index` (or the text's end). */
export function lineEnd(text: string, index: number): number {
  const newline = text.indexOf('\n', index);
  return newline === -1 ? text.length : newline + 1;
}

/** `start` moved back over one blank line above it, if there is one. */
export function withBlankLineAbove(text: string, start: number): number {
  if (start === 0) return start;
  const previous = lineStart(text, start - 1);
  return text.slice(previous, start).trim() === '' ? previous : start;
}

/** The white space that starts the line holding `index`. */
export function indentationAt(text: string, index: number): string {
  const start = lineStart(text, index);
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/** 1-based line and column of an offset. */
export function positionOf(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return { line, column: index - lineStart(text, index) + 1 };
}

/**
 * Removals (empty replacements) that touch are merged; where a removal leaves a blank line right
 * above another blank line or a closing brace, that blank line goes too, so the code keeps the
 * blank lines it had around what was removed.
 */
export function tidyRemovals(text: string, edits: readonly TextEdit[]): TextEdit[] {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: TextEdit[] = [];
  for (const edit of sorted) {
    const last = merged[merged.length - 1];
    if (last && last.replacement === '' && edit.replacement === '' && edit.start === last.end) last.end = edit.end;
    else merged.push({ ...edit });
  }
  const isBlankLineAt = (index: number) => /^[ \t]*(\r?\n|$)/.test(text.slice(index));
  for (const edit of merged) {
    if (edit.replacement !== '' || edit.start === 0 || text[edit.start - 1] !== '\n') continue;
    const above = lineStart(text, edit.start - 1);
    const blankAbove = text.slice(above, edit.start).trim() === '';
    const after = edit.end;
    const nextIsBlankOrClose = isBlankLineAt(after) || /^[ \t]*\}/.test(text.slice(after));
    if (blankAbove && nextIsBlankOrClose && !merged.some((other) => other !== edit && other.end > above && other.start < edit.start)) edit.start = above;
  }
  return merged;
}
