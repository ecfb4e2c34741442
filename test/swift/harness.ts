/**
 * Builds and runs generated Swift with a real Swift compiler: a SwiftPM package assembled in a
 * temporary folder from the generated files, the stand-in MLX modules and any extra tests.
 *
 * Two toolchains: Swift 6.0 (Xcode 16) and Swift 6.2 (Xcode 26), both from
 * scripts/swift-toolchain.sh (Swift on PATH, MEMTIER_SWIFT_BIN / MEMTIER_SWIFT62_BIN, or a
 * provisioned Debian root); each build names the one it uses. MEMTIER_SKIP_SWIFT=1 skips these
 * tests, loudly; nothing else does.
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

/** A Swift toolchain the harness can build with: 6.0 (Xcode 16's) or 6.2 (Xcode 26's). */
export type SwiftToolchain = '6.0' | '6.2';

/**
 * How an app module is compiled besides Swift 6 mode, complete checking and warnings as errors:
 * `default` is the compiler's default (nonisolated); `main-actor` is what Xcode 26 gives a new app
 * target: `-default-isolation MainActor` and the approachable-concurrency features that Swift 6
 * mode does not already have (`NonisolatedNonsendingByDefault`, `InferIsolatedConformances`).
 * Swift 6.2 only.
 */
export type Isolation = 'default' | 'main-actor';

/** The compiler flags of an isolation. */
export function isolationFlags(isolation: Isolation): string[] {
  return isolation === 'main-actor'
    ? ['-default-isolation', 'MainActor', '-enable-upcoming-feature', 'NonisolatedNonsendingByDefault', '-enable-upcoming-feature', 'InferIsolatedConformances']
    : [];
}

/**
 * The three pinned pairs of MLX releases the stand-ins are transcribed from, the `mlxApi` and the
 * `clearCacheTakesLock` that each pair calls for, and how the stand-ins are assembled: `layers`
 * are folders of test/swift/stand-ins/, each module's files taken from every layer in order
 * (`common/` holds what all three agree on, `lm-2.x/` what mlx-swift-lm 2.29.2 and 2.30.6 agree on
 * and 3.31.4 changed, `mlx-0.30+/` mlx-swift 0.30.6's and 0.31.4's memory API, the era folders the
 * rest). `swift` is the oldest toolchain the pair builds with here: mlx-swift-lm 3.31.4 declares
 * swift-tools-version 6.1, and the harness has 6.0 and 6.2. `modules` are the era's stand-in
 * modules beyond the 2.x ones; `plugins`, compiler plugins built from the era's plugins/ folder.
 */
export const MLX_ERAS = {
  'mlx-0.29': { mlxSwift: '0.29.1', mlxSwiftLm: '2.29.2', mlxApi: 'gpu', clearCacheTakesLock: false, layers: ['common', 'lm-2.x', 'mlx-0.29'], swift: '6.0', modules: [], plugins: [] },
  'mlx-0.30': { mlxSwift: '0.30.6', mlxSwiftLm: '2.30.6', mlxApi: 'memory', clearCacheTakesLock: true, layers: ['common', 'lm-2.x', 'mlx-0.30+', 'mlx-0.30'], swift: '6.0', modules: [], plugins: [] },
  'mlx-0.31': {
    mlxSwift: '0.31.4', mlxSwiftLm: '3.31.4', mlxApi: 'memory', clearCacheTakesLock: true, layers: ['common', 'mlx-0.30+', 'mlx-0.31'], swift: '6.2',
    modules: ['Metal', 'Hub', 'HuggingFace', 'Tokenizers', 'MLXLLM', 'MLXHuggingFace'], plugins: ['MLXHuggingFaceMacros'],
  },
} as const satisfies Record<string, { mlxSwift: string; mlxSwiftLm: string; mlxApi: 'gpu' | 'memory'; clearCacheTakesLock: boolean; layers: readonly string[]; swift: SwiftToolchain; modules: readonly string[]; plugins: readonly string[] }>;
export type MlxEra = keyof typeof MLX_ERAS;

/**
 * A variant of an era's stand-ins: `lm-main` is the mlx-0.31 era with mlx-swift-lm's main branch
 * (after 3.31.4) where it differs in what generated code and app evaluators use, `Generation`'s
 * fourth case. Its files, in test/swift/stand-ins/lm-main/, replace the era's files of the same path.
 */
export type StandInVariant = 'lm-main';

