/**
 * What `generate` and `check` share, as named steps: read the valid policy, settle the MLX API from
 * the app's Package.resolved, read the templates, find the output folder, then generate (the pure
 * core) and compare with what is on disk.
 */
import { hasErrors, sortDiagnostics } from '../diagnostics/diagnostic.js';
import { generate } from '../generate.js';
import { planOutput, type OutputPlan } from '../output/plan-output.js';
import type { TemplateSet } from '../render/render-files.js';
import { readBuiltInTemplates } from '../package/template-files.js';
import type { CliIO } from './io.js';
import { displayPathOf, loadPolicyFile, type LoadedPolicy, type PolicySource } from './load-policy-file.js';
import { outputFolderFor } from './output-folder.js';
import type { OutputFormat } from './report-format.js';
import { resolveMlxApi } from './resolve-mlx-api.js';
import { resolveTemplates } from './templates.js';

/** A rendered policy compared with its output folder. */
export interface PlannedGeneration {
  source: PolicySource;
  plan: OutputPlan;
  /** The output folder as messages show it. */
  displayDirectory: string;
}

/** Options both commands take. */
export interface GenerationOptions {
  config?: string;
  out?: string;
  format?: OutputFormat;
}

/** Every step up to the plan; no plan when the policy (or its Package.resolved) is invalid. */
export async function planGeneration(io: CliIO, options: GenerationOptions): Promise<{ loaded: LoadedPolicy; run?: PlannedGeneration }> {
  const loaded = await loadSettledPolicy(io, options.config);
  if (!loaded.source) return { loaded };
  const { source } = loaded;
  const templates = await templatesFor(io, source);
  const directory = await outputFolderFor(io, source, options.out);
  const files = generate(source.policy, templates, { sourceName: source.sourceName });
  const plan = await planOutput(directory, files, { folderSetting: options.out !== undefined ? '--out' : `output.directory in ${source.displayPath}` });
  return { loaded, run: { source, plan, displayDirectory: displayPathOf(io.cwd, directory) } };
}

/**
 * The valid policy with `evaluator.mlxApi` settled from the mlx-swift release the app pins
 * (Package.resolved); without a source when either has an error.
 */
async function loadSettledPolicy(io: CliIO, config: string | undefined): Promise<LoadedPolicy> {
  const read = await loadPolicyFile(io.cwd, config);
  if (!read.source || hasErrors(read.diagnostics)) return read;
  const settled = await resolveMlxApi(io.cwd, read.source);
  const diagnostics = sortDiagnostics([...read.diagnostics, ...settled.diagnostics]);
  if (hasErrors(diagnostics)) return { ...read, source: undefined, diagnostics };
  return { ...read, source: { ...read.source, policy: settled.policy }, diagnostics };
}

/** memtier's templates with the policy's custom ones (output.templates) in their place. */
async function templatesFor(io: CliIO, source: PolicySource): Promise<TemplateSet> {
  return resolveTemplates(source, await readBuiltInTemplates(), io.cwd);
}
