/**
 * zod issues -> located diagnostics, worded for the person editing tiers.yaml.
 */
import type { z } from 'zod';
import { formatKeyPath, type Diagnostic, type Locator } from '../diagnostics/diagnostic.js';
import { suggest } from '../diagnostics/suggest.js';
import { knownKeysAt } from './schema-keys.js';

/** What turning zod issues into diagnostics needs to know. */
export interface IssueContext {
  file: string;
  data: unknown;
  locate: Locator;
  schema: z.ZodType;
}

/**
 * One diagnostic per issue, and one per unknown key (with a "did you mean" when one is close). A
 * misspelt key is one problem: when an unknown key is taken for a key the schema misses in the same
 * mapping ("cachelimit" for "cacheLimit"), only the unknown key is reported.
 */
export function diagnosticsFromIssues(issues: readonly z.core.$ZodIssue[], context: IssueContext): Diagnostic[] {
  const meant = new Set(issues.flatMap((issue) => issue.code !== 'unrecognized_keys' ? [] : issue.keys.flatMap((key) => {
    const suggestion = suggest(key, knownKeysAt(context.schema, issue.path as PropertyKey[]));
    return suggestion ? [formatKeyPath([...(issue.path as PropertyKey[]), suggestion])] : [];
  })));
  return issues.flatMap((issue) => {
    const path = issue.path as PropertyKey[];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => unknownKey(context, path, key));
    }
    const value = valueAt(context.data, path);
    const missing = value === undefined && path.length > 0;
    if (missing && meant.has(formatKeyPath(path))) return [];
    const where = missing ? context.locate(path.slice(0, -1)) : context.locate(path);
    const message = missing
      ? `is missing; ${issue.message}`
      : issue.code === 'custom' // our own refinements already say what they found
        ? issue.message
        : `${issue.message}, got ${describeValue(value)}`;
    return [{ severity: 'error', file: context.file, ...where, path: formatKeyPath(path) || undefined, message } satisfies Diagnostic];
  });
}

function unknownKey(context: IssueContext, objectPath: PropertyKey[], key: string): Diagnostic {
  const path = [...objectPath, key];
  const known = knownKeysAt(context.schema, objectPath);
  const suggestion = suggest(key, known);
  const expected = known.length > 0 ? `; expected one of ${known.join(', ')}` : '';
  return {
    severity: 'error',
    file: context.file,
    ...context.locate(path, { key: true }),
    path: formatKeyPath(path),
    message: suggestion ? `unknown key; did you mean "${suggestion}"?` : `unknown key${expected}`,
  };
}

/** A short, unambiguous rendering of a YAML value for messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let node = data;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}
