/**
 * Acknowledged warnings: a team that has read a warning and accepts it names its id in the policy
 * (`acknowledged:`), and the warning is no longer printed on every build. Acknowledging is not
 * hiding: a summary line counts what was left out, and an acknowledgement whose warning is no
 * longer given is a note, so the list does not outlive its reasons.
 */
import type { Diagnostic } from './diagnostic.js';

/** One entry of `acknowledged:`, with where it is written. */
export interface Acknowledgement {
  readonly id: string;
  readonly place: { file: string; line?: number; column?: number; path: string };
}

/** The diagnostics to print, and the ones an acknowledgement leaves out. */
export interface Acknowledged {
  shown: Diagnostic[];
  acknowledged: Diagnostic[];
}

/** Leaves out the warnings and notes the policy acknowledges; errors are never left out. */
export function applyAcknowledgements(diagnostics: readonly Diagnostic[], acknowledgements: readonly Acknowledgement[]): Acknowledged {
  const ids = new Set(acknowledgements.map((acknowledgement) => acknowledgement.id));
  const isAcknowledged = (diagnostic: Diagnostic) => diagnostic.severity !== 'error' && diagnostic.id !== undefined && ids.has(diagnostic.id);
  return { shown: diagnostics.filter((diagnostic) => !isAcknowledged(diagnostic)), acknowledged: diagnostics.filter(isAcknowledged) };
}

/**
 * How the ids of the warnings about on-device stress reports begin (`report-over-estimate:...`).
 * Only `budget --reports` and `explain --reports` read reports, so a run without them cannot tell
 * whether such an acknowledgement is still used.
 */
export const REPORT_WARNING_PREFIX = 'report-';

/**
 * A note at each acknowledgement that matched nothing in `given` (every warning and note of the
 * run), report warnings' acknowledgements left out: the run read no reports.
 */
export function unusedAcknowledgements(acknowledgements: readonly Acknowledgement[], given: readonly Diagnostic[]): Diagnostic[] {
  const ids = new Set(given.map((diagnostic) => diagnostic.id));
  return acknowledgements
    .filter((acknowledgement) => !ids.has(acknowledgement.id) && !acknowledgement.id.startsWith(REPORT_WARNING_PREFIX))
    .map((acknowledgement) => ({
      severity: 'note',
      ...acknowledgement.place,
      message: `acknowledges "${acknowledgement.id}", which memtier no longer reports; remove this entry`,
    }));
}

/** The summary line for what was left out, or '' when nothing was. */
export function acknowledgedSummary(acknowledged: readonly Diagnostic[], policyFile: string): string {
  if (acknowledged.length === 0) return '';
  const count = acknowledged.length;
  // One warning id can come from several reports: each id once, with how many times.
  const times = new Map<string, number>();
  for (const diagnostic of acknowledged) times.set(diagnostic.id ?? '', (times.get(diagnostic.id ?? '') ?? 0) + 1);
  const names = [...times].map(([id, n]) => (n === 1 ? id : `${id} (${n} times)`)).join(', ');
  return `memtier: ${count} acknowledged warning${count === 1 ? '' : 's'} not shown (acknowledged: in ${policyFile}): ${names}\n`;
}

/**
 * The policy's acknowledgements of report warnings (`report-…`) that none of the reports read
 * raised, as notes at their entries: a typo, or a warning the reports no longer give.
 */
export function unusedReportAcknowledgements(acknowledgements: readonly Acknowledgement[], raised: readonly Diagnostic[], reportCount: number): Diagnostic[] {
  const ids = new Set(raised.map((diagnostic) => diagnostic.id));
  return acknowledgements
    .filter((acknowledgement) => acknowledgement.id.startsWith(REPORT_WARNING_PREFIX) && !ids.has(acknowledgement.id))
    .map((acknowledgement) => ({
      severity: 'note',
      ...acknowledgement.place,
      message: `acknowledges "${acknowledgement.id}", which none of the ${reportCount} report${reportCount === 1 ? '' : 's'} read raises (a typo, or a warning they no longer give)`,
    }));
}
