/**
 * Safe writes: a generate killed at any moment leaves every file complete (old or new); a write
 * that fails leaves the old files and no debris; read-only commands never write; two generates at
 * once end consistent.
 */
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { generate } from '../../src/generate.js';
import { OutputError } from '../../src/output/output-error.js';
import { planOutput } from '../../src/output/plan-output.js';
import { writeOutput, type WriteFileSystem } from '../../src/output/write-output.js';
import { makeProject } from '../helpers/cli.js';
import { DEFAULT_POLICY_TEXT, templates, validPolicy } from '../helpers/policy.js';

const bin = fileURLToPath(new URL('../../bin/memtier.js', import.meta.url));
let project: ReturnType<typeof makeProject> | undefined;
afterEach(() => project?.cleanup());
const summary: string[] = [];
afterAll(() => summary.forEach((line) => console.log(line)));

/** A policy with many tiers, so that generation writes a few hundred kilobytes. */
function bigPolicy(maxTokens: number, note: string): string {
  const tiers = Array.from({ length: 300 }, (_, index) => ({
    name: `tier${index}`,
    description: `${note} tier ${index}`,
    ...(index < 299 ? { upTo: `${(index + 1) * 64}MiB` } : {}),
    cacheLimit: '1MiB',
    memoryLimit: null,
    maxTokens,
    imageSize: 256,
    keepModelLoaded: true,
    aggressiveCleanup: false,
  }));
  return stringify({ tiers, evaluator: { mlxApi: 'gpu' }, output: { tests: { module: 'App' } } });
}

const swiftFiles = (root: string) => (readdirSync(join(root, 'generated'), { recursive: true }) as string[]).filter((name) => name.endsWith('.swift')).sort();
const temporaries = (root: string) => (readdirSync(join(root, 'generated'), { recursive: true }) as string[]).filter((name) => name.includes('.memtier-tmp-'));

/**
 * Requires every file to be complete, its old or its new contents, and says which state the
 * folder is in: all old, all new, or some of each (killed between two renames).
 */
function outputState(folder: string, old: Map<string, string>, fresh: Map<string, string>, when: string): 'old' | 'new' | 'mixed' {
  const changing = [...old.keys()].filter((name) => fresh.get(name) !== old.get(name));
  let newer = 0;
  for (const name of old.keys()) {
    const contents = readFileSync(join(folder, name), 'utf8');
    expect([old.get(name), fresh.get(name)], `${name} after ${when}`).toContain(contents);
    if (changing.includes(name) && contents === fresh.get(name)) newer += 1;
  }
  return newer === 0 ? 'old' : newer === changing.length ? 'new' : 'mixed';
}

function runBin(cwd: string, args: string[], killAfterMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number; errors: string }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // Only errors matter to the tests; the big policy also prints margin warnings.
      resolve({ code, signal, ms: Date.now() - started, errors: stderr.split('\n').filter((line) => !line.includes(': warning: ')).join('\n') });
    });
  });
}

