/**
 * The simulated iPhone (test/swift/sim/, docs/simulation.md): memtier's generated monitor and
 * extension, and the patched evaluator classes of the corpus, run unchanged against the stand-in
 * MLX libraries on a deterministic phone (one thread at a time, virtual time, a seed for every
 * choice), through thousands of seeded runs of app use across every catalog device, its tier and
 * both MLX eras, with issue 25's invariants checked after every step. A broken invariant fails
 * with the run's seed, device, tier, era and step, and the shortest list of actions found that
 * still breaks it, replayable with one command:
 *
 *   MEMTIER_SIM_REPLAY='<the spec printed>' npx vitest run test/swift/simulation.test.ts
 *
 * MEMTIER_SIM_SEED sets the base seed (default 25), MEMTIER_SIM_RUNS the runs per device and app
 * in each era (default 8).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { swiftSkipped, type MlxEra } from './harness.js';
import {
  buildSimulation, runSimulations, SIM_APPS, simulationPolicy, type RunResult, type RunSpec, type SimApp, type SimulationPackage,
} from './sim/package.js';
import { REGRESSIONS } from './sim/regressions.js';
import { worldInput } from './sim/world-input.js';

const ERAS: MlxEra[] = ['mlx-0.29', 'mlx-0.30'];
const BASE_SEED = Number(process.env.MEMTIER_SIM_SEED ?? 25);
const RUNS_PER_DEVICE = Number(process.env.MEMTIER_SIM_RUNS ?? 8);
const REPLAY = process.env.MEMTIER_SIM_REPLAY;

/** A seed for run `index` of `app` on `device`, from the base seed (FNV-1a). */
function seedFor(...parts: (string | number)[]): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(`${BASE_SEED}/${parts.join('/')}`)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

/** The runs of one era: every catalog device in its own tier, each app memtier manages, with and without the entitlement. */
function seededSpecs(era: MlxEra, runs: number, apps: readonly SimApp[] = SIM_APPS.filter((app) => app.managed)): RunSpec[] {
  const input = worldInput(simulationPolicy(era));
  return apps.flatMap((app) => input.devices.flatMap((device) => Array.from({ length: runs }, (_, index) => ({
    seed: seedFor(era, app.name, device.name, index), device: device.name, tier: device.tier, app: app.name, era,
    entitled: index % 2 === 0 ? input.increasedMemoryLimit : !input.increasedMemoryLimit,
  }))));
}

function describeRun(result: RunResult): string {
  const { spec, violation } = result;
  const where = violation ? `, step ${violation.step} at ${(violation.atMilliseconds / 1000).toFixed(3)} s` : '';
  return `seed ${spec.seed}, device ${spec.device}, tier ${spec.tier}, era ${spec.era}, app ${spec.app}, entitlement ${spec.entitled ? 'yes' : 'no'}${where}`;
}

function replayCommand(spec: RunSpec): string {
  return `MEMTIER_SIM_REPLAY='${JSON.stringify(spec)}' npx vitest run test/swift/simulation.test.ts`;
}

