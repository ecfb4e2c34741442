/**
 * The policy format: the only definition of what tiers.yaml (and later tiers.config.ts) may hold.
 * Types, defaults and editor documentation all come from here.
 */
import * as z from 'zod';
import { parseSize, SIZE_EXPECTATION } from './sizes.js';

/**
 * The unit a key's number is in, as the JSON Schema keyword `x-unit` (an annotation editors
 * ignore): the policy reference in docs/policy.md prints it.
 */
const UNIT = 'x-unit';

/** A byte size: a whole number of bytes, or a string with a unit ("20MiB", "2.5GiB", "4GB"). */
export const sizeSchema = z
  .union([z.number(), z.string()], { error: `expected ${SIZE_EXPECTATION}` })
  .transform((value, ctx): bigint => {
    const result = parseSize(value);
    if (result.ok) return result.bytes;
    ctx.addIssue({ code: 'custom', message: result.reason, input: value });
    return z.NEVER;
  })
  .meta({ [UNIT]: 'bytes' });

const positiveSize = sizeSchema.refine((bytes) => bytes > 0n, { message: 'must be larger than 0 bytes' });

const count = (what: string) =>
  z
    .number({ error: `expected a whole number of ${what}` })
    .int({ error: `expected a whole number of ${what}` })
    .positive({ error: `must be at least 1` })
    .max(Number.MAX_SAFE_INTEGER, { error: `is too large` })
    .meta({ [UNIT]: what });

const seconds = (what: string) =>
  z
    .number({ error: `expected ${what} in seconds, such as 2 or 0.1` })
    .positive({ error: 'must be more than 0 seconds' })
    .max(86_400, { error: 'must be at most a day (86400 seconds)' })
    .meta({ [UNIT]: 'seconds' });

/**
 * What a tier must achieve on a phone (the design document's section 7 metrics). memtier writes it
 * into the generated Swift (`PerformanceBudget.forTier`) for tests that run on a device.
 */
export const budgetSchema = z.strictObject({
  peakFootprint: positiveSize.optional().describe('The largest memory footprint (phys_footprint, what iOS counts against the app).'),
  minTokensPerSecond: z.number({ error: 'expected a speed such as 15' }).positive({ error: 'must be more than 0' }).max(100_000, { error: 'is too large' }).meta({ [UNIT]: 'tokens per second' }).optional()
    .describe('The slowest acceptable generation speed, in tokens per second.'),
  maxSecondsToFirstToken: seconds('a time').optional().describe('The longest wait from the request to the first token.'),
  maxSecondsPerAnswer: seconds('a time').optional().describe('The longest time for a whole answer.'),
  maxMainActorStallSeconds: seconds('a time').optional().describe('The longest main-actor stall while a generation runs.'),
}, { error: 'expected a mapping with peakFootprint, minTokensPerSecond, maxSecondsToFirstToken, maxSecondsPerAnswer or maxMainActorStallSeconds' })
  .refine((budget) => Object.values(budget).some((value) => value !== undefined), { error: 'sets nothing: give at least one of peakFootprint, minTokensPerSecond, maxSecondsToFirstToken, maxSecondsPerAnswer, maxMainActorStallSeconds' });

