/**
 * Which MLX memory API the generated code calls, from the mlx-swift release the app pins.
 *
 * mlx-swift 0.30.1 moved the memory settings from `MLX.GPU.set(cacheLimit:)`,
 * `GPU.set(memoryLimit:relaxed:)` and `GPU.clearCache()` to `MLX.Memory`, and deprecated the old
 * calls; releases before it have no `MLX.Memory`. Pure.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { PackagePin } from './package-resolved.js';

/** `gpu` = `MLX.GPU.set(...)` (mlx-swift before 0.30.1); `memory` = `MLX.Memory` (0.30.1 and later). */
export type MlxApi = 'gpu' | 'memory';

/** The first mlx-swift release with `MLX.Memory`. */
export const FIRST_MEMORY_API_RELEASE = '0.30.1';

/**
 * Whether release `version` (`MAJOR.MINOR.PATCH`, an optional `v` and `-`/`+` suffix) is `first`
 * or later; undefined when `version` is not a release number (a branch, `0.30`).
 */
export function isAtLeastRelease(version: string, first: string): boolean | undefined {
  const parse = (text: string) => /^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(text.trim())?.slice(1).map(Number);
  const [have, want] = [parse(version), parse(first)];
  if (!have || !want) return undefined;
  const index = have.findIndex((part, at) => part !== want[at]);
  return index < 0 || have[index]! > want[index]!;
}

/** The API a released version calls for, or undefined when `version` is not `MAJOR.MINOR.PATCH`. */
export function mlxApiForVersion(version: string): MlxApi | undefined {
  const atLeastFirst = isAtLeastRelease(version, FIRST_MEMORY_API_RELEASE);
  return atLeastFirst === undefined ? undefined : atLeastFirst ? 'memory' : 'gpu';
}

/** What the decision needs to know. */
export interface MlxApiInputs {
  /** `evaluator.mlxApi` as written in the policy, if it is. */
  declared?: MlxApi;
  /** Where `evaluator.mlxApi` (or, without it, `evaluator`) is written, for messages. */
  policyPlace: { file: string; line?: number; column?: number; path: string };
  /** The mlx-swift pin and the Package.resolved it is in, when one was found. */
  pin?: { pin: PackagePin; file: string };
}

/** The API to generate for, with an error when the policy and the pinned release disagree. */
export function decideMlxApi({ declared, policyPlace, pin }: MlxApiInputs): { mlxApi: MlxApi; diagnostics: Diagnostic[] } {
  const error = (message: string): Diagnostic => ({ severity: 'error', ...policyPlace, message });
  if (!pin) return { mlxApi: declared ?? 'gpu', diagnostics: [] };
  const { version, branch, revision } = pin.pin;
  const pinned = version === undefined ? undefined : mlxApiForVersion(version);
  if (version === undefined || pinned === undefined) {
    const what = version ?? (branch ? `branch ${branch}` : `revision ${revision?.slice(0, 7) ?? 'unknown'}`);
    if (declared) return { mlxApi: declared, diagnostics: [{ severity: 'warning', file: pin.file, line: pin.pin.line, column: pin.pin.column, message: `pins mlx-swift at ${what}, not a release, so memtier cannot tell which memory API it has; keeping mlxApi: ${declared} from ${policyPlace.file}`, id: 'mlx-swift-not-a-release' }] };
    return { mlxApi: 'gpu', diagnostics: [error(`${pin.file} pins mlx-swift at ${what}, not a release, so the memory API cannot be read from it; set mlxApi: gpu (MLX.GPU.set, before ${FIRST_MEMORY_API_RELEASE}) or memory (MLX.Memory, ${FIRST_MEMORY_API_RELEASE} and later)`)] };
  }
  if (declared === undefined || declared === pinned) return { mlxApi: pinned, diagnostics: [] };
  const why = declared === 'gpu'
    ? `where GPU.set and GPU.clearCache are deprecated (since ${FIRST_MEMORY_API_RELEASE}); use memory`
    : `which has no MLX.Memory (it arrived in ${FIRST_MEMORY_API_RELEASE}); use gpu`;
  return { mlxApi: pinned, diagnostics: [error(`mlxApi: ${declared}, but ${pin.file} pins mlx-swift ${version}, ${why} (or remove mlxApi to follow the pinned release)`)] };
}
