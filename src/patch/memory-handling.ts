/**
 * Memory handling in the app's evaluator that belongs to the generated code. `memtier check`
 * reports each of these as a regression; `memtier patch` rewrites them or refuses with the same
 * message. The matchers and their wording live here once.
 */
import type { SwiftNode } from './swift-parser.js';

/** A statement that sets an MLX limit: `GPU.set(cacheLimit:)` (mlx-swift 0.29) or `Memory.cacheLimit =` (0.30). */
export const LIMIT_SETTING = /^(MLX\s*\.\s*)?(GPU\s*\.\s*set\s*\(\s*(cacheLimit|memoryLimit)\s*:|Memory\s*\.\s*(cacheLimit|memoryLimit)\s*=)/;

/**
 * The same, found in text (comments and strings blanked) where the grammar cannot read the file:
 * group 1 is what precedes the statement, so a match's place is `index + group 1's length`.
 */
export const LIMIT_SETTING_TEXT = /(^|[^\w.$])((MLX\s*\.\s*)?(GPU\s*\.\s*set\s*\(\s*(cacheLimit|memoryLimit)\s*:|Memory\s*\.\s*(cacheLimit|memoryLimit)\s*=(?!=)))/g;

const THREAD_SLEEP = /^Thread\s*\.\s*sleep\b/;
const PHYSICAL_MEMORY_READ = /\.\s*physicalMemory$/;

/** One kind of memory handling, how to find it in the syntax tree, and what to tell the developer. */
export interface MemoryHandlingRule {
  test: (node: SwiftNode) => boolean;
  message: string;
}

/** `Thread.sleep(…)`: the old clean-up waited on the main actor. */
export const THREAD_SLEEP_RULE: MemoryHandlingRule = {
  test: (node) => node.type === 'call_expression' && THREAD_SLEEP.test(node.text),
  message: '`Thread.sleep` blocks the thread it runs on (the main actor, in the evaluator); remove it: the generated unloadModel() releases memory without sleeping',
};

/** `….physicalMemory`: a tier decision made by hand. */
export const PHYSICAL_MEMORY_RULE: MemoryHandlingRule = {
  test: (node) => node.type === 'navigation_expression' && PHYSICAL_MEMORY_READ.test(node.text),
  message: 'decides from physicalMemory outside the generated code; use memoryConfiguration (MemoryConfiguration.current) or DeviceMemoryTier.current, so the thresholds stay in tiers.yaml',
};

/** An MLX limit set outside the generated extension. */
export const LIMIT_SETTING_RULE: MemoryHandlingRule = {
  test: (node) => (node.type === 'call_expression' || node.type === 'assignment') && LIMIT_SETTING.test(node.text),
  message: 'sets an MLX memory limit outside the generated extension; call applyMemoryLimits() in the evaluator class, or MemoryPolicy.current.applyLimits() elsewhere, so the tier decides',
};

/** Every rule `memtier check` applies to the evaluator. */
export const MEMORY_HANDLING_RULES: readonly MemoryHandlingRule[] = [THREAD_SLEEP_RULE, PHYSICAL_MEMORY_RULE, LIMIT_SETTING_RULE];
