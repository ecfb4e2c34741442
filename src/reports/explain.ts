/**
 * `memtier explain`: which tier a size or a device lands in, why, and how close it is to a boundary;
 * or, for a tier's name, what the tier is and how its memory estimate stands on each of its devices
 * (where the warnings about a tier point). Pure: a validated policy and a question in, an
 * explanation out.
 */
import { describeReportedSource, deviceNames, findDevice, type Device } from '../devices/catalog.js';
import { catalogScope, leftOutInWords, newestInWords, targetInWords, type DeviceScope } from '../devices/deployment-target.js';
import { suggest } from '../diagnostics/suggest.js';
import { classify } from '../policy/classify.js';
import { LIMIT_KEYS, type Policy, type Tier } from '../policy/schema.js';
import { tierValueInWords } from '../policy/wording.js';
import { formatSize, formatSizeApprox, parseSizeRounded } from '../policy/sizes.js';
import { budgetOf, estimateBreakdown, tierFitJson, verdicts, type Budget } from './budget.js';
import type { DeviceFit, TierFit } from '../devices/fit.js';
import { deviceJson, keepVersionsTogether, tierLimitsJson } from './device-table.js';
import { keepTogether, wrapText } from './wrap.js';

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
  /** The memory estimate at the tier's limits, when the policy names a model (and the app can be installed on the device). */
  memory?: { budget: Budget; fit: TierFit; device?: DeviceFit };
  /** The newest iOS the device runs, against the app's deployment target, in words (for a device). */
  runs?: string;
}

/** What `explain TIER` tells: the tier, the catalog devices in it, and its estimate against each ceiling. */
export interface TierExplanation {
  tier: Tier;
  tierIndex: number;
  /** The range of physical memory the tier takes, in words. */
  range: string;
  devices: readonly Device[];
  /** The devices in the tier the app cannot be installed on, and why, in words; absent when none. */
  leftOut?: string;
  /** Those devices (empty when none). */
  leftOutDevices: readonly Device[];
  memory?: { budget: Budget; fit: TierFit };
}

/** Explains a tier by its name, or undefined when no tier has that name; `scope` leaves out the devices the app cannot be installed on. */
export function explainTier(policy: Policy, name: string, scope: DeviceScope = catalogScope()): TierExplanation | undefined {
  const index = policy.tiers.findIndex((tier) => tier.name === name);
  if (index < 0) return undefined;
  const tier = policy.tiers[index]!;
  const below = policy.tiers[index - 1]?.upTo;
  const range = [
    ...(below === undefined ? [] : [`above ${formatSize(below)}`]),
    ...(tier.upTo === undefined ? [] : [`up to ${formatSize(tier.upTo)}`]),
  ].join(' and ') || 'every device';
  const budget = policy.model === undefined ? undefined : budgetOf(policy, 'the policy', scope);
  const fit = budget && !('error' in budget) ? budget.tiers[index] : undefined;
  const inTier = (device: Device) => classify(policy.tiers, device.reported).index === index;
  const leftOut = scope.leftOut.filter(inTier);
  return {
    tier,
    tierIndex: index,
    range: `devices that report ${range} of physical memory`,
    devices: scope.devices.filter(inTier),
    leftOutDevices: scope.target ? leftOut : [],
    ...(leftOut.length > 0 && scope.target ? { leftOut: `${leftOutInWords(leftOut)}, and the app's deployment target is ${targetInWords(scope.target)}` } : {}),
    ...(fit && budget && !('error' in budget) ? { memory: { budget, fit } } : {}),
  };
}

