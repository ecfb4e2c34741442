/**
 * Finding a top-level type declaration in Swift source without a full parse.
 *
 * The pinned tree-sitter grammar (and the newest one published) cannot read much real SwiftUI view
 * code, so a whole app file often fails to parse although the class `memtier patch` rewrites is
 * plain Swift. This scanner knows only what decides where code is: comments (line comments, and block comments, which nest),
 * string literals (`"…"`, `"""…"""`, raw `#"…"#`, with `\(…)` interpolation that may hold strings
 * again) and braces. It finds `class NAME` at brace depth 0 and the brace that closes its body.
 * Written by hand because no parser available from Node reads these files; regex literals are
 * not recognised (a `/` in one could in principle mislead it; the parse that follows would catch
 * any resulting damage).
 */

/** Where a top-level declaration is: from its attributes and doc comments to its closing brace. */
export interface DeclarationRange {
  /** The declared name. */
  name: string;
  /** Start of the first attribute, modifier or comment line directly above the keyword. */
  start: number;
  /** The `class` keyword. */
  keyword: number;
  /** Just after the closing brace. */
  end: number;
}

/** A type declaration keyword `findTopLevelTypes` finds. */
export type TypeKind = 'class' | 'actor' | 'struct' | 'enum';

/** A top-level type declaration: its keyword, and where it is. */
export interface TypeRange extends DeclarationRange {
  kind: TypeKind;
}

/** Every `class NAME` at the top level of `source` (outside comments, strings and braces); any name by default. */
export function findTopLevelClasses(source: string, name = '[A-Za-z_][A-Za-z0-9_]*'): DeclarationRange[] {
  return findTopLevelTypes(source, { kinds: ['class'], name }).map(({ kind: _kind, ...range }) => range);
}

/**
 * Every top-level declaration of one of `kinds` (default: class, actor, struct and enum), named
 * `name` (a regular expression; any name by default), outside comments, strings and braces. `class
 * func` and `class var` cannot be at the top level, so every `class NAME {` there declares a class.
 */
export function findTopLevelTypes(source: string, options: { kinds?: readonly TypeKind[]; name?: string } = {}): TypeRange[] {
  const kinds = options.kinds ?? ['class', 'actor', 'struct', 'enum'];
  const declaration = new RegExp(`^(${kinds.join('|')})\\s+(${options.name ?? '[A-Za-z_][A-Za-z0-9_]*'})\\b`);
  const found: TypeRange[] = [];
  const scanner = new Scanner(source);
  let depth = 0;
  while (scanner.index < source.length) {
    const at = scanner.index;
    if (scanner.skipTrivia()) continue;
    const char = source[at]!;
    if (char === '{') depth++;
    else if (char === '}') depth = Math.max(0, depth - 1);
    const match = depth === 0 && /[a-z]/.test(char) && !/[\w$]/.test(source[at - 1] ?? ' ') ? declaration.exec(source.slice(at, at + 200)) : null;
    if (match) {
      const open = scanner.findOpenBrace(at + match[0].length);
      const end = open === undefined ? undefined : scanner.matchingBrace(open);
      if (end !== undefined) {
        found.push({ kind: match[1] as TypeKind, name: match[2]!, start: leadingLinesStart(source, at), keyword: at, end: end + 1 });
        scanner.index = end + 1;
        continue;
      }
    }
    scanner.index = at + 1;
  }
  return found;
}

/**
 * `source` with its comments and string literals replaced by spaces (line breaks kept, and the
 * code inside an interpolation too), so that a search of the text finds code only.
 */
export function blankCommentsAndStrings(source: string): string {
  const scanner = new Scanner(source);
  let result = '';
  let copied = 0;
  while (scanner.index < source.length) {
    const at = scanner.index;
    if (scanner.skipTrivia()) {
      result += source.slice(copied, at) + source.slice(at, scanner.index).replace(/[^\n\r]/g, ' ');
      copied = scanner.index;
      continue;
    }
    scanner.index = at + 1;
  }
  return result + source.slice(copied);
}

/**
 * `source` with everything outside `[start, end)` replaced by spaces, line breaks kept: parsing it
 * reads only the range, and every offset, line and column stays that of the original.
 */
