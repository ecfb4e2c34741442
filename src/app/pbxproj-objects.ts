/**
 * The objects of a parsed project.pbxproj, read defensively: the file is edited by hand, by merge
 * tools and by other generators, so every field may be missing or of another type, and a reference
 * may point at nothing. Also where each group and file reference is on disk.
 */
import { posix } from 'node:path';

/** One object of the `objects` dictionary (`isa` and its fields). */
export type PbxObject = Readonly<Record<string, unknown>>;

/** Loose access to the `objects` dictionary. */
export interface PbxObjects {
  /** The object with this id, if there is one. */
  get(id: unknown): PbxObject | undefined;
  /** Every object of one `isa`, with its id. */
  all(isa: string): [string, PbxObject][];
}

/** Wraps the parser's `objects` (anything that is not a dictionary of dictionaries reads as empty). */
export function pbxObjects(objects: unknown): PbxObjects {
  const table = isRecord(objects) ? objects : {};
  const get = (id: unknown) => {
    const found = typeof id === 'string' ? table[id] : undefined;
    return isRecord(found) ? found : undefined;
  };
  return {
    get,
    all: (isa) => Object.keys(table).flatMap((id) => (get(id)?.isa === isa ? [[id, get(id)!] as [string, PbxObject]] : [])),
  };
}

/** A field as text: strings as they are, numbers as the parser read them (`17.2` for `17.2`). */
export function text(object: PbxObject | undefined, key: string): string | undefined {
  const value = object?.[key];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** A field that lists ids or strings; anything else reads as empty. */
export function list(object: PbxObject | undefined, key: string): string[] {
  const value = object?.[key];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** A field that is a dictionary (build settings); anything else reads as empty. */
export function dictionary(object: PbxObject | undefined, key: string): PbxObject {
  const value = object?.[key];
  return isRecord(value) ? value : {};
}

/**
 * Where every group, synchronized folder and file reference under `mainGroup` is, as a
 * `/`-separated path from the project folder ('' for the folder itself). References relative to
 * the SDK, the build products or the developer folder are left out: no app source lives there.
 */
export function referencePaths(objects: PbxObjects, mainGroup: string): Map<string, string> {
  const paths = new Map<string, string>();
  const visit = (id: string, parentPath: string) => {
    const object = objects.get(id);
    if (!object || paths.has(id)) return;
    const own = text(object, 'path') ?? '';
    const tree = text(object, 'sourceTree') ?? '<group>';
    const base = tree === '<group>' ? parentPath : tree === 'SOURCE_ROOT' || tree === '<absolute>' ? '' : undefined;
    if (base === undefined) return;
    const path = tidy(tree === '<absolute>' ? own : posix.join(base, own));
    paths.set(id, path);
    for (const child of list(object, 'children')) visit(child, path);
  };
  visit(mainGroup, '');
  return paths;
}

function tidy(path: string): string {
  const normal = posix.normalize(path).replace(/\/+$/, '');
  return normal === '.' ? '' : normal;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
