/**
 * Class shapes `memtier patch` does not migrate. The rewrite moves a VLMEval-shaped class onto the
 * generated extension: a `@MainActor` class that holds one model in `loadState`, sets MLX limits
 * once before loading, and takes its generation parameters from its tier. Real 3.x-era model
 * classes often differ in a way that rewrite would get wrong: each such shape is refused with one
 * located error that names it and points to the class-free integration.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { CLASS_FREE_INTEGRATION } from './evaluator-class.js';
import { LIMIT_SETTING } from './memory-handling.js';
import { findNodes, memberName, type SwiftNode } from './swift-parser.js';
import type { TypeRange } from './swift-source.js';
import { positionOf } from './text-edits.js';

/** What the shape checks read: the file, the class's lexical range and its syntax tree. */
export interface ShapeInput {
  source: string;
  file: string;
  range: TypeRange;
  classNode: SwiftNode;
}

/** A model cache as a stored property: an `NSCache`, or a dictionary whose values are models. */
const NS_CACHE = /\bNSCache\s*</;
const MODEL_DICTIONARY = /\[\s*[^\]\[:]+:\s*(any\s+)?(ModelContainer|ModelContext|LanguageModel)\s*\]|Dictionary\s*<[^>]*,\s*(ModelContainer|ModelContext)\s*>/;
/** A read of the current MLX limit (to restore it later): `Memory.cacheLimit` not assigned, `GPU.memoryLimit`. */
const LIMIT_READ = /\b(Memory\s*\.\s*(cacheLimit|memoryLimit)\b(?!\s*=[^=])|GPU\s*\.\s*(cacheLimit|memoryLimit)\b)/;
/** A user setting: an `@AppStorage` property or `UserDefaults`. */
const USER_DEFAULTS = /\bUserDefaults\b/;

/**
 * The first shape of the parsed class that patch cannot migrate, as one located error; undefined
 * when there is none. (An actor, a struct and a class that is not `@MainActor` are refused before
 * the parse: see `notMainActor` and ./evaluator-class.ts.)
 */
export function unsupportedShape(input: ShapeInput): Diagnostic | undefined {
  for (const check of [modelCache, limitPerRequest, parametersFromSetting, noLoadState]) {
    const found = check(input);
    if (found) return locate(input, found);
  }
  return undefined;
}

type Finding = { at: number; message: string } | undefined;

function locate({ source, file }: Pick<ShapeInput, 'source' | 'file'>, found: { at: number; message: string }): Diagnostic {
  return { severity: 'error', file, ...positionOf(source, found.at), message: found.message };
}

/**
 * A class without `@MainActor` among its attributes, found in the text, before any parse: the
 * grammar need not read the class for this to be the reason.
 */
export function notMainActor(source: string, file: string, range: TypeRange): Diagnostic | undefined {
  if (/@MainActor\b/.test(source.slice(range.start, range.keyword))) return undefined;
  return locate({ source, file }, {
    at: range.keyword,
    message: `\`class ${range.name}\` is not \`@MainActor\`, and the generated extension runs on the main actor and keeps the class's model state there. If the class is only used on the main actor (a target built with default main-actor isolation makes it so), write \`@MainActor\` on it and run patch again; otherwise ${CLASS_FREE_INTEGRATION}`,
  });
}

/** A class that keeps its model in a property of its own instead of `loadState`, which the extension reads and writes. */
function noLoadState({ classNode, range }: ShapeInput): Finding {
  const members = classNode.childForFieldName('body')?.namedChildren ?? [];
  if (members.some((member) => member.type === 'property_declaration' && memberName(member) === 'loadState')) return undefined;
  const holder = storedProperties(classNode).find((property) => /\b(ModelContainer|ModelContext)\b/.test(property.text));
  if (!holder) return undefined;
  return {
    at: holder.startIndex,
    message: `\`${range.name}\` keeps its model in \`${memberName(holder) ?? 'this property'}\`, not in a \`loadState\` (\`.idle\` / \`.loaded(ModelContainer)\`), which the generated extension reads and writes to keep or release the model; memtier patch does not move a model into \`loadState\`. Do that by hand (docs/generated-swift.md), or ${CLASS_FREE_INTEGRATION}`,
  };
}

function storedProperties(classNode: SwiftNode): SwiftNode[] {
  const body = classNode.childForFieldName('body');
  return (body?.namedChildren ?? []).filter((member) => member.type === 'property_declaration' && member.childForFieldName('computed_value') === null);
}

