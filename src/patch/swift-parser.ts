/**
 * Swift parsing for `memtier patch` and the evaluator checks: tree-sitter's Swift grammar in
 * WebAssembly (web-tree-sitter 0.22.6 with the grammar of tree-sitter-wasms 0.1.13, pinned together:
 * newer web-tree-sitter releases do not load that grammar). Loaded once, on first use.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import Parser from 'web-tree-sitter';

/** A node of the Swift syntax tree. */
export type SwiftNode = Parser.SyntaxNode;

/**
 * The grammar: dist/grammars/ in the package (scripts/copy-grammar.mjs puts it there, next to this
 * module's compiled copy and the bundle); from the sources, in a checkout, the devDependency it
 * is copied from.
 */
function grammarPath(): string {
  const shipped = fileURLToPath(new URL('../grammars/tree-sitter-swift.wasm', import.meta.url));
  return existsSync(shipped) ? shipped : createRequire(import.meta.url).resolve('tree-sitter-wasms/out/tree-sitter-swift.wasm');
}

let parser: Promise<Parser> | undefined;

/** Parses Swift source. Node offsets (`startIndex`, `endIndex`) index into `source` as a JS string. */
export async function parseSwift(source: string): Promise<Parser.Tree> {
  parser ??= (async () => {
    // V8 otherwise keeps recompiling the 3 MB grammar with its optimising tier in the background,
    // and the process cannot exit until that is done: 5-20 s for a run whose work takes 0.3 s.
    // The baseline compiler alone parses an app file in well under a second.
    setFlagsFromString('--liftoff-only');
    await Parser.init();
    const language = await Parser.Language.load(grammarPath());
    const instance = new Parser();
    instance.setLanguage(language);
    return instance;
  })();
  return (await parser).parse(source);
}

/** The first syntax error in a tree, as a node, or undefined when it parsed cleanly. */
export function firstSyntaxError(root: SwiftNode): SwiftNode | undefined {
  if (!root.hasError) return undefined;
  if (root.isError || root.isMissing) return root;
  for (const child of root.children) {
    const found = firstSyntaxError(child);
    if (found) return found;
  }
  return root;
}

/** Every descendant (the node included) for which `keep` is true, in source order. */
export function findNodes(node: SwiftNode, keep: (node: SwiftNode) => boolean): SwiftNode[] {
  const found: SwiftNode[] = [];
  const visit = (current: SwiftNode) => {
    if (keep(current)) found.push(current);
    for (const child of current.namedChildren) visit(child);
  };
  visit(node);
  return found;
}

/** The declaration keyword of a `class_declaration` node: class, struct, enum, actor or extension. */
export function declarationKind(node: SwiftNode): string | undefined {
  return node.children.find((child) => !child.isNamed && ['class', 'struct', 'enum', 'actor', 'extension'].includes(child.type))?.type;
}

/** The declared name of a property or function member. */
export function memberName(node: SwiftNode): string | undefined {
  return node.childForFieldName('name')?.text;
}
