/**
 * Will it fit? Each tier's estimated peak (policy/memory-estimate.ts) against its two ceilings:
 * the tier's own `memoryLimit` (past it MLX frees its cache and waits for GPU work before each
 * allocation: stalls), and, for each catalog device in the tier, the app memory limit iOS enforces
 * there (past it iOS ends the app). Shared by the validation rules, `memtier budget`, `explain`
 * and `diff`.
 */
import { classify } from '../policy/classify.js';
import { estimateTier, headroom, type TierEstimate } from '../policy/memory-estimate.js';
import type { Policy } from '../policy/schema.js';
import type { AppMemoryLimit } from './catalog.js';
import type { ResolvedModel } from './models.js';

/** What the fit reads of a catalog device. */
export interface FitDevice {
  name: string;
  reported: bigint;
  appLimit?: AppMemoryLimit;
}

/** A ceiling and what is left under it. */
export interface CeilingFit {
  bytes: bigint;
  headroom: { bytes: bigint; percent: number };
}

/** A device in the tier, and its app limit when one is published. */
export interface DeviceFit {
  name: string;
  /** Absent when no measurement of the app limit is published for the device. */
  appLimit?: CeilingFit & { entitlement: boolean; source: string };
}

/** One tier's estimate and ceilings. */
export interface TierFit {
  index: number;
  name: string;
  estimate: TierEstimate;
  /** Absent when the tier leaves MLX its own memory limit. */
  memoryLimit?: CeilingFit;
  devices: DeviceFit[];
}

/** The app limit that applies on `device`: the raised one with the entitlement, when measured. */
export function appLimitOf(device: FitDevice, entitlement: boolean): { bytes: bigint; entitlement: boolean; source: string } | undefined {
  const limit = device.appLimit;
  if (!limit) return undefined;
  if (entitlement && limit.increased !== undefined) return { bytes: limit.increased, entitlement: true, source: limit.source };
  if (limit.standard !== undefined) return { bytes: limit.standard, entitlement: false, source: limit.source };
  return undefined;
}

/** Every tier's fit, in policy order. */
export function tierFits(policy: Policy, model: ResolvedModel, devices: readonly FitDevice[]): TierFit[] {
  const byTier = new Map<number, FitDevice[]>();
  for (const device of devices) {
    const index = classify(policy.tiers, device.reported).index;
    byTier.set(index, [...(byTier.get(index) ?? []), device]);
  }
  return policy.tiers.map((tier, index) => {
    const estimate = estimateTier(model.numbers, tier);
    const fit = (bytes: bigint): CeilingFit => ({ bytes, headroom: headroom(estimate.total, bytes) });
    return {
      index,
      name: tier.name,
      estimate,
      ...(tier.memoryLimit !== null ? { memoryLimit: fit(tier.memoryLimit) } : {}),
      devices: (byTier.get(index) ?? []).map((device): DeviceFit => {
        const limit = appLimitOf(device, policy.app.increasedMemoryLimit);
        return { name: device.name, ...(limit ? { appLimit: { ...fit(limit.bytes), entitlement: limit.entitlement, source: limit.source } } : {}) };
      }),
    };
  });
}
