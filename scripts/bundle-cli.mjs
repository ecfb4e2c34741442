#!/usr/bin/env node
// Bundles the CLI (dist/cli/main.js and what it imports) with esbuild into one CommonJS file,
// dist/bundle/memtier.cjs, so that Node reads one file instead of hundreds (zod alone is 226
// modules), and so that bin/load-cli.js can compile it from V8's code cache. Then it runs `check` on
// the shipped policy once, in a new process, to write that cache. Run by `npm run build` after tsc.
//
// The modules that only some commands need stay in node_modules and load when those commands run:
// ts-morph (tiers.config.ts), prettier (Markdown and the JSON Schema), web-tree-sitter and its Swift
// grammar (patch, check with evaluator.source), and handlebars' compiler (custom templates).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { BUNDLE } from '../bin/load-cli.js';

const root = fileURLToPath(new URL('..', import.meta.url));
rmSync(fileURLToPath(new URL('../dist/bundle/', import.meta.url)), { recursive: true, force: true });
await build({
  entryPoints: [fileURLToPath(new URL('../dist/cli/main.js', import.meta.url))],
  outfile: BUNDLE,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['ts-morph', 'prettier', 'web-tree-sitter', 'handlebars'],
  // handlebars/runtime.js is part of the bundle; only the full handlebars (the compiler) is external.
  plugins: [{
    name: 'handlebars-runtime-inside',
    setup(builder) {
      builder.onResolve({ filter: /^handlebars\/runtime(\.js)?$/ }, async (args) => {
        const resolved = await builder.resolve('./node_modules/handlebars/runtime.js', { resolveDir: root, kind: args.kind });
        return { path: resolved.path };
      });
    },
  }],
  // The modules find memtier's files from import.meta.url; the bundle sits at the same depth
  // (dist/bundle/ as dist/package/), so its own URL serves.
  define: { 'import.meta.url': '__memtierBundleUrl' },
  banner: { js: "const __memtierBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
  legalComments: 'none',
  // Less for V8 to parse on every start; names are kept, so a --debug stack trace still reads.
  minifyWhitespace: true,
  minifySyntax: true,
});

// The code cache holds the functions a run compiled: a first run of `check` on the shipped policy,
// in a new process, writes it (bin/load-cli.js) with the functions that Xcode's build phase and CI
// run most. `check` only reads; its output is not wanted here.
spawnSync(process.execPath, [fileURLToPath(new URL('../bin/memtier.js', import.meta.url)), 'check', '--config', 'tiers.yaml'], { cwd: root, stdio: 'ignore' });
