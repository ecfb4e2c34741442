/**
 * The generated Swift built as a SwiftPM package by a real Swift 6 compiler (strict concurrency,
 * warnings as errors) against stand-ins transcribed from two pinned pairs of MLX releases, with the
 * patched evaluator of each era, and the generated and behaviour XCTests run. The VLMEvaluator class
 * of our VLMEval-shaped case (test/fixtures/shapes/vlmeval-44b14cf/) is type-checked against the
 * 0.29.1 pair, and builds that the real releases reject are rejected.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../../src/generate.js';
import type { GeneratedFile } from '../../src/render/render-files.js';
import type { Policy } from '../../src/policy/schema.js';
import { stressReportSchema } from '../../src/reports/stress-report.js';
import { measureReports, readFieldReport } from '../../src/reports/field-reports.js';
import { budgetOf } from '../../src/reports/budget.js';
import { diagnosticsOf, editedPolicy, templates, validPolicy } from '../helpers/policy.js';
import {
  assemblePackage, cachedPackageFolder, diagnosticsIn, eraEvaluatorSource, harnessTests, MLX_ERAS, swift, swiftSkipped,
  evaluatorClassSource, VLMEVAL_CASE, xctestSummary, type Isolation, type MlxEra, type SwiftToolchain,
} from './harness.js';
import { splitGenerated } from './helpers.js';
import { patchEvaluator } from '../../src/patch/rewrite-evaluator.js';

interface Build {
  /** The package's folder name (kept between runs, see cachedPackageFolder). */
  name: string;
  era: MlxEra;
  policy?: Policy;
  /** Which era's evaluator goes into the app module (default: the build's era). */
  evaluatorEra?: MlxEra;
  extraSources?: GeneratedFile[];
  /** Replaces the era's evaluator with this source. */
  evaluatorSource?: string;
  upstream?: GeneratedFile[];
  command?: string[];
  /** Which of the harness's own Swift tests (test/swift/tests/) to add, by file name (default: all). */
  harness?: (name: string) => boolean;
  /** Further test files, for this build's evaluator only. */
  extraTests?: GeneratedFile[];
  /** Default: the era's oldest (see MLX_ERAS). */
  toolchain?: SwiftToolchain;
  /** The app module's default isolation (Swift 6.2 only); default `default`. */
  isolation?: Isolation;
}

function build({ name, era, policy = policyFor(era), evaluatorEra = era, extraSources = [], evaluatorSource, upstream, command = ['swift', 'test'], harness = () => true, extraTests = [], toolchain, isolation }: Build) {
  const root = cachedPackageFolder(name);
  rmSync(join(root, 'stress-report.json'), { force: true });
  const { module, sources, tests } = splitGenerated(policy);
  const evaluator = { path: 'ContentView.swift', contents: evaluatorSource ?? eraEvaluatorSource(evaluatorEra) };
  const used = assemblePackage(root, { era, module, sources: [...sources, evaluator, ...extraSources], tests: [...tests, ...harnessTests().filter((file) => harness(file.path)), ...extraTests], upstream, toolchain, isolation });
  return { ...swift(root, command, used), module, root };
}

/**
 * The shipped policy with the `mlxApi` an era calls for, and whether its `clearCache` takes MLX's
 * lock (0.30.6 does, 0.29.1 does not), as `generate` settles them from the app's Package.resolved.
 */
function policyFor(era: MlxEra, mlxApi: string = MLX_ERAS[era].mlxApi): Policy {
  return validPolicy(editedPolicy([[['evaluator', 'mlxApi'], mlxApi], [['evaluator', 'clearCacheTakesLock'], MLX_ERAS[era].clearCacheTakesLock]]));
}

