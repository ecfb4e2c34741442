#!/usr/bin/env node
// memtier's benchmark: whole processes, as Xcode's Run Script phase and CI start them. Each command
// runs RUNS times in a new Node process; the table gives the median, the spread (fastest-slowest)
// and the median as a ratio to the floor, a bare `node -e ""` run just before each run of the
// command. These machines are shared and noisy: read the ratios of one run, not absolute times.
//
//   npm run bench [-- --runs N] [-- --out FILE]     (default 9 runs; writes docs/benchmark.md)
//
// Peak memory is the process's maximum resident set size, recorded at exit by scripts/bench-rss.mjs
// (preloaded with --import) in a separate run, so that the timed runs carry nothing extra.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '9' }, out: { type: 'string', default: 'docs/benchmark.md' } } });
const repo = fileURLToPath(new URL('..', import.meta.url));
const bin = join(repo, 'bin', 'memtier.js');
const rssHook = join(repo, 'scripts', 'bench-rss.mjs');
const runs = Number(values.runs);
const work = mkdtempSync(join(tmpdir(), 'memtier-bench-'));

function summary(times) {
  const sorted = [...times].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted[sorted.length - 1] };
}

/** Wall time (ms) of one `node ...args` in `cwd`, and its exit code. */
function once(args, cwd, env = process.env) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env });
  if (result.error) throw result.error;
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, status: result.status };
}

const floorTimes = [];

/**
 * `count` runs of `node ...args` in `cwd`, each right after a run of the floor (`node -e ""`), so
 * that the ratio compares runs made under the same load: median, spread, ratio, last exit code.
 */
function time(args, cwd, count = runs, env = process.env) {
  const times = [];
  const floors = [];
  let status;
  for (let index = 0; index < count; index += 1) {
    floors.push(once(['-e', ''], cwd).ms);
    const run = once(args, cwd, env);
    times.push(run.ms);
    status = run.status;
  }
  floorTimes.push(...floors);
  const result = summary(times);
  return { ...result, ratio: result.median / summary(floors).median, status };
}

/** Peak resident memory (MiB) of one run of `node ...args` in `cwd`. */
function peakMiB(args, cwd) {
  const file = join(work, `rss-${process.hrtime.bigint()}`);
  spawnSync(process.execPath, ['--import', rssHook, ...args], { cwd, env: { ...process.env, MEMTIER_BENCH_RSS_FILE: file } });
  return Number(readFileSync(file, 'utf8')) / 1024;
}

/** A policy of `count` tiers (growing bounds and limits) with one expectation per tier. */
function syntheticPolicy(count) {
  const MiB = 1024 * 1024;
  const tiers = Array.from({ length: count }, (_, index) => ({
    name: `tier${index}`,
    ...(index < count - 1 ? { upTo: `${512 + index * 4}MiB` } : {}),
    cacheLimit: '8MiB',
    memoryLimit: index < count - 1 ? `${256 + index * 2}MiB` : null,
    maxTokens: 300 + index,
    imageSize: 224 + Math.floor(index / 16),
    keepModelLoaded: index > 0,
    aggressiveCleanup: false,
  }));
  const expectations = tiers.map((tier, index) => ({ physicalMemory: (512 + Math.min(index, count - 2) * 4) * MiB + (index === count - 1 ? 1 : 0), tier: tier.name }));
  return stringify({ tiers, expectations, output: { directory: 'generated', tests: { module: 'App', directory: 'Tests' } }, evaluator: { mlxApi: 'gpu' } });
}

const rows = [];
const format = (value) => value.toFixed(0);

