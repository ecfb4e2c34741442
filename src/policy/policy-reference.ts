/**
 * The policy reference (docs/policy.md): every key of tiers.yaml with its type, unit, default and
 * meaning, derived from the same JSON Schema the editors read, so that the page cannot drift from
 * what memtier accepts. `npm run docs:policy-reference` writes it between the page's markers.
 */
import * as z from 'zod';
import { policySchema } from './schema.js';

/** The part of a JSON Schema node this page reads. */
interface SchemaNode {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly SchemaNode[];
  readonly items?: SchemaNode;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly required?: readonly string[];
  readonly default?: unknown;
  readonly description?: string;
  readonly 'x-unit'?: string;
}

/** One row of the reference: a key path and what may stand there. */
export interface ReferenceRow {
  readonly path: string;
  readonly type: string;
  readonly unit: string;
  readonly presence: string;
  readonly description: string;
}

/** The markers between which docs/policy.md holds the generated reference. */
export const REFERENCE_BEGIN = '<!-- policy reference: generated from the zod schema by `npm run docs:policy-reference`; do not edit -->';
export const REFERENCE_END = '<!-- end of the policy reference -->';

/** The alternatives of a node: `anyOf` members, or the node itself. */
const alternatives = (node: SchemaNode): readonly SchemaNode[] => node.anyOf ?? [node];

function typesOf(node: SchemaNode): string[] {
  return alternatives(node).flatMap((alternative) => {
    if (alternative.enum) return [alternative.enum.map((value) => JSON.stringify(value)).join(' or ')];
    const types = typeof alternative.type === 'string' ? [alternative.type] : [...(alternative.type ?? [])];
    // A size is the one key that takes a number (bytes) or a string with a unit.
    if (types.includes('number') && types.includes('string')) return ['size', ...types.filter((type) => type === 'null')];
    return types.map((type) => ({ integer: 'whole number', boolean: 'true or false', object: 'mapping', array: 'list', string: 'text' })[type] ?? type);
  });
}

function presenceOf(node: SchemaNode, required: boolean): string {
  if (required) return 'required';
  if (node.default === undefined || (typeof node.default === 'object' && node.default !== null)) return 'optional';
  return `default ${JSON.stringify(node.default)}`;
}

/** Every key below `node`, depth first in the schema's order. */
function rowsOf(node: SchemaNode, prefix: string): ReferenceRow[] {
  const objects = alternatives(node).filter((alternative) => alternative.properties);
  return objects.flatMap((object) =>
    Object.entries(object.properties ?? {}).flatMap(([key, child]) => {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      const listed = alternatives(child).find((alternative) => alternative.items);
      const row: ReferenceRow = {
        path: listed ? `${path}[]` : path,
        type: typesOf(child).join(' or '),
        unit: alternatives(child).map((alternative) => alternative['x-unit']).find(Boolean) ?? child['x-unit'] ?? '',
        presence: presenceOf(child, object.required?.includes(key) ?? false),
        description: child.description ?? '',
      };
      return [row, ...(listed?.items ? rowsOf(listed.items, `${path}[]`) : rowsOf(child, path))];
    }),
  );
}

/** The reference rows of the whole policy, in the schema's order. */
export function policyReferenceRows(): ReferenceRow[] {
  const schema = z.toJSONSchema(policySchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as SchemaNode;
  return rowsOf(schema, '');
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The reference as Markdown: one table per top-level key, each key path in code. */
export function renderPolicyReference(): string {
  const rows = policyReferenceRows();
  const sections = rows.filter((row) => !row.path.replace(/\[\]$/, '').includes('.') && !row.path.includes('[].'));
  const tables = sections.map((section) => {
    const top = section.path.replace(/\[\]$/, '');
    const below = rows.filter((row) => row.path === section.path || row.path.startsWith(`${top}.`) || row.path.startsWith(`${top}[].`));
    const lines = below.map((row) => `| \`${row.path}\` | ${cell(row.type)} | ${cell(row.unit)} | ${cell(row.presence)} | ${cell(row.description)} |`);
    return [`### \`${top}\``, '', '| key | type | unit | presence | meaning |', '|---|---|---|---|---|', ...lines].join('\n');
  });
  return `${tables.join('\n\n')}\n`;
}

/** `page` with the text between its reference markers replaced by the current reference. */
export function withPolicyReference(page: string): string {
  const begin = page.indexOf(REFERENCE_BEGIN);
  const end = page.indexOf(REFERENCE_END);
  if (begin < 0 || end < begin) throw new Error('docs/policy.md has no policy reference markers');
  return `${page.slice(0, begin + REFERENCE_BEGIN.length)}\n\n${renderPolicyReference()}\n${page.slice(end)}`;
}
