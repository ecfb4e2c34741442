/**
 * mlx-swift-lm's main branch after 3.31.4 (read at commit 1441444, August 2026): of what the
 * generated code, the patched evaluators and our 3.x cases use, only `Generation` changed, with a
 * fourth case, `rejectedToolCall`, that breaks every exhaustive `switch` over the three of 3.31.4
 * (GenerateParameters' new `prefill:` and the streaming `generate`'s new `state:` and `components:`
 * are defaulted; see docs/mlx-releases.md). The `lm-main` variant of the mlx-0.31 stand-ins has that
 * `Generation` (test/swift/stand-ins/lm-main/); everything here compiles against it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { GeneratedFile } from '../../src/render/render-files.js';
import { editedPolicy, validPolicy } from '../helpers/policy.js';
import { compileAppModule, eraEvaluatorSource, swiftSkipped, type AppMode } from './harness.js';
import { splitGenerated } from './helpers.js';

/** `file.swift:line:col: warning|error: message`, the path cut to the file name. */
function diagnostics(output: string): string[] {
  return output.split('\n').filter((line) => /:\d+:\d+: (warning|error): /.test(line)).map((line) => line.replace(/^.*\//, ''));
}

/** Code an app may have written for 3.31.4: a `switch` over the three cases it has. */
const THREE_CASE_SWITCH: GeneratedFile = {
  path: 'Answer.swift',
  contents: [
    'import MLXLMCommon', '',
    'func describe(_ item: Generation) -> String {',
    '  switch item {',
    '  case .chunk(let text): return text',
    '  case .info(let summary): return "\\(summary.generationTokenCount) tokens"',
    '  case .toolCall(let call): return call.function.name',
    '  }',
    '}', '',
  ].join('\n'),
};

const SHAPES = fileURLToPath(new URL('../fixtures/shapes/', import.meta.url));
const caseFiles = (name: string): GeneratedFile[] => readdirSync(join(SHAPES, name)).filter((file) => file.endsWith('.swift')).sort()
  .map((file) => ({ path: file, contents: readFileSync(join(SHAPES, name, file), 'utf8') }));

describe.skipIf(swiftSkipped)('mlx-swift-lm main (Generation.rejectedToolCall), Swift 6.2', () => {
  it('the generated files, the 0.31 era\'s patched evaluator, the generated XCTests and the stress test compile against it in Swift 6 mode with no warning', () => {
    const policy = validPolicy(editedPolicy([[['evaluator', 'mlxApi'], 'memory'], [['evaluator', 'clearCacheTakesLock'], true]]));
    const { module, sources, tests } = splitGenerated(policy);
    expect(tests.map((file) => file.path)).toContain('MemoryStressTest.swift');
    // The stress test reads the stream through the optional accessors, never a switch over its cases.
    const stress = tests.find((file) => file.path === 'MemoryStressTest.swift')!.contents;
    expect(stress).toMatch(/generation\.chunk/);
    expect(stress).not.toMatch(/case \.chunk|case \.info|case \.toolCall/);
    const evaluator = { path: 'ContentView.swift', contents: eraEvaluatorSource('mlx-0.31') };
    const result = compileAppModule('mlx-0.31', { name: 'lm-main-generated', module, sources: [...sources, evaluator], tests, appMode: 'strict', variant: 'lm-main' });
    expect(diagnostics(result.output)).toEqual([]);
    expect(result.status, result.output).toBe(0);
  }, 900_000);

  it.each([
    ['llmeval-378f244', 'LLMEval', 'xcode-swift5-complete'],
    ['mlxchatexample-378f244', 'MLXChatExample', 'xcode-swift5'],
  ] as [string, string, AppMode][])('the %s case compiles against it with no error', (name, module, appMode) => {
    const result = compileAppModule('mlx-0.31', { name: `lm-main-${name}`, module, sources: caseFiles(name), appMode, variant: 'lm-main' });
    expect(diagnostics(result.output).filter((line) => line.includes(': error: '))).toEqual([]);
    expect(result.status, result.output).toBe(0);
  }, 900_000);

  it('the variant is live: a switch over 3.31.4\'s three cases compiles against 3.31.4 and is refused against main', () => {
    const before = compileAppModule('mlx-0.31', { name: 'three-cases-3.31.4', module: 'Answers', sources: [THREE_CASE_SWITCH], appMode: 'strict' });
    expect(diagnostics(before.output)).toEqual([]);
    expect(before.status, before.output).toBe(0);
    const after = compileAppModule('mlx-0.31', { name: 'three-cases-main', module: 'Answers', sources: [THREE_CASE_SWITCH], appMode: 'strict', variant: 'lm-main' });
    expect(after.status).not.toBe(0);
    expect(diagnostics(after.output)).toEqual([expect.stringMatching(/^Answer\.swift:4:3: error: switch must be exhaustive/)]);
  }, 900_000);
});
