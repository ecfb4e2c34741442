/**
 * What `memtier init` learns about the app in a folder: its Xcode project and app target, the
 * file that declares the evaluator, and the mlx-swift release it pins; and, for each, whether the
 * answer is certain enough to write into the policy.
 */
import { dirname, relative, sep } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { walkAppTree } from './app-tree.js';
import { findEvaluatorFiles } from './evaluator-files.js';
import { discoverPackageResolved } from './package-resolved-files.js';
import { pinnedAt, readPinnedMlx, type PinnedMlx } from './pinned-mlx.js';
import { pathInProject, readXcodeProject, type XcodeProject } from './xcode-project.js';
import { compiles, PRODUCT_TYPE, type XcodeTarget } from './xcode-targets.js';

/** At most this many Xcode projects are read; a folder with more is not one app. */
const MAX_PROJECTS = 20;

/** The mlx-swift pins found, and the one the policy should follow. */
export interface MlxSurvey {
  /** Every Package.resolved found that pins mlx-swift, nearest first. */
  readonly pinned: readonly PinnedMlx[];
  /** The one the app builds with, when that is clear. */
  readonly chosen?: PinnedMlx;
  /** `generate` would not find `chosen` by itself (or would find others that disagree): name it in evaluator.packageResolved. */
  readonly needsKey: boolean;
  /** What `generate` would read without the key, when that pins another mlx-swift than `chosen`. */
  readonly otherwise: readonly PinnedMlx[];
}

/** Everything found; paths absolute. */
export interface AppSurvey {
  /** Every file that declares `class VLMEvaluator`. */
  readonly evaluatorFiles: readonly string[];
  /** The evaluator file, when there is exactly one. */
  readonly evaluator?: string;
  /** Every `*.xcodeproj` found. */
  readonly projectPaths: readonly string[];
  /** Those that could be read. */
  readonly projects: readonly XcodeProject[];
  /** The app's project, when that is clear. */
  readonly project?: XcodeProject;
  /** The chosen project's application targets. */
  readonly appTargets: readonly XcodeTarget[];
  /** The target that builds the app with the evaluator, when that is clear. */
  readonly appTarget?: XcodeTarget;
  /** Unit-test targets that test `appTarget` (depend on it, or run inside it). */
  readonly testTargets: readonly XcodeTarget[];
  readonly mlx: MlxSurvey;
  /** Files found but unreadable (a broken project or Package.resolved), as warnings. */
  readonly problems: readonly Diagnostic[];
  /** The walk stopped before the end of a very large folder. */
  readonly incomplete: boolean;
}

/** Looks through `root` and below, leaving out the folders in `skip` (absolute; memtier's output folder). */
export async function surveyApp(root: string, options: { skip: readonly string[]; shownAs: (path: string) => string }): Promise<AppSurvey> {
  const tree = await walkAppTree(root, options.skip);
  const evaluatorFiles = await findEvaluatorFiles(tree.swiftFiles);
  const evaluator = evaluatorFiles.length === 1 ? evaluatorFiles[0] : undefined;
  const problems: Diagnostic[] = [];
  const projects: XcodeProject[] = [];
  for (const path of tree.xcodeProjects.slice(0, MAX_PROJECTS)) {
    const read = await readXcodeProject(path, options.shownAs);
    if ('problem' in read) problems.push(read.problem);
    else projects.push(read);
  }
  const project = chooseProject(projects, evaluator);
  const appTargets = project ? project.targets.filter((target) => target.productType === PRODUCT_TYPE.application) : [];
  const appTarget = project && chooseAppTarget(project, appTargets, evaluator);
  const { pinned, problems: resolvedProblems } = await readPinnedMlx(tree.packageResolvedFiles, options.shownAs);
  return {
    evaluatorFiles,
    evaluator,
    projectPaths: tree.xcodeProjects,
    projects,
    project,
    appTargets,
    appTarget,
    testTargets: appTarget && project ? testTargetsOf(project, appTarget) : [],
    mlx: await chooseResolved(root, pinned, project, evaluator),
    problems: [...problems, ...resolvedProblems],
    incomplete: tree.incomplete,
  };
}

/** The only project; or, of several, the only one with an app target that compiles the evaluator. */
function chooseProject(projects: readonly XcodeProject[], evaluator: string | undefined): XcodeProject | undefined {
  if (projects.length === 1) return projects[0];
  const building = evaluator === undefined ? [] : projects.filter((project) => project.targets.some((target) =>
    target.productType === PRODUCT_TYPE.application && compiles(target, pathInProject(project, evaluator))));
  return building.length === 1 ? building[0] : undefined;
}

/** The app target that compiles the evaluator; else the project's only app target. */
function chooseAppTarget(project: XcodeProject, appTargets: readonly XcodeTarget[], evaluator: string | undefined): XcodeTarget | undefined {
  const building = evaluator === undefined ? [] : appTargets.filter((target) => compiles(target, pathInProject(project, evaluator)));
  if (building.length === 1) return building[0];
  return appTargets.length === 1 ? appTargets[0] : undefined;
}

function testTargetsOf(project: XcodeProject, app: XcodeTarget): XcodeTarget[] {
  return project.targets.filter((target) => target.productType === PRODUCT_TYPE.unitTest
    && (target.dependencies.includes(app.name) || (app.productName !== undefined && (target.testHost ?? '').includes(`/${app.productName}.app/`))));
}

/**
 * The Package.resolved the app builds with: the chosen Xcode project's own (or its workspace's);
 * else what `generate` finds by itself, when those agree; else every file found, when they agree.
 */
async function chooseResolved(root: string, pinned: readonly PinnedMlx[], project: XcodeProject | undefined, evaluator: string | undefined): Promise<MlxSurvey> {
  const agreeing = (list: readonly PinnedMlx[]) =>
    list.length > 0 && list.every((entry) => pinnedAt(entry.mlxSwift) === pinnedAt(list[0]!.mlxSwift)) ? list[0] : undefined;
  const ofProject = project ? pinned.filter((entry) => builtBy(project, entry.file)) : [];
  const discovered = new Set(await discoverPackageResolved(root, evaluator));
  const found = pinned.filter((entry) => discovered.has(entry.file));
  const chosen = ofProject[0] ?? agreeing(found) ?? agreeing(pinned);
  const otherwise = chosen ? found.filter((entry) => pinnedAt(entry.mlxSwift) !== pinnedAt(chosen.mlxSwift)) : [];
  const needsKey = chosen !== undefined && (found.length === 0 || otherwise.length > 0);
  return chosen ? { pinned, chosen, needsKey, otherwise } : { pinned, needsKey, otherwise };
}

/** Whether Xcode writes `file` for `project`: inside the .xcodeproj, or in a workspace beside it. */
function builtBy(project: XcodeProject, file: string): boolean {
  if (file.startsWith(project.path + sep)) return true;
  const [first, ...rest] = relative(dirname(project.path), file).split(sep);
  return rest.length > 0 && first!.endsWith('.xcworkspace');
}
