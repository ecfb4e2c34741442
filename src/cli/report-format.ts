/**
 * How commands report: text for people, GitHub workflow annotations, or one stable JSON document
 * (its types are in ./json-report.ts). Each diagnostic is printed by diagnostics/format.ts.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { formatDiagnostic, formatDiagnosticForXcode, githubAnnotation, OUTPUT_FORMATS, type OutputFormat } from '../diagnostics/format.js';
import { UsageError, type CliIO } from './io.js';

export type { OutputFormat } from '../diagnostics/format.js';

/** Reads `--format`; text by default. */
export function parseFormat(value: unknown): OutputFormat {
  if (value === undefined) return 'text';
  if (typeof value === 'string' && (OUTPUT_FORMATS as readonly string[]).includes(value)) return value as OutputFormat;
  throw new UsageError(`--format takes ${OUTPUT_FORMATS.join(', ')}, not "${String(value)}"`);
}

/**
 * Prints diagnostics as text (stderr; for Xcode with absolute paths) or annotations (stdout, where
 * Actions reads them); json prints nothing here.
 */
export function printDiagnostics(io: CliIO, format: OutputFormat, diagnostics: readonly Diagnostic[]): void {
  for (const diagnostic of diagnostics) {
    if (format === 'text') io.stderr(`${formatDiagnostic(diagnostic)}\n`);
    if (format === 'xcode') io.stderr(`${formatDiagnosticForXcode(diagnostic, io.cwd)}\n`);
    if (format === 'github') io.stdout(`${githubAnnotation(diagnostic)}\n`);
  }
}
