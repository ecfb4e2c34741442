/**
 * Finds, reads and validates the policy file for a command, printing its diagnostics.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { formatDiagnostic, hasErrors } from '../diagnostics/diagnostic.js';
import type { Policy } from '../validate/schema.js';
import { validatePolicyYaml } from '../validate/validate-policy.js';
import type { CliIO } from './io.js';

/** The default policy file name, looked up in the current folder. */
export const DEFAULT_POLICY_FILE = 'tiers.yaml';

/** A policy that passed validation, and where it came from. */
export interface PolicySource {
  policy: Policy;
  /** Absolute path of the policy file. */
  path: string;
  /** How messages name it: relative to the working folder when inside it. */
  displayPath: string;
  /** The file name written into generated headers. */
  sourceName: string;
}

/** Reads and validates the policy; prints every diagnostic. Returns undefined when it has errors. */
export async function loadPolicyFile(io: CliIO, configOption: string | undefined): Promise<PolicySource | undefined> {
  const path = resolve(io.cwd, configOption ?? DEFAULT_POLICY_FILE);
  const displayPath = displayPathOf(io.cwd, path);
  const text = await readPolicyText(io, path, displayPath, configOption === undefined);
  if (text === undefined) return undefined;
  const result = validatePolicyYaml(text, displayPath);
  for (const diagnostic of result.diagnostics) io.stderr(`${formatDiagnostic(diagnostic)}\n`);
  if (!result.policy || hasErrors(result.diagnostics)) {
    const count = result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
    io.stderr(`${displayPath}: ${count} error${count === 1 ? '' : 's'}; nothing was written\n`);
    return undefined;
  }
  return { policy: result.policy, path, displayPath, sourceName: basename(path) };
}

/** A path as the user should see it: relative to the working folder when it is inside it. */
export function displayPathOf(cwd: string, path: string): string {
  const shown = relative(cwd, path);
  return shown === '' ? '.' : shown.startsWith('..') || isAbsolute(shown) ? path : shown;
}

/** The policy's folder, against which `output.directory` is resolved. */
export function policyFolder(source: PolicySource): string {
  return dirname(source.path);
}

async function readPolicyText(io: CliIO, path: string, displayPath: string, isDefault: boolean): Promise<string | undefined> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) {
      io.stderr(`${displayPath}: error: is a folder; expected a policy file such as ${DEFAULT_POLICY_FILE}\n`);
      return undefined;
    }
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      const hint = isDefault
        ? `run memtier in the folder that holds ${DEFAULT_POLICY_FILE}, or pass --config PATH`
        : 'check the --config path';
      io.stderr(`${displayPath}: error: no such file; ${hint}\n`);
    } else {
      io.stderr(`${displayPath}: error: cannot read the policy file (${code ?? (error as Error).message})\n`);
    }
    return undefined;
  }
}
