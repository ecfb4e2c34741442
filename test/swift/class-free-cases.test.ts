/**
 * The class-free integration (the generated `MemoryPolicy`) fitted to the cases with the shapes of
 * real files that `memtier patch` refuses or finds nothing to migrate in (LLMBasic's classes set no
 * limit, its `App` does; test/class-shapes.test.ts says why for each): each case rewritten onto
 * it, compiled with the generated files against the stand-ins of its era. The generated evaluator
 * extension stays out: none of these apps has the class it extends.
 *
 * - OpenVision (066447c, mlx-swift-lm 3.x after 3.31.4): a `@MainActor` ObservableObject that keeps
 *   its model in `modelContainer`; rewritten by hand (class-free/ beside the case), built with
 *   mlx-swift 0.31.4 / mlx-swift-lm 3.31.4 and Swift 6.2, in its target's Swift 5 mode (minimal
 *   checking: its `perform` closures capture a `UserInput`, as the real file's do), with
 *   `-warnings-as-errors`.
 * - octomil-ios (4320167, mlx-swift-lm 2.30.6): an actor with a dictionary of models; rewritten by
 *   hand, built with mlx-swift 0.30.6 / mlx-swift-lm 2.30.6 and Swift 6.0, the same two ways.
 * - LocalLLMClient (cd971ff, mlx-swift-lm 3.31.3): a library's `Sendable` final class with a
 *   typed-throws initializer and a once-per-process set-up function that sets the cache limit;
 *   rewritten by hand (class-free/ beside the case: the set-up applies the tier's limits, the class
 *   streams answers with the tier's parameters and image size), built with mlx-swift 0.31.4 /
 *   mlx-swift-lm 3.31.4 and Swift 6.2 in the library's Swift 6 mode (`strict`: with
 *   `-warnings-as-errors`).
 * - LLMBasic (mlx-swift-examples 378f244): an app whose `App` sets the cache limit, a loader class
 *   and a conversation class answering through a `ChatSession`; rewritten by hand (class-free/: the
 *   `App` applies the tier's limits, the conversation drops the model as the release rules say),
 *   built as its Xcode target builds (Swift 6 mode, main-actor default isolation, approachable
 *   concurrency), with `-warnings-as-errors`. The two cases as they are build the same way too.
 * - LLMEval and MLXChatExample (mlx-swift-examples 378f244): the two 3.x cases with their hand-set
 *   `Memory.cacheLimit` replaced by the tier's limits (and LLMEval's user setting capped by the
 *   tier's `maxTokens`): derived from the cases here, so they follow every change to them; built as
 *   test/swift/cases-031.test.ts builds the cases, with the warnings the real files have and no
 *   other.
 *
 * After the rewrite, `memtier check` finds nothing in any of them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findRegressions } from '../../src/patch/evaluator-regressions.js';
import type { GeneratedFile } from '../../src/render/render-files.js';
import { editedPolicy, validPolicy } from '../helpers/policy.js';
import { compileAppModule, MLX_ERAS, swiftSkipped, type AppMode, type Isolation, type MlxEra } from './harness.js';
import { splitGenerated } from './helpers.js';

const SHAPES = fileURLToPath(new URL('../fixtures/shapes/', import.meta.url));
const read = (path: string) => readFileSync(join(SHAPES, path), 'utf8');

/** The generated sources for `era`'s pins, without the evaluator extension. */
function classFreeSources(era: MlxEra): GeneratedFile[] {
  const policy = validPolicy(editedPolicy([[['evaluator', 'mlxApi'], MLX_ERAS[era].mlxApi], [['evaluator', 'clearCacheTakesLock'], MLX_ERAS[era].clearCacheTakesLock]]));
  return splitGenerated(policy).sources.filter((file) => !file.path.endsWith('+MemoryPolicy.swift'));
}

