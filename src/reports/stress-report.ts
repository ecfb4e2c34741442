/**
 * The JSON report of the generated on-device stress test (MemoryStressTest.swift's
 * `MemoryStressReport`), as a zod schema: the one description of its format. The published JSON
 * Schema, docs/stress-report.schema.json, is derived from it (`npm run docs:stress-report-schema`),
 * and test/swift/package.test.ts checks the report the Swift code writes against it.
 */
import * as z from 'zod';

const seconds = z.number().nonnegative();
const bytes = z.number().int().nonnegative();
const pressure = z.enum(['normal', 'warning', 'critical']);

const sample = z.strictObject({
  seconds: seconds.describe('Seconds since the answer was asked for.'),
  footprint: bytes.describe('phys_footprint in bytes: what iOS counts against the app.'),
  available: bytes.describe('What the app could still allocate, in bytes (os_proc_available_memory); 0 when unknown.'),
  pressure: pressure.optional().describe('The pressure level of this sample by the policy\'s thresholds; absent when available is 0.'),
});

const thermalState = z.enum(['nominal', 'fair', 'serious', 'critical']);

const answerV2 = z.strictObject({
  index: z.number().int().positive().describe('Its place in its scenario, from 1.'),
  image: z.number().int().nonnegative().describe('Which of the plan\'s images it was about, from 0.'),
  loadedModel: z.boolean().describe('Whether the model had to be loaded for it.'),
  cancelled: z.boolean().describe('Whether its generation was cancelled before its end: a memory emergency (or the app leaving the foreground) stopped the evaluator\'s generationTask, which the answer ran as.'),
  secondsToFirstToken: seconds.optional().describe('Seconds from asking to the first text; absent when no text came.'),
  seconds: seconds.describe('Seconds from asking to the end of the answer.'),
  tokens: z.number().int().nonnegative().describe('Tokens generated.'),
  tokensPerSecond: z.number().positive().optional().describe('Tokens per second after the first token: the tokens after the first (tokens - 1) over the time from the first text to the last; absent with fewer than two tokens or no time between.'),
  peakFootprint: bytes.optional().describe('The largest footprint sampled during the answer; absent where nothing can be measured.'),
  longestMainActorStallSeconds: seconds.describe('The longest the main actor was late for its tick during the answer.'),
  samples: z.array(sample).describe('The footprint, sampled during the answer (every samplingInterval and at each chunk of text).'),
});

/** MLX's own figures, `Memory.snapshot()` (mlx-swift 0.30 and later) or `GPU.snapshot()` (0.29). */
const mlxMemory = z.strictObject({
  activeMemory: bytes.describe('Bytes in MLX arrays alive at the end of the answer.'),
  cacheMemory: bytes.describe('Bytes MLX keeps in its buffer cache for reuse (at most the cacheLimit) at the end of the answer.'),
  peakMemory: bytes.describe('The most active memory since the runner reset MLX\'s peak as the answer began.'),
});

const answer = answerV2.extend({
  promptTokens: z.number().int().nonnegative().optional().describe('Tokens of the prompt, image tokens included, as the library counted them (GenerateCompletionInfo.promptTokenCount); absent when it did not say.'),
  footprintAfterLoad: bytes.optional().describe('The footprint right after the evaluator\'s load() returned, before the prompt was prepared; absent when the answer found the model loaded.'),
  footprintAtFirstToken: bytes.optional().describe('The footprint at the first text: after the vision encoding and the prefill; absent when no text came.'),
  footprintAtLastToken: bytes.optional().describe('The footprint at the last text.'),
  footprintGrowthPerToken: z.number().optional().describe('(footprintAtLastToken - footprintAtFirstToken) / (tokens - 1), in bytes per token: the growth over the whole answer (KVCacheSimple allocates 256 tokens at a time, so the footprint grows in steps); absent with fewer than two tokens.'),
  mlxMemory: mlxMemory.optional().describe('MLX\'s own figures at the end of the answer (Memory.snapshot(), or GPU.snapshot() before mlx-swift 0.30).'),
  thermalState: thermalState.optional().describe('ProcessInfo.thermalState at the end of the answer; absent where Foundation does not give it (Linux).'),
});

const budgetKey = z.enum(['peakFootprint', 'minTokensPerSecond', 'maxSecondsToFirstToken', 'maxSecondsPerAnswer', 'maxMainActorStallSeconds']);