function modelCache({ classNode, range }: ShapeInput): Finding {
  for (const property of storedProperties(classNode)) {
    const kind = NS_CACHE.test(property.text) ? 'an `NSCache`' : MODEL_DICTIONARY.test(property.text) ? 'a dictionary of models' : undefined;
    if (!kind) continue;
    return {
      at: property.startIndex,
      message: `\`${memberName(property) ?? 'this property'}\` keeps models in a cache (${kind}), and the generated extension manages one model, in \`loadState\`: memtier patch would leave every cached model out of the tier's release rules. Drop to one model in \`${range.name}\` by hand, or ${CLASS_FREE_INTEGRATION} (unload the cache when its pressure stream says critical)`,
    };
  }
  return undefined;
}

/** A limit set around a request: inside a `defer`, twice in one method, or next to a read of the current limit. */
function limitPerRequest({ classNode }: ShapeInput): Finding {
  const settings = findNodes(classNode, (node) => (node.type === 'call_expression' || node.type === 'assignment') && LIMIT_SETTING.test(node.text));
  for (const setting of settings) {
    const method = enclosingFunction(setting, classNode);
    if (!method) continue;
    const kind = /(cacheLimit|memoryLimit)/.exec(setting.text)?.[1];
    const sameKind = settings.filter((other) => enclosingFunction(other, classNode) === method && other.text.includes(kind ?? '\0'));
    const reads = findNodes(method, (node) => node.type === 'navigation_expression' && LIMIT_READ.test(node.text) && !settings.some((other) => node.startIndex >= other.startIndex && node.endIndex <= other.endIndex));
    if (insideDefer(setting, method) || sameKind.length > 1 || reads.length > 0) {
      return {
        at: setting.startIndex,
        message: `sets an MLX limit per request here (changed for one piece of work, then restored), and the generated policy sets each tier's limits once, before the model loads: memtier patch would drop the restore. Set the limits once by hand, or ${CLASS_FREE_INTEGRATION}`,
      };
    }
  }
  return undefined;
}

function enclosingFunction(node: SwiftNode, classNode: SwiftNode): SwiftNode | undefined {
  for (let current = node.parent; current && current !== classNode; current = current.parent) {
    if (current.type === 'function_declaration' || current.type === 'init_declaration') return current;
  }
  return undefined;
}

function insideDefer(node: SwiftNode, method: SwiftNode): boolean {
  for (let current = node.parent; current && current !== method; current = current.parent) {
    if (current.type === 'defer_statement' || /^defer\s*\{/.test(current.text)) return true;
  }
  return false;
}

/**
 * Generation parameters that follow a user setting: the class's own `generateParameters` (which
 * the generated one replaces) reading a stored `var` of the class, or parameters built from
 * `UserDefaults`.
 */
function parametersFromSetting({ classNode }: ShapeInput): Finding {
  const body = classNode.childForFieldName('body');
  const settings = new Set(storedProperties(classNode).filter((property) => /^(@\w+(\([^)]*\))?\s+)*((private|fileprivate|internal|public)(\(set\))?\s+)*var\b/.test(property.text)).map((property) => memberName(property)).filter((name): name is string => name !== undefined));
  const own = (body?.namedChildren ?? []).find((member) => member.type === 'property_declaration' && memberName(member) === 'generateParameters' && member.childForFieldName('computed_value') !== null);
  const read = own && findNodes(own, (node) => node.type === 'simple_identifier' && node.parent?.type !== 'value_argument_label' && settings.has(node.text))[0];
  if (own && read) {
    return {
      at: own.startIndex,
      message: `\`generateParameters\` follows a user setting (\`${read.text}\`), and the generated \`generateParameters\` would replace it with the tier's, dropping the setting; ${CLASS_FREE_INTEGRATION}, and cap the setting with its \`maxTokens\``,
    };
  }
  const fromDefaults = findNodes(classNode, (node) => node.type === 'call_expression' && /^(MLXLMCommon\s*\.\s*)?GenerateParameters\s*\(/.test(node.text) && USER_DEFAULTS.test(node.text))[0];
  if (fromDefaults) {
    return {
      at: fromDefaults.startIndex,
      message: `these generation parameters follow a user setting (\`UserDefaults\`), which the tier's \`generateParameters\` would drop; ${CLASS_FREE_INTEGRATION}, and cap the setting with its \`maxTokens\``,
    };
  }
  return undefined;
}
