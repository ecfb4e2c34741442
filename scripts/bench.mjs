#!/usr/bin/env node
// Wall-clock benchmark of memtier's commands as a user runs them (a new Node process each time),
// for the targets in the patch issue: `patch` on a real app file under 1 s and at most 2.5x
// `memtier --version`; `check` with `evaluator.source` at most 1.5x `check` without it.
// These machines are shared and noisy: compare the ratios of one run, not absolute times.
//
//   npm run build && node scripts/bench.mjs [RUNS]      (default 7 runs each; medians printed)
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const bin = join(repo, 'bin', 'memtier.js');
const runs = Number(process.argv[2] ?? 7);
const work = mkdtempSync(join(tmpdir(), 'memtier-bench-'));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median wall time in ms of `node bin/memtier.js ...args` in `cwd`, with its last exit code. */
function time(args, cwd) {
  const times = [];
  let status;
  for (let index = 0; index < runs; index++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    status = result.status;
  }
  return { ms: median(times), status };
}

try {
  // An app folder: the shipped policy pointed at the real VLMEval file, and one without the pointer.
  const app = join(work, 'app');
  mkdirSync(join(app, 'VLMEval'), { recursive: true });
  const policy = readFileSync(join(repo, 'tiers.yaml'), 'utf8');
  writeFileSync(join(app, 'with.yaml'), policy.replace('  mlxApi: gpu\n', '  mlxApi: gpu\n  source: VLMEval/ContentView.swift\n'));
  writeFileSync(join(app, 'without.yaml'), policy);
  const files = {
    'VLMEval 44b14cf (490 lines)': join(repo, 'test/fixtures/real/vlmeval-44b14cf/ContentView.swift'),
    'wank125 fork c09ef38 (748 lines)': join(repo, 'test/fixtures/real/wank125-c09ef38/ContentView.swift'),
  };
  // As in an app's CI: the evaluator already patched, generated/ up to date (exit 0 expected).
  cpSync(Object.values(files)[0], join(app, 'VLMEval', 'ContentView.swift'));
  spawnSync(process.execPath, [bin, 'patch', '--write', 'VLMEval/ContentView.swift'], { cwd: app });
  for (const name of ['with', 'without']) spawnSync(process.execPath, [bin, 'generate', '--config', `${name}.yaml`, '--out', `generated-${name}`], { cwd: app });

  const version = time(['--version'], app);
  console.log(`memtier --version                      ${version.ms.toFixed(0).padStart(6)} ms`);
  for (const [name, file] of Object.entries(files)) {
    const copy = join(work, 'ContentView.swift');
    cpSync(file, copy);
    const patch = time(['patch', copy], work);
    console.log(`memtier patch, ${name.padEnd(32)} ${patch.ms.toFixed(0).padStart(6)} ms  (${(patch.ms / version.ms).toFixed(2)}x --version, exit ${patch.status})`);
  }
  const without = time(['check', '--config', 'without.yaml', '--out', 'generated-without'], app);
  const withSource = time(['check', '--config', 'with.yaml', '--out', 'generated-with'], app);
  console.log(`memtier check, no evaluator.source     ${without.ms.toFixed(0).padStart(6)} ms  (exit ${without.status})`);
  console.log(`memtier check, evaluator.source set    ${withSource.ms.toFixed(0).padStart(6)} ms  (${(withSource.ms / without.ms).toFixed(2)}x without, exit ${withSource.status})`);
  console.log(`(${runs} runs each, medians; Node ${process.version})`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
