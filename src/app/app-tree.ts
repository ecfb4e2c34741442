/**
 * The folders of an app repository that hold its own files: one walk from the folder `init` runs
 * in, collecting the Xcode projects, the Swift sources and the Package.resolved files, and skipping
 * what no app author wrote (dependencies, build products, version control, memtier's own output).
 */
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { packageResolvedFilesIn } from './package-resolved-files.js';

/** Folders never entered: installed dependencies, build products and caches. Dot-folders are skipped too. */
export const SKIPPED_FOLDERS: readonly string[] = ['node_modules', 'Pods', 'Carthage', 'DerivedData', 'build'];

/** Bundles whose insides are Xcode's or the compiler's, not sources (a .xcodeproj is recorded, not entered). */
const OPAQUE_BUNDLE = /\.(xcodeproj|xcworkspace|xcassets|xcframework|framework|bundle|app|lproj|playground|docc)$/;

/** A walk stops after this many folders, so that `init` run in a home folder still ends quickly. */
export const MAX_FOLDERS = 5_000;

/** What one walk found, as absolute paths in a stable order. */
export interface AppTree {
  /** Every `*.xcodeproj`. */
  readonly xcodeProjects: readonly string[];
  /** Every `*.swift` file. */
  readonly swiftFiles: readonly string[];
  /** Every Package.resolved, in SwiftPM's or Xcode's place (see `packageResolvedFilesIn`). */
  readonly packageResolvedFiles: readonly string[];
  /** True when the walk stopped at `MAX_FOLDERS` before the end. */
  readonly incomplete: boolean;
}

/** Walks `root` breadth-first (nearer files first), never following symbolic links; `skip` adds absolute folders to leave out. */
export async function walkAppTree(root: string, skip: readonly string[] = []): Promise<AppTree> {
  const xcodeProjects: string[] = [];
  const swiftFiles: string[] = [];
  const packageResolvedFiles: string[] = [];
  const queue = [root];
  let visited = 0;
  while (queue.length > 0 && visited < MAX_FOLDERS) {
    const folder = queue.shift()!;
    visited++;
    const entries: Dirent[] = await readdir(folder, { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    packageResolvedFiles.push(...(await packageResolvedFilesIn(folder, entries.map((entry) => entry.name))));
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isFile() && entry.name.endsWith('.swift')) swiftFiles.push(path);
      if (!entry.isDirectory()) continue;
      if (entry.name.endsWith('.xcodeproj')) xcodeProjects.push(path);
      if (entry.name.startsWith('.') || SKIPPED_FOLDERS.includes(entry.name) || OPAQUE_BUNDLE.test(entry.name) || skip.includes(path)) continue;
      queue.push(path);
    }
  }
  return { xcodeProjects, swiftFiles, packageResolvedFiles, incomplete: queue.length > 0 };
}
