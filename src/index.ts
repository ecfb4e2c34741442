/**
 * memtier's public API: the DSL for `tiers.config.ts`, and the pure pipeline for tools.
 */
export { defineTiers, GB, GiB, KB, KiB, MB, MiB, type TiersConfig } from './policy/dsl.js';
export { generate, type GenerateOptions } from './generate.js';
export type { GeneratedFile, TemplateSet } from './render/render-files.js';
export { readBuiltInTemplates } from './package/template-files.js';
export type { Policy, Tier, Expectation } from './policy/schema.js';
export { validatePolicyYaml, type ValidationResult } from './policy-text.js';
export type { Diagnostic } from './diagnostics/diagnostic.js';
