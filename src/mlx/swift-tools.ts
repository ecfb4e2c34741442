/**
 * Whether the pinned mlx-swift needs a newer Swift than the app's Xcode may have. Pure.
 *
 * Read in the released manifests: mlx-swift's Package.swift declares `swift-tools-version: 5.12` up
 * to 0.31.4 and `swift-tools-version: 6.3` from 0.31.5 (commit e23ae6b, "Allowing SPM to compile
 * on Linux with CUDA (#413)"; 0.31.6 too). mlx-swift-lm 3.31.4 asks for
 * `.upToNextMinor(from: "0.31.4")` (3.31.3 for `from: "0.31.3"`), so resolving an app's packages
 * afresh takes the newest 0.31.x, and with it a manifest that Xcode 26.3 (Swift 6.2.3) cannot read.
 * Nothing is wrong with the policy: a note, at the pin.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { isAtLeastRelease } from './mlx-api.js';
import type { PackagePin } from './package-resolved.js';

/** The first mlx-swift release whose manifest declares swift-tools-version 6.3. */
export const FIRST_SWIFT_6_3_RELEASE = '0.31.5';
/** The last mlx-swift release whose manifest an older Swift reads, and that mlx-swift-lm 3.31.4 accepts. */
export const LAST_BEFORE_SWIFT_6_3 = '0.31.4';

/** A note when the pinned mlx-swift needs Swift tools 6.3, or nothing (no pin, a branch, an older release). */
export function swiftToolsNote(pin: { pin: PackagePin; file: string } | undefined): Diagnostic | undefined {
  const version = pin?.pin.version;
  if (!pin || version === undefined || isAtLeastRelease(version, FIRST_SWIFT_6_3_RELEASE) !== true) return undefined;
  return {
    severity: 'note',
    file: pin.file,
    line: pin.pin.line,
    column: pin.pin.column,
    message: `pins mlx-swift ${version}, which needs Swift tools 6.3 (Xcode 26.4 or later; Xcode 26.3 has Swift 6.2.3); with an older Xcode, pin mlx-swift ${LAST_BEFORE_SWIFT_6_3}`,
    id: 'mlx-swift-needs-swift-6.3',
  };
}
