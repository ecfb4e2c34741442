/**
 * Finds and reads the app's Package.resolved and settles `evaluator.mlxApi` and
 * `evaluator.clearCacheTakesLock` from the mlx-swift it pins, and the release the memory estimate
 * stands for (the model's `upscalesImages`) from the mlx-swift-lm it pins, with what the pins mean
 * for the app's image sizes and its Xcode (a note when mlx-swift needs Swift 6.3): the file-system
 * half of src/mlx/ (which decides, purely).
 */
import { resolve } from 'node:path';
import { discoverPackageResolved, readPackageResolved } from '../app/package-resolved-files.js';
import { resolveModel } from '../devices/models.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { imageSizeWarning } from '../mlx/image-size-warning.js';
import { pinnedRelease, withPinnedRelease, type PinnedRelease } from '../mlx/lm-release.js';
import { decideClearCacheLock } from '../mlx/clear-cache-lock.js';
import { decideMlxApi } from '../mlx/mlx-api.js';
import { findPin, parsePackageResolved, type PackagePin } from '../mlx/package-resolved.js';
import { swiftToolsNote } from '../mlx/swift-tools.js';
import type { Policy } from '../policy/schema.js';
import type { CliIO } from './io.js';
import { displayPathOf, policyFolder, type PolicySource } from './load-policy-file.js';
import { printUnacknowledged } from './acknowledgements.js';

/** What the app's Package.resolved files pin, the files read, and what got in the way. */
interface AppPins {
  files: string[];
  diagnostics: Diagnostic[];
  /** The mlx-swift pins, one per file that has one. */
  pins: { pin: PackagePin; file: string }[];
  /** The first mlx-swift-lm pin found, with the absolute path of its file. */
  lmPin?: { pin: PackagePin; file: string; path: string };
}

/** Reads the Package.resolved the policy names (evaluator.packageResolved), or those found next to the evaluator or the policy. */
async function readAppPins(cwd: string, source: PolicySource): Promise<AppPins> {
  const declaredPath = source.policy.evaluator?.packageResolved;
  const place = (path: readonly string[]) => ({ file: source.displayPath, ...source.locate(path, { key: path.length === 1 }), path: path.join('.') });
  const files = declaredPath !== undefined ? [resolve(policyFolder(source), declaredPath)] : await discoverPackageResolved(policyFolder(source), source.policy.evaluator?.source);
  const diagnostics: Diagnostic[] = [];
  const pins: { pin: PackagePin; file: string }[] = [];
  const lmPins: { pin: PackagePin; file: string; path: string }[] = [];
  for (const path of files) {
    const shown = displayPathOf(cwd, path);
    const read = await readPackageResolved(path);
    if (typeof read !== 'string') {
      // Only a file the policy names can be missing; discovered files exist.
      diagnostics.push({ severity: 'error', ...place(['evaluator', 'packageResolved']), message: `${shown} ${read.problem}` });
      continue;
    }
    const parsed = parsePackageResolved(read, shown);
    diagnostics.push(...parsed.diagnostics);
    const pin = parsed.resolved && findPin(parsed.resolved, 'mlx-swift');
    if (pin) pins.push({ pin, file: shown });
    else if (parsed.resolved && declaredPath !== undefined) {
      diagnostics.push({ severity: 'error', file: shown, line: 1, column: 1, message: 'pins no mlx-swift package; evaluator.packageResolved must name the Package.resolved of the app that uses MLX' });
    }
    // Apps that took MLXLMCommon from mlx-swift-examples (up to mid-2025) pin no mlx-swift-lm.
    const lm = parsed.resolved && findPin(parsed.resolved, 'mlx-swift-lm');
    if (lm) lmPins.push({ pin: lm, file: shown, path });
  }
  const lmPin = lmPins[0];
  // Files that pin different releases of a package: which one the app builds with is unknown.
  const disagreement = (found: readonly { pin: PackagePin; file: string }[], name: string, why: string) => {
    if (new Set(found.map(({ pin }) => pin.version ?? pin.revision ?? pin.branch)).size < 2) return;
    const list = found.map(({ pin, file }) => `${file} pins ${pin.version ?? pin.branch ?? pin.revision}`).join(', ');
    diagnostics.push({ severity: 'error', ...place(['evaluator']), message: `the app's Package.resolved files disagree about ${name} (${list})${why}; set evaluator.packageResolved to the one the app builds with` });
  };
  disagreement(lmPins, 'mlx-swift-lm', ', which decides how images are tiled');
  disagreement(pins, 'mlx-swift', '');
  return { files, diagnostics, pins, ...(lmPin ? { lmPin } : {}) };
}

/**
 * The policy with `evaluator.mlxApi`, `evaluator.clearCacheTakesLock` and the model's
 * `upscalesImages` settled, what was found on the way, the mlx-swift-lm release found, and the
 * Package.resolved files read (absolute paths; the Xcode build phase declares them). A policy with
 * neither an evaluator nor a model reads none. Never throws for bad files.
 */