describe.skipIf(swiftSkipped)('the simulated iPhone', () => {
  const packages = new Map<MlxEra, SimulationPackage>();
  const run = (era: MlxEra, specs: RunSpec[], flags: string[] = [], tag = 'run') =>
    runSimulations(packages.get(era)!, simulationPolicy(era), specs, flags, 'debug', tag);

  beforeAll(async () => {
    for (const era of REPLAY ? [JSON.parse(REPLAY).era as MlxEra] : ERAS) {
      const built = await buildSimulation({ era }, 'debug');
      if (built.build.status !== 0) throw new Error(`the ${era} simulation does not build:\n${built.build.output}`);
      packages.set(era, built);
    }
  }, 1_200_000);

  it.runIf(REPLAY)('replays one run and prints its trace', async () => {
    const spec = JSON.parse(REPLAY!) as RunSpec;
    const output = await run(spec.era as MlxEra, [spec], ['--trace'], 'replay');
    const [result] = output.results;
    expect(result, output.stderr).toBeDefined();
    console.log([`${describeRun(result!)}:`, ...(result!.trace ?? [])].join('\n'));
    expect(result!.violation, result!.violation?.detail).toBeUndefined();
  }, 300_000);

  it.skipIf(REPLAY)('is a pure function of its spec: the same trace twice in one process, and in another process', async () => {
    const specs = seededSpecs('mlx-0.29', 1).filter((_, index) => index % 3 === 0);
    const [first, second] = await Promise.all([run('mlx-0.29', specs, ['--twice'], 'twice'), run('mlx-0.29', specs, [], 'again')]);
    expect(first.status, first.stderr).toBe(0);
    // Every run ran, and checked something: an empty output would pass everything below.
    expect(specs.length).toBeGreaterThan(0);
    expect(first.results.length, first.stderr).toBe(specs.length);
    expect(second.results.length, second.stderr).toBe(specs.length);
    expect(first.results.every((result) => result.invariantChecks > 0), 'every run (of a managed app) checked its invariants').toBe(true);
    expect(first.mismatches.map((mismatch) => describeRun({ spec: mismatch.spec } as RunResult))).toEqual([]);
    expect(second.results.map((result) => result.traceDigest)).toEqual(first.results.map((result) => result.traceDigest));
    expect(first.results.every((result) => result.metrics.wallClockSleeps === 0), 'no real-clock sleep in the generated runtime').toBe(true);
  }, 600_000);

  it.skipIf(REPLAY)(`thousands of seeded runs across every catalog device and both MLX eras break no invariant (${RUNS_PER_DEVICE} runs per device and app, base seed ${BASE_SEED})`, async () => {
    const started = Date.now();
    const outputs = await Promise.all(ERAS.map(async (era) => {
      const managed = seededSpecs(era, RUNS_PER_DEVICE);
      const originals = seededSpecs(era, 1, SIM_APPS.filter((app) => !app.managed));
      const specs = [...managed, ...originals];
      return { era, specs, output: await run(era, specs, [], 'seeded') };
    }));
    const results = outputs.flatMap(({ output }) => output.results);
    for (const { era, output } of outputs) expect(output.status, `${era}: ${output.stderr}`).toBe(0);
    // Every run ran, and checked something: an empty output would break no invariant.
    for (const { era, specs, output } of outputs) {
      expect(specs.length, era).toBeGreaterThan(0);
      expect(output.results.length, `${era}: ${output.stderr}`).toBe(specs.length);
    }
    const checks = results.reduce((total, result) => total + result.invariantChecks, 0);
    console.log(`simulated iPhone: ${results.length} simulations (${results.filter((result) => SIM_APPS.find((app) => app.name === result.spec.app)?.managed).length} of memtier-managed apps), ${checks} invariant checks, ${results.reduce((total, result) => total + result.steps, 0)} steps, in ${((Date.now() - started) / 1000).toFixed(1)} s (base seed ${BASE_SEED})`);
    expect(checks).toBeGreaterThan(0);
    // The invariants are memtier's promises: they are checked in the runs of the apps it manages.
    const managed = (result: RunResult) => SIM_APPS.find((app) => app.name === result.spec.app)?.managed;
    expect(results.filter((result) => managed(result) && result.invariantChecks === 0).map(describeRun), 'runs of a managed app that checked no invariant').toEqual([]);
    expect(results.filter((result) => result.leftover).map((result) => `${describeRun(result)}: ${result.leftover}`)).toEqual([]);

    const broken = results.filter((result) => result.violation);
    if (broken.length === 0) return;
    // The first failing run of each app and invariant, per era, shrunk to its shortest form.
    const firsts = new Map<string, RunResult>();
    for (const result of broken) firsts.set(`${result.spec.era}/${result.spec.app}/${result.violation!.invariant}`, firsts.get(`${result.spec.era}/${result.spec.app}/${result.violation!.invariant}`) ?? result);
    const reports: string[] = [];
    for (const era of ERAS) {
      const failing = [...firsts.values()].filter((result) => result.spec.era === era).slice(0, 8);
      if (failing.length === 0) continue;
      const shrunk = await run(era, failing.map((result) => result.spec), ['--shrink'], 'shrink');
      for (const item of shrunk.shrunk) {
        const result = item.result!;
        reports.push([
          `${result.violation?.invariant ?? '?'}: ${result.violation?.detail ?? ''}`,
          `  ${describeRun(result)}`,
          `  shortest list of actions found (${item.spec.events?.length ?? 0} actions, ${item.runs} runs to shrink it): ${JSON.stringify(item.spec.events)}`,
          `  replay: ${replayCommand(item.spec)}`,
          ...(result.trace ?? []).map((line) => `    ${line}`),
        ].join('\n'));
      }
    }
    const counts = [...new Set(broken.map((result) => result.violation!.invariant))].map((invariant) => `${broken.filter((result) => result.violation!.invariant === invariant).length} x ${invariant}`);
    expect.fail(`${broken.length} of ${results.length} simulations broke an invariant (${counts.join('; ')}):\n\n${reports.join('\n\n')}`);
  }, 1_200_000);

  describe.skipIf(REPLAY)('a scripted run for each defect of issue 25, in both eras', () => {
    const results = new Map<string, RunResult>();
    beforeAll(async () => {
      await Promise.all(ERAS.map(async (era) => {
        const output = await run(era, REGRESSIONS.map((regression) => ({ ...regression.spec, era })), ['--trace'], 'regressions');
        if (output.status !== 0) throw new Error(output.stderr);
        if (output.results.length !== REGRESSIONS.length) throw new Error(`${era}: ${output.results.length} results for ${REGRESSIONS.length} regressions\n${output.stderr}`);
        output.results.forEach((result, index) => results.set(`${era}/${REGRESSIONS[index]!.name}`, result));
      }));
    }, 600_000);

    it.each(REGRESSIONS.flatMap((regression) => ERAS.map((era) => ({ era, regression, label: `${era}: ${regression.name}` }))))('$label', ({ era, regression }) => {
      const result = results.get(`${era}/${regression.name}`)!;
      const problems = regression.check(result);
      expect(problems, [describeRun(result), `replay: ${replayCommand(result.spec)}`, ...(result.trace ?? [])].join('\n')).toEqual([]);
    });
  });
});
