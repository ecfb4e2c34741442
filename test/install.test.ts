/**
 * memtier the way an app repository gets it: `npm pack` here, then `npm install --save-dev
 * ./memtier-<version>.tgz` in an empty folder with its own package.json, and every command run from
 * that installed copy, as Xcode's build phase and CI run it (`npx --no-install memtier`). Nothing may
 * come from this checkout at run time. Needs the npm registry for memtier's own dependencies.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('..', import.meta.url));
const real = (path: string) => fileURLToPath(new URL(`./fixtures/real/${path}`, import.meta.url));
let work: string;
let app: string;

function run(command: string, args: string[], cwd = app) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  return { code: result.status ?? 1, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}
const memtier = (...args: string[]) => run('npx', ['--no-install', 'memtier', ...args]);

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'memtier-install-'));
  // Pack from a copy of the sources with no dist/: the package must build itself (prepare), and
  // this checkout's dist/, which other tests run, is left alone.
  const sources = join(work, 'memtier');
  for (const path of ['package.json', 'tsconfig.json', 'README.md', 'tiers.yaml', 'tiers.schema.json', 'bin', 'docs', 'scripts', 'src', 'templates']) {
    cpSync(join(repo, path), join(sources, path), { recursive: true });
  }
  symlinkSync(join(repo, 'node_modules'), join(sources, 'node_modules'), 'dir');
  expect(existsSync(join(sources, 'dist'))).toBe(false);
  const packed = run('npm', ['pack', '--pack-destination', work, '--silent'], sources);
  expect(packed.code, packed.stderr).toBe(0);
  const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'))!;
  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), '{ "name": "vlmeval-app", "private": true }\n');
  const installed = run('npm', ['install', '--save-dev', '--prefer-offline', '--no-audit', '--no-fund', join(work, tarball)]);
  expect(installed.code, installed.stderr).toBe(0);
}, 600_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed package, installed into an app repository', () => {
  it('carries what it needs at run time: compiled code, templates, starter policy and schema; the grammar comes with its dependency', () => {
    const installed = join(app, 'node_modules', 'memtier');
    for (const path of ['bin/memtier.js', 'dist/cli/main.js', 'bin/load-cli.js', 'dist/bundle/memtier.cjs', 'dist/package/templates.precompiled.cjs', 'templates/MemoryPressureMonitor.swift.hbs', 'tiers.yaml', 'tiers.schema.json', 'docs/vlmeval-memory-design.md']) {
      expect(existsSync(join(installed, path)), path).toBe(true);
    }
    expect(existsSync(join(app, 'node_modules', 'tree-sitter-wasms', 'out', 'tree-sitter-swift.wasm'))).toBe(true);
    expect(existsSync(join(installed, 'src'))).toBe(false);
    expect(existsSync(join(installed, 'test'))).toBe(false);
    expect(JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')).devDependencies.memtier).toMatch(/memtier-\d+\.\d+\.\d+\.tgz$/);
  });

  it('init, generate, check, patch and explain work from the installed copy, on the real VLMEval app', () => {
    expect(memtier('--version').stdout.trim()).toBe(JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version);
    expect(memtier('init').code).toBe(0);
    mkdirSync(join(app, 'VLMEval'));
    copyFileSync(real('vlmeval-44b14cf/ContentView.swift'), join(app, 'VLMEval', 'ContentView.swift'));
    const swiftpm = join(app, 'VLMEval.xcodeproj', 'project.xcworkspace', 'xcshareddata', 'swiftpm');
    mkdirSync(swiftpm, { recursive: true });
    copyFileSync(real('vlmeval-44b14cf/Package.resolved'), join(swiftpm, 'Package.resolved'));
    const policy = readFileSync(join(app, 'tiers.yaml'), 'utf8');
    writeFileSync(join(app, 'tiers.yaml'), policy.replace('  mlxApi: gpu\n', '  source: VLMEval/ContentView.swift\n'));

    const generated = memtier('generate');
    expect(generated.code, generated.stderr).toBe(0);
    expect(readdirSync(join(app, 'generated')).sort()).toEqual(['DeviceMemoryTier.swift', 'MemoryConfiguration.swift', 'MemoryPressureMonitor.swift', 'Tests', 'VLMEvaluator+MemoryPolicy.swift']);
    // mlxApi follows the Package.resolved Xcode wrote (mlx-swift 0.29.1).
    expect(readFileSync(join(app, 'generated', 'VLMEvaluator+MemoryPolicy.swift'), 'utf8')).toContain('MLX.GPU.set(cacheLimit:');

    const before = memtier('check');
    expect(before.code).toBe(1);
    expect(before.stderr).toMatch(/VLMEval\/ContentView\.swift:\d+:\d+: error: sets an MLX memory limit outside the generated extension/);
    expect(memtier('patch', 'VLMEval/ContentView.swift').stdout).toContain('+            applyMemoryLimits()');
    expect(memtier('patch', 'VLMEval/ContentView.swift', '--write').code).toBe(0);
    const after = memtier('check');
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toBe('generated matches tiers.yaml (6 files)\n');

    const explained = memtier('explain', 'iPhone 13');
    expect(explained.code).toBe(0);
    expect(explained.stdout).toContain('tier:    standard (tiers[2])');
    expect(explained.stdout).toContain("memory:  estimated peak for SmolVLM2-500M-Video-Instruct-mlx at standard's limits");

    // The stress test is written for the app's test target, and the budget reads the installed catalogs.
    expect(readdirSync(join(app, 'generated', 'Tests')).sort()).toEqual(['MemoryPolicyTests.swift', 'MemoryStressTest.swift']);
    const budget = memtier('budget', '--json');
    expect(budget.code, budget.stderr).toBe(0);
    expect(JSON.parse(budget.stdout).tiers.find((tier: { name: string }) => tier.name === 'standard').estimate.total).toBe(1_856_792_960);
  });

  it('diff compares with the app\'s own git history', () => {
    const git = (...args: string[]) => run('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=CI', ...args]);
    expect(git('init', '-q', '-b', 'main').code).toBe(0);
    git('add', '-A');
    expect(git('commit', '-q', '-m', 'adopt memtier').code).toBe(0);
    writeFileSync(join(app, 'tiers.yaml'), readFileSync(join(app, 'tiers.yaml'), 'utf8').replace('maxTokens: 1000', 'maxTokens: 1200'));
    const diff = memtier('diff');
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).toContain('  high.maxTokens: 1000 -> 1200\n');
  });
});
