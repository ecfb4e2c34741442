/**
 * The direction of the source is enforced, not described: `npm run lint:deps` (part of npm test)
 * runs dependency-cruiser with .dependency-cruiser.cjs. Here the same check runs on the real tree
 * (clean) and on copies with one bad import each, which it must refuse, naming the rule.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const copies: string[] = [];
afterAll(() => copies.forEach((copy) => rmSync(copy, { recursive: true, force: true })));

/** Runs the check in `cwd`; its exit status and output. */
function cruise(cwd: string): { status: number; output: string } {
  try {
    return { status: 0, output: execFileSync(process.execPath, [cli, 'src', '--config', '.dependency-cruiser.cjs'], { cwd, encoding: 'utf8', stdio: 'pipe' }) };
  } catch (error) {
    const failed = error as { status: number; stdout: string; stderr: string };
    return { status: failed.status, output: `${failed.stdout}${failed.stderr}` };
  }
}

/** A copy of the source with each `[file, line]` line added at the top of its file. */
function copyWith(edits: [file: string, line: string][]): string {
  const copy = mkdtempSync(join(tmpdir(), 'memtier-deps-'));
  copies.push(copy);
  for (const entry of ['src', 'tsconfig.json', '.dependency-cruiser.cjs']) cpSync(join(root, entry), join(copy, entry), { recursive: true });
  for (const [file, line] of edits) writeFileSync(join(copy, file), `${line}\n${readFileSync(join(copy, file), 'utf8')}`);
  return copy;
}

describe('the dependency rule', () => {
  it('passes on the source as it is', () => {
    const result = cruise(root);
    expect(result.output).toContain('no dependency violations found');
    expect(result.status).toBe(0);
  });

  it.each<[string, [string, string][], string]>([
    ['a stage that imports a later one', [['src/model/build-model.ts', "import { planOutput } from '../output/plan-output.js'; void planOutput;"]], 'model-imports-a-later-stage: src/model/build-model.ts'],
    ['an import that closes a loop inside a folder', [
      ['src/policy/sizes.ts', "import { classify } from './classify.js'; void classify;"],
      ['src/policy/classify.ts', "import { groupDigits } from './sizes.js'; void groupDigits;"],
    ], 'no-loops: src/policy/'],
    ["a reach into validate/'s internals", [['src/reports/explain.ts', "import { checkPolicyRules } from '../validate/tier-rules.js'; void checkPolicyRules;"]], 'validate-internals: src/reports/explain.ts'],
    ['a pure stage that reads files', [['src/render/render-files.ts', "import { readFileSync } from 'node:fs'; void readFileSync;"]], 'pure-core-reads-nothing: src/render/render-files.ts'],
  ])('fails on %s', (_what, edits, reported) => {
    const result = cruise(copyWith(edits));
    expect(result.output).toContain(`error ${reported}`);
    expect(result.status).not.toBe(0);
  });
});
