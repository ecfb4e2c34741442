import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEVICES } from '../src/devices/catalog.js';
import { classify } from '../src/policy/classify.js';
import { diffPolicies, formatDiffText } from '../src/reports/policy-diff.js';
import { makeProject, runIn } from './helpers/cli.js';
import { DEFAULT_POLICY_TEXT, editedPolicy, validPolicy } from './helpers/policy.js';

let project: ReturnType<typeof makeProject> | undefined;
/** Other temporary folders a test made (clones), removed after it. */
const folders: string[] = [];
// memtier diff reads GITHUB_ACTIONS and GITHUB_BASE_REF: a run of these tests inside a GitHub
// workflow must see neither unless a test sets it.
beforeEach(() => {
  vi.stubEnv('GITHUB_ACTIONS', undefined);
  vi.stubEnv('GITHUB_BASE_REF', undefined);
});
afterEach(() => {
  project?.cleanup();
  project = undefined;
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  vi.unstubAllEnvs();
});

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

  // Changed with issue 24: no change used to print nothing, so nobody could tell what was compared.
  it('prints one line naming the base when the policy did not change, and compares with --base', async () => {
    project = repository();
    const short = git(project.root, 'rev-parse', '--short', 'HEAD').trim();
    // On main itself the merge base is HEAD: the line says that only uncommitted changes could show.
    const onMain = `${short} (the merge base with main); as that is HEAD, only changes not yet committed were compared`;
    expect(await project.run('diff')).toEqual({ code: 0, stdout: `tiers.yaml: no policy change against ${onMain}\n`, stderr: '' });
    expect(await project.run('diff', '--markdown')).toEqual({ code: 0, stdout: `**memtier**: no policy change in \`tiers.yaml\` against ${onMain}.\n`, stderr: '' });
    git(project.root, 'checkout', '-q', '-b', 'tokens');
    writeFileSync(project.path('tiers.yaml'), DEFAULT_POLICY_TEXT.replace('maxTokens: 1000', 'maxTokens: 1200'));
    git(project.root, 'commit', '-q', '-am', 'more tokens');
    const tip = git(project.root, 'rev-parse', '--short', 'HEAD').trim();
    expect(await project.run('diff', '--base', 'HEAD')).toEqual({ code: 0, stdout: `tiers.yaml: no policy change against ${tip} (HEAD); as that is HEAD, only changes not yet committed were compared\n`, stderr: '' });
    const committed = await project.run('diff');
    expect(committed.stdout.split('\n')[0]).toBe(`Policy changes in tiers.yaml against ${short} (the merge base with main):`);
    expect(committed.stdout).toContain('  high.maxTokens: 1000 -> 1200\n');
    git(project.root, 'checkout', '-q', 'main');
    git(project.root, 'merge', '-q', '--ff-only', 'tokens');
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
    // Changed with issue 24: a policy new since the base used to be exit 2; it is now reported as new.
    const added = await project.run('diff', '--config', 'other.yaml', '--base', 'HEAD~1');
    expect(added.code).toBe(0);
    expect(added.stdout.split('\n')[0]).toMatch(/^other\.yaml is a new policy: there is none at [0-9a-f]{7,} \(HEAD~1\)\. What every device gets:$/);
    // One that is not committed at all is new since the default base too.
    writeFileSync(project.path('third.yaml'), DEFAULT_POLICY_TEXT);
    const uncommitted = await project.run('diff', '--config', 'third.yaml');
    expect(uncommitted.code).toBe(0);
    expect(uncommitted.stdout.split('\n')[0]).toMatch(/^third\.yaml is a new policy: there is none at [0-9a-f]{7,} \(the merge base with main\)\. What every device gets:$/);
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

/** A new temporary folder, removed after the test. */
function temporaryFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'memtier-diff-'));
  folders.push(folder);
  return folder;
}

/**
 * An app repository as a remote: the shipped policy and a README on main (two commits), and a
 * branch `lower-tier` that moves low.upTo from 3 GiB to 4 GiB, which moves every 4 GB phone.
 */
