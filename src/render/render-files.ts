/**
 * Stage 4: view model + handlebars templates -> generated files. Pure: reads nothing, writes nothing.
 */
import Handlebars from 'handlebars';
import type { SwiftModel } from '../model/build-model.js';
import { swiftIdentifier } from '../swift/identifier.js';
import { swiftDocCommentLines, swiftIntLiteral, swiftStringLiteral } from '../swift/literals.js';

/** A file memtier produces: a path relative to the output folder, and its exact contents. */
export interface GeneratedFile {
  path: string;
  contents: string;
}

/** A template's source text, by the name of the file it produces ("DeviceMemoryTier.swift"). */
export type TemplateSet = ReadonlyMap<string, string>;

/** Renders each output the model asks for with its template, in the model's (path) order. */
export function renderFiles(model: SwiftModel, templates: TemplateSet): GeneratedFile[] {
  // An isolated instance: no global helpers or partials leak in, and Swift is not HTML, so no escaping.
  const handlebars = Handlebars.create();
  registerSwiftHelpers(handlebars);
  return model.outputs.map(({ template: name, path }) => {
    const source = templates.get(name);
    if (source === undefined) throw new Error(`no template for ${name}`);
    const template = handlebars.compile(source, { noEscape: true, strict: true });
    return { path, contents: normalizeText(template(model)) };
  });
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
export function registerSwiftHelpers(handlebars: typeof Handlebars): void {
  handlebars.registerHelper('swiftIdentifier', (text: unknown) => swiftIdentifier(String(text)));
  handlebars.registerHelper('swiftString', (text: unknown) => swiftStringLiteral(String(text)));
  handlebars.registerHelper('swiftInt', (value: unknown) => swiftIntLiteral(BigInt(String(value).replaceAll('_', ''))));
  handlebars.registerHelper('swiftDocComment', (text: unknown) => swiftDocCommentLines(String(text)).join('\n'));
}
