/**
 * Stage 2: plain data -> typed Policy, or every problem at once (schema first, then the rules
 * that need a well-typed policy to run).
 */
import { formatKeyPath, hasErrors, sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { LoadedSource } from '../load/load-yaml.js';
import { policySchema, type Policy } from '../policy/schema.js';
import { siUnitWarnings } from './si-units.js';
import { unitLessSizeWarnings } from './unit-less-sizes.js';
import { checkModelFit } from './model-rules.js';
import { checkPolicyRules, type CatalogDevice, type Report } from './tier-rules.js';

export type { CatalogDevice } from './tier-rules.js';
import { diagnosticsFromIssues } from './zod-issues.js';

/** A validated policy (present only when there are no errors) and all diagnostics, warnings included. */
export interface ValidationResult {
  policy?: Policy;
  /** The policy as the schema read it, present even when a policy rule failed (what `diff` compares). */
  readable?: Policy;
  diagnostics: Diagnostic[];
}

/** Validates loaded data against the schema and the policy rules; `devices` is the catalog the margin rule reads. */
export function validatePolicy(source: LoadedSource, file: string, devices: readonly CatalogDevice[]): ValidationResult {
  if (source.data === undefined) return { diagnostics: sortDiagnostics(source.diagnostics) };
  // One parse per run: zod's compiled fast path (built with `new Function`) costs more than it saves.
  const parsed = policySchema.safeParse(source.data, { jitless: true });
  if (!parsed.success) {
    const issues = diagnosticsFromIssues(parsed.error.issues, { file, data: source.data, locate: source.locate, schema: policySchema });
    return { diagnostics: sortDiagnostics([...source.diagnostics, ...issues]) };
  }
  const diagnostics = [
    ...source.diagnostics,
    ...siUnitWarnings(source.data, source.locate, file),
    ...unitLessSizeWarnings(source.data, source.locate, file),
  ];
  const report: Report = (severity, path, message, options) => {
    diagnostics.push({ severity, file, ...source.locate(path, options), path: formatKeyPath(path), message, ...(options?.id === undefined ? {} : { id: options.id }) });
  };
  checkPolicyRules(parsed.data, report, devices);
  checkModelFit(parsed.data, report, devices, file);
  const sorted = sortDiagnostics(diagnostics);
  return hasErrors(sorted) ? { readable: parsed.data, diagnostics: sorted } : { policy: parsed.data, readable: parsed.data, diagnostics: sorted };
}
