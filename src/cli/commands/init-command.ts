/**
 * `memtier init`: writes the starter tiers.yaml (plan B of the design document) and its schema,
 * and prints the next steps.
 */
import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { writeFileAtomically } from '../../output/write-output.js';
import { packageFile } from '../../package/package-files.js';
import { renderJsonSchema } from '../../policy/json-schema.js';
import { ExitCode, UsageError, type CliIO } from '../io.js';
import { DEFAULT_POLICY_FILE, TYPED_POLICY_FILE } from '../load-policy-file.js';
import { existingText, SCHEMA_FILE } from './schema-command.js';

const STARTER_POLICY = packageFile('tiers.yaml');

/** `memtier init`: writes the starter tiers.yaml (plan B) and prints the next steps; never overwrites. */
export async function initCommand(io: CliIO): Promise<number> {
  for (const name of [DEFAULT_POLICY_FILE, TYPED_POLICY_FILE]) {
    if ((await existingText(resolve(io.cwd, name))) !== undefined) {
      throw new UsageError(`${name} already exists here; memtier init never overwrites a policy`);
    }
  }
  await writeFileAtomically(resolve(io.cwd, DEFAULT_POLICY_FILE), await readFile(STARTER_POLICY, 'utf8'));
  if ((await existingText(resolve(io.cwd, SCHEMA_FILE))) === undefined) {
    await writeFileAtomically(resolve(io.cwd, SCHEMA_FILE), await renderJsonSchema());
  }
  io.stdout(`wrote ${DEFAULT_POLICY_FILE} (plan B of the design document) and ${SCHEMA_FILE} (editor completion)
${(await existingText(resolve(io.cwd, 'package.json'))) === undefined ? await noPackageJsonStep() : ''}
Next steps:
  1. Review tiers.yaml: set output.tests.module to your app module, and evaluator.source to the
     Swift file that declares VLMEvaluator (or remove the evaluator section).
  2. npx memtier generate          # writes generated/*.swift; add them to the app target,
                                   # and generated/Tests to the test target
  3. npx memtier patch App/ContentView.swift --write   # adopt the generated code in the evaluator
  4. Keep CI in sync. GitHub Actions:
       - run: npm ci
       - run: npx memtier check --format github
     Xcode, a "Run Script" build phase of the app target:
       cd "$SRCROOT" && npx --no-install memtier check
`);
  return ExitCode.ok;
}

/**
 * The step for a folder with no package.json: without one, memtier is no dev dependency here, and
 * `npm ci` and `npx --no-install memtier` in Xcode and CI would not find it. Names this memtier's
 * own folder (an installed package or a checkout) so the command can be run as it is.
 */
async function noPackageJsonStep(): Promise<string> {
  const root = packageFile('').replace(/\/$/, '');
  const inNodeModules = root.split(sep).includes('node_modules');
  const source = inNodeModules ? 'PATH/TO/memtier-<version>.tgz' : root;
  return `
This folder has no package.json, so memtier is not a dev dependency here yet (Xcode's build phase
and CI run the project's own copy). Add it, then commit package.json and package-lock.json:
  npm init -y && npm install --save-dev ${source}
`;
}
