/**
 * The calls into the generated runtime that a class makes at points of its own life cycle, where
 * memtier patch finds the class lacks them:
 *
 * - `startMemoryMonitoring()` in each `init` (the emergency, the app's life cycle, and the stress
 *   test's `releaseOtherEvaluators` reach only an evaluator that called it);
 * - `releaseModelAfterGeneration()` at the end of each generation, inside the generation's task:
 *   the last statement of the `async` method, or of the
 *   `Task { … }` (or `startGenerationTask { … }`), whose `perform` closure calls the library's
 *   `generate`;
 * - `releaseMemoryAfterCancel()` right after `generationTask?.cancel()` in a method that cancels
 *   (its name says cancel or stop).
 *
 * A class that already calls one of them anywhere keeps its own placement. Calls the decision
 * rewrites made (an unload after an answer, a clean-up on cancel) count as made.
 */
import { classMembers } from './evaluator-class.js';
import { problemAt, type Context } from './rewrite-decisions.js';
import { findNodes, memberName, type SwiftNode } from './swift-parser.js';
import { indentationAt, lineEnd, lineStart } from './text-edits.js';
import { START_GENERATION_TASK } from './wire-generation-task.js';

const START_MONITORING = 'startMemoryMonitoring()';
const RELEASE_AFTER_ANSWER = 'releaseModelAfterGeneration()';
const RELEASE_AFTER_CANCEL = 'releaseMemoryAfterCancel()';

/** Adds the calls the class lacks; `declaresInit` is true when the rewrite adds an `init` of its own. */
export function wireLifecycle(context: Context, declaresInit: boolean): void {
  // A call the class makes and the rewrite keeps, or one the rewrite writes (a comment naming it is neither).
  const removed = (node: SwiftNode) => context.edits.some((edit) => edit.end > edit.start && node.startIndex >= edit.start && node.endIndex <= edit.end);
  const calls = (call: string) =>
    findNodes(context.classNode, (node) => node.type === 'call_expression' && node.text.replace(/^self\s*\.\s*/, '') === call && !removed(node)).length > 0 ||
    context.edits.some((edit) => edit.replacement.includes(call));
  if (!calls(START_MONITORING) && !declaresInit) startMonitoringInInits(context);
  if (!calls(RELEASE_AFTER_ANSWER)) {
    for (const scope of generationScopes(context)) insertAtEnd(context, scope, RELEASE_AFTER_ANSWER);
  }
  if (!calls(RELEASE_AFTER_CANCEL)) {
    for (const cancel of cancelStatements(context.classNode)) {
      const at = lineEnd(context.source, cancel.endIndex);
      context.edits.push({ start: at, end: at, replacement: `${indentationAt(context.source, cancel.startIndex)}${RELEASE_AFTER_CANCEL}\n` });
    }
  }
}

/** Each designated `init` of the class ends by starting the monitor. */
function startMonitoringInInits(context: Context): void {
  for (const member of classMembers(context.classNode)) {
    if (member.node.type !== 'init_declaration' || /\bself\s*\.\s*init\s*\(/.test(member.node.text)) continue;
    const body = member.node.childForFieldName('body');
    if (body) insertAtEnd(context, body, START_MONITORING);
  }
}

/**
 * Where a generation runs to its end: for each `perform` call whose closure calls `generate(…)`,
 * the `Task { … }` closure or the `async` method around it, whichever is nearer.
 */
function generationScopes(context: Context): SwiftNode[] {
  const performs = findNodes(context.classNode, (node) =>
    node.type === 'call_expression' && /\.\s*perform$/.test(node.namedChildren[0]?.text ?? '') && findNodes(node, isGenerateCall).length > 0);
  const scopes: SwiftNode[] = [];
  for (const perform of performs) {
    const scope = generationScope(context, perform);
    if (scope && !scopes.some((known) => known.id === scope.id)) scopes.push(scope);
  }
  return scopes;
}

function generationScope(context: Context, perform: SwiftNode): SwiftNode | undefined {
  const refuse = (message: string) => {
    problemAt(context, perform, `${message}; call ${RELEASE_AFTER_ANSWER} at the end of the generation, inside the task that runs it, by hand, then run patch again`);
    return undefined;
  };
  for (let node = perform.parent; node && node.id !== context.classNode.id; node = node.parent) {
    if (node.type === 'lambda_literal') {
      const callee = node.parent?.type === 'call_suffix' ? node.parent.parent?.namedChildren[0]?.text : undefined;
      if (callee === 'Task' || callee === START_GENERATION_TASK) return node;
      return refuse(`this generation runs in a closure${callee ? ` passed to ${callee}` : ''}, not in a method or a \`Task\` memtier can end it in`);
    }
    if (node.type === 'function_declaration') {
      const body = node.childForFieldName('body');
      const signature = context.source.slice(node.startIndex, body?.startIndex ?? node.endIndex);
      if (!body || !/\basync\b/.test(signature)) return refuse(`${memberName(node) ?? 'this method'}() runs a generation but is not \`async\``);
      return body;
    }
  }
  return undefined;
}

/** `generate(…)` or `MLXLMCommon.generate(…)`: the library's generation. */
function isGenerateCall(node: SwiftNode): boolean {
  return node.type === 'call_expression' && /^(MLXLMCommon\s*\.\s*)?generate$/.test(node.namedChildren[0]?.text ?? '');
}

/** `generationTask?.cancel()` said directly in a method named for cancelling or stopping. */
function cancelStatements(classNode: SwiftNode): SwiftNode[] {
  return classMembers(classNode).flatMap(({ node }) => {
    if (node.type !== 'function_declaration' || !/cancel|stop/i.test(memberName(node) ?? '')) return [];
    const statements = node.childForFieldName('body')?.namedChildren.find((child) => child.type === 'statements');
    return (statements?.namedChildren ?? []).filter((statement) => /^(await\s+)?(self\s*\.\s*)?generationTask\s*\??\s*\.\s*cancel\s*\(\s*\)$/.test(statement.text.trim()));
  });
}

/**
 * Inserts `call` as the last statement of a `{ … }` block (a method body or a closure), or before a
 * final `return`/`throw`, at the indentation of the block's statements. The closing brace must be
 * on its own line.
 */
function insertAtEnd(context: Context, block: SwiftNode, call: string): void {
  const { source } = context;
  const close = block.child(block.childCount - 1);
  const statements = block.namedChildren.find((child) => child.type === 'statements')?.namedChildren.filter((child) => !child.type.endsWith('comment')) ?? [];
  if (!close || close.type !== '}' || source.slice(lineStart(source, close.startIndex), close.startIndex).trim() !== '' || statements.length === 0) {
    problemAt(context, block, `memtier patch adds ${call} at the end of this block, which it cannot read that way (its closing brace shares a line, or it is empty); add the call by hand, then run patch again`);
    return;
  }
  const last = statements[statements.length - 1]!;
  const indent = indentationAt(source, statements[0]!.startIndex);
  const before = /^(return|throw)\b/.test(last.text.trim()) ? lineStart(source, last.startIndex) : lineStart(source, close.startIndex);
  context.edits.push({ start: before, end: before, replacement: `${indent}${call}\n` });
}