/** `file.swift:line:col: warning|error: message` lines of the compiler's output, the path cut to the file name. */
function diagnostics(output: string): string[] {
  return output.split('\n').filter((line) => /:\d+:\d+: (warning|error): /.test(line)).map((line) => line.replace(/^.*\//, ''));
}

interface Rewrite {
  name: string;
  era: MlxEra;
  module: string;
  files: GeneratedFile[];
  modes: AppMode[];
  /** The target's default isolation (Swift 6.2 only); default: the compiler's. */
  isolation?: Isolation;
  /** Upcoming features the target turns on besides its isolation's. */
  upcomingFeatures?: string[];
  /** Warnings the real file has too (see test/swift/cases-031.test.ts), by file and message; none elsewhere. */
  allowed?: { file: string; message: RegExp; count: number }[];
}

/** A case's own Swift files. */
function caseFiles(name: string): GeneratedFile[] {
  return readdirSync(join(SHAPES, name)).filter((file) => file.endsWith('.swift')).sort().map((file) => ({ path: file, contents: read(join(name, file)) }));
}

function rewritten(files: GeneratedFile[], file: string, edits: [from: string, to: string][]): GeneratedFile[] {
  return files.map((each) => {
    if (each.path !== file) return each;
    let contents = each.contents;
    for (const [from, to] of edits) {
      if (!contents.includes(from)) throw new Error(`${file}: expected ${from}`);
      contents = contents.replace(from, to);
    }
    return { ...each, contents };
  });
}

const REWRITES: Rewrite[] = [
  { name: 'openvision-066447c', era: 'mlx-0.31', module: 'OpenVision', files: [{ path: 'GemmaLocalService.swift', contents: read('openvision-066447c/class-free/GemmaLocalService.swift') }], modes: ['xcode-swift5'] },
  { name: 'octomil-4320167', era: 'mlx-0.30', module: 'OctomilMLX', files: [{ path: 'MLXModelLoader.swift', contents: read('octomil-4320167/class-free/MLXModelLoader.swift') }], modes: ['xcode-swift5', 'strict'] },
  {
    name: 'localllmclient-cd971ff', era: 'mlx-0.31', module: 'LocalLLMClientMLX', modes: ['strict'],
    files: ['Context.swift', 'Utility.swift'].map((file) => ({ path: file, contents: read(`localllmclient-cd971ff/class-free/${file}`) })),
  },
  {
    name: 'llmbasic-378f244', era: 'mlx-0.31', module: 'LLMBasic', modes: ['strict'], isolation: 'main-actor',
    // The LLMBasic target also sets SWIFT_UPCOMING_FEATURE_MEMBER_IMPORT_VISIBILITY = YES.
    upcomingFeatures: ['MemberImportVisibility'],
    files: ['ChatModel.swift', 'LLMBasicApp.swift'].map((file) => ({ path: file, contents: read(`llmbasic-378f244/class-free/${file}`) })),
  },
  {
    name: 'llmeval-378f244', era: 'mlx-0.31', module: 'LLMEval', modes: ['xcode-swift5-complete'],
    files: rewritten(caseFiles('llmeval-378f244'), 'LLMEvaluator.swift', [
      ['Memory.cacheLimit = 20 * 1024 * 1024', 'MemoryPolicy.current.applyLimits()'],
      ['GenerateParameters(maxTokens: maxTokens, temperature: 0.7)', 'GenerateParameters(maxTokens: min(maxTokens, MemoryPolicy.current.memoryConfiguration.maxTokens), temperature: 0.7)'],
    ]),
    allowed: [{ file: 'LLMEvaluator.swift', message: /warning: class method 'scheduledTimer' is unavailable from asynchronous contexts/, count: 2 }],
  },
  {
    name: 'mlxchatexample-378f244', era: 'mlx-0.31', module: 'MLXChatExample', modes: ['xcode-swift5'],
    files: rewritten(caseFiles('mlxchatexample-378f244'), 'MLXService.swift', [['Memory.cacheLimit = 16 * 1024 * 1024', 'MemoryPolicy.current.applyLimits()']]),
    allowed: [{ file: 'MLXService.swift', message: /warning: use of 'ModelFactory' \(aka 'GenericModelFactory<ModelContext, ModelContainer>'\) as a type must be written 'any ModelFactory'/, count: 1 }],
  },
];

describe('the cases patch refuses, rewritten onto MemoryPolicy: check finds nothing', () => {
  it.each(REWRITES)('$name', async ({ name, files }) => {
    const before = caseFiles(name);
    const limitsBefore = (await Promise.all(before.map((file) => findRegressions(file.contents, file.path, { className: 'NoSuchClass' })))).flat();
    expect(limitsBefore.filter((problem) => problem.message.startsWith('sets an MLX memory limit')).length).toBeGreaterThan(0);
    expect(files.some((file) => /MemoryPolicy\.current/.test(file.contents))).toBe(true);
    for (const file of files) {
      expect((await findRegressions(file.contents, file.path, { className: 'NoSuchClass' })).filter((problem) => !problem.message.startsWith('no `class NoSuchClass`'))).toEqual([]);
    }
  });
});

describe.skipIf(swiftSkipped)('the cases patch refuses, rewritten onto MemoryPolicy, build against the stand-ins of their era', () => {
  const builds = REWRITES.flatMap((rewrite) => rewrite.modes.map((appMode) => ({ ...rewrite, appMode })));
  it.each(builds)('$name ($era, $appMode)', ({ name, era, module, files, appMode, isolation, upcomingFeatures, allowed = [] }) => {
    const result = compileAppModule(era, { name: `class-free-${name}-${appMode}`, module, sources: [...classFreeSources(era), ...files], appMode, isolation, upcomingFeatures, warningsAsErrors: allowed.length === 0 });
    const lines = diagnostics(result.output);
    expect(lines.filter((line) => line.includes(': error: ')), result.output).toEqual([]);
    expect(result.status, result.output).toBe(0);
    for (const line of lines) expect(allowed.some(({ file, message }) => line.startsWith(`${file}:`) && message.test(line)), line).toBe(true);
    for (const { message, count } of allowed) expect(lines.filter((line) => message.test(line))).toHaveLength(count);
  }, 900_000);
});

/**
 * The two cases rewritten by hand above, as they are (before the rewrite), in the same modes: a
 * case that keeps its real file's shape compiles as that file does, so its rewrite starts from code
 * that builds. (LLMEval's and MLXChatExample's are built as they are in
 * test/swift/cases-031.test.ts.)
 */
describe.skipIf(swiftSkipped)('the cases rewritten by hand build as they are, in their target\'s mode', () => {
  const originals = REWRITES.filter(({ name }) => name === 'localllmclient-cd971ff' || name === 'llmbasic-378f244');
  it.each(originals)('$name', ({ name, era, module, modes, isolation, upcomingFeatures }) => {
    expect(modes).toEqual(['strict']);
    const result = compileAppModule(era, { name: `as-is-${name}`, module, sources: caseFiles(name), appMode: 'strict', isolation, upcomingFeatures });
    expect(diagnostics(result.output), result.output).toEqual([]);
    expect(result.status, result.output).toBe(0);
  }, 900_000);
});
