/**
 * `memtier patch`: rewrites the app's hand-written evaluator class to use the generated API. Edits
 * are computed on the syntax tree of the class alone and applied by offset, so everything they do
 * not touch, inside the class and out, stays byte for byte. See docs/patch.md for the shapes.
 */
import { notMainActor, unsupportedShape } from './class-shape.js';
import { classMembers, CLASS_FREE_INTEGRATION, EVALUATOR_CLASS, parseEvaluatorClass, type ClassMember, type EvaluatorClassOptions } from './evaluator-class.js';
import { touchesBlanked } from './grammar-gaps.js';
import { hoistEdits, statementOf, usesInPerform } from './perform-closures.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { ADDED_EVALUATOR_MEMBERS, REPLACED_EVALUATOR_MEMBERS } from '../swift/generated-api.js';
import { LIMIT_SETTING, THREAD_SLEEP_RULE } from './memory-handling.js';
import { hoist, imageSizeCall, problemAt, removeStatement, RESIZE, rewriteIf, topLevelPredicateIfs, type Context } from './rewrite-decisions.js';
import { findNodes, type SwiftNode } from './swift-parser.js';
import { findTopLevelClasses } from './swift-source.js';
import { applyEdits, indentationAt, lineEnd, lineStart, positionOf, tidyRemovals, withBlankLineAbove } from './text-edits.js';
import { wireGenerationTasks } from './wire-generation-task.js';
import { wireLifecycle } from './wire-lifecycle.js';
import { loadMethods, wireLoad } from './wire-load.js';

/** The rewritten source, or every construct that stops the rewrite. */
export type PatchResult = { ok: true; output: string } | { ok: false; problems: Diagnostic[] };

const REPLACED_MEMBERS: ReadonlySet<string> = new Set(REPLACED_EVALUATOR_MEMBERS);
const GENERATED_MEMBERS: ReadonlySet<string> = new Set(ADDED_EVALUATOR_MEMBERS);

/**
 * Rewrites `source`; `file` is how problems name it, `options.className` the class it rewrites
 * (default `VLMEvaluator`). An already patched file comes back unchanged. Never throws for bad Swift.
 */
