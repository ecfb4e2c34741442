/**
 * What `memtier check` looks for in the app's evaluator source: memory handling that bypasses the
 * generated code, which is how the old bugs would come back.
 */
import { parseEvaluatorClass } from './evaluator-class.js';
import { findNodes, firstSyntaxError, parseSwift, type SwiftNode } from './swift-parser.js';
import { positionOf } from './text-edits.js';

/** One regression at a 1-based line and column. */
export interface Regression {
  line: number;
  column: number;
  message: string;
}

const RULES: { test: (node: SwiftNode) => boolean; message: string }[] = [
  {
    test: (node) => node.type === 'call_expression' && /^Thread\s*\.\s*sleep\b/.test(node.text),
    message: '`Thread.sleep` blocks the thread it runs on (the main actor, in the evaluator); the generated unloadModel() releases memory without sleeping',
  },
  {
    test: (node) => node.type === 'navigation_expression' && /\.\s*physicalMemory$/.test(node.text),
    message: 'decides from physicalMemory outside the generated code; use memoryConfiguration (MemoryConfiguration.current) or DeviceMemoryTier.current, so the thresholds stay in tiers.yaml',
  },
  {
    test: (node) =>
      (node.type === 'call_expression' && /^(MLX\s*\.\s*)?GPU\s*\.\s*set\s*\(\s*(cacheLimit|memoryLimit)\s*:/.test(node.text)) ||
      (node.type === 'assignment' && /^(MLX\s*\.\s*)?Memory\s*\.\s*(cacheLimit|memoryLimit)\s*=/.test(node.text)),
    message: 'sets an MLX memory limit outside the generated extension; call applyMemoryLimits() so the tier decides',
  },
];

/**
 * Every regression in an evaluator source file, in file order. The whole file is scanned when the
 * grammar reads it; otherwise (SwiftUI view code it cannot read) the VLMEvaluator class alone, as
 * `memtier patch` reads it. A syntax error in the class is reported as one, at its place.
 */
export async function findRegressions(source: string): Promise<Regression[]> {
  let root = (await parseSwift(source)).rootNode;
  if (firstSyntaxError(root)) {
    const found = await parseEvaluatorClass(source);
    if ('message' in found) return [{ ...positionOf(source, found.node?.startIndex ?? found.offset ?? 0), message: found.message }];
    root = found.node;
  }
  const found: Regression[] = [];
  for (const rule of RULES) {
    for (const node of findNodes(root, rule.test)) found.push({ ...positionOf(source, node.startIndex), message: rule.message });
  }
  return found.sort((a, b) => a.line - b.line || a.column - b.column);
}
