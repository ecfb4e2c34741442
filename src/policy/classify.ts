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

/**
 * The first tier whose `upTo` is at least `bytes`; the last tier otherwise. Tiers are assumed
 * validated (bounds strictly increasing, only the last without one), so a binary search finds it:
 * checking one expectation per tier stays O(n log n).
 */
export function classify(tiers: readonly TierBound[], bytes: bigint): Classification {
  let [low, high] = [0, tiers.length - 1];
  while (low < high) {
    const middle = (low + high) >> 1;
    const upTo = tiers[middle]!.upTo;
    if (upTo !== undefined && bytes <= upTo) high = middle;
    else low = middle + 1;
  }
  const index = low;
  const upper = tiers[index]?.upTo;
  const lower = index > 0 ? tiers[index - 1]?.upTo : undefined;
  return {
    index,
    ...(lower !== undefined ? { above: { index: index - 1, bytes: lower } } : {}),
    ...(upper !== undefined ? { atOrBelow: { index, bytes: upper } } : {}),
  };
}
