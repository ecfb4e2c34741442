/**
 * `memtier schema [--out FILE] [--force]`: writes the JSON Schema that gives editors completion
 * and checking for tiers.yaml.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { writeFileAtomically } from '../../output/write-output.js';
import { renderJsonSchema, SCHEMA_MARKER } from '../../policy/json-schema.js';
import { ExitCode, UsageError, type CliIO } from '../io.js';
import { displayPathOf } from '../load-policy-file.js';

/** The schema file name the shipped tiers.yaml refers to. */
export const SCHEMA_FILE = 'tiers.schema.json';

/** A file's text; "" for a folder; undefined when there is nothing there. */
export async function existingText(path: string): Promise<string | undefined> {
  try {
    if ((await stat(path)).isDirectory()) return '';
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** `memtier schema [--out FILE] [--force]`: writes the JSON Schema (only over its own earlier output unless --force). */
export async function schemaCommand(io: CliIO, options: { out?: string; force?: boolean }): Promise<number> {
  const path = resolve(io.cwd, options.out ?? SCHEMA_FILE);
  const shown = displayPathOf(io.cwd, path);
  const text = await renderJsonSchema();
  const existing = await existingText(path);
  if (existing === text) {
    io.stdout(`${shown} is up to date\n`);
    return ExitCode.ok;
  }
  if (existing !== undefined && !existing.includes(SCHEMA_MARKER) && !options.force) {
    throw new UsageError(`${shown} exists and was not written by memtier; move it away, or pass --force to overwrite`);
  }
  await writeFileAtomically(path, text);
  io.stdout(`wrote ${shown}\n`);
  return ExitCode.ok;
}
