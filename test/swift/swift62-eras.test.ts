/**
 * The two mlx-swift-lm 2.x eras with Xcode 26's compiler: the generated files, the era's patched
 * evaluator and the generated XCTests (the stress test among them), compiled against the
 * mlx-swift 0.29.1 / mlx-swift-lm 2.29.2 and 0.30.6 / 2.30.6 stand-ins built with Swift 6.2, in
 * Swift 6 mode with `-warnings-as-errors`, with the default isolation and with the app module at
 * `-default-isolation MainActor` plus `NonisolatedNonsendingByDefault` and
 * `InferIsolatedConformances` (the test files keep the default isolation, see harness.ts). These
 * eras build and run their XCTests with Swift 6.0 in package.test.ts; the mlx-0.31 era is built
 * with Swift 6.2 both ways there.
 */
import { describe, expect, it } from 'vitest';
import type { GeneratedFile } from '../../src/render/render-files.js';
import { editedPolicy, validPolicy } from '../helpers/policy.js';
import { compileAppModule, eraEvaluatorSource, MLX_ERAS, swiftSkipped, type Isolation, type MlxEra } from './harness.js';
import { splitGenerated } from './helpers.js';

/** `file.swift:line:col: warning|error: message`, the path cut to the file name. */
function diagnostics(output: string): string[] {
  return output.split('\n').filter((line) => /:\d+:\d+: (warning|error): /.test(line)).map((line) => line.replace(/^.*\//, ''));
}

/** A class with no isolation written, read from a nonisolated function: main-actor isolation refuses it. */
const ISOLATION_PROBE: GeneratedFile = {
  path: 'Probe.swift',
  contents: 'final class Counter {\n  var count = 0\n}\n\nnonisolated func read(_ counter: Counter) -> Int {\n  counter.count\n}\n',
};

const BUILDS = (['mlx-0.29', 'mlx-0.30'] as const).flatMap((era) => (['default', 'main-actor'] as const).map((isolation) => ({ era, isolation })));

describe.skipIf(swiftSkipped)('the 2.x eras with Swift 6.2', () => {
  it.each(BUILDS)('$era, $isolation isolation: the generated files, the patched evaluator and the generated XCTests compile with no warning', ({ era, isolation }: { era: MlxEra; isolation: Isolation }) => {
    const policy = validPolicy(editedPolicy([[['evaluator', 'mlxApi'], MLX_ERAS[era].mlxApi], [['evaluator', 'clearCacheTakesLock'], MLX_ERAS[era].clearCacheTakesLock]]));
    const { module, sources, tests } = splitGenerated(policy);
    expect(tests.map((file) => file.path)).toContain('MemoryStressTest.swift');
    const evaluator = { path: 'ContentView.swift', contents: eraEvaluatorSource(era) };
    const result = compileAppModule(era, { name: `swift6.2-${isolation}`, module, sources: [...sources, evaluator], tests, appMode: 'strict', toolchain: '6.2', isolation });
    expect(diagnostics(result.output)).toEqual([]);
    expect(result.status, result.output).toBe(0);
  }, 900_000);

  it('the isolation is live: a nonisolated read of an unannotated class compiles by default and is refused with main-actor isolation', () => {
    const open = compileAppModule('mlx-0.29', { name: 'swift6.2-probe-default', module: 'Probe', sources: [ISOLATION_PROBE], appMode: 'strict', toolchain: '6.2' });
    expect(diagnostics(open.output)).toEqual([]);
    expect(open.status, open.output).toBe(0);
    const isolated = compileAppModule('mlx-0.29', { name: 'swift6.2-probe-main-actor', module: 'Probe', sources: [ISOLATION_PROBE], appMode: 'strict', toolchain: '6.2', isolation: 'main-actor' });
    expect(isolated.status).not.toBe(0);
    expect(diagnostics(isolated.output)).toEqual([expect.stringMatching(/^Probe\.swift:6:11: error: main actor-isolated property 'count' can not be referenced from a nonisolated context/)]);
  }, 900_000);
});