export async function patchEvaluator(source: string, file: string, options: EvaluatorClassOptions = {}): Promise<PatchResult> {
  const [lexical] = findTopLevelClasses(source, options.className ?? EVALUATOR_CLASS).map((range) => ({ ...range, kind: 'class' as const }));
  const isolation = lexical && notMainActor(source, file, lexical);
  if (isolation) return { ok: false, problems: [isolation] };
  const found = await parseEvaluatorClass(source, file, options);
  if ('problem' in found) return { ok: false, problems: [found.problem] };
  const classNode = found.node;
  const className = found.range.name;
  const shape = unsupportedShape({ source, file, range: found.range, classNode });
  if (shape) return { ok: false, problems: [shape] };
  const members = classMembers(classNode);
  const predicates = members.filter((member) => isMemoryPredicate(member.node) && !REPLACED_MEMBERS.has(member.name ?? ''));
  const replaced = members.filter((member) => member.name !== undefined && REPLACED_MEMBERS.has(member.name));
  const gone = [...predicates, ...replaced].map((member) => member.node);
  const insideGone = (node: SwiftNode) => gone.some((member) => node.startIndex >= member.startIndex && node.endIndex <= member.endIndex);
  const context: Context = {
    source, file, classNode, predicates: new Set(predicates.map((member) => member.name!)), edits: [], problems: [], reported: [], hoists: new Map(),
    loadMethods: loadMethods(classNode), droppedLimits: [],
  };
  const locals = localPredicates(classNode, context.predicates).filter((node) => !insideGone(node));
  for (const local of locals) context.predicates.add(local.childForFieldName('name')?.text ?? '');
  const hasConfiguration = members.some((member) => member.name === 'memoryConfiguration');
  const unconditional = unconditionalStatements(classNode, context.predicates).filter((node) => !insideGone(node));
  const migrates = predicates.length > 0 || replaced.length > 0 || locals.length > 0 || unconditional.length > 0;
  if (!migrates && !hasConfiguration) {
    return { ok: false, problems: [{ severity: 'error', file, ...positionOf(source, classNode.startIndex), message: `${className} sets no MLX limits, no image size, no generation parameters and no device predicates; there is nothing for memtier patch to migrate, so adopt the generated extension by hand (see docs/generated-swift.md), or ${CLASS_FREE_INTEGRATION}` }] };
  }
  for (const member of members) {
    if (member.name && GENERATED_MEMBERS.has(member.name)) problemAt(context, member.node, `${className} already declares ${member.name}, which the generated extension provides; rename or remove it first`);
  }

  // A class already on the generated API (patched before, or adopted by hand) gets only the wiring
  // it lacks: load() through loadModelOnce, the monitor started, the releases after an answer and a
  // cancel, its generation task started through startGenerationTask.
  const declaresInit = replaceDeclarations(context, members, predicates, replaced, hasConfiguration);
  for (const local of locals) removeStatement(context, statementOf(local));
  for (const statement of topLevelPredicateIfs(classNode, context.predicates)) {
    if (!insideGone(statement)) rewriteIf(context, statement);
  }
  rewriteUnconditional(context, unconditional);
  removeLocalsOnlyLimitsRead(context);
  wireLoad(context);
  wireLifecycle(context, declaresInit);
  wireGenerationTasks(context);
  for (const { statement } of usesInPerform(classNode, 'generateParameters')) hoist(context, statement, 'generateParameters');
  context.edits.push(...hoistEdits(source, context.hoists));
  reportLeftovers(context);
  if (context.problems.length > 0) return { ok: false, problems: context.problems };
  if (context.edits.length === 0) return { ok: true, output: source };
  const overlap = firstOverlap(context);
  if (overlap) return { ok: false, problems: [overlap] };
  const gap = touchesBlanked(found.blanked, context.edits);
  if (gap) {
    return { ok: false, problems: [{ severity: 'error', file, ...positionOf(source, gap.start), message: `memtier patch would rewrite code that holds \`${gap.text}\`, which its Swift grammar cannot read; nothing was written. Move the memory handling out of this statement by hand, or ${CLASS_FREE_INTEGRATION}` }] };
  }
  const output = applyEdits(source, tidyRemovals(source, context.edits));
  // Read what would be written before anyone can write it: the rewritten class must parse.
  const again = await parseEvaluatorClass(output, file, options);
  if ('problem' in again) {
    return { ok: false, problems: [{ ...again.problem, message: `the rewritten class would not parse (${again.problem.message}); nothing was written. This is a memtier bug: please report it with the file` }] };
  }
  return { ok: true, output };
}

/** A computed property that decides something from `physicalMemory`: `isLowMemoryDevice` and the like. */
function isMemoryPredicate(node: SwiftNode): boolean {
  return node.type === 'property_declaration' && node.childForFieldName('computed_value') !== null && /\bphysicalMemory\b/.test(node.text);
}

/**
 * Local constants that read device memory (`let physicalMemory = ProcessInfo…physicalMemory`) or
 * decide from it (`let isLowMemoryDevice = physicalMemory <= …`), in methods and closures.
 */
function localPredicates(classNode: SwiftNode, memberNames: Set<string>): SwiftNode[] {
  const body = classNode.childForFieldName('body');
  const candidates = findNodes(classNode, (node) => node.type === 'property_declaration' && node.parent !== body && node.parent?.type === 'statements' && /^let\b/.test(node.text));
  const names = new Set([...memberNames, 'physicalMemory']);
  const found: SwiftNode[] = [];
  let grew = true;
  while (grew) {
    grew = false;
    for (const node of candidates) {
      if (found.includes(node)) continue;
      const value = node.text.slice(node.text.indexOf('=') + 1).replace(/\/\/.*$/gm, '').trim();
      // A read of physicalMemory, or a combination of predicates (`a || b`); `p ? 1 : 2` is a decision, not a predicate.
      const combination = value.replace(/[A-Za-z_][A-Za-z0-9_]*/g, (word) => (names.has(word) ? '' : word)).replace(/[\s()!|&]/g, '') === '';
      if (/\bphysicalMemory\b/.test(value) || combination) {
        found.push(node);
        names.add(node.childForFieldName('name')?.text ?? '');
        grew = true;
      }
    }
  }
  return found.sort((a, b) => a.startIndex - b.startIndex);
}