/** The era each variant is a variant of. */
const VARIANT_ERAS: Record<StandInVariant, MlxEra> = { 'lm-main': 'mlx-0.31' };

/** The stand-in modules every era has, in dependency order. StandInSupport (the call log) is for tests only. */
export const STAND_IN_MODULES = ['ObservationLinkFix', 'StandInSupport', 'CoreImage', 'SwiftUI', 'AsyncAlgorithms', 'MLX', 'MLXNN', 'MLXLMCommon', 'MLXVLM'] as const;

/** An era's stand-in modules, in dependency order. */
function eraModules(era: MlxEra): string[] {
  return [...STAND_IN_MODULES, ...MLX_ERAS[era].modules];
}

/** The modules an app target of `era` depends on (what app files import). */
function appDependencies(era: MlxEra): string[] {
  return ['MLX', 'MLXLMCommon', 'MLXVLM', 'CoreImage', 'SwiftUI', 'AsyncAlgorithms', ...MLX_ERAS[era].modules];
}

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

const ensured = new Map<SwiftToolchain, SwiftRun>();

/** Finds or provisions a toolchain once per process; throws with the script's output if it cannot. */
export function ensureSwift(toolchain: SwiftToolchain = '6.0'): void {
  let result = ensured.get(toolchain);
  if (!result) {
    result = run(['bash', toolchainScript, 'ensure'], toolchain);
    ensured.set(toolchain, result);
  }
  if (result.status !== 0) {
    throw new Error(`no Swift ${toolchain} toolchain could be found or provisioned (set MEMTIER_SKIP_SWIFT=1 to skip the Swift tests):\n${result.output}`);
  }
}

/** Runs a Swift command (swift, swiftc, swift-format, clang) with `cwd` as its working folder. */
export function swift(cwd: string, args: string[], toolchain: SwiftToolchain = '6.0'): SwiftRun {
  ensureSwift(toolchain);
  return run(['bash', toolchainScript, 'exec', cwd, ...args], toolchain);
}

function run([command, ...args]: string[], toolchain: SwiftToolchain): SwiftRun {
  const env = { ...process.env, MEMTIER_SWIFT: toolchain };
  const result = spawnSync(command!, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env });
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
  /** The toolchain that builds the package (default: the era's, see MLX_ERAS). */
  toolchain?: SwiftToolchain;
  /**
   * The app module's isolation (default `default`). With `main-actor` the test target gets the
   * approachable-concurrency features but keeps the default isolation: swift-corelibs-xctest's
   * `XCTestCase` has a `required init(name:testClosure:)` that a main-actor subclass cannot
   * inherit, so on Linux no test class compiles with main-actor default isolation.
   */
  isolation?: Isolation;
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

/** The toolchain a build of `era` uses when it names none. */
export function toolchainOf(era: MlxEra, toolchain?: SwiftToolchain): SwiftToolchain {
  return toolchain ?? MLX_ERAS[era].swift;
}

/**
 * Assembles a SwiftPM package in `root`: Swift 6 language mode, warnings as errors in the module and
 * tests. In a package kept between runs (see {@link cachedPackageFolder}) the stand-ins are written
 * only when their text changed, so SwiftPM reuses their build; the code under test (the app module,
 * the tests, Upstream) is written anew every time, so it is compiled, with all its diagnostics, on
 * every run. Files no longer wanted are removed. An era with compiler plugins gets them built into
 * `<root>/Plugins/` first; with Swift 6.2, the test target links the stand-in described in
 * {@link testingLinkFix}. Returns the toolchain to build it with.
 */