try {
  // An app folder: the shipped policy, generated/ up to date, and our VLMEval-shaped app file (the
  // 44b14cf case in test/fixtures/shapes/), patched, named by evaluator.source in a second policy
  // (check then also reads the Swift).
  const app = join(work, 'app');
  mkdirSync(join(app, 'VLMEval'), { recursive: true });
  const policy = readFileSync(join(repo, 'tiers.yaml'), 'utf8');
  writeFileSync(join(app, 'tiers.yaml'), policy);
  writeFileSync(join(app, 'with-source.yaml'), policy.replace('  mlxApi: gpu\n', '  mlxApi: gpu\n  source: VLMEval/ContentView.swift\n'));
  const vlmevalCase = join(repo, 'test/fixtures/shapes/vlmeval-44b14cf/ContentView.swift');
  const caseLines = readFileSync(vlmevalCase, 'utf8').split('\n').length - 1;
  cpSync(vlmevalCase, join(app, 'VLMEval', 'ContentView.swift'));
  spawnSync(process.execPath, [bin, 'patch', '--write', 'VLMEval/ContentView.swift'], { cwd: app });
  spawnSync(process.execPath, [bin, 'generate'], { cwd: app });
  spawnSync(process.execPath, [bin, 'generate', '--config', 'with-source.yaml', '--out', 'generated-with-source'], { cwd: app });
  // diff needs a git repository whose HEAD has a different policy than the working copy.
  const git = (...args) => spawnSync('git', args, { cwd: app, encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('-c', 'user.name=bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '-m', 'policy');
  writeFileSync(join(app, 'tiers.yaml'), policy.replace('maxTokens: 800', 'maxTokens: 900'));
  spawnSync(process.execPath, [bin, 'generate'], { cwd: app });
  cpSync(vlmevalCase, join(work, 'ContentView.swift'));

  const commands = [
    ['`--version`', ['--version'], 1.3],
    ['`--help`', ['--help'], 1.3],
    ['`check`, shipped policy', ['check'], 2.0],
    ['`generate`, nothing to write', ['generate'], 2.0],
    ['`check`, evaluator.source set', ['check', '--config', 'with-source.yaml', '--out', 'generated-with-source']],
    ['`explain "iPhone 13 mini"`', ['explain', 'iPhone 13 mini']],
    ['`devices`', ['devices']],
    ['`diff` (one change against HEAD)', ['diff', '--base', 'HEAD']],
    [`\`patch\`, the VLMEval 44b14cf case (${caseLines} lines)`, ['patch', join(work, 'ContentView.swift')]],
  ];
  for (const [name, args, target] of commands) rows.push({ name, ...time([bin, ...args], app), target });
  // What V8's code cache buys (bin/load-cli.js): the same two commands compiled from source.
  const withoutCache = { ...process.env, MEMTIER_NO_COMPILE_CACHE: '1' };
  rows.splice(4, 0,
    { name: '`check`, shipped policy, without the code cache', ...time([bin, 'check'], app, runs, withoutCache) },
    { name: '`generate`, nothing to write, without the code cache', ...time([bin, 'generate'], app, runs, withoutCache) });
  rows.unshift({ name: '`node -e ""` (the floor, every run of it)', ...summary(floorTimes), ratio: 1, target: undefined, status: 0 });

  // Scaling: generate (into an empty folder) and check (up to date) with 4 to 4,000 tiers.
  const scaling = [];
  for (const count of [4, 40, 400, 4000]) {
    const folder = join(work, `tiers-${count}`);
    mkdirSync(folder);
    writeFileSync(join(folder, 'tiers.yaml'), syntheticPolicy(count));
    const generateRun = time([bin, 'generate', '--out', 'fresh'], folder, Math.max(3, Math.floor(runs / 2)));
    rmSync(join(folder, 'fresh'), { recursive: true, force: true });
    const check = time([bin, 'check', '--out', 'fresh'], folder, 1);
    spawnSync(process.execPath, [bin, 'generate'], { cwd: folder });
    const checkRun = time([bin, 'check'], folder, Math.max(3, Math.floor(runs / 2)));
    const memory = { generate: peakMiB([bin, 'generate', '--out', 'memory'], folder), check: peakMiB([bin, 'check'], folder) };
    scaling.push({ count, generate: generateRun, check: checkRun, memory, statuses: [generateRun.status, check.status, checkRun.status] });
  }

  const lines = [];
  const out = (line = '') => lines.push(line);
  out('# memtier benchmark');
  out();
  out(`Produced by \`npm run bench\` (scripts/bench.mjs): ${runs} runs per command, each a new Node process, on ${process.platform} with Node ${process.version}. Median and spread (fastest-slowest) in milliseconds; the ratio is the command's median over the median of a bare \`node -e ""\` (the floor) run just before each of its runs, so both see the same load.`);
  out();
  out('| command | median ms | spread ms | ratio to the floor | target | exit |');
  out('|---|---:|---:|---:|---|---:|');
  for (const row of rows) {
    const verdict = row.target === undefined ? '' : `${row.ratio <= row.target ? 'met' : '**missed**'}: at most ${row.target.toFixed(1)}x`;
    out(`| ${row.name} | ${format(row.median)} | ${format(row.min)}-${format(row.max)} | ${row.ratio.toFixed(2)}x | ${verdict} | ${row.status ?? ''} |`);
  }
  out();
  out('## Scaling: synthetic policies with as many expectations as tiers');
  out();
  out('| tiers | `generate` median ms | `check` median ms | `generate` peak MiB | `check` peak MiB |');
  out('|---:|---:|---:|---:|---:|');
  for (const entry of scaling) {
    out(`| ${entry.count} | ${format(entry.generate.median)} | ${format(entry.check.median)} | ${entry.memory.generate.toFixed(0)} | ${entry.memory.check.toFixed(0)} |`);
  }
  const [small, , hundreds, thousands] = scaling;
  // Linearity: the cost beyond the 4-tier run (start-up aside) should grow 10x from 400 to 4,000 tiers.
  const marginal = (entry) => entry.generate.median - small.generate.median;
  const growth = marginal(thousands) / marginal(hundreds);
  out();
  out('Targets for 4,000 tiers:');
  out(`- \`generate\` under 1 s: ${format(thousands.generate.median)} ms, ${thousands.generate.median < 1000 ? 'met' : '**missed**'}.`);
  out(`- under 200 MB peak: ${thousands.memory.generate.toFixed(0)} MiB (${(thousands.memory.generate * 1.048576).toFixed(0)} MB), ${thousands.memory.generate * 1.048576 < 200 ? 'met' : '**missed**'}.`);
  out(`- within 10% of linear from 400 tiers: the time beyond the 4-tier run grows ${growth.toFixed(2)}x for 10x the tiers, ${growth <= 11 ? 'met' : '**missed**'} (at most 11x).`);
  out(`\nExit codes of the scaling runs (generate, check of an empty folder, check): ${scaling.map((entry) => `${entry.count}: ${entry.statuses.join('/')}`).join('; ')}.`);
  const text = `${lines.join('\n')}\n`;
  process.stdout.write(text);
  if (values.out) {
    writeFileSync(join(repo, values.out), text);
    process.stderr.write(`wrote ${values.out}\n`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
