/**
 * `memtier patch`: rewrites the hand-written evaluator (the design document's "current" code) to
 * use the generated API. Edits are computed on the syntax tree and applied by offset, so
 * everything they do not touch stays byte for byte.
 */
import { classMembers, enclosingMemberName, findEvaluatorClass, type ClassMember } from './evaluator-class.js';
import { findNodes, parseSwift, type SwiftNode } from './swift-parser.js';
import { applyEdits, indentationAt, lineEnd, lineStart, positionOf, withBlankLineAbove, type TextEdit } from './text-edits.js';

/** A construct patch cannot rewrite safely, at a 1-based line and column. */
export interface PatchProblem {
  line: number;
  column: number;
  message: string;
}

/** The rewritten source, or every construct that stops the rewrite. */
export type PatchResult = { ok: true; output: string } | { ok: false; problems: PatchProblem[] };

/** Members the generated extension provides in place of the hand-written ones; patch removes these. */
const REPLACED_MEMBERS = new Set(['generateParameters', 'unloadModel', 'handleMemoryEmergency', 'emergencyMemoryReset']);

/** Members only the generated extension may declare; a hand-written one would clash. */
const GENERATED_MEMBERS = new Set([
  'shouldKeepModelLoaded', 'applyMemoryLimits', 'applyImageSize', 'releaseMemoryAfterCancel',
  'releaseModelAfterGeneration', 'startMemoryMonitoring', 'clearCacheInBackground', 'releaseMemory', 'downscaled',
]);

