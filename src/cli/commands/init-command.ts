/**
 * `memtier init`: writes a tiers.yaml for the app in the current folder and its schema, and prints
 * the next steps. It reads the app first (src/app/): the mlx-swift its Package.resolved pins, its
 * Xcode project and app target, the file that declares the evaluator; the starter policy with
 * those values filled in is the tiers.yaml it writes.
 */
import { readFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { parseDocument } from 'yaml';
import { MAX_FOLDERS } from '../../app/app-tree.js';
import { surveyApp, type AppSurvey } from '../../app/survey-app.js';
import { formatDiagnostic } from '../../diagnostics/format.js';
import { mlxApiForVersion } from '../../mlx/mlx-api.js';
import { writeFileAtomically } from '../../output/write-output.js';
import { packageFile } from '../../package/package-files.js';
import { renderJsonSchema } from '../../policy/json-schema.js';
import { describeFindings } from '../init-findings.js';
import { appPackageFolder, nextSteps } from '../init-next-steps.js';
import { starterOutputDirectory, starterPolicyFor, type PolicyChoices } from '../init-policy.js';
import { ExitCode, UsageError, type CliIO } from '../io.js';
import { DEFAULT_POLICY_FILE, displayPathOf, TYPED_POLICY_FILE } from '../load-policy-file.js';
import { existingText, SCHEMA_FILE } from './schema-command.js';

const STARTER_POLICY = packageFile('tiers.yaml');

/** `memtier init`: writes tiers.yaml for the app found here and prints the next steps; never overwrites a policy. */
export async function initCommand(io: CliIO): Promise<number> {
  for (const name of [DEFAULT_POLICY_FILE, TYPED_POLICY_FILE]) {
    if ((await existingText(resolve(io.cwd, name))) !== undefined) {
      throw new UsageError(`${name} already exists here; memtier init never overwrites a policy`);
    }
  }
  const starter = await readFile(STARTER_POLICY, 'utf8');
  const outputDirectory = starterOutputDirectory(starter);
  const shown = (path: string) => displayPathOf(io.cwd, path);
  const survey = await surveyApp(io.cwd, { skip: [resolve(io.cwd, outputDirectory)], shownAs: shown });
  for (const problem of survey.problems) io.stderr(`${formatDiagnostic(problem)}\n`);

  await writeFileAtomically(resolve(io.cwd, DEFAULT_POLICY_FILE), starterPolicyFor(starter, policyChoices(io.cwd, survey)));
  if ((await existingText(resolve(io.cwd, SCHEMA_FILE))) === undefined) {
    await writeFileAtomically(resolve(io.cwd, SCHEMA_FILE), await renderJsonSchema());
  }
  io.stdout(`${await report(io.cwd, starter, survey)}\n`);
  return ExitCode.ok;
}

/** The values of tiers.yaml that the app decides; what was not found keeps the starter's value. */
function policyChoices(cwd: string, survey: AppSurvey): PolicyChoices {
  const fromHere = (path: string) => relative(cwd, path).split(sep).join('/');
  const { mlx, project, appTarget, evaluator } = survey;
  return {
    followPinnedRelease: mlx.chosen?.mlxSwift.version !== undefined && mlxApiForVersion(mlx.chosen.mlxSwift.version) !== undefined,
    ...(evaluator ? { evaluatorSource: fromHere(evaluator) } : {}),
    ...(mlx.chosen && mlx.needsKey ? { packageResolved: fromHere(mlx.chosen.file) } : {}),
    ...(project ? { xcodeProject: fromHere(project.path) } : {}),
    ...(appTarget?.moduleName !== undefined ? { testsModule: appTarget.moduleName } : {}),
  };
}

async function report(cwd: string, starter: string, survey: AppSurvey): Promise<string> {
  const doc = parseDocument(starter);
  const text = (path: string[]) => {
    const value = doc.getIn(path);
    return typeof value === 'string' ? value : undefined;
  };
  const findings = describeFindings(survey, {
    shown: (path) => displayPathOf(cwd, path),
    starter: { mlxApi: text(['evaluator', 'mlxApi']), testsModule: text(['output', 'tests', 'module']) },
  });
  const steps = nextSteps(survey, {
    cwd,
    packageFolder: appPackageFolder(cwd, packageFile('').replace(/\/$/, '')),
    outputDirectory: starterOutputDirectory(starter),
    testsDirectory: text(['output', 'tests', 'directory']) ?? 'Tests',
  });
  return [
    `wrote ${DEFAULT_POLICY_FILE} and ${SCHEMA_FILE} (completion in YAML editors)`,
    (await existingText(join(cwd, 'package.json'))) === undefined ? noPackageJsonStep() : '',
    ...(findings.found.length > 0 ? ['Found here (in brackets, the key tiers.yaml now sets):', ...findings.found, ''] : []),
    ...(findings.missing.length > 0 ? ['Not found; set these in tiers.yaml by hand:', ...findings.missing, ''] : []),
    ...(survey.incomplete ? [`(This folder is very large: memtier stopped looking after ${MAX_FOLDERS.toLocaleString('en')} folders. Run init in the app's own folder.)`, ''] : []),
    steps,
  ].join('\n');
}

/**
 * The step for a folder with no package.json: without one, memtier is no dev dependency here, and
 * `npm ci` and the build phase in Xcode and CI would not find it. Names this memtier's own folder
 * (an installed package or a checkout) so the command can be run as it is.
 */
function noPackageJsonStep(): string {
  const root = packageFile('').replace(/\/$/, '');
  const source = root.split(sep).includes('node_modules') ? 'PATH/TO/memtier-<version>.tgz' : root;
  return `
This folder has no package.json, so memtier is not a dev dependency here yet (Xcode's build phase
and CI run the project's own copy). Add it, then commit package.json and package-lock.json:
  npm init -y && npm install --save-dev ${source}
`;
}
