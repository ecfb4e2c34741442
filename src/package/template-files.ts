/**
 * The edge where templates come from files: memtier's built-in `templates/*.hbs`, and a policy's
 * `output.templates` folder whose files replace built-ins of the same name. Everything after this
 * (`generate`, `renderFiles`) receives the templates as data and reads nothing.
 *
 * `npm run build` also precompiles the built-in templates (scripts/precompile-templates.mjs), so
 * that rendering them needs only the handlebars runtime. Each precompiled template carries the
 * text it was made from, and is used only while the .hbs file still has that text.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { PrecompiledTemplate, TemplateSet, TemplateSource } from '../render/render-files.js';
import { packageFile } from './package-files.js';

/** The templates shipped with memtier. */
export const BUILT_IN_TEMPLATE_DIR = packageFile('templates/');

/**
 * Where the build puts the precompiled built-in templates: a CommonJS module, so that the library
 * and the bundled CLI (itself CommonJS, for Node's code cache) both load it with `require`.
 */
export const PRECOMPILED_TEMPLATES = packageFile('dist/package/templates.precompiled.cjs');

const TEMPLATE_SUFFIX = '.hbs';

/** The template file that produces an output: "DeviceMemoryTier.swift" -> "DeviceMemoryTier.swift.hbs". */
export function templateFileName(output: string): string {
  return `${output}${TEMPLATE_SUFFIX}`;
}

/** The output a template file produces, or undefined when the name is not a template's. */
export function outputOf(fileName: string): string | undefined {
  return fileName.endsWith(TEMPLATE_SUFFIX) ? fileName.slice(0, -TEMPLATE_SUFFIX.length) : undefined;
}

/** memtier's own templates as texts, keyed by output file name, in a stable order. */
export function readBuiltInTemplateTexts(): ReadonlyMap<string, string> {
  const names = readdirSync(BUILT_IN_TEMPLATE_DIR).filter((name) => outputOf(name) !== undefined).sort();
  return new Map(names.map((name) => [outputOf(name)!, readFileSync(join(BUILT_IN_TEMPLATE_DIR, name), 'utf8')]));
}

/** memtier's own templates, precompiled where the build's precompiled form still matches the text. */
export async function readBuiltInTemplates(): Promise<TemplateSet> {
  const texts = readBuiltInTemplateTexts();
  const precompiled = existsSync(PRECOMPILED_TEMPLATES)
    ? (createRequire(import.meta.url)(PRECOMPILED_TEMPLATES) as { TEMPLATES: Record<string, PrecompiledTemplate & { text: string }> }).TEMPLATES
    : {};
  return new Map([...texts].map(([name, text]): [string, TemplateSource] => {
    const built = precompiled[name];
    return [name, built && built.text === text ? { precompiled: built.precompiled } : text];
  }));
}

/** Why a custom template folder could not be used: it cannot be read, or a file replaces nothing. */
export type OverrideProblem = { kind: 'unreadable'; code: string } | { kind: 'unknown'; fileName: string; expected: string[] };

/** `builtIns` with every template in `directory` put in place of the built-in of the same name. */
export async function withOverrides(builtIns: TemplateSet, directory: string): Promise<{ templates: TemplateSet } | { problem: OverrideProblem }> {
  let names: string[];
  try {
    names = (await readdir(directory)).filter((name) => outputOf(name) !== undefined).sort();
  } catch (error) {
    return { problem: { kind: 'unreadable', code: (error as NodeJS.ErrnoException).code ?? 'error' } };
  }
  const templates = new Map(builtIns);
  for (const name of names) {
    const output = outputOf(name)!;
    if (!builtIns.has(output)) return { problem: { kind: 'unknown', fileName: name, expected: [...builtIns.keys()].map(templateFileName) } };
    templates.set(output, await readFile(join(directory, name), 'utf8'));
  }
  return { templates };
}