/** Limit calls and resizes written outside any predicate decision: hard-coded for every device. */
function unconditionalStatements(classNode: SwiftNode, predicates: Set<string>): SwiftNode[] {
  const underPredicateIf = (node: SwiftNode) => {
    for (let parent = node.parent; parent && parent !== classNode; parent = parent.parent) {
      const condition = parent.type === 'if_statement' ? parent.childForFieldName('condition') : null;
      if (condition && [...predicates, 'physicalMemory'].some((name) => new RegExp(`\\b${name}\\b`).test(condition.text))) return true;
    }
    return false;
  };
  return findNodes(classNode, (node) =>
    node.parent?.type === 'statements' && (LIMIT_SETTING.test(node.text.trim()) || RESIZE.test(node.text.trim())) && !underPredicateIf(node));
}

/** The first limit call of a method becomes `applyMemoryLimits()` (others go); a resize becomes the tier's. */
function rewriteUnconditional(context: Context, statements: SwiftNode[]): void {
  const methodsWithLimits = new Set(context.edits.filter((edit) => edit.replacement === 'applyMemoryLimits()').map((edit) => enclosingMethodStart(context.classNode, edit.start)));
  for (const node of statements) {
    const text = node.text.trim();
    const resize = RESIZE.exec(text);
    if (resize) {
      context.edits.push({ start: node.startIndex, end: node.endIndex, replacement: imageSizeCall(context, node, resize[1]!) });
      continue;
    }
    const method = enclosingMethodStart(context.classNode, node.startIndex);
    context.droppedLimits.push(node);
    if (methodsWithLimits.has(method)) removeStatement(context, node);
    else {
      methodsWithLimits.add(method);
      context.edits.push({ start: node.startIndex, end: node.endIndex, replacement: 'applyMemoryLimits()' });
    }
  }
}

function enclosingMethodStart(classNode: SwiftNode, offset: number): number {
  const body = classNode.childForFieldName('body');
  return body?.namedChildren.find((member) => member.startIndex <= offset && offset < member.endIndex)?.startIndex ?? -1;
}

/**
 * Removes predicates and replaced members. `memoryConfiguration` (and an `init` that starts the
 * monitor, if the class has none) takes the place of the first of them, unless it is declared;
 * where none goes (a class that only sets limits by hand), it comes before the class's first
 * initializer or method. True when it adds an `init`.
 */
function replaceDeclarations(context: Context, members: ClassMember[], predicates: ClassMember[], replaced: ClassMember[], hasConfiguration: boolean): boolean {
  const { source } = context;
  const removed = [...predicates, ...replaced].sort((a, b) => a.start - b.start);
  if (hasConfiguration) {
    for (const member of removed) removeMember(context, member);
    return false;
  }
  const [first, ...others] = removed;
  const hasInit = members.some((member) => member.node.type === 'init_declaration');
  const anchor = first ?? members.find((member) => ['init_declaration', 'function_declaration'].includes(member.node.type)) ?? members[members.length - 1];
  if (!anchor) return false;
  const indent = indentationAt(source, anchor.node.startIndex);
  const init = hasInit ? '' : `\n${indent}init() {\n${indent}${indent}startMemoryMonitoring()\n${indent}}\n`;
  const declarations = `${indent}/// This device's memory tier limits (generated by memtier; see ${context.classNode.childForFieldName('name')?.text ?? 'VLMEvaluator'}+MemoryPolicy.swift).\n` +
    `${indent}var memoryConfiguration = MemoryConfiguration.current\n${generationTaskDeclaration(context, members, indent)}${init}`;
  if (first) {
    context.edits.push({ start: lineStart(source, first.start), end: lineEnd(source, first.node.endIndex), replacement: declarations });
  } else {
    // Before a method: after its own declarations, a blank line. (After the last member, before it.)
    const at = anchor === members[members.length - 1] && !['init_declaration', 'function_declaration'].includes(anchor.node.type) ? lineEnd(source, anchor.node.endIndex) : lineStart(source, anchor.start);
    context.edits.push({ start: at, end: at, replacement: at === lineStart(source, anchor.start) ? `${declarations}\n` : `\n${declarations}` });
  }
  for (const member of others) removeMember(context, member);
  return !hasInit;
}

