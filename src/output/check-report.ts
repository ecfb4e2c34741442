/**
 * How `memtier check` describes an out-of-date output folder: a unified diff per stale file,
 * then the missing and orphaned files.
 */
import { createTwoFilesPatch } from 'diff';
import { join } from 'node:path';
import type { OutputPlan } from './plan-output.js';

/** The report for a plan, paths shown under `displayDirectory`; empty when the folder is up to date. */
export function formatCheckReport(plan: OutputPlan, displayDirectory: string, sourceName: string): string {
  const parts: string[] = [];
  for (const file of plan.files) {
    const shown = join(displayDirectory, file.path);
    if (file.status === 'new') parts.push(`missing: ${shown}\n`);
    if (file.status === 'conflict') parts.push(`not written by memtier (no memtier header): ${shown}\n`);
    if (file.status === 'changed' || file.status === 'conflict') {
      parts.push(createTwoFilesPatch(`a/${shown}`, `b/${shown}`, file.existing ?? '', file.contents, 'on disk', `generated from ${sourceName}`, { context: 3 }));
    }
  }
  for (const orphan of plan.orphans) parts.push(`no longer generated: ${join(displayDirectory, orphan.path)}\n`);
  return parts.join('');
}
