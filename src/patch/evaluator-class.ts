/**
 * Finding the app's evaluator class in a Swift file, and reading its members with the comments
 * that document them.
 */
import { declarationKind, findNodes, firstSyntaxError, memberName, parseSwift, type SwiftNode } from './swift-parser.js';
import { findTopLevelClasses, maskOutside } from './swift-source.js';
import { positionOf } from './text-edits.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';

/** The class the generated extension extends. */
export const EVALUATOR_CLASS = 'VLMEvaluator';


/** A member of the class and where its declaration starts, doc comments included. */
export interface ClassMember {
  node: SwiftNode;
  name?: string;
  /** Start of the first comment directly above the declaration, or of the declaration. */
  start: number;
}

/** The single `class VLMEvaluator` of a parsed file, or why there is not exactly one (and where, if it can say). */
function findEvaluatorClass(root: SwiftNode): { node: SwiftNode } | { at?: SwiftNode; message: string } {
  const error = firstSyntaxError(root);
  if (error) return { at: error, message: 'the class does not parse as Swift here; fix the syntax first (or report it, if the compiler accepts it)' };
  const classes = findNodes(root, (node) =>
    node.type === 'class_declaration' && declarationKind(node) === 'class' && node.childForFieldName('name')?.text === EVALUATOR_CLASS);
  if (classes.length === 0) return { message: `no \`class ${EVALUATOR_CLASS}\` in this file; pass the file that declares it` };
  if (classes.length > 1) {
    return { at: classes[1], message: `a second \`class ${EVALUATOR_CLASS}\`; memtier patch rewrites a file with exactly one` };
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

/**
 * The evaluator class parsed on its own: the file with everything outside the class blanked out
 * (offsets, lines and columns unchanged), so view code the grammar cannot read does not matter.
 * Finds the class lexically first (src/patch/swift-source.ts); a syntax error is then one inside
 * the class, at its real place.
 */
export async function parseEvaluatorClass(source: string, file: string): Promise<{ node: SwiftNode; root: SwiftNode } | { problem: Diagnostic }> {
  const problem = (offset: number, message: string) => ({ problem: { severity: 'error', file, ...positionOf(source, offset), message } satisfies Diagnostic });
  const ranges = findTopLevelClasses(source, EVALUATOR_CLASS);
  if (ranges.length === 0) {
    const others = findTopLevelClasses(source).map((range) => range.name);
    const here = others.length > 0 ? ` (classes here: ${others.join(', ')}; the generated extension extends ${EVALUATOR_CLASS})` : '';
    return problem(0, `no \`class ${EVALUATOR_CLASS}\` in this file${here}; pass the file that declares it`);
  }
  if (ranges.length > 1) {
    return problem(ranges[1]!.keyword, `a second \`class ${EVALUATOR_CLASS}\` (in another #if branch?); memtier patch rewrites a file with exactly one`);
  }
  const range = ranges[0]!;
  const root = (await parseSwift(maskOutside(source, range.start, range.end))).rootNode;
  const found = findEvaluatorClass(root);
  if ('message' in found) return problem(found.at?.startIndex ?? range.keyword, found.message);
  return { node: found.node, root };
}
