/**
 * `--reports PATH` of `budget` and `explain`: the on-device stress reports in a file, or in a
 * folder read recursively (every `*.json`), each validated (src/reports/field-reports.ts). A
 * broken report is a located error; the command then prints the errors and stops, comparing nothing.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { acknowledgedSummary, unusedReportAcknowledgements } from '../diagnostics/acknowledge.js';
import { acknowledgedReportWarnings, readFieldReport, type FieldReport, type ReportRun } from '../reports/field-reports.js';
import { policyAcknowledgements } from './acknowledgements.js';
import type { PolicySource } from './load-policy-file.js';
import { UsageError, type CliIO } from './io.js';
import { printDiagnostics } from './report-format.js';

/** A report larger than this is refused rather than read (a 30-minute run writes about 2 MB). */
const MAX_REPORT_BYTES = 256 * 1024 * 1024;

/** The valid reports under `path`, or the errors of the broken ones. */
export async function readFieldReports(cwd: string, path: string): Promise<{ reports: FieldReport[]; diagnostics: Diagnostic[]; files: number }> {
  const absolute = resolve(cwd, path);
  const info = await stat(absolute).catch(() => undefined);
  if (!info) throw new UsageError(`--reports: "${path}" does not exist; give a stress report (.json) or a folder of them`);
  const files = info.isDirectory() ? (await jsonFiles(absolute)).map((file) => join(path, relative(absolute, file))) : [path];
  if (files.length === 0) throw new UsageError(`--reports: "${path}" holds no .json file; the stress test writes memtier-stress-report.json (docs/on-device-testing.md)`);
  const reports: FieldReport[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    const full = resolve(cwd, file);
    const size = (await stat(full)).size;
    if (size > MAX_REPORT_BYTES) {
      diagnostics.push({ severity: 'error', file, message: `${Math.round(size / 1_048_576)} MiB is larger than a stress report can be; not read` });
      continue;
    }
    const read = readFieldReport(await readFile(full, 'utf8'), file);
    if (read.ok) reports.push(read.report);
    else diagnostics.push(...read.diagnostics);
  }
  return { reports, diagnostics, files: files.length };
}

/** Every `*.json` under `folder`, in a stable order. */
async function jsonFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  const found: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...(await jsonFiles(path)));
    else if (entry.isFile() && entry.name.toLowerCase().endsWith('.json')) found.push(path);
  }
  return found;
}

/** Reads `--reports` for a command: the reports, or undefined after printing the errors of the broken ones. */
export async function readReportsOption(io: CliIO, path: string): Promise<FieldReport[] | undefined> {
  const { reports, diagnostics, files } = await readFieldReports(io.cwd, path);
  if (diagnostics.length === 0) return reports;
  printDiagnostics(io, 'text', diagnostics);
  const broken = new Set(diagnostics.map((diagnostic) => diagnostic.file)).size;
  io.stderr(`memtier: ${broken} of ${files} stress report${files === 1 ? '' : 's'} could not be read; nothing was compared\n`);
  return undefined;
}

/**
 * After a command compared reports: the summary line of the report warnings the policy
 * acknowledges, and a note at each acknowledgement of a report warning none of them raised.
 */
export function printReportAcknowledgements(io: CliIO, source: PolicySource, runs: readonly ReportRun[], shownRuns: readonly ReportRun[] = runs): void {
  const raised = runs.flatMap((run) => [...run.warnings, ...run.acknowledged]);
  printDiagnostics(io, 'text', unusedReportAcknowledgements(policyAcknowledgements(source), raised, runs.length));
  io.stderr(acknowledgedSummary(acknowledgedReportWarnings(shownRuns), source.displayPath));
}
