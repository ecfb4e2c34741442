/**
 * `memtier init` in temporary app folders: what it finds (the mlx-swift pinned in Package.resolved,
 * the Xcode project and its app target, the file that declares the evaluator), what it writes into
 * tiers.yaml (only those values; every other line of the starter as it is), the next steps it
 * prints, and that it never overwrites a policy. The projects are written from facts
 * (test/helpers/xcode-project.ts) and the Package.resolved files from their pins.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { diffLines } from 'diff';
import { afterEach, describe, expect, it } from 'vitest';
import { makeProject } from './helpers/cli.js';
import { EXAMPLES_0AF2EFE, EXAMPLES_C684488, packageResolvedText, VLMEVAL_44B14CF } from './helpers/package-resolved.js';
import { DEFAULT_POLICY_TEXT as SHIPPED_POLICY_TEXT } from './helpers/policy.js';

/**
 * The starter an app gets: the shipped policy without its `acknowledged:` list, whose entries
 * accept warnings about the shipped values that an app's team must read for itself.
 */
const DEFAULT_POLICY_TEXT = SHIPPED_POLICY_TEXT.slice(0, SHIPPED_POLICY_TEXT.indexOf('\n\n# Warnings the team has read and accepts') + 1);
import { EXAMPLES_44B14CF_PROJECT, pbxprojText, type ProjectFacts } from './helpers/xcode-project.js';

const fixture = (path: string) => readFileSync(fileURLToPath(new URL(`./fixtures/${path}`, import.meta.url)), 'utf8');
/** Our case with the shape of VLMEval's ContentView.swift at 44b14cf (its header mentions the class in a comment). */
const VLMEVAL_CASE = fixture('shapes/vlmeval-44b14cf/ContentView.swift');
/** The design document's evaluator moved to mlx-swift-lm 2.30. */
const EVALUATOR_030 = fixture('evaluator/mlx-0.30/ContentView.swift');
const XCODE_RESOLVED = (project: string) => `${project}/project.xcworkspace/xcshareddata/swiftpm/Package.resolved`;
const REPO = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

let project: ReturnType<typeof makeProject> | undefined;
afterEach(() => project?.cleanup());

/** A sentence as printed, wherever the text was wrapped: each run of spaces may be a line break and an indent. */
const printed = (sentence: string) => new RegExp(sentence.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ +/g, '\\s+'));

/** The lines init changed in the starter: [removed, added]. */
function changedLines(written: string): [string[], string[]] {
  const parts = diffLines(DEFAULT_POLICY_TEXT, written);
  const lines = (kind: 'added' | 'removed') => parts.filter((part) => part[kind]).flatMap((part) => part.value.split('\n').filter((line) => line !== ''));
  return [lines('removed'), lines('added')];
}

