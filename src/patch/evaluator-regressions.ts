/**
 * What `memtier check` looks for in the app's evaluator source: memory handling that bypasses the
 * generated code, which is how the old bugs would come back (the rules: ./memory-handling.ts).
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { parseEvaluatorClass } from './evaluator-class.js';
import { MEMORY_HANDLING_RULES } from './memory-handling.js';
import { findNodes, firstSyntaxError, parseSwift } from './swift-parser.js';
import { positionOf } from './text-edits.js';

/**
 * Every regression in an evaluator source file, in file order; `file` is how they name it. The whole
 * file is scanned when the grammar reads it; otherwise (SwiftUI view code it cannot read) the
 * VLMEvaluator class alone, as `memtier patch` reads it. A syntax error in the class is reported as
 * one, at its place.
 */
export async function findRegressions(source: string, file: string): Promise<Diagnostic[]> {
  let root = (await parseSwift(source)).rootNode;
  if (firstSyntaxError(root)) {
    const found = await parseEvaluatorClass(source, file);
    if ('problem' in found) return [found.problem];
    root = found.node;
  }
  const found: Diagnostic[] = [];
  for (const rule of MEMORY_HANDLING_RULES) {
    for (const node of findNodes(root, rule.test)) found.push({ severity: 'error', file, ...positionOf(source, node.startIndex), message: rule.message });
  }
  return found.sort((a, b) => a.line! - b.line! || a.column! - b.column!);
}