export function assemblePackage(root: string, options: PackageOptions): SwiftToolchain {
  const toolchain = toolchainOf(options.era, options.toolchain);
  const under = (folder: string, list: readonly GeneratedFile[]) => list.map((file) => ({ ...file, path: join(folder, file.path) }));
  const underTest = [
    ...under(join('Sources', options.module), options.sources),
    ...under(join('Tests', `${options.module}Tests`), options.tests),
    ...(options.upstream ? under(join('Sources', 'Upstream'), options.upstream) : []),
  ];
  syncFiles(root, [
    ...standInSources(options.era),
    ...pluginSources(options.era),
    ...(toolchain === '6.2' ? [TESTING_LINK_FIX] : []),
    { path: '.swift-format', contents: readFileSync(join(repo, '.swift-format'), 'utf8') },
    { path: 'Package.swift', contents: packageManifest({ ...options, toolchain, root }) },
  ], ['Sources', 'Tests', 'PluginSources', 'LinkFix'], underTest);
  buildPlugins(root, options.era, toolchain);
  buildTestingLinkFix(root, toolchain);
  return toolchain;
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

/**
 * The modules mlx-swift-lm 3.x apps import beyond the 2.x ones: MLXLLM and MLXHuggingFace from
 * mlx-swift-lm, HuggingFace (swift-huggingface) and Hub and Tokenizers (swift-transformers), which
 * 3.x apps add themselves, and the SDK's Metal. MLXHuggingFace's macros expand with the plugin
 * (`plugin` is the manifest's flags that load it).
 */
function eraTargets(era: MlxEra): string {
  if (MLX_ERAS[era].modules.length === 0) return STAND_IN_TARGETS;
  return `${STAND_IN_TARGETS}
    .target(name: "Metal", swiftSettings: library),
    .target(name: "Hub", swiftSettings: library),
    .target(name: "HuggingFace", swiftSettings: library),
    .target(name: "Tokenizers", dependencies: ["Hub"], swiftSettings: library),
    .target(name: "MLXLLM", dependencies: ["MLX", "MLXNN", "MLXLMCommon"], swiftSettings: library),
    .target(name: "MLXHuggingFace", dependencies: ["MLXLMCommon"], swiftSettings: library + plugin),`;
}

/** The manifest's `plugin` settings: the flags that load an era's compiler plugins, or none. */
function pluginSettings(era: MlxEra, root: string): string {
  const flags = MLX_ERAS[era].plugins.flatMap((name) => ['-load-plugin-library', join(root, 'Plugins', `lib${name}.so`)]);
  return `let plugin: [SwiftSetting] = [${flags.length > 0 ? `.unsafeFlags(${JSON.stringify(flags)})` : ''}]`;
}

function packageManifest(options: PackageOptions & { toolchain: SwiftToolchain; root: string }): string {
  const { module, era, toolchain, root } = options;
  const isolation = options.isolation ?? 'default';
  if (isolation === 'main-actor' && toolchain !== '6.2') throw new Error('main-actor default isolation needs Swift 6.2');
  const app = appDependencies(era).map((name) => `"${name}"`).join(', ');
  // Defines for the harness's own tests: MLX_0_30 when the stand-ins have mlx-swift 0.30's memory
  // API and a locked clearCache (0.30.6 and 0.31.4), MLX_0_31 for mlx-swift-lm 3.x's loading.
  const defines = [...(MLX_ERAS[era].mlxApi === 'memory' ? ['MLX_0_30'] : []), ...(era === 'mlx-0.31' ? ['MLX_0_31'] : [])];
  const features = isolation === 'main-actor' ? '.enableUpcomingFeature("NonisolatedNonsendingByDefault"), .enableUpcomingFeature("InferIsolatedConformances")' : '';
  const appIsolation = isolation === 'main-actor' ? ` + [.unsafeFlags(["-default-isolation", "MainActor"]), ${features}]` : '';
  const testIsolation = isolation === 'main-actor' ? ` + [${features}]` : '';
  const linkFix = toolchain === '6.2' ? `, linkerSettings: [.unsafeFlags(["-L${join(root, 'LinkFix')}", "-Xlinker", "-rpath", "-Xlinker", "${join(root, 'LinkFix')}"])]` : '';
  return `// swift-tools-version:6.0
import PackageDescription

// Built with Swift ${toolchain}${isolation === 'main-actor' ? ', the app module with main-actor default isolation' : ''}.
let strict: [SwiftSetting] = [.unsafeFlags(["-warnings-as-errors"])]
let testSettings: [SwiftSetting] = strict${testIsolation} + [${defines.map((name) => `.define("${name}")`).join(', ')}]
let library: [SwiftSetting] = [.swiftLanguageMode(.v5)]
${pluginSettings(era, root)}
let linuxFix: Target.Dependency = .target(name: "ObservationLinkFix", condition: .when(platforms: [.linux]))

let package = Package(
  name: "MemtierHarness",
  targets: [
${eraTargets(era)}
    .target(name: "${module}", dependencies: [${app}, linuxFix], swiftSettings: ${(options.appMode ?? 'strict') === 'strict' ? `strict${appIsolation}` : 'library'} + plugin),${options.upstream ? `
    .target(name: "Upstream", dependencies: [${app}, linuxFix], swiftSettings: library + plugin),` : ''}
    .testTarget(
      name: "${module}Tests", dependencies: ["${module}", "StandInSupport", ${app}],
      swiftSettings: testSettings + plugin${linkFix}),
  ],
  swiftLanguageModes: [.v6]
)
`;
}

/** An era's compiler plugins' sources, under `PluginSources/`. */
function pluginSources(era: MlxEra): GeneratedFile[] {
  return MLX_ERAS[era].plugins.map((name) => ({
    path: join('PluginSources', `${name}.swift`),
    contents: readFileSync(join(standIns, era, 'plugins', `${name}.swift`), 'utf8'),
  }));
}

/**
 * Builds an era's compiler plugins into `<root>/Plugins/lib<name>.so` when their source is newer:
 * a library plugin, against the swift-syntax the toolchain's compiler itself uses
 * (`<resource folder>/host`), which the compiler loads with `-load-plugin-library`. SwiftPM's own
 * macro targets would need the swift-syntax package from the network.
 */
function buildPlugins(root: string, era: MlxEra, toolchain: SwiftToolchain): void {
  for (const name of MLX_ERAS[era].plugins) {
    const source = join(root, 'PluginSources', `${name}.swift`);
    const library = join(root, 'Plugins', `lib${name}.so`);
    if (existsSync(library) && statSync(library).mtimeMs >= statSync(source).mtimeMs) continue;
    mkdirSync(join(root, 'Plugins'), { recursive: true });
    const info = swift(root, ['swiftc', '-print-target-info'], toolchain);
    const resources = /"runtimeResourcePath"\s*:\s*"([^"]+)"/.exec(info.output)?.[1];
    if (!resources) throw new Error(`swiftc -print-target-info named no resource folder:\n${info.output}`);
    const host = join(resources, 'host');
    const built = swift(root, [
      'swiftc', '-emit-library', '-module-name', name, '-I', host, '-L', host,
      '-lSwiftSyntax', '-lSwiftSyntaxMacros', '-lSwiftSyntaxBuilder', '-Xlinker', '-rpath', '-Xlinker', host,
      source, '-o', library,
    ], toolchain);
    if (built.status !== 0) throw new Error(`the ${name} plugin does not build:\n${built.output}`);
  }
}

