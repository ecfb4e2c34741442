/**
 * `memtier diff` when the policy does not exist at the base revision (the pull request that adds
 * it): there is nothing to compare with, so the reviewer gets what every device will get instead.
 * Pure: a validated policy in, text or raw Markdown out.
 */
import { formatDiagnostic } from '../diagnostics/format.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { formatSizeApprox } from '../policy/sizes.js';
import { LIMIT_KEYS, type Policy, type Tier } from '../policy/schema.js';
import { tierValueInWords } from '../policy/wording.js';
import { budgetOf } from './budget.js';
import { placeDevices, shownReported } from './device-table.js';
import { catalogScope, leftOutLine, type DeviceScope } from '../devices/deployment-target.js';
import { brokenPromisesMarkdown, escapeCell, REPORTED_MARKS } from './policy-diff-markdown.js';
import type { DiffSubject } from './policy-diff.js';

/** A tier's bound and limits as cells: "3 GiB", "8 MiB", "2000 MiB", "500", "256 px", "no", "yes". */
function limitCells(tier: Tier): string[] {
  return LIMIT_KEYS.map((key) => tierValueInWords(key, tier[key]));
}

/** The physical memory a tier covers: "up to 3 GiB", and "above 6 GiB" for the last tier. */
function boundInWords(policy: Policy, index: number): string {
  const tier = policy.tiers[index]!;
  if (tier.upTo !== undefined) return `up to ${tierValueInWords('upTo', tier.upTo)}`;
  const below = policy.tiers[index - 1];
  return below?.upTo !== undefined ? `above ${tierValueInWords('upTo', below.upTo)}` : 'any size';
}

/** "cacheLimit 8 MiB; memoryLimit 2000 MiB; ...": a tier's limits in one line. */
function limitsInWords(tier: Tier): string {
  return LIMIT_KEYS.map((key) => `${key} ${tierValueInWords(key, tier[key])}`).join('; ');
}

/** Each tier's estimated peak (memtier budget), when the policy names a model it can estimate. */
function peakLines(policy: Policy): string[] {
  const budget = policy.model === undefined ? undefined : budgetOf(policy, 'the policy');
  if (!budget || 'error' in budget) return [];
  return budget.tiers.map((fit) => `${fit.name}: ${formatSizeApprox(fit.estimate.total)}`);
}

/** The heading's sentence: "tiers.yaml is a new policy: there is none at 1e38d19 (the merge base with main)". */
function headline(subject: DiffSubject, file: string): string {
  return `${file} is a new policy: there is none at ${subject.where}`;
}

/** The new policy as terminal text: its tiers, then every catalog device the app can be installed on, with its tier and limits. */
export function formatNewPolicyText(policy: Policy, subject: DiffSubject, broken: readonly Diagnostic[] = [], scope: DeviceScope = catalogScope()): string {
  const devices = placeDevices(policy, scope);
  const lines = [`${headline(subject, subject.file)}. What every device gets:`, '', `Tiers (${policy.tiers.length}):`];
  policy.tiers.forEach((tier, index) => lines.push(`  ${tier.name}: ${boundInWords(policy, index)}; ${limitsInWords(tier)}`));
  lines.push('', `Devices (${devices.length}):`);
  for (const { device, tierIndex } of devices) {
    const tier = policy.tiers[tierIndex]!;
    lines.push(`  ${device.name} (${device.ramGB} GB, reports ${shownReported(device)}): ${tier.name}; ${limitsInWords(tier)}`);
  }
  const leftOut = leftOutLine(scope);
  if (leftOut !== undefined) lines.push('', leftOut);
  const peaks = peakLines(policy);
  if (peaks.length > 0) lines.push('', 'Estimated peak memory (memtier budget):', ...peaks.map((line) => `  ${line}`));
  if (broken.length > 0) lines.push('', `Broken promises (${broken.length}):`, ...broken.map((problem) => `  ${formatDiagnostic(problem)}`));
  return `${lines.join('\n')}\n`;
}

/** The new policy as Markdown for a pull-request comment (format it with prettier before printing). */
export function formatNewPolicyMarkdown(policy: Policy, subject: DiffSubject, broken: readonly Diagnostic[] = [], scope: DeviceScope = catalogScope()): string {
  const row = (cells: string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  const rule = (count: number) => `|${' --- |'.repeat(count)}`;
  const devices = placeDevices(policy, scope);
  const parts = [`### memtier: ${headline(subject, `\`${subject.file}\``)}`, '', 'What every device gets.', '', ...brokenPromisesMarkdown(broken)];
  parts.push(`#### Tiers (${policy.tiers.length})`, '', row(['Tier', 'Physical memory', ...LIMIT_KEYS]), rule(2 + LIMIT_KEYS.length));
  policy.tiers.forEach((tier, index) => parts.push(row([tier.name, boundInWords(policy, index), ...limitCells(tier)])));
  parts.push('', `#### Devices (${devices.length})`, '', row(['Device', 'Reports', 'Tier', ...LIMIT_KEYS]), rule(3 + LIMIT_KEYS.length));
  for (const { device, tierIndex } of devices) {
    const tier = policy.tiers[tierIndex]!;
    parts.push(row([`${device.name} (${device.ramGB} GB)`, shownReported(device), tier.name, ...limitCells(tier)]));
  }
  parts.push('', REPORTED_MARKS);
  const leftOut = leftOutLine(scope);
  if (leftOut !== undefined) parts.push('', `${leftOut}.`);
  const peaks = peakLines(policy);
  if (peaks.length > 0) parts.push('', '#### Estimated peak memory (`memtier budget`)', '', ...peaks.map((line) => `- ${escapeCell(line)}`));
  return `${parts.join('\n')}\n`;
}
