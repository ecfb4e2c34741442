/**
 * Tables for people: aligned terminal text, or Markdown (formatted by prettier) for a pull request.
 */
import { createRequire } from 'node:module';

/** A table: a header row and data rows of the same width. */
export interface Table {
  headers: string[];
  rows: string[][];
}

/** The table as aligned columns for a terminal. */
export function formatTerminalTable(table: Table): string {
  const widths = table.headers.map((header, column) =>
    Math.max(header.length, ...table.rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return [line(table.headers), line(widths.map((width) => '-'.repeat(width))), ...table.rows.map(line)].join('\n') + '\n';
}

/** The table as GitHub-flavoured Markdown, aligned by prettier. */
export async function formatMarkdownTable(table: Table): Promise<string> {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  const raw = [
    `| ${table.headers.map(escape).join(' | ')} |`,
    `| ${table.headers.map(() => '---').join(' | ')} |`,
    ...table.rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
  ].join('\n');
  return formatMarkdown(raw);
}

/** Any Markdown, formatted by prettier. */
export async function formatMarkdown(markdown: string): Promise<string> {
  // prettier is loaded only by the commands that print Markdown.
  // `require`, not `import()`: the bundled CLI is CommonJS (scripts/bundle-cli.mjs).
  const { format } = createRequire(import.meta.url)('prettier') as typeof import('prettier');
  return format(markdown, { parser: 'markdown' });
}
