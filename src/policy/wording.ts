/**
 * A tier's values in words, the same in every message, table, explanation and diff: sizes in
 * units, "none (MLX default)" for a memory limit left to MLX, "none (last tier)" for the last
 * tier's missing bound, pixels for the image size, yes/no for switches.
 */
import type { Tier } from './schema.js';
import { formatSize } from './sizes.js';

/** The keys of a tier that have a value to show. */
export type TierValueKey = 'upTo' | 'cacheLimit' | 'memoryLimit' | 'maxTokens' | 'imageSize' | 'keepModelLoaded' | 'aggressiveCleanup' | 'description';

/** One tier value as people read it. */
export function tierValueInWords<Key extends TierValueKey>(key: Key, value: Tier[Key]): string {
  if (value === undefined) return key === 'upTo' ? 'none (last tier)' : '(none)';
  if (value === null) return 'none (MLX default)';
  if (typeof value === 'bigint') return formatSize(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (key === 'imageSize') return `${String(value)} px`;
  return String(value);
}
