/**
 * Stage 2: plain data -> typed Policy, or every problem at once (schema first, then the rules
 * that need a well-typed policy to run).
 */
import { formatKeyPath, hasErrors, sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import { loadYaml, type LoadedSource } from '../load/load-yaml.js';
import { policySchema, type Policy } from './schema.js';
import { siUnitWarnings } from './si-units.js';
import { checkPolicyRules } from './tier-rules.js';
import { diagnosticsFromIssues } from './zod-issues.js';

/** A validated policy (present only when there are no errors) and all diagnostics, warnings included. */
export interface ValidationResult {
  policy?: Policy;
  /** The policy as the schema read it, present even when a policy rule failed (what `diff` compares). */
  readable?: Policy;
  diagnostics: Diagnostic[];
}

/** Validates loaded data against the schema and the policy rules. */
export function validatePolicy(source: LoadedSource, file: string): ValidationResult {
  if (source.data === undefined) return { diagnostics: sortDiagnostics(source.diagnostics) };
  const parsed = policySchema.safeParse(source.data);
  if (!parsed.success) {
    const issues = diagnosticsFromIssues(parsed.error.issues, { file, data: source.data, locate: source.locate, schema: policySchema });
    return { diagnostics: sortDiagnostics([...source.diagnostics, ...issues]) };
  }
  const diagnostics = [...source.diagnostics, ...siUnitWarnings(source.data, source.locate, file)];
  checkPolicyRules(parsed.data, (severity, path, message, options) => {
    diagnostics.push({ severity, file, ...source.locate(path, options), path: formatKeyPath(path), message });
  });
  const sorted = sortDiagnostics(diagnostics);
  return hasErrors(sorted) ? { readable: parsed.data, diagnostics: sorted } : { policy: parsed.data, readable: parsed.data, diagnostics: sorted };
}

/** Loads and validates policy YAML text; `file` is how messages name it. Never throws for bad input. */
export function validatePolicyYaml(text: string, file: string): ValidationResult {
  return validatePolicy(loadYaml(text, file), file);
}