/** One memory tier: a range of physical memory and the limits that apply to it. */
export const tierSchema = z.strictObject({
  name: z
    .string({ error: 'expected a tier name such as "standard"' })
    .describe('Swift enum case of DeviceMemoryTier, e.g. "standard". Unique, a valid Swift identifier.'),
  description: z
    .string({ error: 'expected text' })
    .optional()
    .describe('Becomes the doc comment of the Swift case.'),
  upTo: positiveSize
    .optional()
    .describe(
      'Inclusive upper bound on ProcessInfo.processInfo.physicalMemory. Every tier but the last has one; ' +
        'the last tier has none and catches every larger device.',
    ),
  cacheLimit: sizeSchema.describe('MLX GPU buffer cache limit (MLX.GPU.set(cacheLimit:)).'),
  memoryLimit: positiveSize
    .nullable()
    .meta({ [UNIT]: 'bytes' })
    .describe('MLX GPU memory limit (MLX.GPU.set(memoryLimit:)), or null to leave MLX its own default.'),
  maxTokens: count('tokens').describe('GenerateParameters.maxTokens for this tier.'),
  imageSize: count('pixels').describe('Longest image side in pixels given to the model.'),
  keepModelLoaded: z
    .boolean({ error: 'expected true or false' })
    .describe('Keep the loaded model cached between generations.'),
  aggressiveCleanup: z
    .boolean({ error: 'expected true or false' })
    .describe('Clear the GPU cache after every answer, also when the model stays loaded; only where clearCache takes MLX\'s lock (mlx-swift 0.30.3 and later, evaluator.clearCacheTakesLock); before that the cache is never cleared and cacheLimit bounds it.'),
  budget: budgetSchema.optional().describe('What the tier must achieve on a device: peak footprint, speed, waits, main-actor stalls.'),
}, { error: 'expected a tier: a mapping with name, upTo, cacheLimit, memoryLimit, maxTokens, imageSize, keepModelLoaded and aggressiveCleanup' });

/** The smallest normal Swift `Float`: anything closer to 0 (but not 0) underflows with a compiler warning. */
const FLOAT_MIN_NORMAL = 1.1754944e-38;
const FLOAT_MESSAGE = "is too small for Swift's Float and would underflow; use 0 or a value of at least 1e-6";
function fitsSwiftFloat(value: number): boolean {
  return value === 0 || Math.abs(value) >= FLOAT_MIN_NORMAL;
}

/** Sampling parameters shared by every tier (MLXLMCommon.GenerateParameters). */
export const generationSchema = z.strictObject({
  temperature: z
    .number({ error: 'expected a number such as 0.7' })
    .min(0, { error: 'must be 0 or more' })
    .max(2, { error: 'must be at most 2' })
    .refine(fitsSwiftFloat, { error: FLOAT_MESSAGE })
    .default(0.7)
    .describe('Sampling temperature. Default 0.7, the original design\'s value (docs/design.md).'),
  topP: z
    .number({ error: 'expected a number such as 0.9' })
    .gt(0, { error: 'must be more than 0' })
    .max(1, { error: 'must be at most 1' })
    .refine(fitsSwiftFloat, { error: FLOAT_MESSAGE })
    .default(0.9)
    .describe('Nucleus sampling probability mass. Default 0.9, the original design\'s value (docs/design.md).'),
}, { error: 'expected a mapping with temperature and topP' });

/** Bounds a promise can put on a tier's numeric values (see `expectationSchema`). */
const boundsSchema = (word: string) => z.strictObject({
  cacheLimit: sizeSchema.optional().describe(`The tier's cacheLimit is ${word} this size.`),
  memoryLimit: sizeSchema.optional().describe(`The tier's memoryLimit is ${word} this size (no limit counts as larger than any size).`),
  maxTokens: count('tokens').optional().describe(`The tier's maxTokens is ${word} this.`),
  imageSize: count('pixels').optional().describe(`The tier's imageSize is ${word} this.`),
}, { error: 'expected a mapping of cacheLimit, memoryLimit, maxTokens or imageSize to a bound' });

/**
 * A promise the policy makes, checked on every run and by the generated XCTest: that a device's
 * physical memory lands in a tier (`physicalMemory`), or that a tier keeps values a review asked
 * for (`atLeast`, `atMost`, `keepModelLoaded`, `aggressiveCleanup`), or both.
 */
