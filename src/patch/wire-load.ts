/**
 * `load()` onto the generated `loadModelOnce`, which shares one load between callers at the same
 * time, returns a model a running answer still holds instead of loading a second copy, keeps the
 * model only where the tier does, and refuses in the background.
 *
 * The shape every real file of the corpus has: `switch loadState { case .loaded(let m): return m;
 * case .idle: <load it, store it in loadState, return it> }`. It becomes
 * `try await loadModelOnce { [self] in <the .idle case's code> }`: the `.loaded` fast path goes and
 * so does every `loadState = .loaded(…)` in that code (loadModelOnce decides both now); the rest of
 * the app's code (progress, status text, the parameter count) stays as it was, byte for byte, since
 * the closure's body sits where the case's body sat. Any other shape of a method that loads the
 * model is refused with what to write.
 */
import { classMembers } from './evaluator-class.js';
import { problemAt, removeStatement, STORES_MODEL, topLevelPredicateIfs, type Context } from './rewrite-decisions.js';
import { findNodes, memberName, type SwiftNode } from './swift-parser.js';
import { lineEnd, lineStart } from './text-edits.js';

/** The call the rewritten load() makes: the code that loads the model goes inside its closure. */
const LOAD_ONCE = 'loadModelOnce';

/** Methods of the class that load the model (they call the library's `loadContainer`), not yet through loadModelOnce. */
export function loadMethods(classNode: SwiftNode): SwiftNode[] {
  return classMembers(classNode)
    .map((member) => member.node)
    .filter((node) => node.type === 'function_declaration' && /\bloadContainer\s*\(/.test(node.text) && !node.text.includes(LOAD_ONCE));
}

/** Rewrites each method in `context.loadMethods`, or reports why it cannot. */
export function wireLoad(context: Context): void {
  for (const method of context.loadMethods) wireLoadMethod(context, method);
}

function wireLoadMethod(context: Context, method: SwiftNode): void {
  const { source } = context;
  const name = memberName(method) ?? 'load';
  const refuse = (at: SwiftNode, why: string) =>
    problemAt(context, at, `${name}() ${why}; memtier patch rewrites a \`switch loadState\` whose \`.loaded\` case returns the model and whose other case loads it. Make ${name}() \`try await ${LOAD_ONCE} { [self] in … }\` around the code that loads and returns the container (see docs/patch.md), then run patch again`);
  const body = method.childForFieldName('body');
  const signature = source.slice(method.startIndex, body?.startIndex ?? method.endIndex);
  if (!body || !/\basync\b/.test(signature) || !/->\s*ModelContainer\s*$/.test(signature.trim())) return refuse(method, 'is not `async` and returning a ModelContainer');
  const statements = body.namedChildren.find((child) => child.type === 'statements')?.namedChildren.filter((child) => !child.type.endsWith('comment')) ?? [];
  const switchNode = statements.length === 1 && statements[0]!.type === 'switch_statement' ? statements[0]! : undefined;
  if (!switchNode || !/^switch\s+(self\s*\.\s*)?loadState\s*\{/.test(switchNode.text)) return refuse(statements[0] ?? method, 'holds more than a `switch loadState`');
  const entries = switchNode.namedChildren.filter((child) => child.type === 'switch_entry');
  const loaded = entries.find(isLoadedFastPath);
  const loading = entries.find((entry) => entry !== loaded);
  if (entries.length !== 2 || !loaded || !loading) return refuse(switchNode, 'has cases other than one `.loaded` case that only returns the model and one that loads it');

  // The loading case's code: from the line after its `case …:` to the end of its last statement.
  const code = loading.namedChildren.filter((child) => child.type === 'statements' || child.type.endsWith('comment'));
  const first = code[0];
  const close = switchNode.child(switchNode.childCount - 1)!;
  const ownLine = (offset: number) => source.slice(lineStart(source, offset), offset).trim() === '';
  if (!first || !ownLine(first.startIndex) || lineStart(source, first.startIndex) === lineStart(source, loading.startIndex) || !ownLine(close.startIndex)) {
    return refuse(loading, 'has a case whose code shares a line with its `case` or the closing brace');
  }
  // (A `statements` node runs on over the blank lines up to the next case: its last child ends the code.)
  const last = code[code.length - 1]!;
  const codeEnd = lineEnd(source, (last.type === 'statements' ? last.namedChildren[last.namedChildren.length - 1] ?? last : last).endIndex);
  // `switch loadState {` up to the loading case's code becomes the call; the closing brace of the
  // switch closes the closure. What lies between the code and that brace (a `.loaded` case after
  // it, blank lines) goes.
  context.edits.push({ start: switchNode.startIndex, end: lineStart(source, first.startIndex), replacement: `try await ${LOAD_ONCE} { [self] in\n` });
  if (codeEnd < lineStart(source, close.startIndex)) context.edits.push({ start: codeEnd, end: lineStart(source, close.startIndex), replacement: '' });

  // Stores of the model: those in a decision on device predicates go with that decision's rewrite
  // (rewriteCaching), the others here.
  const decisions = topLevelPredicateIfs(loading, context.predicates);
  const stores = findNodes(loading, (node) => node.type === 'assignment' && STORES_MODEL.test(node.text));
  for (const store of stores) {
    if (!decisions.some((decision) => store.startIndex >= decision.startIndex && store.endIndex <= decision.endIndex)) removeStatement(context, store);
  }
}

/** `case .loaded(let m): return m` (or `case let .loaded(m)`), with nothing else in it. */
function isLoadedFastPath(entry: SwiftNode): boolean {
  const pattern = entry.namedChildren.find((child) => child.type === 'switch_pattern')?.text ?? '';
  const bound = /^(?:\.loaded\(\s*let\s+([A-Za-z_]\w*)\s*\)|let\s+\.loaded\(\s*([A-Za-z_]\w*)\s*\))$/.exec(pattern.trim());
  const name = bound?.[1] ?? bound?.[2];
  const code = entry.namedChildren.find((child) => child.type === 'statements')?.namedChildren.filter((child) => !child.type.endsWith('comment')) ?? [];
  return name !== undefined && code.length === 1 && new RegExp(`^return\\s+${name}$`).test(code[0]!.text.trim());
}
