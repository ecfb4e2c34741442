/**
 * The steps `generate` and `check` share: validate the policy, render it, compare with the output folder.
 */
import { resolve } from 'node:path';
import { generate } from '../../generate.js';
import { planOutput, type OutputPlan } from '../../output/plan-output.js';
import type { CliIO } from '../io.js';
import { displayPathOf, loadPolicyFile, policyFolder, type PolicySource } from '../load-policy-file.js';

/** A rendered policy compared with its output folder. */
export interface PlannedRun {
  source: PolicySource;
  plan: OutputPlan;
  /** The output folder as messages show it. */
  displayDirectory: string;
}

/** Options both commands take. */
export interface RunOptions {
  config?: string;
  out?: string;
}

/** Loads, validates and renders the policy and plans the output; undefined when the policy is invalid. */
export async function planRun(io: CliIO, options: RunOptions): Promise<PlannedRun | undefined> {
  const source = await loadPolicyFile(io, options.config);
  if (!source) return undefined;
  const directory = options.out !== undefined
    ? resolve(io.cwd, options.out)
    : resolve(policyFolder(source), source.policy.output.directory);
  const files = generate(source.policy, { sourceName: source.sourceName });
  const plan = await planOutput(directory, files);
  return { source, plan, displayDirectory: displayPathOf(io.cwd, directory) };
}