export const expectationSchema = z.strictObject({
  physicalMemory: sizeSchema.optional().describe('Bytes as ProcessInfo.processInfo.physicalMemory reports them; they must land in `tier`.'),
  tier: z.string({ error: 'expected a tier name' }).describe('The tier the promise is about.'),
  device: z.string({ error: 'expected text' }).optional().describe('Which device reports physicalMemory, for messages.'),
  atLeast: boundsSchema('at least').optional().describe('Lower bounds on the tier\'s values.'),
  atMost: boundsSchema('at most').optional().describe('Upper bounds on the tier\'s values.'),
  keepModelLoaded: z.boolean({ error: 'expected true or false' }).optional().describe('The tier keeps (true) or drops (false) the model between answers.'),
  aggressiveCleanup: z.boolean({ error: 'expected true or false' }).optional().describe('The tier does (true) or does not (false) clear the cache after every answer.'),
  why: z.string({ error: 'expected text' }).optional().describe('Where the promise comes from, for messages and the generated test.'),
}, { error: 'expected a mapping with tier and physicalMemory or a promise about the tier (atLeast, atMost, keepModelLoaded, aggressiveCleanup)' })
  .refine(
    (expectation) => expectation.physicalMemory !== undefined || expectation.atLeast !== undefined || expectation.atMost !== undefined ||
      expectation.keepModelLoaded !== undefined || expectation.aggressiveCleanup !== undefined,
    { error: 'promises nothing: give physicalMemory (which tier a device lands in), or atLeast, atMost, keepModelLoaded or aggressiveCleanup (what the tier keeps)' },
  );

/** When the app is under memory pressure: thresholds on the fraction of its own memory limit in use. */
export const pressureSchema = z.strictObject({
  warningPercent: z
    .number({ error: 'expected a percentage such as 70' })
    .gt(0, { error: 'must be more than 0' })
    .lt(100, { error: 'must be less than 100' })
    .meta({ [UNIT]: 'percent' })
    .default(70)
    .describe('Pressure is "warning" from this share of the app\'s memory limit in use. Default 70.'),
  criticalPercent: z
    .number({ error: 'expected a percentage such as 85' })
    .gt(0, { error: 'must be more than 0' })
    .lt(100, { error: 'must be less than 100' })
    .meta({ [UNIT]: 'percent' })
    .default(85)
    .describe('Pressure is "critical" from this share of the app\'s memory limit in use. Default 85.'),
  recoveryPercent: z
    .number({ error: 'expected a percentage such as 65' })
    .gt(0, { error: 'must be more than 0' })
    .lt(100, { error: 'must be less than 100' })
    .meta({ [UNIT]: 'percent' })
    .default(65)
    .describe('Once warning or critical, the measured pressure falls back only below this share in use, so that usage hovering at a threshold does not flap. Default 65; below warningPercent.'),
  pollingIntervalSeconds: z
    .number({ error: 'expected a number of seconds such as 5' })
    .min(0.1, { error: 'must be at least 0.1 seconds' })
    .max(3600, { error: 'must be at most 3600 seconds' })
    .meta({ [UNIT]: 'seconds' })
    .default(5)
    .describe('Fallback sampling interval; system memory-pressure events come first. Default 5.'),
  memoryWarning: z
    .enum(['warning', 'critical'], { error: 'expected "warning" or "critical"' })
    .default('warning')
    .describe('The pressure level a UIKit memory warning stands for. UIKit sends no end to a warning, so the level falls back once a sample shows usage below recoveryPercent (where no limit is known, after memoryWarningQuietSeconds with no further warning). "critical" makes every warning cancel the running answer and unload the model, and so does a critical Dispatch memory-pressure event; the default, "warning", leaves that to the app\'s own measured usage (criticalPercent): a critical Dispatch event then counts as a warning too, since it is system-wide and the app\'s own limit, not the system\'s level, is what ends a foreground app (docs/generated-swift.md).'),
  memoryWarningQuietSeconds: z
    .number({ error: 'expected a number of seconds such as 30' })
    .min(1, { error: 'must be at least 1 second' })
    .max(3600, { error: 'must be at most 3600 seconds' })
    .meta({ [UNIT]: 'seconds' })
    .default(30)
    .describe('Where the app\'s memory limit is unknown (the Simulator, a Mac), a memory warning\'s level falls back after this long with no further warning. Default 30.'),
}, { error: 'expected a mapping with warningPercent, criticalPercent, recoveryPercent, pollingIntervalSeconds, memoryWarning and memoryWarningQuietSeconds' });

/**
 * The model the app runs, for the memory estimate (`memtier budget`): a catalog name, or a mapping
 * whose numbers override the named entry's (or describe a model the catalog lacks).
 */
