/**
 * Builds and runs generated Swift with a real Swift 6 compiler: a SwiftPM package assembled in a
 * temporary folder from the generated files, the stand-in MLX modules and any extra tests.
 *
 * The toolchain comes from scripts/swift-toolchain.sh (Swift on PATH, MEMTIER_SWIFT_BIN, or a
 * provisioned Debian root). MEMTIER_SKIP_SWIFT=1 skips these tests, loudly; nothing else does.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findTopLevelClasses } from '../../src/patch/swift-source.js';
import type { GeneratedFile } from '../../src/render/render-files.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const toolchainScript = join(repo, 'scripts', 'swift-toolchain.sh');
const standIns = fileURLToPath(new URL('./stand-ins/', import.meta.url));

/**
 * The two pinned pairs of MLX releases the stand-ins are transcribed from (test/swift/stand-ins/
 * common/ holds what both agree on, mlx-0.29/ and mlx-0.30/ what differs), and the `mlxApi` that
 * each pair calls for.
 */
export const MLX_ERAS = {
  'mlx-0.29': { mlxSwift: '0.29.1', mlxSwiftLm: '2.29.2', mlxApi: 'gpu' },
  'mlx-0.30': { mlxSwift: '0.30.6', mlxSwiftLm: '2.30.6', mlxApi: 'memory' },
} as const;
export type MlxEra = keyof typeof MLX_ERAS;

/** Stand-in modules, in dependency order. StandInSupport (the call log) is for tests only. */
export const STAND_IN_MODULES = ['ObservationLinkFix', 'StandInSupport', 'CoreImage', 'SwiftUI', 'AsyncAlgorithms', 'MLX', 'MLXNN', 'MLXLMCommon', 'MLXVLM'] as const;

/** True when the user opted out of the Swift tests with MEMTIER_SKIP_SWIFT=1. */
export const swiftSkipped = process.env.MEMTIER_SKIP_SWIFT === '1';
if (swiftSkipped) {
  process.stderr.write('\n*** MEMTIER_SKIP_SWIFT=1: the generated Swift is NOT compiled, linted or tested in this run ***\n\n');
}

/** The outcome of one Swift command. */
export interface SwiftRun {
  status: number;
  /** stdout and stderr together, as the compiler printed them. */
  output: string;
}

let ensured: SwiftRun | undefined;

/** Finds or provisions the toolchain once per process; throws with the script's output if it cannot. */
export function ensureSwift(): void {
  ensured ??= run(['bash', toolchainScript, 'ensure']);
  if (ensured.status !== 0) {
    throw new Error(`no Swift 6 toolchain could be found or provisioned (set MEMTIER_SKIP_SWIFT=1 to skip the Swift tests):\n${ensured.output}`);
  }
}

/** Runs a Swift command (swift, swiftc, swift-format) with `cwd` as its working folder. */
export function swift(cwd: string, args: string[]): SwiftRun {
  ensureSwift();
  return run(['bash', toolchainScript, 'exec', cwd, ...args]);
}

