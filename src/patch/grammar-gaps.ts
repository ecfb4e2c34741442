/**
 * Swift the pinned grammar cannot read, blanked before parsing with every offset kept.
 *
 * The grammar (tree-sitter-wasms 0.1.13) predates three constructs that mlx-swift-lm 3.x apps
 * write: freestanding macros (`#hubDownloader()`, `#huggingFaceLoadModelContainer(…) { … }`),
 * typed throws (`throws(LoadError)`), `nonisolated(unsafe)` and Swift 6.1's trailing comma in a
 * parameter list. Each is made into something it reads, of the same length: a macro's `#` becomes
 * `_` (a plain call, with its arguments and trailing closure as written), the parenthesised part
 * after `throws` or `nonisolated` becomes spaces, and so does a comma right before a `)`. None of them is something `memtier patch` rewrites or `memtier check` looks
 * for, so the tree of the blanked text decides the same as the real one would; the rewrite takes
 * the text it copies from the original, and refuses an edit that would replace a blanked place
 * (see `touchesBlanked`).
 */

/** What the grammar reads as written: compiler directives and the literals it knows. */
const KNOWN_POUND_WORDS: ReadonlySet<string> = new Set([
  'if', 'elseif', 'else', 'endif', 'available', 'unavailable', 'selector', 'keyPath', 'file', 'fileID', 'filePath',
  'line', 'column', 'function', 'dsohandle', 'sourceLocation', 'warning', 'error', 'colorLiteral', 'imageLiteral',
  'fileLiteral',
]);

/** A place in the text that was blanked, and what it held. */
export interface BlankedRange {
  start: number;
  end: number;
  /** The original text, e.g. `#hubDownloader` or `(unsafe)`. */
  text: string;
}

/** `source` with the constructs the grammar cannot read blanked (same length, same lines), and where. */
export function blankGrammarGaps(source: string): { text: string; blanked: BlankedRange[] } {
  const blanked: BlankedRange[] = [];
  let text = source.replace(/#([A-Za-z_][A-Za-z0-9_]*)/g, (match: string, word: string, offset: number) => {
    // A raw string's closing `"#` is not a macro; `#"` never matches here.
    if (KNOWN_POUND_WORDS.has(word) || source[offset - 1] === '"') return match;
    blanked.push({ start: offset, end: offset + match.length, text: match });
    return `_${word}`;
  });
  text = text.replace(/\b(throws|nonisolated)(\s*)(\([^()\n]*\))/g, (match: string, word: string, space: string, group: string, offset: number) => {
    const start = offset + word.length + space.length;
    blanked.push({ start, end: start + group.length, text: group });
    return word + space + ' '.repeat(group.length);
  });
  // Swift 6.1's trailing comma before the `)` of a parameter or argument list.
  text = text.replace(/,(\s*\))/g, (match: string, rest: string, offset: number) => {
    blanked.push({ start: offset, end: offset + 1, text: ',' });
    return ` ${rest}`;
  });
  return { text, blanked: blanked.sort((a, b) => a.start - b.start) };
}

/** The first blanked place an edit that writes text (not a removal) overlaps, if any. */
export function touchesBlanked(blanked: readonly BlankedRange[], edits: readonly { start: number; end: number; replacement: string }[]): BlankedRange | undefined {
  return blanked.find((range) => edits.some((edit) => edit.replacement !== '' && edit.start < range.end && range.start < edit.end));
}
