/**
 * Files memtier ships beside its code (package.json, the templates, the starter tiers.yaml), found
 * from the package root. This module sits two folders below the root, in dist/package/ as in the
 * bundled CLI (dist/bundle/), so one relative path serves both.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The absolute path of a file or folder in memtier's package ("templates/", "tiers.yaml"). */
export function packageFile(relative: string): string {
  return fileURLToPath(new URL(`../../${relative}`, import.meta.url));
}

/** memtier's version, from its package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;
}
