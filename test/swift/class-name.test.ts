/**
 * `evaluator.className` end to end in Swift: our case with the shape of VLMEval at
 * mlx-swift-examples 44b14cf (test/fixtures/shapes/vlmeval-44b14cf/), its class renamed
 * `PhotoEvaluator`, patched by `memtier patch` with that class name, compiled with the files the
 * policy generates for it (`PhotoEvaluator+MemoryPolicy.swift`, the monitor, `MemoryPolicy`)
 * against the mlx-swift 0.29.1 / mlx-swift-lm 2.29.2 stand-ins in Swift 6 mode with complete
 * checking and `-warnings-as-errors`, with the generated stress test (whose subject is the class)
 * type-checked against the module: no `VLMEvaluator` is declared anywhere in it. The files that
 * name the class pass swift-format lint with a longer name too.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { patchEvaluator } from '../../src/patch/rewrite-evaluator.js';
import { editedPolicy, validPolicy } from '../helpers/policy.js';
import { compileAppModule, diagnosticsIn, evaluatorClassSource, lint, swiftSkipped, tempFolder, VLMEVAL_CASE, writeFiles } from './harness.js';
import { splitGenerated } from './helpers.js';

const CLASS = 'PhotoEvaluator';

describe.skipIf(swiftSkipped)(`a class named ${CLASS}, patched and compiled with the files generated for it (mlx-swift 0.29.1, mlx-swift-lm 2.29.2)`, () => {
  it('builds in Swift 6 mode with -warnings-as-errors, and the stress test type-checks against it', async () => {
    const policy = validPolicy(editedPolicy([[['evaluator', 'mlxApi'], 'gpu'], [['evaluator', 'className'], CLASS], [['output', 'tests'], { module: 'Photos' }]]));
    const renamed = readFileSync(VLMEVAL_CASE, 'utf8').replace(/\bVLMEvaluator\b/g, CLASS);
    const result = await patchEvaluator(renamed, 'ContentView.swift', { className: CLASS });
    if (!result.ok) throw new Error(result.problems.map((problem) => problem.message).join('\n'));
    const { module, sources, tests } = splitGenerated(policy);
    expect(sources.map((file) => file.path)).toContain(`${CLASS}+MemoryPolicy.swift`);
    const patched = evaluatorClassSource(VLMEVAL_CASE, result.output, CLASS);
    const all = [...sources, ...tests, patched];
    expect(all.filter((file) => /\bVLMEvaluator\b/.test(file.contents)).map((file) => file.path)).toEqual([]);
    const build = compileAppModule('mlx-0.29', { name: 'class-name-photo-evaluator', module, sources: [...sources, patched], appMode: 'strict', tests });
    expect(diagnosticsIn(build.output, [module, 'Tests'])).toEqual([]);
    expect(build.status, build.output).toBe(0);
  }, 900_000);

  it('the files that name the class pass swift-format lint --strict, with a name longer than VLMEvaluator', () => {
    const name = 'OnDevicePhotoQuestionEvaluator';
    const policy = validPolicy(editedPolicy([[['evaluator', 'className'], name], [['output', 'tests'], { module: 'Photos' }]]));
    const { sources, tests } = splitGenerated(policy);
    const files = [...sources.filter((file) => file.path === `${name}+MemoryPolicy.swift`), ...tests.filter((file) => file.path === 'MemoryStressTest.swift')];
    expect(files).toHaveLength(2);
    const folder = tempFolder('class-name-lint');
    try {
      writeFiles(folder.root, files);
      const result = lint(folder.root, files.map((file) => file.path));
      expect(result.output).toBe('');
      expect(result.status).toBe(0);
    } finally {
      folder.cleanup();
    }
  }, 300_000);
});
