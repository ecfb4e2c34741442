import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // CLI tests spawn node and parse Swift with a wasm grammar: allow for a slow shared machine.
    testTimeout: 30_000,
  },
});
