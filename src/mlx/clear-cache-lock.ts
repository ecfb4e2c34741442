/**
 * Whether the pinned mlx-swift's `clearCache` takes MLX's evaluation lock, which decides when the
 * generated code may clear MLX's GPU cache. Pure.
 *
 * Before mlx-swift 0.30.3, `GPU.clearCache()` and `Memory.clearCache()` call `mlx_clear_cache()`
 * bare (0.29.1 Source/MLX/GPU.swift, 0.30.2 Source/MLX/Memory.swift), while evaluation takes
 * `evalLock`: a clear that overlaps MLX's own encoding (mlx-swift-lm's generation winds down in its
 * own task after its consumer stops, 2.29.2 Libraries/MLXLMCommon/Evaluate.swift) crashes in Metal.
 * Commit 5bd59d0 (#331, "Fix race condition in clearCache causing Metal crash"), first released in
 * 0.30.3, takes the lock.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { isAtLeastRelease } from './mlx-api.js';
import type { PackagePin } from './package-resolved.js';

/** The first mlx-swift release whose `clearCache` takes the evaluation lock. */
export const FIRST_LOCKED_CLEAR_CACHE_RELEASE = '0.30.3';

/** What the decision needs to know. */
export interface ClearCacheLockInputs {
  /** `evaluator.clearCacheTakesLock` as written in the policy, if it is. */
  declared?: boolean;
  /** Where `evaluator.clearCacheTakesLock` is written, for its error. */
  declaredPlace: { file: string; line?: number; column?: number; path: string };
  /** Where the warning about an old pin goes: `evaluator.mlxApi`, or `evaluator` without it. */
  warningPlace: { file: string; line?: number; column?: number; path: string };
  /** The mlx-swift pin and the Package.resolved it is in, when one was found. */
  pin?: { pin: PackagePin; file: string };
}

/**
 * The value to generate for: the pinned release's answer, else the policy's, else `false` (the
 * safe one: the cache is then cleared only where MLX cannot be evaluating). A pin before 0.30.3
 * gives a warning saying what that costs; `true` declared for such a pin is an error.
 */
export function decideClearCacheLock({ declared, declaredPlace, warningPlace, pin }: ClearCacheLockInputs): { clearCacheTakesLock: boolean; diagnostics: Diagnostic[] } {
  const version = pin?.pin.version;
  const locked = version === undefined ? undefined : isAtLeastRelease(version, FIRST_LOCKED_CLEAR_CACHE_RELEASE);
  if (locked === undefined) return { clearCacheTakesLock: declared ?? false, diagnostics: [] };
  if (locked) return { clearCacheTakesLock: declared ?? true, diagnostics: [] };
  const warning: Diagnostic = {
    severity: 'warning',
    ...warningPlace,
    message: `mlx-swift ${version}, as the app's Package.resolved pins it, clears MLX's cache without a lock, so memtier clears it only after an answer that ran to its end, never after a cancel (${FIRST_LOCKED_CLEAR_CACHE_RELEASE} fixes that)`,
    id: 'clear-cache-unlocked',
  };
  if (declared !== true) return { clearCacheTakesLock: false, diagnostics: [warning] };
  const error: Diagnostic = {
    severity: 'error',
    ...declaredPlace,
    message: `clearCacheTakesLock: true, but ${pin!.file} pins mlx-swift ${version}, whose clearCache takes no lock (it does from ${FIRST_LOCKED_CLEAR_CACHE_RELEASE}); remove it to follow the pinned release`,
  };
  return { clearCacheTakesLock: false, diagnostics: [error] };
}