/** The report's schema as memtier 2 wrote it (format 2): no figures at the load, the prefill or MLX's, no OS version, no thermal state. */
export const stressReportSchemaV2 = z.strictObject({
  format: z.literal('memtier-stress-report/2').describe('Identifies the format and its version.'),
  device: z.string().describe('The hardware model, such as iPhone14,5.'),
  physicalMemory: bytes.describe('ProcessInfo.processInfo.physicalMemory, in bytes.'),
  buildConfiguration: z.enum(['debug', 'release']).describe('How the app and the test were compiled (#if DEBUG). The speed budgets assume release; in a debug build the timing failures say so.'),
  tier: z.string().describe('The device\'s tier in the policy.'),
  budget: z.strictObject({
    peakFootprint: bytes.optional(),
    minTokensPerSecond: z.number().positive().optional(),
    maxSecondsToFirstToken: z.number().positive().optional(),
    maxSecondsPerAnswer: z.number().positive().optional(),
    maxMainActorStallSeconds: z.number().positive().optional(),
  }).optional().describe('The tier\'s budget as the policy sets it; absent when it sets none.'),
  maxTokens: z.number().int().positive().describe('The tier\'s maxTokens: the most tokens one answer may generate. The prompt asks for a long answer so that answers come near it.'),
  baselineFootprint: bytes.optional().describe('The footprint before the first load, after the host app\'s own evaluator let its model go (VLMEvaluator.releaseOtherEvaluators(keeping:)); absent where nothing can be measured.'),
  scenarios: z.array(z.strictObject({
    name: z.enum(['firstLoad', 'answersInARow', 'alternatingImages', 'longRun']).describe('The scenario of the original design\'s test plan (docs/design.md): a first load, answers in a row, alternating images, a long run.'),
    answers: z.array(answerV2),
  })).describe('The scenarios in the order they ran.'),
  peakFootprint: bytes.optional().describe('The run\'s peak footprint, which the peakFootprint budget is checked against: kernelPeakFootprint when the run raised it above kernelPeakFootprintBeforeRun (then it is exact), else sampledPeakFootprint.'),
  sampledPeakFootprint: bytes.optional().describe('The largest footprint of every sample of the run.'),
  kernelPeakFootprint: bytes.optional().describe('The process\'s lifetime peak footprint as the kernel keeps it (task_vm_info.ledger_phys_footprint_peak, TASK_VM_INFO revision 3 and later), read at the end of the run; absent where there is no Mach kernel to ask.'),
  kernelPeakFootprintBeforeRun: bytes.optional().describe('The same, read before the first load. The lifetime peak counts everything since launch, the host app\'s own model included: it is the run\'s only when the run raised it.'),
  estimatedPeakFootprint: bytes.optional().describe('What memtier predicted for the tier (MemoryConfiguration.estimatedPeakBytes(for:), memtier budget); absent when the policy names no model.'),
  estimateErrorPercent: z.number().optional().describe('(peakFootprint - estimatedPeakFootprint) / estimatedPeakFootprint, in percent: how far the prediction was off.'),
  modelLoads: z.number().int().nonnegative().describe('How many answers had to load the model.'),
  reloads: z.number().int().nonnegative().describe('Loads after the first.'),
  answersAtMaxTokens: z.number().int().nonnegative().describe('How many answers generated maxTokens tokens: the estimate assumes a KV cache that long.'),
  cancelledAnswers: z.number().int().nonnegative().describe('How many answers were cancelled before their end; the test fails when any was.'),
  longestMainActorStallSeconds: seconds.describe('The longest main-actor stall of the run.'),
  pressureLevels: z.array(pressure).describe('Every pressure level a sample showed, from normal to critical.'),
  failures: z.array(z.strictObject({
    budget: budgetKey.describe('The budget\'s key in the policy.'),
    tier: z.string(),
    measured: z.number().describe('The measured value (bytes, tokens per second or seconds).'),
    limit: z.number().describe('The budget\'s value, in the same unit.'),
    whereMeasured: z.string().describe('"<scenario>, answer <n>", or "whole run" for the peak.'),
    message: z.string().describe('The failure in words, naming the budget, the tier and both values.'),
  })).describe('Every budget the run broke; empty when the tier kept its budget.'),
});

/** The report's schema. Optional Swift values are left out of the JSON when nil. */
export const stressReportSchema = stressReportSchemaV2.extend({
  format: z.literal('memtier-stress-report/3').describe('Identifies the format and its version.'),
  osVersion: z.string().describe('ProcessInfo.processInfo.operatingSystemVersion as major.minor.patch: on a phone, the iOS version.'),
  thermalStateAtStart: thermalState.optional().describe('ProcessInfo.thermalState before the first load; absent where Foundation does not give it (Linux). At serious and critical iOS throttles the CPU and GPU.'),
  thermalStateAtEnd: thermalState.optional().describe('The same, at the end of the run.'),
  scenarios: z.array(z.strictObject({
    name: stressReportSchemaV2.shape.scenarios.element.shape.name,
    answers: z.array(answer),
  })).describe('The scenarios in the order they ran.'),
});

/** A stress report, as the generated Swift writes it. */
export type StressReport = z.infer<typeof stressReportSchema>;

/** A report of this format or the previous one, as memtier reads it: the new figures absent from the old. */
export type ReadStressReport = Omit<StressReport, 'format' | 'osVersion'> & { format: StressReport['format'] | z.infer<typeof stressReportSchemaV2>['format']; osVersion?: string };

/** The JSON Schema of the report, as docs/stress-report.schema.json holds it (before formatting). */
export function stressReportJsonSchema(): unknown {
  return {
    $comment: 'Generated by memtier from src/reports/stress-report.ts; do not edit. Run `npm run docs:stress-report-schema` to update.',
    title: 'memtier on-device stress report (MemoryStressTest.swift)',
    ...z.toJSONSchema(stressReportSchema, { target: 'draft-2020-12' }),
  };
}