describe('atomic writes', () => {
  it('a generate killed at many points leaves every file complete, old or new, and the next run cleans up', async () => {
    project = makeProject({ 'tiers.yaml': bigPolicy(100, 'old') });
    expect((await runBin(project.root, ['generate'])).code).toBe(0);
    const names = swiftFiles(project.root);
    const old = new Map(names.map((name) => [name, readFileSync(project!.path('generated', name), 'utf8')]));
    const pristine = `${project.root}-old`;
    cpSync(project.path('generated'), pristine, { recursive: true });
    writeFileSync(project.path('tiers.yaml'), bigPolicy(200, 'new'));
    const timed = await runBin(project.root, ['generate']);
    expect(timed.code).toBe(0);
    const fresh = new Map(names.map((name) => [name, readFileSync(project!.path('generated', name), 'utf8')]));
    // The monitor and the evaluator extension do not depend on the tiers; the other three change.
    expect(names.filter((name) => fresh.get(name) !== old.get(name))).toEqual(['DeviceMemoryTier.swift', 'MemoryConfiguration.swift', 'Tests/MemoryPolicyTests.swift']);

    const KILL_POINTS = 40;
    const outcomes = { old: 0, new: 0, mixed: 0, finished: 0 };
    for (let point = 0; point < KILL_POINTS; point += 1) {
      rmSync(project.path('generated'), { recursive: true, force: true });
      cpSync(pristine, project.path('generated'), { recursive: true });
      // A quarter of the kill points spread over start-up, the rest packed around the end, where the writes happen.
      const share = point < KILL_POINTS / 4 ? (0.8 * point) / (KILL_POINTS / 4) : 0.8 + (0.3 * (point - KILL_POINTS / 4)) / (KILL_POINTS * 0.75);
      const result = await runBin(project.root, ['generate'], Math.round(timed.ms * share));
      if (result.signal === null) outcomes.finished += 1;
      outcomes[outputState(project.path('generated'), old, fresh, `a kill at point ${point}`)] += 1;
    }
    rmSync(pristine, { recursive: true, force: true });
    // A run after the kills removes the temporary files the killed runs left, and ends up to date.
    expect((await runBin(project.root, ['generate'])).code).toBe(0);
    expect(temporaries(project.root)).toEqual([]);
    expect((await runBin(project.root, ['check'])).code).toBe(0);
    summary.push(`kill test: ${KILL_POINTS} kill points over ${timed.ms} ms; all files complete each time (${outcomes.old} all old, ${outcomes.new} all new, ${outcomes.mixed} some of each, ${outcomes.finished} finished before the kill); 0 corrupted or lost files`);
  }, 300_000);

  it('killed at every stage of a slowed-down write (half-written temporaries, between renames), each file is complete', async () => {
    project = makeProject({ 'tiers.yaml': DEFAULT_POLICY_TEXT });
    expect((await project.run('generate')).code).toBe(0);
    const names = swiftFiles(project.root);
    const old = new Map(names.map((name) => [name, readFileSync(project!.path('generated', name), 'utf8')]));
    const files = generate(validPolicy(DEFAULT_POLICY_TEXT.replaceAll('maxTokens: ', 'maxTokens: 1').replace('topP: 0.9', 'topP: 0.8')), templates);
    const fresh = new Map(files.map((file) => [file.path, file.contents]));
    const changing = names.filter((name) => fresh.get(name) !== old.get(name));
    expect(changing.length).toBeGreaterThanOrEqual(2);
    writeFileSync(project.path('files.json'), JSON.stringify(files));
    const pristine = `${project.root}-old`;
    cpSync(project.path('generated'), pristine, { recursive: true });
    const writer = fileURLToPath(new URL('./slow-writer.mjs', import.meta.url));
    const STEP_MS = 40;
    // Per changed file two pauses while writing and one after its rename, and a little after.
    const span = STEP_MS * 3 * changing.length + 60;
    const KILL_POINTS = 60;
    const outcomes = { old: 0, new: 0, mixed: 0 };
    for (let point = 0; point < KILL_POINTS; point += 1) {
      rmSync(project.path('generated'), { recursive: true, force: true });
      cpSync(pristine, project.path('generated'), { recursive: true });
      await new Promise<void>((resolve) => {
        const child = spawn(process.execPath, [writer, project!.path('generated'), project!.path('files.json'), String(STEP_MS)], { stdio: ['ignore', 'pipe', 'ignore'] });
        let timer: NodeJS.Timeout | undefined;
        child.stdout.once('data', () => {
          timer = setTimeout(() => child.kill('SIGKILL'), Math.round((span * point) / KILL_POINTS));
        });
        child.on('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      outcomes[outputState(project.path('generated'), old, fresh, `a kill at point ${point}`)] += 1;
    }
    rmSync(pristine, { recursive: true, force: true });
    expect(outcomes.mixed, 'some kills must land between two renames').toBeGreaterThan(0);
    expect(outcomes.old).toBeGreaterThan(0);
    expect(outcomes.new).toBeGreaterThan(0);
    expect((await runBin(project.root, ['generate'])).code).toBe(0);
    expect(temporaries(project.root)).toEqual([]);
    summary.push(`slowed-down write killed at ${KILL_POINTS} points: all files complete each time (${outcomes.old} all old, ${outcomes.new} all new, ${outcomes.mixed} between renames); leftover temporaries removed by the next run`);
  }, 300_000);

  it('a failing write or rename leaves the old files and no temporary files', async () => {
    project = makeProject();
    expect((await project.run('generate')).code).toBe(0);
    const before = swiftFiles(project.root).map((name) => readFileSync(project!.path('generated', name), 'utf8'));
    const changed = validPolicy(DEFAULT_POLICY_TEXT.replace('maxTokens: 800', 'maxTokens: 900').replace('maxTokens: 300', 'maxTokens: 301'));
    const plan = await planOutput(project.path('generated'), generate(changed, templates));
    expect(plan.files.filter((file) => file.status === 'changed').length).toBeGreaterThanOrEqual(2);

    let calls = 0;
    const failingWrite: WriteFileSystem = {
      writeFile: async (path, contents) => {
        calls += 1;
        if (calls === 2) throw new Error('ENOSPC: no space left on device');
        writeFileSync(path, contents);
      },
      rename: async (from, to) => execFileSync('mv', [from, to]) && undefined,
    };
    await expect(writeOutput(plan, { fileSystem: failingWrite })).rejects.toThrow(OutputError);
    expect(swiftFiles(project.root).map((name) => readFileSync(project!.path('generated', name), 'utf8'))).toEqual(before);
    expect(temporaries(project.root)).toEqual([]);

    let renames = 0;
    const failingRename: WriteFileSystem = {
      writeFile: async (path, contents) => writeFileSync(path, contents),
      rename: async (from, to) => {
        renames += 1;
        if (renames === 2) throw new Error('EIO: i/o error');
        execFileSync('mv', [from, to]);
      },
    };
    await expect(writeOutput(plan, { fileSystem: failingRename })).rejects.toThrow('cannot write');
    const after = new Map(swiftFiles(project.root).map((name) => [name, readFileSync(project!.path('generated', name), 'utf8')]));
    for (const file of plan.files) expect([file.existing, file.contents]).toContain(after.get(file.path));
    expect(temporaries(project.root)).toEqual([]);
  });
});

describe('read-only commands and concurrent runs', () => {
  /** Every file below `root` with its content hash and modification time. */
  const tree = (root: string) =>
    (readdirSync(root, { recursive: true }) as string[]).sort().map((name) => {
      const info = statSync(join(root, name));
      return info.isFile() ? `${name} ${info.mtimeMs} ${createHash('sha256').update(readFileSync(join(root, name))).digest('hex')}` : `${name}/`;
    });

  it('check, diff, explain, devices, templates list and patch without --write never write', async () => {
    const evaluator = readFileSync(fileURLToPath(new URL('../fixtures/evaluator/ContentView.swift', import.meta.url)), 'utf8');
    project = makeProject({ 'tiers.yaml': DEFAULT_POLICY_TEXT, 'App/ContentView.swift': evaluator });
    await project.run('generate');
    execFileSync('git', ['init', '-q'], { cwd: project.root });
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@e', 'add', '-A'], { cwd: project.root });
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-qm', 'x'], { cwd: project.root });
    writeFileSync(project.path('tiers.yaml'), DEFAULT_POLICY_TEXT.replace('maxTokens: 1000', 'maxTokens: 1200'));
    const before = tree(project.root).filter((line) => !line.startsWith('.git'));
    const runs = [
      ['check'], ['check', '--format', 'json'], ['check', '--format', 'github'], ['diff'], ['diff', '--markdown'],
      ['explain', 'iPhone 12'], ['devices'], ['devices', '--json'], ['templates', 'list'], ['patch', 'App/ContentView.swift'],
    ];
    for (const argv of runs) {
      const result = await project.run(...argv);
      expect(result.code, argv.join(' ')).toBeLessThanOrEqual(1);
    }
    expect(tree(project.root).filter((line) => !line.startsWith('.git'))).toEqual(before);
    summary.push(`read-only commands: ${runs.length} runs, 0 files written`);
  });

  it('two generates at once end with a consistent output folder', async () => {
    const ROUNDS = 8;
    for (let round = 0; round < ROUNDS; round += 1) {
      project?.cleanup();
      project = makeProject({ 'tiers.yaml': bigPolicy(100 + round, 'concurrent') });
      const results = await Promise.all([runBin(project.root, ['generate']), runBin(project.root, ['generate'])]);
      expect(results.map((result) => result.code), results.map((result) => result.errors).join('\n')).toEqual([0, 0]);
      expect((await runBin(project.root, ['check'])).code).toBe(0);
      expect(temporaries(project.root)).toEqual([]);
    }
    summary.push(`concurrent generates: ${ROUNDS} rounds of 2 at once, all consistent`);
  }, 120_000);
});
