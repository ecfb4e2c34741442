/**
 * What `memtier check` looks for in the app's evaluator source: memory handling that bypasses the
 * generated code, which is how the old bugs would come back (the rules: ./memory-handling.ts).
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { parseEvaluatorClass, type RegressionOptions } from './evaluator-class.js';
import { blankGrammarGaps } from './grammar-gaps.js';
import { LIMIT_SETTING_RULE, LIMIT_SETTING_TEXT, MEMORY_HANDLING_RULES } from './memory-handling.js';
import { findNodes, firstSyntaxError, parseSwift, type SwiftNode } from './swift-parser.js';
import { blankCommentsAndStrings } from './swift-source.js';
import { positionOf } from './text-edits.js';

/**
 * Every regression in an evaluator source file, in file order; `file` is how they name it. The whole
 * file is scanned when the grammar reads it (with the constructs it predates blanked,
 * ./grammar-gaps.ts). Otherwise (SwiftUI view code it cannot read) every MLX limit set anywhere in
 * the file is still found, by its text outside comments and strings, and the evaluator class
 * (`options.className`, default VLMEvaluator) is scanned for the other rules as `memtier patch`
 * reads it; a file without that class, or a syntax error in it, is reported as one, at its place.
 * With `className: null` (the app has no such class) only the limits are looked for then.
 */
export async function findRegressions(source: string, file: string, options: RegressionOptions = {}): Promise<Diagnostic[]> {
  const whole = (await parseSwift(blankGrammarGaps(source).text)).rootNode;
  const roots: SwiftNode[] = [];
  const found = new Map<number, Diagnostic>();
  const report = (offset: number, message: string) => found.set(offset, { severity: 'error', file, ...positionOf(source, offset), message });
  if (!firstSyntaxError(whole)) roots.push(whole);
  else {
    const code = blankCommentsAndStrings(source);
    for (const match of code.matchAll(LIMIT_SETTING_TEXT)) report(match.index! + match[1]!.length, LIMIT_SETTING_RULE.message);
    if (options.className !== null) {
      const evaluator = await parseEvaluatorClass(source, file, { className: options.className });
      if ('problem' in evaluator) found.set(-1, evaluator.problem);
      else roots.push(evaluator.node);
    }
  }
  for (const root of roots) {
    for (const rule of MEMORY_HANDLING_RULES) {
      for (const node of findNodes(root, rule.test)) report(node.startIndex, rule.message);
    }
  }
  return [...found.values()].sort((a, b) => a.line! - b.line! || a.column! - b.column!);
}
