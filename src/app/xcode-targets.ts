/**
 * The native targets of a parsed project.pbxproj as memtier needs them: what each builds, its
 * Swift module, its iOS deployment target per configuration, and which source files it compiles
 * (listed file by file, or through Xcode 16's synchronized folders).
 */
import { posix } from 'node:path';
import { dictionary, list, text, type PbxObject, type PbxObjects } from './pbxproj-objects.js';

/** Product types, as the project file spells them. */
export const PRODUCT_TYPE = {
  application: 'com.apple.product-type.application',
  unitTest: 'com.apple.product-type.bundle.unit-test',
} as const;

/** One configuration's iOS deployment target (IPHONEOS_DEPLOYMENT_TARGET); absent for a target that does not build for iOS. */
export interface DeploymentTarget {
  readonly configuration: string;
  readonly iOS?: string;
}

/** A synchronized folder a target compiles, less the files excluded from it for that target. */
export interface SynchronizedFolder {
  readonly folder: string;
  readonly except: readonly string[];
}

/** One native target. Paths are `/`-separated, from the project folder. */
export interface XcodeTarget {
  readonly name: string;
  /** e.g. `com.apple.product-type.application` (see PRODUCT_TYPE). */
  readonly productType: string;
  /** The Swift module (PRODUCT_MODULE_NAME, else PRODUCT_NAME made an identifier); absent when an .xcconfig decides it. */
  readonly moduleName?: string;
  /** PRODUCT_NAME, resolved: `VLMEval` builds `VLMEval.app`. */
  readonly productName?: string;
  /** TEST_HOST, resolved as far as memtier can (a test target's host app). */
  readonly testHost?: string;
  readonly deploymentTargets: readonly DeploymentTarget[];
  /** The targets it depends on, by name. */
  readonly dependencies: readonly string[];
  /** Files in its Compile Sources phase. */
  readonly sourceFiles: readonly string[];
  /** Xcode 16 synchronized folders whose files it compiles. */
  readonly synchronizedFolders: readonly SynchronizedFolder[];
  /** Files of other synchronized folders that it compiles all the same (a membership exception). */
  readonly addedFiles: readonly string[];
}

/** The native targets, in the project's own order; `paths` from `referencePaths`. */
export function readTargets(objects: PbxObjects, project: PbxObject, paths: ReadonlyMap<string, string>): XcodeTarget[] {
  const projectSettings = configurationSettings(objects, text(project, 'buildConfigurationList'));
  const targets = list(project, 'targets').flatMap((id) => {
    const target = objects.get(id);
    return target?.isa === 'PBXNativeTarget' ? [{ id, target }] : [];
  });
  return targets.map(({ id, target }) => {
    const name = text(target, 'name') ?? text(target, 'productName') ?? id;
    const configurations = configurationSettings(objects, text(target, 'buildConfigurationList'));
    const setting = (key: string) => chosenSetting(configurations, projectSettings, key, name);
    const productName = setting('PRODUCT_NAME') ?? name;
    return {
      name,
      productType: text(target, 'productType') ?? '',
      moduleName: moduleName(setting('PRODUCT_MODULE_NAME'), productName),
      productName: unresolved(productName) ? undefined : productName,
      testHost: setting('TEST_HOST'),
      deploymentTargets: configurations.list.map(({ name: configuration, settings }) => {
        const iOS = text(settings, 'IPHONEOS_DEPLOYMENT_TARGET') ?? text(projectSettings.byName.get(configuration), 'IPHONEOS_DEPLOYMENT_TARGET');
        return iOS === undefined ? { configuration } : { configuration, iOS };
      }),
      dependencies: list(target, 'dependencies').flatMap((dependency) => {
        const named = text(objects.get(text(objects.get(dependency), 'target')), 'name');
        return named === undefined ? [] : [named];
      }),
      sourceFiles: list(target, 'buildPhases')
        .map((phase) => objects.get(phase))
        .filter((phase) => phase?.isa === 'PBXSourcesBuildPhase')
        .flatMap((phase) => list(phase, 'files').flatMap((file) => pathList(paths, text(objects.get(file), 'fileRef')))),
      ...synchronizedMembership(objects, id, list(target, 'fileSystemSynchronizedGroups'), paths),
    };
  });
}