function removeMember(context: Context, member: ClassMember): void {
  const { source } = context;
  context.edits.push({ start: withBlankLineAbove(source, lineStart(source, member.start)), end: lineEnd(source, member.node.endIndex), replacement: '' });
}

/**
 * A local constant whose only reads were in MLX limit calls the rewrite removes goes too, with the
 * comment lines above it: HuggingSnap computes its memory limit from `os_proc_available_memory()`
 * into a local that only `GPU.set(memoryLimit:)` read, and a constant nothing reads is a warning
 * (an error with `-warnings-as-errors`).
 */
function removeLocalsOnlyLimitsRead(context: Context): void {
  const dropped = (node: SwiftNode) => context.droppedLimits.some((limit) => node.startIndex >= limit.startIndex && node.endIndex <= limit.endIndex);
  for (const limit of context.droppedLimits) {
    const method = context.classNode.childForFieldName('body')?.namedChildren.find((member) => member.startIndex <= limit.startIndex && limit.endIndex <= member.endIndex);
    if (!method) continue;
    const names = new Set(findNodes(limit, (node) => node.type === 'simple_identifier').map((node) => node.text));
    for (const declaration of findNodes(method, (node) => node.type === 'property_declaration' && node.parent?.type === 'statements' && node.endIndex <= limit.startIndex)) {
      const name = declaration.childForFieldName('name')?.text;
      if (!name || !names.has(name) || context.edits.some((edit) => edit.start <= declaration.startIndex && declaration.endIndex <= edit.end && edit.end > edit.start)) continue;
      const reads = findNodes(method, (node) => node.type === 'simple_identifier' && node.text === name && !(node.startIndex >= declaration.startIndex && node.endIndex <= declaration.endIndex));
      if (reads.length > 0 && reads.every(dropped)) removeStatement(context, declaration);
    }
  }
}

/** Any predicate use or `Thread.sleep` left in the class after the edits stops the patch, once per place. */
function reportLeftovers(context: Context): void {
  const covered = (node: SwiftNode) =>
    context.edits.some((edit) => node.startIndex >= edit.start && node.endIndex <= edit.end) ||
    context.reported.some((problem) => node.startIndex >= problem.startIndex && node.endIndex <= problem.endIndex);
  for (const use of findNodes(context.classNode, (node) => node.type === 'simple_identifier' && context.predicates.has(node.text))) {
    if (!covered(use)) problemAt(context, use, `\`${use.text}\` is still used here; replace it with memoryConfiguration (or DeviceMemoryTier.current) by hand, then run patch again`);
  }
  for (const sleep of findNodes(context.classNode, THREAD_SLEEP_RULE.test)) {
    if (!covered(sleep)) problemAt(context, sleep, THREAD_SLEEP_RULE.message);
  }
}

/** Two rewrites of the same text: refused with its place, never applied. */
function firstOverlap(context: Context): Diagnostic | undefined {
  const sorted = [...context.edits].sort((a, b) => a.start - b.start || a.end - b.end);
  for (let index = 1; index < sorted.length; index++) {
    const [previous, edit] = [sorted[index - 1]!, sorted[index]!];
    if (edit.start < previous.end || (edit.start === previous.start && edit.end === previous.end && edit.start !== edit.end)) {
      return { severity: 'error', file: context.file, ...positionOf(context.source, edit.start), message: 'two rewrites of memtier patch meet here (a decision inside another one it rewrites); nothing was written. Simplify this code by hand, or report the file' };
    }
  }
  return undefined;
}

/**
 * The extension stops the running generation and waits for it (on cancel and in an emergency), so
 * it reads `generationTask`: a `private` one is opened to the module, and a class without one gets
 * it (declared here; the app assigns it where it starts a generation).
 */
function generationTaskDeclaration(context: Context, members: ClassMember[], indent: string): string {
  const task = members.find((member) => member.name === 'generationTask');
  if (task) {
    const hidden = /^(private|fileprivate)\s+/.exec(task.node.text);
    if (hidden) context.edits.push({ start: task.node.startIndex, end: task.node.startIndex + hidden[0].length, replacement: '' });
    return '';
  }
  return `${indent}/// The running generation: cancelling and memory emergencies stop it, and wait for it.\n${indent}var generationTask: Task<Void, Error>?\n`;
}