describe('memtier init: the mlx-swift the app pins', () => {
  it('mlx-swift 0.30.3 (mlx-swift-examples c684488): the policy follows the pin and generates MLX.Memory calls', async () => {
    project = makeProject({ [XCODE_RESOLVED('MyApp.xcodeproj')]: packageResolvedText(EXAMPLES_C684488), 'package.json': '{}\n' });
    const result = await project.run('init');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(printed('  Package.resolved  MyApp.xcodeproj/project.xcworkspace/xcshareddata/swiftpm/Package.resolved pins mlx-swift 0.30.3 and mlx-swift-lm 2.30.3: the generated code calls MLX.Memory\n'));
    const policy = readFileSync(project.path('tiers.yaml'), 'utf8');
    expect(policy).not.toMatch(/^\s*mlxApi:/m);
    const generated = await project.run('generate');
    expect(generated.code, generated.stderr).toBe(0);
    // MemoryPolicy.swift holds the MLX calls the extension makes through it.
    const extension = readFileSync(project.path('generated', 'MemoryPolicy.swift'), 'utf8');
    expect(extension).toContain('MLX.Memory.');
    expect(extension).not.toContain('GPU.set(');
  });

  it('mlx-swift 0.29.1 (VLMEval at 44b14cf): the same policy generates MLX.GPU.set calls', async () => {
    project = makeProject({ [XCODE_RESOLVED('VLMEval.xcodeproj')]: packageResolvedText(VLMEVAL_44B14CF), 'package.json': '{}\n' });
    expect((await project.run('init')).stdout).toMatch(printed('pins mlx-swift 0.29.1 and mlx-swift-lm 2.29.2: the generated code calls MLX.GPU.set'));
    expect(readFileSync(project.path('tiers.yaml'), 'utf8')).not.toMatch(/^\s*mlxApi:/m);
    expect((await project.run('generate')).code).toBe(0);
    expect(readFileSync(project.path('generated', 'MemoryPolicy.swift'), 'utf8')).toContain('MLX.GPU.set(cacheLimit:');
  });

  it('names the Package.resolved in evaluator.packageResolved when generate would not find it from the evaluator', async () => {
    project = makeProject({
      [XCODE_RESOLVED('ios/App.xcodeproj')]: packageResolvedText(EXAMPLES_C684488),
      'Shared/Evaluator.swift': EVALUATOR_030,
      'package.json': '{}\n',
    });
    const result = await project.run('init');
    expect(result.stdout).toMatch(printed('  Package.resolved  ios/App.xcodeproj/project.xcworkspace/xcshareddata/swiftpm/Package.resolved [evaluator.packageResolved: generate would not find it by itself]\n'));
    const [, added] = changedLines(readFileSync(project.path('tiers.yaml'), 'utf8'));
    expect(added).toEqual(['  source: Shared/Evaluator.swift', '  packageResolved: ios/App.xcodeproj/project.xcworkspace/xcshareddata/swiftpm/Package.resolved']);
    expect((await project.run('generate')).code).toBe(0);
    expect(readFileSync(project.path('generated', 'MemoryPolicy.swift'), 'utf8')).toContain('MLX.Memory.');
  });

  it('the Xcode project\'s Package.resolved wins over a stale SwiftPM one beside it, and is named so that generate reads it', async () => {
    // mlx-swift-examples c684488 has both: its Xcode project pins mlx-swift 0.30.3, the SwiftPM
    // Package.resolved at the root still 0.29.1 (written here from the 44b14cf pins, which agree on it).
    project = makeProject({
      'mlx-swift-examples.xcodeproj/project.pbxproj': pbxprojText(EXAMPLES_44B14CF_PROJECT),
      [XCODE_RESOLVED('mlx-swift-examples.xcodeproj')]: packageResolvedText(EXAMPLES_C684488),
      'Package.resolved': packageResolvedText(VLMEVAL_44B14CF),
      'Applications/VLMEval/ContentView.swift': EVALUATOR_030,
      'package.json': '{}\n',
    });
    const result = await project.run('init');
    expect(result.stdout).toMatch(printed('[evaluator.packageResolved: without it, generate would read Package.resolved, which pins 0.29.1] pins mlx-swift 0.30.3 and mlx-swift-lm 2.30.3: the generated code calls MLX.Memory'));
    expect(readFileSync(project.path('tiers.yaml'), 'utf8')).toMatch(/^ {2}packageResolved: mlx-swift-examples\.xcodeproj\/project\.xcworkspace\/xcshareddata\/swiftpm\/Package\.resolved$/m);
    const generated = await project.run('generate');
    expect(generated.code, generated.stderr).toBe(0);
    expect(readFileSync(project.path('generated', 'MemoryPolicy.swift'), 'utf8')).toContain('MLX.Memory.');
  });

  it('Package.resolved files that disagree: the starter as it is, and the next steps say which to name', async () => {
    project = makeProject({
      [XCODE_RESOLVED('One.xcodeproj')]: packageResolvedText(EXAMPLES_C684488),
      [XCODE_RESOLVED('Two.xcodeproj')]: packageResolvedText(VLMEVAL_44B14CF),
    });
    const result = await project.run('init');
    expect(result.stdout).toMatch(printed('several disagree about mlx-swift (One.xcodeproj/project.xcworkspace/xcshareddata/swiftpm/Package.resolved pins 0.30.3, Two.xcodeproj/project.xcworkspace/xcshareddata/swiftpm/Package.resolved pins 0.29.1); set evaluator.packageResolved to the one the app builds with'));
    expect(readFileSync(project.path('tiers.yaml'), 'utf8')).toBe(DEFAULT_POLICY_TEXT);
  });

  it('mlx-swift pinned to a branch (mlx-swift-examples 0af2efe): the starter\'s mlxApi stays, and the next steps say to check it', async () => {
    project = makeProject({ [XCODE_RESOLVED('App.xcodeproj')]: packageResolvedText(EXAMPLES_0AF2EFE), 'package.json': '{}\n' });
    const result = await project.run('init');
    expect(result.stdout).toMatch(printed('  Package.resolved  App.xcodeproj/project.xcworkspace/xcshareddata/swiftpm/Package.resolved pins mlx-swift branch main (948000c)\n'));
    expect(result.stdout).toMatch(printed('  mlx-swift release pinned at branch main (948000c), not a release, so memtier cannot tell its memory API; set evaluator.mlxApi: gpu for mlx-swift before 0.30.1, memory from 0.30.1 on (tiers.yaml says gpu)'));
    expect(readFileSync(project.path('tiers.yaml'), 'utf8')).toBe(DEFAULT_POLICY_TEXT);
    expect((await project.run('generate')).code).toBe(0);
  });
});

