import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { DEVICES } from '../src/devices/catalog.js';
import { diffPolicies, formatDiffText } from '../src/reports/policy-diff.js';
import { makeProject } from './helpers/cli.js';
import { DEFAULT_POLICY_TEXT, editedPolicy, validPolicy } from './helpers/policy.js';

let project: ReturnType<typeof makeProject> | undefined;
afterEach(() => project?.cleanup());

const GiB = 1024n ** 3n;
// Fixed identity and dates make commit hashes, which the diff's heading shows, the same every run.
const GIT_ENV = { ...process.env, GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z' };
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], { cwd, encoding: 'utf8', env: GIT_ENV });

/** A repository with the shipped policy committed on main. */
function repository() {
  const made = makeProject();
  git(made.root, 'init', '-q', '-b', 'main');
  git(made.root, 'add', 'tiers.yaml');
  git(made.root, 'commit', '-q', '-m', 'policy');
  return made;
}

describe('memtier diff', () => {
  it('moving low.upTo from 3 GiB to 4 GiB in the shipped policy: every phone that moves, and the promises it breaks (exit 1)', async () => {
    project = repository();
    writeFileSync(project.path('tiers.yaml'), DEFAULT_POLICY_TEXT.replace('    upTo: 3GiB\n', '    upTo: 4GiB\n'));
    const text = await project.run('diff');
    expect(text.stderr).toBe('');
    expect(text.code).toBe(1);
    const short = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: project.root, encoding: 'utf8' }).trim();
    expect(text.stdout.split('\n')[0]).toBe(`Policy changes in tiers.yaml against ${short} (the merge base with main):`);
    expect(text.stdout).toMatch(/\n\nBroken promises \(3\):\n {2}tiers\.yaml:\d+:\d+: error: expectations\[0\]: a 4 GiB device .* lands in "low"/);
    expect(text.stdout).toContain('error: expectations[1]: iPhone 11 (4 GB) reports 3.60 GiB');
    const moving = DEVICES.filter((device) => device.reported > 3n * GiB && device.reported <= 4n * GiB);
    expect(moving.length).toBeGreaterThan(10);
    for (const device of moving) {
      expect(text.stdout).toContain(`  ${device.name} (${device.ramGB} GB, reports `);
    }
    expect(text.stdout).toContain('  low.upTo: 3 GiB -> 4 GiB\n');
    expect(text.stdout).toMatch(/ {2}iPhone 12 \(4 GB, reports ~3\.68 GiB\): standard -> low; cacheLimit 20 MiB -> 8 MiB; memoryLimit 2500 MiB -> 2000 MiB; maxTokens 800 -> 500; imageSize 384 px -> 256 px; keepModelLoaded yes -> no\n/);
    expect(text.stdout.split('\n').filter((line) => line.includes(' -> low;'))).toHaveLength(moving.length);

    const markdown = await project.run('diff', '--markdown');
    expect(markdown.code).toBe(1);
    // The snapshot names the base by its hash, which differs per run: normalise it.
    await expect(markdown.stdout.replace(short, 'BASE000')).toMatchFileSnapshot('./__snapshots__/diff-low-4GiB.md');
  });

  it('prints nothing and exits 0 when the policy did not change, and compares with --base', async () => {
    project = repository();
    expect(await project.run('diff')).toEqual({ code: 0, stdout: '', stderr: '' });
    writeFileSync(project.path('tiers.yaml'), DEFAULT_POLICY_TEXT.replace('maxTokens: 1000', 'maxTokens: 1200'));
    git(project.root, 'commit', '-q', '-am', 'more tokens');
    expect(await project.run('diff')).toEqual({ code: 0, stdout: '', stderr: '' });
    const againstFirst = await project.run('diff', '--base', 'HEAD~1');
    expect(againstFirst.stdout).toContain('  high.maxTokens: 1000 -> 1200\n');
    expect(againstFirst.stdout).toContain('iPhone 15 Pro Max (8 GB, reports 7.47 GiB): stays high; maxTokens 1000 -> 1200');
  });

  it('reports a missing revision, a file new since the base, a folder outside git, and which side cannot be read, as bad input', async () => {
    project = repository();
    expect((await project.run('diff', '--base', 'nope')).stderr).toBe('memtier: error: nope is not a revision of this repository\n');
    // A policy file committed after the base: it exists in git, at HEAD, but not at HEAD~1.
    writeFileSync(project.path('other.yaml'), DEFAULT_POLICY_TEXT);
    git(project.root, 'add', 'other.yaml');
    git(project.root, 'commit', '-q', '-m', 'a second policy');
    expect(git(project.root, 'ls-tree', '--name-only', 'HEAD')).toContain('other.yaml');
    const added = await project.run('diff', '--config', 'other.yaml', '--base', 'HEAD~1');
    expect(added.code).toBe(2);
    expect(added.stderr).toMatch(/^memtier: error: other\.yaml does not exist at [0-9a-f]{7,} \(HEAD~1\): there is no earlier policy to compare with\n$/);
    // One that is not committed at all is new since the default base too.
    writeFileSync(project.path('third.yaml'), DEFAULT_POLICY_TEXT);
    const uncommitted = await project.run('diff', '--config', 'third.yaml');
    expect(uncommitted.code).toBe(2);
    expect(uncommitted.stderr).toMatch(/^memtier: error: third\.yaml does not exist at [0-9a-f]{7,} \(the merge base with main\): there is no earlier policy to compare with\n$/);
    // The working copy broken.
    writeFileSync(project.path('tiers.yaml'), 'tiers: [\n');
    const working = await project.run('diff');
    expect(working.code).toBe(2);
    expect(working.stderr).toContain('memtier: the working copy of tiers.yaml cannot be read as a policy, so there is nothing to compare\n');
    // The base broken, the working copy fine.
    git(project.root, 'commit', '-q', '-am', 'broken');
    writeFileSync(project.path('tiers.yaml'), DEFAULT_POLICY_TEXT);
    const base = await project.run('diff', '--base', 'HEAD');
    expect(base.code).toBe(2);
    expect(base.stderr).toMatch(/memtier: tiers\.yaml at the base revision [0-9a-f]{7,} \(HEAD\) cannot be read as a policy/);
    const outside = makeProject();
    try {
      expect((await outside.run('diff')).stderr).toBe('memtier: error: tiers.yaml is not in a git repository; memtier diff compares with a git revision\n');
    } finally {
      outside.cleanup();
    }
  });

  it('shows a budget change value by value', () => {
    const head = validPolicy(editedPolicy([[['tiers', 2, 'budget', 'peakFootprint'], '3GiB'], [['tiers', 2, 'budget', 'maxSecondsPerAnswer'], 60]]));
    const text = formatDiffText(diffPolicies(validPolicy(), head), { file: 'tiers.yaml', where: 'abc1234' });
    expect(text).toContain('  standard.budget.maxSecondsPerAnswer: (unset) -> 60\n');
    expect(text).toContain('  standard.budget.peakFootprint: 2500 MiB -> 3 GiB\n');
  });

  it('names added and removed tiers', () => {
    const base = validPolicy();
    const head = validPolicy(editedPolicy([[['tiers', 1, 'name'], 'medium'], [['expectations'], []]]));
    const text = formatDiffText(diffPolicies(base, head), { file: 'tiers.yaml', where: 'abc1234' });
    expect(text).toContain('  + tier medium\n  - tier low\n');
    expect(text).toContain('iPhone X (3 GB, reports ~2.76 GiB): low -> medium');
  });
});
