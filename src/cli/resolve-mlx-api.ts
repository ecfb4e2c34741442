/**
 * Finds and reads the app's Package.resolved and settles `evaluator.mlxApi` from the mlx-swift it
 * pins: the file-system half of src/mlx/ (which decides, purely).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { imageSizeWarning } from '../mlx/image-size-warning.js';
import { decideMlxApi } from '../mlx/mlx-api.js';
import { findPin, parsePackageResolved, type PackagePin } from '../mlx/package-resolved.js';
import type { Policy } from '../policy/schema.js';
import { displayPathOf, policyFolder, type PolicySource } from './load-policy-file.js';

/** Package.resolved files are small; anything larger is not one. */
const MAX_RESOLVED_BYTES = 4 * 1024 * 1024;

/** The policy with `evaluator.mlxApi` settled, and what was found on the way. Never throws for bad files. */
export async function resolveMlxApi(cwd: string, source: PolicySource): Promise<{ policy: Policy; diagnostics: Diagnostic[] }> {
  const { policy } = source;
  const evaluator = policy.evaluator;
  if (!evaluator) return { policy, diagnostics: [] };
  const declaredPath = evaluator.packageResolved;
  const place = (path: readonly string[]) => ({ file: source.displayPath, ...source.locate(path, { key: path.length === 1 }), path: path.join('.') });
  const files = declaredPath !== undefined ? [resolve(policyFolder(source), declaredPath)] : await discover(source);
  const diagnostics: Diagnostic[] = [];
  const pins: { pin: PackagePin; file: string }[] = [];
  let lmPin: { pin: PackagePin; file: string } | undefined;
  for (const path of files) {
    const shown = displayPathOf(cwd, path);
    const read = await readResolved(path);
    if (typeof read !== 'string') {
      // Only a file the policy names can be missing; discovered files exist.
      diagnostics.push({ severity: 'error', ...place(['evaluator', 'packageResolved']), message: `${shown} ${read.problem}` });
      continue;
    }
    const parsed = parsePackageResolved(read, shown);
    diagnostics.push(...parsed.diagnostics);
    const pin = parsed.resolved && findPin(parsed.resolved, 'mlx-swift');
    if (pin) pins.push({ pin, file: shown });
    const lm = parsed.resolved && findPin(parsed.resolved, 'mlx-swift-lm');
    if (lm && !lmPin) lmPin = { pin: lm, file: shown };
    else if (parsed.resolved && declaredPath !== undefined) {
      diagnostics.push({ severity: 'error', file: shown, line: 1, column: 1, message: 'pins no mlx-swift package; evaluator.packageResolved must name the Package.resolved of the app that uses MLX' });
    }
  }
  const versions = new Set(pins.map(({ pin }) => pin.version ?? pin.revision ?? pin.branch));
  if (versions.size > 1) {
    const list = pins.map(({ pin, file }) => `${file} pins ${pin.version ?? pin.branch ?? pin.revision}`).join(', ');
    diagnostics.push({ severity: 'error', ...place(['evaluator']), message: `the app's Package.resolved files disagree about mlx-swift (${list}); set evaluator.packageResolved to the one the app builds with` });
  }
  if (diagnostics.some((diagnostic) => diagnostic.severity === 'error')) return { policy, diagnostics };
  const sizeWarning = imageSizeWarning({
    pin: lmPin,
    imageSizes: policy.tiers.map((tier) => tier.imageSize),
    place: { file: source.displayPath, ...source.locate(['tiers', 0, 'imageSize']), path: 'tiers[0].imageSize' },
  });
  if (sizeWarning) diagnostics.push(sizeWarning);
  const decided = decideMlxApi({
    declared: evaluator.mlxApi,
    policyPlace: place(evaluator.mlxApi !== undefined ? ['evaluator', 'mlxApi'] : ['evaluator']),
    pin: pins[0],
  });
  return { policy: { ...policy, evaluator: { ...evaluator, mlxApi: decided.mlxApi } }, diagnostics: [...diagnostics, ...decided.diagnostics] };
}

/**
 * Package.resolved files near the app: in the folder of evaluator.source and each folder above it
 * up to the policy's, then the policy's own folder; the nearest folder that has any wins. In a
 * folder: `Package.resolved` (SwiftPM), `X.xcodeproj/project.xcworkspace/xcshareddata/swiftpm/Package.resolved`
 * and `X.xcworkspace/xcshareddata/swiftpm/Package.resolved` (Xcode).
 */
async function discover(source: PolicySource): Promise<string[]> {
  const top = policyFolder(source);
  const folders: string[] = [];
  const evaluatorSource = source.policy.evaluator?.source;
  if (evaluatorSource !== undefined) {
    let folder = dirname(resolve(top, evaluatorSource));
    while (!relative(top, folder).startsWith('..') && folder !== top) {
      folders.push(folder);
      folder = dirname(folder);
    }
  }
  folders.push(top);
  for (const folder of folders) {
    const found = await resolvedFilesIn(folder);
    if (found.length > 0) return found;
  }
  return [];
}

async function resolvedFilesIn(folder: string): Promise<string[]> {
  const entries = await readdir(folder).catch(() => [] as string[]);
  const candidates = ['Package.resolved'];
  for (const entry of [...entries].sort()) {
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

async function readResolved(path: string): Promise<string | { problem: string }> {
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
