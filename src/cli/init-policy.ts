/**
 * The tiers.yaml `init` writes: the starter policy memtier ships, with only the values the app
 * decides changed (its evaluator file, its Package.resolved, its Xcode project and module). The
 * `yaml` library's document keeps every comment, blank line and quoting of the starter as it is.
 */
import { isMap, parseDocument, type Document } from 'yaml';

/** What `init` found that the policy should say; each absent value leaves the starter's as it is. */
export interface PolicyChoices {
  /** `evaluator.source`: the Swift file that declares the evaluator, from the policy's folder. */
  readonly evaluatorSource?: string;
  /** `evaluator.packageResolved`, when `generate` would not find the right file by itself. */
  readonly packageResolved?: string;
  /** A Package.resolved pins an mlx-swift release: `evaluator.mlxApi` goes, so the policy follows the pin. */
  readonly followPinnedRelease: boolean;
  /** `app.xcodeProject`: the app's .xcodeproj, from the policy's folder. */
  readonly xcodeProject?: string;
  /** `output.tests.module`: the app target's Swift module. */
  readonly testsModule?: string;
}

/** The starter's `output.directory` (where `generate` will write), or "generated". */
export function starterOutputDirectory(starterText: string): string {
  const directory = parseDocument(starterText).getIn(['output', 'directory']);
  return typeof directory === 'string' && directory !== '' ? directory : 'generated';
}

/**
 * The starter text with `choices` applied; everything else byte for byte, but for the starter's
 * `acknowledged:` list, which is left out: a warning about this app is for its team to read, and
 * to acknowledge once read.
 */
export function starterPolicyFor(starterText: string, choices: PolicyChoices): string {
  const doc = parseDocument(starterText);
  doc.delete('acknowledged');
  if (choices.followPinnedRelease) doc.deleteIn(['evaluator', 'mlxApi']);
  if (choices.evaluatorSource !== undefined) setInMapping(doc, ['evaluator'], 'source', choices.evaluatorSource);
  if (choices.packageResolved !== undefined) setInMapping(doc, ['evaluator'], 'packageResolved', choices.packageResolved);
  if (choices.xcodeProject !== undefined) setInMapping(doc, ['app'], 'xcodeProject', choices.xcodeProject);
  if (choices.testsModule !== undefined) setInMapping(doc, ['output', 'tests'], 'module', choices.testsModule);
  // lineWidth 0: the starter's long lines stay as they are, never folded.
  return doc.toString({ lineWidth: 0 });
}

/** Sets `key` in the mapping at `path`, making the mapping when the starter has none there (or `null`). */
function setInMapping(doc: Document, path: readonly string[], key: string, value: string): void {
  if (!isMap(doc.getIn(path, true))) doc.setIn(path, doc.createNode({}));
  doc.setIn([...path, key], value);
}
