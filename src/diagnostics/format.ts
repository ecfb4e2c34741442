/**
 * The ways a Diagnostic is printed, one function each: text (the compiler's
 * `file:line:column: error:` shape, which Xcode and editors turn into a link; for Xcode with
 * absolute paths), a GitHub Actions annotation, and a JSON object.
 */
import { isAbsolute, resolve } from 'node:path';
import type { Diagnostic } from './diagnostic.js';

/**
 * The output formats every reporting command takes: `xcode` is text for a build phase, with
 * absolute paths (Xcode opens a file from the issue navigator only by its full path).
 */
export const OUTPUT_FORMATS = ['text', 'github', 'json', 'xcode'] as const;
/** One output format. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Who speaks when a problem has no file: `memtier: error: …`. */
const NO_FILE_PLACE = 'memtier';

/**
 * Text: `tiers.yaml:14:16: error: tiers[2].memoryLimit: expected ...`, or `memtier: error: ...`
 * for a problem with no file.
 */
export function formatDiagnostic(diagnostic: Diagnostic): string {
  const { place, text } = diagnosticParts(diagnostic);
  return `${place}: ${text}`;
}

/** Text for Xcode: as {@link formatDiagnostic}, with a relative file shown as its absolute path under `base`. */
export function formatDiagnosticForXcode(diagnostic: Diagnostic, base: string): string {
  const file = diagnostic.file !== undefined && !isAbsolute(diagnostic.file) ? resolve(base, diagnostic.file) : diagnostic.file;
  return formatDiagnostic({ ...diagnostic, file });
}

/** The two halves of `formatDiagnostic`: `tiers.yaml:14:16` and `error: tiers[2].memoryLimit: …`. */
export function diagnosticParts(diagnostic: Diagnostic): { place: string; text: string } {
  const place = diagnostic.file === undefined
    ? NO_FILE_PLACE
    : [diagnostic.file, diagnostic.line, diagnostic.column].filter((part) => part !== undefined).join(':');
  return { place, text: `${diagnostic.severity}: ${subjectAndMessage(diagnostic)}` };
}

/** GitHub: a workflow command that annotates the file and line in the pull request. */
export function githubAnnotation(diagnostic: Diagnostic, title = 'memtier'): string {
  const properties = [
    ...(diagnostic.file !== undefined ? [`file=${escapeProperty(diagnostic.file)}`] : []),
    ...(diagnostic.line !== undefined ? [`line=${diagnostic.line}`] : []),
    ...(diagnostic.column !== undefined ? [`col=${diagnostic.column}`] : []),
    `title=${escapeProperty(title)}`,
  ];
  // GitHub's workflow commands are error, warning and notice.
  const command = diagnostic.severity === 'note' ? 'notice' : diagnostic.severity;
  return `::${command} ${properties.join(',')}::${escapeData(subjectAndMessage(diagnostic))}`;
}

/** A diagnostic in a JSON report: the same fields, absent ones left out. */
export type DiagnosticJson = { [Key in keyof Diagnostic]: Diagnostic[Key] };

/** JSON: the diagnostic's fields, in a fixed order, without the absent ones. */
export function diagnosticJson(diagnostic: Diagnostic): DiagnosticJson {
  const { severity, file, line, column, path, message, id } = diagnostic;
  return {
    severity,
    ...(file !== undefined ? { file } : {}),
    ...(line !== undefined ? { line } : {}),
    ...(column !== undefined ? { column } : {}),
    ...(path !== undefined ? { path } : {}),
    message,
    ...(id !== undefined ? { id } : {}),
  };
}

/** `path: message [id]`: the id last, in brackets, as compilers name their warning flags. */
function subjectAndMessage(diagnostic: Diagnostic): string {
  const text = diagnostic.path ? `${diagnostic.path}: ${diagnostic.message}` : diagnostic.message;
  return diagnostic.id === undefined ? text : `${text} [${diagnostic.id}]`;
}

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
