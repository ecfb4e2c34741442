/**
 * `memtier watch`: regenerate on every save of the policy or its custom templates, debounced.
 * An invalid intermediate state prints its errors and keeps watching; Ctrl-C exits cleanly (0).
 */
import { watch, type FSWatcher } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ExitCode, type CliIO } from '../io.js';
import { loadPolicyFile, policyFolder } from '../load-policy-file.js';
import { generateCommand } from './generate-command.js';

/** How long to wait after the last change before regenerating: editors save in bursts. */
export const DEBOUNCE_MS = 150;

/** Runs until `stop` resolves (SIGINT or SIGTERM in the CLI); returns 0. */
export async function watchCommand(io: CliIO, options: { config?: string; out?: string; stop: Promise<void> }): Promise<number> {
  let pending: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  // One watcher per folder, kept while the folder stays relevant: recreating one would miss saves.
  const watchers = new Map<string, FSWatcher>();
  const regenerate = async () => {
    await generateCommand(io, { config: options.config, out: options.out });
    await rewatch();
  };
  const schedule = () => {
    clearTimeout(pending);
    pending = setTimeout(() => {
      running = running.then(regenerate);
    }, DEBOUNCE_MS);
  };
  // The policy's folder is watched, not the file: editors often replace the file on save.
  const rewatch = async () => {
    const loaded = await loadPolicyFile(io.cwd, options.config);
    const policyPath = loaded.source?.path ?? resolve(io.cwd, options.config ?? loaded.displayPath);
    const folders = new Set([dirname(policyPath)]);
    const templates = loaded.source?.policy.output.templates;
    if (loaded.source && templates) folders.add(resolve(policyFolder(loaded.source), templates));
    for (const [folder, watcher] of watchers) {
      if (!folders.has(folder) && folder !== dirname(policyPath)) {
        watcher.close();
        watchers.delete(folder);
      }
    }
    for (const folder of folders) {
      if (watchers.has(folder)) continue;
      try {
        watchers.set(folder, watch(folder, (_event, name) => {
          if (name === null || /\.(ya?ml|ts|hbs)$/.test(String(name))) schedule();
        }));
      } catch {
        // A folder that does not exist yet (templates not ejected) is picked up on a later save.
      }
    }
  };
  await regenerate();
  io.stdout('watching for changes; press Ctrl-C to stop\n');
  await options.stop;
  clearTimeout(pending);
  await running;
  for (const watcher of watchers.values()) watcher.close();
  io.stdout('stopped watching\n');
  return ExitCode.ok;
}
