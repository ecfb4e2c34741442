/**
 * The next steps `init` prints for the app it found: generate, patch the evaluator, target
 * membership, the Xcode build phase (src/cli/xcode-build-phase.ts) and the GitHub Actions steps,
 * with the app's own file, target and project paths filled in.
 */
import { dirname, join, posix, relative, sep } from 'node:path';
import type { AppSurvey } from '../app/survey-app.js';
import { wrapText } from '../reports/wrap.js';
import { buildPhaseSteps } from './xcode-build-phase.js';
import { targetName } from './init-findings.js';

/** Where things are, as init sees them; paths absolute. */
export interface StepsContext {
  /** The folder init ran in, where tiers.yaml is. */
  readonly cwd: string;
  /** memtier's package as the app's build will find it (see `appPackageFolder`). */
  readonly packageFolder: string;
  /** The policy's output folder and its tests folder inside it, as written in tiers.yaml. */
  readonly outputDirectory: string;
  readonly testsDirectory: string;
}

/** The numbered steps, each indented by two spaces. */
export function nextSteps(survey: AppSurvey, context: StepsContext): string {
  const { cwd, outputDirectory } = context;
  const evaluator = survey.evaluator ? toPosix(relative(cwd, survey.evaluator)) : 'FILE.swift';
  const srcroot = survey.project ? dirname(survey.project.path) : cwd;
  const layout = {
    packageFromSrcroot: toPosix(relative(srcroot, context.packageFolder)),
    fileListFromSrcroot: toPosix(relative(srcroot, join(cwd, outputDirectory, 'memtier.xcfilelist'))),
    ...(survey.appTarget ? { target: survey.appTarget.name } : {}),
  };
  const phaseNote = survey.project ? '' : '. The paths below assume the .xcodeproj is in this folder, and generate writes the input file list once app.xcodeProject is set';
  const patchWhat = survey.evaluator ? 'the evaluator' : 'the file that declares class VLMEvaluator';
  return [
    'Next steps:',
    '  1. Review tiers.yaml, then write the Swift:',
    '       npx memtier generate',
    step('     Each warning ends with an id in brackets; once your team has read one and accepts it, list it under acknowledged: in tiers.yaml with the reason (docs/policy.md#acknowledging-a-warning).'),
    step(`  2. Move ${patchWhat} onto the generated code (without --write, it prints the change):`),
    `       npx memtier patch ${evaluator} --write`,
    step(`  3. ${membershipStep(survey, context)}`),
    step(`  4. A build phase that stops the build when ${outputDirectory}/ no longer matches tiers.yaml${phaseNote}:`),
    buildPhaseSteps(layout, '     '),
    '  5. GitHub Actions, in a workflow that runs on pull requests:',
    '       - uses: actions/checkout@v4',
    '         with: { fetch-depth: 0 }   # memtier diff compares with the base branch',
    '       - uses: actions/setup-node@v4',
    '         with: { node-version: 20 }',
    '       - run: npm ci',
    '       - run: npx --no-install memtier check --format github',
    '       - run: npx --no-install memtier diff --markdown >> "$GITHUB_STEP_SUMMARY"',
  ].join('\n');
}

/** Target membership: the Swift files in the app target, the XCTests in the test target only. */
function membershipStep(survey: AppSurvey, context: StepsContext): string {
  const { outputDirectory, testsDirectory } = context;
  const tests = survey.testTargets.length === 1
    ? `the ${survey.testTargets[0]!.name} target`
    : survey.testTargets.length > 1 ? `one of ${survey.testTargets.map((target) => target.name).join(', ')}` : 'the app\'s unit-test target';
  const sentences = [
    `In Xcode, add ${outputDirectory}/*.swift to ${targetName(survey.appTarget)}, and ${outputDirectory}/${testsDirectory}/ to ${tests} only:`,
    `a test file in the app target does not build (with groups or synchronized folders: ${docsLink(context)}).`,
  ];
  return sentences.join(' ');
}

/** The Target membership section of docs/ci.md in memtier's package, from the app's folder. */
function docsLink(context: StepsContext): string {
  return `${toPosix(relative(context.cwd, join(context.packageFolder, 'docs', 'ci.md')))}#target-membership`;
}

/**
 * memtier's package as the app's build finds it: this copy when it is installed (under a
 * node_modules folder), else where `npm install --save-dev` puts it in the app's folder.
 */
export function appPackageFolder(cwd: string, packageRoot: string): string {
  return packageRoot.split(sep).includes('node_modules') ? packageRoot : join(cwd, 'node_modules', 'memtier');
}

const toPosix = (path: string) => path.split(sep).join(posix.sep);

/** A numbered step, wrapped under its text. */
const step = (text: string) => wrapText(text, { indent: 5 }).join('\n');
