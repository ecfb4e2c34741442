/**
 * Stage 3: Policy -> the explicit view model the templates print. Every decision about Swift text
 * (literals, comments, access modifiers, which MLX API to call, ranges in words, what an absent
 * value becomes) is made here, so templates only loop, substitute, and include the optional
 * sections the model switches on (`sections`).
 */
import { resolveModel, type ResolvedModel } from '../devices/models.js';
import { estimateTier } from '../policy/memory-estimate.js';
import { BUDGET_KEYS, type Policy, type Tier } from '../policy/schema.js';
import { formatSize, formatSizeApprox } from '../policy/sizes.js';
import { DEFAULT_EVALUATOR_CLASS } from '../swift/generated-api.js';
import { headerLines } from '../swift/header.js';
import { swiftCommentLines, swiftDocCommentLines, swiftFloatLiteral, swiftIntLiteral } from '../swift/literals.js';
import { memoryPolicyOutputs } from './memory-policy.js';
import { buildTestsModel, type TestsView } from './tests-model.js';

/** A size as a Swift literal plus the same size for people, for a trailing comment. */
export interface SizeView {
  literal: string;
  human: string;
}

/** A value that may be absent: its Swift literal (`nil` when absent) and the trailing comment to print after it ("" for none). */
export interface OptionalValueView {
  literal: string;
  /** `  // 2.44 GiB`, or an explanation of `nil`, or "" */
  trailingComment: string;
}

/** One tier as the templates see it. */
export interface TierView {
  caseName: string;
  index: string;
  /** The physical-memory range in words: "More than 2 GiB, up to 3 GiB". */
  range: string;
  /** The case's doc comment, one `///` line each: the range, then the policy's description. */
  docLines: string[];
  /** The inclusive upper bound; absent for the last tier. */
  upperBound?: SizeView;
  /** The upper bound as `physicalMemoryUpperBound` returns it: `nil` for the last tier. */
  upperBoundValue: OptionalValueView;
  /** The body of `PerformanceBudget.forTier`'s case for this tier, a line each: `return nil`, or the budget. */
  budgetLines: string[];
  /** `MemoryConfiguration.estimatedPeakBytes(for:)` for this tier: bytes, or `nil` without a model. */
  estimatedPeak: OptionalValueView;
  config: {
    cacheLimit: SizeView;
    /** `nil` when the tier leaves the limit to MLX. */
    memoryLimit: OptionalValueView;
    maxTokens: string;
    imageSize: string;
    keepModelLoaded: string;
    aggressiveCleanup: string;
  };
}

/** One file to produce: which template renders it, and where it goes inside the output folder. */
export interface OutputView {
  template: string;
  path: string;
}

/** The Swift statements MemoryPolicy.swift uses for MLX's memory API (the evaluator extension calls it), as the pinned mlx-swift spells them. */
export interface MlxCallsView {
  /** Sets the cache limit from `memoryConfiguration.cacheLimit`. */
  setCacheLimit: string;
  /** Sets the memory limit from a local `memoryLimit`. */
  setMemoryLimit: string;
  /** Clears the cache. */
  clearCache: string;
  /** The API's names, for doc comments: where the cache limit and the memory limit are set. */
  cacheLimitName: string;
  memoryLimitName: string;
  /** MLX's memory figures now (active, cache and peak): a `Snapshot`, for the stress test's report. */
  snapshot: string;
  /** Sets MLX's peak memory back to zero, so that the next `snapshot` peak is of what came after. */
  resetPeakMemory: string;
  /**
   * `true` when the pinned mlx-swift's clearCache takes MLX's evaluation lock (0.30.3 and later),
   * so the cache may be cleared off the main actor at any time; `false` (also when unknown).
   */
  clearCacheTakesLock: string;
}

/** Optional parts of the generated files, switched on by the policy. */
export interface SectionsView {
  /** A `public init` for MemoryConfiguration (a public struct has no public memberwise initializer). */
  publicInitializer: boolean;
  /** The monitor's tests in the XCTest file (the monitor is generated with an `evaluator` section). */
  monitorTests: boolean;
  /** A comment in place of the expectations test's assertions, when the policy has none. */
  noExpectations: boolean;
  /** A comment in place of the promises test's assertions, when the policy promises no tier values. */
  noPromises: boolean;
}

