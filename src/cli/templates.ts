/**
 * Custom templates: `output.templates` in the policy names a folder whose `*.hbs` files replace
 * the built-in templates of the same name.
 */
import { join, resolve } from 'node:path';
import type { TemplateSet } from '../render/render-files.js';
import { withOverrides } from '../package/template-files.js';
import { UsageError } from './io.js';
import { displayPathOf, policyFolder, type PolicySource } from './load-policy-file.js';

/** The built-in templates with the policy's overrides applied. */
export async function resolveTemplates(source: PolicySource, builtIns: TemplateSet, cwd: string): Promise<TemplateSet> {
  const folder = source.policy.output.templates;
  if (folder === undefined) return builtIns;
  const directory = resolve(policyFolder(source), folder);
  const shown = displayPathOf(cwd, directory);
  const result = await withOverrides(builtIns, directory);
  if ('templates' in result) return result.templates;
  const { problem } = result;
  if (problem.kind === 'unreadable') {
    throw new UsageError(`${source.displayPath}: output.templates names ${shown}, which cannot be read (${problem.code})`);
  }
  throw new UsageError(`${join(shown, problem.fileName)} does not replace a built-in template; its name must be one of ${problem.expected.join(', ')} (see memtier templates list)`);
}
