/**
 * Whether a tier's `imageSize` can change what an image costs in memory, given the mlx-swift-lm
 * release the app pins. Pure.
 *
 * Read in the released sources (Libraries/MLXVLM/Models/SmolVLM2.swift, `tiles(from:)`): up to
 * mlx-swift-lm 3.31.3 the SmolVLM2 processor resizes every image so that its longest edge is the
 * model's `size.longest_edge` (2048), upscaling small ones, then cuts tiles of
 * `max_image_size.longest_edge` (512 for SmolVLM2-500M): a 192 px image costs the tiles of a photo.
 * From 3.31.4 (PR #255) small images are no longer upscaled, so any image of at most 512 px is one
 * tile plus the global image.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { isAtLeastRelease } from './mlx-api.js';
import type { PackagePin } from './package-resolved.js';

/** The first mlx-swift-lm release whose SmolVLM2 processor does not upscale small images. */
export const FIRST_UNUPSCALED_RELEASE = '3.31.4';
/** SmolVLM2-500M's tile edge (`max_image_size.longest_edge`). */
export const SMOLVLM_TILE_EDGE = 512;

/** A warning when no tier's imageSize can change an image's memory cost, or nothing. */
export function imageSizeWarning(options: {
  pin: { pin: PackagePin; file: string } | undefined;
  imageSizes: readonly number[];
  place: { file: string; line?: number; column?: number; path: string };
}): Diagnostic | undefined {
  const version = options.pin?.pin.version;
  const unupscaled = version === undefined ? undefined : isAtLeastRelease(version, FIRST_UNUPSCALED_RELEASE);
  if (unupscaled === undefined || options.imageSizes.length === 0) return undefined;
  const before = !unupscaled;
  const warning = (message: string): Diagnostic => ({ severity: 'warning', ...options.place, message, id: 'image-size-saves-no-memory' });
  if (before) {
    return warning(`mlx-swift-lm ${version}, as the app's Package.resolved pins it, enlarges every SmolVLM2 image to 2048 px before tiling it, so no tier's imageSize saves memory (${FIRST_UNUPSCALED_RELEASE} stops that; see docs/mlx-releases.md)`);
  }
  if (options.imageSizes.every((size) => size <= SMOLVLM_TILE_EDGE)) {
    return warning(`with mlx-swift-lm ${version}, SmolVLM2 makes any image of at most ${SMOLVLM_TILE_EDGE} px one tile plus a global image, so these sizes (${[...new Set(options.imageSizes)].join(', ')}) all cost the same memory`);
  }
  return undefined;
}