export const modelSchema = z.preprocess(
  (value) => (typeof value === 'string' ? { name: value } : value),
  z.strictObject({
    name: z.string({ error: 'expected a model name such as "SmolVLM2-500M-Video-Instruct-mlx"' }).min(1, { error: 'must not be empty' }).optional()
      .describe('A catalog model, by name or Hugging Face id (docs/budgets.md lists them); numbers given here override its own.'),
    weights: positiveSize.optional().describe('Bytes of weights as loaded.'),
    kvBytesPerToken: positiveSize.optional().describe('Bytes of KV cache per token, given directly (instead of layers, kvHeads, headDim, kvBytesPerValue).'),
    layers: count('layers').optional().describe('Text-model layers.'),
    kvHeads: count('heads').optional().describe('Key-value heads per layer.'),
    headDim: count('values').optional().describe('Values per head.'),
    kvBytesPerValue: z.number({ error: 'expected bytes per cached value, such as 2 (bf16) or 1 (8-bit)' }).positive({ error: 'must be more than 0' }).max(16, { error: 'must be at most 16' }).meta({ [UNIT]: 'bytes' }).optional()
      .describe('Bytes per cached key or value: 2 for bf16 or fp16.'),
    patchSize: count('pixels').optional().describe('The vision encoder\'s patch, in pixels; no tier\'s imageSize may be smaller.'),
    tileSize: count('pixels').optional().describe('The side of one image tile, in pixels.'),
    tokensPerTile: count('tokens').optional().describe('Tokens one image tile becomes.'),
    longestEdge: count('pixels').optional().describe('The longest edge images are resized to before tiling.'),
    upscalesImages: z.boolean({ error: 'expected true or false' }).optional().describe('Whether the processor enlarges every image to longestEdge first (mlx-swift-lm before 3.31.4); it picks the measurements the estimate uses. Default: from the mlx-swift-lm the app\'s Package.resolved pins, else the catalog\'s (true: before 3.31.4).'),
    promptTokens: count('tokens').optional().describe('Tokens of chat template, system prompt and question.'),
    activations: sizeSchema.optional().describe('A fixed allowance for activations and temporary buffers.'),
  }, { error: 'expected a model name, or a mapping with name and the numbers that override it' }),
);

/** What the app's own build decides about its memory. */
export const appSchema = z.strictObject({
  increasedMemoryLimit: z.boolean({ error: 'expected true or false' }).default(false)
    .describe('The app has the com.apple.developer.kernel.increased-memory-limit entitlement: device ceilings use the raised limits. Default false.'),
  xcodeProject: z.string({ error: 'expected the path of the app\'s .xcodeproj' })
    .min(1, { error: 'must not be empty' })
    .regex(/\.xcodeproj\/?$/, { error: 'expected a path that ends in .xcodeproj, such as VLMEval.xcodeproj' })
    .optional()
    .describe('The app\'s Xcode project, relative to the policy file; its folder is $(SRCROOT) in a build phase. With it, generate also writes memtier.xcfilelist: the files the Xcode build phase reads (docs/ci.md).'),
  deploymentTarget: z
    .string({ error: (issue) => (typeof issue.input === 'number' ? `write the version in quotes, such as "${Number.isInteger(issue.input) ? `${issue.input}.0` : '17.2'}"${Number.isInteger(issue.input) ? '' : ': YAML reads a bare 17.10 as the number 17.1'}` : 'expected an iOS version such as "17.2"') })
    .regex(/^\d{1,2}(\.\d{1,2}){0,2}$/, { error: 'expected an iOS version such as "17.2": one to three whole numbers separated by dots' })
    .optional()
    .describe('The oldest iOS the app installs on (its IPHONEOS_DEPLOYMENT_TARGET), such as "17.2": catalog devices whose newest iOS is older are left out of devices, budget, explain, diff and the memory warnings. Default: IPHONEOS_DEPLOYMENT_TARGET of the app target in app.xcodeProject that compiles evaluator.source, else of its only app target; without app.xcodeProject, no device is left out.'),
}, { error: 'expected a mapping with increasedMemoryLimit, xcodeProject and deploymentTarget' });

