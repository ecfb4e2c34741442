#!/usr/bin/env node
// Bundles the CLI (dist/cli/main.js and what it imports) into dist/bundle/ with esbuild, one chunk
// per command plus shared chunks, so that Node resolves and reads a handful of files instead of
// hundreds (zod alone is 226 modules). Run by `npm run build` after tsc. The modules that only some
// commands need stay in node_modules and load when those commands run: ts-morph (tiers.config.ts),
// prettier (Markdown and the JSON Schema), web-tree-sitter and its Swift grammar (patch, check with
// evaluator.source), and handlebars' compiler (custom templates).
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const outdir = new URL('../dist/bundle/', import.meta.url).pathname;
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [new URL('../dist/cli/main.js', import.meta.url).pathname],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['ts-morph', 'prettier', 'web-tree-sitter', 'tree-sitter-wasms', 'handlebars'],
  // handlebars/runtime.js is part of the bundle; only the full handlebars (the compiler) is external.
  plugins: [{
    name: 'handlebars-runtime-inside',
    setup(builder) {
      builder.onResolve({ filter: /^handlebars\/runtime(\.js)?$/ }, async (args) => {
        const resolved = await builder.resolve('./node_modules/handlebars/runtime.js', { resolveDir: new URL('..', import.meta.url).pathname, kind: args.kind });
        return { path: resolved.path };
      });
    },
  }],
  // Bundled CommonJS modules may require Node's built-ins; an ES module has no `require` of its own.
  banner: { js: "import { createRequire as __memtierCreateRequire } from 'node:module';\nconst require = __memtierCreateRequire(import.meta.url);" },
  logLevel: 'warning',
  legalComments: 'none',
  // Less for V8 to parse on every start; names are kept, so a --debug stack trace still reads.
  minifyWhitespace: true,
  minifySyntax: true,
});
