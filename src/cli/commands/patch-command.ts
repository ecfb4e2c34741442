/**
 * `memtier patch <file.swift> [--write]`: rewrites the app's hand-written evaluator to use the
 * generated API. Prints a unified diff by default; `--write` replaces the file atomically.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { formatDiagnostic } from '../../diagnostics/format.js';
import { writeFileAtomically } from '../../output/write-output.js';
import { patchEvaluator } from '../../patch/rewrite-evaluator.js';
import { ExitCode, UsageError, type CliIO } from '../io.js';
import { displayPathOf } from '../load-policy-file.js';

/** Options of `memtier patch`. */
export interface PatchCommandOptions {
  file: string;
  write: boolean;
}

/** Runs `patch`; 0 when patched or already patched, 2 when the file cannot be rewritten safely. */
export async function patchCommand(io: CliIO, options: PatchCommandOptions): Promise<number> {
  const path = resolve(io.cwd, options.file);
  const shown = displayPathOf(io.cwd, path);
  const source = await readSource(path, shown);
  const result = await patchEvaluator(source, shown);
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

async function readSource(path: string, shown: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`${shown}: no such file`);
    if (code === 'EISDIR') throw new UsageError(`${shown}: is a folder; pass the Swift file that declares VLMEvaluator`);
    throw new UsageError(`${shown}: cannot read it (${code ?? (error as Error).message})`);
  }
}