/** The app's evaluator class, which memtier extends and can patch. */
export const evaluatorSchema = z.strictObject({
  className: z
    .union([
      z.string({ error: 'expected the name of the app\'s evaluator class, such as "LLMEvaluator", or null' })
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected a Swift type name: letters, digits and _, not starting with a digit, such as "LLMEvaluator"' }),
      z.null(),
    ], { error: 'expected the name of the app\'s evaluator class, such as "LLMEvaluator", or null' })
    .optional()
    .describe('The app\'s class that the generated extension extends, `memtier patch` rewrites and `memtier check` reads: a `@MainActor` class with `loadState` and `load()` (docs/generated-swift.md). The extension is written to `<className>+MemoryPolicy.swift`. null: the app has no class of that shape (an actor, a service, a view model): no extension and no stress test are written, and the app uses MemoryPolicy. Default "VLMEvaluator".'),
  mlxApi: z
    .enum(['gpu', 'memory'], { error: 'expected "gpu" (mlx-swift up to 0.29) or "memory" (0.30.1 and later)' })
    .optional()
    .describe('MLX memory API: "gpu" = MLX.GPU.set(...) (mlx-swift before 0.30.1), "memory" = MLX.Memory (0.30.1+). Default: what the app\'s Package.resolved pins, else "gpu"; when both are given they must agree.'),
  clearCacheTakesLock: z
    .boolean({ error: 'expected true or false' })
    .optional()
    .describe('Whether the pinned mlx-swift\'s clearCache takes MLX\'s evaluation lock (0.30.3 and later, mlx-swift #331). true: the GPU cache is cleared off the main actor whenever memory is released. false: the generated code never clears it (MemoryPolicy.clearCache() does nothing): before 0.30.3 a clear that overlaps MLX\'s own work crashes, and a generation\'s producer may still be encoding after the app\'s answer ends (a cancel, or a break out of the stream), which nothing can see; the tier\'s cacheLimit bounds the cache instead. Default: what the app\'s Package.resolved pins, else false; true is refused for a pin before 0.30.3.'),
  packageResolved: z
    .string({ error: 'expected the path of the app\'s Package.resolved' })
    .min(1, { error: 'must not be empty' })
    .optional()
    .describe('The app\'s Package.resolved, relative to the policy file; it decides mlxApi. Default: found next to evaluator.source or the policy (Package.resolved, *.xcodeproj/project.xcworkspace/xcshareddata/swiftpm/Package.resolved).'),
  source: z
    .string({ error: 'expected the path of the Swift file that declares VLMEvaluator' })
    .min(1, { error: 'must not be empty' })
    .optional()
    .describe('The app\'s evaluator source, relative to the policy file: checked by `memtier check` for regressions.'),
}, { error: 'expected a mapping with className, mlxApi, clearCacheTakesLock, source and packageResolved (all optional), or null' });

/** The optional XCTest file that checks the policy's promises in Swift. */
export const testsSchema = z.strictObject({
  module: z
    .string({ error: 'expected the name of the app module, e.g. "VLMEval"' })
    .describe('The app module the generated tests import with `@testable import`, e.g. "VLMEval".'),
  directory: z
    .string({ error: 'expected a folder path' })
    .min(1, { error: 'must not be empty' })
    .default('Tests')
    .describe('Folder for the generated XCTest files, relative to the output folder. It may lead out of it ("../VLMEvalTests/Generated"), to keep the tests out of a folder the app target compiles, but stays inside the policy\'s folder. Default "Tests".'),
}, { error: 'expected a mapping with module (and optionally directory), or null for no tests' });

