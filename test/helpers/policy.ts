import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { formatDiagnostic } from '../../src/diagnostics/format.js';
import type { Policy } from '../../src/policy/schema.js';
import { validatePolicyYaml } from '../../src/policy-text.js';
import { readBuiltInTemplateTexts } from '../../src/package/template-files.js';

/** The shipped default policy, as text. */
/** memtier's built-in templates, read once from templates/ (the edge); `generate` itself reads nothing. */
export const templates = readBuiltInTemplateTexts();

export const DEFAULT_POLICY_TEXT = readFileSync(fileURLToPath(new URL('../../tiers.yaml', import.meta.url)), 'utf8');

/** The shipped policy with one value replaced (or removed, with `undefined`) at a key path. */
export function editedPolicy(edits: [path: (string | number)[], value: unknown][]): string {
  const doc = parseDocument(DEFAULT_POLICY_TEXT);
  for (const [path, value] of edits) {
    if (value === undefined) doc.deleteIn(path);
    else doc.setIn(path, value);
  }
  return doc.toString();
}

/** Validates text and returns the formatted diagnostics. */
export function diagnosticsOf(text: string, file = 'tiers.yaml'): string[] {
  return validatePolicyYaml(text, file).diagnostics.map(formatDiagnostic);
}

/**
 * Whether a formatted diagnostic is one of the memory estimate's findings (the model section
 * against each tier's ceilings), by its id; test/budget.test.ts covers those, and tests of other
 * rules leave them out. The shipped policy has two, both acknowledged in it.
 */
export function isEstimateFinding(line: string): boolean {
  return /\[(estimate-over-memory-limit|estimate-over-app-limit|memory-limit-above-app-limit|needlessly-small|little-headroom):/.test(line);
}

/**
 * What generate and check print on stderr for the shipped policy: its two warnings (the memory
 * estimate's) are acknowledged in it, so one line names them instead.
 */
export const SHIPPED_POLICY_WARNINGS = 'memtier: 2 acknowledged warnings not shown (acknowledged: in tiers.yaml): estimate-over-memory-limit:ultraLow, memory-limit-above-app-limit:standard:iphone-12-mini\n';

/** Validates text that must be valid, and returns the policy. */
export function validPolicy(text: string = DEFAULT_POLICY_TEXT): Policy {
  const result = validatePolicyYaml(text, 'tiers.yaml');
  if (!result.policy) throw new Error(`expected a valid policy:\n${result.diagnostics.map(formatDiagnostic).join('\n')}`);
  return result.policy;
}
