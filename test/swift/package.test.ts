/**
 * The generated Swift built as a SwiftPM package by a real Swift 6 compiler (strict concurrency,
 * warnings as errors) with the stand-in MLX modules, and the generated XCTests run.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from '../../src/generate.js';
import { diagnosticsOf, editedPolicy, validPolicy } from '../helpers/policy.js';
import { assemblePackage, harnessTests, swift, swiftSkipped, tempFolder, xctestSummary } from './harness.js';
import { splitGenerated } from './helpers.js';

const folders: { cleanup: () => void }[] = [];
afterAll(() => folders.forEach((folder) => folder.cleanup()));

function buildAndTest(policy = validPolicy()) {
  const folder = tempFolder('swiftpm');
  folders.push(folder);
  const { module, sources, tests } = splitGenerated(policy);
  assemblePackage(folder.root, { module, sources, tests: [...tests, ...harnessTests()] });
  return swift(folder.root, ['swift', 'test']);
}

describe.skipIf(swiftSkipped)('the generated Swift in a Swift 6 package', () => {
  it('builds with the stand-ins under strict concurrency, and its generated XCTests pass', () => {
    const result = buildAndTest();
    expect(result.output).not.toMatch(/warning:|error:/);
    expect(result.status, result.output).toBe(0);
    const summary = xctestSummary(result.output);
    // 7 generated test methods (MemoryPolicyTests) + 1 of the harness (StandInTests).
    expect(summary).toEqual({ executed: 8, failures: 0 });
    for (const name of ['testExpectations', 'testBoundaries', 'testUpperBounds', 'testOrder', 'testConfigurations', 'testGenerationParameters', 'testCurrentDevice']) {
      expect(result.output).toMatch(new RegExp(`Test Case '.*MemoryPolicyTests.${name}.*' passed`));
    }
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
    expect(xctestSummary(result.output)).toEqual({ executed: 8, failures: 1 });
    expect(result.output).toMatch(/MemoryPolicyTests\.swift:\d+: error: .*testExpectations.*XCTAssertEqual failed: \("standard"\) is not equal to \("low"\) - expectations\[1\]/);
  }, 600_000);
});
