/**
 * Stage 4: view model + handlebars templates -> generated files. Pure: reads nothing, writes nothing.
 *
 * A template comes as its text, or precompiled (memtier's own, at build time): then only the
 * handlebars runtime is needed, and the compiler, a much larger module, is loaded only for texts.
 */
import { createRequire } from 'node:module';
import type Handlebars from 'handlebars';
import runtimeModule from 'handlebars/runtime.js';
import type { SwiftModel } from '../model/build-model.js';
import { swiftIdentifier } from '../swift/identifier.js';
import { swiftDocCommentLines, swiftIntLiteral, swiftStringLiteral } from '../swift/literals.js';

// The runtime module has the same API as handlebars, without compile (its own typings declare nothing).
const HandlebarsRuntime = runtimeModule as unknown as typeof Handlebars;

/** A file memtier produces: a path relative to the output folder, and its exact contents. */
export interface GeneratedFile {
  path: string;
  contents: string;
}

/** What handlebars' precompiler produced for a template (see scripts/precompile-templates.mjs). */
export type PrecompiledTemplate = { precompiled: TemplateSpecification };

/** A template: its source text, or its precompiled form. */
export type TemplateSource = string | PrecompiledTemplate;

/** The templates, by the name of the file each produces ("DeviceMemoryTier.swift"). */
export type TemplateSet = ReadonlyMap<string, TemplateSource>;

/** How every template is compiled, at build time or here: Swift is not HTML (no escaping), and a missing field is an error. */
export const TEMPLATE_COMPILE_OPTIONS = { noEscape: true, strict: true } as const;

/** Renders each output the model asks for with its template, in the model's (path) order. */
export function renderFiles(model: SwiftModel, templates: TemplateSet): GeneratedFile[] {
  // Isolated instances: no global helpers or partials leak in.
  const runtime = HandlebarsRuntime.create();
  registerSwiftHelpers(runtime);
  let compiler: typeof Handlebars | undefined;
  return model.outputs.map(({ template: name, path }) => {
    const source = templates.get(name);
    if (source === undefined) throw new Error(`no template for ${name}`);
    let template: HandlebarsTemplateDelegate;
    if (typeof source === 'string') {
      compiler ??= createCompiler();
      template = compiler.compile(source, TEMPLATE_COMPILE_OPTIONS);
    } else {
      template = runtime.template(source.precompiled);
    }
    return { path, contents: normalizeText(template(model)) };
  });
}

/** The full handlebars (with the compiler), with the Swift helpers; loaded only when a template is text. */
function createCompiler(): typeof Handlebars {
  const handlebars = (createRequire(import.meta.url)('handlebars') as typeof Handlebars).create();
  registerSwiftHelpers(handlebars);
  return handlebars;
}

/** No trailing white space, no runs of blank lines, exactly one final newline, LF line ends. */
export function normalizeText(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').map((line) => line.trimEnd());
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trim()}\n`;
}

/**
 * Helpers for custom templates (the built-in ones get everything ready-made in the model):
 * `{{swiftIdentifier text}}`, `{{swiftString text}}` (a string literal, escaped),
 * `{{swiftInt value}}` (digit groups), `{{swiftDocComment text}}` (`///` lines, safely split).
 */
export function registerSwiftHelpers(handlebars: Pick<typeof Handlebars, 'registerHelper'>): void {
  handlebars.registerHelper('swiftIdentifier', (text: unknown) => swiftIdentifier(String(text)));
  handlebars.registerHelper('swiftString', (text: unknown) => swiftStringLiteral(String(text)));
  handlebars.registerHelper('swiftInt', (value: unknown) => swiftIntLiteral(BigInt(String(value).replaceAll('_', ''))));
  handlebars.registerHelper('swiftDocComment', (text: unknown) => swiftDocCommentLines(String(text)).join('\n'));
}
