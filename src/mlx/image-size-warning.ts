/**
 * Whether the tiers' `imageSize`s can change what an image costs in memory, given the mlx-swift-lm
 * release the app pins and the SmolVLM2 model's tiles. Pure.
 *
 * Read in the released sources, Libraries/MLXVLM/Models/SmolVLM2.swift (`tiles(from:)` and
 * `prepare(input:)`), and MediaProcessing.swift's `bestFit`:
 * - up to mlx-swift-lm 3.31.3 (2.29.2, 2.30.6, 3.31.3) the processor scales every image, up or
 *   down, so that its longest side is the model's `size.longest_edge` (2048 px on SmolVLM2-500M),
 *   then rounds each side up to whole tiles of `max_image_size.longest_edge` (512 px on the 256M
 *   and 500M models, 384 px on the 2.2B one): every image costs the tiles of a 2048 px one.
 * - from 3.31.4 (commit 2007b1e, #255) the longest side is capped at the image's own, so nothing is
 *   enlarged; each side is still rounded up to whole tiles. main (August 2026) is the same.
 * In every release a global image is added to the tiles, and the SmolVLM2 processor does not
 * apply `processing.resize` to images (Idefics3's, which SmolVLM v1 uses, does, then resizes every
 * image to 384 x 384), so the app's own downscale, which the generated `applyImageSize` does, is
 * what bounds the tiles.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { isAtLeastRelease } from './mlx-api.js';
import type { PackagePin } from './package-resolved.js';

/** The first mlx-swift-lm release whose SmolVLM2 processor does not upscale small images. */
export const FIRST_UNUPSCALED_RELEASE = '3.31.4';
/** The tile edge of SmolVLM2-256M and -500M (`max_image_size.longest_edge`); the 2.2B model's is 384. */
export const SMOLVLM_TILE_EDGE = 512;
/** SmolVLM2-500M's `size.longest_edge`: the processor's largest image side. */
export const SMOLVLM_LONGEST_EDGE = 2048;

/** The SmolVLM2 model's processor values; the defaults are SmolVLM2-500M's (VLMRegistry.smolvlm). */
export interface SmolVLMTiles {
  /** `max_image_size.longest_edge`: one tile's side, px. */
  tileEdge: number;
  /** `size.longest_edge`: the longest side the processor works at, px. */
  longestEdge: number;
}

/**
 * The tiles per side and the pictures (tiles and the global image) that SmolVLM2's processor, in
 * mlx-swift-lm 3.31.4 and later, makes of a square image of `size` px, the most an image whose
 * longest side is `size` can cost.
 */
export function smolvlmPictures(size: number, { tileEdge, longestEdge }: SmolVLMTiles): { tilesPerSide: number; pictures: number } {
  const tilesPerSide = Math.ceil(Math.min(size, longestEdge) / tileEdge);
  return { tilesPerSide, pictures: tilesPerSide * tilesPerSide + 1 };
}

/** A warning when no tier's imageSize can change an image's memory cost, or nothing. */
export function imageSizeWarning(options: {
  pin: { pin: PackagePin; file: string } | undefined;
  imageSizes: readonly number[];
  place: { file: string; line?: number; column?: number; path: string };
  /** Default: SmolVLM2-500M's (512 px tiles, 2048 px longest edge). */
  model?: SmolVLMTiles;
}): Diagnostic | undefined {
  const model = options.model ?? { tileEdge: SMOLVLM_TILE_EDGE, longestEdge: SMOLVLM_LONGEST_EDGE };
  const version = options.pin?.pin.version;
  const unupscaled = version === undefined ? undefined : isAtLeastRelease(version, FIRST_UNUPSCALED_RELEASE);
  if (unupscaled === undefined || options.imageSizes.length === 0) return undefined;
  const warning = (message: string): Diagnostic => ({ severity: 'warning', ...options.place, message, id: 'image-size-saves-no-memory' });
  if (!unupscaled) {
    return warning(`mlx-swift-lm ${version}, as the app's Package.resolved pins it, enlarges every SmolVLM2 image to ${model.longestEdge} px before tiling it, so no tier's imageSize saves memory (${FIRST_UNUPSCALED_RELEASE} stops that; see docs/mlx-releases.md)`);
  }
  const sizes = [...new Set(options.imageSizes)];
  const tiles = new Set(sizes.map((size) => smolvlmPictures(size, model).tilesPerSide));
  if (sizes.length < 2 || tiles.size > 1) return undefined;
  const [perSide] = tiles;
  return warning(`with mlx-swift-lm ${version}, SmolVLM2 rounds each side up to whole ${model.tileEdge} px tiles, so these sizes (${sizes.join(', ')}) all cost ${perSide}x${perSide} tiles plus a global image: the same memory`);
}
