/**
 * What `init` prints about the app it looked at: each thing found (and the key of tiers.yaml it
 * went into), and each thing not found with the key to set by hand. One line per subject, in the
 * words an iOS engineer uses in Xcode.
 */
import { describePin, type PinnedMlx } from '../app/pinned-mlx.js';
import type { AppSurvey } from '../app/survey-app.js';
import type { DeploymentTarget, XcodeTarget } from '../app/xcode-targets.js';
import { FIRST_MEMORY_API_RELEASE, mlxApiForVersion } from '../mlx/mlx-api.js';
import { keepTogether, wrapText } from '../reports/wrap.js';

/** What the lines need besides the survey. */
export interface FindingsContext {
  /** A path as the user sees it (relative to the folder init ran in). */
  readonly shown: (path: string) => string;
  /** The starter's values that stay when nothing replaces them. */
  readonly starter: { readonly mlxApi?: string; readonly testsModule?: string };
}

/** The two lists: what was found, what was not (with the key to set). */
export interface Findings {
  readonly found: string[];
  readonly missing: string[];
}

const LABEL_WIDTH = 18;
/** `  label   text`, wrapped under the text; the label stays with the text's first word. */
const line = (label: string, text: string) => wrapText(`  ${keepTogether(label.padEnd(LABEL_WIDTH))}${text}`, { indent: LABEL_WIDTH + 2 }).join('\n');
const list = (paths: readonly string[]) => paths.join(', ');

/** The found and not-found lines for the Package.resolved, the Xcode project and the evaluator. */
export function describeFindings(survey: AppSurvey, context: FindingsContext): Findings {
  const parts = [mlxFindings(survey, context), projectFindings(survey, context), evaluatorFindings(survey, context)];
  return { found: parts.flatMap((part) => part.found), missing: parts.flatMap((part) => part.missing) };
}

function mlxFindings({ mlx }: AppSurvey, { shown, starter }: FindingsContext): Findings {
  const keep = starter.mlxApi === undefined ? '' : ` (tiers.yaml says ${starter.mlxApi})`;
  const setByHand = `set evaluator.mlxApi: gpu for mlx-swift before ${FIRST_MEMORY_API_RELEASE}, memory from ${FIRST_MEMORY_API_RELEASE} on${keep}`;
  if (mlx.pinned.length === 0) {
    return { found: [], missing: [line('Package.resolved', `none pins mlx-swift here (Xcode writes one when it resolves packages); ${setByHand}`)] };
  }
  if (!mlx.chosen) {
    const each = mlx.pinned.map((entry) => `${shown(entry.file)} pins ${describePin(entry.mlxSwift)}`);
    return { found: [], missing: [line('Package.resolved', `several disagree about mlx-swift (${list(each)}); set evaluator.packageResolved to the one the app builds with`)] };
  }
  const { chosen } = mlx;
  const api = chosen.mlxSwift.version === undefined ? undefined : mlxApiForVersion(chosen.mlxSwift.version);
  const otherwise = mlx.otherwise.map((entry) => `${shown(entry.file)}, which pins ${describePin(entry.mlxSwift)}`);
  const why = otherwise.length > 0 ? `without it, generate would read ${list(otherwise)}` : 'generate would not find it by itself';
  const key = mlx.needsKey ? ` [evaluator.packageResolved: ${why}]` : '';
  const found = [line('Package.resolved', `${shown(chosen.file)}${key}`), line('', `pins ${pins(chosen)}${api ? `: the generated code calls ${api === 'memory' ? 'MLX.Memory' : 'MLX.GPU.set'}` : ''}`)];
  if (api) return { found, missing: [] };
  return { found, missing: [line('mlx-swift release', `pinned at ${describePin(chosen.mlxSwift)}, not a release, so memtier cannot tell its memory API; ${setByHand}`)] };
}

function pins(entry: PinnedMlx): string {
  const lm = entry.mlxSwiftLm ? ` and mlx-swift-lm ${describePin(entry.mlxSwiftLm)}` : '';
  return `mlx-swift ${describePin(entry.mlxSwift)}${lm}`;
}

function projectFindings(survey: AppSurvey, { shown, starter }: FindingsContext): Findings {
  const moduleByHand = `set output.tests.module to the app target's module${starter.testsModule === undefined ? '' : ` (tiers.yaml says ${starter.testsModule})`}`;
  const { project, appTarget } = survey;
  if (!project) {
    const paths = list(survey.projectPaths.map(shown));
    const why = survey.projectPaths.length === 0 ? 'no .xcodeproj here or below'
      : survey.projects.length === 0 ? `${paths} cannot be read (the warning above says why)` : `${survey.projectPaths.length} projects, none clearly the app's (${paths})`;
    return { found: [], missing: [line('Xcode project', `${why}; set app.xcodeProject, and ${moduleByHand}`)] };
  }
  const found = [line('Xcode project', `${shown(project.path)} [app.xcodeProject]`)];
  if (!appTarget) {
    const why = survey.appTargets.length === 0 ? 'it has no app target' : `none of its app targets (${list(survey.appTargets.map((target) => target.name))}) is clearly the one with the evaluator`;
    return { found, missing: [line('app target', `${why}; ${moduleByHand}`)] };
  }
  const tests = survey.testTargets.length === 0 ? 'no unit-test target for it yet' : `tests: ${list(survey.testTargets.map((target) => target.name))}`;
  const ios = deploymentText(appTarget.deploymentTargets);
  if (appTarget.moduleName === undefined) {
    return { found: [...found, line('app target', `${appTarget.name}${ios}; ${tests}`)], missing: [line('app module', `an .xcconfig sets ${appTarget.name}'s module name; ${moduleByHand}`)] };
  }
  return { found: [...found, line('app target', `${appTarget.name}: module ${appTarget.moduleName} [output.tests.module]${ios}; ${tests}`)], missing: [] };
}

/** `, iOS 17.2`, or `, iOS 17.2 (Debug), 17.0 (Release)` when the configurations differ; '' without one. */
export function deploymentText(targets: readonly DeploymentTarget[]): string {
  const withIos = targets.filter((target) => target.iOS !== undefined);
  if (withIos.length === 0) return '';
  if (withIos.every((target) => target.iOS === withIos[0]!.iOS)) return `, iOS ${withIos[0]!.iOS}`;
  return `, iOS ${withIos.map((target) => `${target.iOS} (${target.configuration})`).join(', ')}`;
}

function evaluatorFindings(survey: AppSurvey, { shown }: FindingsContext): Findings {
  if (survey.evaluator) return { found: [line('evaluator', `${shown(survey.evaluator)} declares class VLMEvaluator [evaluator.source]`)], missing: [] };
  const why = survey.evaluatorFiles.length === 0
    ? 'no Swift file here declares class VLMEvaluator'
    : `${survey.evaluatorFiles.length} files declare class VLMEvaluator (${list(survey.evaluatorFiles.map(shown))})`;
  return { found: [], missing: [line('evaluator', `${why}; set evaluator.source to the file of the class the app runs`)] };
}

/** The app target in a sentence: `the VLMEval target`, or `the app target` when none was chosen. */
export function targetName(target: XcodeTarget | undefined): string {
  return target ? `the ${target.name} target` : 'the app target';
}
