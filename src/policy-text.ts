/**
 * The first two stages put together for a policy file's text: load it (YAML, or a tiers.config.ts)
 * and validate it against the schema, the policy rules and the device catalog.
 */
import { DEVICES } from './devices/catalog.js';
import type { Locator } from './diagnostics/diagnostic.js';
import { loadYaml } from './load/load-yaml.js';
import { loadPolicyText } from './load/load-policy-text.js';
import { validatePolicy, type ValidationResult } from './validate/validate-policy.js';

export type { ValidationResult } from './validate/validate-policy.js';

/** Loads and validates policy YAML text; `file` is how messages name it. Never throws for bad input. */
export function validatePolicyYaml(text: string, file: string): ValidationResult {
  return validatePolicy(loadYaml(text, file), file, DEVICES);
}

/**
 * Loads and validates a policy file's text, YAML or TypeScript by `path`'s extension; `file` is how
 * messages name it. Also returns where each key is written, for later messages about the policy.
 */
export async function validatePolicyText(text: string, file: string, path: string): Promise<ValidationResult & { locate: Locator }> {
  const loaded = await loadPolicyText(text, file, path);
  return { ...validatePolicy(loaded, file, DEVICES), locate: loaded.locate };
}