/** Whether `target` compiles the file at `path` (from the project folder). */
export function compiles(target: XcodeTarget, path: string): boolean {
  if (target.sourceFiles.includes(path) || target.addedFiles.includes(path)) return true;
  return target.synchronizedFolders.some(({ folder, except }) => {
    const inside = folder === '' ? path : path.startsWith(`${folder}/`) ? path.slice(folder.length + 1) : undefined;
    return inside !== undefined && !except.includes(inside);
  });
}

interface Configurations {
  list: { name: string; settings: PbxObject }[];
  byName: Map<string, PbxObject>;
  defaultName?: string;
}

function configurationSettings(objects: PbxObjects, listId: string | undefined): Configurations {
  const configurationList = objects.get(listId);
  const found = list(configurationList, 'buildConfigurations').flatMap((id) => {
    const configuration = objects.get(id);
    return configuration ? [{ name: text(configuration, 'name') ?? id, settings: dictionary(configuration, 'buildSettings') }] : [];
  });
  return { list: found, byName: new Map(found.map(({ name, settings }) => [name, settings])), defaultName: text(configurationList, 'defaultConfigurationName') };
}

/** A setting in the default configuration (usually Release), the target's over the project's, with $(TARGET_NAME) filled in. */
function chosenSetting(target: Configurations, project: Configurations, key: string, targetName: string): string | undefined {
  const name = target.defaultName ?? target.list[target.list.length - 1]?.name;
  const raw = text(target.byName.get(name ?? ''), key) ?? text(project.byName.get(name ?? ''), key);
  return raw?.replace(/\$[({]TARGET_NAME(:c99extidentifier)?[)}]/g, (_, identifier: string | undefined) => (identifier ? c99Identifier(targetName) : targetName));
}

/** Xcode's default module name is `$(PRODUCT_NAME:c99extidentifier)`. */
function moduleName(explicit: string | undefined, productName: string): string | undefined {
  const name = (explicit ?? '$(PRODUCT_NAME:c99extidentifier)').replace(/\$[({]PRODUCT_NAME(:c99extidentifier)?[)}]/g, () => c99Identifier(productName));
  return unresolved(name) || name === '' ? undefined : name;
}

/** What `:c99extidentifier` does: every character that cannot be in an identifier becomes `_`, and a leading digit gets one. */
function c99Identifier(name: string): string {
  const replaced = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(replaced) ? `_${replaced}` : replaced;
}

const unresolved = (value: string) => /\$[({]/.test(value);

function pathList(paths: ReadonlyMap<string, string>, id: string | undefined): string[] {
  const path = id === undefined ? undefined : paths.get(id);
  return path === undefined ? [] : [path];
}

/**
 * A synchronized folder's files belong to the targets that list it, except those an exception set
 * for one target names: for a target that lists the folder they are left out, for any other target
 * they are added (Xcode flips the file's membership for that target).
 */
function synchronizedMembership(objects: PbxObjects, targetId: string, groups: readonly string[], paths: ReadonlyMap<string, string>) {
  const synchronizedFolders: SynchronizedFolder[] = [];
  const addedFiles: string[] = [];
  for (const [groupId, group] of objects.all('PBXFileSystemSynchronizedRootGroup')) {
    const folder = paths.get(groupId);
    if (folder === undefined) continue;
    const flipped = list(group, 'exceptions')
      .map((id) => objects.get(id))
      .filter((exception) => exception?.isa === 'PBXFileSystemSynchronizedBuildFileExceptionSet' && text(exception, 'target') === targetId)
      .flatMap((exception) => list(exception, 'membershipExceptions'));
    if (groups.includes(groupId)) synchronizedFolders.push({ folder, except: flipped });
    else addedFiles.push(...flipped.map((file) => posix.join(folder, file)));
  }
  return { synchronizedFolders, addedFiles };
}