const GENERATED_TESTS = [
  ...['testExpectations', 'testBoundaries', 'testUpperBounds', 'testOrder', 'testConfigurations', 'testPromises', 'testBudgets', 'testGenerationParameters'].map((name) => `MemoryPolicyTests.${name}`),
  ...['testADispatchWarningSurvivesANormalPoll', 'testACriticalDispatchEventIsAMemoryWarningThatASampleEnds', 'testWhileCriticalEverySampleRunsTheEmergencyAgain',
    'testAMemoryWarningRaisesItsLevelUntilASampleShowsRecovery', 'testWithNoKnownLimitAMemoryWarningEndsAfterItsQuietPeriod', 'testTheAppsLifeCycleReachesItsHandlersAndDecidesWhetherGPUWorkMayStart',
    'testTheMeasuredLevelRisesAtOnceAndFallsOnlyBelowRecovery', 'testACoalescedDispatchEventKeepsItsLowestLevelAndEndsTheOthersOnRecovery', 'testAnAvailableOfZeroIsNoEvidenceOfPressure', 'testADecisionSamplesFirst',
    'testHandlersGoWithTheirOwnerOrTheirRegistration', 'testTheMonitorIsNotKeptAliveByItsPollingLoop'].map((name) => `MemoryPressureMonitorTests.${name}`),
  ...['testEveryTierBoundsTheLongestSideAndKeepsTheAspect', 'testAnImageAwayFromTheOriginIsMovedThere', 'testSmallImagesAreNotUpscaledAndSizelessOnesAreLeftAlone',
    'testApplyImageSizeSetsTheResizeAndScalesTheImages'].map((name) => `ImageSizeTests.${name}`),
];
/** The tests in test/swift/tests/StressRunnerBehaviourTests.swift. */
const STRESS_RUNNER_TESTS = 24;
/** EvaluatorBehaviourTests (one test fewer in the 0.30 era, which has no unlocked clearCache to test), MonitorBehaviourTests, StressRunnerBehaviourTests. */
const BEHAVIOUR_TESTS: Record<'mlx-0.29' | 'mlx-0.30', number> = { 'mlx-0.29': 47 + 10 + STRESS_RUNNER_TESTS, 'mlx-0.30': 46 + 10 + STRESS_RUNNER_TESTS };
/** The harness's StandInTests, and the generated on-device stress test (which skips itself here). */
const STAND_IN_TESTS = 7;
const SKIPPED_STRESS_TEST = 1;
/** The behaviour tests of the patched VLMEval 44b14cf case's class (test/swift/upstream/), run in its build only. */
const UPSTREAM_TESTS = { path: 'UpstreamEvaluatorBehaviourTests.swift', contents: readFileSync(new URL('./upstream/UpstreamEvaluatorBehaviourTests.swift', import.meta.url), 'utf8') };
const UPSTREAM_TEST_COUNT = 4;
/** The generated on-device stress test: it skips itself unless MEMTIER_STRESS=1 (and never runs here). */
const STRESS_TEST = 'MemoryStressTests.testTheTierStaysWithinItsBudgetOnThisDevice';

/**
 * Checks the JSON report StressRunnerBehaviourTests wrote in the package's folder against the
 * documented schema (src/reports/stress-report.ts, published as docs/stress-report.schema.json).
 */
