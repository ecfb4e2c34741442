/**
 * The typed policy DSL for `tiers.config.ts`:
 *
 * ```ts
 * import { defineTiers, GiB, MiB } from 'memtier';
 * export default defineTiers({ tiers: [{ name: 'standard', cacheLimit: MiB(20), ... }] });
 * ```
 *
 * The unit helpers return the same strings the YAML uses ("20MiB"), so both files go through
 * exactly the same validation and produce the same Swift.
 */
import type { z } from 'zod';
import type { policySchema } from './schema.js';

/** What `tiers.config.ts` exports: the policy as written, before defaults and unit parsing. */
export type TiersConfig = z.input<typeof policySchema>;

/** Returns its argument; it exists so that editors type-check and complete the policy. */
export function defineTiers(config: TiersConfig): TiersConfig {
  return config;
}

const unit = (suffix: string) => (amount: number): string => `${amount}${suffix}`;

/** `KiB(512)` is "512KiB": 512 × 1024 bytes. */
export const KiB = unit('KiB');
/** `MiB(20)` is "20MiB": 20 × 1024² bytes. */
export const MiB = unit('MiB');
/** `GiB(2)` is "2GiB": 2 × 1024³ bytes. */
export const GiB = unit('GiB');
/** `KB(1)` is "1KB": 1000 bytes. */
export const KB = unit('KB');
/** `MB(989)` is "989MB": 989 × 1000² bytes. */
export const MB = unit('MB');
/** `GB(4)` is "4GB": 4 × 1000³ bytes. */
export const GB = unit('GB');
