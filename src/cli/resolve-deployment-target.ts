/**
 * Settles the app's deployment target at the CLI's edge: `app.deploymentTarget` when the policy
 * gives it, else IPHONEOS_DEPLOYMENT_TARGET of the app target that compiles `evaluator.source` in
 * the project `app.xcodeProject` names (src/app/ reads it). The pure core gets the value; what
 * validation found for the policy's own target is replaced by what it finds for this one.
 */
import { join, resolve } from 'node:path';
import { sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import { DEVICES } from '../devices/catalog.js';
import type { DeploymentTarget } from '../devices/deployment-target.js';
import type { Policy } from '../policy/schema.js';
import { policyTarget, withSettledFacts } from '../validate/validate-policy.js';
import type { CliIO } from './io.js';
import { displayPathOf, policyFolder, type PolicySource } from './load-policy-file.js';
import { printUnacknowledged } from './acknowledgements.js';

/** The target, if one can be read; what got in the way; the project file read (absolute). */
export interface SettledTarget {
  target?: DeploymentTarget;
  diagnostics: Diagnostic[];
  /** The project.pbxproj read, when one was (the Xcode build phase reads it too). */
  projectFile?: string;
}

/**
 * The app's deployment target. Without app.deploymentTarget and app.xcodeProject there is none, and
 * nothing is said; a project that is named but does not tell is a warning at app.xcodeProject.
 * Never throws for bad files.
 */
export async function resolveDeploymentTarget(cwd: string, source: PolicySource): Promise<SettledTarget> {
  const { policy } = source;
  const given = policyTarget(policy, source.displayPath);
  if (given) return { target: given, diagnostics: [] };
  if (policy.app.xcodeProject === undefined) return { diagnostics: [] };
  const folder = policyFolder(source);
  const xcodeproj = resolve(folder, policy.app.xcodeProject);
  const projectFile = join(xcodeproj, 'project.pbxproj');
  const unknown = (why: string): SettledTarget => ({
    projectFile,
    diagnostics: [{
      severity: 'warning',
      file: source.displayPath,
      ...source.locate(['app', 'xcodeProject']),
      path: 'app.xcodeProject',
      message: `the app's deployment target is unknown: ${why}; set app.deploymentTarget, or every catalog device counts as one the app installs on`,
      id: 'deployment-target-unknown',
    }],
  });
  // The project parser loads only for a policy that names a project and no target.
  const { readXcodeProject } = await import('../app/xcode-project.js');
  const { projectDeploymentTarget } = await import('../app/app-deployment-target.js');
  const read = await readXcodeProject(xcodeproj, (path) => displayPathOf(cwd, path));
  if ('problem' in read) return unknown(`${read.problem.file} ${read.problem.message}`);
  const evaluator = policy.evaluator?.source === undefined ? undefined : resolve(folder, policy.evaluator.source);
  const found = projectDeploymentTarget(read, evaluator, policy.app.xcodeProject.replace(/\/$/, ''));
  if ('problem' in found) return unknown(found.problem);
  return { target: found, diagnostics: [], projectFile };
}

/**
 * A valid policy's diagnostics with the deployment target settled: the findings that depend on it
 * recomputed when it came from the Xcode project or when `settledPolicy` (the policy with what
 * Package.resolved settles) changed the model, and the warning when the project does not tell.
 */
export async function settleDeploymentTarget(cwd: string, loaded: { source: PolicySource; diagnostics: readonly Diagnostic[] }, settledPolicy: Policy = loaded.source.policy): Promise<SettledTarget> {
  const { source } = loaded;
  const settled = await resolveDeploymentTarget(cwd, source);
  const fromProject = settled.target && source.policy.app.deploymentTarget === undefined;
  const input = { file: source.displayPath, locate: source.locate, devices: DEVICES };
  // The model's upscalesImages settled from the app's pin changes the estimate, so the fit findings too.
  const recompute = fromProject || settledPolicy.model !== source.policy.model;
  const target = fromProject ? settled.target : policyTarget(source.policy, source.displayPath);
  const diagnostics = recompute ? withSettledFacts(loaded.diagnostics, source.policy, { policy: settledPolicy, target }, input) : loaded.diagnostics;
  return { ...settled, diagnostics: sortDiagnostics([...diagnostics, ...settled.diagnostics]) };
}

/**
 * For a command that only reads the policy (devices, budget, explain, diff): the deployment target,
 * with the warning printed when the named project does not tell (unless the policy acknowledges it).
 */
export async function readDeploymentTarget(io: CliIO, source: PolicySource): Promise<DeploymentTarget | undefined> {
  const settled = await resolveDeploymentTarget(io.cwd, source);
  printUnacknowledged(io, source, settled.diagnostics);
  return settled.target;
}
