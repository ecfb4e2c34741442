/**
 * Stage 2: plain data -> typed Policy, or every problem at once (schema first, then the rules
 * that need a well-typed policy to run).
 */
import { formatKeyPath, hasErrors, sortDiagnostics, type Diagnostic, type Locator } from '../diagnostics/diagnostic.js';
import type { DeploymentTarget } from '../devices/deployment-target.js';
import type { LoadedSource } from '../load/load-yaml.js';
import { policySchema, type Policy } from '../policy/schema.js';
import { siUnitWarnings } from './si-units.js';
import { unitLessSizeWarnings } from './unit-less-sizes.js';
import { checkCatalogRules } from './catalog-rules.js';
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

/** What the catalog rules read besides the policy: where it is written, and the catalog. */
export interface CatalogInput {
  /** How messages name the policy file. */
  file: string;
  locate: Locator;
  /** The device catalog (devices/catalog.ts). */
  devices: readonly CatalogDevice[];
}

/** Validates loaded data against the schema and the policy rules; `devices` is the catalog the catalog rules read. */
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
  checkPolicyRules(parsed.data, reporter(diagnostics, file, source.locate));
  diagnostics.push(...catalogFindings(parsed.data, { file, locate: source.locate, devices }, policyTarget(parsed.data, file)));
  const sorted = sortDiagnostics(diagnostics);
  return hasErrors(sorted) ? { readable: parsed.data, diagnostics: sorted } : { policy: parsed.data, readable: parsed.data, diagnostics: sorted };
}

/** The deployment target the policy itself gives (app.deploymentTarget), named as read. */
export function policyTarget(policy: Policy, file: string): DeploymentTarget | undefined {
  const version = policy.app.deploymentTarget;
  return version === undefined ? undefined : { version, from: `app.deploymentTarget in ${file}` };
}

/**
 * A validated policy's diagnostics for what the CLI settled from the app (its deployment target,
 * and the model's `upscalesImages` from the mlx-swift-lm it pins): the catalog rules' findings for
 * the policy as validated are replaced by those for the settled policy and target. Every other
 * diagnostic stays.
 */
export function withSettledFacts(diagnostics: readonly Diagnostic[], validated: Policy, settled: { policy: Policy; target: DeploymentTarget | undefined }, input: CatalogInput): Diagnostic[] {
  const given = catalogFindings(validated, input, policyTarget(validated, input.file));
  const remaining = [...diagnostics];
  for (const finding of given) {
    const index = remaining.findIndex((diagnostic) => sameDiagnostic(diagnostic, finding));
    if (index >= 0) remaining.splice(index, 1);
  }
  return sortDiagnostics([...remaining, ...catalogFindings(settled.policy, input, settled.target)]);
}

function catalogFindings(policy: Policy, input: CatalogInput, target: DeploymentTarget | undefined): Diagnostic[] {
  const found: Diagnostic[] = [];
  checkCatalogRules(policy, reporter(found, input.file, input.locate), { file: input.file, devices: input.devices, ...(target ? { target } : {}) });
  return found;
}

function reporter(into: Diagnostic[], file: string, locate: Locator): Report {
  return (severity, path, message, options) => {
    into.push({ severity, file, ...locate(path, options), path: formatKeyPath(path), message, ...(options?.id === undefined ? {} : { id: options.id }) });
  };
}

function sameDiagnostic(a: Diagnostic, b: Diagnostic): boolean {
  return a.severity === b.severity && a.file === b.file && a.line === b.line && a.column === b.column && a.path === b.path && a.message === b.message && a.id === b.id;
}
