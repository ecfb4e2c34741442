/**
 * The decisions `memtier patch` rewrites: an `if` chain on device predicates, or an unconditional
 * statement, becomes a call into the generated API. Each rule names the shape it recognises; any
 * other decision is refused with its place.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { enclosingMemberName } from './evaluator-class.js';
import { LIMIT_SETTING } from './memory-handling.js';
import { enclosingPerformStatement } from './perform-closures.js';
import { findNodes, type SwiftNode } from './swift-parser.js';
import { lineEnd, lineStart, positionOf, type TextEdit } from './text-edits.js';

/** What the rewrite of one class accumulates. */
export interface Context {
  source: string;
  /** How problems name the file. */
  file: string;
  classNode: SwiftNode;
  /** Names that decide from device memory: predicate members and local constants. */
  predicates: Set<string>;
  edits: TextEdit[];
  /** Constructs patch cannot rewrite safely. */
  problems: Diagnostic[];
  /** Nodes a problem was reported for: nothing inside them is reported again. */
  reported: SwiftNode[];
  /** perform statements (by offset) -> members their closures now read, to capture before the call. */
  hoists: Map<number, { statement: SwiftNode; names: Set<string> }>;
  /** The methods that load the model and that patch rewrites onto loadModelOnce (see wire-load.ts). */
  loadMethods: SwiftNode[];
  /** Statements that set an MLX limit and that the rewrite removes or replaces with applyMemoryLimits(). */
  droppedLimits: SwiftNode[];
}

