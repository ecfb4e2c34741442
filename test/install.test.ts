/**
 * memtier the way the README says to get it, run as written: the quick start in a fresh copy of
 * this checkout, then the app path (pack into the app's vendor/ folder, install, init, generate,
 * patch, check) and the Xcode build phase's script, in an app folder holding our VLMEval case, its
 * Package.resolved and an Xcode project of its shape; then a fresh clone of that app repository,
 * `npm ci` with an empty npm cache and the build phase again; then the README's GitHub Actions
 * workflow, its `run:` steps run as GitHub runs them, on a pull request in a full and in a depth-1
 * clone. Every command is taken from the README's own code blocks, so the README cannot drift from
 * what memtier does. Needs the npm registry for memtier's own dependencies.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageResolvedText, VLMEVAL_44B14CF } from './helpers/package-resolved.js';
import { pbxprojText } from './helpers/xcode-project.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const VLMEVAL_CASE = fileURLToPath(new URL('./fixtures/shapes/vlmeval-44b14cf/ContentView.swift', import.meta.url));
const version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version as string;

const README = readFileSync(join(repo, 'README.md'), 'utf8');
/** The README's `sh` blocks, in order: quick start, tests, pack, the app, the Xcode build phase. */
const README_BLOCKS = [...README.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
const [QUICK_START, , PACK, APP, XCODE] = README_BLOCKS;
/** The `run:` steps of the README's GitHub Actions workflow. */
const WORKFLOW_STEPS = [...(README.match(/```yaml\n([\s\S]*?)```/)?.[1] ?? '').matchAll(/^\s+- run: (.+)$/gm)].map((match) => match[1]!);

/** An Xcode project with the shape of VLMEval's: the app target compiles the evaluator file; a unit-test target hosted by it. */
const APP_PROJECT = {
  origin: 'the VLMEval target of ml-explore/mlx-swift-examples 44b14cf, and a unit-test target as Xcode adds one',
  objectVersion: 70,
  targets: [
    { name: 'VLMEval', productType: 'application' as const, iOS: '17.2', sources: ['VLMEval/ContentView.swift'] },
    { name: 'VLMEvalTests', productType: 'bundle.unit-test' as const, iOS: '17.2', dependsOn: ['VLMEval'], testHost: 'VLMEval' },
  ],
};

let work: string;
let checkout: string;
let app: string;

const env = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
function run(command: string, args: string[], cwd = app, extraEnv: Record<string, string> = {}) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...env, ...extraEnv } });
  return { code: result.status ?? 1, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}
/** A README block, run by bash as written, stopping at the first failing line. */
const shell = (block: string, cwd: string, extraEnv: Record<string, string> = {}) => run('bash', ['-e', '-c', block], cwd, extraEnv);
const memtier = (...args: string[]) => run('npx', ['--no-install', 'memtier', ...args]);

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'memtier-install-'));
  // A fresh copy of this checkout: the files git tracks or would track, nothing built, no node_modules.
  checkout = join(work, 'memtier');
  const listed = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: repo, encoding: 'utf8' }).stdout.split('\0');
  for (const path of listed.filter((entry) => entry !== '' && existsSync(join(repo, entry)))) {
    mkdirSync(dirname(join(checkout, path)), { recursive: true });
    copyFileSync(join(repo, path), join(checkout, path));
  }
  // The app repository, next to the checkout as the README has it: our VLMEval case and the
  // Package.resolved Xcode writes for it (mlx-swift 0.29.1, mlx-swift-lm 2.29.2).
  app = join(work, 'MyApp');
  mkdirSync(join(app, 'VLMEval'), { recursive: true });
  copyFileSync(VLMEVAL_CASE, join(app, 'VLMEval', 'ContentView.swift'));
  const swiftpm = join(app, 'VLMEval.xcodeproj', 'project.xcworkspace', 'xcshareddata', 'swiftpm');
  mkdirSync(swiftpm, { recursive: true });
  writeFileSync(join(swiftpm, 'Package.resolved'), packageResolvedText(VLMEVAL_44B14CF));
  writeFileSync(join(app, 'VLMEval.xcodeproj', 'project.pbxproj'), pbxprojText(APP_PROJECT));
}, 60_000);

