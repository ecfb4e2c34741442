/**
 * The simulated iPhone as a SwiftPM package, one per MLX era: the stand-in modules, the
 * simulation's kernel (test/swift/sim/Kernel/), one module per app under simulation (memtier's
 * generated files with a patched evaluator class, or an original class alone, each with its
 * adapter from test/swift/sim/Adapters/), and the runner (test/swift/sim/Runner/). The classes and
 * the generated files go in unchanged; the adapters only play the view and iOS around them.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from '../../../src/generate.js';
import { patchEvaluator } from '../../../src/patch/rewrite-evaluator.js';
import type { GeneratedFile } from '../../../src/render/render-files.js';
import type { Policy } from '../../../src/policy/schema.js';
import { editedPolicy, templates, validPolicy } from '../../helpers/policy.js';
import {
  cachedPackageFolder, evaluatorClassSource, EVALUATOR_FIXTURE, MLX_ERAS, REPOSITORY, STAND_IN_MANIFEST_TARGETS,
  standInSources, swift, syncPackageFiles, VLMEVAL_CASE, type MlxEra, type SwiftRun,
} from '../harness.js';
import { splitGenerated } from '../helpers.js';
import { worldInput } from './world-input.js';

const SIM = join(REPOSITORY, 'test', 'swift', 'sim');
const FORK_CASE = join(REPOSITORY, 'test', 'fixtures', 'shapes', 'wank125-c09ef38', 'ContentView.swift');
const DESIGN_030 = join(REPOSITORY, 'test', 'fixtures', 'evaluator', 'mlx-0.30', 'ContentView.swift');

/** The apps under simulation: an evaluator class of the corpus, original or patched by memtier. */
export const SIM_APPS = [
  { name: 'design-original', module: 'SimAppDesignOriginal', shape: 'design', managed: false },
  { name: 'design-patched', module: 'SimAppDesignPatched', shape: 'design', managed: true },
  { name: 'vlmeval-original', module: 'SimAppVLMEvalOriginal', shape: 'vlmeval', managed: false },
  { name: 'vlmeval-patched', module: 'SimAppVLMEvalPatched', shape: 'vlmeval', managed: true },
  { name: 'fork-original', module: 'SimAppForkOriginal', shape: 'fork', managed: false },
  { name: 'fork-patched', module: 'SimAppForkPatched', shape: 'fork', managed: true },
] as const;
export type SimApp = (typeof SIM_APPS)[number];

