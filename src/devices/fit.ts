/**
 * Will it fit? Each tier's estimated peak (policy/memory-estimate.ts) against its two ceilings:
 * the tier's own `memoryLimit` (past it MLX frees its cache and waits for GPU work before each
 * allocation: stalls), and, for each catalog device in the tier, the app memory limit iOS enforces
 * there (past it iOS ends the app). Shared by the validation rules, `memtier budget`, `explain`
 * and `diff`.
 */
import { classify } from '../policy/classify.js';
import { estimateTier, headroom, ROOM_PERCENT, TIGHT_PERCENT, type TierEstimate } from '../policy/memory-estimate.js';
import type { Policy } from '../policy/schema.js';
import type { AppMemoryLimit, OsSupport } from './catalog.js';
import { rangeApplies, rangeInWords, type DeploymentTarget } from './deployment-target.js';
import type { ResolvedModel } from './models.js';

/** What the fit reads of a catalog device. */
export interface FitDevice {
  name: string;
  reported: bigint;
  os: OsSupport;
  appLimits?: readonly AppMemoryLimit[];
}

/** A ceiling and what is left under it. */
export interface CeilingFit {
  bytes: bigint;
  headroom: { bytes: bigint; percent: number };
}

/** The app limit that applies on a device, and where it comes from. */
export interface AppLimit {
  bytes: bigint;
  entitlement: boolean;
  /** The source, with the OS versions measured on when it names them. */
  source: string;
  /** Those versions in words ("iPadOS 26.4-26.5"), when the source names them. */
  os?: string;
}

/** A device in the tier, and its app limit when one is published. */
export interface DeviceFit {
  name: string;
  /** Absent when no measurement of the app limit is published for the device. */
  appLimit?: CeilingFit & AppLimit;
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

/** How an estimate stands under a ceiling: over it, with under 10% left, or with room. */
export function standing(ceiling: CeilingFit): 'over' | 'tight' | 'fits' {
  if (ceiling.headroom.bytes < 0n) return 'over';
  return ceiling.headroom.percent < TIGHT_PERCENT ? 'tight' : 'fits';
}

/** A device whose app limit leaves at least 25% above the estimate. */
export function hasRoom(device: DeviceFit): boolean {
  return device.appLimit !== undefined && device.appLimit.headroom.percent >= ROOM_PERCENT;
}

/** "Needlessly small": the tier's own memoryLimit is over or tight while `device` has room. */
export function heldBackOn(fit: TierFit, device: DeviceFit): boolean {
  return fit.memoryLimit !== undefined && standing(fit.memoryLimit) !== 'fits' && hasRoom(device);
}

/** The tier's memoryLimit is above the device's app limit, so it never acts there. */
export function limitAboveApp(fit: TierFit, device: DeviceFit): boolean {
  return fit.memoryLimit !== undefined && device.appLimit !== undefined && fit.memoryLimit.bytes > device.appLimit.bytes;
}

/**
 * The app limit that applies on `device`: of the measurements taken on an OS the app can meet there
 * (from its deployment target to the device's newest release; every version when the target is not
 * known), the smallest, since the app must fit on each. From each, the raised limit with the
 * entitlement when measured, else the standard one (never larger).
 */
export function appLimitOf(device: FitDevice, entitlement: boolean, target?: DeploymentTarget): AppLimit | undefined {
  const candidates = (device.appLimits ?? []).filter((limit) => rangeApplies(limit.os, device.os, target)).flatMap((limit): AppLimit[] => {
    const os = limit.os ? { os: rangeInWords(limit.os, device.os.name) } : {};
    const source = os.os ? `${os.os}: ${limit.source}` : limit.source;
    if (entitlement && limit.increased !== undefined) return [{ bytes: limit.increased, entitlement: true, source, ...os }];
    return limit.standard !== undefined ? [{ bytes: limit.standard, entitlement: false, source, ...os }] : [];
  });
  return candidates.reduce<AppLimit | undefined>((lowest, candidate) => (lowest === undefined || candidate.bytes < lowest.bytes ? candidate : lowest), undefined);
}

/** Every tier's fit, in policy order; `devices` are the ones the app can be installed on. */
export function tierFits(policy: Policy, model: ResolvedModel, devices: readonly FitDevice[], target?: DeploymentTarget): TierFit[] {
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
        const limit = appLimitOf(device, policy.app.increasedMemoryLimit, target);
        return { name: device.name, ...(limit ? { appLimit: { ...fit(limit.bytes), ...limit } } : {}) };
      }),
    };
  });
}