/** A tier's explanation as terminal text, every line within TEXT_WIDTH columns. */
export function formatTierExplanation(explanation: TierExplanation): string {
  const { tier, memory } = explanation;
  const lines: [string, number][] = [
    [`${tier.name} (tiers[${explanation.tierIndex}]): ${explanation.range}`, 2],
    [`devices: ${explanation.devices.length === 0 ? (explanation.leftOut ? 'none the app can be installed on' : 'none in the catalog') : explanation.devices.map((device) => keepTogether(device.name)).join(', ')}`, LABEL_INDENT],
    ...(explanation.leftOut ? [[`         left out: ${explanation.leftOut}`, LABEL_INDENT] as [string, number]] : []),
    [`limits:  ${LIMIT_KEYS.map((key) => keepTogether(`${key} ${tierValueInWords(key, tier[key])}`)).join(', ')}`, LABEL_INDENT],
  ];
  if (memory) {
    const { budget, fit } = memory;
    const published = fit.devices.filter((device) => device.appLimit);
    lines.push(
      [`memory:  estimated peak for ${budget.model.name} at these limits ${keepTogether('(see memtier budget):')}`, LABEL_INDENT],
      ...estimateBreakdown(budget.model, fit.estimate).map((line): [string, number] => [`         ${line}`, TERM_INDENT]),
      [`ceiling: ${fit.memoryLimit ? `memoryLimit ${formatSize(fit.memoryLimit.bytes)}: ${left(fit.memoryLimit)}` : 'memoryLimit: none (MLX default)'}`, LABEL_INDENT],
      ...published.map((device): [string, number] => [`         app limit on ${device.name} ${formatSize(device.appLimit!.bytes)} (${device.appLimit!.entitlement ? 'with' : 'without'} the increased-memory-limit entitlement; ${device.appLimit!.source}): ${left(device.appLimit!)}`, LABEL_INDENT]),
      ...unpublished(fit.devices.filter((device) => !device.appLimit).map((device) => device.name), published.length > 0),
      [`verdict: ${[verdicts(fit).join('; '), ...published.map((device) => `${keepTogether(`${device.name}:`)} ${verdicts(fit, device).filter((word) => !verdicts(fit).includes(word)).join(', ') || 'fits'}`)].join('; ')}`, LABEL_INDENT],
    );
  }
  return `${lines.flatMap(([line, indent]) => wrapText(keepVersionsTogether(line), { indent })).join('\n')}\n`;
}

/** The line for the devices in a tier whose app limit nobody has published: named when few. */
function unpublished(names: readonly string[], others: boolean): [string, number][] {
  if (names.length === 0) return [];
  const which = names.length <= 3 ? names.map(keepTogether).join(', ') : `the ${others ? 'other ' : ''}${names.length} devices`;
  return [[`         app limit on ${which}: not published`, LABEL_INDENT]];
}

/** How much of a ceiling an estimate leaves, or how far it is over. */
function left(ceiling: { headroom: { bytes: bigint; percent: number } }): string {
  return ceiling.headroom.bytes < 0n ? `over by ${formatSizeApprox(-ceiling.headroom.bytes)}` : `${formatSizeApprox(ceiling.headroom.bytes)} (${ceiling.headroom.percent.toFixed(1)}%) left`;
}

/**
 * Explains a size ("3.6GiB", "3865470566") or a catalog device name or identifier. A device the app
 * cannot be installed on (`scope`) is explained all the same, saying so, without the memory estimate.
 */
