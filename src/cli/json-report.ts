/**
 * The `--format json` documents of `generate` and `check`: one typed shape each, documented in the
 * README, with `version` raised if a field changes meaning.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnosticJson, type DiagnosticJson } from '../diagnostics/format.js';
import type { PlannedFile } from '../output/plan-output.js';
import type { OutputChange } from '../output/write-output.js';
import type { CliIO } from './io.js';

/** What both documents hold. */
interface ReportBase {
  version: 1;
  exitCode: number;
  /** The policy file as messages name it. */
  policy: string;
  /** The output folder as messages name it; null when an invalid policy does not say. */
  outputDirectory: string | null;
  diagnostics: DiagnosticJson[];
}

/** `memtier generate --format json`. */
export interface GenerateReport extends ReportBase {
  command: 'generate';
  status: 'ok' | 'invalid' | 'refused';
  files: { path: string; action: OutputChange['action'] }[];
}

/** `memtier check --format json`. */
export interface CheckReport extends ReportBase {
  command: 'check';
  status: 'ok' | 'out-of-date' | 'invalid';
  files: { path: string; status: PlannedFile['status'] }[];
  orphans: string[];
}

/** The fields each command fills in; the version and the diagnostics' JSON form are added here. */
type ReportFields<Report extends ReportBase> = Omit<Report, 'version' | 'diagnostics'> & { diagnostics: readonly Diagnostic[] };

/** A generate report, fields in the documented order. */
export function generateReport(fields: ReportFields<GenerateReport>): GenerateReport {
  const { command, status, exitCode, policy, outputDirectory, diagnostics, files } = fields;
  return { version: 1, command, status, exitCode, policy, outputDirectory, diagnostics: diagnostics.map(diagnosticJson), files };
}

/** A check report, fields in the documented order. */
export function checkReport(fields: ReportFields<CheckReport>): CheckReport {
  const { command, status, exitCode, policy, outputDirectory, diagnostics, files, orphans } = fields;
  return { version: 1, command, status, exitCode, policy, outputDirectory, diagnostics: diagnostics.map(diagnosticJson), files, orphans };
}

/** Prints a report as the one JSON document on stdout. */
export function printReport(io: CliIO, report: GenerateReport | CheckReport): void {
  io.stdout(`${JSON.stringify(report, null, 2)}\n`);
}
