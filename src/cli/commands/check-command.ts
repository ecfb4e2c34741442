/**
 * `memtier check`: does the committed Swift match the policy? Writes nothing.
 */
import { countPendingChanges, formatCheckReport } from '../../output/check-report.js';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isUpToDate } from '../../output/plan-output.js';
import { findRegressions } from '../../patch/evaluator-regressions.js';
import { ExitCode, UsageError, type CliIO } from '../io.js';
import { displayPathOf, policyFolder, type PolicySource } from '../load-policy-file.js';
import { planRun, type RunOptions } from './shared.js';

/** Runs `check`; returns 0 when up to date, 1 when not (or the evaluator regressed), 2 for an invalid policy. */
export async function checkCommand(io: CliIO, options: RunOptions): Promise<number> {
  const run = await planRun(io, options);
  if (!run) return ExitCode.invalidInput;
  const regressions = await checkEvaluatorSource(io, run.source);
  const outputStatus = reportOutput(io, run, options);
  return regressions > 0 ? ExitCode.outOfDate : outputStatus;
}

/** Prints the app evaluator's regressions (evaluator.source in the policy); returns how many. */
async function checkEvaluatorSource(io: CliIO, source: PolicySource): Promise<number> {
  const file = source.policy.evaluator?.source;
  if (file === undefined) return 0;
  const path = resolve(policyFolder(source), file);
  const shown = displayPathOf(io.cwd, path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${source.displayPath}: evaluator.source names ${shown}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const regressions = await findRegressions(text);
  for (const regression of regressions) io.stderr(`${shown}:${regression.line}:${regression.column}: error: ${regression.message}\n`);
  if (regressions.length > 0) {
    io.stderr(`memtier: ${shown} handles memory outside the generated code (${regressions.length} place${regressions.length === 1 ? '' : 's'}); \`npx memtier patch ${shown}\` rewrites the design document's old shape\n`);
  }
  return regressions.length;
}

function reportOutput(io: CliIO, run: NonNullable<Awaited<ReturnType<typeof planRun>>>, options: RunOptions): number {
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
