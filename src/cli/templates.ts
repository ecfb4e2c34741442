/**
 * Custom templates: `output.templates` in the policy names a folder whose `*.hbs` files replace
 * the built-in templates of the same name.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { TemplateSet } from '../render/render-files.js';
import { UsageError } from './io.js';
import { displayPathOf, policyFolder, type PolicySource } from './load-policy-file.js';

/** The built-in templates with the policy's overrides applied. */
export async function resolveTemplates(source: PolicySource, builtIns: TemplateSet, cwd: string): Promise<TemplateSet> {
  const folder = source.policy.output.templates;
  if (folder === undefined) return builtIns;
  const directory = resolve(policyFolder(source), folder);
  const shown = displayPathOf(cwd, directory);
  let names: string[];
  try {
    names = (await readdir(directory)).filter((name) => name.endsWith('.hbs')).sort();
  } catch (error) {
    throw new UsageError(`${source.displayPath}: output.templates names ${shown}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const templates = new Map(builtIns);
  for (const name of names) {
    const output = name.slice(0, -'.hbs'.length);
    if (!builtIns.has(output)) {
      throw new UsageError(`${join(shown, name)} does not replace a built-in template; its name must be one of ${[...builtIns.keys()].map((key) => `${key}.hbs`).join(', ')} (see memtier templates list)`);
    }
    templates.set(output, await readFile(join(directory, name), 'utf8'));
  }
  return templates;
}
