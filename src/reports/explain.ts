/**
 * `memtier explain`: which tier a size or a device lands in, why, and how close it is to a boundary.
 * Pure: a validated policy and a question in, an explanation out.
 */
import { describeReportedSource, deviceNames, findDevice, type Device } from '../devices/catalog.js';
import { suggest } from '../diagnostics/suggest.js';
import { classify } from '../policy/classify.js';
import { LIMIT_KEYS, type Policy, type Tier } from '../policy/schema.js';
import { tierValueInWords } from '../policy/wording.js';
import { formatSize, formatSizeApprox, parseSizeRounded } from '../policy/sizes.js';
import { budgetOf, estimateBreakdown, verdicts, type Budget } from './budget.js';
import type { DeviceFit, TierFit } from '../devices/fit.js';

/** The answer to one question. */
export interface Explanation {
  /** What was asked about, for people: "iPhone 13 mini (iPhone14,4)" or "3.60 GiB (…)". */
  subject: string;
  device?: Device;
  bytes: bigint;
  /** True when a decimal size was rounded to the nearest byte. */
  rounded: boolean;
  tier: Tier;
  tierIndex: number;
  /** The boundary test that decided, in words. */
  reason: string;
  /** Distance to the closest boundary, when there is one. */
  nearest?: { boundary: string; distance: bigint; percent: number };
  /** The memory estimate at the tier's limits, when the policy names a model. */
  memory?: { budget: Budget; fit: TierFit; device?: DeviceFit };
}

/** Explains a size ("3.6GiB", "3865470566") or a catalog device name or identifier. */
export function explain(policy: Policy, query: string): Explanation | { error: string } {
  const device = findDevice(query);
  const parsed = device ? undefined : parseSizeRounded(query);
  if (!device && !parsed?.ok) {
    const guess = suggest(query, deviceNames());
    return { error: `"${query}" is neither a size (like "3.6GiB" or 3865470566) nor a device in the catalog${guess ? `; did you mean "${guess}"?` : '; see memtier devices'}` };
  }
  const bytes = device ? device.reported : (parsed as { bytes: bigint }).bytes;
  const { index, above, atOrBelow } = classify(policy.tiers, bytes);
  const tier = policy.tiers[index]!;
  const name = (i: number) => policy.tiers[i]!.name;
  const parts = [
    ...(above ? [`above tiers[${above.index}].upTo (${formatSize(above.bytes)}, the top of ${name(above.index)})`] : []),
    ...(atOrBelow ? [`at or below tiers[${atOrBelow.index}].upTo (${formatSize(atOrBelow.bytes)})`] : []),
  ];
  const reason = parts.length > 0 ? `${formatSizeApprox(bytes)} is ${parts.join(' and ')}` : `${tier.name} is the only tier`;
  const boundaries = [above, atOrBelow].filter((boundary) => boundary !== undefined);
  const closest = boundaries.sort((a, b) => Number(absolute(a.bytes - bytes) - absolute(b.bytes - bytes)))[0];
  const budget = policy.model === undefined ? undefined : budgetOf(policy, 'the policy');
  const fit = budget && !('error' in budget) ? budget.tiers[index] : undefined;
  const deviceFit = fit && device ? fit.devices.find((candidate) => candidate.name === device.name) : undefined;
  return {
    ...(fit && budget && !('error' in budget) ? { memory: { budget, fit, ...(deviceFit ? { device: deviceFit } : {}) } } : {}),
    subject: device ? `${device.name} (${device.identifiers.join(', ')}), ${device.ramGB} GB RAM, reports ${formatSize(device.reported)} [${describeReportedSource(device)}]` : formatSize(bytes),
    ...(device ? { device } : {}),
    bytes,
    rounded: parsed?.ok === true && 'rounded' in parsed && parsed.rounded === true,
    tier,
    tierIndex: index,
    reason,
    ...(closest ? { nearest: { boundary: `tiers[${closest.index}].upTo (${formatSize(closest.bytes)})`, distance: absolute(closest.bytes - bytes), percent: percentOf(absolute(closest.bytes - bytes), bytes) } } : {}),
  };
}

function absolute(value: bigint): bigint {
  return value < 0n ? -value : value;
}

function percentOf(part: bigint, whole: bigint): number {
  return whole === 0n ? Infinity : Number((part * 10_000n) / whole) / 100;
}

/** A tier's limits in human units, one `key value` pair each. */
export function describeLimits(tier: Tier): string {
  return LIMIT_KEYS.map((key) => `${key} ${tierValueInWords(key, tier[key])}`).join(', ');
}

/** The explanation as terminal text. */
export function formatExplanation(explanation: Explanation): string {
  const lines = [
    `${explanation.subject}${explanation.rounded ? ' (rounded to the nearest byte)' : ''}`,
    `tier:    ${explanation.tier.name} (tiers[${explanation.tierIndex}])`,
    `why:     ${explanation.reason}`,
    ...(explanation.nearest
      ? [`margin:  ${formatSizeApprox(explanation.nearest.distance)} (${explanation.nearest.percent}%) from ${explanation.nearest.boundary}, the nearest boundary`]
      : []),
    `limits:  ${describeLimits(explanation.tier)}`,
    ...memoryLines(explanation),
  ];
  return `${lines.join('\n')}\n`;
}

/** The estimate term by term and the ceilings, when the policy names a model. */
function memoryLines(explanation: Explanation): string[] {
  const memory = explanation.memory;
  if (!memory) return [];
  const { budget, fit, device } = memory;
  const left = (ceiling: { headroom: { bytes: bigint; percent: number } }) =>
    ceiling.headroom.bytes < 0n ? `over by ${formatSizeApprox(-ceiling.headroom.bytes)}` : `${formatSizeApprox(ceiling.headroom.bytes)} (${ceiling.headroom.percent.toFixed(1)}%) left`;
  const ceilings = [
    fit.memoryLimit ? `memoryLimit ${formatSize(fit.memoryLimit.bytes)}: ${left(fit.memoryLimit)}` : 'memoryLimit: none (MLX default)',
    ...(explanation.device
      ? [device?.appLimit
        ? `app limit on ${explanation.device.name} ${formatSize(device.appLimit.bytes)} (${device.appLimit.entitlement ? 'with' : 'without'} the increased-memory-limit entitlement; ${device.appLimit.source}): ${left(device.appLimit)}`
        : `app limit on ${explanation.device.name}: not published`]
      : []),
  ];
  return [
    `memory:  estimated peak for ${budget.model.name} at ${fit.name}'s limits (see memtier budget):`,
    ...estimateBreakdown(budget.model, fit.estimate).map((line) => `         ${line}`),
    ...ceilings.map((line, index) => `${index === 0 ? 'ceiling: ' : '         '}${line}`),
    `verdict: ${verdicts(fit, device).join('; ')}`,
  ];
}
