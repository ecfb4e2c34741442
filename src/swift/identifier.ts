/**
 * What may become a Swift identifier in generated code. Tier names become enum cases, so a name
 * must be usable as `case name` and `.name` without backticks and must not collide with a member
 * memtier generates on the same type.
 */
import { DEVICE_MEMORY_TIER_MEMBERS, GENERATED_TYPE_NAMES } from './generated-api.js';

/** Words Swift reserves (plus `Type` and `Protocol`, which mean the metatype after a dot). */
export const SWIFT_RESERVED_WORDS: ReadonlySet<string> = new Set([
  'Any', 'Protocol', 'Self', 'Type', '_', 'actor', 'any', 'as', 'associatedtype', 'async', 'await', 'break',
  'case', 'catch', 'class', 'continue', 'default', 'defer', 'deinit', 'do', 'else', 'enum', 'extension',
  'fallthrough', 'false', 'fileprivate', 'for', 'func', 'guard', 'if', 'import', 'in', 'init', 'inout',
  'internal', 'is', 'let', 'nil', 'open', 'operator', 'precedencegroup', 'private', 'protocol', 'public',
  'repeat', 'rethrows', 'return', 'self', 'some', 'static', 'struct', 'subscript', 'super', 'switch',
  'throw', 'throws', 'true', 'try', 'typealias', 'var', 'where', 'while',
]);

/** Members of the generated `DeviceMemoryTier`; a case with one of these names would not compile. */
const GENERATED_TIER_MEMBERS: ReadonlySet<string> = new Set(DEVICE_MEMORY_TIER_MEMBERS);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Why `name` cannot be a Swift module name, or undefined when it can. */
export function moduleNameProblem(name: string): string | undefined {
  if (!IDENTIFIER.test(name)) return `${JSON.stringify(name)} is not a Swift module name; use letters, digits and _, e.g. "VLMEval"`;
  if (SWIFT_RESERVED_WORDS.has(name)) return `"${name}" is a Swift keyword, not a module name`;
  return undefined;
}

/** Types memtier generates, which the app's evaluator class cannot be named after. */
const GENERATED_TYPES: ReadonlySet<string> = new Set(GENERATED_TYPE_NAMES);

/** Why `name` cannot be the app's evaluator class (`evaluator.className`), or undefined when it can. */
export function classNameProblem(name: string): string | undefined {
  if (SWIFT_RESERVED_WORDS.has(name)) return `"${name}" is a Swift keyword, not a class name`;
  if (GENERATED_TYPES.has(name)) return `"${name}" is a type memtier generates; name the app's own class, such as "LLMEvaluator" (or null when the app has none)`;
  return undefined;
}

/** Why `name` cannot be a tier's enum case, or undefined when it can. */
export function tierNameProblem(name: string): string | undefined {
  if (!IDENTIFIER.test(name)) {
    return `${JSON.stringify(name)} is not a Swift identifier; use letters, digits and _ (not starting with a digit), e.g. "standard"`;
  }
  if (SWIFT_RESERVED_WORDS.has(name)) {
    return `"${name}" is a Swift keyword and would need backticks everywhere; choose another name, e.g. "${name}Tier"`;
  }
  if (GENERATED_TIER_MEMBERS.has(name)) {
    return `"${name}" is already a member of the generated DeviceMemoryTier; choose another name, e.g. "${name}Tier"`;
  }
  return undefined;
}

/**
 * Any text as a Swift identifier, for custom templates: characters Swift does not allow become
 * `_`, a leading digit gets a `_` before it, and reserved words are wrapped in backticks.
 */
export function swiftIdentifier(text: string): string {
  let name = text.replace(/[^A-Za-z0-9_]/g, '_');
  if (name === '' || /^[0-9]/.test(name)) name = `_${name}`;
  return SWIFT_RESERVED_WORDS.has(name) && name !== '_' ? `\`${name}\`` : name;
}
