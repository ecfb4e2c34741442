/**
 * `memtier patch` on app files of our own that keep the shapes of real ones (test/fixtures/shapes/,
 * each header naming the real file it follows): VLMEval at mlx-swift-examples a2363c6, 289bb67 and
 * 44b14cf (hard-coded limits, no tiers: a full migration), the wank125 fork at c09ef38 (the design
 * document's app: predicates as members and as local constants, Thread.sleep loops) and HuggingSnap
 * at 88aafba (a memory limit computed from os_proc_available_memory() into a local, no init, no
 * generationTask). Each patched class must keep every byte outside the class, be stable on a second
 * run, pass `memtier check`'s scan, load through loadModelOnce and release after an answer and a
 * cancel, and type-check with the generated files against the mlx-swift 0.29.1 / mlx-swift-lm
 * 2.29.2 stand-ins, both as the app's Xcode target builds (Swift 5, minimal checking) and in Swift 6
 * mode with complete checking. Older VLMEval versions (a2363c6, 289bb67) use library API of their
 * own time that no stand-in pair has, and so do their cases; for them, and for HuggingSnap in Swift
 * 6 mode (its settings are a global `var`, which Swift 6 refuses), the rule is that of any codemod:
 * no compile error the original did not have.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseEvaluatorClass } from '../../src/patch/evaluator-class.js';
import { findRegressions } from '../../src/patch/evaluator-regressions.js';
import { patchEvaluator } from '../../src/patch/rewrite-evaluator.js';
import { findNodes, memberName } from '../../src/patch/swift-parser.js';
import { findTopLevelClasses } from '../../src/patch/swift-source.js';
import { editedPolicy, validPolicy } from '../helpers/policy.js';
import { compileAppModule, diagnosticsIn, evaluatorClassSource, swiftSkipped } from './harness.js';
import { splitGenerated } from './helpers.js';

const CORPUS = [
  ...['vlmeval-a2363c6', 'vlmeval-289bb67', 'vlmeval-44b14cf', 'wank125-c09ef38'].map((name) => `${name}/ContentView.swift`),
  'huggingsnap-88aafba/VLMEvaluator.swift',
].map((path) => {
  const file = fileURLToPath(new URL(`../fixtures/shapes/${path}`, import.meta.url));
  return { name: path.split('/')[0]!, file, source: readFileSync(file, 'utf8') };
});

/**
 * Where each patched class releases memory: the method that ends its generations (the upstream
 * classes release nothing by hand, so patch adds the call at the end of it; the fork has it from
 * the rewrite of its own unload after an answer), and whether it has a cancel to release after
 * (a2363c6 and HuggingSnap have none).
 */
const RELEASES: Record<string, { afterAnswerIn: string; afterCancel: boolean }> = {
  'vlmeval-a2363c6': { afterAnswerIn: 'generate', afterCancel: false },
  'vlmeval-289bb67': { afterAnswerIn: 'respond', afterCancel: true },
  'vlmeval-44b14cf': { afterAnswerIn: 'generate', afterCancel: true },
  'wank125-c09ef38': { afterAnswerIn: 'respond', afterCancel: true },
  'huggingsnap-88aafba': { afterAnswerIn: 'generate', afterCancel: false },
};

async function patched(source: string): Promise<string> {
  const result = await patchEvaluator(source, 'ContentView.swift');
  if (!result.ok) throw new Error(result.problems.map((problem) => `${problem.line}:${problem.column}: ${problem.message}`).join('\n'));
  return result.output;
}

