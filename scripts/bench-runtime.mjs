#!/usr/bin/env node
// What memtier's policy buys a user, measured on the simulated iPhone (test/swift/sim/): the
// design document's app with its hand-written policy, and the same class after `memtier patch`,
// through the same sessions on every catalog device. Writes docs/runtime-benchmark.md and its
// chart, docs/runtime-benchmark.svg, and prints the page.
//
//   npm run bench:runtime [-- --sessions N] [-- --answers N]     (default 5 sessions of 20 questions)
//
// The benchmark's code is TypeScript next to the simulation (test/swift/sim/bench.ts); esbuild
// bundles it beside test/swift/harness.ts, whose paths it shares, runs it, and removes the bundle.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { sessions: { type: 'string', default: '5' }, answers: { type: 'string', default: '20' } } });
const repo = fileURLToPath(new URL('..', import.meta.url));
const bundle = `${repo}test/swift/.bench-runtime.mjs`;
await build({
  entryPoints: [`${repo}test/swift/sim/bench.ts`], bundle: true, platform: 'node', format: 'esm', packages: 'external',
  outfile: bundle, logLevel: 'error', absWorkingDir: repo,
});
try {
  const { benchRuntime } = await import(pathToFileURL(bundle).href);
  process.stdout.write(await benchRuntime({ sessions: Number(values.sessions), answers: Number(values.answers) }));
} finally {
  rmSync(bundle, { force: true });
}
