/**
 * Commands that read the policy and answer questions about it: `explain` and `devices`.
 */
import { hasErrors } from '../../diagnostics/diagnostic.js';
import { devicesJson, devicesTable, REPORTED_LEGEND } from '../../reports/device-table.js';
import { explain, formatExplanation } from '../../reports/explain.js';
import { formatMarkdown, formatMarkdownTable, formatTerminalTable } from '../../reports/table.js';
import { ExitCode, UsageError, type CliIO } from '../io.js';
import { loadPolicyFile, type PolicySource } from '../load-policy-file.js';
import { printDiagnostics } from '../report-format.js';
import { invalidPolicyLine } from './shared.js';

/** Loads the policy for a read-only command, printing its problems; undefined when invalid. */
export async function readPolicy(io: CliIO, config: string | undefined): Promise<PolicySource | undefined> {
  const loaded = await loadPolicyFile(io.cwd, config);
  printDiagnostics(io, 'text', loaded.diagnostics.filter((diagnostic) => diagnostic.severity === 'error'));
  if (!loaded.source || hasErrors(loaded.diagnostics)) {
    io.stderr(invalidPolicyLine(loaded).replace('; nothing was written', ''));
    return undefined;
  }
  return loaded.source;
}

/** `memtier explain <size | device>`. */
export async function explainCommand(io: CliIO, options: { query: string; config?: string }): Promise<number> {
  const source = await readPolicy(io, options.config);
  if (!source) return ExitCode.invalidInput;
  const answer = explain(source.policy, options.query);
  if ('error' in answer) throw new UsageError(answer.error);
  io.stdout(formatExplanation(answer));
  return ExitCode.ok;
}

/** `memtier devices [--markdown | --json]`. */
export async function devicesCommand(io: CliIO, options: { config?: string; markdown?: boolean; json?: boolean }): Promise<number> {
  if (options.markdown && options.json) throw new UsageError('choose one of --markdown and --json');
  const source = await readPolicy(io, options.config);
  if (!source) return ExitCode.invalidInput;
  if (options.json) {
    io.stdout(devicesJson(source.policy));
  } else if (options.markdown) {
    const table = await formatMarkdownTable(devicesTable(source.policy));
    io.stdout(await formatMarkdown(`${table}\n${REPORTED_LEGEND}.\n`));
  } else {
    io.stdout(formatTerminalTable(devicesTable(source.policy)));
    io.stdout(`\n${REPORTED_LEGEND}\n`);
  }
  return ExitCode.ok;
}