/** `loadState = .loaded(…)`: the app caching the model by hand, which loadModelOnce decides now. */
export const STORES_MODEL = /\bloadState\s*=\s*\.loaded\(/;
/** Whether the tier keeps the model between answers: a fact of the tier, read without sampling pressure. */
const KEEPS_MODEL = 'memoryConfiguration.keepModelLoaded';

export const RESIZE = /^([A-Za-z_][A-Za-z0-9_]*)\.processing\.resize\s*=/;
const CLEANUP_CALL = /^((MLX\.)?(GPU|Memory)\.clearCache\(\)|unloadModel\(\)|eval\(\))$/;
const PARAMETERS = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(MLXLMCommon\s*\.\s*)?GenerateParameters\s*\(/;
/** Lines of a clean-up block: cache clears, `eval()`, and the loops and pools around them. */
const CLEANUP_LINE = /^((MLX\.)?(GPU|Memory)\.clearCache\(\)|eval\(\)|for _ in 0\s*\.\.<\s*\d+\s*\{|autoreleasepool\s*\{|(\}\s*else\s*)?(if\s+[!A-Za-z0-9_|&\s]+)?\{|\}|)$/;

export function problemAt(context: Context, node: SwiftNode, message: string): void {
  context.problems.push({ severity: 'error', file: context.file, ...positionOf(context.source, node.startIndex), message });
  context.reported.push(node);
}

/** Removes a statement's lines with the comment lines directly above it (blank lines: see tidyRemovals). */
export function removeStatement(context: Context, node: SwiftNode): void {
  context.edits.push({ ...statementLines(context.source, node), replacement: '' });
}

/** The lines of a statement, from the comment lines directly above it to its line break. */
export function statementLines(source: string, node: SwiftNode): { start: number; end: number } {
  let start = lineStart(source, node.startIndex);
  while (start > 0) {
    const previous = lineStart(source, start - 1);
    if (!/^\s*\/\//.test(source.slice(previous, start))) break;
    start = previous;
  }
  return { start, end: lineEnd(source, node.endIndex) };
}

/** Records that the closure of the perform call in `statement` reads `name`, to capture before the call. */
export function hoist(context: Context, statement: SwiftNode, name: string): void {
  const entry = context.hoists.get(statement.startIndex) ?? { statement, names: new Set<string>() };
  entry.names.add(name);
  context.hoists.set(statement.startIndex, entry);
}

/** Marks that the perform closure around `node` (if any) needs `name` captured before it; true if it does. */
function needsInPerform(context: Context, node: SwiftNode, name: string): boolean {
  const statement = enclosingPerformStatement(node, context.classNode);
  if (statement) hoist(context, statement, name);
  return statement !== undefined;
}

/** `X.processing.resize = …` becomes the tier's sizing, through the Sendable configuration inside perform. */
export function imageSizeCall(context: Context, node: SwiftNode, input: string): string {
  return needsInPerform(context, node, 'memoryConfiguration') ? `memoryConfiguration.applyImageSize(to: &${input})` : `applyImageSize(to: &${input})`;
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

const withoutComments = (text: string) => text.split('\n').map((line) => line.replace(/\/\/.*$/, '').trim());

/** Replaces one decision the class made from device predicates with a call into the generated API. */
export function rewriteIf(context: Context, node: SwiftNode): void {
  const statements = branchStatements(node);
  const texts = statements.map((statement) => statement.text.trim());
  const replaceWith = (replacement: string): void => {
    context.edits.push({ start: node.startIndex, end: node.endIndex, replacement });
  };
  const inside = enclosingMemberName(node);
  const branches = node.namedChildren.filter((child) => child.type === 'statements');

  if (texts.length > 0 && texts.every((text) => LIMIT_SETTING.test(text))) {
    context.droppedLimits.push(...statements);
    return replaceWith('applyMemoryLimits()');
  }
  const resized = texts.map((text) => RESIZE.exec(text)?.[1]);
  if (texts.length > 0 && resized.every((name) => name !== undefined && name === resized[0])) return replaceWith(imageSizeCall(context, node, resized[0]!));
  const assigned = texts.map((text) => PARAMETERS.exec(text)?.[1]);
  if (texts.length > 0 && assigned.every((name) => name !== undefined && name === assigned[0])) return rewriteParameters(context, node, assigned[0]!);
  if (texts.some((text) => STORES_MODEL.test(text))) return rewriteCaching(context, node);
  if (inside === 'cancelGeneration' && texts.length > 0 && texts.every((text) => CLEANUP_CALL.test(text))) return replaceWith('releaseMemoryAfterCancel()');
  if (texts.length > 0 && texts.every((text) => text === 'unloadModel()')) return replaceWith('releaseModelAfterGeneration()');
  if (branches.length > 0 && !texts.includes('unloadModel()') && withoutComments(node.text.replace(/^if[^{]*\{/, '')).every((line) => CLEANUP_LINE.test(line))) {
    // Clean-up on small devices before a generation: the tier (unload after an answer) and the
    // pressure monitor decide clean-up now, off the main actor.
    return removeStatement(context, node);
  }
  problemAt(context, node, 'cannot rewrite this decision on device memory safely; memtier patch knows GPU limit chains, image resize chains, generation parameter chains, model caching, unloading after a generation and clean-up (on cancel, or before a generation). Use memoryConfiguration (or a generated helper) here by hand, then run patch again');
}

/**
 * `var p: GenerateParameters` then `if … { p = GenerateParameters(maxTokens: …) } else …` becomes
 * `let p = generateParameters`, the tier's parameters.
 */
function rewriteParameters(context: Context, node: SwiftNode, name: string): void {
  const previous = node.previousNamedSibling;
  const declaration = previous?.type === 'property_declaration' && new RegExp(`^var\\s+${name}\\s*:[^=]*$`).test(previous.text.trim()) ? previous : undefined;
  needsInPerform(context, node, 'generateParameters');
  if (declaration) {
    context.edits.push({ start: declaration.startIndex, end: declaration.endIndex, replacement: `let ${name} = generateParameters` });
    removeStatement(context, node);
    return;
  }
  context.edits.push({ start: node.startIndex, end: node.endIndex, replacement: `${name} = generateParameters` });
}

/**
 * The model-caching decision inside `load()`: branches that return without storing the model, and
 * one that stores it (`loadState = .loaded(…)`). `loadModelOnce`, which the rewritten `load()` goes
 * through, decides now whether the model stays, so the store goes; what else the branches do (the
 * app's status text) stays, on the tier's `keepModelLoaded`: `if !memoryConfiguration.keepModelLoaded
 * { <first branch that does not store> } else { <the branch that stored> }`. Further non-storing
 * branches (other small tiers) fold into the first.
 */
function rewriteCaching(context: Context, node: SwiftNode): void {
  const chain: { condition?: SwiftNode; body: SwiftNode }[] = [];
  for (let current: SwiftNode | undefined = node; current;) {
    const bodies = current.namedChildren.filter((child) => child.type === 'statements');
    chain.push({ condition: current.childForFieldName('condition') ?? undefined, body: bodies[0]! });
    const next: SwiftNode | undefined = current.namedChildren.find((child) => child.type === 'if_statement');
    if (!next && bodies[1]) chain.push({ body: bodies[1] });
    current = next;
  }
  const stores = chain.filter((branch) => branch.body && STORES_MODEL.test(branch.body.text));
  const others = chain.filter((branch) => branch.body && !stores.includes(branch));
  const simple = chain.every((branch) => !branch.condition || /^!?\s*[A-Za-z_][A-Za-z0-9_]*(\s*\|\|\s*!?[A-Za-z_][A-Za-z0-9_]*)*$/.test(branch.condition.text.trim()));
  const store = stores[0]?.body.namedChildren.find((statement) => STORES_MODEL.test(statement.text));
  if (stores.length !== 1 || others.length === 0 || !simple || chain.some((branch) => !branch.body) || !store) {
    problemAt(context, node, 'the model-caching decision must be branches on device predicates of which exactly one stores the model (`loadState = .loaded(…)`); make load() `try await loadModelOnce { [self] in … }` around the code that loads the model, by hand');
    return;
  }
  if (!context.loadMethods.some((method) => node.startIndex >= method.startIndex && node.endIndex <= method.endIndex)) {
    problemAt(context, node, 'the model is stored here, outside the load() that memtier patch rewrites (a `switch loadState` whose `.loaded` case returns the model); load the model only through loadModelOnce, by hand');
    return;
  }
  if (chain.length === 2) {
    // Two branches: the condition changes and the store goes; nothing else.
    const condition = chain[0]!.condition!;
    const negated = condition.text.trim().startsWith('!');
    const cachesInThen = stores[0] === chain[0];
    context.edits.push({ start: condition.startIndex, end: condition.endIndex, replacement: `${cachesInThen === negated ? '!' : ''}${KEEPS_MODEL}` });
    removeStatement(context, store);
    return;
  }
  const { source } = context;
  const block = (branch: { body: SwiftNode }, without?: SwiftNode) => {
    const open = source.lastIndexOf('{', branch.body.startIndex);
    const close = source.indexOf('}', branch.body.endIndex);
    if (!without) return source.slice(open, close + 1);
    const lines = statementLines(source, without);
    return source.slice(open, lines.start) + source.slice(lines.end, close + 1);
  };
  context.edits.push({ start: node.startIndex, end: node.endIndex, replacement: `if !${KEEPS_MODEL} ${block(others[0]!)} else ${block(stores[0]!, store)}` });
}

/** `if` statements whose conditions use a predicate and that are not inside another such `if`. */
export function topLevelPredicateIfs(classNode: SwiftNode, predicates: Set<string>): SwiftNode[] {
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
