/**
 * The steps `generate` and `check` share: validate the policy, render it, compare with the output folder.
 */
import { realpath } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import { hasErrors, sortDiagnostics } from '../../diagnostics/diagnostic.js';
import { generate } from '../../generate.js';
import { planOutput, type OutputPlan } from '../../output/plan-output.js';
import type { TemplateSet } from '../../render/render-files.js';
import { readBuiltInTemplates } from '../../templates/template-files.js';
import { UsageError, type CliIO } from '../io.js';
import { displayPathOf, loadPolicyFile, policyFolder, type LoadedPolicy, type PolicySource } from '../load-policy-file.js';
import { resolveMlxApi } from '../resolve-mlx-api.js';
import { resolveTemplates } from '../templates.js';
import type { OutputFormat } from '../report-format.js';

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
  format?: OutputFormat;
}

/** Loads, validates and renders the policy and plans the output; no run when the policy is invalid. */
export async function planRun(io: CliIO, options: RunOptions): Promise<{ loaded: LoadedPolicy; run?: PlannedRun }> {
  const read = await loadPolicyFile(io.cwd, options.config);
  if (!read.source || hasErrors(read.diagnostics)) return { loaded: read };
  // The MLX memory API follows the mlx-swift release the app pins (Package.resolved).
  const settled = await resolveMlxApi(io.cwd, read.source);
  const loaded: LoadedPolicy = { ...read, diagnostics: sortDiagnostics([...read.diagnostics, ...settled.diagnostics]) };
  if (hasErrors(loaded.diagnostics)) return { loaded: { ...loaded, source: undefined } };
  const source: PolicySource = { ...read.source, policy: settled.policy };
  loaded.source = source;
  const templates: TemplateSet = await resolveTemplates(source, readBuiltInTemplates(), io.cwd);
  const directory = options.out !== undefined
    ? resolve(io.cwd, options.out)
    : await containedOutputFolder(source);
  const files = generate(source.policy, templates, { sourceName: source.sourceName });
  const plan = await planOutput(directory, files, { folderSetting: options.out !== undefined ? '--out' : `output.directory in ${source.displayPath}` });
  return { loaded, run: { source, plan, displayDirectory: displayPathOf(io.cwd, directory) } };
}

/**
 * output.directory resolved against the policy's folder, refused when a symlink on the way leads
 * outside that folder (a policy must not make memtier write elsewhere; --out is the explicit way).
 */
async function containedOutputFolder(source: PolicySource): Promise<string> {
  const folder = policyFolder(source);
  const directory = resolve(folder, source.policy.output.directory);
  let existing = directory;
  while ((await realpath(existing).catch(() => undefined)) === undefined && dirname(existing) !== existing) existing = dirname(existing);
  const [real, base] = [await realpath(existing), await realpath(folder)];
  const inside = relative(base, real);
  if (inside.startsWith('..') || inside.startsWith(sep) || resolve(base, inside) !== real) {
    throw new UsageError(`${source.displayPath}: output.directory ${source.policy.output.directory} leads through a symlink to ${real}, outside the policy's folder; point it inside, or pass --out explicitly`);
  }
  return directory;
}

/** The closing line for an invalid policy, in text format. */
export function invalidPolicyLine(loaded: LoadedPolicy): string {
  const count = loaded.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
  return `${loaded.displayPath}: ${count} error${count === 1 ? '' : 's'}; nothing was written\n`;
}

/**
 * The output folder as messages show it, for a policy that is not valid: --out, else the folder the
 * schema could still read from the policy, else null (then nothing says where it would be).
 */
export function expectedOutputDirectory(io: CliIO, loaded: LoadedPolicy, options: RunOptions): string | null {
  if (options.out !== undefined) return displayPathOf(io.cwd, resolve(io.cwd, options.out));
  const readable = loaded.readable;
  return readable ? displayPathOf(io.cwd, resolve(policyFolder(readable), readable.policy.output.directory)) : null;
}