export async function resolveMlxApi(cwd: string, source: PolicySource): Promise<{ policy: Policy; diagnostics: Diagnostic[]; packageResolved: string[]; release?: PinnedRelease }> {
  const { policy } = source;
  const evaluator = policy.evaluator;
  if (!evaluator && policy.model === undefined) return { policy, diagnostics: [], packageResolved: [] };
  const place = (path: readonly string[]) => ({ file: source.displayPath, ...source.locate(path, { key: path.length === 1 }), path: path.join('.') });
  const { files, diagnostics, pins, lmPin } = await readAppPins(cwd, source);
  // Without an evaluator the pins only refine the estimate: a file that cannot be read does not stop generation.
  if (!evaluator && diagnostics.some((diagnostic) => diagnostic.severity === 'error')) {
    return { policy, diagnostics: diagnostics.map(keepCatalogRelease), packageResolved: files };
  }
  if (diagnostics.some((diagnostic) => diagnostic.severity === 'error')) return { policy, diagnostics, packageResolved: files };
  const release = pinnedRelease(lmPin);
  diagnostics.push(...releaseFindings(source, lmPin, release));
  const withRelease = withPinnedRelease(policy, release);
  const found = release ? { release } : {};
  if (!evaluator) return { policy: withRelease, diagnostics, packageResolved: files, ...found };
  const sizeWarning = imageSizeWarning({
    pin: lmPin,
    imageSizes: policy.tiers.map((tier) => tier.imageSize),
    place: { file: source.displayPath, ...source.locate(['tiers', 0, 'imageSize']), path: 'tiers[0].imageSize' },
    model: smolvlmTiles(policy),
  });
  if (sizeWarning) diagnostics.push(sizeWarning);
  const toolsNote = swiftToolsNote(pins[0]);
  if (toolsNote) diagnostics.push(toolsNote);
  const decided = decideMlxApi({
    declared: evaluator.mlxApi,
    policyPlace: place(evaluator.mlxApi !== undefined ? ['evaluator', 'mlxApi'] : ['evaluator']),
    pin: pins[0],
  });
  const lock = decideClearCacheLock({
    declared: evaluator.clearCacheTakesLock,
    declaredPlace: place(['evaluator', 'clearCacheTakesLock']),
    warningPlace: place(evaluator.mlxApi !== undefined ? ['evaluator', 'mlxApi'] : ['evaluator']),
    pin: pins[0],
  });
  const settled = { ...evaluator, mlxApi: decided.mlxApi, clearCacheTakesLock: lock.clearCacheTakesLock };
  return { policy: { ...withRelease, evaluator: settled }, diagnostics: [...diagnostics, ...decided.diagnostics, ...lock.diagnostics], packageResolved: files, ...found };
}

/** The policy's model's tile edge and longest edge, when its model section resolves (else the warning's default, SmolVLM2-500M). */
function smolvlmTiles(policy: Policy): { tileEdge: number; longestEdge: number } | undefined {
  const resolved = policy.model === undefined ? undefined : resolveModel(policy.model, '');
  return resolved && 'model' in resolved ? { tileEdge: resolved.model.numbers.tileSize, longestEdge: resolved.model.numbers.longestEdge } : undefined;
}

/**
 * For a command that only reads the policy (budget, explain, diff): the policy with its model's
 * `upscalesImages` settled from the mlx-swift-lm the app pins, and that release. A Package.resolved
 * that cannot be read is printed as a warning, and the catalog's value stands.
 */
export async function readPinnedModel(io: CliIO, source: PolicySource): Promise<{ source: PolicySource; release?: PinnedRelease; pinFile?: string }> {
  if (source.policy.model === undefined) return { source };
  const read = await readAppPins(io.cwd, source);
  const problems = read.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  if (problems.length > 0) {
    printUnacknowledged(io, source, problems.map(keepCatalogRelease));
    return { source };
  }
  const release = pinnedRelease(read.lmPin);
  printUnacknowledged(io, source, releaseFindings(source, read.lmPin, release));
  return { source: { ...source, policy: withPinnedRelease(source.policy, release) }, ...(release ? { release } : {}), ...(read.lmPin ? { pinFile: read.lmPin.path } : {}) };
}

/**
 * What the mlx-swift-lm pin says about the model's `upscalesImages`: a warning when the policy
 * sets it against the pinned release, a note when the pin names no release (a branch or a
 * revision) and the estimate keeps the catalog's value.
 */
function releaseFindings(source: PolicySource, lmPin: { pin: PackagePin; file: string } | undefined, release: PinnedRelease | undefined): Diagnostic[] {
  const model = source.policy.model;
  if (model === undefined || lmPin === undefined) return [];
  const declared = model.upscalesImages;
  if (release && declared !== undefined && declared !== release.upscalesImages) {
    const does = release.upscalesImages ? 'enlarges every image to longestEdge before tiling it' : 'tiles each image at its own size';
    return [{
      severity: 'warning',
      file: source.displayPath,
      ...source.locate(['model', 'upscalesImages']),
      path: 'model.upscalesImages',
      message: `upscalesImages: ${declared}, but ${lmPin.file} pins mlx-swift-lm ${release.version}, which ${does}; the estimate follows upscalesImages (remove it to follow the pin)`,
      id: 'upscales-images-against-pin',
    }];
  }
  if (!release && declared === undefined && lmPin.pin.version === undefined) {
    const what = lmPin.pin.branch !== undefined ? `the branch ${lmPin.pin.branch}` : `the revision ${lmPin.pin.revision ?? 'it names'}`;
    return [{
      severity: 'note',
      file: lmPin.file,
      line: lmPin.pin.line,
      column: lmPin.pin.column,
      message: `pins mlx-swift-lm to ${what}, not a release, so memtier cannot tell how it tiles images; the estimate keeps the catalog's (every image enlarged first, as before 3.31.4); set model.upscalesImages to say`,
      id: 'mlx-swift-lm-release-unknown',
    }];
  }
  return [];
}

/** A problem with the pins, as a warning that the estimate keeps the catalog's release. */
function keepCatalogRelease(diagnostic: Diagnostic): Diagnostic {
  if (diagnostic.severity !== 'error') return diagnostic;
  return { ...diagnostic, severity: 'warning', message: `${diagnostic.message}; the memory estimate keeps the catalog's mlx-swift-lm release`, id: 'package-resolved-unreadable' };
}
