// Loads the bundled CLI (dist/bundle/memtier.cjs, made by scripts/bundle-cli.mjs) with V8's code
// cache. Compiling the bundle's JavaScript is most of what `memtier check` costs beyond Node's own
// start-up; with the cache, V8 reads the functions compiled on an earlier run instead of compiling
// them again. Node 20 has no built-in code cache for modules (module.enableCompileCache is Node 22),
// so this does what that does, for one CommonJS file: compile it with vm.Script and `cachedData`.
//
// The cache file is named for the Node version and CPU, since V8 rejects data made by another. The
// build writes one (scripts/bundle-cli.mjs); when it is missing or rejected (another Node), the
// first run writes one beside the bundle, best effort. MEMTIER_NO_COMPILE_CACHE=1 turns it off.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

export const BUNDLE = fileURLToPath(new URL('../dist/bundle/memtier.cjs', import.meta.url));
export const COMPILE_CACHE = `${BUNDLE}.${process.version}-${process.arch}.v8cache`;

/** The CLI's exports, and a function that saves the code cache if this run could not use one. */
export function loadCli() {
  const useCache = process.env.MEMTIER_NO_COMPILE_CACHE !== '1';
  let cachedData;
  if (useCache) {
    try {
      cachedData = readFileSync(COMPILE_CACHE);
    } catch {
      cachedData = undefined;
    }
  }
  const script = new vm.Script(Module.wrap(readFileSync(BUNDLE, 'utf8')), { filename: BUNDLE, cachedData });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(BUNDLE), module, BUNDLE, dirname(BUNDLE));
  const usedCache = cachedData !== undefined && !script.cachedDataRejected;
  return {
    cli: module.exports,
    /** Writes the code cache (with every function compiled so far) when this run had none. */
    saveCompileCache() {
      if (!useCache || usedCache) return;
      const temporary = `${COMPILE_CACHE}.${process.pid}.tmp`;
      try {
        writeFileSync(temporary, script.createCachedData());
        renameSync(temporary, COMPILE_CACHE);
      } catch {
        // A read-only install runs without the cache; that is only slower.
        rmSync(temporary, { force: true });
      }
    },
  };
}
