import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { makeProject } from './helpers/cli.js';
import { SHIPPED_POLICY_WARNINGS } from './helpers/policy.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = fileURLToPath(new URL('../bin/memtier.js', import.meta.url));
const runBin = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });

let project: ReturnType<typeof makeProject> | undefined;
afterEach(() => project?.cleanup());

describe('the installed memtier command', () => {
  it('agrees that the committed generated/ matches the shipped tiers.yaml', () => {
    const result = runBin(root, 'check');
    expect(result.stderr).toBe(SHIPPED_POLICY_WARNINGS);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('generated matches tiers.yaml (7 files)\n');
  });

  it('exits 2 with located errors and no stack trace on a broken policy', () => {
    project = makeProject({ 'tiers.yaml': 'tiers:\n  - name: low\n    upTo: [\n' });
    const result = runBin(project.root, 'generate');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^tiers\.yaml:\d+:\d+: error: invalid YAML: /);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('runs as an executable through its shebang', () => {
    expect(execFileSync(bin, ['--version'], { encoding: 'utf8' })).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