describe('memtier init: the Xcode project and the evaluator', () => {
  it('a project with the shape of mlx-swift-examples at 44b14cf: the VLMEval target, its module and the evaluator file', async () => {
    project = makeProject({
      'mlx-swift-examples.xcodeproj/project.pbxproj': pbxprojText(EXAMPLES_44B14CF_PROJECT),
      [XCODE_RESOLVED('mlx-swift-examples.xcodeproj')]: packageResolvedText(VLMEVAL_44B14CF),
      'Applications/VLMEval/ContentView.swift': VLMEVAL_CASE,
      'Applications/LLMEval/ViewModels/LLMEvaluator.swift': 'import Foundation\n\n@Observable\n@MainActor\nclass LLMEvaluator {}\n',
      'package.json': '{}\n',
    });
    const result = await project.run('init');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(printed([
      '  Xcode project     mlx-swift-examples.xcodeproj [app.xcodeProject]',
      '  app target        VLMEval: module VLMEval [output.tests.module], iOS 17.2; no unit-test target for it yet',
      '  evaluator         Applications/VLMEval/ContentView.swift declares class VLMEvaluator [evaluator.source]',
    ].join('\n')));
    expect(result.stdout).toContain('       npx memtier patch Applications/VLMEval/ContentView.swift --write\n');
    expect(result.stdout).toMatch(printed('  3. In Xcode, add generated/*.swift to the VLMEval target, and generated/Tests/ to the app\'s unit-test target only: a test file in the app target does not build (with groups or synchronized folders: node_modules/memtier/docs/ci.md#target-membership).\n'));
    expect(result.stdout).toContain('     In Xcode, select the VLMEval target, Build Phases, + > New Run Script Phase, and drag it above\n');
    expect(result.stdout).toContain('       Script:             "$SRCROOT/node_modules/memtier/xcode/build-phase.sh"\n');
    expect(result.stdout).toContain('       Input File Lists:   $(SRCROOT)/generated/memtier.xcfilelist\n');
    expect(result.stdout).not.toContain('Not found');

    // Only the app's values changed; every comment and other line of the starter is as it was.
    const [removed, added] = changedLines(readFileSync(project.path('tiers.yaml'), 'utf8'));
    expect(removed.every((line) => /^\s*(mlxApi|module):/.test(line)), removed.join('\n')).toBe(true);
    expect(added).toEqual(expect.arrayContaining(['  source: Applications/VLMEval/ContentView.swift', '  xcodeProject: mlx-swift-examples.xcodeproj']));
    expect(added.every((line) => /^\s*(source|xcodeProject|module):/.test(line)), added.join('\n')).toBe(true);
    expect(readFileSync(project.path('tiers.yaml'), 'utf8')).toMatch(/^ {4}module: VLMEval$/m);
    const generated = await project.run('generate');
    expect(generated.code, generated.stderr).toBe(0);
  });

  it('an evaluator in a synchronized folder (Xcode 16) picks the target that lists the folder', async () => {
    project = makeProject({
      'mlx-swift-examples.xcodeproj/project.pbxproj': pbxprojText(EXAMPLES_44B14CF_PROJECT),
      'Applications/MLXChatExample/Services/Evaluator.swift': EVALUATOR_030,
      'package.json': '{}\n',
    });
    const result = await project.run('init');
    // iOS "18.0" as the project writes it, not 18.
    expect(result.stdout).toMatch(printed('  app target        MLXChatExample: module MLXChatExample [output.tests.module], iOS 18.0; no unit-test target for it yet\n'));
    expect(readFileSync(project.path('tiers.yaml'), 'utf8')).toMatch(/^ {4}module: MLXChatExample$/m);
  });

  it('a test target hosted by the app, a product name that is no identifier, synchronized folders and the evaluator in a subfolder', async () => {
    const facts: ProjectFacts = {
      origin: 'our own: the layout of an iOS app project made by Xcode 16 (synchronized folders, a hosted unit-test target)',
      objectVersion: 77,
      targets: [
        { name: 'Demo', productName: 'Smol-VLM Demo', productType: 'application', iOS: { debug: '17.0', release: '16.4' }, synchronizedFolders: ['Demo'] },
        { name: 'DemoTests', productType: 'bundle.unit-test', iOS: '17.0', synchronizedFolders: ['DemoTests'], dependsOn: ['Demo'], testHost: '$(BUILT_PRODUCTS_DIR)/Smol-VLM Demo.app/$(BUNDLE_EXECUTABLE_FOLDER_PATH)/Smol-VLM Demo' },
      ],
    };
    // The Xcode project in ios/, the npm package at the top of the repository.
    project = makeProject({
      'ios/Demo.xcodeproj/project.pbxproj': pbxprojText(facts),
      'ios/Demo/Model/Evaluation/Evaluator.swift': EVALUATOR_030,
      'ios/Demo/Docs.swift': '// Our class VLMEvaluator lives in Model/.\nlet note = "class VLMEvaluator { }"\n',
      'package.json': '{}\n',
    });
    const result = await project.run('init');
    expect(result.stdout).toMatch(printed('  app target        Demo: module Smol_VLM_Demo [output.tests.module], iOS 17.0 (Debug), 16.4 (Release); tests: DemoTests\n'));
    expect(result.stdout).toMatch(printed('  evaluator         ios/Demo/Model/Evaluation/Evaluator.swift declares class VLMEvaluator [evaluator.source]\n'));
    expect(result.stdout).toMatch(printed('generated/Tests/ to the DemoTests target only'));
    // $(SRCROOT) is ios/: the build phase reaches up to node_modules and generated/.
    expect(result.stdout).toContain('       Script:             "$SRCROOT/../node_modules/memtier/xcode/build-phase.sh"\n');
    expect(result.stdout).toContain('       Input File Lists:   $(SRCROOT)/../generated/memtier.xcfilelist\n');
    const policy = readFileSync(project.path('tiers.yaml'), 'utf8');
    expect(policy).toMatch(/^ {4}module: Smol_VLM_Demo$/m);
    expect(policy).toMatch(/^ {2}xcodeProject: ios\/Demo\.xcodeproj$/m);
    expect(policy).toMatch(/^ {2}source: ios\/Demo\/Model\/Evaluation\/Evaluator\.swift$/m);
  });

  it('several evaluator files and several projects: says so, and leaves those keys to set by hand', async () => {
    const app = (name: string): ProjectFacts => ({ origin: 'our own', objectVersion: 77, targets: [{ name, productType: 'application', iOS: '17.0', synchronizedFolders: [name] }] });
    project = makeProject({
      'One.xcodeproj/project.pbxproj': pbxprojText(app('One')),
      'Two.xcodeproj/project.pbxproj': pbxprojText(app('Two')),
      'One/Evaluator.swift': EVALUATOR_030,
      'Two/Evaluator.swift': EVALUATOR_030,
    });
    const result = await project.run('init');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(printed('  Xcode project     2 projects, none clearly the app\'s (One.xcodeproj, Two.xcodeproj); set app.xcodeProject, and set output.tests.module to the app target\'s module (tiers.yaml says VLMEval)\n'));
    expect(result.stdout).toMatch(printed('  evaluator         2 files declare class VLMEvaluator (One/Evaluator.swift, Two/Evaluator.swift); set evaluator.source to the file of the class the app runs\n'));
    expect(result.stdout).toContain('       npx memtier patch FILE.swift --write\n');
    expect(readFileSync(project.path('tiers.yaml'), 'utf8')).toBe(DEFAULT_POLICY_TEXT);
  });

  it('nothing found: the starter as it is, and the next steps name every key to set', async () => {
    project = makeProject({ 'package.json': '{}\n', 'README.md': 'An app, some day.\n' });
    const result = await project.run('init');
    expect(result.code).toBe(0);
    expect(readFileSync(project.path('tiers.yaml'), 'utf8')).toBe(DEFAULT_POLICY_TEXT);
    const notFound = result.stdout.slice(result.stdout.indexOf('Not found'), result.stdout.indexOf('Next steps'));
    expect(notFound).toMatch(printed('Package.resolved  none pins mlx-swift here (Xcode writes one when it resolves packages); set evaluator.mlxApi: gpu for mlx-swift before 0.30.1, memory from 0.30.1 on'));
    expect(notFound).toMatch(printed('Xcode project     no .xcodeproj here or below; set app.xcodeProject, and set output.tests.module to the app target\'s module'));
    expect(notFound).toMatch(printed('evaluator         no Swift file here declares class VLMEvaluator; set evaluator.source to the file of the class the app runs'));
    expect(result.stdout).not.toContain('Found here');
    expect(result.stdout).toMatch(printed('The paths below assume the .xcodeproj is in this folder, and generate writes the input file list once app.xcodeProject is set:'));
    expect((await project.run('generate')).code).toBe(0);
  });

  it('a broken project.pbxproj is a warning at its line, and init goes on without it', async () => {
    const text = pbxprojText(EXAMPLES_44B14CF_PROJECT).replace('\t\t\tisa = PBXNativeTarget;', '<<<<<<< HEAD\n\t\t\tisa = PBXNativeTarget;');
    project = makeProject({ 'App.xcodeproj/project.pbxproj': text, 'package.json': '{}\n' });
    const line = text.split('\n').findIndex((entry) => entry.startsWith('<<<<<<<')) + 1;
    const result = await project.run('init');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(new RegExp(`^App\\.xcodeproj/project\\.pbxproj:${line}:1: warning: is not a project file Xcode can open \\(.+\\); resolve a merge conflict or restore it from git\\n$`));
    expect(result.stdout).toMatch(printed('  Xcode project     App.xcodeproj cannot be read (the warning above says why); set app.xcodeProject, and set output.tests.module'));
  });
});