const git = (cwd: string, ...args: string[]) => run('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=CI', '-c', 'init.defaultBranch=main', ...args], cwd);
/** The build phase as Xcode runs it: from the phase's script, with $SRCROOT and $DERIVED_FILE_DIR set. */
const buildPhase = (srcroot: string) => shell(XCODE!, tmpdir(), { SRCROOT: srcroot, DERIVED_FILE_DIR: join(work, 'derived', srcroot.split('/').pop()!) });

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the README, run as written', () => {
  it('has the blocks this test runs', () => {
    expect(README_BLOCKS).toHaveLength(5);
    expect(QUICK_START!.trim()).toBe('npm ci && npx memtier generate');
    expect(PACK!.trim()).toBe('npm ci && npm run pack:app -- ../MyApp/vendor');
    expect(APP).toContain(`npm install --save-dev ./vendor/memtier-${version}.tgz`);
    expect(WORKFLOW_STEPS).toEqual(['npm ci', 'npx --no-install memtier check --format github', 'npx --no-install memtier diff --markdown >> "$GITHUB_STEP_SUMMARY"']);
  });

  it('quick start: a fresh copy sets itself up and generates exactly the committed Swift', () => {
    const result = shell(QUICK_START!, checkout);
    expect(result.code, result.stderr).toBe(0);
    for (const name of ['DeviceMemoryTier.swift', 'MemoryConfiguration.swift', 'MemoryPolicy.swift', 'MemoryPressureMonitor.swift', 'VLMEvaluator+MemoryPolicy.swift']) {
      expect(readFileSync(join(checkout, 'generated', name), 'utf8'), name).toBe(readFileSync(join(repo, 'generated', name), 'utf8'));
    }
    expect(result.stdout).not.toContain('wrote ');
  }, 600_000);

  it('the app path: pack into vendor/, install, init (which reads the app), generate, patch, check', () => {
    const packed = shell(PACK!, checkout);
    expect(packed.code, packed.stderr).toBe(0);
    expect(readdirSync(join(app, 'vendor'))).toEqual([`memtier-${version}.tgz`]);

    const adopted = shell(APP!, app);
    expect(adopted.code, `${adopted.stdout}\n${adopted.stderr}`).toBe(0);
    // Nothing asks the app to allow an install script: the packed package has no scripts.
    expect(adopted.stderr).not.toMatch(/install-scripts|allowScripts/);
    expect(JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')).devDependencies.memtier).toBe(`file:vendor/memtier-${version}.tgz`);
    // init read the app: its evaluator, its project, its module; the pin decides the MLX API.
    const policy = readFileSync(join(app, 'tiers.yaml'), 'utf8');
    expect(policy).toContain('  source: VLMEval/ContentView.swift\n');
    expect(policy).toContain('  xcodeProject: VLMEval.xcodeproj\n');
    expect(policy).not.toMatch(/^\s+mlxApi:/m);
    expect(adopted.stdout).toContain('"$SRCROOT/node_modules/memtier/xcode/build-phase.sh"');
    expect(readdirSync(join(app, 'generated')).sort()).toEqual(['DeviceMemoryTier.swift', 'MemoryConfiguration.swift', 'MemoryPolicy.swift', 'MemoryPressureMonitor.swift', 'Tests', 'VLMEvaluator+MemoryPolicy.swift', 'memtier.xcfilelist']);
    expect(readdirSync(join(app, 'generated', 'Tests')).sort()).toEqual(['MemoryPolicyTests.swift', 'MemoryStressTest.swift']);
    // patch --write moved the evaluator onto the generated API.
    const code = readFileSync(join(app, 'VLMEval', 'ContentView.swift'), 'utf8').split('\n').filter((line) => !line.trimStart().startsWith('//')).join('\n');
    expect(code).toContain('applyMemoryLimits()');
    expect(code).not.toContain('MLX.GPU.set(');
    expect(adopted.stdout).toContain('generated matches tiers.yaml (8 files)');
  }, 600_000);

  it('the Xcode build phase passes, and fails with one located error per stale file when the policy changes without generate', () => {
    const passes = buildPhase(app);
    expect(passes.code, passes.stderr).toBe(0);
    const policy = readFileSync(join(app, 'tiers.yaml'), 'utf8');
    writeFileSync(join(app, 'tiers.yaml'), policy.replace('maxTokens: 800', 'maxTokens: 900'));
    const stale = buildPhase(app);
    expect(stale.code).toBe(1);
    expect(stale.stderr.split('\n').filter((line) => line.includes(': error: '))).toEqual([
      expect.stringMatching(new RegExp(`^${join(app, 'generated', 'MemoryConfiguration.swift')}:\\d+:1: error: out of date with tiers\\.yaml from this line on`)),
      expect.stringMatching(new RegExp(`^${join(app, 'generated', 'Tests', 'MemoryPolicyTests.swift')}:\\d+:1: error: out of date with tiers\\.yaml from this line on`)),
    ]);
    writeFileSync(join(app, 'tiers.yaml'), policy);
  });

  it('a fresh clone of the app repository installs with npm ci from an empty npm cache, and its build phase passes', () => {
    writeFileSync(join(app, '.gitignore'), 'node_modules/\n');
    expect(git(app, 'init', '-q').code).toBe(0);
    git(app, 'add', '-A');
    expect(git(app, 'commit', '-q', '-m', 'adopt memtier').code).toBe(0);
    const clone = join(work, 'MyApp-clone');
    expect(git(work, 'clone', '-q', app, clone).code).toBe(0);
    const installed = run('npm', ['ci'], clone, { npm_config_cache: mkdtempSync(join(work, 'empty-npm-cache-')), npm_config_prefer_offline: 'false' });
    expect(installed.code, installed.stderr).toBe(0);
    const passes = buildPhase(clone);
    expect(passes.code, passes.stderr).toBe(0);
    expect(passes.stdout).toBe('generated matches tiers.yaml (8 files)\n');
  }, 600_000);

  it('the GitHub Actions workflow\'s steps pass on a pull request, and diff refuses a depth-1 checkout with the fix', () => {
    // The pull request: a branch that raises standard's maxTokens, with generate run, as a team would push it.
    const clone = join(work, 'MyApp-pr');
    expect(git(work, 'clone', '-q', app, clone).code).toBe(0);
    git(clone, 'checkout', '-q', '-b', 'longer-answers');
    writeFileSync(join(clone, 'tiers.yaml'), readFileSync(join(clone, 'tiers.yaml'), 'utf8').replace('maxTokens: 800', 'maxTokens: 900'));
    expect(run('npm', ['ci'], clone).code).toBe(0);
    expect(run('npx', ['--no-install', 'memtier', 'generate'], clone).code).toBe(0);
    git(clone, 'commit', '-q', '-am', 'longer answers on standard');
    const summary = join(work, 'step-summary.md');
    const actions = { GITHUB_ACTIONS: 'true', GITHUB_BASE_REF: 'main', GITHUB_STEP_SUMMARY: summary };
    for (const step of WORKFLOW_STEPS) {
      const result = run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step], clone, actions);
      expect(result.code, `${step}\n${result.stderr}`).toBe(0);
    }
    expect(readFileSync(summary, 'utf8')).toMatch(/standard\.maxTokens.*800.*900/);

    // actions/checkout without fetch-depth: 0 gives a clone of one commit.
    const shallow = join(work, 'MyApp-shallow');
    expect(git(work, 'clone', '-q', '--depth', '1', '--branch', 'longer-answers', `file://${clone}`, shallow).code).toBe(0);
    expect(run('npm', ['ci'], shallow).code).toBe(0);
    const diff = run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', WORKFLOW_STEPS[2]!], shallow, actions);
    expect(diff.code).toBe(2);
    expect(diff.stderr).toContain('fetch-depth: 0');
  }, 600_000);
});