function remoteWithPullRequest() {
  const made = repository();
  writeFileSync(made.path('README.md'), '# app\n');
  git(made.root, 'add', 'README.md');
  git(made.root, 'commit', '-q', '-m', 'readme');
  git(made.root, 'checkout', '-q', '-b', 'lower-tier');
  writeFileSync(made.path('tiers.yaml'), DEFAULT_POLICY_TEXT.replace('    upTo: 3GiB\n', '    upTo: 4GiB\n'));
  git(made.root, 'commit', '-q', '-am', 'low tier up to 4 GiB');
  git(made.root, 'checkout', '-q', 'main');
  return made;
}

/** Clones `remote` (with `git clone` options such as --depth 1) and checks out `branch`. */
function cloneOf(remote: string, options: string[], branch: string): string {
  const folder = join(temporaryFolder(), 'app');
  git(tmpdir(), 'clone', '-q', ...options, '--branch', branch, `file://${remote}`, folder);
  return folder;
}

describe('memtier diff in CI: never a pass by accident', () => {
  const fetchDepthFix = '    - uses: actions/checkout@v4\n      with:\n        fetch-depth: 0\n';

  it('in a depth-1 clone (actions/checkout\'s default) exits 2 and gives the fetch-depth: 0 fix', async () => {
    project = remoteWithPullRequest();
    const clone = cloneOf(project.root, ['--depth', '1'], 'lower-tier');
    expect(git(clone, 'rev-parse', '--is-shallow-repository').trim()).toBe('true');
    const result = await runIn(clone, ['diff']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe([
      'memtier: error: tiers.yaml cannot be compared: this clone is shallow (it holds 1 commit) and holds no branch to compare with (looked for origin/main, main, origin/master, master).',
      'A diff against nothing would pass whatever the change, so memtier diff stops here (exit 2).',
      'In GitHub Actions, fetch the whole history in the checkout step:',
      '',
      fetchDepthFix,
      'Elsewhere, fetch the history and the base branch, or pass --base with a revision this clone has:',
      '',
      '    git fetch --unshallow origin',
      '    git fetch origin main:refs/remotes/origin/main',
      '',
    ].join('\n'));
    // --markdown and an explicit --base that the shallow history lacks are refused the same way.
    expect((await runIn(clone, ['diff', '--markdown'])).code).toBe(2);
    const explicit = await runIn(clone, ['diff', '--base', 'origin/main']);
    expect(explicit.code).toBe(2);
    expect(explicit.stderr).toContain('cannot be compared: --base origin/main is not in this clone, which is shallow (it holds 1 commit).\n');
    expect(explicit.stderr).toContain(fetchDepthFix);
    // The fix it gives works: after it, the change and its broken promises are reported.
    git(clone, 'fetch', '-q', '--unshallow', 'origin');
    git(clone, 'fetch', '-q', 'origin', 'main:refs/remotes/origin/main');
    const fixed = await runIn(clone, ['diff']);
    expect(fixed.code).toBe(1);
    expect(fixed.stdout).toMatch(/^Policy changes in tiers\.yaml against [0-9a-f]{7,} \(the merge base with origin\/main\):\n {2}low\.upTo: 3 GiB -> 4 GiB\n/);
  });

  it('in a shallow clone whose base branch is there without the history joining it to HEAD, exits 2', async () => {
    project = remoteWithPullRequest();
    const clone = cloneOf(project.root, ['--depth', '1'], 'lower-tier');
    git(clone, 'fetch', '-q', '--depth', '1', 'origin', 'main:refs/remotes/origin/main');
    const result = await runIn(clone, ['diff']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot be compared: origin/main is in this clone, but the history joining it to HEAD is not: the clone is shallow (it holds 1 commit).\n');
  });

  it('GITHUB_BASE_REF chooses the base: the merge base with the pull request\'s base branch, named in the output', async () => {
    project = remoteWithPullRequest();
    // A release branch whose policy differs from main's: a pull request into it must compare with it.
    git(project.root, 'checkout', '-q', '-b', 'release');
    writeFileSync(project.path('tiers.yaml'), DEFAULT_POLICY_TEXT.replace('maxTokens: 1000', 'maxTokens: 1200'));
    git(project.root, 'commit', '-q', '-am', 'release: more tokens');
    git(project.root, 'checkout', '-q', '-b', 'release-fix');
    writeFileSync(project.path('tiers.yaml'), DEFAULT_POLICY_TEXT.replace('maxTokens: 1000', 'maxTokens: 1200').replace('maxTokens: 800', 'maxTokens: 900'));
    git(project.root, 'commit', '-q', '-am', 'release fix: standard gets 900 tokens');
    // The remote's own checkout is its HEAD, which a clone records as origin/HEAD: main, as on GitHub.
    git(project.root, 'checkout', '-q', 'main');
    const clone = cloneOf(project.root, [], 'release-fix');
    const releaseBase = git(clone, 'rev-parse', '--short', 'origin/release').trim();

    vi.stubEnv('GITHUB_BASE_REF', 'release');
    const chosen = await runIn(clone, ['diff']);
    expect(chosen.code).toBe(0);
    expect(chosen.stdout.split('\n').slice(0, 2)).toEqual([
      `Policy changes in tiers.yaml against ${releaseBase} (the merge base with origin/release, the pull request's base branch from GITHUB_BASE_REF):`,
      '  standard.maxTokens: 800 -> 900',
    ]);
    expect(chosen.stdout).not.toContain('high.maxTokens');

    // Without it, main is the base, and the release branch's own change shows too.
    vi.stubEnv('GITHUB_BASE_REF', undefined);
    const onMain = await runIn(clone, ['diff']);
    expect(onMain.stdout.split('\n')[0]).toMatch(/against [0-9a-f]{7,} \(the merge base with origin\/main\):$/);
    expect(onMain.stdout).toContain('  high.maxTokens: 1000 -> 1200\n');
  });

  it('a branch that leaves the policy alone prints one line naming the base it compared against', async () => {
    project = remoteWithPullRequest();
    const clone = cloneOf(project.root, [], 'main');
    git(clone, 'checkout', '-q', '-b', 'docs');
    writeFileSync(join(clone, 'README.md'), '# app\n\nMemory policy: tiers.yaml.\n');
    git(clone, 'commit', '-q', '-am', 'docs');
    const base = git(clone, 'rev-parse', '--short', 'origin/main').trim();
    expect(await runIn(clone, ['diff'])).toEqual({ code: 0, stdout: `tiers.yaml: no policy change against ${base} (the merge base with origin/main)\n`, stderr: '' });
    expect(await runIn(clone, ['diff', '--markdown'])).toEqual({ code: 0, stdout: `**memtier**: no policy change in \`tiers.yaml\` against ${base} (the merge base with origin/main).\n`, stderr: '' });
  });

  it('in GitHub Actions with no base branch in the clone, refuses to compare HEAD with itself (exit 2); outside CI says it did', async () => {
    project = makeProject();
    git(project.root, 'init', '-q', '-b', 'trunk');
    git(project.root, 'add', 'tiers.yaml');
    git(project.root, 'commit', '-q', '-m', 'policy');
    const short = git(project.root, 'rev-parse', '--short', 'HEAD').trim();
    expect(await project.run('diff')).toEqual({
      code: 0,
      stdout: `tiers.yaml: no policy change against ${short} (HEAD: there is no main or master branch here); as that is HEAD, only changes not yet committed were compared\n`,
      stderr: '',
    });
    vi.stubEnv('GITHUB_ACTIONS', 'true');
    const inActions = await project.run('diff');
    expect(inActions.code).toBe(2);
    expect(inActions.stdout).toBe('');
    expect(inActions.stderr).toContain('cannot be compared: this checkout holds no branch to compare with (looked for origin/main, main, origin/master, master), and comparing HEAD with itself would pass any change.\n');
    expect(inActions.stderr).toContain('    git fetch origin main:refs/remotes/origin/main\n');
    expect(inActions.stderr).toContain(fetchDepthFix);
    expect(inActions.stderr).not.toContain('--unshallow');
  });

  it('a policy that does not exist at the base is new: every catalog device with its tier and limits (exit 0; 1 if a promise breaks)', async () => {
    project = makeProject({ 'README.md': '# app\n' });
    git(project.root, 'init', '-q', '-b', 'main');
    git(project.root, 'add', 'README.md');
    git(project.root, 'commit', '-q', '-m', 'app');
    git(project.root, 'checkout', '-q', '-b', 'add-policy');
    writeFileSync(project.path('tiers.yaml'), DEFAULT_POLICY_TEXT);
    git(project.root, 'add', 'tiers.yaml');
    git(project.root, 'commit', '-q', '-m', 'memory policy');
    const base = git(project.root, 'rev-parse', '--short', 'main').trim();

    const text = await project.run('diff');
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    const policy = validPolicy();
    expect(lines.slice(0, 3)).toEqual([
      `tiers.yaml is a new policy: there is none at ${base} (the merge base with main). What every device gets:`,
      '',
      `Tiers (${policy.tiers.length}):`,
    ]);
    expect(lines).toContain('  low: up to 3 GiB; cacheLimit 8 MiB; memoryLimit 2000 MiB; maxTokens 500; imageSize 256 px; keepModelLoaded no; aggressiveCleanup no');
    expect(lines).toContain('  high: above 6 GiB; cacheLimit 50 MiB; memoryLimit none (MLX default); maxTokens 1000; imageSize 448 px; keepModelLoaded yes; aggressiveCleanup no');
    expect(lines).toContain(`Devices (${DEVICES.length}):`);
    for (const device of DEVICES) {
      const tier = policy.tiers[classify(policy.tiers, device.reported).index]!;
      expect(lines.filter((line) => line.startsWith(`  ${device.name} (${device.ramGB} GB, reports `) && line.includes(`): ${tier.name}; cacheLimit `))).toHaveLength(1);
    }
    expect(text.stdout).toMatch(/\n {2}iPhone 12 \(4 GB, reports ~3\.68 GiB\): standard; cacheLimit 20 MiB; memoryLimit 2500 MiB; maxTokens 800; imageSize 384 px; keepModelLoaded yes; aggressiveCleanup no\n/);
    expect(text.stdout).toMatch(new RegExp(`\nEstimated peak memory \\(memtier budget\\):\n${policy.tiers.map((tier) => ` {2}${tier.name}: \\d+\\.\\d\\d [MG]iB\n`).join('')}$`));

    const markdown = await project.run('diff', '--markdown');
    expect(markdown.code).toBe(0);
    expect(markdown.stdout.split('\n')[0]).toBe(`### memtier: \`tiers.yaml\` is a new policy: there is none at ${base} (the merge base with main)`);
    expect(markdown.stdout).toContain(`#### Devices (${DEVICES.length})`);
    expect(markdown.stdout).toMatch(/\n\| iPhone 12 \(4 GB\) +\| ~3\.68 GiB +\| standard +\| 20 MiB +\| 2500 MiB +\| 800 +\| 384 px +\| yes +\| no +\|\n/);

    // A new policy that breaks its own promise fails like a change that does.
    writeFileSync(project.path('tiers.yaml'), DEFAULT_POLICY_TEXT.replace('    upTo: 3GiB\n', '    upTo: 4GiB\n'));
    const broken = await project.run('diff');
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/\n\nBroken promises \(3\):\n {2}tiers\.yaml:\d+:\d+: error: expectations\[0\]: /);
    const brokenMarkdown = await project.run('diff', '--markdown');
    expect(brokenMarkdown.code).toBe(1);
    expect(brokenMarkdown.stdout).toContain('#### Broken promises (3)');
  });

  it('diff --help lists the exit codes and the CI fix', async () => {
    const help = await runIn(tmpdir(), ['diff', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes: 0 compared, no promise broken; 1 a promise (an expectations entry) breaks;\n2 cannot compare: no base in this clone, or a side that cannot be read.\n');
    expect(help.stdout).toContain(fetchDepthFix);
    expect(help.stdout).toContain('origin/$GITHUB_BASE_REF');
  });
});
