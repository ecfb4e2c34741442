/**
 * `memtier generate`: write the Swift for the policy, touching only files whose bytes change.
 */
import { join } from 'node:path';
import { OutputError } from '../../output/output-error.js';
import { writeOutput } from '../../output/write-output.js';
import { ExitCode, type CliIO } from '../io.js';
import { githubAnnotation } from '../../diagnostics/format.js';
import { printReport, type GenerateReport } from '../json-report.js';
import { acknowledgedSummary } from '../../diagnostics/acknowledge.js';
import { printDiagnostics } from '../report-format.js';
import { expectedOutputDirectory } from '../output-folder.js';
import { planGeneration, type GenerationOptions } from '../plan-generation.js';
import { invalidPolicyLine } from '../load-policy-file.js';

/** Options of `memtier generate`. */
export interface GenerateCommandOptions extends GenerationOptions {
  /** Overwrite same-named files that memtier did not write. */
  force?: boolean;
}

/** Runs `generate`; returns the exit code. */
export async function generateCommand(io: CliIO, options: GenerateCommandOptions): Promise<number> {
  const format = options.format ?? 'text';
  const { loaded, run, acknowledged } = await planGeneration(io, options);
  printDiagnostics(io, format, loaded.diagnostics);
  if (format !== 'json') io.stderr(acknowledgedSummary(acknowledged, loaded.displayPath));
  if (!run) {
    if (format === 'json') printReport<GenerateReport>(io, { command: 'generate', status: 'invalid', exitCode: ExitCode.invalidInput, policy: loaded.displayPath, outputDirectory: expectedOutputDirectory(io, loaded, options.out), diagnostics: loaded.diagnostics, acknowledged, files: [] });
    else if (format !== 'github') io.stderr(invalidPolicyLine(loaded));
    return ExitCode.invalidInput;
  }
  let changes;
  try {
    changes = await writeOutput(run.plan, { force: options.force ?? false });
  } catch (error) {
    if (!(error instanceof OutputError) || format === 'text' || format === 'xcode') throw error;
    // In CI formats a refusal (a hand-written file in the way) is reported in that format too.
    const conflicts = run.plan.files.filter((file) => file.status === 'conflict').map((file) => join(run.displayDirectory, file.path));
    const wrote = error.partial ? 'some files were already replaced' : 'nothing was written';
    if (format === 'github') {
      const places = conflicts.length > 0 && !options.force ? conflicts : [undefined];
      for (const file of places) io.stdout(`${githubAnnotation({ severity: 'error', file: file ?? run.displayDirectory, message: `${error.message}; ${wrote}` }, 'memtier generate')}\n`);
    } else {
      printReport<GenerateReport>(io, { command: 'generate', status: 'refused', exitCode: ExitCode.invalidInput, policy: loaded.displayPath, outputDirectory: run.displayDirectory, diagnostics: [{ severity: 'error', file: conflicts[0] ?? run.displayDirectory, message: `${error.message}; ${wrote}` }], files: [] });
    }
    return ExitCode.invalidInput;
  }
  if (format === 'json') {
    printReport<GenerateReport>(io, {
      command: 'generate',
      status: 'ok',
      exitCode: ExitCode.ok,
      policy: loaded.displayPath,
      outputDirectory: run.displayDirectory,
      diagnostics: loaded.diagnostics,
      acknowledged,
      files: changes.map((change) => ({ path: join(run.displayDirectory, change.path), action: change.action })),
    });
    return ExitCode.ok;
  }
  for (const change of changes) {
    io.stdout(`${change.action === 'removed' ? 'removed' : 'wrote'} ${join(run.displayDirectory, change.path)}\n`);
  }
  if (changes.length === 0) {
    const count = run.plan.files.length;
    io.stdout(`${run.displayDirectory} is up to date with ${run.source.displayPath} (${count} file${count === 1 ? '' : 's'})\n`);
  }
  return ExitCode.ok;
}
