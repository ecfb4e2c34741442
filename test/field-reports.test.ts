/**
 * The stress reports from the team's phones (`memtier budget --reports`, `memtier explain
 * --reports`): a report the generated Swift wrote in the Linux harness, reports built to the
 * schema, and broken ones (bad JSON, another format, a missing key, a wrong type, an unknown key),
 * each a located error and never a crash.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { budgetCommand } from '../src/cli/commands/budget-command.js';
import { explainCommand } from '../src/cli/commands/explain-command.js';
import { formatDiagnostic } from '../src/diagnostics/format.js';
import { loadJson } from '../src/load/load-json.js';
import { budgetOf } from '../src/reports/budget.js';
import { formatSizeApprox } from '../src/policy/sizes.js';
import { figuresOf, formatMeasuredSection, measureReports, readFieldReport, reportsJson, type FieldReport } from '../src/reports/field-reports.js';
import { memoryEstimates } from '../src/reports/report-memory.js';
import { stressReportSchema, type StressReport } from '../src/reports/stress-report.js';
import { makeProject } from './helpers/cli.js';
import { DEFAULT_POLICY_TEXT, validPolicy } from './helpers/policy.js';

const MiB = 1_048_576;
const fixture = (name: string) => readFileSync(new URL(`fixtures/stress-reports/${name}`, import.meta.url), 'utf8');
/** Written by the generated MemoryStressTest.swift in test/swift's package (StressRunnerBehaviourTests, scripted footprint, mlx-swift 0.30.6 stand-ins). */
const HARNESS = 'linux-harness-scripted-mlx-0.30.json';
/** The same test's report from an earlier memtier, whose stress test wrote format 1. */
const FORMAT_1 = 'linux-harness-format-1-older-memtier.json';
/** The same test's report from the memtier before this one, whose stress test wrote format 2 (which memtier still reads). */
const FORMAT_2 = 'linux-harness-format-2-previous-memtier.json';

const policy = validPolicy();
const budget = (() => {
  const value = budgetOf(policy, 'tiers.yaml');
  if ('error' in value) throw new Error(value.error);
  return value;
})();
/** The shipped standard tier's estimate, as memtier budget gives it (the tests follow it when it changes). */
const STANDARD = budget.tiers.find((fit) => fit.name === 'standard')!.estimate;
const STANDARD_ESTIMATE = Number(STANDARD.total);
/** A peak `percent` over the estimate, in bytes; and how memtier writes a peak's distance from it. */
const over = (percent: number) => Math.round(STANDARD_ESTIMATE * (1 + percent / 100));
const percentText = (bytes: number) => `${bytes >= STANDARD_ESTIMATE ? '+' : ''}${(((bytes - STANDARD_ESTIMATE) / STANDARD_ESTIMATE) * 100).toFixed(1)}%`;
const size = (bytes: number) => formatSizeApprox(BigInt(bytes));
const pattern = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One answer as the stress test writes it. */
function answer(index: number, fields: Partial<StressReport['scenarios'][number]['answers'][number]> = {}) {
  return {
    index, image: 0, loadedModel: false, cancelled: false, secondsToFirstToken: 1.1, seconds: 30, tokens: 600, tokensPerSecond: 20.5,
    peakFootprint: 1_700 * MiB, longestMainActorStallSeconds: 0.02,
    promptTokens: 1_300, footprintAtFirstToken: 1_400 * MiB, footprintAtLastToken: 1_400 * MiB + 599 * 24_576,
    footprintGrowthPerToken: 24_576, mlxMemory: { activeMemory: 1_200 * MiB, cacheMemory: 20 * MiB, peakMemory: 1_450 * MiB }, thermalState: 'nominal' as const,
    samples: [{ seconds: 0, footprint: 1_150 * MiB, available: 2_000 * MiB, pressure: 'normal' as const }],
    ...fields,
  };
}

/** A release run of the shipped standard tier on an iPhone 12 (iPhone13,2), built to the schema. */
function report(fields: Partial<StressReport> = {}): StressReport {
  const value = {
    format: 'memtier-stress-report/3' as const,
    device: 'iPhone13,2',
    osVersion: '18.1.0',
    thermalStateAtStart: 'nominal' as const,
    thermalStateAtEnd: 'fair' as const,
    physicalMemory: 3_793_600_512,
    buildConfiguration: 'release' as const,
    tier: 'standard',
    budget: { peakFootprint: 2_621_440_000, minTokensPerSecond: 15, maxSecondsToFirstToken: 2, maxMainActorStallSeconds: 0.1 },
    maxTokens: 800,
    baselineFootprint: 160 * MiB,
    scenarios: [
      { name: 'firstLoad' as const, answers: [answer(1, { loadedModel: true, footprintAfterLoad: 1_100 * MiB, secondsToFirstToken: 6.5, samples: [{ seconds: 0, footprint: 160 * MiB, available: 3_000 * MiB, pressure: 'normal' as const }] })] },
      { name: 'answersInARow' as const, answers: [answer(1), answer(2, { secondsToFirstToken: 1.4, tokensPerSecond: 18.25 })] },
      { name: 'alternatingImages' as const, answers: [answer(1, { seconds: 41.5, longestMainActorStallSeconds: 0.04 })] },
      { name: 'longRun' as const, answers: [] },
    ],
    peakFootprint: over(1.5),
    sampledPeakFootprint: over(1.5) - 20 * MiB,
    kernelPeakFootprint: over(1.5),
    kernelPeakFootprintBeforeRun: 400 * MiB,
    estimatedPeakFootprint: STANDARD_ESTIMATE,
    estimateErrorPercent: 1.6,
    modelLoads: 1,
    reloads: 0,
    answersAtMaxTokens: 0,
    cancelledAnswers: 0,
    longestMainActorStallSeconds: 0.04,
    pressureLevels: ['normal' as const],
    failures: [],
    ...fields,
  };
  return stressReportSchema.parse(value);
}

