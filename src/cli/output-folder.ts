/**
 * Where `generate` and `check` write: `--out`, or the policy's output.directory kept inside the
 * policy's folder.
 */
import { realpath } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import { UsageError, type CliIO } from './io.js';
import { displayPathOf, policyFolder, type LoadedPolicy, type PolicySource } from './load-policy-file.js';

/** The output folder for a valid policy: `--out` as given, else output.directory, contained. */
export async function outputFolderFor(io: CliIO, source: PolicySource, out: string | undefined): Promise<string> {
  return out !== undefined ? resolve(io.cwd, out) : containedOutputFolder(source);
}

/**
 * output.directory resolved against the policy's folder, refused when a symlink on the way leads
 * outside that folder (a policy must not make memtier write elsewhere; --out is the explicit way).
 */
async function containedOutputFolder(source: PolicySource): Promise<string> {
  const folder = policyFolder(source);
  const directory = resolve(folder, source.policy.output.directory);
  await ensureInside(folder, directory, `output.directory ${source.policy.output.directory}`, source);
  const tests = source.policy.output.tests;
  // A tests folder that leads out of the output folder ("../VLMEvalTests/Generated") is held to the same rule.
  if (tests) await ensureInside(folder, resolve(directory, tests.directory), `output.tests.directory ${tests.directory}`, source);
  return directory;
}

/** Refuses `directory` when a symlink on the way to it leads outside `folder`. */
async function ensureInside(folder: string, directory: string, setting: string, source: PolicySource): Promise<void> {
  let existing = directory;
  while ((await realpath(existing).catch(() => undefined)) === undefined && dirname(existing) !== existing) existing = dirname(existing);
  const [real, base] = [await realpath(existing), await realpath(folder)];
  const inside = relative(base, real);
  if (inside.startsWith('..') || inside.startsWith(sep) || resolve(base, inside) !== real) {
    throw new UsageError(`${source.displayPath}: ${setting} leads through a symlink to ${real}, outside the policy's folder; point it inside, or pass --out explicitly`);
  }
}

/**
 * The output folder as messages show it, for a policy that is not valid: --out, else the folder the
 * schema could still read from the policy, else null (then nothing says where it would be).
 */
export function expectedOutputDirectory(io: CliIO, loaded: LoadedPolicy, out: string | undefined): string | null {
  if (out !== undefined) return displayPathOf(io.cwd, resolve(io.cwd, out));
  const readable = loaded.readable;
  return readable ? displayPathOf(io.cwd, resolve(policyFolder(readable), readable.policy.output.directory)) : null;
}
