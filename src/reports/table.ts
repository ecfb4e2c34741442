/**
 * Tables for people: aligned terminal text within TEXT_WIDTH columns, or Markdown (formatted by
 * prettier) for a pull request.
 */
import { createRequire } from 'node:module';
import { TEXT_WIDTH, wrapText } from './wrap.js';

/** A table: a header row and data rows of the same width. */
export interface Table {
  headers: string[];
  rows: string[][];
  /**
   * How to print the table when it is wider than the terminal text allows: groups of headers, each
   * printed as a table of its own, a row that repeats one already printed in its group left out
   * (a tier's limits, once per tier). Without it the columns are split in order, the first repeated.
   */
  narrow?: string[][];
}

/**
 * The table as aligned columns for a terminal, no line wider than `width` (default TEXT_WIDTH):
 * a wider table is printed as several narrower ones (see Table.narrow), and a column still too
 * wide has its cells wrapped at spaces.
 */
export function formatTerminalTable(table: Table, width: number = TEXT_WIDTH): string {
  if (lineWidth(columnWidths(table)) <= width) return alignedTable(table, width);
  return columnGroups(table, width).map((columns) => alignedTable(pick(table, columns), width)).join('\n');
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

const GAP = 2;

function columnWidths(table: Table): number[] {
  return table.headers.map((header, column) => Math.max(header.length, ...table.rows.map((row) => (row[column] ?? '').length)));
}

function lineWidth(widths: readonly number[]): number {
  return widths.reduce((sum, each) => sum + each, 0) + GAP * Math.max(0, widths.length - 1);
}

/** Which columns each narrower table holds: the table's own groups, or the columns in order, the first in each. */
function columnGroups(table: Table, width: number): number[][] {
  if (table.narrow) return table.narrow.map((group) => group.map((header) => table.headers.indexOf(header)).filter((column) => column !== -1));
  const widths = columnWidths(table);
  const groups: number[][] = [];
  let current = [0];
  for (let column = 1; column < widths.length; column++) {
    const widened = [...current, column];
    if (current.length > 1 && lineWidth(widened.map((each) => widths[each]!)) > width) {
      groups.push(current);
      current = [0, column];
    } else {
      current = widened;
    }
  }
  return [...groups, current];
}

/** The table of some columns, without rows that repeat an earlier one. */
function pick(table: Table, columns: readonly number[]): Table {
  const seen = new Set<string>();
  const rows = table.rows.map((row) => columns.map((column) => row[column] ?? '')).filter((row) => {
    const key = row.join('\u0000');
    return seen.has(key) ? false : (seen.add(key), true);
  });
  return { headers: columns.map((column) => table.headers[column]!), rows };
}

/**
 * Aligned columns. When they are wider than `width`, the columns with the most room to give (the
 * most width beyond their longest word) are narrowed, and their cells wrapped at spaces.
 */
function alignedTable(table: Table, width: number): string {
  const widths = fitWidths(table, width);
  const lines = (row: string[]): string[] => {
    const cells = row.map((cell, column) => wrapText(cell, { width: widths[column]! }));
    const height = Math.max(...cells.map((each) => each.length));
    return Array.from({ length: height }, (_, index) =>
      cells.map((each, column) => (each[index] ?? '').padEnd(widths[column]!)).join(' '.repeat(GAP)).trimEnd());
  };
  return [...lines(table.headers), widths.map((each) => '-'.repeat(each)).join(' '.repeat(GAP)), ...table.rows.flatMap(lines)].join('\n') + '\n';
}

/**
 * Column widths within `width` where possible, never narrower than a column's longest word: one
 * column at a time loses a column, the one whose cells then take the fewest extra lines (of those,
 * the widest).
 */
function fitWidths(table: Table, width: number): number[] {
  const widths = columnWidths(table);
  const cells = table.headers.map((header, column) => [header, ...table.rows.map((row) => row[column] ?? '')]);
  const height = (column: number, at: number) => cells[column]!.reduce((sum, cell) => sum + wrapText(cell, { width: at }).length, 0);
  // Broken everywhere it may break, a cell's longest piece is the narrowest it can be.
  const words = cells.map((column) => Math.max(...column.flatMap((cell) => wrapText(cell, { width: 1 }).map((piece) => piece.length))));
  for (let over = lineWidth(widths) - width; over > 0; over--) {
    const costs = widths.map((each, column) => (each > words[column]! ? height(column, each - 1) - height(column, each) - each / 1000 : Infinity));
    const column = costs.indexOf(Math.min(...costs));
    if (costs[column] === Infinity) break;
    widths[column] = widths[column]! - 1;
  }
  return widths;
}
