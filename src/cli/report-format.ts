/**
 * How commands report: text for people, GitHub workflow annotations, or one stable JSON document.
 *
 * The JSON document (`--format json`) is versioned; its shape is documented in the README:
 * `{ version: 1, command, status, exitCode, policy, outputDirectory, diagnostics, files, orphans }`.
 */
import { formatDiagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import { UsageError, type CliIO } from './io.js';

/** The output formats. */
export const OUTPUT_FORMATS = ['text', 'github', 'json'] as const;
/** One output format. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Reads `--format`; text by default. */
export function parseFormat(value: unknown): OutputFormat {
  if (value === undefined) return 'text';
  if (typeof value === 'string' && (OUTPUT_FORMATS as readonly string[]).includes(value)) return value as OutputFormat;
  throw new UsageError(`--format takes ${OUTPUT_FORMATS.join(', ')}, not "${String(value)}"`);
}

/** A GitHub Actions workflow command that annotates a file and line in the pull request. */
export function githubAnnotation(diagnostic: Diagnostic, title = 'memtier'): string {
  const properties = [
    `file=${escapeProperty(diagnostic.file)}`,
    ...(diagnostic.line !== undefined ? [`line=${diagnostic.line}`] : []),
    ...(diagnostic.column !== undefined ? [`col=${diagnostic.column}`] : []),
    `title=${escapeProperty(title)}`,
  ];
  const message = diagnostic.path ? `${diagnostic.path}: ${diagnostic.message}` : diagnostic.message;
  return `::${diagnostic.severity} ${properties.join(',')}::${escapeData(message)}`;
}

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** Prints diagnostics as text (stderr) or annotations (stdout, where Actions reads them); json prints nothing here. */
export function printDiagnostics(io: CliIO, format: OutputFormat, diagnostics: readonly Diagnostic[]): void {
  for (const diagnostic of diagnostics) {
    if (format === 'text') io.stderr(`${formatDiagnostic(diagnostic)}\n`);
    if (format === 'github') io.stdout(`${githubAnnotation(diagnostic)}\n`);
  }
}

/** A diagnostic as it appears in the JSON document (absent fields left out). */
export function diagnosticJson(diagnostic: Diagnostic): Record<string, unknown> {
  return Object.fromEntries(Object.entries(diagnostic).filter(([, value]) => value !== undefined));
}

/** Prints the JSON document. */
export function printJson(io: CliIO, document: Record<string, unknown>): void {
  io.stdout(`${JSON.stringify({ version: 1, ...document }, null, 2)}\n`);
}
