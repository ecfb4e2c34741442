#!/usr/bin/env node
// `npm run pack:app -- FOLDER`: packs memtier for an app repository into FOLDER (created if missing),
// as memtier-<version>.tgz. Run after `npm ci` (which builds dist/).
//
// What it leaves out, and why: the contributor scripts (`prepare` would make npm 11 ask the app
// to allow an install script, and the others need this repository), the devDependencies, and V8
// code caches (dist/bundle/*.v8cache: made for this machine's Node and CPU, useless on a Mac; the
// first run on the user's machine writes its own). It packs a staging copy with the cleaned
// package.json, so this checkout's package.json is never rewritten.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const destination = process.argv[2];
if (destination === undefined || destination.startsWith('-')) {
  process.stderr.write('usage: npm run pack:app -- FOLDER   (for example: npm run pack:app -- ../MyApp/vendor)\n');
  process.exit(2);
}
if (!existsSync(join(root, 'dist', 'bundle', 'memtier.cjs')) || !existsSync(join(root, 'dist', 'grammars', 'tree-sitter-swift.wasm'))) {
  process.stderr.write('memtier is not built here: run `npm ci` (or `npm run build`) first\n');
  process.exit(2);
}

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const { scripts: _scripts, devDependencies: _devDependencies, ...shipped } = manifest;
const stage = mkdtempSync(join(tmpdir(), 'memtier-pack-'));
try {
  for (const entry of [...manifest.files, 'README.md']) {
    cpSync(join(root, entry), join(stage, entry), { recursive: true, filter: (source) => !source.endsWith('.v8cache') && !source.endsWith('.map') });
  }
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(shipped, null, 2)}\n`);
  const folder = resolve(process.cwd(), destination);
  mkdirSync(folder, { recursive: true });
  const packed = spawnSync('npm', ['pack', '--pack-destination', folder, '--silent'], { cwd: stage, encoding: 'utf8' });
  if (packed.status !== 0) {
    process.stderr.write(packed.stderr);
    process.exit(packed.status ?? 1);
  }
  process.stdout.write(`wrote ${join(destination, packed.stdout.trim())}\n`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
