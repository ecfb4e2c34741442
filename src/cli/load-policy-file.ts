/**
 * Finds, reads and validates the policy file for a command: tiers.yaml, or the typed tiers.config.ts.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { hasErrors, type Diagnostic, type Locator } from '../diagnostics/diagnostic.js';
import type { Policy } from '../policy/schema.js';
import { validatePolicyText } from '../policy-text.js';

/** The policy file names memtier looks for in the current folder. */
export const DEFAULT_POLICY_FILE = 'tiers.yaml';
export const TYPED_POLICY_FILE = 'tiers.config.ts';

/** A policy that passed validation, and where it came from. */
export interface PolicySource {
  policy: Policy;
  /** Absolute path of the policy file. */
  path: string;
  /** How messages name it: relative to the working folder when inside it. */
  displayPath: string;
  /** The file name written into generated headers. */
  sourceName: string;
  /** Where a key path is written in the policy file, for messages about it. */
  locate: Locator;
}

/** The outcome of loading: the policy when valid, and every diagnostic (warnings included). */
export interface LoadedPolicy {
  source?: PolicySource;
  /** The policy when the schema read it, even if a policy rule (a promise) failed. */
  readable?: PolicySource;
  diagnostics: Diagnostic[];
  /** How messages name the file (even when it could not be read). */
  displayPath: string;
}

/** Finds the policy (`--config`, or tiers.yaml / tiers.config.ts in `cwd`), reads and validates it. */
export async function loadPolicyFile(cwd: string, configOption: string | undefined): Promise<LoadedPolicy> {
  const found = configOption !== undefined ? { path: resolve(cwd, configOption) } : await discover(cwd);
  if ('problem' in found) return { diagnostics: [found.problem], displayPath: found.problem.file ?? DEFAULT_POLICY_FILE };
  const { path } = found;
  const displayPath = displayPathOf(cwd, path);
  const text = await readPolicyText(path, displayPath);
  if (typeof text !== 'string') return { diagnostics: [text], displayPath };
  const result = await validatePolicyText(text, displayPath, path);
  const readable = result.readable && { policy: result.readable, path, displayPath, sourceName: basename(path), locate: result.locate };
  if (!result.policy || hasErrors(result.diagnostics)) return { ...(readable ? { readable } : {}), diagnostics: result.diagnostics, displayPath };
  return { source: readable!, readable: readable!, diagnostics: result.diagnostics, displayPath };
}

async function discover(cwd: string): Promise<{ path: string } | { problem: Diagnostic }> {
  const candidates = [DEFAULT_POLICY_FILE, TYPED_POLICY_FILE];
  const present: string[] = [];
  for (const name of candidates) {
    if (await isFile(resolve(cwd, name))) present.push(name);
  }
  if (present.length === 2) {
    return { problem: { severity: 'error', file: TYPED_POLICY_FILE, message: `both ${DEFAULT_POLICY_FILE} and ${TYPED_POLICY_FILE} are here; keep one, or pass --config` } };
  }
  if (present.length === 0) {
    const above = await policyAbove(cwd);
    if (above !== undefined) {
      const shown = relative(cwd, above);
      return { problem: { severity: 'error', message: `no ${DEFAULT_POLICY_FILE} here; ${shown} exists: run memtier there, or pass --config ${shown}` } };
    }
    return { problem: { severity: 'error', file: DEFAULT_POLICY_FILE, message: `no such file; run memtier in the folder that holds ${DEFAULT_POLICY_FILE} (or ${TYPED_POLICY_FILE}), pass --config PATH, or run memtier init` } };
  }
  return { path: resolve(cwd, present[0]!) };
}

/**
 * The nearest policy file in a folder above `cwd`, up to the repository's root (the folder that
 * holds `.git`) or the filesystem's: someone in `MyApp/VLMEval/` most likely means `MyApp/tiers.yaml`,
 * and should not be told to run `memtier init` there.
 */
async function policyAbove(cwd: string): Promise<string | undefined> {
  let folder = resolve(cwd);
  while (!(await exists(resolve(folder, '.git')))) {
    const parent = dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
    for (const name of [DEFAULT_POLICY_FILE, TYPED_POLICY_FILE]) {
      if (await isFile(resolve(folder, name))) return resolve(folder, name);
    }
  }
  return undefined;
}

/** The closing line for an invalid policy, in text format: `tiers.yaml: 2 errors; nothing was written`. */
export function invalidPolicyLine(loaded: LoadedPolicy, consequence = 'nothing was written'): string {
  const count = loaded.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
  return `${loaded.displayPath}: ${count} error${count === 1 ? '' : 's'}${consequence ? `; ${consequence}` : ''}\n`;
}

/** A path as the user should see it: relative to the working folder when it is inside it. */
export function displayPathOf(cwd: string, path: string): string {
  const shown = relative(cwd, path);
  return shown === '' ? '.' : shown.startsWith('..') || isAbsolute(shown) ? path : shown;
}

/** The policy's folder, against which `output.directory` and other paths are resolved. */
export function policyFolder(source: PolicySource): string {
  return dirname(source.path);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** A policy is a few kilobytes; anything over this is refused before it is parsed, bounding time and memory. */
export const MAX_POLICY_BYTES = 1024 * 1024;

async function readPolicyText(path: string, displayPath: string): Promise<string | Diagnostic> {
  const problem = (message: string): Diagnostic => ({ severity: 'error', file: displayPath, message });
  try {
    const info = await stat(path);
    if (info.isDirectory()) return problem(`is a folder; expected a policy file such as ${DEFAULT_POLICY_FILE}`);
    if (!info.isFile()) return problem('is not a regular file');
    if (info.size > MAX_POLICY_BYTES) return problem(`is ${info.size} bytes; a policy is a few kilobytes, and files over ${MAX_POLICY_BYTES} bytes are refused`);
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return problem('no such file; check the --config path');
    return problem(`cannot read the policy file (${code ?? (error as Error).message})`);
  }
}
