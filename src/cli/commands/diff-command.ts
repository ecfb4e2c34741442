/**
 * `memtier diff [--base REF] [--markdown]`: the policy at a git revision against the working copy.
 */
import { execFile } from 'node:child_process';
import { relative } from 'node:path';
import { promisify } from 'node:util';
import { hasErrors } from '../../diagnostics/diagnostic.js';
import { diffPolicies, formatDiffMarkdown, formatDiffText, isEmptyDiff } from '../../diff/policy-diff.js';
import { loadYaml } from '../../load/load-yaml.js';
import { formatMarkdown } from '../../report/table.js';
import { validatePolicy } from '../../validate/validate-policy.js';
import { ExitCode, UsageError, type CliIO } from '../io.js';
import { policyFolder } from '../load-policy-file.js';
import { readPolicy } from './policy-commands.js';

const run = promisify(execFile);

async function git(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    return (await run('git', args, { cwd, maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch {
    return undefined;
  }
}

/** The merge base with the default branch (origin/HEAD, main or master), or HEAD; and how to name it. */
async function defaultBase(cwd: string): Promise<{ revision: string; label: string }> {
  const remoteHead = (await git(cwd, ['rev-parse', '--abbrev-ref', 'origin/HEAD']))?.trim();
  for (const branch of [remoteHead, 'origin/main', 'main', 'origin/master', 'master']) {
    if (!branch) continue;
    const base = (await git(cwd, ['merge-base', 'HEAD', branch]))?.trim();
    if (base) return { revision: base, label: `the merge base with ${branch}` };
  }
  return { revision: 'HEAD', label: 'HEAD' };
}

/** Runs `diff`; prints nothing when the policy did not change. */
export async function diffCommand(io: CliIO, options: { base?: string; markdown?: boolean; config?: string }): Promise<number> {
  const head = await readPolicy(io, options.config);
  if (!head) return ExitCode.invalidInput;
  const folder = policyFolder(head);
  const top = (await git(folder, ['rev-parse', '--show-toplevel']))?.trim();
  if (!top) throw new UsageError(`${head.displayPath} is not in a git repository; memtier diff compares with a git revision`);
  const { revision: base, label: baseLabel } = options.base !== undefined ? { revision: options.base, label: options.base } : await defaultBase(folder);
  const pathInRepo = relative(top, head.path).split('\\').join('/');
  const text = await git(top, ['show', `${base}:${pathInRepo}`]);
  if (text === undefined) throw new UsageError(`${head.displayPath} does not exist at ${base} (or ${base} is not a revision)`);
  const label = `${head.displayPath} at ${baseLabel}`;
  const loaded = head.path.endsWith('.ts') ? (await import('../../load/load-typescript.js')).loadTypeScript(text, label) : loadYaml(text, label);
  const before = validatePolicy(loaded, label);
  if (!before.policy || hasErrors(before.diagnostics)) {
    throw new UsageError(`${label} is not a valid policy, so there is nothing to compare with (${before.diagnostics.length} problems)`);
  }
  const diff = diffPolicies(before.policy, head.policy);
  if (isEmptyDiff(diff)) return ExitCode.ok;
  io.stdout(options.markdown ? await formatMarkdown(formatDiffMarkdown(diff, label)) : formatDiffText(diff, label));
  return ExitCode.ok;
}
