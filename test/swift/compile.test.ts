/**
 * Every policy variant's Swift type-checked by swiftc (Swift 6, complete strict concurrency,
 * warnings as errors) and linted by swift-format; and proof that a broken template is caught,
 * with the compiler pointing at the generated file and line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '../../src/generate.js';
import { afterAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../src/model/build-model.js';
import { renderFiles, type GeneratedFile } from '../../src/render/render-files.js';
import { editedPolicy, templates as builtInTemplates, validPolicy } from '../helpers/policy.js';
import { POLICY_VARIANTS } from '../helpers/variants.js';
import { lint, swift, swiftSkipped, tempFolder, typecheck, writeFiles } from './harness.js';
import { splitGenerated } from './helpers.js';

const folders: { cleanup: () => void }[] = [];
afterAll(() => folders.forEach((folder) => folder.cleanup()));
const folder = (prefix: string) => {
  const made = tempFolder(prefix);
  folders.push(made);
  return made.root;
};

/** Renders the default policy with one built-in template edited. */
function renderWithEdit(template: string, from: string, to: string): GeneratedFile[] {
  const templates = new Map(builtInTemplates);
  const source = templates.get(template)!;
  expect(source).toContain(from);
  templates.set(template, source.replace(from, to));
  const policy = validPolicy();
  return splitGenerated(policy, renderFiles(buildModel(policy, { sourceName: 'tiers.yaml' }), templates)).sources
    .filter((file) => !file.path.startsWith('VLMEvaluator+') && file.path !== 'MemoryPolicy.swift');
}

/** The 1-based line of the first occurrence of `text` in a file. */
const lineOf = (file: GeneratedFile | undefined, text: string) => file!.contents.split('\n').findIndex((line) => line.includes(text)) + 1;

describe.skipIf(swiftSkipped)('swiftc and swift-format on the generated Swift', () => {
  // The evaluator extension needs the app's VLMEvaluator and MLX, MemoryPolicy.swift needs MLX:
  // package.test.ts and integration.test.ts build them.
  it.each(Object.entries(POLICY_VARIANTS))('the %s policy type-checks with no warnings', (name, text) => {
    const root = folder(`typecheck-${name}`);
    const sources = splitGenerated(validPolicy(text)).sources.filter((file) => !file.path.startsWith('VLMEvaluator+') && file.path !== 'MemoryPolicy.swift');
    writeFiles(root, sources);
    const result = typecheck(root, sources.map((file) => file.path));
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  }, 300_000);

  it('swift-format lint finds nothing in any generated file, tests included', () => {
    const root = folder('lint');
    // The variants, and the values the CLI settles from a recent pin or the policy may choose.
    const variants = { ...POLICY_VARIANTS, settled: editedPolicy([[['evaluator', 'clearCacheTakesLock'], true], [['pressure', 'memoryWarning'], 'critical']]) };
    for (const [name, text] of Object.entries(variants)) {
      const policy = validPolicy(text);
      const { sources, tests } = splitGenerated(policy);
      writeFiles(join(root, name), [...sources, ...tests]);
    }
    const result = lint(root, Object.keys(variants));
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  }, 300_000);

  it('the lint is live: it reports a badly formatted line', () => {
    const root = folder('lint-live');
    writeFiles(root, [{ path: 'Bad.swift', contents: 'let  x=1\n' }]);
    const result = lint(root, ['Bad.swift']);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('Bad.swift:1:4: warning: [Spacing]');
  }, 300_000);

  it('the monitor\'s Darwin branch (task_info, the Dispatch memory-pressure source) type-checks against the SDK stand-in', () => {
    const root = folder('darwin');
    const shim = fileURLToPath(new URL('./stand-ins/sdk/Darwin.swift', import.meta.url));
    writeFiles(root, [{ path: 'shim/Darwin.swift', contents: readFileSync(shim, 'utf8') }]);
    const built = swift(root, ['swiftc', '-emit-module', '-parse-as-library', '-module-name', 'Darwin', '-swift-version', '5', 'shim/Darwin.swift', '-emit-module-path', 'shim/Darwin.swiftmodule']);
    expect(built.output).toBe('');
    expect(built.status).toBe(0);
    const monitor = generate(validPolicy(), builtInTemplates).find((file) => file.path === 'MemoryPressureMonitor.swift')!;
    expect(monitor.contents).toContain('#if canImport(Darwin)');
    writeFiles(root, [monitor]);
    const strict = ['-swift-version', '6', '-strict-concurrency=complete', '-warnings-as-errors'];
    const checked = swift(root, ['swiftc', '-typecheck', ...strict, '-I', 'shim', monitor.path]);
    expect(checked.output).toBe('');
    expect(checked.status).toBe(0);
    // The check is live: the handler this session replaced (a weak capture of the source, whose
    // protocol is not class-bound) is refused by the same type-check.
    writeFiles(root, [{ path: 'Old.swift', contents: monitor.contents.replace('source.setEventHandler { [weak self] in', 'source.setEventHandler { [weak self, weak source] in') }]);
    const old = swift(root, ['swiftc', '-typecheck', ...strict, '-I', 'shim', 'Old.swift']);
    expect(old.status).not.toBe(0);
    expect(old.output).toMatch(/'weak' must not be applied to non-class-bound 'any DispatchSourceMemoryPressure'/);
  }, 300_000);

  // [what, template, text in the template, its broken form, the generated line that breaks, the compiler's message]
  const breakages: [string, string, string, string, string, RegExp][] = [
    ['a stray character', 'DeviceMemoryTier.swift', '      self = .{{caseName}}\n', '      self = .{{caseName}} `\n', 'self = .ultraLow `', /error: consecutive statements on a line must be separated by ';'/],
    ['a non-Sendable static', 'MemoryConfiguration.swift', '{{access}}nonisolated static let current = forTier(.current)', '{{access}}nonisolated static var current = forTier(.current)', 'static var current', /error: static property 'current' is not concurrency-safe/],
    ['a wrong type', 'MemoryConfiguration.swift', '{{access}}nonisolated static let temperature: Float', '{{access}}nonisolated static let temperature: Int', 'static let temperature: Int', /error: cannot convert value of type 'Double' to specified type 'Int'/],
  ];

  it.each(breakages)('a template with %s fails, the compiler naming the generated file and line', (_, template, from, to, brokenLine, message) => {
    const root = folder('broken');
    const sources = renderWithEdit(template, from, to);
    writeFiles(root, sources);
    const line = lineOf(sources.find((file) => file.path === template), brokenLine);
    expect(line).toBeGreaterThan(0);
    const result = typecheck(root, sources.map((file) => file.path));
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(message);
    expect(result.output).toMatch(new RegExp(`^${template.replace(".", "\\.")}:${line}:\\d+: error: `, "m"));
  }, 300_000);
});
