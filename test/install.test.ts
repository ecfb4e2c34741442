/**
 * memtier the way the README says to get it, run as written: the quick start in a fresh copy of
 * this checkout, then the app path (pack into the app's vendor/ folder, install, init, generate,
 * patch, check), the Xcode build phase's command and the CI commands, in an app folder holding our
 * VLMEval case and its Package.resolved. Every command is taken from the README's own code blocks,
 * so the README cannot drift from what memtier does. Needs the npm registry (or npm's cache) for
 * memtier's own dependencies.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageResolvedText, VLMEVAL_44B14CF } from './helpers/package-resolved.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const VLMEVAL_CASE = fileURLToPath(new URL('./fixtures/shapes/vlmeval-44b14cf/ContentView.swift', import.meta.url));
const version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version as string;

/** The README's `sh` blocks, in order: quick start, tests, pack, the app, Xcode, CI. */
const README_BLOCKS = [...readFileSync(join(repo, 'README.md'), 'utf8').matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
const [QUICK_START, , PACK, APP, XCODE, CI] = README_BLOCKS;

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
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the README, run as written', () => {
  it('has the blocks this test runs', () => {
    expect(README_BLOCKS).toHaveLength(6);
    expect(QUICK_START!.trim()).toBe('npm ci && npx memtier generate');
    expect(PACK).toContain('npm pack --pack-destination ../MyApp/vendor');
    expect(APP).toContain(`npm install --save-dev ./vendor/memtier-${version}.tgz`);
  });

  it('quick start: a fresh copy sets itself up and generates exactly the committed Swift', () => {
    const result = shell(QUICK_START!, checkout);
    expect(result.code, result.stderr).toBe(0);
    for (const name of ['DeviceMemoryTier.swift', 'MemoryConfiguration.swift', 'MemoryPressureMonitor.swift', 'VLMEvaluator+MemoryPolicy.swift']) {
      expect(readFileSync(join(checkout, 'generated', name), 'utf8'), name).toBe(readFileSync(join(repo, 'generated', name), 'utf8'));
    }
    expect(result.stdout).not.toContain('wrote ');
  }, 600_000);

  it('the app path: pack into vendor/, install, init, generate, patch, check', () => {
    const packed = shell(PACK!, checkout);
    expect(packed.code, packed.stderr).toBe(0);
    expect(readdirSync(join(app, 'vendor'))).toEqual([`memtier-${version}.tgz`]);

    const adopted = shell(APP!, app);
    expect(adopted.code, `${adopted.stdout}\n${adopted.stderr}`).toBe(0);
    expect(JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')).devDependencies.memtier).toBe(`file:vendor/memtier-${version}.tgz`);
    expect(readdirSync(join(app, 'generated')).sort()).toEqual(['DeviceMemoryTier.swift', 'MemoryConfiguration.swift', 'MemoryPressureMonitor.swift', 'Tests', 'VLMEvaluator+MemoryPolicy.swift']);
    expect(readdirSync(join(app, 'generated', 'Tests')).sort()).toEqual(['MemoryPolicyTests.swift', 'MemoryStressTest.swift']);
    // patch --write moved the evaluator onto the generated API.
    const code = readFileSync(join(app, 'VLMEval', 'ContentView.swift'), 'utf8').split('\n').filter((line) => !line.trimStart().startsWith('//')).join('\n');
    expect(code).toContain('applyMemoryLimits()');
    expect(code).not.toContain('MLX.GPU.set(');
    expect(adopted.stdout).toContain('generated matches tiers.yaml (6 files)');
  }, 600_000);

  it('the Xcode build phase\'s command passes, and fails when the policy changes without generate', () => {
    const passes = shell(XCODE!, tmpdir(), { SRCROOT: app });
    expect(passes.code, passes.stderr).toBe(0);
    const policy = readFileSync(join(app, 'tiers.yaml'), 'utf8');
    writeFileSync(join(app, 'tiers.yaml'), policy.replace('maxTokens: 800', 'maxTokens: 900'));
    expect(shell(XCODE!, tmpdir(), { SRCROOT: app }).code).toBe(1);
    writeFileSync(join(app, 'tiers.yaml'), policy);
  });

  it('the CI commands pass in the app repository, from its lockfile', () => {
    const git = (...args: string[]) => run('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=CI', ...args]);
    expect(git('init', '-q', '-b', 'main').code).toBe(0);
    writeFileSync(join(app, '.gitignore'), 'node_modules/\n');
    git('add', '-A');
    expect(git('commit', '-q', '-m', 'adopt memtier').code).toBe(0);
    const result = shell(CI!, app);
    expect(result.code, result.stderr).toBe(0);
  }, 600_000);
});

