/**
 * The class-free integration (MemoryPolicy.swift) in app code of three shapes that are not
 * VLMEval's: an actor with models in a dictionary, a Sendable service class with a lock, and an
 * `@Observable @MainActor` view model (test/swift/integration/). Each is compiled with the
 * generated files that need no evaluator class (no VLMEvaluator, no extension) in every era, under
 * Swift 6 with warnings as errors
 * (with Swift 6.2 in both isolations), its XCTest is type-checked with it, and the XCTests run in
 * the eras below; the documentation shows the examples' own text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generate } from '../../src/generate.js';
import type { GeneratedFile } from '../../src/render/render-files.js';
import { editedPolicy, templates, validPolicy } from '../helpers/policy.js';
import {
  assemblePackage, cachedPackageFolder, compileAppModule, diagnosticsIn, lint, MLX_ERAS, swift, swiftSkipped,
  tempFolder, withMlxSwiftLm3Loading, writeFiles, xctestSummary, type Isolation, type MlxEra,
} from './harness.js';
import { splitGenerated } from './helpers.js';

const folder = fileURLToPath(new URL('./integration/', import.meta.url));
const read = (path: string) => readFileSync(join(folder, path), 'utf8');

/** The three examples, in the order the documentation shows them. */
const EXAMPLES = ['ModelRuntime.swift', 'ModelService.swift', 'ChatViewModel.swift'] as const;
const examples: GeneratedFile[] = EXAMPLES.map((path) => ({ path, contents: read(path) }));
/** One XCTest per example, and the rules' and the pressure stream's own. */
const TESTS = [
  'testCriticalPressureUnloadsTheActorsModels', 'testTheServiceUnloadsAfterEachAnswerWhereTheTierDoesNotKeepTheModel', 'testCriticalPressureUnloadsTheViewModelsModel',
  'testTheRulesFollowTheTiersConfiguration', 'testThePressureStreamSendsChangesAndEveryEmergencyUntilItsConsumerStops',
];

/** The XCTests, with the stand-in model loaded as `era`'s mlx-swift-lm loads it. */
function behaviourTests(era: MlxEra): GeneratedFile[] {
  const text = read('Tests/IntegrationBehaviourTests.swift');
  return [{ path: 'IntegrationBehaviourTests.swift', contents: era === 'mlx-0.31' ? withMlxSwiftLm3Loading(text) : text }];
}

/** The shipped policy with the `mlxApi` and `clearCacheTakesLock` the era calls for. */
function eraPolicy(era: MlxEra) {
  return validPolicy(editedPolicy([[['evaluator', 'mlxApi'], MLX_ERAS[era].mlxApi], [['evaluator', 'clearCacheTakesLock'], MLX_ERAS[era].clearCacheTakesLock]]));
}

/** The generated files an app without a VLMEval-shaped class compiles: all but the evaluator extension. */
const CLASS_FREE_SOURCES = ['DeviceMemoryTier.swift', 'MemoryConfiguration.swift', 'MemoryPolicy.swift', 'MemoryPressureMonitor.swift'];

/** `eraPolicy` for an app that says it has no evaluator class (`evaluator.className: null`). */
function classFreePolicy(era: MlxEra) {
  return validPolicy(editedPolicy([[['evaluator', 'mlxApi'], MLX_ERAS[era].mlxApi], [['evaluator', 'clearCacheTakesLock'], MLX_ERAS[era].clearCacheTakesLock], [['evaluator', 'className'], null]]));
}

/**
 * What memtier writes for an app with no evaluator class (`evaluator.className: null`), which is
 * exactly the files that need none, with the examples; and the generated XCTests (no stress test,
 * which drives the class).
 */
function appSources(era: MlxEra): { module: string; sources: GeneratedFile[]; generatedTests: GeneratedFile[] } {
  const { module, sources, tests } = splitGenerated(classFreePolicy(era));
  expect(sources.map((file) => file.path)).toEqual(CLASS_FREE_SOURCES);
  expect(tests.map((file) => file.path)).toEqual(['MemoryPolicyTests.swift']);
  return { module, sources: [...sources, ...examples], generatedTests: tests };
}

/** An example's text as the documentation shows it: from its first `import` on. */
function documentedPart(text: string): string {
  return text.slice(text.search(/^import /m));
}

