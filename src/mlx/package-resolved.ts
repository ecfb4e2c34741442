/**
 * Reads SwiftPM's `Package.resolved` (format versions 1, 2 and 3: SwiftPM's own at a package root,
 * or Xcode's under `*.xcodeproj/project.xcworkspace/xcshareddata/swiftpm/`) and finds the pinned
 * mlx-swift. Pure: takes the text, returns pins or located diagnostics; never throws.
 *
 * JSON.parse decides whether the text is JSON; the `yaml` library (JSON is YAML 1.2) then gives every
 * node its line and column, so problems are reported where they are.
 */
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { Diagnostic } from '../diagnostics/diagnostic.js';

/** One pinned package. `version` is absent when it is pinned to a branch or a bare revision. */
export interface PackagePin {
  identity: string;
  location?: string;
  version?: string;
  branch?: string;
  revision?: string;
  /** Where the pin is written, 1-based. */
  line: number;
  column: number;
}

/** The pins of a Package.resolved file, and its format version. */
export interface ResolvedPackages {
  formatVersion: number;
  pins: PackagePin[];
}

/** The format versions memtier reads. */
export const SUPPORTED_FORMAT_VERSIONS = [1, 2, 3] as const;

/** Parses Package.resolved text; `file` is how messages name it. */
export function parsePackageResolved(text: string, file: string): { resolved?: ResolvedPackages; diagnostics: Diagnostic[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text.startsWith('\uFEFF') ? text.slice(1) : text, { lineCounter, prettyErrors: false });
  const at = (offset: number | undefined) => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return { line, column: col };
  };
  const problem = (message: string, node?: Node | null): { diagnostics: Diagnostic[] } => ({
    diagnostics: [{ severity: 'error', file, ...at(node?.range?.[0]), message }],
  });
  const broken = jsonProblem(text);
  if (broken) {
    const offset = broken.offset ?? doc.errors[0]?.pos[0] ?? 0;
    return { diagnostics: [{ severity: 'error', file, ...at(offset), message: `not valid JSON (${broken.message}); Xcode and \`swift package resolve\` write this file, so resolving packages again usually repairs it` }] };
  }
  const root = doc.contents;
  if (!isMap(root)) return problem('expected a JSON object with "pins" and "version", as Xcode and SwiftPM write it', root);
  const version = root.get('version');
  if (typeof version !== 'number') return problem('has no "version" number; expected a Package.resolved written by Xcode or SwiftPM', root);
  if (!(SUPPORTED_FORMAT_VERSIONS as readonly number[]).includes(version)) {
    return problem(`is format version ${version}; memtier reads versions ${SUPPORTED_FORMAT_VERSIONS.join(', ')}`, root.get('version', true) as Node);
  }
  const pinsNode = version === 1 ? (root.getIn(['object', 'pins'], true) as Node | undefined) : (root.get('pins', true) as Node | undefined);
  if (!isSeq(pinsNode)) return problem(`has no ${version === 1 ? '"object.pins"' : '"pins"'} list, which format version ${version} has`, root);
  const pins: PackagePin[] = [];
  for (const item of pinsNode.items) {
    if (!isMap(item)) continue;
    const text = (key: string, node = item) => {
      const value = node.get(key);
      return typeof value === 'string' ? value : undefined;
    };
    const state = item.get('state', true);
    const identity = version === 1 ? text('package') : text('identity');
    const location = version === 1 ? text('repositoryURL') : text('location');
    if (identity === undefined) continue;
    pins.push({
      identity,
      location,
      ...(isMap(state) ? { version: text('version', state), branch: text('branch', state), revision: text('revision', state) } : {}),
      ...at(item.range?.[0]),
    });
  }
  return { resolved: { formatVersion: version, pins }, diagnostics: [] };
}

/**
 * The pin of package `name` (e.g. "mlx-swift-lm"): identity `name` (formats 2 and 3; format 1 names
 * the package), or a repository whose last path component is `name`, so that forks are found too.
 */
export function findPin(resolved: ResolvedPackages, name: string): PackagePin | undefined {
  const lastComponent = new RegExp(`/${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\.git)?/?$`, 'i');
  return resolved.pins.find((pin) => pin.identity.toLowerCase() === name || lastComponent.test(pin.location ?? ''));
}

/** The mlx-swift pin (see `findPin`). */
export function findMlxSwiftPin(resolved: ResolvedPackages): PackagePin | undefined {
  return findPin(resolved, 'mlx-swift');
}

/** JSON.parse's complaint about `text`, with the offset it gives (Node 20 does; later versions may not). */
function jsonProblem(text: string): { message: string; offset?: number } | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message);
    const short = message.split(/ in JSON| is not valid JSON|, "/)[0]!.trim();
    return { message: short, ...(position ? { offset: Number(position[1]) } : {}) };
  }
}
