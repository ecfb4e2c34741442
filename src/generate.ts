/**
 * The pure core: a validated policy and its templates in, generated files out. Reads nothing and
 * writes nothing; the templates come from the edge (src/package/template-files.ts) or the caller.
 */
import { buildModel } from './model/build-model.js';
import { renderFiles, type GeneratedFile, type TemplateSet } from './render/render-files.js';
import { xcodeFileList, type XcodeFileListContext } from './render/xcode-file-list.js';
import type { Policy } from './policy/schema.js';

/** Options for {@link generate}. */
export interface GenerateOptions {
  /** How generated headers name the policy file. Default "tiers.yaml". */
  sourceName?: string;
  /**
   * Where the Xcode build phase's files are, for memtier.xcfilelist (written when the policy sets
   * app.xcodeProject). Default: memtier and web-tree-sitter in the policy folder's node_modules,
   * the output folder as output.directory says, no Package.resolved and no custom templates.
   */
  xcode?: Partial<XcodeFileListContext>;
}

/** Renders every generated file for a validated policy with `templates`. Same input, same bytes. */
export function generate(policy: Policy, templates: TemplateSet, options: GenerateOptions = {}): GeneratedFile[] {
  const sourceName = options.sourceName ?? 'tiers.yaml';
  const files = renderFiles(buildModel(policy, { sourceName }), templates);
  const context: XcodeFileListContext = {
    policyFile: sourceName,
    outputDirectory: policy.output.directory,
    packageFolder: 'node_modules/memtier',
    treeSitterFolder: 'node_modules/web-tree-sitter',
    packageResolved: [],
    customTemplates: [],
    ...options.xcode,
  };
  const list = xcodeFileList(policy, files, context, sourceName);
  return list === undefined ? files : [...files, list].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
