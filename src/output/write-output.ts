/**
 * Stage 5b: the only code that changes files. Only files memtier wrote itself are ever replaced
 * or removed, and each file is replaced atomically: every new file is first written in full
 * beside its target, and only when all are written are they renamed into place. A run that
 * fails or is killed leaves every file complete, old or new.
 */
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { OutputError } from './output-error.js';
import { temporaryOwner, temporaryPathFor } from './temporary-name.js';
import type { OutputPlan } from './plan-output.js';

/** One change made to the output folder. */
export interface OutputChange {
  path: string;
  action: 'created' | 'updated' | 'removed';
}

/** The file system calls writing uses; tests replace them to inject failures. */
export interface WriteFileSystem {
  writeFile: (path: string, contents: string) => Promise<void>;
  rename: (from: string, to: string) => Promise<void>;
}

const NODE_FILE_SYSTEM: WriteFileSystem = {
  writeFile: (path, contents) => writeFile(path, contents, { flush: true }),
  rename,
};

/** Options for {@link writeOutput}. */
export interface WriteOptions {
  /** Replace files of the same name that memtier did not write. Default false. */
  force?: boolean;
  /** Default: Node's. */
  fileSystem?: WriteFileSystem;
}

/** Applies a plan: writes new and changed files, removes orphans. Refuses before writing anything on a conflict. */
export async function writeOutput(plan: OutputPlan, options: WriteOptions = {}): Promise<OutputChange[]> {
  const fileSystem = options.fileSystem ?? NODE_FILE_SYSTEM;
  const conflicts = plan.files.filter((file) => file.status === 'conflict');
  if (conflicts.length > 0 && !options.force) {
    const names = conflicts.map((file) => join(plan.directory, file.path)).join(', ');
    throw new OutputError(`${names} ${conflicts.length === 1 ? 'exists and was' : 'exist and were'} not written by memtier (no memtier header); move ${conflicts.length === 1 ? 'it' : 'them'} away, or pass --force to overwrite`);
  }
  const pending = plan.files.filter((file) => file.status !== 'unchanged');
  const staged: { temporary: string; target: string }[] = [];
  let renamed = 0;
  try {
    for (const file of pending) {
      const target = join(plan.directory, file.path);
      await mkdir(dirname(target), { recursive: true });
      await removeAbandonedTemporaries(dirname(target));
      const temporary = temporaryPathFor(target, process.pid);
      staged.push({ temporary, target });
      await fileSystem.writeFile(temporary, file.contents);
    }
    for (const { temporary, target } of staged) {
      await fileSystem.rename(temporary, target);
      renamed++;
    }
  } catch (error) {
    await Promise.all(staged.map(({ temporary }) => rm(temporary, { force: true })));
    throw new OutputError(`cannot write ${plan.directory}: ${(error as Error).message}`, renamed > 0);
  }
  const changes: OutputChange[] = pending.map((file) => ({ path: file.path, action: file.status === 'new' ? 'created' : 'updated' }));
  for (const orphan of plan.orphans) {
    await rm(join(plan.directory, orphan.path), { force: true });
    changes.push({ path: orphan.path, action: 'removed' });
  }
  return changes;
}

/** Writes one file atomically: a temporary file beside it, then a rename. */
export async function writeFileAtomically(target: string, contents: string): Promise<void> {
  const temporary = temporaryPathFor(target, process.pid);
  try {
    await NODE_FILE_SYSTEM.writeFile(temporary, contents);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new OutputError(`cannot write ${target}: ${(error as Error).message}`);
  }
}

/** Deletes temporary files left by memtier runs that were killed (their process no longer exists). */
async function removeAbandonedTemporaries(directory: string): Promise<void> {
  const names = await readdir(directory).catch(() => [] as string[]);
  for (const name of names) {
    const pid = temporaryOwner(name);
    if (pid !== undefined && !isRunning(pid)) await rm(join(directory, name), { force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
