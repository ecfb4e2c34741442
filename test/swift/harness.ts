/**
 * Builds and runs generated Swift with a real Swift 6 compiler: a SwiftPM package assembled in a
 * temporary folder from the generated files, the stand-in MLX modules and any extra tests.
 *
 * The toolchain comes from scripts/swift-toolchain.sh (Swift on PATH, MEMTIER_SWIFT_BIN, or a
 * provisioned Debian root). MEMTIER_SKIP_SWIFT=1 skips these tests, loudly; nothing else does.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GeneratedFile } from '../../src/render/render-files.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const toolchainScript = join(repo, 'scripts', 'swift-toolchain.sh');
const standIns = fileURLToPath(new URL('./stand-ins/', import.meta.url));

/** Stand-in modules, in dependency order. */
export const STAND_IN_MODULES = ['ObservationLinkFix', 'CoreImage', 'SwiftUI', 'MLX', 'MLXLMCommon', 'MLXVLM'] as const;

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
}

/** Assembles a SwiftPM package in `root`: Swift 6 language mode, warnings as errors in the module and tests. */
export function assemblePackage(root: string, options: PackageOptions): void {
  for (const module of STAND_IN_MODULES) cpSync(join(standIns, module), join(root, 'Sources', module), { recursive: true });
  writeFiles(join(root, 'Sources', options.module), options.sources);
  writeFiles(join(root, 'Tests', `${options.module}Tests`), options.tests);
  cpSync(join(repo, '.swift-format'), join(root, '.swift-format'));
  writeFileSync(join(root, 'Package.swift'), packageManifest(options.module));
}

function packageManifest(module: string): string {
  // ObservationLinkFix supplies a symbol Debian's libswiftObservation.so lacks (see its shim.c).
  return `// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [.unsafeFlags(["-warnings-as-errors"])]

let package = Package(
  name: "MemtierHarness",
  targets: [
    .target(name: "ObservationLinkFix"),
    .target(name: "CoreImage"),
    .target(name: "SwiftUI"),
    .target(name: "MLX"),
    .target(name: "MLXLMCommon", dependencies: ["MLX", "CoreImage"]),
    .target(name: "MLXVLM", dependencies: ["MLX", "MLXLMCommon"]),
    .target(
      name: "${module}",
      dependencies: [
        "MLX", "MLXLMCommon", "MLXVLM", "CoreImage", "SwiftUI",
        .target(name: "ObservationLinkFix", condition: .when(platforms: [.linux])),
      ],
      swiftSettings: strict),
    .testTarget(
      name: "${module}Tests", dependencies: ["${module}", "MLX", "MLXLMCommon", "CoreImage"],
      swiftSettings: strict),
  ],
  swiftLanguageModes: [.v6]
)
`;
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

/** Test counts from XCTest's closing line: "Executed 9 tests, with 0 failures". */
export function xctestSummary(output: string): { executed: number; failures: number } | undefined {
  const matches = [...output.matchAll(/Executed (\d+) tests?, with (\d+) failures?/g)];
  const last = matches[matches.length - 1];
  return last ? { executed: Number(last[1]), failures: Number(last[2]) } : undefined;
}

/** The app evaluator written from the design document's "current" code, and memtier patch's result for it. */
export const EVALUATOR_FIXTURE = fileURLToPath(new URL('../fixtures/evaluator/ContentView.swift', import.meta.url));
export const PATCHED_EVALUATOR_FIXTURE = fileURLToPath(new URL('../fixtures/evaluator/ContentView.patched.swift', import.meta.url));

/** The harness's own Swift tests (of the stand-ins and the patched evaluator), from test/swift/tests/. */
export function harnessTests(): GeneratedFile[] {
  const folder = fileURLToPath(new URL('./tests/', import.meta.url));
  return readdirSync(folder).sort().map((name) => ({ path: name, contents: readFileSync(join(folder, name), 'utf8') }));
}
