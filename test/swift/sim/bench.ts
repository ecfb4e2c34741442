/**
 * What the policy buys a user, measured on the simulated iPhone (docs/runtime-benchmark.md): the
 * app the original design describes, with its hand-written policy (test/fixtures/evaluator/
 * ContentView.swift: 4 GB phones classed as low memory, the model released after every answer, a
 * Thread.sleep clean-up loop), and the same class after `memtier patch`, each through the same
 * calm sessions of questions on every catalog device. Run by scripts/bench-runtime.mjs
 * (`npm run bench:runtime`); not a timed test.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY } from '../harness.js';
import { buildSimulation, runSimulations, simulationPolicy, type RunResult, type RunSpec } from './package.js';
import { worldInput } from './world-input.js';

const ERA = 'mlx-0.29';
const APPS = [{ name: 'design-original', label: 'original' }, { name: 'design-patched', label: 'memtier' }] as const;

/** One app's figures on one device. */
interface Figures {
  sessions: number;
  answers: number;
  loadsPer100: number;
  needlessPer100: number;
  blockedMsPerAnswer: number;
  cutShortPer100: number;
  peakShare: number;
  ended: string[];
}

function figures(results: RunResult[]): Figures {
  const sum = (pick: (result: RunResult) => number) => results.reduce((total, result) => total + pick(result), 0);
  const answers = sum((result) => result.metrics.answersCompleted);
  const per = (value: number) => (answers === 0 ? Number.NaN : value / answers);
  return {
    sessions: results.length,
    answers,
    loadsPer100: 100 * per(sum((result) => result.metrics.loadsStarted)),
    needlessPer100: 100 * per(sum((result) => result.metrics.reloadsWithoutPressure)),
    blockedMsPerAnswer: per(sum((result) => result.metrics.mainThreadBlockedNanoseconds / 1e6)),
    cutShortPer100: (100 * sum((result) => result.metrics.cutShortByPressure)) / Math.max(1, sum((result) => result.metrics.answersStarted)),
    peakShare: Math.max(...results.map((result) => result.metrics.peakFootprint / result.limit)),
    ended: results.filter((result) => result.death).map((result) => result.death!.replace(/ at \d+ MiB/, '')),
  };
}

const number = (value: number, digits = 0) => (Number.isNaN(value) ? 'n/a' : value.toFixed(digits));
const percent = (value: number) => `${Math.round(value * 100)}%`;
const ends = (figure: Figures) => (figure.ended.length === 0 ? '0' : `**${figure.ended.length}** (${[...new Set(figure.ended)].join('; ')})`);