describe('the installed package', () => {
  it('carries what it needs at run time, and nothing made for this machine or for contributors', () => {
    const installed = join(app, 'node_modules', 'memtier');
    for (const path of ['bin/memtier.js', 'dist/cli/main.js', 'bin/load-cli.js', 'dist/bundle/memtier.cjs', 'dist/package/templates.precompiled.cjs', 'dist/grammars/tree-sitter-swift.wasm', 'templates/MemoryPressureMonitor.swift.hbs', 'tiers.yaml', 'tiers.schema.json', 'docs/design.md', 'docs/policy.md', 'xcode/build-phase.sh']) {
      expect(existsSync(join(installed, path)), path).toBe(true);
    }
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(manifest.scripts).toBeUndefined();
    expect(manifest.devDependencies).toBeUndefined();
    // One grammar, in the package; not tree-sitter-wasms' 36.
    expect(existsSync(join(app, 'node_modules', 'tree-sitter-wasms'))).toBe(false);
    // No V8 code cache in the tarball: one made for this machine's Node and CPU is no use on a Mac.
    const listed = spawnSync('tar', ['tzf', join(app, 'vendor', `memtier-${version}.tgz`)], { encoding: 'utf8' }).stdout.split('\n');
    expect(listed).toContain('package/dist/bundle/memtier.cjs');
    expect(listed.filter((path) => path.endsWith('.v8cache') || path.endsWith('.map'))).toEqual([]);
    expect(existsSync(join(installed, 'src'))).toBe(false);
    expect(existsSync(join(installed, 'test'))).toBe(false);
  });

  it('check reads the evaluator; patch, explain and budget work from the installed copy', () => {
    expect(memtier('--version').stdout.trim()).toBe(version);
    // An unpatched copy of the case, named by evaluator.source: check finds the hand-set limit.
    mkdirSync(join(app, 'Before'));
    cpSync(VLMEVAL_CASE, join(app, 'Before', 'ContentView.swift'));
    const policy = readFileSync(join(app, 'tiers.yaml'), 'utf8');
    writeFileSync(join(app, 'tiers.yaml'), policy.replace('  source: VLMEval/ContentView.swift\n', '  source: Before/ContentView.swift\n'));
    // mlxApi follows the Package.resolved Xcode wrote (mlx-swift 0.29.1).
    expect(memtier('generate').code).toBe(0);
    expect(readFileSync(join(app, 'generated', 'MemoryPolicy.swift'), 'utf8')).toContain('MLX.GPU.set(cacheLimit:');

    const before = memtier('check');
    expect(before.code).toBe(1);
    expect(before.stderr).toMatch(/Before\/ContentView\.swift:\d+:\d+: error: sets an MLX memory limit outside the generated extension/);
    expect(memtier('patch', 'Before/ContentView.swift').stdout).toContain('+            applyMemoryLimits()');
    expect(memtier('patch', 'Before/ContentView.swift', '--write').code).toBe(0);
    const after = memtier('check');
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toBe('generated matches tiers.yaml (8 files)\n');

    const explained = memtier('explain', 'iPhone 13');
    expect(explained.code).toBe(0);
    expect(explained.stdout).toContain('tier:    standard (tiers[2])');
    expect(explained.stdout).toContain("memory:  estimated peak for SmolVLM2-500M-Video-Instruct-mlx at standard's limits");
    const budget = memtier('budget', '--json');
    expect(budget.code, budget.stderr).toBe(0);
    expect(JSON.parse(budget.stdout).tiers.find((tier: { name: string }) => tier.name === 'standard').estimate.total).toBe(1_890_595_681);
  });

  it('diff compares with the app\'s own git history', () => {
    git(app, 'add', '-A');
    expect(git(app, 'commit', '-q', '-m', 'evaluator source').code).toBe(0);
    writeFileSync(join(app, 'tiers.yaml'), readFileSync(join(app, 'tiers.yaml'), 'utf8').replace('maxTokens: 1000', 'maxTokens: 1200'));
    const diff = memtier('diff');
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).toContain('  high.maxTokens: 1000 -> 1200\n');
  });
});
