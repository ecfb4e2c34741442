/**
 * `generationTask = Task { … }` onto the generated `startGenerationTask { [self] in … }`, which
 * knows every generation until it ends, not only the latest: a stopped generation runs on until
 * the library notices, and an app whose busy flag the stopped one clears as it ends lets a tap start
 * another meanwhile, beside it, where `generationTask` names only the newest. The emergency, a
 * cancel and the app leaving the foreground then stop them all, and each waits for those before it
 * (see the generated `startGenerationTask`).
 *
 * Only the callee changes, and `[self] in` opens a closure that had no signature: `Task`'s closure
 * captures `self` implicitly, a method's closure must say so. A closure with a signature of its own
 * is rewritten only when its capture list already names `self`; otherwise patch refuses with what to
 * write. The property must be a `Task<Void, Error>?`, the type `startGenerationTask` returns.
 */
import { classMembers } from './evaluator-class.js';
import { problemAt, type Context } from './rewrite-decisions.js';
import { findNodes, type SwiftNode } from './swift-parser.js';

/** The generated method the app's generation task goes through. */
export const START_GENERATION_TASK = 'startGenerationTask';

const GENERATION_TASK = /^(self\s*\.\s*)?generationTask$/;
const RETURNED_TYPE = /^Task\s*<\s*Void\s*,\s*(any\s+)?Error\s*>\s*\?$/;

/** Rewrites each `generationTask = Task { … }` of the class, or reports why it cannot. */
export function wireGenerationTasks(context: Context): void {
  const starts = findNodes(context.classNode, (node) => node.type === 'assignment' && GENERATION_TASK.test(node.namedChildren[0]?.text.trim() ?? '') && taskCall(node) !== undefined);
  if (starts.length === 0) return;
  const declared = declaredType(context.classNode);
  if (declared !== undefined && !RETURNED_TYPE.test(declared)) {
    problemAt(context, starts[0]!, `generationTask is declared as \`${declared}\`; memtier patch starts it with \`${START_GENERATION_TASK} { [self] in … }\`, which returns a \`Task<Void, Error>\`: declare \`var generationTask: Task<Void, Error>?\`, then run patch again`);
    return;
  }
  for (const start of starts) wireStart(context, start, taskCall(start)!);
}

/** The `Task { … }` or `Task(priority: …) { … }` call assigned, with its trailing closure. */
function taskCall(assignment: SwiftNode): { callee: SwiftNode; closure: SwiftNode } | undefined {
  const call = assignment.namedChildren[assignment.namedChildren.length - 1];
  if (call?.type !== 'call_expression' || call.namedChildren[0]?.text !== 'Task') return undefined;
  const suffix = call.namedChildren.find((child) => child.type === 'call_suffix');
  const closure = suffix?.namedChildren.find((child) => child.type === 'lambda_literal');
  return closure ? { callee: call.namedChildren[0]!, closure } : undefined;
}

function wireStart(context: Context, assignment: SwiftNode, { callee, closure }: { callee: SwiftNode; closure: SwiftNode }): void {
  const children = Array.from({ length: closure.childCount }, (_, index) => closure.child(index)!);
  const hasSignature = children.some((child) => child.type === 'in');
  const captures = children.find((child) => child.type === 'capture_list');
  if (hasSignature && !(captures && /\bself\b/.test(captures.text))) {
    problemAt(context, assignment, `this generationTask's closure has a signature that does not capture self; memtier patch writes \`generationTask = ${START_GENERATION_TASK} { [self] in … }\`: write it so, then run patch again`);
    return;
  }
  context.edits.push({ start: callee.startIndex, end: callee.endIndex, replacement: START_GENERATION_TASK });
  const brace = children[0]!;
  if (!hasSignature) context.edits.push({ start: brace.endIndex, end: brace.endIndex, replacement: ' [self] in' });
}

/** The type written on the class's `generationTask` property, if the class declares one with a type. */
function declaredType(classNode: SwiftNode): string | undefined {
  for (const { node, name } of classMembers(classNode)) {
    if (name !== 'generationTask' || node.type !== 'property_declaration') continue;
    return /generationTask\s*:\s*([^={\n]+)/.exec(node.text)?.[1]?.trim();
  }
  return undefined;
}
