/**
 * The policy for a command that only reads it (`explain`, `devices`): its errors are printed, and
 * the command stops when there are any.
 */
import { hasErrors } from '../diagnostics/diagnostic.js';
import type { CliIO } from './io.js';
import { invalidPolicyLine, loadPolicyFile, type PolicySource } from './load-policy-file.js';
import { printDiagnostics } from './report-format.js';

/** Loads the policy, printing its errors; undefined when it is invalid. */
export async function readValidPolicy(io: CliIO, config: string | undefined): Promise<PolicySource | undefined> {
  const loaded = await loadPolicyFile(io.cwd, config);
  printDiagnostics(io, 'text', loaded.diagnostics.filter((diagnostic) => diagnostic.severity === 'error'));
  if (!loaded.source || hasErrors(loaded.diagnostics)) {
    io.stderr(invalidPolicyLine(loaded, ''));
    return undefined;
  }
  return loaded.source;
}
