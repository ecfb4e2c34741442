#!/usr/bin/env node
// Puts the one tree-sitter grammar memtier uses, Swift's, into dist/grammars/, so that the package
// ships 3 MB of grammar instead of depending on tree-sitter-wasms and its 36 grammars (50 MB). Run
// by `npm run build`; tree-sitter-wasms is a devDependency for this step alone.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const folder = new URL('../dist/grammars/', import.meta.url);
mkdirSync(folder, { recursive: true });
copyFileSync(require.resolve('tree-sitter-wasms/out/tree-sitter-swift.wasm'), new URL('tree-sitter-swift.wasm', folder));
const wasms = JSON.parse(readFileSync(require.resolve('tree-sitter-wasms/package.json'), 'utf8'));
const grammar = wasms.devDependencies['tree-sitter-swift'];
writeFileSync(new URL('NOTICE.md', folder), `# tree-sitter-swift.wasm

The Swift grammar for tree-sitter (https://github.com/alex-pinkus/tree-sitter-swift, MIT licence,
version ${grammar}), compiled to WebAssembly and published by ${wasms.name} ${wasms.version}
(${wasms.repository}, ${wasms.license}). memtier loads it with web-tree-sitter to read Swift in
\`memtier patch\` and \`memtier check\`.
`);