describe('memtier init: files', () => {
  it('leaves the shipped policy\'s acknowledgements out of the starter: the app\'s team acknowledges what it has read', () => {
    expect(SHIPPED_POLICY_TEXT).toContain('\nacknowledged:\n');
    expect(DEFAULT_POLICY_TEXT).not.toContain('acknowledged');
    expect(SHIPPED_POLICY_TEXT.startsWith(DEFAULT_POLICY_TEXT)).toBe(true);
  });

  it('writes the starter policy and schema, prints the next steps, and never overwrites', async () => {
    project = makeProject({});
    const result = await project.run('init');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('npx --no-install memtier check --format github');
    expect(result.stdout).toContain('       Script:             "$SRCROOT/node_modules/memtier/xcode/build-phase.sh"\n');
    expect(readFileSync(project.path('tiers.yaml'), 'utf8')).toBe(DEFAULT_POLICY_TEXT);
    expect(existsSync(project.path('tiers.schema.json'))).toBe(true);
    expect((await project.run('generate')).code).toBe(0);
    expect(await project.run('init')).toEqual({ code: 2, stdout: '', stderr: 'memtier: error: tiers.yaml already exists here; memtier init never overwrites a policy\n' });
  });

  it('never overwrites a tiers.config.ts or tiers.yaml, even when it finds an app', async () => {
    project = makeProject({ 'tiers.config.ts': 'export default {};\n', [XCODE_RESOLVED('App.xcodeproj')]: packageResolvedText(EXAMPLES_C684488) });
    expect(await project.run('init')).toEqual({ code: 2, stdout: '', stderr: 'memtier: error: tiers.config.ts already exists here; memtier init never overwrites a policy\n' });
    expect(existsSync(project.path('tiers.yaml'))).toBe(false);
    writeFileSync(project.path('tiers.yaml'), 'tiers: []\n');
    expect((await project.run('init')).code).toBe(2);
    expect(readFileSync(project.path('tiers.yaml'), 'utf8')).toBe('tiers: []\n');
  });

  it('in a folder with no package.json, says exactly which command makes memtier a dev dependency', async () => {
    project = makeProject({});
    const bare = await project.run('init');
    expect(bare.stdout).toContain('This folder has no package.json, so memtier is not a dev dependency here yet');
    expect(bare.stdout).toContain(`  npm init -y && npm install --save-dev ${REPO}\n`);
    const withPackage = makeProject({ 'package.json': '{ "private": true }\n' });
    try {
      expect((await withPackage.run('init')).stdout).not.toContain('no package.json');
    } finally {
      withPackage.cleanup();
    }
  });
});
