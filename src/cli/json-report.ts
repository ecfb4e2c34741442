/**
 * The `--format json` documents of `generate` and `check`: one typed shape each, documented in the
 * docs (docs/ci.md), with `version` raised if a field changes meaning.
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
  /** The warnings and notes the policy acknowledges (its `acknowledged:` list), left out of `diagnostics`. */
  acknowledged: DiagnosticJson[];
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
type ReportFields<Report extends ReportBase> = Omit<Report, 'version' | 'diagnostics' | 'acknowledged'> & { diagnostics: readonly Diagnostic[]; acknowledged?: readonly Diagnostic[] };

/**
 * Prints a report as the one JSON document on stdout: `version` first, then the fields in the
 * order the command gives them (the documented order), diagnostics in their JSON form.
 */
export function printReport<Report extends GenerateReport | CheckReport>(io: CliIO, fields: ReportFields<Report>): void {
  const report = { version: 1, ...fields, diagnostics: fields.diagnostics.map(diagnosticJson), acknowledged: (fields.acknowledged ?? []).map(diagnosticJson) };
  io.stdout(`${JSON.stringify(report, null, 2)}\n`);
}
