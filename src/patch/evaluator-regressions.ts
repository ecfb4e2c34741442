/**
 * What `memtier check` looks for in the app's evaluator source: memory handling that bypasses the
 * generated code, which is how the old bugs would come back.
 */
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

/** Every regression in an evaluator source file, in file order; a syntax error is reported as one. */
export async function findRegressions(source: string): Promise<Regression[]> {
  const root = (await parseSwift(source)).rootNode;
  const error = firstSyntaxError(root);
  if (error) return [{ ...positionOf(source, error.startIndex), message: 'the file does not parse as Swift here' }];
  const found: Regression[] = [];
  for (const rule of RULES) {
    for (const node of findNodes(root, rule.test)) found.push({ ...positionOf(source, node.startIndex), message: rule.message });
  }
  return found.sort((a, b) => a.line - b.line || a.column - b.column);
}
