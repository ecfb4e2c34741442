/**
 * The simulated iPhone's input, from memtier's own TypeScript: the device catalog
 * (src/devices/catalog.ts), the policy's tiers and memtier's estimate of each
 * (src/policy/memory-estimate.ts, with the model of src/devices/models.ts), the monitor's
 * thresholds. Nothing here retypes a number: the simulation reads what memtier reads.
 *
 * The catalog publishes app limits for a few devices, some for a range of OS versions. The
 * simulation has no OS version, so a device's limit is the lowest measured on it, whatever the
 * version (no kinder than any of them). For a device without a measurement (or with one only with
 * the entitlement, as the 8 GB iPads), a rule no kinder than the measurements: the lowest limit
 * measured on a device with the same RAM; above the largest RAM measured, that class's lowest
 * limit; below the smallest, the lowest share of RAM measured in the smallest class (the iPhone 12
 * mini's 2.1 GB of 4 GB) applied to its RAM, with no raise for the entitlement (none is measured
 * there). A limit with the entitlement is never below the one without.
 */
import { DEVICES, type Device } from '../../../src/devices/catalog.js';
import { resolveModel } from '../../../src/devices/models.js';
import { classify } from '../../../src/policy/classify.js';
import { estimateTier } from '../../../src/policy/memory-estimate.js';
import type { Policy } from '../../../src/policy/schema.js';

/** The JSON the Swift runner decodes as `WorldInput` (test/swift/sim/Kernel/WorldInput.swift). */
export interface WorldInput {
  devices: { name: string; ramGB: number; reported: number; tier: string; standardLimit: number; increasedLimit: number; limitSource: string }[];
  tiers: { name: string; cacheLimit: number; memoryLimit: number | null; maxTokens: number; imageSize: number; keepModelLoaded: boolean; aggressiveCleanup: boolean; estimate: number }[];
  model: { name: string; weights: number; kvBytesPerToken: number; promptTokens: number; tileSize: number; tokensPerTile: number; longestEdge: number; upscalesImages: boolean; activations: number };
  pressure: { warningPercent: number; criticalPercent: number; recoveryPercent: number; pollingSeconds: number; memoryWarningQuietSeconds: number };
  increasedMemoryLimit: boolean;
}

/** The lowest of some sizes. */
const lowest = (values: readonly bigint[]) => values.reduce((a, b) => (b < a ? b : a));

/** What was measured on a device: its lowest limit without the entitlement, and with it. */
function measuredOn(device: Device): { standard?: bigint; increased?: bigint; sources: string[] } {
  const limits = device.appLimits ?? [];
  const standard = limits.flatMap((limit) => (limit.standard === undefined ? [] : [limit.standard]));
  const increased = limits.flatMap((limit) => { const value = limit.increased ?? limit.standard; return value === undefined ? [] : [value]; });
  return {
    ...(standard.length > 0 ? { standard: lowest(standard) } : {}),
    ...(increased.length > 0 ? { increased: lowest(increased) } : {}),
    sources: limits.map((limit) => limit.source),
  };
}

/** A device's app limits: measured, or derived by the rule above. */
export function appLimits(device: Device): { standard: bigint; increased: bigint; source: string } {
  const own = measuredOn(device);
  if (own.standard !== undefined) {
    return { standard: own.standard, increased: own.increased ?? own.standard, source: `measured (the lowest): ${own.sources.join('; ')}` };
  }
  const derived = derivedStandard(device);
  // A measurement with the entitlement only (an 8 GB iPad's) bounds both from above.
  const standard = own.increased !== undefined && own.increased < derived.standard ? own.increased : derived.standard;
  const increased = own.increased ?? (derived.increased > standard ? derived.increased : standard);
  const withEntitlement = own.increased === undefined ? '' : `; with the entitlement, the lowest measured: ${own.sources.join('; ')}`;
  return { standard, increased: increased < standard ? standard : increased, source: `${derived.source}${withEntitlement}` };
}

