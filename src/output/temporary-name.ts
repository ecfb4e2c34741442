/**
 * How memtier names its temporary files: the rule lives here alone, for writing them, for skipping
 * them when the output folder is read, and for telling which process left one behind.
 */
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** The prefix of memtier's temporary files; the process id follows, so leftovers can be told apart. */
const TEMPORARY_PREFIX = '.memtier-tmp-';

/** A unique temporary file beside `target`, for process `pid`. */
export function temporaryPathFor(target: string, pid: number): string {
  return join(dirname(target), `${TEMPORARY_PREFIX}${pid}-${randomBytes(4).toString('hex')}-${basename(target)}`);
}

/** Whether a file name is one of memtier's temporary files. */
export function isTemporaryName(name: string): boolean {
  return name.startsWith(TEMPORARY_PREFIX);
}

/** The process that wrote a temporary file, from its name; undefined for other names. */
export function temporaryOwner(name: string): number | undefined {
  if (!isTemporaryName(name)) return undefined;
  const pid = Number(name.slice(TEMPORARY_PREFIX.length).split('-', 1)[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