export function maskOutside(source: string, start: number, end: number): string {
  const blank = (text: string) => text.replace(/[^\n\r]/g, ' ');
  return blank(source.slice(0, start)) + source.slice(start, end) + blank(source.slice(end));
}

/** The start of the block of attribute, modifier and comment lines directly above `keyword`'s line. */
function leadingLinesStart(source: string, keyword: number): number {
  let start = source.lastIndexOf('\n', keyword - 1) + 1;
  while (start > 0) {
    const previousStart = source.lastIndexOf('\n', start - 2) + 1;
    const line = source.slice(previousStart, start - 1).trim();
    if (!/^(@|\/\/|\/\*|\*|(public|internal|open|final|private|fileprivate|package|nonisolated)\b)/.test(line) || line === '') break;
    start = previousStart;
  }
  return start;
}

class Scanner {
  index = 0;
  constructor(private readonly source: string) {}

  /** Skips a comment or string at `index`, moving past it; false when there is none. */
  skipTrivia(): boolean {
    const { source } = this;
    const at = this.index;
    if (source.startsWith('//', at)) {
      const end = source.indexOf('\n', at);
      this.index = end < 0 ? source.length : end;
      return true;
    }
    if (source.startsWith('/*', at)) {
      this.index = this.blockCommentEnd(at);
      return true;
    }
    const raw = /^(#*)"/.exec(source.slice(at, at + 64));
    if (raw) {
      this.index = this.stringEnd(at, raw[1]!.length);
      return true;
    }
    return false;
  }

  private blockCommentEnd(at: number): number {
    let depth = 0;
    let index = at;
    while (index < this.source.length) {
      if (this.source.startsWith('/*', index)) {
        depth++;
        index += 2;
      } else if (this.source.startsWith('*/', index)) {
        depth--;
        index += 2;
        if (depth === 0) return index;
      } else index++;
    }
    return this.source.length;
  }

  /** The index after the string literal that starts at `at` with `hashes` `#` signs. */
  private stringEnd(at: number, hashes: number): number {
    const { source } = this;
    const pounds = '#'.repeat(hashes);
    const multiline = source.startsWith('"""', at + hashes);
    const close = (multiline ? '"""' : '"') + pounds;
    const escape = '\\' + pounds;
    let index = at + hashes + (multiline ? 3 : 1);
    while (index < source.length) {
      if (source.startsWith(escape, index)) {
        const after = index + escape.length;
        if (source[after] === '(') index = this.interpolationEnd(after + 1);
        else index = after + 1;
        continue;
      }
      if (source.startsWith(close, index)) return index + close.length;
      if (!multiline && source[index] === '\n') return index;
      index++;
    }
    return source.length;
  }

  /** The index after the `)` that closes an interpolation whose code starts at `at`. */
  private interpolationEnd(at: number): number {
    const saved = this.index;
    let depth = 1;
    this.index = at;
    while (this.index < this.source.length) {
      if (this.skipTrivia()) continue;
      const char = this.source[this.index]!;
      if (char === '(') depth++;
      else if (char === ')' && --depth === 0) {
        const end = this.index + 1;
        this.index = saved;
        return end;
      }
      this.index++;
    }
    this.index = saved;
    return this.source.length;
  }

  /** The first `{` from `at` that is code, not comment or string. */
  findOpenBrace(at: number): number | undefined {
    const saved = this.index;
    this.index = at;
    try {
      while (this.index < this.source.length) {
        if (this.skipTrivia()) continue;
        if (this.source[this.index] === '{') return this.index;
        this.index++;
      }
      return undefined;
    } finally {
      this.index = saved;
    }
  }

  /** The `}` that closes the `{` at `open`. */
  matchingBrace(open: number): number | undefined {
    const saved = this.index;
    this.index = open + 1;
    let depth = 1;
    try {
      while (this.index < this.source.length) {
        if (this.skipTrivia()) continue;
        const char = this.source[this.index]!;
        if (char === '{') depth++;
        else if (char === '}' && --depth === 0) return this.index;
        this.index++;
      }
      return undefined;
    } finally {
      this.index = saved;
    }
  }
}
