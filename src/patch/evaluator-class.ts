/**
 * Finding the app's evaluator class in a Swift file, and reading its members with the comments
 * that document them.
 */
import { declarationKind, findNodes, firstSyntaxError, memberName, parseSwift, type SwiftNode } from './swift-parser.js';
import { blankGrammarGaps, type BlankedRange } from './grammar-gaps.js';
import { findTopLevelTypes, maskOutside, type TypeRange } from './swift-source.js';
import { positionOf } from './text-edits.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { DEFAULT_EVALUATOR_CLASS } from '../swift/generated-api.js';

/** The class the generated extension extends when the policy names none (`evaluator.className`). */
export const EVALUATOR_CLASS = DEFAULT_EVALUATOR_CLASS;


/** A member of the class and where its declaration starts, doc comments included. */
export interface ClassMember {
  node: SwiftNode;
  name?: string;
  /** Start of the first comment directly above the declaration, or of the declaration. */
  start: number;
}

/** The single class named `className` of a parsed file, or why there is not exactly one (and where, if it can say). */
function findEvaluatorClass(root: SwiftNode, className: string): { node: SwiftNode } | { at?: SwiftNode; message: string } {
  const error = firstSyntaxError(root);
  if (error) return { at: error, message: 'the class does not parse as Swift here; fix the syntax first (or report it, if the compiler accepts it)' };
  const classes = findNodes(root, (node) =>
    node.type === 'class_declaration' && declarationKind(node) === 'class' && node.childForFieldName('name')?.text === className);
  if (classes.length === 0) return { message: `no \`class ${className}\` in this file; pass the file that declares it` };
  if (classes.length > 1) {
    return { at: classes[1], message: `a second \`class ${className}\`; memtier patch rewrites a file with exactly one` };
  }
  return { node: classes[0]! };
}

/** The class body's declarations, each with the comments directly above it. */
export function classMembers(classNode: SwiftNode): ClassMember[] {
  const body = classNode.childForFieldName('body');
  if (!body) return [];
  const members: ClassMember[] = [];
  let comments: SwiftNode[] = [];
  for (const child of body.namedChildren) {
    if (child.type === 'comment' || child.type === 'multiline_comment') {
      const last = comments[comments.length - 1];
      comments = last && child.startPosition.row === last.endPosition.row + 1 ? [...comments, child] : [child];
      continue;
    }
    const attached = comments.length > 0 && comments[comments.length - 1]!.endPosition.row === child.startPosition.row - 1;
    members.push({ node: child, name: memberName(child), start: attached ? comments[0]!.startIndex : child.startIndex });
    comments = [];
  }
  return members;
}

/** The name of the function, initializer or property a node is inside, if any. */
export function enclosingMemberName(node: SwiftNode): string | undefined {
  for (let current: SwiftNode | null = node.parent; current; current = current.parent) {
    if (current.type === 'function_declaration' || current.type === 'property_declaration') return memberName(current);
    if (current.type === 'init_declaration') return 'init';
  }
  return undefined;
}

/** Where the refusals send a type memtier cannot extend: the generated integration that needs no class. */
export const CLASS_FREE_INTEGRATION = 'use the generated `MemoryPolicy` instead, which needs no particular class (docs/generated-swift.md, "Without a VLMEval-shaped class")';

/** Options for reading the evaluator class. */
export interface EvaluatorClassOptions {
  /** The class to find (`evaluator.className`). Default `VLMEvaluator`. */
  className?: string;
}

/** Options for `memtier check`'s reading of the evaluator source: `className: null` when the policy says the app has no such class. */
export interface RegressionOptions {
  className?: string | null;
}

/**
 * The evaluator class parsed on its own: the file with everything outside the class blanked out
 * (offsets, lines and columns unchanged), so view code the grammar cannot read does not matter,
 * and with the constructs the grammar predates blanked inside it (./grammar-gaps.ts). Finds the
 * class lexically first (src/patch/swift-source.ts); a syntax error is then one inside the class,
 * at its real place. A file without the class is answered with the types it has and the key that
 * picks one; a type of that name that is not a class, with why and where to go instead.
 */
export async function parseEvaluatorClass(source: string, file: string, options: EvaluatorClassOptions = {}): Promise<{ node: SwiftNode; root: SwiftNode; range: TypeRange; blanked: BlankedRange[] } | { problem: Diagnostic }> {
  const className = options.className ?? DEFAULT_EVALUATOR_CLASS;
  const problem = (offset: number, message: string) => ({ problem: { severity: 'error', file, ...positionOf(source, offset), message } satisfies Diagnostic });
  const named = findTopLevelTypes(source, { name: escapeName(className) });
  const ranges = named.filter((range) => range.kind === 'class');
  if (ranges.length === 0 && named.length > 0) return problem(named[0]!.keyword, notAClass(named[0]!));
  if (ranges.length === 0) return problem(0, noSuchClass(source, className));
  if (ranges.length > 1) {
    return problem(ranges[1]!.keyword, `a second \`class ${className}\` (in another #if branch?); memtier patch rewrites a file with exactly one`);
  }
  const range = ranges[0]!;
  const { text, blanked } = blankGrammarGaps(maskOutside(source, range.start, range.end));
  const root = (await parseSwift(text)).rootNode;
  const found = findEvaluatorClass(root, className);
  if ('message' in found) return problem(found.at?.startIndex ?? range.keyword, found.message);
  return { node: found.node, root, range, blanked };
}

function escapeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, (char) => `\\${char}`);
}

function notAClass(range: TypeRange): string {
  const what = range.kind === 'actor' ? 'an actor' : `a ${range.kind}`;
  return `\`${range.name}\` is ${what}, and the generated extension extends a \`@MainActor\` class (it keeps per-instance state by the object's identity and runs on the main actor); ${CLASS_FREE_INTEGRATION}`;
}

/** No type of that name: which ones the file has, and the key that picks one. */
function noSuchClass(source: string, className: string): string {
  const types = findTopLevelTypes(source, { kinds: ['class', 'actor', 'struct'] });
  const listed = types.map((range) => `${range.kind} ${range.name}`).join(', ');
  const here = types.length > 0 ? `this file declares ${listed}` : 'this file declares no class, actor or struct';
  return `no \`class ${className}\` in this file (${here}); set evaluator.className in the policy to the class memtier should extend and patch, or pass the file that declares ${className}`;
}
