/**
 * `memtier check`: does the committed Swift match the policy, and does the app's evaluator still
 * leave memory decisions to the generated code? Writes nothing.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import { countPendingChanges, isUpToDate } from '../../output/plan-output.js';
import { ExitCode, UsageError, type CliIO } from '../io.js';
import { displayPathOf, invalidPolicyLine, policyFolder, type PolicySource } from '../load-policy-file.js';
import { acknowledgedSummary } from '../../diagnostics/acknowledge.js';
import { githubAnnotation } from '../../diagnostics/format.js';
import { printReport, type CheckReport } from '../json-report.js';
import { printDiagnostics } from '../report-format.js';
import { expectedOutputDirectory } from '../output-folder.js';
import { planGeneration, type PlannedGeneration, type GenerationOptions } from '../plan-generation.js';

/** Runs `check`; 0 when up to date, 1 when not (or the evaluator regressed), 2 for an invalid policy. */
export async function checkCommand(io: CliIO, options: GenerationOptions): Promise<number> {
  const format = options.format ?? 'text';
  const { loaded, run, acknowledged } = await planGeneration(io, options);
  if (!run) {
    printDiagnostics(io, format, loaded.diagnostics);
    if (format === 'json') printReport<CheckReport>(io, { command: 'check', status: 'invalid', exitCode: ExitCode.invalidInput, policy: loaded.displayPath, outputDirectory: expectedOutputDirectory(io, loaded, options.out), diagnostics: loaded.diagnostics, acknowledged, files: [], orphans: [] });
    else if (format !== 'github') io.stderr(invalidPolicyLine(loaded));
    return ExitCode.invalidInput;
  }
  const regressions = await evaluatorRegressions(io, run.source);
  const diagnostics = [...loaded.diagnostics, ...regressions];
  const upToDate = isUpToDate(run.plan);
  const exitCode = upToDate && regressions.length === 0 ? ExitCode.ok : ExitCode.outOfDate;
  if (format === 'json') {
    printReport<CheckReport>(io, {
      command: 'check',
      status: exitCode === ExitCode.ok ? 'ok' : 'out-of-date',
      exitCode,
      policy: run.source.displayPath,
      outputDirectory: run.displayDirectory,
      diagnostics,
      acknowledged,
      files: run.plan.files.map((file) => ({ path: join(run.displayDirectory, file.path), status: file.status })),
      orphans: run.plan.orphans.map((orphan) => join(run.displayDirectory, orphan.path)),
    });
    return exitCode;
  }
  printDiagnostics(io, format, diagnostics);
  io.stderr(acknowledgedSummary(acknowledged, run.source.displayPath));
  if (format === 'github') printStaleAnnotations(io, run);
  if (regressions.length > 0 && format !== 'github') {
    const shown = regressions[0]!.file;
    const places = `${regressions.length} place${regressions.length === 1 ? '' : 's'}`;
    // With className: null there is no class for patch to move: the fix is MemoryPolicy, by hand.
    const fix = run.source.policy.evaluator?.className === null
      ? 'call `MemoryPolicy.current.applyLimits()` there instead (docs/generated-swift.md, "Without a VLMEval-shaped class")'
      : `\`npx memtier patch ${shown}\` moves it onto the generated code, or says why not`;
    io.stderr(`memtier: ${shown} handles memory outside the generated code (${places}); ${fix}\n`);
  }
  await reportOutput(io, run, options, format);
  return exitCode;
}

/** The app evaluator's regressions (evaluator.source in the policy), as diagnostics. */
async function evaluatorRegressions(io: CliIO, source: PolicySource): Promise<Diagnostic[]> {
  const file = source.policy.evaluator?.source;
  if (file === undefined) return [];
  const path = resolve(policyFolder(source), file);
  const shown = displayPathOf(io.cwd, path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${source.displayPath}: evaluator.source names ${shown}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  // The Swift grammar loads only for a policy that names the evaluator.
  const { findRegressions } = await import('../../patch/evaluator-regressions.js');
  return findRegressions(text, shown, { className: source.policy.evaluator?.className });
}

function printStaleAnnotations(io: CliIO, run: PlannedGeneration): void {
  for (const file of run.plan.files.filter((candidate) => candidate.status !== 'unchanged')) {
    const path = join(run.displayDirectory, file.path);
    const message = file.status === 'new' ? 'missing' : file.status === 'conflict' ? 'exists but was not written by memtier' : 'out of date';
    io.stdout(`${githubAnnotation({ severity: 'error', file: path, message: `${path} is ${message} with ${run.source.displayPath}; run npx memtier generate` }, 'memtier check')}\n`);
  }
  for (const orphan of run.plan.orphans) {
    const path = join(run.displayDirectory, orphan.path);
    io.stdout(`${githubAnnotation({ severity: 'error', file: path, message: `${path} is no longer generated; run npx memtier generate` }, 'memtier check')}\n`);
  }
}

async function reportOutput(io: CliIO, run: PlannedGeneration, options: GenerationOptions, format: 'text' | 'github' | 'xcode'): Promise<void> {
  const { plan, displayDirectory, source } = run;
  if (isUpToDate(plan)) {
    io.stdout(`${displayDirectory} matches ${source.displayPath} (${plan.files.length} files)\n`);
    return;
  }
  const command = ['npx memtier generate', ...(options.config ? [`--config ${options.config}`] : []), ...(options.out ? [`--out ${options.out}`] : [])].join(' ');
  // The diff library loads only when there is something to show.
  const { formatCheckReport, staleFileDiagnostics } = await import('../../output/check-report.js');
  // One located error per stale file, so that Xcode lists each; the annotations say the same for GitHub.
  if (format !== 'github') printDiagnostics(io, format, staleFileDiagnostics(plan, displayDirectory, source.displayPath, command));
  // A terminal also gets the diff; Xcode's log would only bury the errors under it.
  if (format !== 'xcode') io.stdout(formatCheckReport(plan, displayDirectory, source.displayPath));
  const count = countPendingChanges(plan);
  const conflicts = plan.files.filter((file) => file.status === 'conflict').length;
  const force = conflicts > 0 ? ` (${conflicts} of them ${conflicts === 1 ? 'was' : 'were'} not written by memtier: move ${conflicts === 1 ? 'it' : 'them'} away, or add --force)` : '';
  io.stderr(`memtier: ${displayDirectory} is out of date with ${source.displayPath}; run \`${command}\` to update ${count} file${count === 1 ? '' : 's'}${force}\n`);
}
