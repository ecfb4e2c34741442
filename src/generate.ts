/**
 * The pure core: a validated policy and its templates in, generated files out. Reads nothing and
 * writes nothing; the templates come from the edge (src/package/template-files.ts) or the caller.
 */
import { buildModel } from './model/build-model.js';
import { renderFiles, type GeneratedFile, type TemplateSet } from './render/render-files.js';
import type { Policy } from './policy/schema.js';

/** Options for {@link generate}. */
export interface GenerateOptions {
  /** How generated headers name the policy file. Default "tiers.yaml". */
  sourceName?: string;
}

/** Renders every generated file for a validated policy with `templates`. Same input, same bytes. */
export function generate(policy: Policy, templates: TemplateSet, options: GenerateOptions = {}): GeneratedFile[] {
  const model = buildModel(policy, { sourceName: options.sourceName ?? 'tiers.yaml' });
  return renderFiles(model, templates);
}