describe.each(CORPUS)('memtier patch on $name', ({ name, source }) => {
  it('changes no byte outside the class, and nothing on a second run', async () => {
    const output = await patched(source);
    const [before] = findTopLevelClasses(source, 'VLMEvaluator');
    const [after] = findTopLevelClasses(output, 'VLMEvaluator');
    expect(output.slice(0, after!.start)).toBe(source.slice(0, before!.start));
    expect(output.slice(after!.end)).toBe(source.slice(before!.end));
    expect(output).not.toBe(source);
    expect(await patched(output)).toBe(output);
  });

  it('leaves no device predicate, physicalMemory read, hand-set MLX limit or Thread.sleep: check finds nothing', async () => {
    expect((await findRegressions(source, 'ContentView.swift')).length).toBeGreaterThan(0);
    const output = await patched(source);
    expect(await findRegressions(output, 'ContentView.swift')).toEqual([]);
    const [range] = findTopLevelClasses(output, 'VLMEvaluator');
    const patchedClass = output.slice(range!.start, range!.end);
    expect(patchedClass).not.toMatch(/physicalMemory|isLowMemoryDevice|isUltraLowMemoryDevice|GPU\.set|Thread\.sleep/);
    expect(patchedClass).toContain('var memoryConfiguration = MemoryConfiguration.current');
    expect(patchedClass).toContain('applyMemoryLimits()');
  });

  it('wires the runtime in: load() through loadModelOnce, the monitor started, the releases after an answer and a cancel', async () => {
    const output = await patched(source);
    const found = await parseEvaluatorClass(output, 'ContentView.swift');
    if ('problem' in found) throw new Error(found.problem.message);
    const methods = findNodes(found.node, (node) => node.type === 'function_declaration' || node.type === 'init_declaration');
    const method = (wanted: string) => methods.filter((node) => (memberName(node) ?? 'init') === wanted).map((node) => node.text);
    expect(method('load')).toEqual([expect.stringMatching(/^func load\(\) async throws -> ModelContainer \{\n\s+try await loadModelOnce \{ \[self\] in\n/)]);
    expect(found.node.text).not.toMatch(/loadState = \.loaded|case \.loaded\(let/);
    expect(method('init').join('\n')).toContain('startMemoryMonitoring()');
    expect(found.node.text.match(/startMemoryMonitoring\(\)/g)).toHaveLength(1);
    const { afterAnswerIn, afterCancel } = RELEASES[name]!;
    // Once, in the generation's own async method: the task that runs it is the one a cancel cancels.
    expect(found.node.text.match(/releaseModelAfterGeneration\(\)/g)).toHaveLength(1);
    expect(method(afterAnswerIn).some((text) => /\basync\b/.test(text.slice(0, text.indexOf('{'))) && text.includes('releaseModelAfterGeneration()'))).toBe(true);
    if (afterCancel) expect(method('cancelGeneration')).toEqual([expect.stringMatching(/generationTask\?\.cancel\(\)\n[^]*releaseMemoryAfterCancel\(\)\n/)]);
    else expect(found.node.text).not.toContain('releaseMemoryAfterCancel');
  });
});

it('a file shaped like LLMEval\'s LLMEvaluator.swift (44b14cf) is refused with the classes the file has, and nothing else', async () => {
  const file = fileURLToPath(new URL('../fixtures/shapes/llmeval-44b14cf/LLMEvaluator.swift', import.meta.url));
  const result = await patchEvaluator(readFileSync(file, 'utf8'), 'LLMEval/ContentView.swift');
  expect(result).toEqual({ ok: false, problems: [{ severity: 'error', file: 'LLMEval/ContentView.swift', line: 1, column: 1, message: 'no `class VLMEvaluator` in this file (this file declares class LLMEvaluator); set evaluator.className in the policy to the class memtier should extend and patch, or pass the file that declares VLMEvaluator' }] });
});

describe.skipIf(swiftSkipped)('the patched classes type-check with the generated files (mlx-swift 0.29.1, mlx-swift-lm 2.29.2)', () => {
  const policy = validPolicy(editedPolicy([[['evaluator', 'mlxApi'], 'gpu']]));
  /** Files of the pinned releases' era: they must compile with no error at all, in these app modes. */
  const BUILDS_CLEAN: Record<string, readonly ('xcode-swift5' | 'strict')[]> = {
    'vlmeval-44b14cf': ['xcode-swift5', 'strict'],
    'wank125-c09ef38': ['xcode-swift5', 'strict'],
    // HuggingSnap's target builds in Swift 5 mode with minimal checking, which its global settings need.
    'huggingsnap-88aafba': ['xcode-swift5'],
  };

  /** The compiler's errors in the app module, without their places (a rewrite moves lines). */
  function errorsOf(name: string, file: string, text: string, withGenerated: boolean, appMode: 'strict' | 'xcode-swift5') {
    const { module, sources } = splitGenerated(policy);
    // HuggingSnap's file holds the class and what it reads, no view: it is compiled whole.
    const evaluator = name.startsWith('huggingsnap') ? { path: 'VLMEvaluator.swift', contents: text } : evaluatorClassSource(file, text);
    // The stand-ins are built once (test/swift/harness.ts); each case compiles only the app module.
    const result = compileAppModule('mlx-0.29', { name: `${name}-${appMode}-${withGenerated ? 'patched' : 'original'}`, module, sources: withGenerated ? [...sources, evaluator] : [evaluator], appMode });
    const lines = diagnosticsIn(result.output, [module]);
    return { result, warnings: lines, errors: [...new Set(lines.filter((line) => line.includes(': error: ')).map((line) => line.replace(/^.*?: error: /, '')))].sort() };
  }

  it.each(CORPUS.flatMap((entry) => (['xcode-swift5', 'strict'] as const).map((appMode) => ({ ...entry, appMode }))))('$name, app module in $appMode mode: no error the original did not have', async ({ name, file, source, appMode }) => {
    const original = errorsOf(name, file, source, false, appMode);
    const patchedBuild = errorsOf(name, file, await patched(source), true, appMode);
    for (const error of patchedBuild.errors) expect(original.errors, `new error: ${error}`).toContain(error);
    if (BUILDS_CLEAN[name]?.includes(appMode)) {
      expect(patchedBuild.errors).toEqual([]);
      expect(patchedBuild.result.status, patchedBuild.result.output).toBe(0);
      if (appMode === 'strict') expect(patchedBuild.warnings).toEqual([]);
    } else {
      // Older releases' API (e.g. ModelRegistry, UserInput(messages:)) is not stood in, and Swift 6
      // refuses HuggingSnap's global settings: those errors stay.
      expect(original.errors.length).toBeGreaterThan(0);
    }
  }, 900_000);
});
