/**
 * Stage 5a: compare generated files with what is on disk. Reads, never writes.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { GeneratedFile } from '../render/render-files.js';
import { isGeneratedFile } from '../swift/header.js';
import { OutputError } from './output-error.js';
import { isTemporaryName } from './temporary-name.js';

/** What should happen to one generated file. */
export interface PlannedFile {
  /** Relative to the output folder. */
  path: string;
  contents: string;
  /** `conflict`: a file of that name exists and memtier did not write it. */
  status: 'unchanged' | 'changed' | 'new' | 'conflict';
  /** The bytes on disk now, when the file exists. */
  existing?: string;
}

/** A Swift file or file list in the output folder (or below it) that carries memtier's header but is no longer produced. */
export interface OrphanFile {
  path: string;
  existing: string;
}

/** The difference between the output folder and what the policy generates. */
export interface OutputPlan {
  directory: string;
  files: PlannedFile[];
  orphans: OrphanFile[];
}

/** Compares `files` with the contents of `directory` (which need not exist yet). */
export async function planOutput(directory: string, files: readonly GeneratedFile[], options: { folderSetting?: string } = {}): Promise<OutputPlan> {
  // A folder outside the output folder that files go to (the tests, with output.tests.directory
  // "../…") is searched for orphans too.
  const outside = [...new Set(files.filter((file) => file.path.startsWith('../')).map((file) => posix.dirname(file.path)))];
  const entries = [
    ...(await listDirectory(directory, '', options.folderSetting ?? 'output.directory')),
    ...(await Promise.all(outside.map((folder) => listDirectory(directory, folder)))).flat(),
  ];
  const planned = await Promise.all(files.map((file) => planFile(directory, file)));
  const produced = new Set(files.map((file) => file.path));
  const orphans: OrphanFile[] = [];
  for (const name of entries) {
    if (produced.has(name)) continue;
    const existing = await readRegularFile(join(directory, name));
    if (existing !== undefined && isGeneratedFile(existing)) orphans.push({ path: name, existing });
  }
  return { directory, files: planned, orphans };
}

/** True when writing the plan would change nothing. */
export function isUpToDate(plan: OutputPlan): boolean {
  return plan.orphans.length === 0 && plan.files.every((file) => file.status === 'unchanged');
}

async function planFile(directory: string, file: GeneratedFile): Promise<PlannedFile> {
  const target = join(directory, file.path);
  const existing = await readRegularFile(target);
  if (existing === undefined) {
    // Only something that is there and is not a file is in the way (another run may have just created the file).
    if (await isNonFile(target)) throw new OutputError(`${target} is not a regular file; move it away so memtier can write ${file.path}`);
    return { ...file, status: 'new' };
  }
  if (existing === file.contents) return { ...file, status: 'unchanged', existing };
  return { ...file, status: isGeneratedFile(existing) ? 'changed' : 'conflict', existing };
}

/** Folders never searched for orphans: tool caches and dependencies, never memtier output. */
const SKIPPED_FOLDERS = new Set(['.git', '.build', '.swiftpm', 'node_modules', 'DerivedData']);

/** Swift files and Xcode file lists below `directory`, as sorted `/`-separated relative paths; [] when it does not exist. */
async function listDirectory(directory: string, prefix = '', folderSetting = 'output.directory'): Promise<string[]> {
  try {
    const entries = await readdir(join(directory, prefix), { withFileTypes: true });
    const found: string[] = [];
    for (const entry of entries) {
      const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory() && !SKIPPED_FOLDERS.has(entry.name)) found.push(...(await listDirectory(directory, path)));
      // Another run's temporary files are not orphans: deleting one would break that run's rename.
      else if (entry.isFile() && (entry.name.endsWith('.swift') || entry.name.endsWith('.xcfilelist')) && !isTemporaryName(entry.name)) found.push(path);
    }
    return found.sort();
  } catch (error) {
    if (prefix !== '') return [];
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    if (code === 'ENOTDIR') throw new OutputError(`the output folder ${directory} is a file; choose another ${folderSetting}`);
    throw new OutputError(`cannot read the output folder ${directory}: ${(error as Error).message}`);
  }
}

/** The text of a regular file, or undefined when there is no regular file there. */
async function readRegularFile(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return undefined;
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new OutputError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

async function isNonFile(path: string): Promise<boolean> {
  try {
    return !(await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** How many files `generate` would create, update or remove. */
export function countPendingChanges(plan: OutputPlan): number {
  return plan.files.filter((file) => file.status !== 'unchanged').length + plan.orphans.length;
}
