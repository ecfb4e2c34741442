/**
 * `memtier explain <size | device | tier>`: which tier a size or a catalog device lands in, and why;
 * or a tier's devices and how its memory estimate stands on each.
 */
import { explain, explainTier, formatExplanation, formatTierExplanation } from '../../reports/explain.js';
import { ExitCode, UsageError, type CliIO } from '../io.js';
import { catalogScope } from '../../devices/deployment-target.js';
import { readValidPolicy } from '../read-valid-policy.js';
import { readDeploymentTarget } from '../resolve-deployment-target.js';

/** Runs `explain`. */
export async function explainCommand(io: CliIO, options: { query: string; config?: string }): Promise<number> {
  const source = await readValidPolicy(io, options.config);
  if (!source) return ExitCode.invalidInput;
  const scope = catalogScope(await readDeploymentTarget(io, source));
  const tier = explainTier(source.policy, options.query, scope);
  if (tier) {
    io.stdout(formatTierExplanation(tier));
    return ExitCode.ok;
  }
  const answer = explain(source.policy, options.query, scope);
  if ('error' in answer) throw new UsageError(answer.error);
  io.stdout(formatExplanation(answer));
  return ExitCode.ok;
}
