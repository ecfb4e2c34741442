/**
 * `memtier diff [--base REF] [--markdown]`: the policy at a git revision against the working copy.
 * A change that breaks a promise (an expectation) is shown in full, with the broken promises as a
 * section of their own: exit 1. A policy that is new since the base is shown device by device. No
 * change prints one line naming the base. Exit 2 when there is nothing honest to compare with (a
 * shallow clone without the base branch, a CI checkout compared with itself) or one side cannot
 * be read, naming which.
 */
import { relative } from 'node:path';
import { hasErrors, type Diagnostic } from '../../diagnostics/diagnostic.js';
import type { Policy } from '../../policy/schema.js';
import { formatNewPolicyMarkdown, formatNewPolicyText } from '../../reports/new-policy.js';
import { formatDiffMarkdown, formatNoChangeMarkdown } from '../../reports/policy-diff-markdown.js';
import { diffPolicies, formatDiffText, formatNoChangeText, isEmptyDiff, type DiffSubject } from '../../reports/policy-diff.js';
import { formatMarkdown } from '../../reports/table.js';
import { validatePolicyText } from '../../policy-text.js';
import { chooseBase, git, refusalMessage } from '../diff-base.js';
import { ExitCode, UsageError, type CliIO } from '../io.js';
import { loadPolicyFile, policyFolder } from '../load-policy-file.js';
import { printDiagnostics } from '../report-format.js';
import { catalogScope, type DeviceScope } from '../../devices/deployment-target.js';
import { readDeploymentTarget } from '../resolve-deployment-target.js';
import { readPinnedModel } from '../resolve-mlx-api.js';
import { pinnedRelease, withPinnedRelease, type PinnedRelease } from '../../mlx/lm-release.js';
import { findPin, parsePackageResolved } from '../../mlx/package-resolved.js';

/** The options of `diff`; `env` is read for GITHUB_BASE_REF and GITHUB_ACTIONS (default: the process's). */
export interface DiffOptions {
  base?: string;
  markdown?: boolean;
  config?: string;
  env?: Record<string, string | undefined>;
}

/** Runs `diff`; see the module comment for what it prints and its exit codes. */
export async function diffCommand(io: CliIO, options: DiffOptions): Promise<number> {
  const loaded = await loadPolicyFile(io.cwd, options.config);
  const head = loaded.readable;
  if (!head) {
    printDiagnostics(io, 'text', loaded.diagnostics.filter((diagnostic) => diagnostic.severity === 'error'));
    io.stderr(`memtier: the working copy of ${loaded.displayPath} cannot be read as a policy, so there is nothing to compare\n`);
    return ExitCode.invalidInput;
  }
  const top = (await git(policyFolder(head), ['rev-parse', '--show-toplevel']))?.trim();
  if (!top) throw new UsageError(`${head.displayPath} is not in a git repository; memtier diff compares with a git revision`);
  const base = await chooseBase({ top, explicit: options.base, env: options.env ?? process.env });
  if ('refusal' in base) {
    io.stderr(refusalMessage(head.displayPath, base));
    return ExitCode.invalidInput;
  }
  const where = base.why === base.short ? base.short : `${base.short} (${base.why})`;
  const subject: DiffSubject = { file: head.displayPath, where, baseIsHead: base.isHead };
  const broken = loaded.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  const exitCode = hasErrors(loaded.diagnostics) ? ExitCode.outOfDate : ExitCode.ok;
  const pathInRepo = relative(top, head.path).split('\\').join('/');
  // The device lists are the app's as it is now: its deployment target, read as generate reads it.
  const scope = catalogScope(await readDeploymentTarget(io, head));
  // And the mlx-swift-lm release it pins, for both sides: the diff is of the policy, not of the pins.
  const pinned = await readPinnedModel(io, head);
  const headPolicy = pinned.source.policy;
  const text = await git(top, ['show', `${base.revision}:${pathInRepo}`]);
  if (text === undefined) {
    io.stdout(await newPolicyReport(headPolicy, subject, broken, { markdown: options.markdown === true, scope }));
    return exitCode;
  }
  const before = await validatePolicyText(text, `${head.displayPath} at ${base.short}`, head.path);
  if (!before.readable) {
    printDiagnostics(io, 'text', before.diagnostics.filter((diagnostic) => diagnostic.severity === 'error'));
    io.stderr(`memtier: ${head.displayPath} at the base revision ${subject.where} cannot be read as a policy, so there is nothing to compare with\n`);
    return ExitCode.invalidInput;
  }
  // The base's own pin, when the file that pins mlx-swift-lm now pinned another release then.
  const baseRelease = await basePin(top, base.revision, pinned.pinFile);
  const pinChange = baseRelease && pinned.release && baseRelease.version !== pinned.release.version
    ? `mlx-swift-lm ${baseRelease.version} -> ${pinned.release.version} (${pinned.release.file}): the estimates follow the release the app pins`
    : undefined;
  const settled = { base: withPinnedRelease(before.readable, baseRelease ?? pinned.release), head: headPolicy };
  const diff = { ...diffPolicies(before.readable, head.policy, scope, settled), ...(pinChange ? { pins: pinChange } : {}) };
  if (isEmptyDiff(diff) && broken.length === 0) {
    io.stdout(options.markdown ? formatNoChangeMarkdown(subject) : formatNoChangeText(subject));
    return ExitCode.ok;
  }
  const markdown = () => `${formatDiffMarkdown(diff, subject, broken)}${diff.leftOut ? `\n${diff.leftOut}.\n` : ''}`;
  io.stdout(options.markdown ? await formatMarkdown(markdown()) : formatDiffText(diff, subject, broken));
  return exitCode;
}

async function newPolicyReport(policy: Policy, subject: DiffSubject, broken: Diagnostic[], options: { markdown: boolean; scope: DeviceScope }): Promise<string> {
  return options.markdown ? formatMarkdown(formatNewPolicyMarkdown(policy, subject, broken, options.scope)) : formatNewPolicyText(policy, subject, broken, options.scope);
}

/** The mlx-swift-lm release `file` pinned at `revision`, when it existed then and names one. */
async function basePin(top: string, revision: string, file: string | undefined): Promise<PinnedRelease | undefined> {
  if (file === undefined) return undefined;
  const path = relative(top, file).split('\\').join('/');
  if (path.startsWith('..')) return undefined;
  const text = await git(top, ['show', `${revision}:${path}`]);
  if (text === undefined) return undefined;
  const parsed = parsePackageResolved(text, path);
  const pin = parsed.resolved && findPin(parsed.resolved, 'mlx-swift-lm');
  return pin ? pinnedRelease({ pin, file: path }) : undefined;
}
