#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

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

process.exitCode = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  interrupted,
});
