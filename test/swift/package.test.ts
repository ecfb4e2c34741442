/**
 * The generated Swift built as a SwiftPM package by a real Swift 6 compiler (strict concurrency,
 * warnings as errors) with the stand-in MLX modules, and the generated XCTests run.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/generate.js';
import { diagnosticsOf, editedPolicy, validPolicy } from '../helpers/policy.js';
import { readFileSync } from 'node:fs';
import { assemblePackage, harnessTests, PATCHED_EVALUATOR_FIXTURE, swift, swiftSkipped, tempFolder, xctestSummary } from './harness.js';
import { splitGenerated } from './helpers.js';

const folders: { cleanup: () => void }[] = [];
afterAll(() => folders.forEach((folder) => folder.cleanup()));

function buildAndTest(policy = validPolicy(), command = ['swift', 'test']) {
  const folder = tempFolder('swiftpm');
  folders.push(folder);
  const { module, sources, tests } = splitGenerated(policy);
  const evaluator = { path: 'ContentView.swift', contents: readFileSync(PATCHED_EVALUATOR_FIXTURE, 'utf8') };
  assemblePackage(folder.root, { module, sources: [...sources, evaluator], tests: [...tests, ...harnessTests()] });
  return swift(folder.root, command);
}

const GENERATED_TESTS = ['testExpectations', 'testBoundaries', 'testUpperBounds', 'testOrder', 'testConfigurations', 'testGenerationParameters', 'testCurrentDevice'];
const BEHAVIOUR_TESTS = 14;

describe.skipIf(swiftSkipped)('the generated Swift in a Swift 6 package', () => {
  it('builds with the patched evaluator under strict concurrency; the generated XCTests and the behaviour tests pass', () => {
    const result = buildAndTest();
    expect(result.output).not.toMatch(/warning:|error:/);
    expect(result.status, result.output).toBe(0);
    const summary = xctestSummary(result.output);
    // The generated MemoryPolicyTests, the evaluator behaviour tests, and the stand-ins' own test.
    expect(summary).toEqual({ executed: GENERATED_TESTS.length + BEHAVIOUR_TESTS + 1, failures: 0 });
    for (const name of GENERATED_TESTS) {
      expect(result.output).toMatch(new RegExp(`Test Case '.*MemoryPolicyTests.${name}.*' passed`));
    }
    expect(result.output).toMatch(/Test Case '.*EvaluatorBehaviourTests.testUnloadReturnsAtOnceAndReleasesMemoryOffTheMainActor.*' passed/);
  }, 600_000);

  it('builds with the mlx-swift 0.30 memory API (evaluator.mlxApi: memory)', () => {
    const policy = validPolicy(editedPolicy([[['evaluator', 'mlxApi'], 'memory']]));
    const extension = generate(policy).find((file) => file.path === 'VLMEvaluator+MemoryPolicy.swift')!.contents;
    expect(extension).toContain('MLX.Memory.cacheLimit = memoryConfiguration.cacheLimit');
    expect(extension).not.toContain('GPU.');
    const result = buildAndTest(policy, ['swift', 'build', '--build-tests']);
    expect(result.output).not.toMatch(/warning:|error:/);
    expect(result.status, result.output).toBe(0);
  }, 600_000);

  it('fails the generated XCTest when an expectation no longer holds (TypeScript validation bypassed)', () => {
    // The same edit in YAML is refused by validation...
    const yaml = editedPolicy([[['expectations', 1, 'tier'], 'low']]);
    expect(diagnosticsOf(yaml).join('\n')).toContain('expectations[1]: iPhone 11 (4 GB) reports 3.60 GiB (3_865_470_566 bytes) and is expected in "low" but lands in "standard"');
    // ...so build the policy object directly, as if validation had been skipped.
    const policy = validPolicy();
    policy.expectations[1]!.tier = 'low';
    expect(generate(policy).find((file) => file.path.endsWith('MemoryPolicyTests.swift'))?.contents).toContain('XCTAssertEqual(tier(3_865_470_566), .low, "expectations[1]")');
    const result = buildAndTest(policy);
    expect(result.status).not.toBe(0);
    expect(xctestSummary(result.output)).toEqual({ executed: GENERATED_TESTS.length + BEHAVIOUR_TESTS + 1, failures: 1 });
    expect(result.output).toMatch(/MemoryPolicyTests\.swift:\d+: error: .*testExpectations.*XCTAssertEqual failed: \("standard"\) is not equal to \("low"\) - expectations\[1\]/);
  }, 600_000);
});
