import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { DEFAULT_POLICY_TEXT } from './policy.js';

/** The outcome of one in-process memtier run. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A temporary project folder holding the shipped tiers.yaml, removed by `cleanup()`. */
export function makeProject(files: Record<string, string> = { 'tiers.yaml': DEFAULT_POLICY_TEXT }) {
  const root = mkdtempSync(join(tmpdir(), 'memtier-test-'));
  for (const [path, contents] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), contents);
  }
  return {
    root,
    path: (...parts: string[]) => join(root, ...parts),
    run: (...argv: string[]) => runIn(root, argv),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Runs memtier in-process in `cwd`, capturing its output. */
export async function runIn(cwd: string, argv: string[]): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { cwd, stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr };
}
