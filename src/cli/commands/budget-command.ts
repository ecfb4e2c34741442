/**
 * `memtier budget [--markdown | --json]`: each tier's estimated peak for the policy's model, term by
 * term, and every tier x catalog device against the tier's memoryLimit and the device's app limit.
 * The text form keeps within 100 columns (reports/budget-text.ts); Markdown has room for the wide tables.
 */
import { appLimitSources, budgetJson, budgetOf, deviceTable, estimateTable, measurementLines, modelLines } from '../../reports/budget.js';
import { formatBudgetText } from '../../reports/budget-text.js';
import { formatMarkdown, formatMarkdownTable } from '../../reports/table.js';
import { catalogScope, leftOutLine } from '../../devices/deployment-target.js';
import { ExitCode, UsageError, type CliIO } from '../io.js';
import { readValidPolicy } from '../read-valid-policy.js';
import { readDeploymentTarget } from '../resolve-deployment-target.js';
import { readPinnedModel } from '../resolve-mlx-api.js';
import { printReportAcknowledgements, readReportsOption } from '../read-field-reports.js';
import { formatMeasuredSection, reportsJson, measureReports } from '../../reports/field-reports.js';

const FORMULA = 'Estimate = weights + KV cache per token x KV tokens (maxTokens + promptTokens + image tokens + layout tokens, rounded up to KVCacheSimple\'s 256-token steps) + cacheLimit + activations (docs/budgets.md).';

/** Runs `budget`. */
export async function budgetCommand(io: CliIO, options: { config?: string; markdown?: boolean; json?: boolean; reports?: string }): Promise<number> {
  if (options.markdown && options.json) throw new UsageError('choose one of --markdown and --json');
  const valid = await readValidPolicy(io, options.config);
  if (!valid) return ExitCode.invalidInput;
  const { source } = await readPinnedModel(io, valid);
  const budget = budgetOf(source.policy, source.displayPath, catalogScope(await readDeploymentTarget(io, source)));
  if ('error' in budget) throw new UsageError(budget.error);
  // --reports: the on-device stress reports, measured against the estimate (reports/field-reports.ts).
  const fieldReports = options.reports === undefined ? undefined : await readReportsOption(io, options.reports);
  if (options.reports !== undefined && fieldReports === undefined) return ExitCode.invalidInput;
  const measured = fieldReports && measureReports(source.policy, budget, fieldReports).runs;
  const read = { path: options.reports ?? '', count: fieldReports?.length ?? 0 };
  if (options.json) {
    io.stdout(measured ? `${JSON.stringify({ ...JSON.parse(budgetJson(budget)), reports: reportsJson(measured, read) }, null, 2)}\n` : budgetJson(budget));
  } else if (options.markdown) {
    const estimates = await formatMarkdownTable(estimateTable(budget));
    const devices = await formatMarkdownTable(deviceTable(budget));
    const model = ['```text', ...modelLines(budget.model), '```'].join('\n');
    const sources = appLimitSources(budget).map((line) => (line.startsWith('  ') ? `- ${line.trim()}` : line)).join('\n');
    const leftOut = leftOutLine(budget.scope);
    const onPhones = measured ? `\n## Measured on your phones\n\n\`\`\`text\n${formatMeasuredSection(measured, read)}\`\`\`\n` : '';
    io.stdout(await formatMarkdown(`${model}\n\n${FORMULA}\n\n${estimates}\n${measurementLines(budget).map((line) => `- ${line}`).join('\n')}\n\n${devices}\n${leftOut === undefined ? '' : `${leftOut}.\n\n`}${sources}\n${onPhones}`));
  } else {
    io.stdout(formatBudgetText(budget));
    if (measured) io.stdout(`\n${formatMeasuredSection(measured, read)}`);
  }
  // The report warnings the policy acknowledges, counted in one line as check and generate count theirs (--json lists them).
  if (measured && !options.json) printReportAcknowledgements(io, source, measured);
  return ExitCode.ok;
}