/**
 * Debian's swiftlang 6.2.3 ships the `_Testing_Foundation` cross-import overlay of swift-testing
 * without its library, and SwiftPM 6.2's test runner imports Testing with Foundation, so every test
 * product fails to link (`cannot find -l_Testing_Foundation`). No test here uses swift-testing: an
 * empty library of that name, built in the package's LinkFix/ folder, satisfies the linker (as
 * ObservationLinkFix does for Swift 6.0's Observation).
 */
const TESTING_LINK_FIX: GeneratedFile = {
  path: join('LinkFix', 'empty.c'),
  contents: '// Empty: the library Debian swiftlang 6.2.3 leaves out of swift-testing\'s _Testing_Foundation overlay.\n',
};

function buildTestingLinkFix(root: string, toolchain: SwiftToolchain): void {
  if (toolchain !== '6.2') return;
  const library = join(root, 'LinkFix', 'lib_Testing_Foundation.so');
  if (existsSync(library)) return;
  const built = swift(root, ['clang', '-shared', '-fPIC', '-o', library, join(root, TESTING_LINK_FIX.path)], toolchain);
  if (built.status !== 0) throw new Error(`the _Testing_Foundation link fix does not build:\n${built.output}`);
}

/** The folder an era's stand-ins are built in, per toolchain (Swift 6.0 keeps the older name). */
function standInFolder(era: MlxEra, toolchain: SwiftToolchain, variant?: StandInVariant): string {
  const name = `${toolchain === '6.0' ? era : `${era}-swift${toolchain}`}${variant ? `-${variant}` : ''}`;
  return join(repo, 'node_modules', '.cache', 'memtier-swift', name);
}

/**
 * The stand-in modules of an era, built once and kept between runs in
 * node_modules/.cache/memtier-swift/<era>/ (<era>-swift6.2/ for Swift 6.2): files are rewritten
 * only when their text changed, so SwiftPM's own incremental build rebuilds exactly what changed
 * (an edited stand-in is rebuilt; an unchanged one is not). Within one test process the build
 * runs once per era and toolchain. A variant (see {@link StandInVariant}) is built in a folder of
 * its own, `<era>-swift6.2-<variant>/`.
 */
