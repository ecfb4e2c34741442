/**
 * Where an app's Package.resolved files are, and reading one safely: shared by `generate`/`check`
 * (which settle `evaluator.mlxApi` from it) and `init` (which looks for it through the whole app).
 * Parsing is src/mlx/'s job; this module only finds and reads.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';

/** Package.resolved files are small; anything larger is not one. */
export const MAX_RESOLVED_BYTES = 4 * 1024 * 1024;

/**
 * The Package.resolved files of one folder, in the order memtier reads them: `Package.resolved`
 * (SwiftPM), then each `X.xcodeproj/project.xcworkspace/xcshareddata/swiftpm/Package.resolved` and
 * `X.xcworkspace/xcshareddata/swiftpm/Package.resolved` (Xcode), by name. `entries` saves a second
 * listing when the caller has already read the folder.
 */
export async function packageResolvedFilesIn(folder: string, entries?: readonly string[]): Promise<string[]> {
  const names = entries ?? (await readdir(folder).catch(() => [] as string[]));
  const candidates = ['Package.resolved'];
  for (const entry of [...names].sort()) {
    if (entry.endsWith('.xcodeproj')) candidates.push(join(entry, 'project.xcworkspace', 'xcshareddata', 'swiftpm', 'Package.resolved'));
    if (entry.endsWith('.xcworkspace')) candidates.push(join(entry, 'xcshareddata', 'swiftpm', 'Package.resolved'));
  }
  const found: string[] = [];
  for (const candidate of candidates) {
    const path = join(folder, candidate);
    if ((await stat(path).catch(() => undefined))?.isFile()) found.push(path);
  }
  return found;
}

/**
 * The Package.resolved files `generate` reads when the policy names none: in the folder of
 * `evaluatorSource` and each folder above it up to `policyFolder`, then `policyFolder` itself; the
 * nearest folder that has any wins.
 */
export async function discoverPackageResolved(policyFolder: string, evaluatorSource?: string): Promise<string[]> {
  const folders: string[] = [];
  if (evaluatorSource !== undefined) {
    let folder = dirname(resolve(policyFolder, evaluatorSource));
    while (!relative(policyFolder, folder).startsWith('..') && folder !== policyFolder) {
      folders.push(folder);
      folder = dirname(folder);
    }
  }
  folders.push(policyFolder);
  for (const folder of folders) {
    const found = await packageResolvedFilesIn(folder);
    if (found.length > 0) return found;
  }
  return [];
}

/** The text of a Package.resolved, or what is wrong with the path ("does not exist", "is a folder", ...). */
export async function readPackageResolved(path: string): Promise<string | { problem: string }> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return { problem: 'is a folder; expected a Package.resolved file' };
    if (info.size > MAX_RESOLVED_BYTES) return { problem: `is ${info.size} bytes, too large for a Package.resolved` };
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { problem: code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (error as Error).message})` };
  }
}