/** Everything the templates print. */
export interface SwiftModel {
  /** The files to produce, sorted by path. */
  outputs: OutputView[];
  header: string[];
  sourceName: string;
  /** `"public "` or `""` (internal is Swift's default and is left implicit). */
  access: string;
  sections: SectionsView;
  tiers: TierView[];
  /** Tiers that have an upper bound, in order: the cases of the classification switch. */
  boundedTiers: TierView[];
  firstTier: TierView;
  lastTier: TierView;
  generation: { temperature: string; topP: string };
  /** The XCTest file's data, when the policy asks for it. */
  tests?: TestsView;
  /** The doc comment of `estimatedPeakBytes(for:)`, naming the model the estimate is for. */
  estimateDocLines: string[];
  /** Thresholds of the memory-pressure monitor. */
  pressure: {
    warningPercent: string; criticalPercent: string; recoveryPercent: string; warningFraction: string; criticalFraction: string; recoveryFraction: string; pollingSeconds: string; pollingMilliseconds: string;
    /** The `MemoryPressure` case a UIKit memory warning raises the level to: `warning` or `critical`. */
    memoryWarningLevel: string;
    /** How long, where no limit is known, a warning's level lasts without a further warning: seconds in words and milliseconds as a literal. */
    memoryWarningQuietSeconds: string;
    memoryWarningQuietMilliseconds: string;
  };
  /** MLX memory calls, for the mlx-swift release the app pins (`evaluator.mlxApi`). */
  mlx: MlxCallsView;
  /** The app's class the extension extends and the stress test drives (`evaluator.className`); empty when the policy says there is none (neither file is written then). */
  evaluatorClass: string;
}

/** Options for {@link buildModel}. */
export interface ModelOptions {
  /** How the header and comments name the policy file, e.g. "tiers.yaml". */
  sourceName: string;
}

/** mlx-swift 0.29's `GPU` functions and 0.30's `Memory` properties (GPU's are deprecated there). */
const MLX_CALLS: Record<'gpu' | 'memory', Omit<MlxCallsView, 'clearCacheTakesLock'>> = {
  gpu: {
    setCacheLimit: 'MLX.GPU.set(cacheLimit: memoryConfiguration.cacheLimit)',
    setMemoryLimit: 'MLX.GPU.set(memoryLimit: memoryLimit)',
    clearCache: 'MLX.GPU.clearCache()',
    cacheLimitName: 'MLX.GPU.set(cacheLimit:)',
    memoryLimitName: 'MLX.GPU.set(memoryLimit:)',
    snapshot: 'MLX.GPU.snapshot()',
    resetPeakMemory: 'MLX.GPU.resetPeakMemory()',
  },
  memory: {
    setCacheLimit: 'MLX.Memory.cacheLimit = memoryConfiguration.cacheLimit',
    setMemoryLimit: 'MLX.Memory.memoryLimit = memoryLimit',
    clearCache: 'MLX.Memory.clearCache()',
    cacheLimitName: 'MLX.Memory.cacheLimit',
    memoryLimitName: 'MLX.Memory.memoryLimit',
    snapshot: 'MLX.Memory.snapshot()',
    // 0.30's Memory has no resetPeakMemory(): its peakMemory setter resets the peak, whatever the value.
    resetPeakMemory: 'MLX.Memory.peakMemory = 0',
  },
};

