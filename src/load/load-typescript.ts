/**
 * Stage 1 for `tiers.config.ts`: TypeScript -> plain object, with a locator into the .ts source.
 *
 * The file is transpiled with the TypeScript compiler that ts-morph carries (no TypeScript
 * runtime for the user to install) and evaluated in a separate V8 context where it may import
 * only 'memtier' (the DSL helpers), with a time limit.
 */
import { createContext, Script } from 'node:vm';
import { ts } from 'ts-morph';
import type { Locator } from '../diagnostics/diagnostic.js';
import * as dsl from '../policy/dsl.js';
import type { LoadedSource } from './load-yaml.js';

/** How long evaluating the config may take before it is stopped. */
const EVALUATION_TIMEOUT_MS = 2_000;

/** Loads `tiers.config.ts` text. Never throws. */
export function loadTypeScript(text: string, file: string): LoadedSource {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const at = (position: number) => {
    const { line, character } = source.getLineAndCharacterOfPosition(position);
    return { line: line + 1, column: character + 1 };
  };
  const locate: Locator = (path, options = {}) => at(findPosition(source, path, options.key ?? false));
  const syntax = (source as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics ?? [];
  if (syntax.length > 0) {
    return { locate, diagnostics: syntax.map((problem) => ({ severity: 'error', file, ...at(problem.start ?? 0), message: `invalid TypeScript: ${ts.flattenDiagnosticMessageText(problem.messageText, ' ')}` })) };
  }
  const evaluated = evaluate(text, file);
  if ('error' in evaluated) return { locate, diagnostics: [{ severity: 'error', file, ...at(0), message: evaluated.error }] };
  return { data: evaluated.value, locate, diagnostics: [] };
}

function evaluate(text: string, file: string): { value: unknown } | { error: string } {
  const { outputText } = ts.transpileModule(text, {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  const module = { exports: {} as Record<string, unknown> };
  const require = (name: string) => {
    if (name === 'memtier') return dsl;
    throw new Error(`tiers.config.ts may import only from 'memtier', not '${name}'`);
  };
  try {
    const context = createContext({ module, exports: module.exports, require });
    new Script(outputText, { filename: file }).runInContext(context, { timeout: EVALUATION_TIMEOUT_MS });
  } catch (error) {
    // Errors thrown inside the config's own V8 context are not instances of this context's Error.
    const message = typeof (error as { message?: unknown })?.message === 'string' ? (error as { message: string }).message : String(error);
    return { error: `evaluating the config failed: ${message}` };
  }
  const value = module.exports.default ?? (Object.keys(module.exports).length > 0 ? undefined : module.exports);
  if (value === undefined || value === null || typeof value !== 'object') {
    return { error: 'tiers.config.ts must `export default defineTiers({ ... })`' };
  }
  // Values from another V8 context: copy them into this one so that schema checks see plain objects.
  return { value: JSON.parse(JSON.stringify(value)) as unknown };
}

/** The position of a key path inside `export default defineTiers({...})` (or `export default {...}`). */
function findPosition(source: ts.SourceFile, path: readonly PropertyKey[], wantKey: boolean): number {
  let node: ts.Node | undefined = defaultExportObject(source);
  let position = node?.getStart(source) ?? 0;
  for (const [index, segment] of path.entries()) {
    const last = index === path.length - 1;
    if (node && ts.isObjectLiteralExpression(node)) {
      const property = node.properties.find((candidate) => candidate.name !== undefined && propertyName(candidate.name) === String(segment));
      if (!property) return position;
      if (last && wantKey && property.name) return property.name.getStart(source);
      node = ts.isPropertyAssignment(property) ? unwrap(property.initializer) : property;
    } else if (node && ts.isArrayLiteralExpression(node) && typeof segment === 'number') {
      node = node.elements[segment] ? unwrap(node.elements[segment]) : undefined;
      if (!node) return position;
    } else {
      return position;
    }
    position = node.getStart(source);
  }
  return position;
}

function defaultExportObject(source: ts.SourceFile): ts.Node | undefined {
  for (const statement of source.statements) {
    if (ts.isExportAssignment(statement)) {
      const expression = unwrap(statement.expression);
      if (ts.isCallExpression(expression) && expression.arguments[0]) return unwrap(expression.arguments[0]);
      return expression;
    }
  }
  return undefined;
}

function unwrap(node: ts.Expression): ts.Expression {
  let current = node;
  while (ts.isAsExpression(current) || ts.isSatisfiesExpression(current) || ts.isParenthesizedExpression(current)) current = current.expression;
  return current;
}

function propertyName(name: ts.PropertyName): string {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) ? name.text : name.getText();
}


