/**
 * Which tier a device falls in: the TypeScript twin of the generated `DeviceMemoryTier.init(physicalMemory:)`,
 * used to check expectations and to explain decisions. Integer comparison on bytes only.
 */

/** The part of a tier classification needs. */
export interface TierBound {
  name: string;
  upTo?: bigint;
}

/** The tier a byte count lands in, and the boundaries that put it there. */
export interface Classification {
  index: number;
  /** The previous tier's `upTo`, which the value is above (absent for the first tier). */
  above?: { index: number; bytes: bigint };
  /** This tier's own `upTo`, which the value is at or below (absent for the last tier). */
  atOrBelow?: { index: number; bytes: bigint };
}

/** The first tier whose `upTo` is at least `bytes`; the last tier otherwise. Tiers are assumed validated. */
export function classify(tiers: readonly TierBound[], bytes: bigint): Classification {
  let index = tiers.findIndex((tier) => tier.upTo !== undefined && bytes <= tier.upTo);
  if (index === -1) index = tiers.length - 1;
  const upper = tiers[index]?.upTo;
  const lower = index > 0 ? tiers[index - 1]?.upTo : undefined;
  return {
    index,
    ...(lower !== undefined ? { above: { index: index - 1, bytes: lower } } : {}),
    ...(upper !== undefined ? { atOrBelow: { index, bytes: upper } } : {}),
  };
}