/** The limit a device without a measurement without the entitlement gets, by the rule above. */
function derivedStandard(device: Device): { standard: bigint; increased: bigint; source: string } {
  const measured = DEVICES.filter((other) => measuredOn(other).standard !== undefined);
  const standardOf = (other: Device) => measuredOn(other).standard!;
  const increasedOf = (other: Device) => measuredOn(other).increased ?? standardOf(other);
  const sameRam = measured.filter((other) => other.ramGB === device.ramGB);
  if (sameRam.length > 0) {
    return {
      standard: lowest(sameRam.map(standardOf)), increased: lowest(sameRam.map(increasedOf)),
      source: `derived: the lowest limit measured on a ${device.ramGB} GB device (${sameRam.map((other) => other.name).join(', ')})`,
    };
  }
  const largest = Math.max(...measured.map((other) => other.ramGB));
  if (device.ramGB > largest) {
    const top = measured.filter((other) => other.ramGB === largest);
    return { standard: lowest(top.map(standardOf)), increased: lowest(top.map(increasedOf)), source: `derived: no device with more than ${largest} GB is measured; the lowest ${largest} GB limit` };
  }
  // Smaller phones than any measured: the smallest measured class's lowest share of its RAM (a
  // larger phone gives an app a smaller share, so this is no kinder for a smaller one).
  const smallest = Math.min(...measured.map((other) => other.ramGB));
  const lowestShare = measured.filter((other) => other.ramGB === smallest)
    .map((other) => ({ other, ratio: Number(standardOf(other)) / other.ramGB }))
    .reduce((a, b) => (b.ratio < a.ratio ? b : a));
  const standard = BigInt(Math.floor(lowestShare.ratio * device.ramGB));
  return { standard, increased: standard, source: `derived: the lowest measured share of RAM on a ${smallest} GB device (${lowestShare.other.name}) applied to ${device.ramGB} GB; no raise with the entitlement is measured` };
}

/** The world's input for `policy` (its model must be a catalog model or complete). */
export function worldInput(policy: Policy): WorldInput {
  if (policy.model === undefined) throw new Error('the simulation needs the policy\'s model for its memory terms');
  const resolved = resolveModel(policy.model, 'tiers.yaml');
  if ('problem' in resolved) throw new Error(resolved.problem.message);
  const numbers = resolved.model.numbers;
  return {
    devices: DEVICES.map((device) => {
      const limits = appLimits(device);
      return {
        name: device.name, ramGB: device.ramGB, reported: Number(device.reported),
        tier: policy.tiers[classify(policy.tiers, device.reported).index]!.name,
        standardLimit: Number(limits.standard), increasedLimit: Number(limits.increased), limitSource: limits.source,
      };
    }),
    tiers: policy.tiers.map((tier) => {
      const estimate = estimateTier(numbers, tier);
      return {
        name: tier.name, cacheLimit: Number(tier.cacheLimit), memoryLimit: tier.memoryLimit === null ? null : Number(tier.memoryLimit),
        maxTokens: tier.maxTokens, imageSize: tier.imageSize, keepModelLoaded: tier.keepModelLoaded, aggressiveCleanup: tier.aggressiveCleanup,
        estimate: Number(estimate.total), activations: Number(estimate.activations),
      };
    }),
    model: {
      name: resolved.model.name, weights: Number(numbers.weights), kvBytesPerToken: Number(numbers.kvBytesPerToken), promptTokens: numbers.promptTokens,
      tileSize: numbers.tileSize, tokensPerTile: numbers.tokensPerTile, longestEdge: numbers.longestEdge, upscalesImages: numbers.upscalesImages,
      activations: Number(numbers.activations),
    },
    pressure: {
      warningPercent: policy.pressure.warningPercent, criticalPercent: policy.pressure.criticalPercent, recoveryPercent: policy.pressure.recoveryPercent,
      pollingSeconds: policy.pressure.pollingIntervalSeconds,
      memoryWarningQuietSeconds: (policy.pressure as { memoryWarningQuietSeconds?: number }).memoryWarningQuietSeconds ?? 0,
    },
    increasedMemoryLimit: policy.app.increasedMemoryLimit,
  };
}