/** A grouped bar chart (SVG) of model loads per 100 answers, by RAM sold. */
function chart(rows: { ram: number; original: number; memtier: number }[]): string {
  const width = 640;
  const height = 300;
  const top = 40;
  const bottom = 50;
  const left = 50;
  const max = Math.max(100, ...rows.flatMap((row) => [row.original, row.memtier]).filter(Number.isFinite));
  const band = (width - left - 20) / rows.length;
  const y = (value: number) => top + (height - top - bottom) * (1 - value / max);
  const bar = (x: number, value: number, color: string) =>
    Number.isFinite(value) ? `<rect x="${x.toFixed(1)}" y="${y(value).toFixed(1)}" width="${(band / 3).toFixed(1)}" height="${(y(0) - y(value)).toFixed(1)}" fill="${color}"/><text x="${(x + band / 6).toFixed(1)}" y="${(y(value) - 4).toFixed(1)}" font-size="11" text-anchor="middle">${Math.round(value)}</text>` : '';
  const groups = rows.map((row, index) => {
    const x = left + index * band + band / 6;
    return `${bar(x, row.original, '#c0504d')}${bar(x + band / 3, row.memtier, '#4f81bd')}<text x="${(x + band / 3).toFixed(1)}" y="${height - bottom + 18}" font-size="12" text-anchor="middle">${row.ram} GB</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<text x="${width / 2}" y="20" font-size="14" text-anchor="middle">Model loads per 100 answers, by the RAM the phone is sold with (simulated)</text>
<line x1="${left}" y1="${y(0)}" x2="${width - 20}" y2="${y(0)}" stroke="#333"/>
${groups.join('\n')}
<rect x="${left}" y="${height - 22}" width="12" height="12" fill="#c0504d"/><text x="${left + 18}" y="${height - 12}" font-size="12">the design document's hand-written policy</text>
<rect x="${left + 300}" y="${height - 22}" width="12" height="12" fill="#4f81bd"/><text x="${left + 318}" y="${height - 12}" font-size="12">the same class after memtier patch</text>
</svg>
`;
}

/** Runs the benchmark and writes docs/runtime-benchmark.md and docs/runtime-benchmark.svg. */
export async function benchRuntime(options: { sessions: number; answers: number }): Promise<string> {
  const policy = simulationPolicy(ERA);
  const input = worldInput(policy);
  const pkg = await buildSimulation({ era: ERA }, 'debug');
  if (pkg.build.status !== 0) throw new Error(`the simulation does not build:\n${pkg.build.output}`);
  const specs: RunSpec[] = input.devices.flatMap((device) => APPS.flatMap((app) => Array.from({ length: options.sessions }, (_, index) => ({
    seed: 1000 + index, device: device.name, tier: device.tier, app: app.name, era: ERA, entitled: input.increasedMemoryLimit, answers: options.answers,
  }))));
  const output = await runSimulations(pkg, policy, specs, [], 'debug', 'bench');
  if (output.status !== 0) throw new Error(output.stderr);
  const table = input.devices.map((device) => {
    const of = (app: string) => figures(output.results.filter((result) => result.spec.device === device.name && result.spec.app === app));
    return { device, original: of('design-original'), memtier: of('design-patched') };
  });
  const rows = table.map(({ device, original, memtier }) => `| ${device.name} | ${device.ramGB} GB | ${device.tier} | ${(device.increasedLimit / 1e9).toFixed(2)} GB${device.limitSource.startsWith('measured') ? '' : '*'} | ${number(original.loadsPer100)} / ${number(memtier.loadsPer100)} | ${number(original.needlessPer100)} / ${number(memtier.needlessPer100)} | ${number(original.blockedMsPerAnswer, 1)} / ${number(memtier.blockedMsPerAnswer, 1)} | ${number(original.cutShortPer100)} / ${number(memtier.cutShortPer100)} | ${percent(original.peakShare)} / ${percent(memtier.peakShare)} | ${ends(original)} / ${ends(memtier)} |`);
  const byRam = [...new Set(input.devices.map((device) => device.ramGB))].sort((a, b) => a - b).map((ram) => {
    const mean = (pick: (row: (typeof table)[number]) => number) => {
      const values = table.filter((row) => row.device.ramGB === ram).map(pick).filter(Number.isFinite);
      return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
    };
    return { ram, original: mean((row) => row.original.loadsPer100), memtier: mean((row) => row.memtier.loadsPer100) };
  });
  const fourGB = table.filter((row) => row.device.ramGB === 4 && row.device.name.startsWith('iPhone'));
  const margin = (100 - policy.pressure.criticalPercent) / 100;
  const target = (label: string, met: boolean, detail: string) => `- ${met ? 'met' : '**not met**'}: ${label} (${detail})`;
  const memtier4 = fourGB.map((row) => row.memtier);
  const page = `# What the policy buys a user, on the simulated iPhone

Written by \`npm run bench:runtime\` (scripts/bench-runtime.mjs, test/swift/sim/bench.ts); do not edit by hand.

The app the design document describes, with its hand-written policy (test/fixtures/evaluator/ContentView.swift:
4 GB phones classed as low memory, the model released after every answer, a \`Thread.sleep\` clean-up loop on
3 GB phones), and the same class after \`memtier patch\` with the shipped tiers.yaml, each through ${options.sessions}
calm sessions of ${options.answers} questions about pictures on every catalog device (one question every 100 to
130 seconds, other apps coming and going a little), on the simulated iPhone of [simulation.md](simulation.md),
with mlx-swift 0.29.1 and mlx-swift-lm 2.29.2 and the increased-memory-limit entitlement the policy declares. Each
cell is *original / memtier*. The figures are the simulation's, under its rules (docs/simulation.md): a phone is the
judge.

- **loads per 100 answers**: model loads for every 100 answers that ran to their end; **of which with no
  pressure**: the reloads that came with no sign of pressure since the load before (no warning, no Dispatch event
  above normal, neither the footprint nor the monitor at critical, the app never left);
- **blocked ms per answer**: main-thread time spent blocked (\`Thread.sleep\`), per answer;
- **cut short per 100**: answers stopped by the runtime, not by the user, for every 100 answers asked;
- **peak**: the highest footprint, as a share of the app's limit;
- **ended**: sessions that ended early (killed over the app's limit, or a crash);
- *n/a*: no answer ran to its end.

App limits marked * are not measured on that device: the simulation derives them (the lowest measured on a phone
with as much RAM; docs/simulation.md).

| device | RAM | memtier tier | app limit (entitled) | loads per 100 answers | of which with no pressure | blocked ms per answer | cut short per 100 | peak | ended |
|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

![Model loads per 100 answers, by RAM](runtime-benchmark.svg)

## The issue's targets on a 4 GB iPhone

${[
  target('no reload between answers under normal pressure', memtier4.every((figure) => figure.needlessPer100 === 0), `memtier: ${memtier4.map((figure) => number(figure.needlessPer100)).join(', ')} reloads with no pressure per 100 answers on the ${fourGB.length} 4 GB iPhones; the original: ${fourGB.map((row) => number(row.original.needlessPer100)).join(', ')}`),
  target('0 ms blocked on the main thread', memtier4.every((figure) => figure.blockedMsPerAnswer === 0), `memtier: at most ${number(Math.max(...memtier4.map((figure) => figure.blockedMsPerAnswer)), 1)} ms per answer`),
  target('no kill', memtier4.every((figure) => figure.ended.length === 0), `memtier: ${memtier4.reduce((total, figure) => total + figure.ended.length, 0)} sessions ended early`),
  target(`a peak within the tier's margin (under ${policy.pressure.criticalPercent}% of the limit, criticalPercent)`, memtier4.every((figure) => figure.peakShare < 1 - margin), `memtier: peaks up to ${percent(Math.max(...memtier4.map((figure) => figure.peakShare)))}`),
].join('\n')}
`;
  writeFileSync(join(REPOSITORY, 'docs', 'runtime-benchmark.md'), page);
  writeFileSync(join(REPOSITORY, 'docs', 'runtime-benchmark.svg'), chart(byRam));
  return page;
}