describe('the installed package', () => {
  it('carries what it needs at run time: compiled code, templates, starter policy, schema and docs; the grammar comes with its dependency', () => {
    const installed = join(app, 'node_modules', 'memtier');
    for (const path of ['bin/memtier.js', 'dist/cli/main.js', 'bin/load-cli.js', 'dist/bundle/memtier.cjs', 'dist/package/templates.precompiled.cjs', 'templates/MemoryPressureMonitor.swift.hbs', 'tiers.yaml', 'tiers.schema.json', 'docs/design.md', 'docs/policy.md']) {
      expect(existsSync(join(installed, path)), path).toBe(true);
    }
    expect(existsSync(join(app, 'node_modules', 'tree-sitter-wasms', 'out', 'tree-sitter-swift.wasm'))).toBe(true);
    expect(existsSync(join(installed, 'src'))).toBe(false);
    expect(existsSync(join(installed, 'test'))).toBe(false);
  });

  it('check reads the evaluator; patch, explain and budget work from the installed copy', () => {
    expect(memtier('--version').stdout.trim()).toBe(version);
    // An unpatched copy of the case, named by evaluator.source: check finds the hand-set limit.
    mkdirSync(join(app, 'Before'));
    cpSync(VLMEVAL_CASE, join(app, 'Before', 'ContentView.swift'));
    const policy = readFileSync(join(app, 'tiers.yaml'), 'utf8');
    writeFileSync(join(app, 'tiers.yaml'), policy.replace('  mlxApi: gpu\n', '  source: Before/ContentView.swift\n'));
    // mlxApi follows the Package.resolved Xcode wrote (mlx-swift 0.29.1).
    expect(memtier('generate').code).toBe(0);
    expect(readFileSync(join(app, 'generated', 'VLMEvaluator+MemoryPolicy.swift'), 'utf8')).toContain('MLX.GPU.set(cacheLimit:');

    const before = memtier('check');
    expect(before.code).toBe(1);
    expect(before.stderr).toMatch(/Before\/ContentView\.swift:\d+:\d+: error: sets an MLX memory limit outside the generated extension/);
    expect(memtier('patch', 'Before/ContentView.swift').stdout).toContain('+            applyMemoryLimits()');
    expect(memtier('patch', 'Before/ContentView.swift', '--write').code).toBe(0);
    const after = memtier('check');
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toBe('generated matches tiers.yaml (6 files)\n');

    const explained = memtier('explain', 'iPhone 13');
    expect(explained.code).toBe(0);
    expect(explained.stdout).toContain('tier:    standard (tiers[2])');
    expect(explained.stdout).toContain("memory:  estimated peak for SmolVLM2-500M-Video-Instruct-mlx at standard's limits");
    const budget = memtier('budget', '--json');
    expect(budget.code, budget.stderr).toBe(0);
    expect(JSON.parse(budget.stdout).tiers.find((tier: { name: string }) => tier.name === 'standard').estimate.total).toBe(1_856_792_960);
  });

  it('diff compares with the app\'s own git history', () => {
    const git = (...args: string[]) => run('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=CI', ...args]);
    git('add', '-A');
    expect(git('commit', '-q', '-m', 'evaluator source').code).toBe(0);
    writeFileSync(join(app, 'tiers.yaml'), readFileSync(join(app, 'tiers.yaml'), 'utf8').replace('maxTokens: 1000', 'maxTokens: 1200'));
    const diff = memtier('diff');
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).toContain('  high.maxTokens: 1000 -> 1200\n');
  });
});
