/**
 * `memtier diff`: what changes between two versions of a policy, and what that does to each device.
 * Pure: two validated policies in, a description out.
 */
import { formatDiagnostic } from '../diagnostics/format.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Device } from '../devices/catalog.js';
import { catalogScope, leftOutLine, type DeviceScope } from '../devices/deployment-target.js';
import { shownReported } from './device-table.js';
import { classify } from '../policy/classify.js';
import { LIMIT_KEYS, type Policy, type Tier } from '../policy/schema.js';
import { formatSize, formatSizeApprox } from '../policy/sizes.js';
import { budgetOf } from './budget.js';
import { tierValueInWords } from '../policy/wording.js';

/** One value that changed: where, before, after (as people read them). */
export interface ValueChange {
  path: string;
  before: string;
  after: string;
}

/** How one device fares under the new policy. */
export interface DeviceImpact {
  device: Device;
  tierBefore: string;
  tierAfter: string;
  changes: ValueChange[];
}

/** How a tier's estimated peak moves (memtier budget), when either policy names a model. */
export interface EstimateChange {
  tier: string;
  before?: bigint;
  after?: bigint;
}

/** Everything that differs. */
export interface PolicyDiff {
  added: string[];
  removed: string[];
  values: ValueChange[];
  devices: DeviceImpact[];
  estimates: EstimateChange[];
  /** The line that says which catalog devices the lists leave out, as the app cannot be installed on them. */
  leftOut?: string;
  /** A change of the mlx-swift-lm release the app pins, in words, when the estimates follow one. */
  pins?: string;
}

const TIER_KEYS = ['upTo', ...LIMIT_KEYS, 'description'] as const;

/** A tier value as people read it. */
function valueOf(key: (typeof TIER_KEYS)[number], tier: Tier): string {
  return tierValueInWords(key, tier[key]);
}

/**
 * Compares a base policy with the working one, as written, on the devices of `scope` (the app's, by
 * its deployment target). The estimates come from `settled` when given: the two policies with what
 * the app's pins settle (the model's upscalesImages), which is not a change of the policy.
 */
export function diffPolicies(base: Policy, head: Policy, scope: DeviceScope = catalogScope(), settled: { base: Policy; head: Policy } = { base, head }): PolicyDiff {
  const baseTiers = new Map(base.tiers.map((tier) => [tier.name, tier]));
  const headTiers = new Map(head.tiers.map((tier) => [tier.name, tier]));
  const values: ValueChange[] = [];
  for (const tier of head.tiers) {
    const before = baseTiers.get(tier.name);
    if (!before) continue;
    for (const key of TIER_KEYS) {
      const [was, now] = [valueOf(key, before), valueOf(key, tier)];
      if (was !== now) values.push({ path: `${tier.name}.${key}`, before: was, after: now });
    }
    values.push(...scalarChanges(`${tier.name}.budget`, budgetInWords(before.budget), budgetInWords(tier.budget)));
  }
  values.push(...scalarChanges('generation', base.generation, head.generation));
  values.push(...scalarChanges('pressure', base.pressure, head.pressure));
  values.push(...scalarChanges('evaluator', base.evaluator ?? {}, head.evaluator ?? {}));
  values.push(...scalarChanges('output', { ...base.output, tests: JSON.stringify(base.output.tests) }, { ...head.output, tests: JSON.stringify(head.output.tests) }));
  values.push(...scalarChanges('model', base.model ?? {}, head.model ?? {}));
  values.push(...scalarChanges('app', base.app, head.app));
  const devices = scope.devices.flatMap((device) => {
    const was = base.tiers[classify(base.tiers, device.reported).index]!;
    const now = head.tiers[classify(head.tiers, device.reported).index]!;
    const changes = LIMIT_KEYS.map((key) => ({ path: key, before: valueOf(key, was), after: valueOf(key, now) })).filter((change) => change.before !== change.after);
    return was.name === now.name && changes.length === 0 ? [] : [{ device, tierBefore: was.name, tierAfter: now.name, changes }];
  });
  const leftOut = leftOutLine(scope);
  return {
    added: head.tiers.filter((tier) => !baseTiers.has(tier.name)).map((tier) => tier.name),
    removed: base.tiers.filter((tier) => !headTiers.has(tier.name)).map((tier) => tier.name),
    values,
    devices,
    estimates: estimateChanges(settled.base, settled.head),
    ...(leftOut === undefined ? {} : { leftOut }),
  };
}

/** Each tier's estimated peak before and after, where it moved. */
function estimateChanges(base: Policy, head: Policy): EstimateChange[] {
  const peaks = (policy: Policy) => {
    const budget = policy.model === undefined ? undefined : budgetOf(policy, 'the policy');
    return new Map(budget && !('error' in budget) ? budget.tiers.map((fit) => [fit.name, fit.estimate.total]) : []);
  };
  const [before, after] = [peaks(base), peaks(head)];
  const names = [...new Set([...before.keys(), ...after.keys()])];
  return names.flatMap((tier) => {
    const [was, now] = [before.get(tier), after.get(tier)];
    return was === now ? [] : [{ tier, ...(was !== undefined ? { before: was } : {}), ...(now !== undefined ? { after: now } : {}) }];
  });
}