export function standInPackage(era: MlxEra, toolchain: SwiftToolchain = toolchainOf(era), variant?: StandInVariant): { root: string; modules: string; plugins: string[] } {
  const key = `${era}@${toolchain}${variant ? `+${variant}` : ''}`;
  const built = standInPackages.get(key);
  if (built) return built;
  if (variant && VARIANT_ERAS[variant] !== era) throw new Error(`the ${variant} stand-ins are a variant of ${VARIANT_ERAS[variant]}, not ${era}`);
  const root = standInFolder(era, toolchain, variant);
  syncFiles(root, [
    ...standInSources(era, variant),
    ...pluginSources(era),
    { path: 'Package.swift', contents: standInManifest(era, root) },
  ], ['Sources', 'PluginSources']);
  buildPlugins(root, era, toolchain);
  const build = swift(root, ['swift', 'build'], toolchain);
  if (build.status !== 0) throw new Error(`the ${era}${variant ? ` (${variant})` : ''} stand-ins do not build with Swift ${toolchain}:\n${build.output}`);
  const bin = swift(root, ['swift', 'build', '--show-bin-path'], toolchain).output.trim().split('\n').pop()!;
  const modules = existsSync(join(bin, 'Modules')) ? join(bin, 'Modules') : bin;
  const plugins = MLX_ERAS[era].plugins.flatMap((name) => ['-load-plugin-library', join(root, 'Plugins', `lib${name}.so`)]);
  const result = { root, modules, plugins };
  standInPackages.set(key, result);
  return result;
}

const standInPackages = new Map<string, { root: string; modules: string; plugins: string[] }>();

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

function standInManifest(era: MlxEra, root: string): string {
  const products = eraModules(era).filter((name) => name !== 'ObservationLinkFix').map((name) => `"${name}"`).join(', ');
  return `// swift-tools-version:6.0
import PackageDescription

// The stand-in modules alone, built as the real packages build: Swift 5 language mode.
let library: [SwiftSetting] = [.swiftLanguageMode(.v5)]
${pluginSettings(era, root)}

let package = Package(
  name: "MemtierStandIns",
  products: [.library(name: "StandIns", targets: [${products}])],
  targets: [
${eraTargets(era)}
  ],
  swiftLanguageModes: [.v6]
)
`;
}

/** The language modes {@link compileAppModule} compiles an app module in (see {@link AppModuleOptions}). */
export type AppMode = 'strict' | 'xcode-swift5' | 'xcode-swift5-complete';

const SWIFT5_MODES: Record<Exclude<AppMode, 'strict'>, string[]> = {
  'xcode-swift5': ['-swift-version', '5'],
  'xcode-swift5-complete': ['-swift-version', '5', '-strict-concurrency=complete'],
};

/** How {@link compileAppModule} compiles. */
export interface AppModuleOptions {
  /** The folder name under the stand-ins' `cases/`. */
  name: string;
  module: string;
  sources: readonly GeneratedFile[];
  /**
   * `strict`: Swift 6 mode, complete checking, warnings as errors; `xcode-swift5`: Swift 5 mode,
   * minimal checking (an Xcode target with no SWIFT_STRICT_CONCURRENCY); `xcode-swift5-complete`:
   * Swift 5 mode, complete checking (SWIFT_STRICT_CONCURRENCY = complete).
   */
  appMode: AppMode;
  /** In the two Swift 5 modes, also `-warnings-as-errors` (`strict` always has it). Default false. */
  warningsAsErrors?: boolean;
  /** Compile against a variant of the era's stand-ins (see {@link StandInVariant}). */
  variant?: StandInVariant;
  /** Default: the era's (see MLX_ERAS). */
  toolchain?: SwiftToolchain;
  /** Default: `default`. */
  isolation?: Isolation;
  /**
   * Upcoming features the app target turns on besides its isolation's (Xcode's
   * SWIFT_UPCOMING_FEATURE_* settings), such as `MemberImportVisibility`.
   */
  upcomingFeatures?: readonly string[];
  /**
   * Also type-check these test files against the module (emitted with `-enable-testing`, so that
   * `@testable import` works), in Swift 6 mode with warnings as errors, with the default isolation
   * and, when the module has main-actor isolation, the approachable-concurrency features.
   */
  tests?: readonly GeneratedFile[];
}

