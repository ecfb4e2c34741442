/**
 * Stage 3: Policy -> the explicit view model the templates print. Every decision about Swift text
 * (literals, comments, access modifiers, ranges in words) is made here, so templates only loop
 * and substitute.
 */
import type { Policy, Tier } from '../policy/schema.js';
import { formatSize } from '../policy/sizes.js';
import { headerLines } from '../swift/header.js';
import { swiftCommentLines, swiftFloatLiteral, swiftIntLiteral } from '../swift/literals.js';
import { buildTestsModel, type TestsView } from './tests-model.js';

/** A size as a Swift literal plus the same size for people, for a trailing comment. */
export interface SizeView {
  literal: string;
  human: string;
}

/** One tier as the templates see it. */
export interface TierView {
  caseName: string;
  index: string;
  /** The physical-memory range in words: "More than 2 GiB, up to 3 GiB". */
  range: string;
  /** The policy's description, one comment line each (empty when there is none). */
  descriptionLines: string[];
  /** The inclusive upper bound; absent for the last tier. */
  upperBound?: SizeView;
  config: {
    cacheLimit: SizeView;
    memoryLimit?: SizeView;
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

/** Everything the templates print. */
export interface SwiftModel {
  /** The files to produce, sorted by path. */
  outputs: OutputView[];
  header: string[];
  sourceName: string;
  /** `"public "` or `""` (internal is Swift's default and is left implicit). */
  access: string;
  isPublic: boolean;
  tiers: TierView[];
  /** Tiers that have an upper bound, in order: the cases of the classification switch. */
  boundedTiers: TierView[];
  lastTier: TierView;
  generation: { temperature: string; topP: string };
  /** The XCTest file's data, when the policy asks for it. */
  tests?: TestsView;
  /** Thresholds of the memory-pressure monitor. */
  pressure: { warningPercent: string; criticalPercent: string; recoveryPercent: string; warningFraction: string; criticalFraction: string; recoveryFraction: string; pollingSeconds: string; pollingMilliseconds: string };
  /** Which mlx-swift memory API the evaluator extension calls. */
  mlx: { memoryApi: boolean };
}

/** Options for {@link buildModel}. */
export interface ModelOptions {
  /** How the header and comments name the policy file, e.g. "tiers.yaml". */
  sourceName: string;
}

/** Builds the view model; the policy must already be validated. */
export function buildModel(policy: Policy, options: ModelOptions): SwiftModel {
  const tiers = policy.tiers.map((tier, index) => buildTier(tier, index, policy.tiers[index - 1]));
  const isPublic = policy.output.accessLevel === 'public';
  const tests = policy.output.tests ? buildTestsModel(policy, policy.output.tests.module) : undefined;
  const outputs: OutputView[] = [
    { template: 'DeviceMemoryTier.swift', path: 'DeviceMemoryTier.swift' },
    { template: 'MemoryConfiguration.swift', path: 'MemoryConfiguration.swift' },
    ...(policy.evaluator ? [
      { template: 'MemoryPressureMonitor.swift', path: 'MemoryPressureMonitor.swift' },
      { template: 'VLMEvaluator+MemoryPolicy.swift', path: 'VLMEvaluator+MemoryPolicy.swift' },
    ] : []),
    ...(policy.output.tests ? [{ template: 'MemoryPolicyTests.swift', path: joinPath(policy.output.tests.directory, 'MemoryPolicyTests.swift') }] : []),
  ];
  return {
    outputs: outputs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    header: headerLines(options.sourceName),
    sourceName: options.sourceName,
    access: isPublic ? 'public ' : '',
    isPublic,
    tiers,
    boundedTiers: tiers.filter((tier) => tier.upperBound !== undefined),
    lastTier: tiers[tiers.length - 1]!,
    generation: {
      temperature: swiftFloatLiteral(policy.generation.temperature),
      topP: swiftFloatLiteral(policy.generation.topP),
    },
    ...(tests ? { tests } : {}),
    pressure: buildPressure(policy.pressure),
    mlx: { memoryApi: policy.evaluator?.mlxApi === 'memory' },
  };
}

function buildPressure(pressure: Policy['pressure']): SwiftModel['pressure'] {
  const percent = (value: number) => String(Number(value.toFixed(6)));
  return {
    warningPercent: percent(pressure.warningPercent),
    criticalPercent: percent(pressure.criticalPercent),
    recoveryPercent: percent(pressure.recoveryPercent),
    warningFraction: swiftFloatLiteral(Number((pressure.warningPercent / 100).toFixed(8))),
    criticalFraction: swiftFloatLiteral(Number((pressure.criticalPercent / 100).toFixed(8))),
    recoveryFraction: swiftFloatLiteral(Number((pressure.recoveryPercent / 100).toFixed(8))),
    pollingSeconds: percent(pressure.pollingIntervalSeconds),
    pollingMilliseconds: swiftIntLiteral(Math.round(pressure.pollingIntervalSeconds * 1000)),
  };
}

/** A relative output path with forward slashes, whatever the platform: "Tests/X.swift". */
function joinPath(directory: string, file: string): string {
  const parts = directory.split(/[\\/]+/).filter((part) => part !== '' && part !== '.');
  return [...parts, file].join('/');
}

function buildTier(tier: Tier, index: number, previous: Tier | undefined): TierView {
  return {
    caseName: tier.name,
    index: String(index),
    range: describeRange(previous?.upTo, tier.upTo),
    descriptionLines: tier.description ? swiftCommentLines(tier.description.trim()) : [],
    ...(tier.upTo !== undefined ? { upperBound: sizeView(tier.upTo) } : {}),
    config: {
      cacheLimit: sizeView(tier.cacheLimit),
      ...(tier.memoryLimit !== null ? { memoryLimit: sizeView(tier.memoryLimit) } : {}),
      maxTokens: swiftIntLiteral(tier.maxTokens),
      imageSize: swiftIntLiteral(tier.imageSize),
      keepModelLoaded: String(tier.keepModelLoaded),
      aggressiveCleanup: String(tier.aggressiveCleanup),
    },
  };
}

function sizeView(bytes: bigint): SizeView {
  return { literal: swiftIntLiteral(bytes), human: formatSize(bytes) };
}

/** The range of reported physical memory a tier covers, in words. */
export function describeRange(lower: bigint | undefined, upper: bigint | undefined): string {
  if (lower === undefined && upper === undefined) return 'Every device';
  if (lower === undefined) return `Devices reporting up to ${formatSize(upper!)} of physical memory`;
  if (upper === undefined) return `Devices reporting more than ${formatSize(lower)} of physical memory`;
  return `Devices reporting more than ${formatSize(lower)}, up to ${formatSize(upper)} of physical memory`;
}