function expectStressReportMatchesItsSchema(root: string) {
  const report = stressReportSchema.parse(JSON.parse(readFileSync(join(root, 'stress-report.json'), 'utf8')));
  expect(report.tier).toBe('standard');
  expect(report.buildConfiguration).toBe('debug');
  expect(report.scenarios.map((scenario) => scenario.name)).toEqual(['firstLoad', 'answersInARow', 'alternatingImages', 'longRun']);
  expect(report.baselineFootprint).toBe(100 * 1_048_576);
  expect(report.peakFootprint).toBe(3600 * 1_048_576);
  expect(report.sampledPeakFootprint).toBe(3600 * 1_048_576);
  expect(report.kernelPeakFootprint).toBeUndefined();
  expect(report.estimatedPeakFootprint).toBe(3000 * 1_048_576);
  expect(report.estimateErrorPercent).toBeCloseTo(20, 6);
  expect([report.maxTokens, report.answersAtMaxTokens, report.cancelledAnswers]).toEqual([800, 0, 0]);
  expect(report.failures.map((failure) => failure.budget)).toContain('peakFootprint');
  expect(report.failures.map((failure) => failure.budget)).toContain('maxMainActorStallSeconds');
  expect(report.pressureLevels).toContain('critical');
  // The figures of format 3, with plausible values: the load raised the footprint above the
  // baseline, the prefill above the load, MLX's peak is at least what is active, and the OS
  // version is the machine's; the thermal state is scripted (Linux's Foundation has none).
  expect(report.osVersion).toMatch(/^\d+\.\d+\.\d+$/);
  expect([report.thermalStateAtStart, report.thermalStateAtEnd]).toEqual(['nominal', 'nominal']);
  const answers = report.scenarios.flatMap((scenario) => scenario.answers);
  const first = answers[0]!;
  expect(first.loadedModel).toBe(true);
  expect(first.footprintAfterLoad).toBe(1100 * 1_048_576);
  expect(first.footprintAfterLoad!).toBeGreaterThanOrEqual(report.baselineFootprint!);
  expect(answers.slice(1).every((answer) => answer.loadedModel || answer.footprintAfterLoad === undefined)).toBe(true);
  for (const answer of answers) {
    expect(answer.footprintAtFirstToken!).toBeGreaterThanOrEqual(first.footprintAfterLoad!);
    expect(answer.footprintAtLastToken).toBeDefined();
    expect(answer.footprintGrowthPerToken).toBe((answer.footprintAtLastToken! - answer.footprintAtFirstToken!) / (answer.tokens - 1));
    expect(answer.promptTokens).toBe(1200);
    expect(answer.mlxMemory!.peakMemory).toBeGreaterThanOrEqual(answer.mlxMemory!.activeMemory);
    expect(answer.thermalState).toBe('nominal');
  }
  // memtier budget --reports reads what the generated Swift writes: matched to the iPhone 13 and
  // standard, with the warnings its scripted run earns (docs/budgets.md, "Measured on your phones").
  const read = readFieldReport(readFileSync(join(root, 'stress-report.json'), 'utf8'), 'stress-report.json');
  if (!read.ok) throw new Error(JSON.stringify(read.diagnostics));
  const budget = budgetOf(validPolicy(), 'tiers.yaml');
  if ('error' in budget) throw new Error(budget.error);
  const [run] = measureReports(validPolicy(), budget, [read.report]).runs;
  expect(run!.deviceName).toBe('iPhone 13 (iPhone14,5)');
  // physicalMemory is the build machine's: a wrong tier unless it lands in standard (3-6 GiB).
  expect(run!.warnings.map((warning) => warning.id)).toEqual([
    ...(run!.landsIn === run!.tierIndex ? [] : ['report-wrong-tier:standard:iphone-13']),
    'report-over-estimate:standard:iphone-13',
    'report-broken-budget:standard:iphone-13:peakFootprint',
    'report-broken-budget:standard:iphone-13:maxMainActorStallSeconds',
  ]);
}

