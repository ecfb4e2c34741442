/**
 * Reading an app's Xcode project (`X.xcodeproj/project.pbxproj`, Apple's old-style property list)
 * into its targets. The format is parsed by @bacons/xcode's parser (its `json` entry point, which
 * needs nothing else from that package); what the objects mean for memtier is read here.
 */
import { stat, readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { parse } from '@bacons/xcode/json';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { pbxObjects, referencePaths, text } from './pbxproj-objects.js';
import { readTargets, type XcodeTarget } from './xcode-targets.js';

/** A project.pbxproj of tens of thousands of lines is a few megabytes; a larger file is not read. */
const MAX_PBXPROJ_BYTES = 32 * 1024 * 1024;

/** An Xcode project and its native targets. */
export interface XcodeProject {
  /** The `.xcodeproj` folder, absolute. */
  readonly path: string;
  /** The folder its groups are relative to: the `.xcodeproj`'s folder, or PBXProject's projectDirPath under it. */
  readonly projectFolder: string;
  readonly targets: readonly XcodeTarget[];
}

/**
 * Reads `xcodeproj/project.pbxproj`. A file that is missing, too large or not an Xcode project gives
 * a warning (with the line and column where the parser stopped) instead of a project.
 */
export async function readXcodeProject(xcodeproj: string, shownAs: (path: string) => string): Promise<XcodeProject | { problem: Diagnostic }> {
  const file = join(xcodeproj, 'project.pbxproj');
  const problem = (message: string, at: { line?: number; column?: number } = {}) => ({ problem: { severity: 'warning' as const, file: shownAs(file), ...at, message } });
  const size = (await stat(file).catch(() => undefined))?.size;
  if (size === undefined) return problem('does not exist, so this Xcode project cannot be read');
  if (size > MAX_PBXPROJ_BYTES) return problem(`is ${size} bytes, too large to read`);
  let parsed: unknown;
  try {
    parsed = parse(await readFile(file, 'utf8'));
  } catch (error) {
    const message = (error as Error).message;
    const place = /at line (\d+), column (\d+)/.exec(message);
    const at = place ? { line: Number(place[1]), column: Number(place[2]) } : {};
    return problem(`is not a project file Xcode can open (${message.replace(/ at line \d+, column \d+/, '')}); resolve a merge conflict or restore it from git`, at);
  }
  const root = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const objects = pbxObjects(root.objects);
  const project = objects.get(root.rootObject);
  const mainGroup = text(project, 'mainGroup');
  if (project?.isa !== 'PBXProject' || mainGroup === undefined) {
    return problem('has no PBXProject with a main group, which every Xcode project has');
  }
  const projectFolder = join(dirname(xcodeproj), text(project, 'projectDirPath') ?? '');
  return { path: xcodeproj, projectFolder, targets: readTargets(objects, project, referencePaths(objects, mainGroup)) };
}

/** `path` (absolute) as the project's file references write it: `/`-separated, from the project folder. */
export function pathInProject(project: XcodeProject, path: string): string {
  return relative(project.projectFolder, path).split(sep).join('/');
}
