/**
 * `memtier explain <size | device | tier>`: which tier a size or a catalog device lands in, and why;
 * or a tier's devices and how its memory estimate stands on each.
 */
import { explain, explainTier, explanationJson, formatExplanation, formatTierExplanation } from '../../reports/explain.js';
import { ExitCode, UsageError, type CliIO } from '../io.js';
import { catalogScope } from '../../devices/deployment-target.js';
import { readValidPolicy } from '../read-valid-policy.js';
import { readDeploymentTarget } from '../resolve-deployment-target.js';
import { readPinnedModel } from '../resolve-mlx-api.js';
import { printReportAcknowledgements, readReportsOption } from '../read-field-reports.js';
import { budgetOf } from '../../reports/budget.js';
import { resolveModel } from '../../devices/models.js';
import { formatMeasuredSection, measureReports, reportsJson, type ReportRun } from '../../reports/field-reports.js';

/** Runs `explain`. */
export async function explainCommand(io: CliIO, options: { query: string; config?: string; json?: boolean; reports?: string }): Promise<number> {
  const valid = await readValidPolicy(io, options.config);
  if (!valid) return ExitCode.invalidInput;
  const { source } = await readPinnedModel(io, valid);
  const scope = catalogScope(await readDeploymentTarget(io, source));
  const tier = explainTier(source.policy, options.query, scope);
  const answer = tier ? undefined : explain(source.policy, options.query, scope);
  if (answer && 'error' in answer) throw new UsageError(answer.error);
  // --reports: the stress reports of this tier (a tier, or the tier a size lands in), or of this device.
  let measured: { runs: ReportRun[]; all: ReportRun[]; count: number; about: string } | undefined;
  if (options.reports !== undefined) {
    const reports = await readReportsOption(io, options.reports);
    if (!reports) return ExitCode.invalidInput;
    const budget = source.policy.model === undefined ? undefined : budgetOf(source.policy, source.displayPath, scope);
    const runs = measureReports(source.policy, budget && !('error' in budget) ? budget : undefined, reports).runs;
    const device = answer?.device;
    const tierName = tier?.tier.name ?? answer!.tier.name;
    measured = {
      runs: runs.filter((run) => (device ? run.device === device : run.report.tier === tierName)),
      all: runs,
      count: reports.length,
      about: device ? `on ${device.name}` : `on tier ${tierName}`,
    };
  }
  if (options.json) {
    const resolved = source.policy.model === undefined ? undefined : resolveModel(source.policy.model, source.displayPath);
    const model = resolved && 'model' in resolved ? resolved.model.name : null;
    const json = explanationJson(options.query, tier ?? answer!, model);
    const reports = measured ? { reports: reportsJson(measured.runs, { path: options.reports!, count: measured.count }) } : {};
    io.stdout(`${JSON.stringify({ ...json, ...reports }, null, 2)}\n`);
    return ExitCode.ok;
  }
  io.stdout(tier ? formatTierExplanation(tier) : formatExplanation(answer!));
  if (measured) io.stdout(`\n${formatMeasuredSection(measured.runs, { path: options.reports!, count: measured.count }, measured.about)}`);
  // The report warnings the policy acknowledges, counted in one line as check and generate count theirs.
  if (measured) printReportAcknowledgements(io, source, measured.all, measured.runs);
  return ExitCode.ok;
}
