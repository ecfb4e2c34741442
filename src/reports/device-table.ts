/**
 * `memtier devices`: the catalog against a policy.
 */
import { classify } from '../policy/classify.js';
import type { Policy, Tier } from '../policy/schema.js';
import { tierValueInWords } from '../policy/wording.js';
import { formatSizeApprox } from '../policy/sizes.js';
import { ESTIMATE_RULE, type Device } from '../devices/catalog.js';
import { catalogScope, leftOutLine, type DeviceScope } from '../devices/deployment-target.js';
import type { Table } from './table.js';
import { keepTogether, wrapText } from './wrap.js';

/** One catalog device under a policy. */
export interface DeviceRow {
  device: Device;
  tierIndex: number;
}

/** Every catalog device the app can be installed on (all, without a deployment target), with the tier the policy gives it. */
export function placeDevices(policy: Policy, scope: DeviceScope = catalogScope()): DeviceRow[] {
  return scope.devices.map((device) => ({ device, tierIndex: classify(policy.tiers, device.reported).index }));
}

/** The newest release a device runs, as a table shows it: "iOS 16", "iPadOS 27". */
export function shownNewestOs(device: Device): string {
  return `${device.os.name} ${device.os.newest}`;
}

/** How a reported value is shown: estimated values are marked with "~", approximate with "≈". */
export function shownReported(device: Device): string {
  const mark = device.reportedSource.kind === 'estimated' ? '~' : device.reportedSource.kind === 'approximate' ? '≈' : '';
  return `${mark}${formatSizeApprox(device.reported)}`;
}

/** The note that explains the marks. */
export const REPORTED_LEGEND = wrapText(`~ ${ESTIMATE_RULE}; ${keepTogether('≈ approximate report')}; ${keepTogether('unmarked: measured exactly')}`).join('\n');

/**
 * The devices as a table: device, identifiers, RAM, what it reports, the newest iOS it runs, tier
 * and the key limits. As text, too wide for a terminal in one piece, it is printed as
 * the devices with their tiers, then each tier's limits once.
 */
export function devicesTable(policy: Policy, scope: DeviceScope = catalogScope()): Table {
  return {
    headers: ['Device', 'Identifier', 'RAM', 'Reports', 'Newest OS', 'Tier', 'cacheLimit', 'memoryLimit', 'maxTokens', 'imageSize'],
    narrow: [['Device', 'Identifier', 'RAM', 'Reports', 'Newest OS', 'Tier'], ['Tier', 'cacheLimit', 'memoryLimit', 'maxTokens', 'imageSize']],
    rows: placeDevices(policy, scope).map(({ device, tierIndex }) => {
      const tier = policy.tiers[tierIndex]!;
      return [
        device.name,
        device.identifiers.join(', '),
        `${device.ramGB} GB`,
        shownReported(device),
        shownNewestOs(device),
        tier.name,
        tierValueInWords('cacheLimit', tier.cacheLimit),
        tierValueInWords('memoryLimit', tier.memoryLimit),
        tierValueInWords('maxTokens', tier.maxTokens),
        tierValueInWords('imageSize', tier.imageSize),
      ];
    }),
  };
}

/** `text` for wrapText with "iOS 17.2" and "iPadOS 27" unbreakable: a version stays with its system. */
export function keepVersionsTogether(text: string): string {
  return text.replace(/\b(iOS|iPadOS) (?=\d)/g, (words) => keepTogether(words));
}

/**
 * The notes under the table: the marks, then the devices left out and why (when any are). As text,
 * each within TEXT_WIDTH columns; as Markdown, each a paragraph ending in a full stop.
 */
export function devicesNotes(scope: DeviceScope, format: 'text' | 'markdown'): string {
  const line = leftOutLine(scope);
  if (format === 'markdown') return [REPORTED_LEGEND, ...(line === undefined ? [] : [line])].map((note) => `${note}.`).join('\n\n');
  return [REPORTED_LEGEND, ...(line === undefined ? [] : wrapText(keepVersionsTogether(line)))].join('\n');
}

/**
 * The devices as stable JSON (documented in docs/budgets.md; `version` changes if a field changes
 * or goes, not when one is added).
 */
export function devicesJson(policy: Policy, scope: DeviceScope = catalogScope()): string {
  const devices = placeDevices(policy, scope).map(({ device, tierIndex }) => {
    const tier = policy.tiers[tierIndex]!;
    return { ...deviceJson(device), tier: tier.name, limits: tierLimitsJson(tier) };
  });
  const leftOut = scope.leftOut.map((device) => ({ name: device.name, newestOS: device.os }));
  return `${JSON.stringify({ version: 1, estimateRule: ESTIMATE_RULE, deploymentTarget: scope.target ?? null, leftOut, devices }, null, 2)}\n`;
}

/** A catalog device as `devices --json` (and `explain --json`) give it. */
export function deviceJson(device: Device): Record<string, unknown> {
  return {
    name: device.name,
    identifiers: device.identifiers,
    family: device.family,
    ramGB: device.ramGB,
    reportedBytes: Number(device.reported),
    reportedSource: device.reportedSource,
    newestOS: device.os,
  };
}

/** A tier's limits as `devices --json` (and `explain --json`) give them: sizes in bytes. */
export function tierLimitsJson(tier: Tier): Record<string, unknown> {
  return {
    cacheLimit: Number(tier.cacheLimit),
    memoryLimit: tier.memoryLimit === null ? null : Number(tier.memoryLimit),
    maxTokens: tier.maxTokens,
    imageSize: tier.imageSize,
    keepModelLoaded: tier.keepModelLoaded,
    aggressiveCleanup: tier.aggressiveCleanup,
  };
}
