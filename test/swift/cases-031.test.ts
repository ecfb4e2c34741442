/**
 * Our two mlx-swift-lm 3.x cases (test/fixtures/shapes/llmeval-378f244 and mlxchatexample-378f244,
 * each header naming the real file whose shape it keeps) compiled against the mlx-swift 0.31.4 /
 * mlx-swift-lm 3.31.4 stand-ins with Swift 6.2, in the language modes of their Xcode targets at
 * mlx-swift-examples 378f244 (LLMEval: Swift 5, SWIFT_STRICT_CONCURRENCY = complete;
 * MLXChatExample: Swift 5, minimal checking), with the generated files (`mlxApi: memory`) in the
 * same module: the generated sources that need no evaluator class (neither app has a
 * `VLMEvaluator`).
 *
 * Warnings: both real files, unmodified, compile against these stand-ins with warnings that the
 * real libraries and SDK give too or that only Linux gives (checked in a scratch folder, see
 * docs/mlx-releases.md): LLMEval's `Timer.scheduledTimer` calls from async code (Linux's Foundation
 * marks the method `noasync`) and MLXChatExample's `let factory: ModelFactory` (a type alias of a
 * constrained protocol, which Swift 6.2 wants written `any ModelFactory`). So neither build can be
 * `-warnings-as-errors` as a whole: each test allows exactly those warnings, in the case's files
 * only, and none in the generated files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { GeneratedFile } from '../../src/render/render-files.js';
import { editedPolicy, validPolicy } from '../helpers/policy.js';
import { compileAppModule, swiftSkipped, type AppMode } from './harness.js';
import { splitGenerated } from './helpers.js';

const SHAPES = fileURLToPath(new URL('../fixtures/shapes/', import.meta.url));

/** A case's Swift files, as they are in the repository. */
function caseFiles(name: string): GeneratedFile[] {
  const folder = join(SHAPES, name);
  return readdirSync(folder).filter((file) => file.endsWith('.swift')).sort()
    .map((file) => ({ path: file, contents: readFileSync(join(folder, file), 'utf8') }));
}

/**
 * The generated sources that compile without the app's evaluator class, of the shipped policy with
 * `mlxApi: memory`: the tiers, the configurations and the monitor.
 */
const STANDALONE_SOURCES = ['DeviceMemoryTier.swift', 'MemoryConfiguration.swift', 'MemoryPressureMonitor.swift'];

function generatedSources(): GeneratedFile[] {
  const policy = validPolicy(editedPolicy([[['evaluator', 'mlxApi'], 'memory'], [['evaluator', 'clearCacheTakesLock'], true]]));
  return splitGenerated(policy).sources.filter((file) => STANDALONE_SOURCES.includes(file.path));
}

/** `file.swift:line:col: warning|error: message` lines of the compiler's output, the path cut to the file name. */
function diagnostics(output: string): string[] {
  return output.split('\n').filter((line) => /:\d+:\d+: (warning|error): /.test(line)).map((line) => line.replace(/^.*\//, ''));
}

interface Case {
  name: string;
  module: string;
  appMode: AppMode;
  /** The warnings the real file has too (see the header), by file and message. */
  allowed: { file: string; message: RegExp; count: number }[];
}

const CASES: Case[] = [
  {
    name: 'llmeval-378f244', module: 'LLMEval', appMode: 'xcode-swift5-complete',
    allowed: [{ file: 'LLMEvaluator.swift', message: /warning: class method 'scheduledTimer' is unavailable from asynchronous contexts/, count: 2 }],
  },
  {
    name: 'mlxchatexample-378f244', module: 'MLXChatExample', appMode: 'xcode-swift5',
    allowed: [{ file: 'MLXService.swift', message: /warning: use of 'ModelFactory' \(aka 'GenericModelFactory<ModelContext, ModelContainer>'\) as a type must be written 'any ModelFactory'/, count: 1 }],
  },
];

describe.skipIf(swiftSkipped)('the mlx-swift-lm 3.x cases with the generated files (mlx-swift 0.31.4, mlx-swift-lm 3.31.4, Swift 6.2)', () => {
  it.each(CASES)('$name in its target\'s mode ($appMode) with the generated files: no error, and no warning but the real file\'s', ({ name, module, appMode, allowed }) => {
    const own = caseFiles(name);
    const generated = generatedSources();
    expect(generated.map((file) => file.path).sort()).toEqual(STANDALONE_SOURCES);
    expect(generated.find((file) => file.path === 'MemoryConfiguration.swift')!.contents).toContain('Memory');
    const result = compileAppModule('mlx-0.31', { name: `${name}-${appMode}`, module, sources: [...own, ...generated], appMode });
    const lines = diagnostics(result.output);
    expect(lines.filter((line) => line.includes(': error: ')), result.output).toEqual([]);
    expect(result.status, result.output).toBe(0);
    // Every warning is one the real file has; each of those is there, as often as in the real file.
    for (const line of lines) expect(allowed.some(({ file, message }) => line.startsWith(`${file}:`) && message.test(line)), line).toBe(true);
    for (const { message, count } of allowed) expect(lines.filter((line) => message.test(line))).toHaveLength(count);
    // The generated files have no warning at all, in this mode and with -warnings-as-errors.
    const alone = compileAppModule('mlx-0.31', { name: `${name}-${appMode}-generated`, module, sources: generated, appMode, warningsAsErrors: true });
    expect(diagnostics(alone.output)).toEqual([]);
    expect(alone.status, alone.output).toBe(0);
  }, 900_000);

  it('the check is live: a 2.x load call in the LLMEval case is refused by the 3.31.4 stand-ins', () => {
    const own = caseFiles('llmeval-378f244').map((file) => ({
      ...file,
      contents: file.contents.replace(/loadContainer\(\s*from: fetched\.modelDirectory,\s*using: #huggingFaceTokenizerLoader\(\)\)/, 'loadContainer(configuration: modelConfiguration)'),
    }));
    expect(own.map((file) => file.contents).join('')).not.toEqual(caseFiles('llmeval-378f244').map((file) => file.contents).join(''));
    const result = compileAppModule('mlx-0.31', { name: 'llmeval-378f244-2x-load', module: 'LLMEval', sources: own, appMode: 'xcode-swift5-complete' });
    expect(result.status).not.toBe(0);
    expect(diagnostics(result.output).filter((line) => line.startsWith('LLMEvaluator.swift:') && line.includes(': error: '))).toEqual([expect.stringMatching(/error: missing arguments for parameters 'from', 'using' in call/)]);
  }, 900_000);
});
