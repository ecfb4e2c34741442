/**
 * `memtier check`: does the committed Swift match the policy? Writes nothing.
 */
import { countPendingChanges, formatCheckReport } from '../../output/check-report.js';
import { isUpToDate } from '../../output/plan-output.js';
import { ExitCode, type CliIO } from '../io.js';
import { planRun, type RunOptions } from './shared.js';

/** Runs `check`; returns 0 when up to date, 1 when not, 2 for an invalid policy. */
export async function checkCommand(io: CliIO, options: RunOptions): Promise<number> {
  const run = await planRun(io, options);
  if (!run) return ExitCode.invalidInput;
  const { plan, displayDirectory, source } = run;
  if (isUpToDate(plan)) {
    io.stdout(`${displayDirectory} matches ${source.displayPath} (${plan.files.length} files)\n`);
    return ExitCode.ok;
  }
  io.stdout(formatCheckReport(plan, displayDirectory, source.displayPath));
  const count = countPendingChanges(plan);
  const command = ['npx memtier generate', ...(options.config ? [`--config ${options.config}`] : []), ...(options.out ? [`--out ${options.out}`] : [])].join(' ');
  const conflicts = plan.files.filter((file) => file.status === 'conflict').length;
  const force = conflicts > 0 ? ` (${conflicts} of them ${conflicts === 1 ? 'was' : 'were'} not written by memtier: move ${conflicts === 1 ? 'it' : 'them'} away, or add --force)` : '';
  io.stderr(`memtier: ${displayDirectory} is out of date with ${source.displayPath}; run \`${command}\` to update ${count} file${count === 1 ? '' : 's'}${force}\n`);
  return ExitCode.outOfDate;
}
