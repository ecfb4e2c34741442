/**
 * `memtier patch <file.swift> [--write]`: rewrites the app's hand-written evaluator to use the
 * generated API. Prints a unified diff by default; `--write` replaces the file atomically.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { formatDiagnostic } from '../../diagnostics/format.js';
import { writeFileAtomically } from '../../output/write-output.js';
import { patchEvaluator } from '../../patch/rewrite-evaluator.js';
import { ExitCode, UsageError, type CliIO } from '../io.js';
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import { DEFAULT_EVALUATOR_CLASS } from '../../swift/generated-api.js';
import { DEFAULT_POLICY_FILE, displayPathOf, loadPolicyFile, TYPED_POLICY_FILE } from '../load-policy-file.js';

/** Options of `memtier patch`. */
export interface PatchCommandOptions {
  file: string;
  write: boolean;
  /** The policy file (`--config`); default: tiers.yaml or tiers.config.ts in the working folder, if there is one. */
  config?: string;
}

/** Runs `patch`; 0 when patched or already patched, 2 when the file cannot be rewritten safely. */
export async function patchCommand(io: CliIO, options: PatchCommandOptions): Promise<number> {
  const path = resolve(io.cwd, options.file);
  const shown = displayPathOf(io.cwd, path);
  const source = await readSource(path, shown);
  const className = await evaluatorClassName(io, options.config);
  if (className === null) {
    io.stderr(`${shown}: not patched: the policy says the app has no class for memtier to extend (evaluator.className: null), so there is nothing to migrate; use the generated \`MemoryPolicy\` (docs/generated-swift.md, "Without a VLMEval-shaped class"), or name the class in evaluator.className; nothing was written\n`);
    return ExitCode.invalidInput;
  }
  if (typeof className !== 'string') {
    for (const problem of className.problems) io.stderr(`${formatDiagnostic(problem)}\n`);
    io.stderr(`${shown}: not patched: the policy could not be read, and it names the class to patch (evaluator.className); nothing was written\n`);
    return ExitCode.invalidInput;
  }
  const result = await patchEvaluator(source, shown, { className });
  if (!result.ok) {
    for (const problem of result.problems) io.stderr(`${formatDiagnostic(problem)}\n`);
    io.stderr(`${shown}: not patched; nothing was written\n`);
    return ExitCode.invalidInput;
  }
  if (result.output === source) return ExitCode.ok;
  if (!options.write) {
    io.stdout(createTwoFilesPatch(`a/${shown}`, `b/${shown}`, source, result.output, '', 'patched by memtier', { context: 3 }));
    io.stderr(`memtier: run \`npx memtier patch ${options.file} --write\` to apply\n`);
    return ExitCode.ok;
  }
  await writeFileAtomically(path, result.output);
  io.stdout(`patched ${shown}\n`);
  return ExitCode.ok;
}

/**
 * The class to patch: the policy's `evaluator.className`, or VLMEvaluator; `null` when the policy
 * says the app has none. Without a policy file (patch needs none) the default; a policy that is
 * there but cannot be read is reported, because it may name another class.
 */
async function evaluatorClassName(io: CliIO, config: string | undefined): Promise<string | null | { problems: Diagnostic[] }> {
  const loaded = await loadPolicyFile(io.cwd, config);
  if (loaded.readable) {
    const named = loaded.readable.policy.evaluator?.className;
    return named === null ? null : (named ?? DEFAULT_EVALUATOR_CLASS);
  }
  const present = config !== undefined || (await Promise.all([DEFAULT_POLICY_FILE, TYPED_POLICY_FILE].map((name) => isFile(resolve(io.cwd, name))))).some(Boolean);
  if (!present) return DEFAULT_EVALUATOR_CLASS;
  return { problems: loaded.diagnostics.filter((diagnostic) => diagnostic.severity === 'error') };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function readSource(path: string, shown: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`${shown}: no such file`);
    if (code === 'EISDIR') throw new UsageError(`${shown}: is a folder; pass the Swift file that declares the evaluator class`);
    throw new UsageError(`${shown}: cannot read it (${code ?? (error as Error).message})`);
  }
}
