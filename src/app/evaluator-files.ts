/**
 * Which of an app's Swift files declare the evaluator class (`class VLMEvaluator`, with whatever
 * attributes and modifiers stand before it): the file `memtier patch` rewrites and
 * `evaluator.source` names.
 */
import { readFile, stat } from 'node:fs/promises';
import { EVALUATOR_CLASS } from '../patch/evaluator-class.js';
import { findTopLevelClasses } from '../patch/swift-source.js';

/** Swift files over this size are generated or vendored, not an app's view model; they are not read. */
const MAX_SWIFT_BYTES = 2 * 1024 * 1024;

/** A cheap test before the scanner: most files never mention the class at all. */
const MENTIONS_CLASS = new RegExp(`\\bclass\\s+${EVALUATOR_CLASS}\\b`);

/**
 * The files among `swiftFiles` that declare `class VLMEvaluator` at the top level, outside comments
 * and string literals (the same scanner `patch` uses), in the order given.
 */
export async function findEvaluatorFiles(swiftFiles: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const path of swiftFiles) {
    const size = (await stat(path).catch(() => undefined))?.size;
    if (size === undefined || size > MAX_SWIFT_BYTES) continue;
    const text = await readFile(path, 'utf8').catch(() => '');
    if (MENTIONS_CLASS.test(text) && findTopLevelClasses(text, EVALUATOR_CLASS).length > 0) found.push(path);
  }
  return found;
}
