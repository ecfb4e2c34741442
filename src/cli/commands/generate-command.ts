/**
 * `memtier generate`: write the Swift for the policy, touching only files whose bytes change.
 */
import { join } from 'node:path';
import { writeOutput } from '../../output/write-output.js';
import { ExitCode, type CliIO } from '../io.js';
import { planRun, type RunOptions } from './shared.js';

/** Options of `memtier generate`. */
export interface GenerateCommandOptions extends RunOptions {
  /** Overwrite same-named files that memtier did not write. */
  force?: boolean;
}

/** Runs `generate`; returns the exit code. */
export async function generateCommand(io: CliIO, options: GenerateCommandOptions): Promise<number> {
  const run = await planRun(io, options);
  if (!run) return ExitCode.invalidInput;
  const changes = await writeOutput(run.plan, { force: options.force ?? false });
  for (const change of changes) {
    const verb = change.action === 'removed' ? 'removed' : 'wrote';
    io.stdout(`${verb} ${join(run.displayDirectory, change.path)}\n`);
  }
  if (changes.length === 0) {
    const count = run.plan.files.length;
    io.stdout(`${run.displayDirectory} is up to date with ${run.source.displayPath} (${count} file${count === 1 ? '' : 's'})\n`);
  }
  return ExitCode.ok;
}
