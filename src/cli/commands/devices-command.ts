/**
 * `memtier devices [--markdown | --json]`: every catalog device with its tier and limits.
 */
import { devicesJson, devicesTable, REPORTED_LEGEND } from '../../reports/device-table.js';
import { formatMarkdown, formatMarkdownTable, formatTerminalTable } from '../../reports/table.js';
import { ExitCode, UsageError, type CliIO } from '../io.js';
import { readValidPolicy } from '../read-valid-policy.js';

/** Runs `devices`. */
export async function devicesCommand(io: CliIO, options: { config?: string; markdown?: boolean; json?: boolean }): Promise<number> {
  if (options.markdown && options.json) throw new UsageError('choose one of --markdown and --json');
  const source = await readValidPolicy(io, options.config);
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
