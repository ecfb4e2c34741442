/**
 * `memtier devices [--markdown | --json]`: every catalog device with its tier and limits.
 */
import { catalogScope } from '../../devices/deployment-target.js';
import { devicesJson, devicesNotes, devicesTable } from '../../reports/device-table.js';
import { formatMarkdown, formatMarkdownTable, formatTerminalTable } from '../../reports/table.js';
import { ExitCode, UsageError, type CliIO } from '../io.js';
import { readValidPolicy } from '../read-valid-policy.js';
import { readDeploymentTarget } from '../resolve-deployment-target.js';

/** Runs `devices`. */
export async function devicesCommand(io: CliIO, options: { config?: string; markdown?: boolean; json?: boolean }): Promise<number> {
  if (options.markdown && options.json) throw new UsageError('choose one of --markdown and --json');
  const source = await readValidPolicy(io, options.config);
  if (!source) return ExitCode.invalidInput;
  const scope = catalogScope(await readDeploymentTarget(io, source));
  if (options.json) {
    io.stdout(devicesJson(source.policy, scope));
  } else if (options.markdown) {
    const table = await formatMarkdownTable(devicesTable(source.policy, scope));
    io.stdout(await formatMarkdown(`${table}\n${devicesNotes(scope, 'markdown')}\n`));
  } else {
    io.stdout(formatTerminalTable(devicesTable(source.policy, scope)));
    io.stdout(`\n${devicesNotes(scope, 'text')}\n`);
  }
  return ExitCode.ok;
}
