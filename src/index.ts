/**
 * memtier's public API: the DSL for `tiers.config.ts`, and the pure pipeline for tools.
 */
export { defineTiers, GB, GiB, KB, KiB, MB, MiB, type TiersConfig } from './dsl.js';
export { generate, type GenerateOptions } from './generate.js';
export type { GeneratedFile } from './render/render-files.js';
export type { Policy, Tier, Expectation } from './validate/schema.js';
export { validatePolicyYaml, type ValidationResult } from './validate/validate-policy.js';
export type { Diagnostic } from './diagnostics/diagnostic.js';
