/**
 * `memtier devices`: the catalog against a policy.
 */
import { classify } from '../policy/classify.js';
import type { Policy } from '../policy/schema.js';
import { tierValueInWords } from '../policy/wording.js';
import { formatSizeApprox } from '../policy/sizes.js';
import { DEVICES, ESTIMATE_RULE, type Device } from '../devices/catalog.js';
import type { Table } from './table.js';
import { keepTogether, wrapText } from './wrap.js';

/** One catalog device under a policy. */
export interface DeviceRow {
  device: Device;
  tierIndex: number;
}

/** Every catalog device with the tier the policy gives it. */
export function placeDevices(policy: Policy): DeviceRow[] {
  return DEVICES.map((device) => ({ device, tierIndex: classify(policy.tiers, device.reported).index }));
}

/** How a reported value is shown: estimated values are marked with "~", approximate with "≈". */
export function shownReported(device: Device): string {
  const mark = device.reportedSource.kind === 'estimated' ? '~' : device.reportedSource.kind === 'approximate' ? '≈' : '';
  return `${mark}${formatSizeApprox(device.reported)}`;
}

/** The note that explains the marks. */
export const REPORTED_LEGEND = wrapText(`~ ${ESTIMATE_RULE}; ${keepTogether('≈ approximate report')}; ${keepTogether('unmarked: measured exactly')}`).join('\n');

/**
 * The devices as a table: device, identifiers, RAM, what it reports, tier and the key limits. As
 * text, too wide for a terminal in one piece (133 columns), it is printed as the devices with their
 * tiers, then each tier's limits once.
 */
export function devicesTable(policy: Policy): Table {
  return {
    headers: ['Device', 'Identifier', 'RAM', 'Reports', 'Tier', 'cacheLimit', 'memoryLimit', 'maxTokens', 'imageSize'],
    narrow: [['Device', 'Identifier', 'RAM', 'Reports', 'Tier'], ['Tier', 'cacheLimit', 'memoryLimit', 'maxTokens', 'imageSize']],
    rows: placeDevices(policy).map(({ device, tierIndex }) => {
      const tier = policy.tiers[tierIndex]!;
      return [
        device.name,
        device.identifiers.join(', '),
        `${device.ramGB} GB`,
        shownReported(device),
        tier.name,
        tierValueInWords('cacheLimit', tier.cacheLimit),
        tierValueInWords('memoryLimit', tier.memoryLimit),
        tierValueInWords('maxTokens', tier.maxTokens),
        tierValueInWords('imageSize', tier.imageSize),
      ];
    }),
  };
}

/** The devices as stable JSON (documented in docs/budgets.md; `version` changes if the shape does). */
export function devicesJson(policy: Policy): string {
  const devices = placeDevices(policy).map(({ device, tierIndex }) => {
    const tier = policy.tiers[tierIndex]!;
    return {
      name: device.name,
      identifiers: device.identifiers,
      family: device.family,
      ramGB: device.ramGB,
      reportedBytes: Number(device.reported),
      reportedSource: device.reportedSource,
      tier: tier.name,
      limits: {
        cacheLimit: Number(tier.cacheLimit),
        memoryLimit: tier.memoryLimit === null ? null : Number(tier.memoryLimit),
        maxTokens: tier.maxTokens,
        imageSize: tier.imageSize,
        keepModelLoaded: tier.keepModelLoaded,
        aggressiveCleanup: tier.aggressiveCleanup,
      },
    };
  });
  return `${JSON.stringify({ version: 1, estimateRule: ESTIMATE_RULE, devices }, null, 2)}\n`;
}
