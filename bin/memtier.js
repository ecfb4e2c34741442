#!/usr/bin/env node
// `memtier --version` and `memtier --help` answer before anything else loads: Xcode and CI call
// them often, and they need only package.json and the help text. dist/cli/main.js answers the same
// way when memtier is called as a library (and for `memtier COMMAND --help`).
import { readFileSync } from 'node:fs';

const [first, ...rest] = process.argv.slice(2);
if (rest.length === 0 && (first === '--version' || first === '-v')) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else if (rest.length === 0 && (first === '--help' || first === '-h')) {
  process.stdout.write((await import('../dist/cli/help.js')).MAIN_HELP);
} else {
  await run();
}

async function run() {
  // The CLI bundled by esbuild into one file (scripts/bundle-cli.mjs), compiled from V8's code cache.
  const { loadCli } = await import('./load-cli.js');
  const { cli, saveCompileCache } = loadCli();

  // A reader that stops early (`memtier devices | head`) is not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }

  // Only `watch` runs until interrupted; every other command keeps Node's default Ctrl-C behaviour.
  const interrupted =
    process.argv[2] === 'watch'
      ? new Promise((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        })
      : undefined;

  process.exitCode = await cli.main(process.argv.slice(2), {
    cwd: process.cwd(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    interrupted,
  });
  saveCompileCache();
}