describe('the class-free integration, MemoryPolicy.swift', () => {
  it('is written with an evaluator section, calls the era\'s MLX API, and the extension decides with its rules', () => {
    for (const era of ['mlx-0.29', 'mlx-0.30'] as const) {
      const files = generate(eraPolicy(era), templates);
      const policy = files.find((file) => file.path === 'MemoryPolicy.swift')?.contents ?? '';
      const extension = files.find((file) => file.path.endsWith('+MemoryPolicy.swift') && file.path !== 'MemoryPolicy.swift')?.contents ?? '';
      expect(policy).toContain(era === 'mlx-0.29' ? 'MLX.GPU.set(cacheLimit: memoryConfiguration.cacheLimit)' : 'MLX.Memory.cacheLimit = memoryConfiguration.cacheLimit');
      expect(policy).toContain(`nonisolated static let clearCacheTakesLock = ${MLX_ERAS[era].clearCacheTakesLock}`);
      // One source of truth: the extension calls MLX and decides through MemoryPolicy only.
      expect(extension).not.toMatch(/MLX\.(GPU|Memory)\./);
      for (const rule of ['applyLimits()', 'releaseAfterAnswer(under:', 'releaseAfterCancel(under:', 'keepsModelLoaded(under:', 'releaseOnLeavingForeground', 'MemoryPolicy.clearCache()']) {
        expect(extension).toContain(rule);
      }
    }
    const withoutEvaluator = validPolicy(editedPolicy([[['evaluator'], undefined], [['output', 'tests'], undefined]]));
    expect(generate(withoutEvaluator, templates).map((file) => file.path)).not.toContain('MemoryPolicy.swift');
  });

  it('docs/generated-swift.md shows each example as the file has it, in a section of its own', () => {
    const docs = readFileSync(fileURLToPath(new URL('../../docs/generated-swift.md', import.meta.url)), 'utf8');
    const section = docs.slice(docs.indexOf('\n## Without a VLMEval-shaped class\n'));
    expect(section.length).toBeLessThan(docs.length);
    const blocks = [...section.split(/\n## /)[1]!.matchAll(/```swift\n([\s\S]*?)```/g)].map((match) => match[1]);
    expect(blocks).toEqual(examples.map((file) => documentedPart(file.contents)));
    expect(readdirSync(folder).filter((name) => name.endsWith('.swift')).sort()).toEqual([...EXAMPLES].sort());
  });
});

const BUILDS: { era: MlxEra; isolation: Isolation }[] = [
  { era: 'mlx-0.29', isolation: 'default' },
  { era: 'mlx-0.30', isolation: 'default' },
  { era: 'mlx-0.31', isolation: 'default' },
  { era: 'mlx-0.31', isolation: 'main-actor' },
];

describe.skipIf(swiftSkipped)('the class-free examples against the stand-ins of each era', () => {
  it.each(BUILDS)('$era with its Swift, $isolation isolation: with evaluator.className: null memtier writes only the files that need no class, and they and the examples compile with no warnings; their XCTests and the generated ones type-check', ({ era, isolation }) => {
    const { module, sources, generatedTests } = appSources(era);
    const result = compileAppModule(era, { name: `integration-${isolation}`, module, sources, appMode: 'strict', isolation, tests: [...behaviourTests(era), ...generatedTests] });
    expect(result.output.split('\n').filter((line) => /: (warning|error): /.test(line))).toEqual([]);
    expect(result.status, result.output).toBe(0);
  }, 900_000);

  it('with `accessLevel: public` the four class-free files compile with no warnings (mlx-swift 0.29.1, its Swift)', () => {
    const policy = validPolicy(editedPolicy([[['output', 'accessLevel'], 'public']]));
    const { module, sources } = splitGenerated(policy);
    const classFree = sources.filter((file) => CLASS_FREE_SOURCES.includes(file.path));
    expect(classFree.find((file) => file.path === 'MemoryPolicy.swift')!.contents).toContain('public struct MemoryPolicy: Sendable {');
    const result = compileAppModule('mlx-0.29', { name: 'integration-public', module, sources: classFree, appMode: 'strict' });
    expect(result.output.split('\n').filter((line) => /: (warning|error): /.test(line))).toEqual([]);
    expect(result.status, result.output).toBe(0);
  }, 900_000);

  it.each(['mlx-0.29', 'mlx-0.31'] as const)('%s: the XCTests pass, the generated ones too with no evaluator class in the app: the rules follow the tier, the pressure stream sends changes and every emergency until its consumer stops, critical pressure unloads the actor\'s and the view model\'s model, and the service unloads and clears the cache after an answer where its tier says', (era) => {
    const root = cachedPackageFolder(`integration-${era}`);
    const { module, sources, generatedTests } = appSources(era);
    const used = assemblePackage(root, { era, module, sources, tests: [...behaviourTests(era), ...generatedTests], isolation: era === 'mlx-0.31' ? 'main-actor' : 'default' });
    const result = swift(root, ['swift', 'test'], used);
    expect(diagnosticsIn(result.output, [module, 'Tests'])).toEqual([]);
    expect(result.status, result.output).toBe(0);
    // The generated XCTests pass too, with no evaluator class in the app.
    const generated = generatedTests[0]!.contents.match(/^\s*(?:@MainActor )?func test\w*\(/gm)?.length ?? 0;
    expect(generated).toBeGreaterThan(10);
    expect(xctestSummary(result.output)).toEqual({ executed: TESTS.length + generated, skipped: 0, failures: 0 });
    for (const name of TESTS) expect(result.output).toMatch(new RegExp(`Test Case '.*IntegrationBehaviourTests.${name}.*' passed`));
  }, 900_000);

  it('swift-format lint finds nothing in the examples and their tests', () => {
    const { root, cleanup } = tempFolder('integration-lint');
    try {
      writeFiles(root, [...examples, ...behaviourTests('mlx-0.29')]);
      const result = lint(root, ['.']);
      expect(result.output).toBe('');
      expect(result.status).toBe(0);
    } finally {
      cleanup();
    }
  }, 300_000);
});
