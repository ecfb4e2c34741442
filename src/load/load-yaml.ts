/**
 * Stage 1: YAML text -> plain object, plus a locator from key paths back to line:column.
 */
import { loadYamlFast } from './fast-yaml.js';
import { yamlHint } from './yaml-hints.js';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Diagnostic, Locator } from '../diagnostics/diagnostic.js';
import { lineStarts, positionOf } from './source-positions.js';

/** What loading produced: the data (absent when the YAML itself is broken), a locator, and problems. */
export interface LoadedSource {
  data?: unknown;
  locate: Locator;
  diagnostics: Diagnostic[];
}

/** Alias expansions allowed before the document is treated as an alias bomb ("billion laughs"). */
const MAX_ALIAS_COUNT = 100;

/** Parses YAML text. A byte-order mark and CRLF line ends are accepted. Never throws. */
export function loadYaml(text: string, file: string): LoadedSource {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  // Ordinary policies take js-yaml's fast path; everything else, errors included, the yaml library's.
  const fast = loadYamlFast(source);
  if (fast && fast.data !== null && fast.data !== undefined) {
    const lines = lineStarts(source);
    const at = (offset: number) => positionOf(lines, offset);
    return { data: fast.data, locate: (path, options) => at(fast.locate(path, options)), diagnostics: [] };
  }
  return loadYamlDocument(source, file);
}

/** The yaml library's path: every YAML construct, and its own messages for broken YAML. */
export function loadYamlDocument(text: string, file: string): LoadedSource {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, uniqueKeys: true, prettyErrors: false, version: '1.2' });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const locate: Locator = (path, options = {}) => at(findOffset(doc, path, options.key ?? false));
  // After the first syntax error the parser's further errors are mostly its consequences: report one.
  const diagnostics: Diagnostic[] = [...doc.errors.slice(0, 1), ...doc.warnings].map((problem) => {
    const hint = yamlHint(problem.code, source, problem.pos[0]);
    return {
      severity: doc.errors.includes(problem as never) ? 'error' : 'warning',
      file,
      ...at(hint?.offset ?? problem.pos[0]),
      message: hint?.message ?? `invalid YAML: ${firstLine(problem.message)}`,
    };
  });
  if (doc.errors.length > 0) return { locate, diagnostics };
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    diagnostics.push({ severity: 'error', file, line: 1, column: 1, message: 'the policy is empty; expected a mapping with a "tiers:" list' });
    return { locate, diagnostics };
  }
  try {
    return { data: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), locate, diagnostics };
  } catch (error) {
    // The yaml library throws only for alias abuse here (too many expansions, or an alias cycle).
    const reason = error instanceof Error ? firstLine(error.message) : String(error);
    diagnostics.push({ severity: 'error', file, line: 1, column: 1, message: `YAML aliases rejected: ${reason}` });
    return { locate, diagnostics };
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

/** The source offset of a key path: the deepest node that exists along it. */
function findOffset(doc: Document, path: readonly PropertyKey[], wantKey: boolean): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (const [index, segment] of path.entries()) {
    if (isAlias(node)) node = node.resolve(doc);
    const last = index === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) return offset;
      const keyOffset = rangeStart(pair.key);
      if (last && wantKey && keyOffset !== undefined) return keyOffset;
      node = pair.value;
      offset = rangeStart(node) ?? keyOffset ?? offset;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      if (node === undefined) return offset;
      offset = rangeStart(node) ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}