/** Builds the view model; the policy must already be validated. */
export function buildModel(policy: Policy, options: ModelOptions): SwiftModel {
  const resolved = policy.model === undefined ? undefined : resolveModel(policy.model, options.sourceName);
  const model = resolved && 'model' in resolved ? resolved.model : undefined;
  const tiers = policy.tiers.map((tier, index) => buildTier(tier, index, policy.tiers[index - 1], model));
  const tests = policy.output.tests ? buildTestsModel(policy, policy.output.tests.module) : undefined;
  // null: the app has no class of VLMEval's shape, so no extension and no stress test (it drives one).
  const evaluatorClass = policy.evaluator?.className === null ? null : (policy.evaluator?.className ?? DEFAULT_EVALUATOR_CLASS);
  const outputs: OutputView[] = [
    { template: 'DeviceMemoryTier.swift', path: 'DeviceMemoryTier.swift' },
    { template: 'MemoryConfiguration.swift', path: 'MemoryConfiguration.swift' },
    ...memoryPolicyOutputs(policy),
    ...(policy.evaluator ? [
      { template: 'MemoryPressureMonitor.swift', path: 'MemoryPressureMonitor.swift' },
      ...(evaluatorClass === null ? [] : [{ template: 'VLMEvaluator+MemoryPolicy.swift', path: `${evaluatorClass}+MemoryPolicy.swift` }]),
    ] : []),
    ...(policy.output.tests ? [{ template: 'MemoryPolicyTests.swift', path: joinPath(policy.output.tests.directory, 'MemoryPolicyTests.swift') }] : []),
    // The on-device stress test drives the evaluator, so it needs the evaluator's extension.
    ...(policy.output.tests && policy.evaluator && evaluatorClass !== null ? [{ template: 'MemoryStressTest.swift', path: joinPath(policy.output.tests.directory, 'MemoryStressTest.swift') }] : []),
  ];
  const isPublic = policy.output.accessLevel === 'public';
  return {
    outputs: outputs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    header: headerLines(options.sourceName),
    sourceName: options.sourceName,
    access: isPublic ? 'public ' : '',
    sections: {
      publicInitializer: isPublic,
      monitorTests: policy.evaluator !== null && policy.evaluator !== undefined,
      noExpectations: policy.expectations.every((expectation) => expectation.physicalMemory === undefined),
      noPromises: tests === undefined || tests.promiseLines.length === 0,
    },
    tiers,
    boundedTiers: tiers.filter((tier) => tier.upperBound !== undefined),
    firstTier: tiers[0]!,
    lastTier: tiers[tiers.length - 1]!,
    generation: {
      temperature: swiftFloatLiteral(policy.generation.temperature),
      topP: swiftFloatLiteral(policy.generation.topP),
    },
    ...(tests ? { tests } : {}),
    estimateDocLines: [
      '/// The peak memory memtier estimates for `tier`, in bytes (`memtier budget` shows the terms).',
      '///',
      ...wrapDocComment(model
        ? `For ${model.name}, the policy's \`model\`, as mlx-swift-lm ${model.numbers.upscalesImages ? 'before 3.31.4 processes images (every image enlarged before tiling)' : '3.31.4 and later process images (tiled at their own size)'}: its weights, the KV cache for maxTokens plus the prompt and the image, the cache limit, and the activations (measured with MLX where memtier measured the model, else an allowance). The on-device stress test compares it with the peak it measures.`
        : `\`nil\`: ${options.sourceName} names no model to estimate from.`),
    ],
    pressure: buildPressure(policy.pressure),
    mlx: {
      ...MLX_CALLS[policy.evaluator?.mlxApi ?? 'gpu'],
      // Unknown counts as unlocked: the cache is then cleared only where MLX cannot be evaluating.
      clearCacheTakesLock: String(policy.evaluator?.clearCacheTakesLock ?? false),
    },
    evaluatorClass: evaluatorClass ?? '',
  };
}

function buildPressure(pressure: Policy['pressure']): SwiftModel['pressure'] {
  const decimal = (value: number) => String(Number(value.toFixed(6)));
  const fraction = (percent: number) => swiftFloatLiteral(Number((percent / 100).toFixed(8)));
  return {
    warningPercent: decimal(pressure.warningPercent),
    criticalPercent: decimal(pressure.criticalPercent),
    recoveryPercent: decimal(pressure.recoveryPercent),
    warningFraction: fraction(pressure.warningPercent),
    criticalFraction: fraction(pressure.criticalPercent),
    recoveryFraction: fraction(pressure.recoveryPercent),
    pollingSeconds: decimal(pressure.pollingIntervalSeconds),
    pollingMilliseconds: swiftIntLiteral(Math.round(pressure.pollingIntervalSeconds * 1000)),
    memoryWarningLevel: pressure.memoryWarning,
    memoryWarningQuietSeconds: decimal(pressure.memoryWarningQuietSeconds),
    memoryWarningQuietMilliseconds: swiftIntLiteral(Math.round(pressure.memoryWarningQuietSeconds * 1000)),
  };
}