function run([command, ...args]: string[]): SwiftRun {
  const result = spawnSync(command!, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status ?? 1, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

/** A temporary folder, removed by `cleanup()`. */
export function tempFolder(prefix: string) {
  const root = mkdtempSync(join(tmpdir(), `memtier-${prefix}-`));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Writes files below a folder, creating subfolders. */
export function writeFiles(root: string, files: readonly GeneratedFile[]): void {
  for (const file of files) {
    mkdirSync(dirname(join(root, file.path)), { recursive: true });
    writeFileSync(join(root, file.path), file.contents);
  }
}

/** What goes into a harness package. */
export interface PackageOptions {
  /** The app module: the generated sources' target, which generated tests `@testable import`. */
  module: string;
  /** Generated files (and the app's own, such as a patched evaluator) for the module target. */
  sources: readonly GeneratedFile[];
  /** Test files (generated or the harness's own) for the test target. */
  tests: readonly GeneratedFile[];
  /** Which pinned pair of MLX releases the stand-ins follow. */
  era: MlxEra;
  /**
   * App files built as they are in the app's own Xcode target: Swift 5 language mode, minimal
   * concurrency checking, warnings allowed (target `Upstream`). Used for an app's evaluator class
   * as the app has it, before any patch.
   */
  upstream?: readonly GeneratedFile[];
  /**
   * How the app module builds: `strict` (default) is Swift 6 mode, complete checking, warnings as
   * errors; `xcode-swift5` is what VLMEval's Xcode target uses: Swift 5 mode, minimal checking.
   */
  appMode?: 'strict' | 'xcode-swift5';
}

/**
 * Assembles a SwiftPM package in `root`: Swift 6 language mode, warnings as errors in the module and
 * tests. In a package kept between runs (see {@link cachedPackageFolder}) the stand-ins are written
 * only when their text changed, so SwiftPM reuses their build; the code under test (the app module,
 * the tests, Upstream) is written anew every time, so it is compiled, with all its diagnostics, on
 * every run. Files no longer wanted are removed.
 */
export function assemblePackage(root: string, options: PackageOptions): void {
  const standInFiles: GeneratedFile[] = [];
  for (const module of STAND_IN_MODULES) {
    for (const layer of ['common', options.era]) standInFiles.push(...filesUnder(join(standIns, layer, module), join('Sources', module)));
  }
  const under = (folder: string, list: readonly GeneratedFile[]) => list.map((file) => ({ ...file, path: join(folder, file.path) }));
  const underTest = [
    ...under(join('Sources', options.module), options.sources),
    ...under(join('Tests', `${options.module}Tests`), options.tests),
    ...(options.upstream ? under(join('Sources', 'Upstream'), options.upstream) : []),
  ];
  syncFiles(root, [
    ...standInFiles,
    { path: '.swift-format', contents: readFileSync(join(repo, '.swift-format'), 'utf8') },
    { path: 'Package.swift', contents: packageManifest(options.module, options.era, options.upstream !== undefined, options.appMode ?? 'strict') },
  ], ['Sources', 'Tests'], underTest);
}

/**
 * A package folder kept between test runs, by name, in node_modules/.cache/memtier-swift/packages/:
 * its .build stays, so a second run compiles only what changed since the first.
 */
export function cachedPackageFolder(name: string): string {
  return join(repo, 'node_modules', '.cache', 'memtier-swift', 'packages', name);
}

/** The files below `folder` (none if it does not exist), with paths under `prefix`, in a stable order. */
function filesUnder(folder: string, prefix: string): GeneratedFile[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true }).map(String).sort()
    .filter((name) => statSync(join(folder, name)).isFile())
    .map((name) => ({ path: join(prefix, name), contents: readFileSync(join(folder, name), 'utf8') }));
}

/** The stand-in modules' targets in a manifest (which must define `library`, their Swift 5 settings). */
const STAND_IN_TARGETS = `    .target(name: "ObservationLinkFix"),
    .target(name: "StandInSupport", swiftSettings: library),
    .target(name: "CoreImage", swiftSettings: library),
    .target(name: "SwiftUI", swiftSettings: library),
    .target(name: "AsyncAlgorithms", swiftSettings: library),
    .target(name: "MLX", dependencies: ["StandInSupport"], swiftSettings: library),
    .target(name: "MLXNN", dependencies: ["MLX"], swiftSettings: library),
    .target(name: "MLXLMCommon", dependencies: ["MLX", "MLXNN", "CoreImage", "StandInSupport"], swiftSettings: library),
    .target(name: "MLXVLM", dependencies: ["MLX", "MLXNN", "MLXLMCommon", "CoreImage", "StandInSupport"], swiftSettings: library),`;

function packageManifest(module: string, era: MlxEra, upstream: boolean, appMode: 'strict' | 'xcode-swift5'): string {
  // ObservationLinkFix supplies a symbol Debian's libswiftObservation.so lacks (see its shim.c).
  // The stand-ins build as the real packages do: Swift 5 language mode, warnings not errors.
  const app = ['MLX', 'MLXLMCommon', 'MLXVLM', 'CoreImage', 'SwiftUI', 'AsyncAlgorithms'].map((name) => `"${name}"`).join(', ');
  return `// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [.unsafeFlags(["-warnings-as-errors"])]
// Tests that expect era-specific calls ask for MLX_0_30 (mlx-swift 0.30.6 stand-ins).
let testSettings: [SwiftSetting] = strict${era === 'mlx-0.30' ? ' + [.define("MLX_0_30")]' : ''}
let library: [SwiftSetting] = [.swiftLanguageMode(.v5)]
let linuxFix: Target.Dependency = .target(name: "ObservationLinkFix", condition: .when(platforms: [.linux]))

let package = Package(
  name: "MemtierHarness",
  targets: [
${STAND_IN_TARGETS}
    .target(name: "${module}", dependencies: [${app}, linuxFix], swiftSettings: ${appMode === 'strict' ? 'strict' : 'library'}),${upstream ? `
    .target(name: "Upstream", dependencies: [${app}, linuxFix], swiftSettings: library),` : ''}
    .testTarget(
      name: "${module}Tests", dependencies: ["${module}", "StandInSupport", "MLX", "MLXLMCommon", "MLXVLM", "CoreImage"],
      swiftSettings: testSettings),
  ],
  swiftLanguageModes: [.v6]
)
`;
}

/**
 * The stand-in modules of an era, built once and kept between runs in
 * node_modules/.cache/memtier-swift/<era>/: files are rewritten only when their text changed, so
 * SwiftPM's own incremental build rebuilds exactly what changed (an edited stand-in is rebuilt; an
 * unchanged one is not). Within one test process the build runs once per era.
 */
export function standInPackage(era: MlxEra): { root: string; modules: string } {
  const built = standInPackages.get(era);
  if (built) return built;
  const root = join(repo, 'node_modules', '.cache', 'memtier-swift', era);
  const files: GeneratedFile[] = [];
  for (const module of STAND_IN_MODULES) {
    for (const layer of ['common', era]) files.push(...filesUnder(join(standIns, layer, module), join('Sources', module)));
  }
  files.push({ path: 'Package.swift', contents: standInManifest() });
  syncFiles(root, files, ['Sources']);
  const build = swift(root, ['swift', 'build']);
  if (build.status !== 0) throw new Error(`the ${era} stand-ins do not build:\n${build.output}`);
  const bin = swift(root, ['swift', 'build', '--show-bin-path']).output.trim().split('\n').pop()!;
  const modules = existsSync(join(bin, 'Modules')) ? join(bin, 'Modules') : bin;
  const result = { root, modules };
  standInPackages.set(era, result);
  return result;
}

const standInPackages = new Map<MlxEra, { root: string; modules: string }>();

/**
 * Writes `files` below `root`, touching only those whose text differs, and `rewritten` always (so
 * that SwiftPM compiles them again); deletes every other file under the `owned` folders.
 */
function syncFiles(root: string, files: readonly GeneratedFile[], owned: readonly string[], rewritten: readonly GeneratedFile[] = []): void {
  const wanted = new Set([...files, ...rewritten].map((file) => join(root, file.path)));
  for (const folder of owned.map((name) => join(root, name)).filter(existsSync)) {
    for (const name of readdirSync(folder, { recursive: true }).map(String)) {
      const path = join(folder, name);
      if (statSync(path).isFile() && !wanted.has(path)) rmSync(path);
    }
  }
  writeFiles(root, files.filter((file) => {
    const path = join(root, file.path);
    return !existsSync(path) || readFileSync(path, 'utf8') !== file.contents;
  }));
  writeFiles(root, rewritten);
}

function standInManifest(): string {
  return `// swift-tools-version:6.0
import PackageDescription

// The stand-in modules alone, built as the real packages build: Swift 5 language mode.
let library: [SwiftSetting] = [.swiftLanguageMode(.v5)]

let package = Package(
  name: "MemtierStandIns",
  products: [.library(name: "StandIns", targets: ["MLX", "MLXNN", "MLXLMCommon", "MLXVLM", "CoreImage", "SwiftUI", "AsyncAlgorithms", "StandInSupport"])],
  targets: [
${STAND_IN_TARGETS}
  ],
  swiftLanguageModes: [.v6]
)
`;
}

/**
 * Compiles an app module's files against an era's built stand-ins, as the harness package's app
 * target compiles them (whole module, to an object file: the SIL diagnostics of Swift 6, such as
 * region-based isolation, come after type-checking): `strict` is Swift 6 mode, complete checking,
 * warnings as errors; `xcode-swift5` is Swift 5 mode, minimal checking. No linking, no tests.
 * The files go to `<stand-ins>/cases/<name>/Sources/<module>/`, so messages name them by module.
 */
export function compileAppModule(era: MlxEra, options: { name: string; module: string; sources: readonly GeneratedFile[]; appMode: 'strict' | 'xcode-swift5' }): SwiftRun {
  const { root, modules } = standInPackage(era);
  const folder = join(root, 'cases', options.name);
  rmSync(folder, { recursive: true, force: true });
  const sourceFolder = join(folder, 'Sources', options.module);
  writeFiles(sourceFolder, options.sources);
  const mode = options.appMode === 'strict' ? ['-swift-version', '6', '-warnings-as-errors'] : ['-swift-version', '5'];
  return swift(root, [
    'swiftc', '-c', '-wmo', '-parse-as-library', '-module-name', options.module, '-I', modules, ...mode,
    '-o', join(folder, `${options.module}.o`), ...options.sources.map((file) => join(sourceFolder, file.path)),
  ]);
}

/** Type-checks Swift files alone (no package) in Swift 6 mode with complete strict concurrency and warnings as errors. */
export function typecheck(root: string, paths: readonly string[]): SwiftRun {
  return swift(root, ['swiftc', '-typecheck', '-swift-version', '6', '-strict-concurrency=complete', '-warnings-as-errors', ...paths]);
}

/** `swift-format lint --strict` with the repository's configuration over `paths` (relative to root). */
export function lint(root: string, paths: readonly string[]): SwiftRun {
  cpSync(join(repo, '.swift-format'), join(root, '.swift-format'));
  return swift(root, ['swift-format', 'lint', '--strict', '--configuration', '.swift-format', '--recursive', ...paths]);
}

/** Test counts from XCTest's closing line: "Executed 9 tests, with 1 test skipped and 0 failures". */
export function xctestSummary(output: string): { executed: number; skipped: number; failures: number } | undefined {
  const matches = [...output.matchAll(/Executed (\d+) tests?, with (?:(\d+) tests? skipped and )?(\d+) failures?/g)];
  const last = matches[matches.length - 1];
  return last ? { executed: Number(last[1]), skipped: Number(last[2] ?? 0), failures: Number(last[3]) } : undefined;
}

/** The app evaluator written from the design document's "current" code, and memtier patch's result for it. */
export const EVALUATOR_FIXTURE = fileURLToPath(new URL('../fixtures/evaluator/ContentView.swift', import.meta.url));
export const PATCHED_EVALUATOR_FIXTURE = fileURLToPath(new URL('../fixtures/evaluator/ContentView.patched.swift', import.meta.url));

/** The harness's own Swift tests (of the stand-ins and the patched evaluator), from test/swift/tests/. */
export function harnessTests(): GeneratedFile[] {
  const folder = fileURLToPath(new URL('./tests/', import.meta.url));
  return readdirSync(folder).sort().map((name) => ({ path: name, contents: readFileSync(join(folder, name), 'utf8') }));
}

/**
 * The app evaluator each era builds with the generated files: for 0.29, `memtier patch`'s output for
 * the design document's evaluator; for 0.30, that evaluator moved on to mlx-swift-lm 2.30 by hand.
 */
export const ERA_EVALUATORS: Record<MlxEra, string> = {
  'mlx-0.29': PATCHED_EVALUATOR_FIXTURE,
  'mlx-0.30': fileURLToPath(new URL('../fixtures/evaluator/mlx-0.30/ContentView.swift', import.meta.url)),
};

/**
 * Our own app file with the shape of VLMEval's ContentView.swift at mlx-swift-examples 44b14cf
 * (its header names the origin): the view, then the `VLMEvaluator` class with hard-coded limits.
 */
export const VLMEVAL_CASE = fileURLToPath(new URL('../fixtures/shapes/vlmeval-44b14cf/ContentView.swift', import.meta.url));

/**
 * An app file's `VLMEvaluator` class (found as `memtier patch` finds it) and the top-level constants
 * it reads, unchanged, under the imports the class needs. The rest of the file is SwiftUI view code
 * (PhotosUI, AVKit), which has no stand-in on Linux and which no memory decision touches.
 */
export function evaluatorClassSource(file: string = VLMEVAL_CASE, text: string = readFileSync(file, 'utf8')): GeneratedFile {
  const [range, ...more] = findTopLevelClasses(text, 'VLMEvaluator');
  if (!range || more.length > 0) throw new Error(`${file}: expected one top-level class VLMEvaluator, found ${more.length + (range ? 1 : 0)}`);
  const lines = text.slice(0, range.start).split('\n');
  const constants: string[] = [];
  for (let index = 0; index < lines.length; index++) {
    if (!/^let \w+ =/.test(lines[index]!)) continue;
    constants.push(lines[index]!);
    while (lines[index + 1]?.startsWith('    ')) constants.push(lines[++index]!);
  }
  const imports = ['AsyncAlgorithms', 'CoreImage', 'Foundation', 'MLX', 'MLXLMCommon', 'MLXVLM', 'SwiftUI'].map((name) => `import ${name}`);
  const header = `// VLMEvaluator and the constants it reads, from ${file.split('/test/')[1] ?? file}.`;
  return { path: 'VLMEvaluator.swift', contents: [header, '', ...imports, '', ...constants, '', text.slice(range.start, range.end), ''].join('\n') };
}

/** `path:line:col: warning|error: …` lines that the compiler reported for files under `Sources/<module>/` or `Tests/`. */
export function diagnosticsIn(output: string, folders: readonly string[]): string[] {
  return output.split('\n').filter((line) => /:\d+:\d+: (warning|error): /.test(line) && folders.some((folder) => line.includes(`/${folder}/`)));
}