/** Where and how the Swift is written. */
export const outputSchema = z.strictObject({
  directory: z
    .string({ error: 'expected a folder path' })
    .min(1, { error: 'must not be empty' })
    .default('generated')
    .describe('Folder for the generated Swift, relative to the policy file. Default "generated".'),
  accessLevel: z
    .enum(['internal', 'public'], { error: 'expected "internal" or "public"' })
    .default('internal')
    .describe('Swift access level of the generated declarations. Default "internal".'),
  templates: z
    .string({ error: 'expected a folder path' })
    .min(1, { error: 'must not be empty' })
    .optional()
    .describe('A folder of *.hbs files that replace built-in templates of the same name, relative to the policy file.'),
  tests: testsSchema
    .nullable()
    .default(null)
    .describe('Also generate the XCTest files (MemoryPolicyTests.swift; with an evaluator, MemoryStressTest.swift too) for the app\'s test target. Default null: no tests.'),
}, { error: 'expected a mapping with directory, accessLevel and tests' });

/** A warning or note the team has read and accepts, named by the id it is printed with. */
export const acknowledgementSchema = z.strictObject({
  warning: z.string({ error: 'expected the id a warning ends with, such as "estimate-over-memory-limit:ultraLow"' })
    .min(1, { error: 'must not be empty' })
    .describe('The id printed in brackets at the end of the warning or note, e.g. "estimate-over-memory-limit:ultraLow".'),
  why: z.string({ error: 'expected the reason, as text' })
    .min(1, { error: 'must not be empty: say why the team accepts it' })
    .describe('Why the team accepts it, for the review.'),
}, { error: 'expected a mapping with warning (its id) and why' });

/** The whole policy file. */
export const policySchema = z.strictObject({
  tiers: z
    .array(tierSchema, { error: 'expected a list of tiers' })
    .min(1, { error: 'needs at least one tier' })
    .describe('Memory tiers from the smallest device to the largest.'),
  generation: generationSchema.prefault({}).describe('Generation parameters shared by all tiers.'),
  pressure: pressureSchema.prefault({}).describe('Memory-pressure thresholds for the generated monitor.'),
  evaluator: evaluatorSchema
    .nullable()
    .default(null)
    .describe('Generate the memory-pressure monitor and the VLMEvaluator extension. Default null: neither.'),
  expectations: z
    .array(expectationSchema, { error: 'expected a list of promises, such as { physicalMemory, tier }' })
    .default([])
    .describe('Promises: devices and the tier they land in, and values a tier keeps; a broken promise is a validation error.'),
  output: outputSchema.prefault({}).describe('Output settings.'),
  model: modelSchema.optional().describe('The model the app runs, as a catalog name or a mapping of numbers: memtier estimates each tier\'s peak memory from it (memtier budget).'),
  app: appSchema.prefault({}).describe('What the app\'s own build decides: its entitlements and its Xcode project.'),
  acknowledged: z
    .array(acknowledgementSchema, { error: 'expected a list of { warning, why }' })
    .default([])
    .describe('Warnings and notes the team has read and accepts: they are not printed again, and one line counts them.'),
}, { error: 'expected a mapping with a "tiers:" list' });

/** A policy after parsing: sizes are exact bytes, defaults filled in. */
export type Policy = z.output<typeof policySchema>;
/** One tier of a parsed policy. */
export type Tier = Policy['tiers'][number];
/** The model section of a parsed policy. */
export type PolicyModel = NonNullable<Policy['model']>;
/** One expectation of a parsed policy. */
export type Expectation = Policy['expectations'][number];

/** A tier's sizes and counts: they should not shrink from a tier to a larger one, and a promise can bound them. */
export const NUMERIC_LIMIT_KEYS = ['cacheLimit', 'memoryLimit', 'maxTokens', 'imageSize'] as const satisfies readonly (keyof Tier)[];
/** A tier's switches. */
export const SWITCH_KEYS = ['keepModelLoaded', 'aggressiveCleanup'] as const satisfies readonly (keyof Tier)[];
/** Everything a tier decides for the app, in the order messages and tables list it. */
export const LIMIT_KEYS = [...NUMERIC_LIMIT_KEYS, ...SWITCH_KEYS] as const;
/** A budget's values, in the order the generated PerformanceBudget declares them. */
export const BUDGET_KEYS = ['peakFootprint', 'minTokensPerSecond', 'maxSecondsToFirstToken', 'maxSecondsPerAnswer', 'maxMainActorStallSeconds'] as const satisfies readonly (keyof NonNullable<Tier['budget']>)[];