/** An estimate change in words: "standard: 1.73 GiB -> 1.79 GiB (+64.00 MiB)". */
export function estimateLine(change: EstimateChange, arrow = '->'): string {
  const text = (bytes: bigint | undefined) => (bytes === undefined ? '(none)' : formatSizeApprox(bytes));
  const delta = change.before !== undefined && change.after !== undefined
    ? ` (${change.after >= change.before ? '+' : '-'}${formatSizeApprox(change.after >= change.before ? change.after - change.before : change.before - change.after)})`
    : '';
  return `${change.tier}: ${text(change.before)} ${arrow} ${text(change.after)}${delta}`;
}

/** A tier's budget with its peak in size units, for comparing as text. */
function budgetInWords(budget: Tier['budget']): Record<string, string | number> {
  if (budget === undefined) return {};
  const { peakFootprint, ...rest } = budget;
  return { ...rest, ...(peakFootprint !== undefined ? { peakFootprint: formatSize(peakFootprint) } : {}) };
}

function scalarChanges(prefix: string, before: object, after: object): ValueChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.flatMap((key) => {
    const was = String((before as Record<string, unknown>)[key] ?? '(unset)');
    const now = String((after as Record<string, unknown>)[key] ?? '(unset)');
    return was === now ? [] : [{ path: `${prefix}.${key}`, before: was, after: now }];
  });
}

/** True when nothing differs. */
export function isEmptyDiff(diff: PolicyDiff): boolean {
  return diff.added.length + diff.removed.length + diff.values.length + diff.devices.length + diff.estimates.length === 0;
}

/** Whether nothing but the app's pins changed (and, with them, the estimates). */
export function onlyPins(diff: PolicyDiff): boolean {
  return diff.pins !== undefined && diff.added.length + diff.removed.length + diff.values.length + diff.devices.length === 0;
}

/** One device's line: "iPhone 12 (4 GB): low -> standard; maxTokens 500 -> 800". */
export function deviceLine(impact: DeviceImpact): string {
  const tiers = impact.tierBefore === impact.tierAfter ? `stays ${impact.tierAfter}` : `${impact.tierBefore} -> ${impact.tierAfter}`;
  const changes = impact.changes.map((change) => `${change.path} ${change.before} -> ${change.after}`);
  return `${impact.device.name} (${impact.device.ramGB} GB, reports ${shownReported(impact.device)}): ${[tiers, ...changes].join('; ')}`;
}

/** What was compared: the policy file, and the revision as it is named ("3f2a1bc (the merge base with main)"). */
export interface DiffSubject {
  file: string;
  where: string;
  /** The base is HEAD itself, so only changes not yet committed can show (said when none do). */
  baseIsHead?: boolean;
}

/** What a comparison with HEAD cannot see, for the no-change line. */
export function headNote(subject: DiffSubject): string {
  return subject.baseIsHead ? '; as that is HEAD, only changes not yet committed were compared' : '';
}

/** The one line for no change: "tiers.yaml: no policy change against 1e38d19 (the merge base with main)". */
export function formatNoChangeText(subject: DiffSubject): string {
  return `${subject.file}: no policy change against ${subject.where}${headNote(subject)}\n`;
}

/** The diff as terminal text; `broken` are the working copy's broken promises. */
export function formatDiffText(diff: PolicyDiff, subject: DiffSubject, broken: readonly Diagnostic[] = []): string {
  // Broken promises with no change: say so, rather than a heading over nothing.
  const lines = [`Policy changes in ${subject.file} against ${subject.where}:${isEmptyDiff(diff) || onlyPins(diff) ? ' none' : ''}`];
  for (const name of diff.added) lines.push(`  + tier ${name}`);
  for (const name of diff.removed) lines.push(`  - tier ${name}`);
  for (const change of diff.values) lines.push(`  ${change.path}: ${change.before} -> ${change.after}`);
  if (diff.devices.length > 0) {
    lines.push('', `Devices affected (${diff.devices.length}):`);
    for (const impact of diff.devices) lines.push(`  ${deviceLine(impact)}`);
  }
  if (diff.leftOut && !isEmptyDiff(diff)) lines.push('', diff.leftOut);
  if (diff.estimates.length > 0) {
    lines.push('', 'Estimated peak memory (memtier budget):', ...(diff.pins ? [`  ${diff.pins}`] : []), ...diff.estimates.map((change) => `  ${estimateLine(change)}`));
  }
  if (broken.length > 0) lines.push('', `Broken promises (${broken.length}):`, ...broken.map((problem) => `  ${formatDiagnostic(problem)}`));
  return `${lines.join('\n')}\n`;
}
