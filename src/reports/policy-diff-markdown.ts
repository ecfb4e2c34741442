/**
 * `memtier diff --markdown`: the policy diff as a pull-request comment. Every function returns raw
 * Markdown; the command formats it with prettier before printing.
 */
import { diagnosticParts } from '../diagnostics/format.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { shownReported } from './device-table.js';
import { estimateLine, headNote, isEmptyDiff, onlyPins, type DiffSubject, type PolicyDiff } from './policy-diff.js';

/** A table cell's text with its pipes escaped. */
export function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The broken promises as a section, first in a comment because they fail the check. */
export function brokenPromisesMarkdown(broken: readonly Diagnostic[]): string[] {
  if (broken.length === 0) return [];
  const item = (problem: Diagnostic) => {
    const { place, text } = diagnosticParts(problem);
    return `- \`${place}\` ${escapeCell(text)}`;
  };
  return [`#### Broken promises (${broken.length})`, '', ...broken.map(item), ''];
}

/** The one line for no change, so that a comment still says what was compared. */
export function formatNoChangeMarkdown(subject: DiffSubject): string {
  return `**memtier**: no policy change in \`${subject.file}\` against ${subject.where}${headNote(subject)}.\n`;
}

/** The diff as Markdown for a pull-request comment (format it with prettier before printing). */
export function formatDiffMarkdown(diff: PolicyDiff, subject: DiffSubject, broken: readonly Diagnostic[] = []): string {
  const parts = [`### memtier: policy changes in \`${subject.file}\` against ${subject.where}`, '', ...(isEmptyDiff(diff) || onlyPins(diff) ? ['No policy change.', ''] : []), ...brokenPromisesMarkdown(broken)];
  if (diff.added.length + diff.removed.length > 0) {
    parts.push(...diff.added.map((name) => `- added tier \`${name}\``), ...diff.removed.map((name) => `- removed tier \`${name}\``), '');
  }
  if (diff.values.length > 0) {
    parts.push('| Setting | Before | After |', '| --- | --- | --- |', ...diff.values.map((change) => `| \`${change.path}\` | ${escapeCell(change.before)} | ${escapeCell(change.after)} |`), '');
  }
  if (diff.devices.length > 0) {
    parts.push(`#### Devices affected (${diff.devices.length})`, '', '| Device | Reports | Tier | Changes |', '| --- | --- | --- | --- |');
    for (const impact of diff.devices) {
      const tier = impact.tierBefore === impact.tierAfter ? impact.tierAfter : `${impact.tierBefore} → ${impact.tierAfter}`;
      const changes = impact.changes.map((change) => `${change.path} ${change.before} → ${change.after}`).join('<br>') || '—';
      parts.push(`| ${escapeCell(impact.device.name)} (${impact.device.ramGB} GB) | ${shownReported(impact.device)} | ${tier} | ${escapeCell(changes)} |`);
    }
    parts.push('', REPORTED_MARKS);
  }
  if (diff.estimates.length > 0) {
    parts.push('', '#### Estimated peak memory (`memtier budget`)', '', ...(diff.pins ? [`- ${escapeCell(diff.pins.replace(' -> ', ' → '))}`] : []), ...diff.estimates.map((change) => `- ${escapeCell(estimateLine(change, '→'))}`));
  }
  return `${parts.join('\n')}\n`;
}

/** What the marks on a reported size mean, under a device table. */
export const REPORTED_MARKS = '~ estimated report; ≈ approximate report (see `memtier devices`).';