/**
 * Compiles an app module's files against an era's built stand-ins, as the harness package's app
 * target compiles them (whole module, to an object file: the SIL diagnostics of Swift 6, such as
 * region-based isolation, come after type-checking). No linking, no test run. The files go to
 * `<stand-ins>/cases/<name>/Sources/<module>/`, so messages name them by module; the tests to
 * `.../Tests/`. The result holds both compilers' output; its status is the first failure's.
 */
export function compileAppModule(era: MlxEra, options: AppModuleOptions): SwiftRun {
  const toolchain = toolchainOf(era, options.toolchain);
  const isolation = options.isolation ?? 'default';
  const { root, modules, plugins } = standInPackage(era, toolchain, options.variant);
  const folder = join(root, 'cases', options.name);
  rmSync(folder, { recursive: true, force: true });
  const sourceFolder = join(folder, 'Sources', options.module);
  writeFiles(sourceFolder, options.sources);
  const strict = ['-swift-version', '6', '-warnings-as-errors'];
  const upcoming = (options.upcomingFeatures ?? []).flatMap((name) => ['-enable-upcoming-feature', name]);
  const mode = options.appMode === 'strict'
    ? [...strict, ...isolationFlags(isolation), ...upcoming]
    : [...SWIFT5_MODES[options.appMode], ...isolationFlags(isolation), ...upcoming, ...(options.warningsAsErrors ? ['-warnings-as-errors'] : [])];
  const emit = options.tests ? ['-enable-testing', '-emit-module', '-emit-module-path', join(folder, `${options.module}.swiftmodule`)] : [];
  const compiled = swift(root, [
    'swiftc', '-c', '-wmo', '-parse-as-library', '-module-name', options.module, '-I', modules, ...plugins, ...mode, ...emit,
    '-o', join(folder, `${options.module}.o`), ...options.sources.map((file) => join(sourceFolder, file.path)),
  ], toolchain);
  if (!options.tests || compiled.status !== 0) return compiled;
  const testFolder = join(folder, 'Tests');
  writeFiles(testFolder, options.tests);
  const features = isolation === 'main-actor' ? isolationFlags(isolation).slice(2) : [];
  const tested = swift(root, [
    'swiftc', '-typecheck', '-I', modules, '-I', folder, ...plugins, ...strict, ...features,
    ...options.tests.map((file) => join(testFolder, file.path)),
  ], toolchain);
  return { status: tested.status, output: `${compiled.output}${tested.output}` };
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
 * The app evaluator each 2.x era builds with the generated files: for 0.29, `memtier patch`'s
 * output for the design document's evaluator; for 0.30, that evaluator moved on to mlx-swift-lm 2.30
 * by hand. For 0.31 see {@link eraEvaluatorSource}.
 */
export const ERA_EVALUATORS = {
  'mlx-0.29': PATCHED_EVALUATOR_FIXTURE,
  'mlx-0.30': fileURLToPath(new URL('../fixtures/evaluator/mlx-0.30/ContentView.swift', import.meta.url)),
} as const satisfies Partial<Record<MlxEra, string>>;

/**
 * The app evaluator `era` builds with the generated files. For 0.31 it is the 0.30 one with its
 * load moved to mlx-swift-lm 3.x as upstream's own migration moved its evaluators (mlx-swift-examples
 * 357c97f changed only their imports and load calls): `loadContainer(from: #hubDownloader(), using:
 * #huggingFaceTokenizerLoader(), configuration:)`, importing HuggingFace, MLXHuggingFace and
 * Tokenizers. Derived, not copied, so that it follows every change to the 0.30 evaluator.
 */
export function eraEvaluatorSource(era: MlxEra): string {
  if (era !== 'mlx-0.31') return readFileSync(ERA_EVALUATORS[era], 'utf8');
  return withMlxSwiftLm3Loading(readFileSync(ERA_EVALUATORS['mlx-0.30'], 'utf8'));
}

/** An mlx-swift-lm 2.x app file with its `VLMModelFactory` loads and imports moved to 3.x. */
export function withMlxSwiftLm3Loading(text: string): string {
  const load = /(VLMModelFactory\.shared\.loadContainer\()(\s*)(configuration:)/g;
  if (!load.test(text)) throw new Error('expected a VLMModelFactory.shared.loadContainer(configuration:) call to move to mlx-swift-lm 3.x');
  const moved = text.replace(load, '$1$2from: #hubDownloader(), using: #huggingFaceTokenizerLoader(),$2$3');
  const lines = moved.split('\n');
  const first = lines.findIndex((line) => line.startsWith('import '));
  let end = first;
  while (lines[end]?.startsWith('import ')) end++;
  const imports = [...new Set([...lines.slice(first, end), 'import HuggingFace', 'import MLXHuggingFace', 'import Tokenizers'])].sort();
  return [...lines.slice(0, first), ...imports, ...lines.slice(end)].join('\n');
}

/**
 * Our own app file with the shape of VLMEval's ContentView.swift at mlx-swift-examples 44b14cf
 * (its header names the origin): the view, then the `VLMEvaluator` class with hard-coded limits.
 */
export const VLMEVAL_CASE = fileURLToPath(new URL('../fixtures/shapes/vlmeval-44b14cf/ContentView.swift', import.meta.url));

/**
 * An app file's evaluator class (`VLMEvaluator` unless named; found as `memtier patch` finds it)
 * and the top-level constants it reads, unchanged, under the imports the class needs. The rest of
 * the file is SwiftUI view code (PhotosUI, AVKit), which has no stand-in on Linux and which no
 * memory decision touches.
 */
export function evaluatorClassSource(file: string = VLMEVAL_CASE, text: string = readFileSync(file, 'utf8'), className = 'VLMEvaluator'): GeneratedFile {
  const [range, ...more] = findTopLevelClasses(text, className);
  if (!range || more.length > 0) throw new Error(`${file}: expected one top-level class ${className}, found ${more.length + (range ? 1 : 0)}`);
  const lines = text.slice(0, range.start).split('\n');
  const constants: string[] = [];
  for (let index = 0; index < lines.length; index++) {
    if (!/^let \w+ =/.test(lines[index]!)) continue;
    constants.push(lines[index]!);
    while (lines[index + 1]?.startsWith('    ')) constants.push(lines[++index]!);
  }
  const imports = ['AsyncAlgorithms', 'CoreImage', 'Foundation', 'MLX', 'MLXLMCommon', 'MLXVLM', 'SwiftUI'].map((name) => `import ${name}`);
  const header = `// ${className} and the constants it reads, from ${file.split('/test/')[1] ?? file}.`;
  return { path: `${className}.swift`, contents: [header, '', ...imports, '', ...constants, '', text.slice(range.start, range.end), ''].join('\n') };
}

/** `path:line:col: warning|error: …` lines that the compiler reported for files under `Sources/<module>/` or `Tests/`. */
export function diagnosticsIn(output: string, folders: readonly string[]): string[] {
  return output.split('\n').filter((line) => /:\d+:\d+: (warning|error): /.test(line) && folders.some((folder) => line.includes(`/${folder}/`)));
}

// For packages assembled outside this file (the simulated iPhone, test/swift/sim/package.ts).

/** The repository's root folder. */
export const REPOSITORY = repo;

/** The stand-in modules' files for `era` (each module from every layer of the era, in order), under `Sources/<module>/`. */
export function standInSources(era: MlxEra, variant?: StandInVariant): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  for (const module of eraModules(era)) {
    for (const layer of MLX_ERAS[era].layers) files.push(...filesUnder(join(standIns, layer, module), join('Sources', module)));
  }
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.path)) throw new Error(`two layers of the ${era} stand-ins have ${file.path}: rename one`);
    seen.add(file.path);
  }
  if (!variant) return files;
  // A variant's files replace the era's files of the same path, and only those.
  const replacements = eraModules(era).flatMap((module) => filesUnder(join(standIns, variant, module), join('Sources', module)));
  for (const file of replacements) {
    if (!seen.has(file.path)) throw new Error(`the ${variant} stand-ins have ${file.path}, which no layer of ${era} has: a variant only replaces files`);
  }
  return files.map((file) => replacements.find((replacement) => replacement.path === file.path) ?? file);
}

/** The 2.x eras' stand-in modules' targets, for a manifest that defines `library` (their Swift 5 settings). */
export const STAND_IN_MANIFEST_TARGETS = STAND_IN_TARGETS;

/** Writes a package's files as {@link assemblePackage} does (see syncFiles). */
export function syncPackageFiles(root: string, files: readonly GeneratedFile[], owned: readonly string[], rewritten: readonly GeneratedFile[] = []): void {
  syncFiles(root, files, owned, rewritten);
}