/** Text as `///` lines of at most 100 columns (at two spaces of indent), split between words. */
function wrapDocComment(text: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of swiftCommentLines(text).join(' ').split(' ')) {
    if (line !== '' && line.length + 1 + word.length > 94) {
      lines.push(`/// ${line}`);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return [...lines, `/// ${line}`];
}

/** A relative output path with forward slashes, whatever the platform: "Tests/X.swift". */
/** `directory/file`, `/`-separated, with `.` and `dir/..` folded away (a leading `..` stays). */
function joinPath(directory: string, file: string): string {
  const parts: string[] = [];
  for (const part of [...directory.split(/[\\/]+/), file]) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

function buildTier(tier: Tier, index: number, previous: Tier | undefined, model: ResolvedModel | undefined): TierView {
  const estimate = model ? estimateTier(model.numbers, tier).total : undefined;
  const range = describeRange(previous?.upTo, tier.upTo);
  const description = tier.description ? swiftDocCommentLines(tier.description.trim()) : [];
  return {
    caseName: tier.name,
    index: String(index),
    range,
    docLines: [`/// ${swiftCommentLines(range).join(' ')}.`, ...(description.length > 0 ? ['///', ...description] : [])],
    ...(tier.upTo !== undefined ? { upperBound: sizeView(tier.upTo) } : {}),
    upperBoundValue: tier.upTo !== undefined ? sizeValue(tier.upTo) : { literal: 'nil', trailingComment: '' },
    budgetLines: budgetLines(tier.budget),
    estimatedPeak: estimate !== undefined ? { literal: swiftIntLiteral(estimate), trailingComment: `  // ${formatSizeApprox(estimate)}` } : { literal: 'nil', trailingComment: '' },
    config: {
      cacheLimit: sizeView(tier.cacheLimit),
      memoryLimit: tier.memoryLimit !== null ? sizeValue(tier.memoryLimit) : { literal: 'nil', trailingComment: "  // no limit: MLX's own default" },
      maxTokens: swiftIntLiteral(tier.maxTokens),
      imageSize: swiftIntLiteral(tier.imageSize),
      keepModelLoaded: String(tier.keepModelLoaded),
      aggressiveCleanup: String(tier.aggressiveCleanup),
    },
  };
}

/** `return nil`, or `return PerformanceBudget(` with one argument a line (nil where the policy sets none). */
function budgetLines(budget: Tier['budget']): string[] {
  if (budget === undefined) return ['return nil'];
  const argument = (key: (typeof BUDGET_KEYS)[number], index: number) => {
    const value = budget[key];
    const comma = index < BUDGET_KEYS.length - 1 ? ',' : '';
    if (value === undefined) return `  ${key}: nil${comma}`;
    // The peak is bytes (an Int, with its size for people); the others are Doubles.
    if (typeof value === 'bigint') return `  ${key}: ${swiftIntLiteral(value)}${comma}  // ${formatSize(value)}`;
    return `  ${key}: ${swiftFloatLiteral(value)}${comma}`;
  };
  return ['return PerformanceBudget(', ...BUDGET_KEYS.map(argument), ')'];
}

function sizeView(bytes: bigint): SizeView {
  return { literal: swiftIntLiteral(bytes), human: formatSize(bytes) };
}

function sizeValue(bytes: bigint): OptionalValueView {
  return { literal: swiftIntLiteral(bytes), trailingComment: `  // ${formatSize(bytes)}` };
}

/** The range of reported physical memory a tier covers, in words. */
export function describeRange(lower: bigint | undefined, upper: bigint | undefined): string {
  if (lower === undefined && upper === undefined) return 'Every device';
  if (lower === undefined) return `Devices reporting up to ${formatSize(upper!)} of physical memory`;
  if (upper === undefined) return `Devices reporting more than ${formatSize(lower)} of physical memory`;
  return `Devices reporting more than ${formatSize(lower)}, up to ${formatSize(upper)} of physical memory`;
}
