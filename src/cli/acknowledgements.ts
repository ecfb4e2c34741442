/**
 * The policy's `acknowledged:` entries as the CLI reads them: each with its place in the policy
 * file, and printing a command's diagnostics without the ones they acknowledge.
 */
import { applyAcknowledgements, type Acknowledgement } from '../diagnostics/acknowledge.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { CliIO } from './io.js';
import type { PolicySource } from './load-policy-file.js';
import { printDiagnostics } from './report-format.js';

/** Each `acknowledged:` entry of the policy, at its `warning` key. */
export function policyAcknowledgements(source: PolicySource): Acknowledgement[] {
  return source.policy.acknowledged.map((entry, index) => ({
    id: entry.warning,
    place: { file: source.displayPath, ...source.locate(['acknowledged', index, 'warning']), path: `acknowledged[${index}].warning` },
  }));
}

/** Prints `diagnostics` as text, but those the policy acknowledges. */
export function printUnacknowledged(io: CliIO, source: PolicySource, diagnostics: readonly Diagnostic[]): void {
  printDiagnostics(io, 'text', applyAcknowledgements(diagnostics, policyAcknowledgements(source)).shown);
}