const LIMIT_CALL = /^(MLX\.)?(GPU\.set\((cacheLimit|memoryLimit):|Memory\.(cacheLimit|memoryLimit)\s*=)/;
const RESIZE = /^([A-Za-z_][A-Za-z0-9_]*)\.processing\.resize\s*=/;
const CLEANUP_CALL = /^((MLX\.)?(GPU|Memory)\.clearCache\(\)|unloadModel\(\)|eval\(\))$/;

interface Context {
  source: string;
  predicates: Set<string>;
  edits: TextEdit[];
  problems: PatchProblem[];
}

/** Rewrites `source`; an already patched file comes back unchanged. Never throws for bad Swift. */
export async function patchEvaluator(source: string): Promise<PatchResult> {
  const tree = await parseSwift(source);
  const found = findEvaluatorClass(tree.rootNode);
  const problem = (node: SwiftNode | undefined, message: string): PatchProblem => ({ ...positionOf(source, node?.startIndex ?? 0), message });
  if ('message' in found) return { ok: false, problems: [problem(found.node, found.message)] };

  const members = classMembers(found.node);
  const predicates = members.filter((member) => isMemoryPredicate(member.node));
  const context: Context = { source, predicates: new Set(predicates.map((member) => member.name!)), edits: [], problems: [] };
  const hasConfiguration = members.some((member) => member.name === 'memoryConfiguration');
  const replaced = members.filter((member) => member.name !== undefined && REPLACED_MEMBERS.has(member.name));
  if (predicates.length === 0 && replaced.length === 0) {
    if (hasConfiguration) return { ok: true, output: source };
    return { ok: false, problems: [problem(found.node, `${'VLMEvaluator'} has no device predicates on physicalMemory and no memoryConfiguration; this is not the shape memtier patch rewrites (see the README), so adopt the generated extension by hand`)] };
  }
  for (const member of members) {
    if (member.name && GENERATED_MEMBERS.has(member.name)) {
      context.problems.push(problem(member.node, `VLMEvaluator already declares ${member.name}, which the generated extension provides; rename or remove it first`));
    }
  }

  replaceDeclarations(context, members, predicates, replaced, hasConfiguration);
  const removed = [...context.edits];
  for (const statement of topLevelPredicateIfs(found.node, context.predicates)) {
    if (!removed.some((edit) => statement.startIndex >= edit.start && statement.endIndex <= edit.end)) rewriteIf(context, statement);
  }
  reportLeftovers(context, found.node, problem);
  if (context.problems.length > 0) return { ok: false, problems: context.problems };
  return { ok: true, output: applyEdits(source, context.edits) };
}

/** A computed property that decides something from `physicalMemory`: `isLowMemoryDevice` and the like. */
function isMemoryPredicate(node: SwiftNode): boolean {
  return node.type === 'property_declaration' && node.childForFieldName('computed_value') !== null && /\bphysicalMemory\b/.test(node.text);
}

/** Removes predicates and replaced members; the first predicate becomes `memoryConfiguration` (and an init, if none). */
function replaceDeclarations(context: Context, members: ClassMember[], predicates: ClassMember[], replaced: ClassMember[], hasConfiguration: boolean): void {
  const { source } = context;
  const [first, ...others] = predicates;
  if (first && !hasConfiguration) {
    const indent = indentationAt(source, first.node.startIndex);
    const hasInit = members.some((member) => member.node.type === 'init_declaration');
    const init = hasInit ? '' : `\n${indent}init() {\n${indent}${indent}startMemoryMonitoring()\n${indent}}\n`;
    context.edits.push({
      start: lineStart(source, first.start),
      end: lineEnd(source, first.node.endIndex),
      replacement: `${indent}/// This device's memory tier limits (generated by memtier; see VLMEvaluator+MemoryPolicy.swift).\n` +
        `${indent}var memoryConfiguration = MemoryConfiguration.current\n${init}`,
    });
  } else if (first) {
    others.unshift(first);
  }
  for (const member of [...others, ...replaced]) {
    context.edits.push({ start: withBlankLineAbove(source, lineStart(source, member.start)), end: lineEnd(source, member.node.endIndex), replacement: '' });
  }
}

/** `if` statements whose conditions use a predicate and that are not inside another such `if`. */
function topLevelPredicateIfs(classNode: SwiftNode, predicates: Set<string>): SwiftNode[] {
  const uses = (node: SwiftNode) => {
    const condition = node.childForFieldName('condition');
    return condition !== null && findNodes(condition, (child) => child.type === 'simple_identifier' && predicates.has(child.text)).length > 0;
  };
  return findNodes(classNode, (node) => {
    if (node.type !== 'if_statement' || !uses(node)) return false;
    for (let parent = node.parent; parent && parent !== classNode; parent = parent.parent) {
      if (parent.type === 'if_statement' && uses(parent)) return false;
    }
    return true;
  });
}

/** The statements of every branch of an `if` chain (nested `if`s flattened), without comments. */
function branchStatements(ifNode: SwiftNode): SwiftNode[] {
  return ifNode.namedChildren.flatMap((child) => {
    if (child.type === 'if_statement') return branchStatements(child);
    if (child.type !== 'statements') return [];
    return child.namedChildren.flatMap((statement) =>
      statement.type === 'comment' || statement.type === 'multiline_comment' ? [] : statement.type === 'if_statement' ? branchStatements(statement) : [statement]);
  });
}

/** Replaces one decision the class made from device predicates with a call into the generated API. */
function rewriteIf(context: Context, node: SwiftNode): void {
  const statements = branchStatements(node);
  const texts = statements.map((statement) => statement.text.trim());
  const replaceWith = (replacement: string): void => {
    context.edits.push({ start: node.startIndex, end: node.endIndex, replacement });
  };
  const inside = enclosingMemberName(node);

  if (texts.length > 0 && texts.every((text) => LIMIT_CALL.test(text))) return replaceWith('applyMemoryLimits()');
  const resized = texts.map((text) => RESIZE.exec(text)?.[1]);
  if (texts.length > 0 && resized.every((name) => name !== undefined && name === resized[0])) return replaceWith(`applyImageSize(to: &${resized[0]})`);
  if (texts.some((text) => /\bloadState\s*=\s*\.loaded\(/.test(text))) return rewriteCachingCondition(context, node);
  if (inside === 'cancelGeneration' && texts.length > 0 && texts.every((text) => CLEANUP_CALL.test(text))) return replaceWith('releaseMemoryAfterCancel()');
  if (texts.length > 0 && texts.every((text) => text === 'unloadModel()')) return replaceWith('releaseModelAfterGeneration()');
  context.problems.push({
    ...positionOf(context.source, node.startIndex),
    message: 'cannot rewrite this decision on device memory safely; memtier patch knows GPU limit chains, image resize chains, model caching, unloading after a generation and clean-up on cancel. Use memoryConfiguration (or a generated helper) here by hand, then run patch again',
  });
}

/** `if isLowMemoryDevice { ...return } else { loadState = .loaded(...) }` keeps its branches, with the tier's decision as condition. */
function rewriteCachingCondition(context: Context, node: SwiftNode): void {
  const condition = node.childForFieldName('condition')!;
  const match = /^(!?)\s*([A-Za-z_][A-Za-z0-9_]*)$/.exec(condition.text.trim());
  const thenBranch = node.namedChildren.find((child) => child.type === 'statements');
  const cachesInThen = thenBranch !== undefined && /\bloadState\s*=\s*\.loaded\(/.test(thenBranch.text);
  if (!match || !context.predicates.has(match[2]!) || node.namedChildren.some((child) => child.type === 'if_statement')) {
    context.problems.push({ ...positionOf(context.source, condition.startIndex), message: 'the model-caching decision must test one device predicate (e.g. `if isLowMemoryDevice`) with a plain else; rewrite it with shouldKeepModelLoaded by hand' });
    return;
  }
  // The predicate is true on small devices; caching happens where the branch that stores the model runs.
  const negated = match[1] === '!';
  const keep = cachesInThen === negated ? '!shouldKeepModelLoaded' : 'shouldKeepModelLoaded';
  context.edits.push({ start: condition.startIndex, end: condition.endIndex, replacement: keep });
}

/** Any predicate use or `Thread.sleep` left in the class after the edits stops the patch. */
function reportLeftovers(context: Context, classNode: SwiftNode, problem: (node: SwiftNode, message: string) => PatchProblem): void {
  const covered = (node: SwiftNode) => context.edits.some((edit) => node.startIndex >= edit.start && node.endIndex <= edit.end);
  for (const use of findNodes(classNode, (node) => node.type === 'simple_identifier' && context.predicates.has(node.text))) {
    if (!covered(use)) context.problems.push(problem(use, `\`${use.text}\` is still used here; replace it with memoryConfiguration (or DeviceMemoryTier.current) by hand, then run patch again`));
  }
  for (const sleep of findNodes(classNode, (node) => node.type === 'call_expression' && /^Thread\.sleep\b/.test(node.text))) {
    if (!covered(sleep)) context.problems.push(problem(sleep, '`Thread.sleep` blocks the main actor; remove it (the generated unloadModel() releases memory without sleeping)'));
  }
}