/** Which API the generated runtime offers (the runtime before issue 25's fixes lacks some). */
export function runtimeDefines(files: readonly GeneratedFile[]): string[] {
  const monitor = files.find((file) => file.path.endsWith('MemoryPressureMonitor.swift'))?.contents ?? '';
  return [
    ...(/clock: any Clock<Duration>/.test(monitor) ? ['SIM_MONITOR_CLOCK'] : []),
    ...(/func receiveApplicationState\(/.test(monitor) ? ['SIM_APP_STATE'] : []),
    ...(/func receiveSystemWarning\(\)/.test(monitor) ? ['SIM_WARNING_IMPULSE'] : []),
    ...(/func receiveSystemPressure\(coalescing /.test(monitor) ? ['SIM_DISPATCH_COALESCING'] : []),
  ];
}

/**
 * The simulated phone delivers a Dispatch memory-pressure event as the generated handler (compiled
 * on Darwin only) reads the source's data: today's hands every level whose flag the data holds to
 * `receiveSystemPressure(coalescing:)` (MonitorBridge.swift does the same); the runtime before
 * issue 25's fixes took the worst flag as the level. If the generated handler reads it otherwise,
 * the simulation must change with it: this stops the build until it does.
 */
function checkDispatchHandler(files: readonly GeneratedFile[]): void {
  const monitor = (files.find((file) => file.path.endsWith('MemoryPressureMonitor.swift'))?.contents ?? '').replace(/\s+/g, ' ');
  if (!monitor.includes('makeMemoryPressureSource')) return;
  const everyFlag = /\(\.normal, \.normal\), \(\.warning, \.warning\), \(\.critical, \.critical\), \] self\.receiveSystemPressure\( coalescing: Set\(flags\.filter \{ event\.contains\(\$0\.0\) \}\.map\(\\\.1\)\)\)/;
  const worstFlag = /event\.contains\(\.critical\) \? \.critical : event\.contains\(\.warning\) \? \.warning : \.normal/;
  if (!everyFlag.test(monitor) && !worstFlag.test(monitor)) {
    throw new Error('the generated Dispatch handler reads the source\'s data in a way the simulation does not know: update MonitorBridge.deliverSystemPressure (test/swift/sim/Adapters/) to read it as the handler does');
  }
}

/**
 * The shipped policy as the app of `era` would generate it: its mlxApi, and, where the policy
 * knows the key, whether clearCache takes MLX's lock (0.30.3 and later).
 */
export function simulationPolicy(era: MlxEra): Policy {
  const mlxApi = MLX_ERAS[era].mlxApi;
  const locked = era === 'mlx-0.30';
  try {
    return validPolicy(editedPolicy([[['evaluator', 'mlxApi'], mlxApi], [['evaluator', 'clearCacheTakesLock'], locked]]));
  } catch {
    return validPolicy(editedPolicy([[['evaluator', 'mlxApi'], mlxApi]]));
  }
}

/** What a package holds besides the stand-ins, with the generated files passed in (or generated). */
export interface SimulationSources {
  era: MlxEra;
  /** The generated files (default: the shipped policy's, generated now). */
  generated?: readonly GeneratedFile[];
  /** Which apps to build (default: all). */
  apps?: readonly SimApp[];
  /**
   * An app file to use in place of memtier's patch of the corpus case, by app name (for example a
   * candidate rewrite of `memtier patch`, to simulate before it lands).
   */
  patchedFiles?: Readonly<Record<string, string>>;
}

async function evaluatorSources(app: SimApp, era: MlxEra, given?: string): Promise<GeneratedFile> {
  const caseFile = app.shape === 'design' ? EVALUATOR_FIXTURE : app.shape === 'vlmeval' ? VLMEVAL_CASE : FORK_CASE;
  const original = readFileSync(caseFile, 'utf8');
  if (given !== undefined) return app.shape === 'design' ? { path: 'ContentView.swift', contents: given } : evaluatorClassSource(caseFile, given);
  if (app.shape === 'design') {
    if (!app.managed) return { path: 'ContentView.swift', contents: original };
    if (era === 'mlx-0.30') return { path: 'ContentView.swift', contents: readFileSync(DESIGN_030, 'utf8') };
  }
  let text = original;
  if (app.managed) {
    const patched = await patchEvaluator(original, 'ContentView.swift');
    if (!patched.ok) throw new Error(`memtier patch refused ${caseFile}: ${JSON.stringify(patched.problems)}`);
    text = patched.output;
  }
  return app.shape === 'design' ? { path: 'ContentView.swift', contents: text } : evaluatorClassSource(caseFile, text);
}

/** Swift 6 with warnings as errors where the class builds so (as the harness builds it); else the app's own Swift 5 mode. */
function strictFor(app: SimApp, era: MlxEra): boolean {
  return app.managed && (app.shape === 'design' || era === 'mlx-0.29');
}

function adapterFiles(app: SimApp): GeneratedFile[] {
  const adapters = join(SIM, 'Adapters');
  const read = (name: string) => ({ path: name, contents: readFileSync(join(adapters, name), 'utf8') });
  return [
    read(app.managed ? 'MonitorBridge.swift' : 'DeviceShims.swift'),
    read(app.shape === 'design' ? 'DesignApp.swift' : 'VLMEvalApp.swift'),
    { path: 'SimAppIdentity.swift', contents: `// Which app this module is, for the runner.\nlet simulatedAppName = "${app.name}"\nlet simulatedAppIsManaged = ${app.managed}\n` },
  ];
}

function manifest(era: MlxEra, apps: readonly SimApp[], defines: readonly string[]): string {
  const settings = (app: SimApp) => {
    const flags = [...(app.managed ? ['SIM_MANAGED', ...defines] : []), ...(app.shape === 'fork' ? ['SIM_FORK'] : [])].map((name) => `.define("${name}")`);
    return `${strictFor(app, era) ? 'strict' : 'library'} + [${flags.join(', ')}]`;
  };
  return `// swift-tools-version:6.0
import PackageDescription

// The simulated iPhone for the ${era} stand-ins (test/swift/sim/package.ts writes this file).
let strict: [SwiftSetting] = [.unsafeFlags(["-warnings-as-errors"])]
let library: [SwiftSetting] = [.swiftLanguageMode(.v5)]
let linuxFix: Target.Dependency = .target(name: "ObservationLinkFix", condition: .when(platforms: [.linux]))
let app: [Target.Dependency] = ["MLX", "MLXLMCommon", "MLXVLM", "CoreImage", "SwiftUI", "AsyncAlgorithms", "SimKernel", linuxFix]

let package = Package(
  name: "MemtierSimulation",
  targets: [
${STAND_IN_MANIFEST_TARGETS}
    .target(name: "SimKernel", dependencies: ["StandInSupport"], swiftSettings: strict),
${apps.map((app) => `    .target(name: "${app.module}", dependencies: app, swiftSettings: ${settings(app)}),`).join('\n')}
    .executableTarget(
      name: "SimRunner", dependencies: ["SimKernel", ${apps.map((app) => `"${app.module}"`).join(', ')}, linuxFix],
      swiftSettings: strict),
  ],
  swiftLanguageModes: [.v6]
)
`;
}

function folderFiles(folder: string, prefix: string): GeneratedFile[] {
  return readdirSync(folder).filter((name) => name.endsWith('.swift')).sort()
    .map((name) => ({ path: join(prefix, name), contents: readFileSync(join(folder, name), 'utf8') }));
}

/** A built simulation package. */
export interface SimulationPackage {
  root: string;
  era: MlxEra;
  build: SwiftRun;
  apps: readonly SimApp[];
  /** The generated runtime's API, as defines (see runtimeDefines). */
  defines: string[];
}

/**
 * Assembles and builds the simulation package of `era` in node_modules/.cache/memtier-swift/packages/
 * (kept between runs: a file is written only when its text changed, so SwiftPM rebuilds only what
 * changed). `configuration` is SwiftPM's; debug builds in half the time, and runs about as fast
 * (a run's time goes to handing jobs between threads, not to computing).
 */
export async function buildSimulation(sources: SimulationSources, configuration: 'debug' | 'release' = 'release', name = `simulation-${sources.era}`): Promise<SimulationPackage> {
  const { era } = sources;
  const apps = sources.apps ?? SIM_APPS;
  const generated = sources.generated ?? generate(simulationPolicy(era), templates);
  const { sources: runtime } = splitGenerated(simulationPolicy(era), [...generated]);
  const defines = runtimeDefines(runtime);
  checkDispatchHandler(runtime);
  const root = cachedPackageFolder(name);
  const appFiles: GeneratedFile[] = [];
  for (const app of apps) {
    const files = [...(app.managed ? runtime : []), await evaluatorSources(app, era, sources.patchedFiles?.[app.name]), ...adapterFiles(app)];
    appFiles.push(...files.map((file) => ({ ...file, path: join('Sources', app.module, file.path) })));
  }
  const runnerApps = `// The apps this runner simulates (test/swift/sim/package.ts writes this file).\n\nimport SimKernel\n${apps.map((app) => `import ${app.module}`).join('\n')}\n\n@MainActor let simulatedApps: [AppFactory] = [\n${apps.map((app) => `  ${app.module}.SimApp.factory,`).join('\n')}\n]\n`;
  syncPackageFiles(root, [
    ...standInSources(era),
    ...folderFiles(join(SIM, 'Kernel'), join('Sources', 'SimKernel')),
    ...folderFiles(join(SIM, 'Runner'), join('Sources', 'SimRunner')),
    { path: 'Package.swift', contents: manifest(era, apps, defines) },
    ...appFiles,
    { path: join('Sources', 'SimRunner', 'Apps.swift'), contents: runnerApps },
  ], ['Sources']);
  const build = swift(root, ['swift', 'build', '-c', configuration, '--product', 'SimRunner']);
  return { root, era, build, apps, defines };
}

/** The runner's output: one result per run, the shrunk runs, the summary. */
export interface RunnerOutput {
  status: number;
  results: RunResult[];
  shrunk: { original: RunSpec; spec: RunSpec; result: RunResult | null; runs: number }[];
  mismatches: { spec: RunSpec; first: string[]; second: string[] }[];
  summary?: { runs: number; steps: number; invariantChecks: number; violations: number; nondeterministic: number; leftovers: number; wallSeconds: number };
  stderr: string;
}

/** A run, as the runner reads it (Kernel/Simulation.swift's RunSpec). */
export interface RunSpec {
  seed: number;
  device: string;
  tier: string;
  app: string;
  era: string;
  entitled: boolean;
  events?: { at: number; action: unknown }[];
  answers?: number;
  longAnswers?: boolean;
}

/** A run's result (Kernel/Simulation.swift's RunResult). */
export interface RunResult {
  spec: RunSpec;
  steps: number;
  invariantChecks: number;
  violation?: { invariant: string; detail: string; atMilliseconds: number; step: number };
  death?: string;
  metrics: {
    loadsStarted: number; loadsCompleted: number; answersStarted: number; answersCompleted: number; stoppedByUser: number;
    cutShortByPressure: number; cutShortByBackground: number; mainThreadBlockedNanoseconds: number; peakFootprint: number;
    memoryWarnings: number; dispatchEvents: number; wallClockSleeps: number; reloadsWithoutPressure: number;
  };
  limit: number;
  estimate: number;
  lastedMilliseconds: number;
  leftover?: string;
  trace?: string[];
  traceDigest: string;
}

/**
 * Runs `specs` with the package's runner, in a process of its own (asynchronously, so that two
 * eras can run side by side), with deterministic hashing.
 */
export function runSimulations(pkg: SimulationPackage, policy: Policy, specs: readonly RunSpec[], flags: readonly string[] = [], configuration: 'debug' | 'release' = 'release', tag = 'run'): Promise<RunnerOutput> {
  const work = join(pkg.root, 'runs');
  mkdirSync(work, { recursive: true });
  const inputPath = join(work, 'world-input.json');
  const specsPath = join(work, `specs-${tag}.json`);
  writeFileSync(inputPath, JSON.stringify(worldInput(policy)));
  writeFileSync(specsPath, JSON.stringify(specs));
  const script = join(REPOSITORY, 'scripts', 'swift-toolchain.sh');
  const runner = join('.build', configuration, 'SimRunner');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, 'exec', pkg.root, '/usr/bin/env', 'SWIFT_DETERMINISTIC_HASHING=1', runner, inputPath, specsPath, ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', (code) => {
      const output: RunnerOutput = { status: code ?? 1, results: [], shrunk: [], mismatches: [], stderr };
      for (const line of stdout.split('\n').filter((text) => text.startsWith('{'))) {
        const value = JSON.parse(line) as Record<string, unknown>;
        if (value.summary) output.summary = value as unknown as RunnerOutput['summary'];
        else if (value.shrunk) output.shrunk.push(value as unknown as RunnerOutput['shrunk'][number]);
        else if (value.nondeterministic) output.mismatches.push(value as unknown as RunnerOutput['mismatches'][number]);
        else output.results.push(value as unknown as RunResult);
      }
      resolve(output);
    });
  });
}
