import { createRequire } from 'node:module';
import Parser from 'web-tree-sitter';

const require = createRequire(import.meta.url);
let parser: Promise<Parser> | undefined;

/** A tree-sitter parser with the prebuilt Swift grammar (tree-sitter-wasms), loaded once. */
function swiftParser(): Promise<Parser> {
  parser ??= (async () => {
    await Parser.init();
    const language = await Parser.Language.load(require.resolve('tree-sitter-wasms/out/tree-sitter-swift.wasm'));
    const instance = new Parser();
    instance.setLanguage(language);
    return instance;
  })();
  return parser;
}

/** The syntax errors in Swift source, as `line:column: text` (empty when it parses cleanly). */
export async function swiftSyntaxErrors(source: string): Promise<string[]> {
  const tree = (await swiftParser()).parse(source);
  const errors: string[] = [];
  const visit = (node: Parser.SyntaxNode) => {
    if (node.isError || node.isMissing) {
      errors.push(`${node.startPosition.row + 1}:${node.startPosition.column + 1}: ${node.isMissing ? `missing ${node.type}` : node.text.slice(0, 60)}`);
    }
    for (const child of node.children) visit(child);
  };
  if (tree.rootNode.hasError) visit(tree.rootNode);
  return errors;
}
