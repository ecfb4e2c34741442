/**
 * Stage 5b: the only code that changes files. Each file is replaced atomically, and only files
 * memtier wrote itself are ever replaced or removed.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { OutputError } from './output-error.js';
import type { OutputPlan } from './plan-output.js';

/** One change made to the output folder. */
export interface OutputChange {
  path: string;
  action: 'created' | 'updated' | 'removed';
}

/** Options for {@link writeOutput}. */
export interface WriteOptions {
  /** Replace files of the same name that memtier did not write. Default false. */
  force?: boolean;
}

/** Applies a plan: writes new and changed files, removes orphans. Refuses before writing anything on a conflict. */
export async function writeOutput(plan: OutputPlan, options: WriteOptions = {}): Promise<OutputChange[]> {
  const conflicts = plan.files.filter((file) => file.status === 'conflict');
  if (conflicts.length > 0 && !options.force) {
    const names = conflicts.map((file) => join(plan.directory, file.path)).join(', ');
    throw new OutputError(`${names} ${conflicts.length === 1 ? 'exists and was' : 'exist and were'} not written by memtier (no memtier header); move ${conflicts.length === 1 ? 'it' : 'them'} away, or pass --force to overwrite`);
  }
  const changes: OutputChange[] = [];
  const pending = plan.files.filter((file) => file.status !== 'unchanged');
  for (const file of pending) {
    const target = join(plan.directory, file.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFileAtomically(target, file.contents);
    changes.push({ path: file.path, action: file.status === 'new' ? 'created' : 'updated' });
  }
  for (const orphan of plan.orphans) {
    await rm(join(plan.directory, orphan.path), { force: true });
    changes.push({ path: orphan.path, action: 'removed' });
  }
  return changes;
}

/** Writes to a temporary file in the same folder, then renames it over the target: old or new, never half. */
export async function writeFileAtomically(target: string, contents: string): Promise<void> {
  const temporary = join(dirname(target), `.memtier-tmp-${process.pid}-${randomBytes(4).toString('hex')}-${basename(target)}`);
  try {
    await writeFile(temporary, contents, { flush: true });
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new OutputError(`cannot write ${target}: ${(error as Error).message}`);
  }
}
