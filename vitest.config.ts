import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // CLI tests spawn node and parse Swift with a wasm grammar: allow for a slow shared machine.
    testTimeout: 30_000,
    // One test file per core (vitest's default leaves one core idle, which on these 2-core machines
    // ran the files one after another): the long files are a mix of Swift builds and plain Node
    // work. vitest starts the files that took longest in the previous run first.
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