describe.skipIf(swiftSkipped)('the generated Swift in a Swift 6 package, against each pinned pair of MLX releases', () => {
  it('mlx-swift 0.29.1 + mlx-swift-lm 2.29.2, mlxApi gpu: builds with the patched evaluator, all XCTests pass, and the VLMEval 44b14cf case\'s class, unpatched, type-checks in VLMEval\'s target mode', () => {
    const result = build({ name: 'mlx-0.29-gpu', era: 'mlx-0.29', upstream: [evaluatorClassSource()] });
    expect(diagnosticsIn(result.output, [result.module, 'Tests'])).toEqual([]);
    expect(result.status, result.output).toBe(0);
    // The Upstream target (Swift 5 mode, minimal checking, as VLMEval's Xcode target) was compiled.
    expect(result.output).toMatch(/Compiling Upstream VLMEvaluator\.swift/);
    expect(diagnosticsIn(result.output, ['Upstream']).filter((line) => line.includes(': error: '))).toEqual([]);
    expect(xctestSummary(result.output)).toEqual({ executed: GENERATED_TESTS.length + BEHAVIOUR_TESTS['mlx-0.29'] + STAND_IN_TESTS + SKIPPED_STRESS_TEST, skipped: 1, failures: 0 });
    for (const name of GENERATED_TESTS) expect(result.output).toMatch(new RegExp(`Test Case '.*${name}.*' passed`));
    expect(result.output).toMatch(new RegExp(`Test Case '.*${STRESS_TEST}.*' skipped`));
    expect(result.output).toMatch(/set MEMTIER_STRESS=1 \(TEST_RUNNER_MEMTIER_STRESS=1 with xcodebuild\) to run/);
    expectStressReportMatchesItsSchema(result.root);
    expect(result.output).toMatch(/Test Case '.*EvaluatorBehaviourTests.testAnAvailableOfZeroIsNoEvidenceOfPressure.*' passed/);
    expect(result.output).toMatch(/Test Case '.*StandInTests.testTheGPUAPIIsRecorded.*' passed/);
  }, 900_000);

  it('mlx-swift 0.30.6 + mlx-swift-lm 2.30.6, mlxApi memory: builds with the 0.30 evaluator, all XCTests pass', () => {
    const policy = policyFor('mlx-0.30');
    // MemoryPolicy.swift calls MLX; the extension calls MemoryPolicy.
    const mlxCalls = generate(policy, templates).find((file) => file.path === 'MemoryPolicy.swift')!.contents;
    expect(mlxCalls).toContain('MLX.Memory.cacheLimit = memoryConfiguration.cacheLimit');
    expect(mlxCalls).not.toContain('GPU.');
    const result = build({ name: 'mlx-0.30-memory', era: 'mlx-0.30', policy });
    expect(diagnosticsIn(result.output, [result.module, 'Tests'])).toEqual([]);
    expect(result.status, result.output).toBe(0);
    expect(xctestSummary(result.output)).toEqual({ executed: GENERATED_TESTS.length + BEHAVIOUR_TESTS['mlx-0.30'] + STAND_IN_TESTS + SKIPPED_STRESS_TEST, skipped: 1, failures: 0 });
    expect(result.output).toMatch(/Test Case '.*StandInTests.testTheMemoryAPIIsRecorded.*' passed/);
    expect(result.output).toMatch(/Test Case '.*StressRunnerBehaviourTests.testTheRunnerDrivesThePatchedEvaluator.*' passed/);
    expectStressReportMatchesItsSchema(result.root);
  }, 900_000);

  // The harness's behaviour tests that need no mlx-swift-lm 2.x loading call of their own (the
  // others load with loadContainer(configuration:), which 3.x removed).
  const ERA_031_HARNESS = ['MonitorBehaviourTests.swift', 'StressRunnerBehaviourTests.swift'];

  it.each(['default', 'main-actor'] as const)('mlx-swift 0.31.4 + mlx-swift-lm 3.31.4 with Swift 6.2, %s isolation: builds with the 0.30 evaluator moved to 3.x loading (MLXHuggingFace macros), and the generated XCTests, the stress test and the behaviour tests that need no 2.x loading pass', (isolation) => {
    const harness = (file: string) => ERA_031_HARNESS.includes(file);
    const result = build({ name: `mlx-0.31-memory-swift6.2-${isolation}`, era: 'mlx-0.31', harness, isolation });
    expect(diagnosticsIn(result.output, [result.module, 'Tests'])).toEqual([]);
    expect(result.status, result.output).toBe(0);
    const behaviour = harnessTests().filter((file) => harness(file.path)).reduce((count, file) => count + (file.contents.match(/^\s*(?:@MainActor )?func test\w*\(/gm)?.length ?? 0), 0);
    expect(behaviour).toBeGreaterThan(0);
    expect(xctestSummary(result.output)).toEqual({ executed: GENERATED_TESTS.length + behaviour + SKIPPED_STRESS_TEST, skipped: 1, failures: 0 });
    for (const name of GENERATED_TESTS) expect(result.output).toMatch(new RegExp(`Test Case '.*${name}.*' passed`));
    expect(result.output).toMatch(/Test Case '.*StressRunnerBehaviourTests.testTheRunnerDrivesThePatchedEvaluator.*' passed/);
    expectStressReportMatchesItsSchema(result.root);
  }, 900_000);

  it('the VLMEval 44b14cf case\'s class, patched by memtier, with the generated files: the generated XCTests and the stress test build against it in Swift 6 mode and pass, the stress runner drives it, and it loads once and releases as its tier says', async () => {
    const patched = await patchEvaluator(readFileSync(VLMEVAL_CASE, 'utf8'), 'ContentView.swift');
    if (!patched.ok) throw new Error(JSON.stringify(patched.problems));
    // The class alone (the rest of the file is SwiftUI view code with no stand-in), as corpus.test.ts compiles it.
    const evaluatorSource = evaluatorClassSource(VLMEVAL_CASE, patched.output).contents;
    // The stress runner's behaviour tests need only the generated API; the others drive the fixture's own methods.
    const result = build({ name: 'mlx-0.29-vlmeval-case', era: 'mlx-0.29', evaluatorSource, harness: (file) => file === 'StressRunnerBehaviourTests.swift', extraTests: [UPSTREAM_TESTS] });
    expect(diagnosticsIn(result.output, [result.module, 'Tests'])).toEqual([]);
    expect(result.status, result.output).toBe(0);
    // The stress test's conformance compiled against the case's class; on Linux the test skips itself.
    expect(xctestSummary(result.output)).toEqual({ executed: GENERATED_TESTS.length + 1 + STRESS_RUNNER_TESTS + UPSTREAM_TEST_COUNT, skipped: 1, failures: 0 });
    expect(result.output).toMatch(/Test Case '.*StressRunnerBehaviourTests.testTheRunnerDrivesThePatchedEvaluator.*' passed/);
    expect(result.output.match(/Test Case '.*UpstreamEvaluatorBehaviourTests\.\w+.*' passed/g)).toHaveLength(UPSTREAM_TEST_COUNT);
    expect(result.output).toMatch(new RegExp(`Test Case '.*${STRESS_TEST}.*' skipped`));
  }, 900_000);

  it('the 0.30 pair rejects what a real 0.30 build rejects: GPU.set (deprecated) and a perform closure that captures a UserInput', () => {
    // mlxApi gpu with the 0.29-era evaluator, built against mlx-swift 0.30.6 / mlx-swift-lm 2.30.6.
    const result = build({ name: 'mlx-0.30-rejects-gpu', era: 'mlx-0.30', policy: policyFor('mlx-0.30', 'gpu'), evaluatorEra: 'mlx-0.29', command: ['swift', 'build'] });
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/\/MemoryPolicy\.swift:\d+:\d+: error: 'set\(cacheLimit:\)' is deprecated: use Memory\.cacheLimit property/);
    expect(result.output).toMatch(/'clearCache\(\)' is deprecated: renamed to 'Memory\.clearCache'/);
    expect(result.output).toMatch(/ContentView\.swift:\d+:\d+: error: capture of 'input' with non-sendable type 'UserInput' in a `@Sendable` closure/);
  }, 900_000);

  it('the 0.29 pair rejects what a real 0.29 build rejects: MLX.Memory (not there yet) and a didGenerate closure that does not name its type', () => {
    const ambiguous = {
      path: 'Ambiguous.swift',
      contents: 'import MLXLMCommon\n\nfunc answer(_ input: LMInput, _ context: ModelContext) throws {\n  _ = try generate(input: input, parameters: GenerateParameters(), context: context) { _ in .more }\n}\n',
    };
    const result = build({ name: 'mlx-0.29-rejects-memory', era: 'mlx-0.29', policy: policyFor('mlx-0.29', 'memory'), extraSources: [ambiguous], command: ['swift', 'build'] });
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/\/MemoryPolicy\.swift:\d+:\d+: error: (module 'MLX' has no member named 'Memory'|cannot find 'Memory' in scope)/);
    expect(result.output).toMatch(/Ambiguous\.swift:4:\d+: error: ambiguous use of 'generate/);
  }, 900_000);

  it('an evaluator that lacks memoryConfiguration fails to build, the first error naming the contract', () => {
    const evaluatorSource = [
      'import MLXLMCommon', 'import SwiftUI', '',
      '@Observable', '@MainActor', 'class VLMEvaluator {',
      '  enum LoadState {', '    case idle', '    case loaded(ModelContainer)', '  }',
      '  var loadState = LoadState.idle', '  var generationTask: Task<Void, Error>?', '}', '',
    ].join('\n');
    const result = build({ name: 'mlx-0.29-no-configuration', era: 'mlx-0.29', evaluatorSource, command: ['swift', 'build'] });
    expect(result.status).not.toBe(0);
    const errors = result.output.split('\n').filter((line) => /^\S+\.swift:\d+:\d+: error: /.test(line.replace(/^.*Sources\//, '')));
    expect(errors[0]).toMatch(/VLMEvaluator\+MemoryPolicy\.swift:\d+:\d+: error: type 'VLMEvaluator' does not conform to protocol 'MemoryPolicyEvaluator'/);
  }, 900_000);

  it('fails the generated XCTest when an expectation or a promised value no longer holds (TypeScript validation bypassed)', () => {
    // The same edits in YAML are refused by validation...
    const yaml = editedPolicy([[['expectations', 1, 'tier'], 'low'], [['expectations', 6, 'atLeast', 'maxTokens'], 900]]);
    const refused = diagnosticsOf(yaml).join('\n');
    expect(refused).toContain('expectations[1]: iPhone 11 (4 GB) reports 3.60 GiB (3_865_470_566 bytes) and is expected in "low" but lands in "standard"');
    expect(refused).toContain('expectations[6].atLeast.maxTokens: "standard" has maxTokens 800, but at least 900 is promised');
    // ...so build the policy object directly, as if validation had been skipped.
    const policy = validPolicy();
    policy.expectations[1]!.tier = 'low';
    policy.expectations[6]!.atLeast!.maxTokens = 900;
    expect(generate(policy, templates).find((file) => file.path.endsWith('MemoryPolicyTests.swift'))?.contents).toContain('XCTAssertEqual(tier(3_865_470_566), .low, "expectations[1]")');
    const result = build({ name: 'mlx-0.29-broken-expectation', era: 'mlx-0.29', policy });
    expect(result.status).not.toBe(0);
    expect(xctestSummary(result.output)).toEqual({ executed: GENERATED_TESTS.length + BEHAVIOUR_TESTS['mlx-0.29'] + STAND_IN_TESTS + SKIPPED_STRESS_TEST, skipped: 1, failures: 2 });
    expect(result.output).toMatch(/MemoryPolicyTests\.swift:\d+: error: .*testExpectations.*XCTAssertEqual failed: \("standard"\) is not equal to \("low"\) - expectations\[1\]/);
    expect(result.output).toMatch(/MemoryPolicyTests\.swift:\d+: error: .*testPromises.*XCTAssertGreaterThanOrEqual failed: \("800"\) is less than \("900"\) - expectations\[6\]\.atLeast\.maxTokens/);
  }, 900_000);
});
