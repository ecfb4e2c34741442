/**
 * The pure core: a validated policy in, generated files out. Nothing here touches the output folder.
 */
import { buildModel } from './model/build-model.js';
import { readTemplates, renderFiles, type GeneratedFile, type TemplateSet } from './render/render-files.js';
import type { Policy } from './validate/schema.js';

/** Options for {@link generate}. */
export interface GenerateOptions {
  /** How generated headers name the policy file. Default "tiers.yaml". */
  sourceName?: string;
  /** Templates to render. Default: memtier's built-in templates. */
  templates?: TemplateSet;
}

/** Renders every generated file for a validated policy. Same policy, same bytes. */
export function generate(policy: Policy, options: GenerateOptions = {}): GeneratedFile[] {
  const model = buildModel(policy, { sourceName: options.sourceName ?? 'tiers.yaml' });
  return renderFiles(model, options.templates ?? readTemplates());
}