function read(text: string, file = 'phone.json'): FieldReport {
  const result = readFieldReport(text, file);
  if (!result.ok) throw new Error(result.diagnostics.map(formatDiagnostic).join('\n'));
  return result.report;
}

const text = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const ids = (report: FieldReport) => measureReports(policy, budget, [report]).runs[0]!.warnings.map((warning) => warning.id);

/** The errors `readFieldReport` gives a broken report, formatted as the CLI prints them. */
function errorOf(broken: string): string[] {
  const result = readFieldReport(broken, 'phone.json');
  if (result.ok) throw new Error('accepted');
  return result.diagnostics.map(formatDiagnostic);
}

/** The 1-based line of the first line of `source` that holds `needle`. */
function lineOf(needle: string, source: string): number {
  return source.split('\n').findIndex((line) => line.includes(needle)) + 1;
}

describe('a report the generated Swift wrote (the Linux harness)', () => {
  it('is valid, matched to the iPhone 13 by its identifier and to standard by name, and its promises checked against the policy', () => {
    const harness = read(fixture(HARNESS), HARNESS);
    const [run] = measureReports(policy, budget, [harness]).runs;
    expect(run!.deviceName).toBe('iPhone 13 (iPhone14,5)');
    expect(run!.tierIndex).toBe(2);
    // The harness's scripted footprint: 100 MiB before the load, 1100 MiB as it ends, 3600 MiB from the first token.
    expect(run!.figures.baselineFootprint?.value).toBe(100 * MiB);
    expect(run!.figures.afterLoad).toEqual({ value: 1100 * MiB, path: ['scenarios', 0, 'answers', 0, 'footprintAfterLoad'], where: 'firstLoad, answer 1' });
    expect(run!.figures.afterLoadMeasured).toBe(true);
    expect(run!.figures.peakFootprint?.value).toBe(3600 * MiB);
    // Format 3's figures as the generated Swift wrote them: the prefill at 3600 MiB and no growth after
    // it (the script holds the footprint), MLX's figures scripted from the footprint, the Linux
    // kernel's version, and the scripted thermal state.
    const memory = run!.figures.memory;
    expect(memory.afterPrefill).toMatchObject({ value: 3600 * MiB, promptTokens: 1200 });
    expect(memory.growth).toEqual({ bytes: 0, tokens: 9, kvTokens: 0, stepped: true, answers: 3 });
    expect(memory.mlxPeak).toMatchObject({ value: 3500 * MiB, activeMemory: 3500 * MiB, cacheMemory: 20 * MiB });
    expect(memory.osVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(memory.thermal?.highest.value).toBe('nominal');
    // The Linux machine's physicalMemory (tens of GB) lands in high; the harness ran the runner on standard.
    expect(run!.landsIn).toBe(3);
    expect(run!.warnings.map((warning) => warning.id)).toEqual([
      'report-wrong-tier:standard:iphone-13',
      'report-over-estimate:standard:iphone-13',
      'report-broken-budget:standard:iphone-13:peakFootprint',
      'report-broken-budget:standard:iphone-13:maxMainActorStallSeconds',
    ]);
    // Each names the device, the figure, both values and the report, at the figure's line.
    const lines = readFileSync(new URL(`fixtures/stress-reports/${HARNESS}`, import.meta.url), 'utf8').split('\n');
    const overEstimate = run!.warnings[1]!;
    expect(lines[overEstimate.line! - 1]).toMatch(/^ {2}"peakFootprint" : 3774873600,$/);
    expect(formatDiagnostic(overEstimate)).toBe(`${HARNESS}:${overEstimate.line}:${overEstimate.column}: warning: peakFootprint: iPhone 13 (iPhone14,5) on standard: the measured peak footprint, 3.52 GiB, is ${percentText(3600 * MiB).slice(1)} over memtier's estimate for standard, ${size(STANDARD_ESTIMATE)} (more than 10%) [report-over-estimate:standard:iphone-13]`);
    const stall = run!.warnings[3]!;
    expect(stall.path).toBe('scenarios[1].answers[0].longestMainActorStallSeconds');
    expect(lines[stall.line! - 1]).toContain('"longestMainActorStallSeconds" : 0.15041423');
    expect(stall.message).toBe('iPhone 13 (iPhone14,5) on standard: the main actor stalled for 0.15 s (answersInARow, answer 1; a debug build, and the budgets assume release), but the tier\'s budget is maxMainActorStallSeconds 0.1 s');
  });

  it('a report from an earlier memtier (format 1) is a located error naming both formats', () => {
    const result = readFieldReport(fixture(FORMAT_1), FORMAT_1);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const lines = fixture(FORMAT_1).split('\n');
    expect(result.diagnostics).toHaveLength(1);
    const [error] = result.diagnostics;
    expect(lines[error!.line! - 1]).toContain('"format" : "memtier-stress-report\\/1"');
    expect(formatDiagnostic(error!)).toMatch(/^linux-harness-format-1-older-memtier\.json:\d+:14: error: format: the report's format is "memtier-stress-report\/1", and this memtier reads only "memtier-stress-report\/3" and "memtier-stress-report\/2": a report from another memtier version/);
  });
});

describe('reports built to the schema', () => {
  it('the shipped standard tier leaves room for these cases: its estimate 20% over is still under its budget\'s peakFootprint', () => {
    expect(over(20)).toBeLessThan(2_621_440_000);
  });

  it('within 10% of the estimate and within budget: its figures, no warning', () => {
    const [run] = measureReports(policy, budget, [read(text(report()))]).runs;
    expect(run!.deviceName).toBe('iPhone 12 (iPhone13,2)');
    expect(run!.warnings).toEqual([]);
    const figures = run!.figures;
    // The first load's answer (6.5 s, it may download the model) is left out of the first-token wait.
    expect(figures.secondsToFirstToken).toMatchObject({ value: 1.4, where: 'answersInARow, answer 2' });
    expect(figures.tokensPerSecond).toMatchObject({ value: 18.25, where: 'answersInARow, answer 2' });
    expect(figures.secondsPerAnswer).toMatchObject({ value: 41.5, where: 'alternatingImages, answer 1' });
    expect(figures.mainActorStallSeconds).toMatchObject({ value: 0.04 });
    // Measured as the first load ended.
    expect(figures.afterLoad).toEqual({ value: 1_100 * MiB, path: ['scenarios', 0, 'answers', 0, 'footprintAfterLoad'], where: 'firstLoad, answer 1' });
    expect(figures.afterLoadMeasured).toBe(true);
  });

  it('a peak more than 10% over the estimate is a warning; 10% or less is not', () => {
    const at = (percent: number) => Math.floor(STANDARD_ESTIMATE * (1 + percent / 100));
    expect(ids(read(text(report({ peakFootprint: at(9.99) }))))).toEqual([]);
    expect(ids(read(text(report({ peakFootprint: at(10.01) }))))).toEqual(['report-over-estimate:standard:iphone-12']);
  });

  it('each budget of the policy broken is a warning at the answer that broke it, and a tier the device does not land in is one too', () => {
    const slow = report({
      scenarios: [
        { name: 'firstLoad', answers: [answer(1, { loadedModel: true })] },
        { name: 'answersInARow', answers: [answer(1, { tokensPerSecond: 11.2 }), answer(2, { secondsToFirstToken: 2.6 })] },
        { name: 'alternatingImages', answers: [] },
        { name: 'longRun', answers: [] },
      ],
      peakFootprint: Math.max(over(20), 2_700 * MiB),
    });
    const [run] = measureReports(policy, budget, [read(text(slow))]).runs;
    expect(run!.warnings.map((warning) => [warning.id, warning.path])).toEqual([
      ['report-over-estimate:standard:iphone-12', 'peakFootprint'],
      ['report-broken-budget:standard:iphone-12:peakFootprint', 'peakFootprint'],
      ['report-broken-budget:standard:iphone-12:minTokensPerSecond', 'scenarios[1].answers[0].tokensPerSecond'],
      ['report-broken-budget:standard:iphone-12:maxSecondsToFirstToken', 'scenarios[1].answers[1].secondsToFirstToken'],
    ]);
    expect(run!.warnings[2]!.message).toBe('iPhone 12 (iPhone13,2) on standard: the slowest answer ran at 11.20 tokens/s (answersInARow, answer 1), but the tier\'s budget is minTokensPerSecond 15 tokens/s');
    // An iPhone 12 that ran the low tier: its physicalMemory lands in standard under this policy.
    expect(ids(read(text(report({ tier: 'low' }))))).toEqual(['report-wrong-tier:low:iphone-12']);
    // A tier the policy does not have, a device the catalog does not have, a cancelled answer.
    const unknown = measureReports(policy, budget, [read(text(report({ tier: 'medium', device: 'iPhone99,1' })))]).runs;
    expect(unknown[0]!.warnings.map((warning) => warning.id)).toEqual(['report-unknown-tier:medium:iphone99-1']);
    const shown = formatMeasuredSection(unknown, { path: 'phone.json', count: 1 });
    expect(shown).toContain('\nmedium on iPhone99,1 (not in the catalog): 1 report\n');
    expect(shown).toMatch(/\n {2}estimate \(memtier\) +none\n {2}budget \(tiers\.yaml\) +none\n/);
    const cancelled = measureReports(policy, budget, [read(text(report({ cancelledAnswers: 1 })))]).runs[0]!.warnings;
    expect(cancelled.map((warning) => [warning.id, warning.message])).toEqual([['report-cancelled-answers:standard:iphone-12', 'iPhone 12 (iPhone13,2) on standard: 1 of 4 answers was cancelled before its end: a memory emergency (or the app leaving the foreground) stopped it, and the stress test fails then']]);
  });

  it('several reports of one device and tier are all shown, in one group, each with its file', () => {
    const runs = measureReports(policy, budget, [
      read(text(report({ peakFootprint: over(18.6) })), 'farm/run-2.json'),
      read(text(report()), 'farm/run-1.json'),
      read(text(report({ device: 'iPhone14,2', physicalMemory: 5_917_753_344, tier: 'standard' })), 'farm/13-pro.json'),
    ]).runs;
    const section = formatMeasuredSection(runs, { path: 'farm', count: 3 });
    expect(section).toContain('standard on iPhone 12 (iPhone13,2): 2 reports; the catalog\'s physicalMemory 3.68 GiB (estimated)\n');
    expect(section).toMatch(new RegExp(`\\n {2}estimate \\(memtier\\) +${pattern(size(STANDARD_ESTIMATE))} +weights ${pattern(size(Number(STANDARD.weights)))}\\n`));
    // The shipped standard tier's budget, as tiers.yaml writes it.
    expect(section).toMatch(/\n {2}budget \(tiers\.yaml\) +2500 MiB +2 s +15\n/);
    expect(section).toMatch(/\n {2}budget \(tiers\.yaml\) +0\.1 s\n/);
    expect(section).toMatch(new RegExp(`\\n {2}run-1\\.json +release +${pattern(`${size(over(1.5))} (${percentText(over(1.5))})`)} +1\\.07 GiB \\(base 160\\.00 MiB\\) +1\\.40 s +18\\.25\\b`));
    expect(section).toMatch(new RegExp(`\\n {2}run-2\\.json +release +${pattern(`${size(over(18.6))} (+18.6%)`)}`));
    expect(section).toContain('standard on iPhone 13 Pro (iPhone14,2): 1 report');
    expect(section).toContain('1 warning:\n  farm/run-2.json:');
    expect(section.split('\n').filter((line) => line.length > 100)).toEqual([]);
  });
});

describe('format 3: the footprint after load and after prefill, its growth per token, MLX\'s figures, the OS and the thermal state', () => {
  /** The shipped standard tier's KV bytes per token, as the estimate holds them. */
  const kvPerToken = Number(STANDARD.kvCache) / STANDARD.tokens.cached;

  it('each figure is read, and set against what the estimate says for it', () => {
    const [run] = measureReports(policy, budget, [read(text(report()))]).runs;
    const memory = run!.figures.memory;
    expect(memory.afterLoad).toEqual({ value: 1_100 * MiB, path: ['scenarios', 0, 'answers', 0, 'footprintAfterLoad'], where: 'firstLoad, answer 1' });
    expect(memory.afterPrefill).toEqual({ value: 1_400 * MiB, path: ['scenarios', 0, 'answers', 0, 'footprintAtFirstToken'], where: 'firstLoad, answer 1', promptTokens: 1_300 });
    // Four answers of 600 tokens: each grew by 599 x 24 KiB after its first token, and KVCacheSimple
    // allocated 2048 - 1536 = 512 tokens more for each (1300 + 599 tokens, rounded up to 256).
    expect(memory.growth).toEqual({ bytes: 4 * 599 * 24_576, tokens: 4 * 599, kvTokens: 4 * 512, stepped: true, answers: 4 });
    expect(memory.mlxPeak).toMatchObject({ value: 1_450 * MiB, activeMemory: 1_200 * MiB, cacheMemory: 20 * MiB });
    expect(memory.osVersion).toBe('18.1.0');
    // Nominal at the start and after each answer, fair at the end.
    expect(memory.thermal).toEqual({ start: 'nominal', end: 'fair', highest: { value: 'fair', path: ['thermalStateAtEnd'], where: 'end of the run' } });
    const estimates = run!.memoryEstimates!;
    expect(estimates.kvBytesPerToken).toBe(STANDARD.kvCache / BigInt(STANDARD.tokens.cached));
    // After the prefill: the weights, the KV cache of the answer's 1300 prompt tokens (1536, in steps) and cacheLimit.
    // The vision encoder's and the prefill's temporaries are freed by the first token: no activations, at most cacheLimit in MLX's cache.
    expect(estimates.afterPrefill).toEqual({ bytes: STANDARD.weights + estimates.kvBytesPerToken * 1_536n + STANDARD.cacheLimit, promptTokens: 1_300, fromReport: true });
    expect(estimates.afterPrefill.bytes).toBeLessThan(STANDARD.total);
    expect(estimates.growthPerToken).toBeCloseTo((kvPerToken * 512) / 599, 6);
    expect(run!.warnings).toEqual([]);
  });

  it('the section shows them in a second table per tier x device, within 100 columns; --json carries them', () => {
    const runs = measureReports(policy, budget, [read(text(report()), 'phones/a.json')]).runs;
    const section = formatMeasuredSection(runs, { path: 'phones', count: 1 });
    const e = runs[0]!.memoryEstimates!;
    expect(section).toMatch(/\n {2} +OS +Thermal +After prefill +Growth\/token +MLX peak\n/);
    // The estimate's row is for its own prompt; the report's percentage for its answer's 1300 tokens.
    const own = memoryEstimates({}, STANDARD)!.afterPrefill;
    expect(section).toMatch(new RegExp(`\\n {2}estimate \\(memtier\\) +${pattern(size(Number(own.bytes)))} \\(${own.promptTokens} tokens\\) +KV ${pattern(size(Number(e.kvBytesPerToken)))}\\n`));
    const prefillPercent = ((1_400 * MiB - Number(e.afterPrefill.bytes)) / Number(e.afterPrefill.bytes)) * 100;
    expect(section).toContain(`1.37 GiB (${prefillPercent >= 0 ? '+' : ''}${prefillPercent.toFixed(1)}%)`);
    const growth = `${(((24_576 - e.growthPerToken!) / e.growthPerToken!) * 100 >= 0 ? '+' : '')}${(((24_576 - e.growthPerToken!) / e.growthPerToken!) * 100).toFixed(1)}%`;
    expect(section).toMatch(new RegExp(`\\n {2}a\\.json +18\\.1\\.0 +fair +1\\.37 GiB \\([-+]\\d+\\.\\d%\\) +24\\.00 KiB \\(${pattern(growth)}\\) +1\\.42 GiB\\n`));
    expect(section).toMatch(/\n {2}a\.json +release +[\d.]+ GiB \(\+1\.5%\) +1\.07 GiB \(base 160\.00 MiB\) /);
    expect(section.split('\n').filter((line) => line.length > 100)).toEqual([]);
    const json = reportsJson(runs, { path: 'phones', count: 1 }) as { runs: { format: string; measured: Record<string, unknown>; estimate: Record<string, unknown> }[] };
    const measured = json.runs[0]!.measured;
    expect(json.runs[0]!.format).toBe('memtier-stress-report/3');
    expect(measured.afterLoadMeasured).toBe(true);
    expect(measured.afterPrefill).toEqual({ value: 1_400 * MiB, where: 'firstLoad, answer 1', path: 'scenarios[0].answers[0].footprintAtFirstToken', promptTokens: 1_300 });
    expect(measured.growth).toEqual({ bytes: 4 * 599 * 24_576, tokens: 4 * 599, kvTokens: 4 * 512, stepped: true, answers: 4, perToken: 24_576 });
    expect(measured.mlxPeak).toEqual({ value: 1_450 * MiB, where: 'firstLoad, answer 1', path: 'scenarios[0].answers[0].mlxMemory.peakMemory', activeMemory: 1_200 * MiB, cacheMemory: 20 * MiB });
    expect(measured.osVersion).toBe('18.1.0');
    expect(measured.thermal).toEqual({ start: 'nominal', end: 'fair', highest: { value: 'fair', where: 'end of the run', path: 'thermalStateAtEnd' } });
    expect(json.runs[0]!.estimate).toMatchObject({ afterPrefill: Number(e.afterPrefill.bytes), afterPrefillPromptTokens: 1_300, kvBytesPerToken: Number(e.kvBytesPerToken) });
  });

  it('an answer without its prompt\'s count is set against the estimate\'s own prompt, and its growth against the tokens themselves', () => {
    const unstepped = report({ scenarios: report().scenarios.map((scenario) => ({ ...scenario, answers: scenario.answers.map(({ promptTokens: _p, ...each }) => each) })) });
    const [run] = measureReports(policy, budget, [read(text(unstepped))]).runs;
    expect(run!.figures.memory.growth).toMatchObject({ kvTokens: 4 * 599, stepped: false });
    const own = STANDARD.tokens.prompt + STANDARD.tokens.image + STANDARD.tokens.layout;
    expect(run!.memoryEstimates!.afterPrefill).toMatchObject({ promptTokens: own, fromReport: false });
    expect(run!.memoryEstimates!.growthPerToken).toBeCloseTo(kvPerToken, 6);
  });

  it('a run that reached serious or critical is a warning at the first such state: its speeds are the throttled device\'s', () => {
    expect(ids(read(text(report({ thermalStateAtEnd: 'serious' }))))).toEqual(['report-thermal:standard:iphone-12']);
    const hot = report({ scenarios: report().scenarios.map((scenario) => (scenario.name === 'answersInARow' ? { ...scenario, answers: [answer(1, { thermalState: 'critical' }), answer(2, { thermalState: 'serious' })] } : scenario)) });
    const [warning] = measureReports(policy, budget, [read(text(hot))]).runs[0]!.warnings;
    expect(warning).toMatchObject({ id: 'report-thermal:standard:iphone-12', path: 'scenarios[1].answers[0].thermalState' });
    expect(warning!.message).toBe('iPhone 12 (iPhone13,2) on standard: the thermal state reached critical (answersInARow, answer 1): iOS throttles the CPU and GPU then, so this run\'s tokens/s, waits and stalls are not the device\'s');
    expect(ids(read(text(report({ thermalStateAtStart: 'fair', thermalStateAtEnd: 'fair' }))))).toEqual([]);
  });

  it('a report of format 2 still reads: after load is the old approximation, marked, and every new figure is "not in this report", never 0', () => {
    const old = read(fixture(FORMAT_2), 'old.json');
    expect(old.report.format).toBe('memtier-stress-report/2');
    const [run] = measureReports(policy, budget, [old]).runs;
    expect(run!.figures.afterLoad).toEqual({ value: 3600 * MiB, path: ['scenarios', 1, 'answers', 0, 'samples', 0, 'footprint'], where: 'answersInARow, answer 1' });
    expect(run!.figures.afterLoadMeasured).toBe(false);
    expect(run!.figures.memory).toEqual({});
    const section = formatMeasuredSection([run!], { path: 'old.json', count: 1 });
    expect(section).toMatch(/^Measured on your phones: 1 stress report \(memtier-stress-report\/2, from old\.json\)\./);
    expect(section).toMatch(/\n {2}old\.json +debug +3\.52 GiB \(\+[\d.]+%\) +~3\.52 GiB \(base 100\.00 MiB\) /);
    // OS, Thermal and After prefill, then Growth/token and MLX peak: the table is cut to fit 100 columns.
    expect(section).toMatch(/\n {2}old\.json +not in this report +not in this report +not in this report\n[^]*\n {2}old\.json +not in this report +not in this report\n/);
    expect(section.split('\n').filter((line) => line.length > 100)).toEqual([]);
    expect(section).not.toMatch(/\b0\.00 |\b0 bytes/);
    const json = reportsJson([run!], { path: 'old.json', count: 1 }) as { runs: { measured: Record<string, unknown> }[] };
    expect(json.runs[0]!.measured).toMatchObject({ afterLoadMeasured: false, afterPrefill: null, growth: null, mlxPeak: null, osVersion: null, thermal: null });
    // A key of format 3 in a report of format 2 is a key that format does not have.
    const mixed = fixture(FORMAT_2).replace('"reloads" : 0,', '"reloads" : 0,\n  "osVersion" : "18.1.0",');
    const result = readFieldReport(mixed, 'old.json');
    expect(result.ok ? [] : result.diagnostics.map(formatDiagnostic)).toEqual([`old.json:${mixed.split('\n').findIndex((line) => line.includes('"osVersion"')) + 1}:3: error: osVersion: a key the report format does not have (memtier-stress-report/2; docs/stress-report.schema.json)`]);
  });

  it('a wrong type or value in a new field is a located error with its key path and what was expected', () => {
    const valid = text(report());
    const hot = valid.replace('"thermalStateAtEnd": "fair"', '"thermalStateAtEnd": "hot"');
    expect(errorOf(hot)).toEqual([`phone.json:${lineOf('"thermalStateAtEnd"', hot)}:24: error: thermalStateAtEnd: invalid option: expected one of "nominal"|"fair"|"serious"|"critical", got "hot"`]);
    const peak = valid.replace('"peakMemory": 1520435200', '"peakMemory": "1.4 GB"');
    expect(errorOf(peak)).toEqual([`phone.json:${lineOf('"peakMemory": "1.4 GB"', peak)}:27: error: scenarios[0].answers[0].mlxMemory.peakMemory: expected number, got "1.4 GB"`]);
    const negative = valid.replace('"footprintAfterLoad": 1153433600', '"footprintAfterLoad": -1');
    expect(errorOf(negative)[0]).toMatch(new RegExp(`^phone\\.json:${lineOf('"footprintAfterLoad": -1', negative)}:33: error: scenarios\\[0\\]\\.answers\\[0\\]\\.footprintAfterLoad: .*got -1$`));
    const { osVersion: _os, ...noVersion } = report();
    expect(errorOf(text(noVersion))).toEqual(['phone.json:1:1: error: osVersion: missing; the report format requires it (memtier-stress-report/3; docs/stress-report.schema.json)']);
  });
});

describe('broken reports: a located error each, never a crash', () => {
  const valid = text(report());

  it('bad JSON: the line and column where it stops being JSON', () => {
    const trailing = valid.replace('"reloads": 0,', '"reloads": 0,,');
    expect(errorOf(trailing)).toEqual([`phone.json:${lineOf('"reloads"', trailing)}:16: error: invalid JSON: expected a key in double quotes, found ","`]);
    expect(errorOf(valid.slice(0, 200))).toEqual([expect.stringMatching(/^phone\.json:\d+:\d+: error: invalid JSON: /)]);
    expect(errorOf('')).toEqual(['phone.json:1:1: error: invalid JSON: the file is empty']);
    expect(errorOf('{"format": "memtier-stress-report/2",}')).toEqual(['phone.json:1:37: error: invalid JSON: a comma before "}" (JSON allows no trailing comma)']);
    expect(errorOf('[1, 2]')).toEqual(['phone.json:1:1: error: not a memtier stress report: expected a JSON object with "format": "memtier-stress-report/3"']);
  });

  it('another format, or none', () => {
    const other = valid.replace('"memtier-stress-report/3"', '"memtier-stress-report/4"');
    expect(errorOf(other)).toEqual([`phone.json:${lineOf('"format"', other)}:13: error: format: the report's format is "memtier-stress-report/4", and this memtier reads only "memtier-stress-report/3" and "memtier-stress-report/2": a report from another memtier version; run the stress test generated by this version (memtier generate) and read its report`]);
    expect(errorOf('{"device": "iPhone13,2"}')).toEqual([expect.stringMatching(/^phone\.json:1:1: error: not a memtier stress report: it has no "format" key/)]);
    expect(errorOf('{"format": "xcresult"}')).toEqual(['phone.json:1:12: error: format: the report\'s format is "xcresult", and this memtier reads only "memtier-stress-report/3" and "memtier-stress-report/2": not a memtier stress report']);
    // A value the schema refuses that is not of the wrong type: said in the schema's words, with the value.
    const release = valid.replace('"buildConfiguration": "release"', '"buildConfiguration": "Release"');
    expect(errorOf(release)).toEqual([`phone.json:${lineOf('"buildConfiguration"', release)}:25: error: buildConfiguration: invalid option: expected one of "debug"|"release", got "Release"`]);
  });

  it('a missing key, at the object that lacks it', () => {
    const { cancelledAnswers: _, ...rest } = report();
    expect(errorOf(text(rest))).toEqual(['phone.json:1:1: error: cancelledAnswers: missing; the report format requires it (memtier-stress-report/3; docs/stress-report.schema.json)']);
    const answers = report().scenarios[1]!.answers;
    const { tokens: _tokens, ...noTokens } = answers[0]!;
    const edited = text({ ...report(), scenarios: [report().scenarios[0], { name: 'answersInARow', answers: [noTokens, answers[1]] }, ...report().scenarios.slice(2)] });
    const [error] = errorOf(edited);
    expect(error).toMatch(/^phone\.json:(\d+):9: error: scenarios\[1\]\.answers\[0\]\.tokens: missing;/);
  });

  it('a wrong type and an unknown key, at the value and the key', () => {
    const wrongType = valid.replace('"physicalMemory": 3793600512', '"physicalMemory": "4 GB"');
    expect(errorOf(wrongType)).toEqual([`phone.json:${lineOf('"physicalMemory"', wrongType)}:21: error: physicalMemory: expected number, got "4 GB"`]);
    const extra = valid.replace('"reloads": 0,', '"reloads": 0,\n  "gpuTemperature": 41,');
    expect(errorOf(extra)).toEqual([`phone.json:${lineOf('"gpuTemperature"', extra)}:3: error: gpuTemperature: a key the report format does not have (memtier-stress-report/3; docs/stress-report.schema.json)`]);
    const negative = valid.replace(/\n {2}"peakFootprint": \d+,/, '\n  "peakFootprint": -1,');
    expect(errorOf(negative)[0]).toMatch(new RegExp(`^phone\\.json:${lineOf('"peakFootprint": -1', negative)}:20: error: peakFootprint: .*got -1$`));
  });
});

describe('the JSON reader', () => {
  it('locates keys and values, escapes and all; refuses what JSON.parse refuses', () => {
    const loaded = loadJson('{\n  "a\\/b": [1, {"c": "d\\u00e9"}],\n  "e": -0.5e3\n}');
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.data).toEqual({ 'a/b': [1, { c: 'dé' }], e: -500 });
    expect(loaded.locate(['a/b', 1, 'c'])).toEqual({ line: 2, column: 21 });
    expect(loaded.locate(['e'], { key: true })).toEqual({ line: 3, column: 3 });
    expect(loaded.locate(['a/b', 7])).toEqual({ line: 2, column: 11 });
    for (const bad of ['{"a": 01}', '{"a": 1.}', '{a: 1}', "{'a': 1}", '{"a": "x\ny"}', '[1 2]', '{"a": 1} x', 'NaN', '{"a": tru}']) {
      expect(loadJson(bad).ok, bad).toBe(false);
      expect(() => JSON.parse(bad), bad).toThrow();
    }
    // JSON.parse keeps the last of two equal keys; a report never has two, and a hand-edited one is refused.
    expect(loadJson('{"a": 1,\n "a": 2}')).toEqual({ ok: false, line: 2, column: 2, message: 'invalid JSON: the key "a" appears twice in one object' });
    expect(loadJson(`${'['.repeat(300)}${']'.repeat(300)}`)).toMatchObject({ ok: false, message: 'invalid JSON: nested more than 200 deep' });
  });
});

describe('memtier budget --reports and explain --reports', () => {
  let project: ReturnType<typeof makeProject> | undefined;
  afterEach(() => project?.cleanup());

  async function run(command: typeof budgetCommand | typeof explainCommand, options: Record<string, unknown>) {
    let stdout = '';
    let stderr = '';
    const code = await (command as (io: unknown, options: unknown) => Promise<number>)({ cwd: project!.root, stdout: (t: string) => (stdout += t), stderr: (t: string) => (stderr += t) }, options);
    return { code, stdout, stderr };
  }
  const write = (path: string, contents: string) => {
    mkdirSync(dirname(project!.path(path)), { recursive: true });
    writeFileSync(project!.path(path), contents);
  };

  it('a folder read recursively: the estimate, then each tier x device with every report, then the warnings; --json carries the same', async () => {
    project = makeProject();
    write('phones/iphone-12/a.json', text(report()));
    write('phones/farm/harness.json', fixture(HARNESS));
    write('phones/notes.txt', 'not a report');
    const result = await run(budgetCommand, { reports: 'phones' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const section = result.stdout.slice(result.stdout.indexOf('Measured on your phones'));
    expect(section).toMatch(/^Measured on your phones: 2 stress reports \(memtier-stress-report\/3, from phones\)\. Peak:/);
    expect(section.indexOf('standard on iPhone 12 (iPhone13,2): 1 report')).toBeLessThan(section.indexOf('standard on iPhone 13 (iPhone14,5): 1 report'));
    expect(section).toContain(`\n4 warnings:\n  ${join('phones', 'farm', 'harness.json')}:55:22: warning: physicalMemory: iPhone 13 (iPhone14,5) on standard: its\n    physicalMemory, 23.54 GiB (25_276_194_816 bytes), lands in high under this policy, but the\n    report ran on standard [report-wrong-tier:standard:iphone-13]\n`);
    expect(result.stdout.split('\n').filter((line) => line.length > 100)).toEqual([]);

    const json = JSON.parse((await run(budgetCommand, { reports: 'phones', json: true })).stdout);
    expect(json.version).toBe(1);
    expect(json.tiers).toHaveLength(4);
    expect(json.reports.runs.map((each: { file: string; device: { name: string } }) => [each.file, each.device.name])).toEqual([['phones/iphone-12/a.json', 'iPhone 12'], ['phones/farm/harness.json', 'iPhone 13']]);
    expect(json.reports.runs[0].measured.tokensPerSecond).toEqual({ value: 18.25, where: 'answersInARow, answer 2', path: 'scenarios[1].answers[1].tokensPerSecond' });
    expect(json.reports.runs[0].estimate.total).toBe(STANDARD_ESTIMATE);
    expect(json.reports.runs[1].peakOverEstimatePercent).toBeCloseTo(((3600 * MiB - STANDARD_ESTIMATE) / STANDARD_ESTIMATE) * 100, 6);
    expect(json.reports.warnings.map((warning: { id: string }) => warning.id)).toContain('report-over-estimate:standard:iphone-13');
    expect(json.reports.warnings[0]).toMatchObject({ severity: 'warning', file: 'phones/farm/harness.json', line: 55, path: 'physicalMemory' });

    const markdown = (await run(budgetCommand, { reports: 'phones/iphone-12/a.json', markdown: true })).stdout;
    expect(markdown).toContain('## Measured on your phones');
    // One file named: the table names it by its file name, the warnings by its path.
    expect(markdown).toMatch(/\n {2}a\.json +release /);
    expect(markdown).toContain('No warnings: no measured peak is more than 10% over');
  });

  it('a broken report among good ones: every error located, exit 2, nothing compared, no stack trace', async () => {
    project = makeProject();
    write('phones/good.json', text(report()));
    write('phones/old.json', fixture(FORMAT_1));
    write('phones/cut.json', text(report()).slice(0, 120));
    const result = await run(budgetCommand, { reports: 'phones' });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^phones\/cut\.json:\d+:\d+: error: invalid JSON: /);
    expect(lines[1]).toMatch(/^phones\/old\.json:\d+:14: error: format: the report's format is "memtier-stress-report\/1"/);
    expect(lines[2]).toBe('memtier: 2 of 3 stress reports could not be read; nothing was compared');
    expect(result.stderr).not.toMatch(/at \w+ \(|internal error/);
  });

  it('acknowledged: in the policy leaves report warnings out, counted in one line, as check and generate do with theirs', async () => {
    const acknowledging = `${DEFAULT_POLICY_TEXT.trimEnd()}
  - warning: report-over-estimate:standard:iphone-13
    why: the harness scripts 3600 MiB; not a phone
  - warning: report-wrong-tier:standard:iphone-13
    why: the harness runs on a Linux machine with tens of GB
`;
    project = makeProject({ 'tiers.yaml': acknowledging });
    write('phones/old.json', fixture(FORMAT_2));
    const result = await run(budgetCommand, { reports: 'phones' });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('memtier: 2 acknowledged warnings not shown (acknowledged: in tiers.yaml): report-wrong-tier:standard:iphone-13, report-over-estimate:standard:iphone-13\n');
    expect(result.stdout).not.toContain('[report-over-estimate:');
    expect(result.stdout).not.toContain('[report-wrong-tier:');
    expect(result.stdout).toContain('\n2 warnings:\n');
    const json = JSON.parse((await run(budgetCommand, { reports: 'phones', json: true })).stdout);
    expect(json.reports.acknowledged.map((warning: { id: string }) => warning.id)).toEqual(['report-wrong-tier:standard:iphone-13', 'report-over-estimate:standard:iphone-13']);
    expect(json.reports.warnings.map((warning: { id: string }) => warning.id)).not.toContain('report-over-estimate:standard:iphone-13');
    const explained = await run(explainCommand, { query: 'iPhone 13', reports: 'phones' });
    expect(explained.stderr).toBe(result.stderr);
    // Every warning acknowledged: the section says so rather than "No warnings".
    const all = `${acknowledging}  - warning: report-broken-budget:standard:iphone-13:peakFootprint\n    why: scripted\n  - warning: report-broken-budget:standard:iphone-13:maxMainActorStallSeconds\n    why: scripted\n`;
    writeFileSync(project.path('tiers.yaml'), all);
    const quiet = await run(budgetCommand, { reports: 'phones' });
    expect(quiet.stdout).toContain('\nNo warnings but 4 the policy acknowledges (acknowledged:), left out.\n');
    // generate and check read no reports: they cannot tell whether a report acknowledgement is used, and say nothing of it.
    const generated = await project.run('generate');
    expect(generated.code).toBe(0);
    expect(generated.stderr).not.toContain('no longer reports');
  });

  it('an acknowledgement of a report warning that no report read raises is a note at its entry; one id from several reports is named once', async () => {
    const acknowledging = `${DEFAULT_POLICY_TEXT.trimEnd()}
  - warning: report-over-estimate:standard:iphone-13
    why: the harness scripts 3600 MiB; not a phone
  - warning: report-over-estimat:standard:iphone-99
    why: a typo
`;
    project = makeProject({ 'tiers.yaml': acknowledging });
    write('phones/a.json', fixture(FORMAT_2));
    write('phones/b.json', fixture(FORMAT_2));
    const result = await run(budgetCommand, { reports: 'phones' });
    expect(result.code).toBe(0);
    const typoLine = acknowledging.split('\n').findIndex((line) => line.includes('report-over-estimat:')) + 1;
    expect(result.stderr).toContain(`tiers.yaml:${typoLine}:14: note: acknowledged[3].warning: acknowledges "report-over-estimat:standard:iphone-99", which none of the 2 reports read raises (a typo, or a warning they no longer give)\n`);
    expect(result.stderr).toContain('memtier: 2 acknowledged warnings not shown (acknowledged: in tiers.yaml): report-over-estimate:standard:iphone-13 (2 times)\n');
    expect(result.stderr).not.toContain('acknowledges "report-over-estimate:standard:iphone-13"');
  });

  it('a path that does not exist, or a folder without reports, is a usage error', async () => {
    project = makeProject();
    await expect(run(budgetCommand, { reports: 'nowhere' })).rejects.toThrow('--reports: "nowhere" does not exist; give a stress report (.json) or a folder of them');
    write('empty/readme.txt', '');
    await expect(run(budgetCommand, { reports: 'empty' })).rejects.toThrow('--reports: "empty" holds no .json file');
  });

  it('explain DEVICE shows that device\'s reports, explain TIER that tier\'s', async () => {
    project = makeProject();
    write('phones/a.json', text(report()));
    write('phones/harness.json', fixture(HARNESS));
    const device = await run(explainCommand, { query: 'iPhone14,5', reports: 'phones' });
    expect(device.code).toBe(0);
    expect(device.stdout).toContain('\nMeasured on your phones: 2 stress reports (memtier-stress-report/3, from phones), 1 of them\non iPhone 13. Peak:');
    expect(device.stdout).toContain('standard on iPhone 13 (iPhone14,5): 1 report');
    expect(device.stdout).not.toContain('iPhone13,2): 1 report');
    expect(device.stdout).toContain('[report-over-estimate:standard:iphone-13]');
    const tier = await run(explainCommand, { query: 'standard', reports: 'phones' });
    expect(tier.stdout).toContain('2 stress reports (memtier-stress-report/3, from phones), all of them\non tier standard.');
    expect(tier.stdout).toContain('standard on iPhone 12 (iPhone13,2): 1 report');
    const high = await run(explainCommand, { query: 'high', reports: 'phones' });
    expect(high.stdout).toMatch(/from phones\), none of them\non tier high\.\n$/);
    for (const output of [device.stdout, tier.stdout]) expect(output.split('\n').filter((line) => line.length > 100)).toEqual([]);
  });

  it('figuresOf: a tier that unloads after every answer has its load\'s end measured; without that figure (format 2), no footprint after load', () => {
    const unloads = report({ scenarios: report().scenarios.map((scenario) => ({ ...scenario, answers: scenario.answers.map((each) => ({ ...each, loadedModel: true })) })) });
    expect(figuresOf(unloads).afterLoad).toMatchObject({ value: 1_100 * MiB, where: 'firstLoad, answer 1' });
    const unmeasured = { ...unloads, scenarios: unloads.scenarios.map((scenario) => ({ ...scenario, answers: scenario.answers.map(({ footprintAfterLoad: _f, ...each }) => each) })) };
    expect(figuresOf(unmeasured).afterLoad).toBeUndefined();
  });

  it('memtier budget --reports and memtier explain --reports on the command line; memtier budget --help names the option', async () => {
    project = makeProject();
    write('phones/harness.json', fixture(HARNESS));
    const budget = await project.run('budget', '--reports', 'phones');
    expect(budget.code).toBe(0);
    expect(budget.stdout).toContain('\nMeasured on your phones: 1 stress report (memtier-stress-report/3, from phones).');
    expect(budget.stdout).toContain('[report-over-estimate:standard:iphone-13]');
    const json = JSON.parse((await project.run('budget', '--json', '--reports', 'phones/harness.json')).stdout);
    expect(json.reports.runs[0].device).toEqual({ identifier: 'iPhone14,5', name: 'iPhone 13' });
    const explained = await project.run('explain', 'iPhone 13', '--reports', 'phones');
    expect(explained.stdout).toContain('standard on iPhone 13 (iPhone14,5): 1 report');
    write('phones/broken.json', '{"format": "memtier-stress-report/2",');
    expect(await project.run('budget', '--reports', 'phones')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'phones/broken.json:1:38: error: invalid JSON: expected a key in double quotes, found the end of the file\nmemtier: 1 of 2 stress reports could not be read; nothing was compared\n',
    });
    expect((await project.run('budget', '--help')).stdout).toContain('--reports PATH');
    expect((await project.run('explain', '--help')).stdout).toContain('--reports PATH');
  });
});
