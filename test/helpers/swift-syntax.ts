import { parseSwift, type SwiftNode } from '../../src/patch/swift-parser.js';

/** The syntax errors in Swift source, as `line:column: text` (empty when it parses cleanly). */
export async function swiftSyntaxErrors(source: string): Promise<string[]> {
  const tree = await parseSwift(source);
  const errors: string[] = [];
  const visit = (node: SwiftNode) => {
    if (node.isError || node.isMissing) {
      errors.push(`${node.startPosition.row + 1}:${node.startPosition.column + 1}: ${node.isMissing ? `missing ${node.type}` : node.text.slice(0, 60)}`);
    }
    for (const child of node.children) visit(child);
  };
  if (tree.rootNode.hasError) visit(tree.rootNode);
  return errors;
}
