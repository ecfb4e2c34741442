/**
 * The mlx-swift-lm release the memory estimate stands for, settled from the app's pin. Pure.
 *
 * What changes at 3.31.4 is read in the released sources (image-size-warning.ts cites them): up to
 * 3.31.3 the SmolVLM2 processor enlarges every image to the model's longest edge before tiling it;
 * from 3.31.4 it tiles the image at its own size. The measured figures (tools/measure/REPORT.md)
 * stand for 2.29.2 (every release before 3.31.4) and 3.31.4 (it and later); the model's
 * `upscalesImages` picks between them (policy/memory-estimate.ts, `measuredRelease`).
 */
import type { Policy } from '../policy/schema.js';
import { FIRST_UNUPSCALED_RELEASE } from './image-size-warning.js';
import { isAtLeastRelease } from './mlx-api.js';
import type { PackagePin } from './package-resolved.js';

/** The release a pin settles: its version, the file that pins it, and what it does to images. */
export interface PinnedRelease {
  version: string;
  file: string;
  upscalesImages: boolean;
}

/** The release an mlx-swift-lm pin names, when it names a version memtier can order. */
export function pinnedRelease(pin: { pin: PackagePin; file: string } | undefined): PinnedRelease | undefined {
  const version = pin?.pin.version;
  if (!pin || version === undefined) return undefined;
  const unupscaled = isAtLeastRelease(version, FIRST_UNUPSCALED_RELEASE);
  return unupscaled === undefined ? undefined : { version, file: pin.file, upscalesImages: !unupscaled };
}

/** How a settled `upscalesImages` is sourced in `budget` and `explain`. */
export function pinnedSource(release: PinnedRelease): string {
  const what = release.upscalesImages
    ? `before ${FIRST_UNUPSCALED_RELEASE}, the processor enlarges every image to longestEdge before tiling it`
    : `from ${FIRST_UNUPSCALED_RELEASE} on, the processor tiles each image at its own size`;
  return `mlx-swift-lm ${release.version}, as ${release.file} pins it: ${what}`;
}

/**
 * The policy with its model's `upscalesImages` settled from the pinned release, unless the policy
 * sets it (the policy wins) or has no model. The settled model says where the value came from
 * (`pinnedBy`, which the schema does not accept from a policy file).
 */
export function withPinnedRelease(policy: Policy, release: PinnedRelease | undefined): Policy {
  const model = policy.model;
  if (model === undefined || release === undefined || model.upscalesImages !== undefined) return policy;
  const settled: NonNullable<Policy['model']> & { pinnedBy: string } = { ...model, upscalesImages: release.upscalesImages, pinnedBy: pinnedSource(release) };
  return { ...policy, model: settled };
}
