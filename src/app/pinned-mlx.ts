/**
 * The mlx-swift (and mlx-swift-lm) an app's Package.resolved files pin, for `init`: the same
 * reading and parsing as `generate`'s (src/mlx/package-resolved.ts), over every file found.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { findPin, parsePackageResolved, type PackagePin } from '../mlx/package-resolved.js';
import { readPackageResolved } from './package-resolved-files.js';

/** A Package.resolved that pins mlx-swift. */
export interface PinnedMlx {
  /** The file, absolute. */
  readonly file: string;
  readonly mlxSwift: PackagePin;
  readonly mlxSwiftLm?: PackagePin;
}

/**
 * The files among `files` that pin mlx-swift, in the order given. A file that cannot be read or
 * parsed is a warning here (`init` goes on without it); `generate` reports it as the error it is.
 */
export async function readPinnedMlx(files: readonly string[], shownAs: (path: string) => string): Promise<{ pinned: PinnedMlx[]; problems: Diagnostic[] }> {
  const pinned: PinnedMlx[] = [];
  const problems: Diagnostic[] = [];
  for (const file of files) {
    const read = await readPackageResolved(file);
    if (typeof read !== 'string') {
      problems.push({ severity: 'warning', file: shownAs(file), message: read.problem });
      continue;
    }
    const parsed = parsePackageResolved(read, shownAs(file));
    problems.push(...parsed.diagnostics.map((diagnostic) => ({ ...diagnostic, severity: 'warning' as const })));
    const mlxSwift = parsed.resolved && findPin(parsed.resolved, 'mlx-swift');
    if (!mlxSwift) continue;
    const mlxSwiftLm = findPin(parsed.resolved!, 'mlx-swift-lm');
    pinned.push(mlxSwiftLm ? { file, mlxSwift, mlxSwiftLm } : { file, mlxSwift });
  }
  return { pinned, problems };
}

/** What a pin says, as memtier compares pins: the release, else the revision, else the branch. */
export function pinnedAt(pin: PackagePin): string | undefined {
  return pin.version ?? pin.revision ?? pin.branch;
}

/** The pin in words: `0.30.3`, `branch main (948000c)`, `revision 948000c`. */
export function describePin(pin: PackagePin): string {
  if (pin.version !== undefined) return pin.version;
  const revision = pin.revision?.slice(0, 7);
  if (pin.branch !== undefined) return revision ? `branch ${pin.branch} (${revision})` : `branch ${pin.branch}`;
  return `revision ${revision ?? 'unknown'}`;
}
