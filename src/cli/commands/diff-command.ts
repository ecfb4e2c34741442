/**
 * `memtier diff [--base REF] [--markdown]`: the policy at a git revision against the working copy.
 * A change that breaks a promise (an expectation) is shown in full, with the broken promises as a
 * section of their own: exit 1. Exit 2 only when one side cannot be read at all, naming which.
 */
import { execFile } from 'node:child_process';
import { relative } from 'node:path';
import { promisify } from 'node:util';
import { hasErrors } from '../../diagnostics/diagnostic.js';
import { diffPolicies, formatDiffMarkdown, formatDiffText, isEmptyDiff } from '../../reports/policy-diff.js';
import { formatMarkdown } from '../../reports/table.js';
import { validatePolicyText } from '../../policy-text.js';
import { ExitCode, UsageError, type CliIO } from '../io.js';
import { loadPolicyFile, policyFolder } from '../load-policy-file.js';
import { printDiagnostics } from '../report-format.js';

const run = promisify(execFile);

async function git(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    return (await run('git', args, { cwd, maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch {
    return undefined;
  }
}

/** The merge base with the default branch (origin/HEAD, main or master), or HEAD; and how to say it. */
async function defaultBase(cwd: string): Promise<{ revision: string; why: string }> {
  const remoteHead = (await git(cwd, ['rev-parse', '--abbrev-ref', 'origin/HEAD']))?.trim();
  for (const branch of [remoteHead, 'origin/main', 'main', 'origin/master', 'master']) {
    if (!branch) continue;
    const base = (await git(cwd, ['merge-base', 'HEAD', branch]))?.trim();
    if (base) return { revision: base, why: `the merge base with ${branch}` };
  }
  return { revision: 'HEAD', why: 'HEAD' };
}

/** Runs `diff`; prints nothing when the policy did not change. */
export async function diffCommand(io: CliIO, options: { base?: string; markdown?: boolean; config?: string }): Promise<number> {
  const loaded = await loadPolicyFile(io.cwd, options.config);
  const head = loaded.readable;
  if (!head) {
    printDiagnostics(io, 'text', loaded.diagnostics.filter((diagnostic) => diagnostic.severity === 'error'));
    io.stderr(`memtier: the working copy of ${loaded.displayPath} cannot be read as a policy, so there is nothing to compare\n`);
    return ExitCode.invalidInput;
  }
  const folder = policyFolder(head);
  const top = (await git(folder, ['rev-parse', '--show-toplevel']))?.trim();
  if (!top) throw new UsageError(`${head.displayPath} is not in a git repository; memtier diff compares with a git revision`);
  const chosen = options.base !== undefined ? { revision: options.base, why: options.base } : await defaultBase(folder);
  const short = (await git(top, ['rev-parse', '--short', `${chosen.revision}^{commit}`]))?.trim();
  if (!short) throw new UsageError(`${chosen.revision} is not a revision of this repository`);
  const where = chosen.why === short ? short : `${short} (${chosen.why})`;
  const pathInRepo = relative(top, head.path).split('\\').join('/');
  const text = await git(top, ['show', `${short}:${pathInRepo}`]);
  if (text === undefined) throw new UsageError(`${head.displayPath} does not exist at ${where}: there is no earlier policy to compare with`);
  const label = `${head.displayPath} at ${short}`;
  const before = await validatePolicyText(text, label, head.path);
  if (!before.readable) {
    printDiagnostics(io, 'text', before.diagnostics.filter((diagnostic) => diagnostic.severity === 'error'));
    io.stderr(`memtier: ${head.displayPath} at the base revision ${where} cannot be read as a policy, so there is nothing to compare with\n`);
    return ExitCode.invalidInput;
  }
  const broken = loaded.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  const diff = diffPolicies(before.readable, head.policy);
  if (isEmptyDiff(diff) && broken.length === 0) return ExitCode.ok;
  const subject = { file: head.displayPath, where };
  io.stdout(options.markdown ? await formatMarkdown(formatDiffMarkdown(diff, subject, broken)) : formatDiffText(diff, subject, broken));
  return hasErrors(loaded.diagnostics) ? ExitCode.outOfDate : ExitCode.ok;
}
