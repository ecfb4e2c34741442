/**
 * `ModelContainer.perform { context in … }` closures: in mlx-swift-lm they are `@Sendable` and run
 * off the main actor, so a rewrite inside one must not call the evaluator's main-actor members.
 * What such code needs is read before the call and captured: `let memoryConfiguration =
 * self.memoryConfiguration` (a Sendable value whose `applyImageSize(to:)` runs anywhere) and
 * `let generateParameters = self.generateParameters`.
 */
import { findNodes, type SwiftNode } from './swift-parser.js';
import { indentationAt, lineStart, type TextEdit } from './text-edits.js';

/** The statement holding a `….perform { … }` call whose closure contains `node`, if any. */
export function enclosingPerformStatement(node: SwiftNode, classNode: SwiftNode): SwiftNode | undefined {
  for (let current: SwiftNode | null = node.parent; current && current !== classNode; current = current.parent) {
    if (current.type !== 'lambda_literal') continue;
    const call = callOf(current);
    if (call && /\.\s*perform\s*$/.test(call.namedChildren[0]?.text ?? '')) return statementOf(call);
  }
  return undefined;
}

function callOf(lambda: SwiftNode): SwiftNode | undefined {
  for (let current: SwiftNode | null = lambda.parent; current; current = current.parent) {
    if (current.type === 'call_expression') return current;
    if (current.type === 'statements') return undefined;
  }
  return undefined;
}

/** The node directly inside a `statements` block that holds `node`. */
export function statementOf(node: SwiftNode): SwiftNode {
  let current = node;
  while (current.parent && current.parent.type !== 'statements' && current.parent.type !== 'switch_entry') current = current.parent;
  return current;
}

/** Bare uses of `name` (not `x.name`) inside `perform` closures, with their statements. */
export function usesInPerform(classNode: SwiftNode, name: string): { use: SwiftNode; statement: SwiftNode }[] {
  return findNodes(classNode, (node) => node.type === 'simple_identifier' && node.text === name && node.parent?.type !== 'navigation_suffix')
    .flatMap((use) => {
      const statement = enclosingPerformStatement(use, classNode);
      return statement ? [{ use, statement }] : [];
    });
}

/** Hoists: for each perform statement, the members its closure now reads, captured just before it. */
export function hoistEdits(source: string, needs: Map<number, { statement: SwiftNode; names: Set<string> }>): TextEdit[] {
  const edits: TextEdit[] = [];
  for (const { statement, names } of needs.values()) {
    const start = lineStart(source, statement.startIndex);
    const indent = indentationAt(source, statement.startIndex);
    const alreadyThere = (name: string) => new RegExp(`let\\s+${name}\\s*=\\s*self\\.${name}\\b`).test(source.slice(Math.max(0, start - 400), start));
    const lines = [...names].sort().filter((name) => !alreadyThere(name)).map((name) => `${indent}let ${name} = self.${name}\n`);
    if (lines.length > 0) edits.push({ start, end: start, replacement: lines.join('') });
  }
  return edits;
}