export function explain(policy: Policy, query: string, scope: DeviceScope = catalogScope()): Explanation | { error: string } {
  const device = findDevice(query);
  const parsed = device ? undefined : parseSizeRounded(query);
  if (!device && parsed && !parsed.ok && /^\d/.test(query.trim())) return { error: parsed.reason };
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
  const installable = !device || !scope.leftOut.includes(device);
  const budget = policy.model === undefined || !installable ? undefined : budgetOf(policy, 'the policy', scope);
  const fit = budget && !('error' in budget) ? budget.tiers[index] : undefined;
  const deviceFit = fit && device ? fit.devices.find((candidate) => candidate.name === device.name) : undefined;
  return {
    ...(fit && budget && !('error' in budget) ? { memory: { budget, fit, ...(deviceFit ? { device: deviceFit } : {}) } } : {}),
    ...(device ? { runs: runsInWords(device, scope, installable) } : {}),
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

/** "iOS 27", or "iOS 16 at most: the app cannot be installed here, as its deployment target is iOS 17.2 (…)". */
function runsInWords(device: Device, scope: DeviceScope, installable: boolean): string {
  const newest = newestInWords(device.os);
  if (!scope.target) return newest;
  if (!installable) return `${newest}: the app cannot be installed here, as its deployment target is ${targetInWords(scope.target)}`;
  return `${newest}; the app's deployment target is ${targetInWords(scope.target)}`;
}

function absolute(value: bigint): bigint {
  return value < 0n ? -value : value;
}

function percentOf(part: bigint, whole: bigint): number {
  return whole === 0n ? Infinity : Number((part * 10_000n) / whole) / 100;
}

/** Where wrapped lines go on: under the text after a label (`tier:    `), or after a breakdown's term. */
const LABEL_INDENT = 9;
const TERM_INDENT = LABEL_INDENT + 16;

/** The explanation as terminal text, every line within TEXT_WIDTH columns. */
export function formatExplanation(explanation: Explanation): string {
  const lines: [string, number][] = [
    [`${explanation.subject}${explanation.rounded ? ' (rounded to the nearest byte)' : ''}`, 2],
    ...(explanation.runs ? [[`runs:    ${explanation.runs}`, LABEL_INDENT] as [string, number]] : []),
    [`tier:    ${explanation.tier.name} (tiers[${explanation.tierIndex}])`, LABEL_INDENT],
    [`why:     ${explanation.reason}`, LABEL_INDENT],
    ...(explanation.nearest
      ? [[`margin:  ${formatSizeApprox(explanation.nearest.distance)} (${explanation.nearest.percent}%) from ${explanation.nearest.boundary}, the nearest boundary`, LABEL_INDENT] as [string, number]]
      : []),
    // One `key value` pair is never split over two lines.
    [`limits:  ${LIMIT_KEYS.map((key) => keepTogether(`${key} ${tierValueInWords(key, explanation.tier[key])}`)).join(', ')}`, LABEL_INDENT],
    ...memoryLines(explanation),
  ];
  return `${lines.flatMap(([line, indent]) => wrapText(keepVersionsTogether(line), { indent })).join('\n')}\n`;
}

/** The estimate term by term and the ceilings, when the policy names a model; each with its wrap indent. */
function memoryLines(explanation: Explanation): [string, number][] {
  const memory = explanation.memory;
  if (!memory) return [];
  const { budget, fit, device } = memory;
  const ceilings = [
    fit.memoryLimit ? `memoryLimit ${formatSize(fit.memoryLimit.bytes)}: ${left(fit.memoryLimit)}` : 'memoryLimit: none (MLX default)',
    ...(explanation.device
      ? [device?.appLimit
        ? `app limit on ${explanation.device.name} ${formatSize(device.appLimit.bytes)} (${device.appLimit.entitlement ? 'with' : 'without'} the increased-memory-limit entitlement; ${device.appLimit.source}): ${left(device.appLimit)}`
        : `app limit on ${explanation.device.name}: not published`]
      : []),
  ];
  return [
    [`memory:  estimated peak for ${budget.model.name} at ${fit.name}'s limits ${keepTogether('(see memtier budget):')}`, LABEL_INDENT],
    ...estimateBreakdown(budget.model, fit.estimate).map((line): [string, number] => [`         ${line}`, TERM_INDENT]),
    ...ceilings.map((line, index): [string, number] => [`${index === 0 ? 'ceiling: ' : '         '}${line}`, LABEL_INDENT]),
    [`verdict: ${verdicts(fit, device).join('; ')}`, LABEL_INDENT],
  ];
}

/** A tier as JSON: its name, index, top of its range and limits (sizes in bytes), as `devices --json` gives limits. */
function tierJson(tier: Tier, index: number): Record<string, unknown> {
  return { name: tier.name, index, upTo: tier.upTo === undefined ? null : Number(tier.upTo), limits: tierLimitsJson(tier) };
}

/**
 * `explain --json`: the same answer as the text, for scripts. `kind` says what was asked about:
 * a tier by name, a catalog device, or a size. Sizes are in bytes; devices and limits are as
 * `devices --json` gives them; `memory` is the tier's entry of `budget --json` but its name (null
 * without a model, or on a device the app cannot be installed on), and `onDevice` the device's row
 * of it. `model` names the policy's model, or is null when it has none.
 */
export function explanationJson(query: string, answer: Explanation | TierExplanation, model: string | null): Record<string, unknown> {
  const head = { version: 1, query, model };
  if (!('reason' in answer)) {
    return {
      ...head,
      kind: 'tier',
      tier: { ...tierJson(answer.tier, answer.tierIndex), range: answer.range },
      devices: answer.devices.map((device) => device.name),
      leftOut: answer.leftOut ? { devices: answer.leftOutDevices.map((device) => ({ name: device.name, newestOS: device.os })), why: answer.leftOut } : null,
      memory: answer.memory ? memoryJson(answer.memory.fit) : null,
    };
  }
  const device = answer.device;
  return {
    ...head,
    kind: device ? 'device' : 'size',
    subject: answer.subject,
    device: device ? { ...deviceJson(device), runs: answer.runs ?? null } : null,
    bytes: Number(answer.bytes),
    rounded: answer.rounded,
    tier: tierJson(answer.tier, answer.tierIndex),
    reason: answer.reason,
    nearest: answer.nearest ? { boundary: answer.nearest.boundary, distanceBytes: Number(answer.nearest.distance), percent: answer.nearest.percent } : null,
    memory: answer.memory ? memoryJson(answer.memory.fit) : null,
    onDevice: answer.memory?.device ? tierFitJson(answer.memory.fit).devices.find((each) => each.name === answer.memory!.device!.name) ?? null : null,
  };
}

/** The tier's entry of `budget --json`, without its name (the answer's tier has it). */
function memoryJson(fit: TierFit): Record<string, unknown> {
  const { name: _name, ...rest } = tierFitJson(fit);
  return rest;
}
