/**
 * What `generate` and `check` share, as named steps: read the valid policy, settle the MLX API from
 * the app's Package.resolved and the deployment target from its Xcode project, read the templates,
 * find the output folder, then generate (the pure core) and compare with what is on disk.
 */
import { applyAcknowledgements, unusedAcknowledgements } from '../diagnostics/acknowledge.js';
import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { hasErrors, sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import { generate } from '../generate.js';
import { planOutput, type OutputPlan } from '../output/plan-output.js';
import type { TemplateSet } from '../render/render-files.js';
import type { XcodeFileListContext } from '../render/xcode-file-list.js';
import { packageFile } from '../package/package-files.js';
import { readBuiltInTemplates } from '../package/template-files.js';
import type { CliIO } from './io.js';
import { policyAcknowledgements } from './acknowledgements.js';
import { displayPathOf, loadPolicyFile, policyFolder, type LoadedPolicy, type PolicySource } from './load-policy-file.js';
import { outputFolderFor } from './output-folder.js';
import type { OutputFormat } from './report-format.js';
import { resolveMlxApi } from './resolve-mlx-api.js';
import { settleDeploymentTarget } from './resolve-deployment-target.js';
import { catalogScope, leftOutLine, type DeploymentTarget } from '../devices/deployment-target.js';
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

/**
 * Every step up to the plan; no plan when the policy (or its Package.resolved) is invalid. The
 * warnings the policy acknowledges are left out of `loaded.diagnostics` and listed in `acknowledged`.
 * `leftOut` is the line that says which catalog devices the memory warnings leave out, as the app
 * cannot be installed on them (none without a deployment target).
 */
export async function planGeneration(io: CliIO, options: GenerationOptions): Promise<{ loaded: LoadedPolicy; run?: PlannedGeneration; acknowledged: Diagnostic[]; leftOut?: string }> {
  const settled = await loadSettledPolicy(io, options.config);
  const { loaded, acknowledged } = withAcknowledgements(settled);
  if (!loaded.source) return { loaded, acknowledged };
  const line = leftOutLine(catalogScope(settled.deploymentTarget), 'the memory warnings');
  const leftOut = line === undefined ? {} : { leftOut: `memtier: ${line}\n` };
  const { source } = loaded;
  const templates = await templatesFor(io, source);
  const directory = await outputFolderFor(io, source, options.out);
  const files = generate(source.policy, templates, { sourceName: source.sourceName, xcode: await xcodeContext(source, directory, settled.packageResolved) });
  const plan = await planOutput(directory, files, { folderSetting: options.out !== undefined ? '--out' : `output.directory in ${source.displayPath}` });
  return { loaded, run: { source, plan, displayDirectory: displayPathOf(io.cwd, directory) }, acknowledged, ...leftOut };
}

/**
 * The policy's acknowledgements applied to every warning and note of the run (validation and the
 * Package.resolved checks alike), with a note for each acknowledgement that matched none.
 */
function withAcknowledgements(loaded: LoadedPolicy): { loaded: LoadedPolicy; acknowledged: Diagnostic[] } {
  const readable = loaded.source ?? loaded.readable;
  if (!readable || readable.policy.acknowledged.length === 0) return { loaded, acknowledged: [] };
  const entries = policyAcknowledgements(readable);
  const { shown, acknowledged } = applyAcknowledgements(loaded.diagnostics, entries);
  const unused = hasErrors(loaded.diagnostics) ? [] : unusedAcknowledgements(entries, loaded.diagnostics);
  return { loaded: { ...loaded, diagnostics: sortDiagnostics([...shown, ...unused]) }, acknowledged };
}

/**
 * The valid policy with `evaluator.mlxApi` settled from the mlx-swift release the app pins
 * (Package.resolved), and its diagnostics for the app's deployment target (app.deploymentTarget, or
 * its Xcode project's); without a source when any has an error.
 */
async function loadSettledPolicy(io: CliIO, config: string | undefined): Promise<LoadedPolicy & { packageResolved: string[]; deploymentTarget?: DeploymentTarget; projectFile?: string }> {
  const read = await loadPolicyFile(io.cwd, config);
  if (!read.source || hasErrors(read.diagnostics)) return { ...read, packageResolved: [] };
  const settled = await resolveMlxApi(io.cwd, read.source);
  const target = await settleDeploymentTarget(io.cwd, { source: read.source, diagnostics: read.diagnostics }, settled.policy);
  const diagnostics = sortDiagnostics([...target.diagnostics, ...settled.diagnostics]);
  if (hasErrors(diagnostics)) return { ...read, source: undefined, diagnostics, packageResolved: settled.packageResolved };
  const found = { ...(target.target ? { deploymentTarget: target.target } : {}), ...(target.projectFile ? { projectFile: target.projectFile } : {}) };
  return { ...read, source: { ...read.source, policy: settled.policy }, diagnostics, packageResolved: settled.packageResolved, ...found };
}

/** memtier's templates with the policy's custom ones (output.templates) in their place. */
async function templatesFor(io: CliIO, source: PolicySource): Promise<TemplateSet> {
  return resolveTemplates(source, await readBuiltInTemplates(), io.cwd);
}

/**
 * Where the build phase's files are, from the policy's folder: the output folder, memtier's own
 * package and web-tree-sitter as installed (the bundle finds both from its own location), the
 * Package.resolved files read, and the custom templates. Used only when the policy sets
 * app.xcodeProject.
 */
async function xcodeContext(source: PolicySource, directory: string, packageResolved: readonly string[]): Promise<Partial<XcodeFileListContext> | undefined> {
  if (source.policy.app.xcodeProject === undefined) return undefined;
  const folder = policyFolder(source);
  const fromPolicy = (path: string) => relative(folder, path).split(sep).join('/');
  const treeSitter = dirname(createRequire(import.meta.url).resolve('web-tree-sitter/package.json'));
  const templates = source.policy.output.templates === undefined ? undefined : resolve(folder, source.policy.output.templates);
  const overrides = templates === undefined ? [] : (await readdir(templates)).filter((name) => name.endsWith('.hbs')).sort().map((name) => fromPolicy(join(templates, name)));
  return {
    policyFile: fromPolicy(source.path),
    outputDirectory: fromPolicy(directory),
    packageFolder: fromPolicy(packageFile('').replace(/[\\/]$/, '')),
    treeSitterFolder: fromPolicy(treeSitter),
    packageResolved: packageResolved.map(fromPolicy),
    customTemplates: overrides,
  };
}
