/**
 * Xcode projects kept as facts (targets, product types, product names, deployment targets, which
 * files each target compiles and how) rather than as copies, and a writer that turns the facts
 * into a project.pbxproj in Xcode's old-style property-list format. The object ids and the layout
 * of the text are our own; a test writes the file into its temporary app folder.
 */

/** One native target. Paths are from the project folder. */
export interface TargetFacts {
  readonly name: string;
  readonly productType: 'application' | 'bundle.unit-test' | 'tool';
  /** PRODUCT_NAME as the project writes it; `$(TARGET_NAME)` when absent, as Xcode's templates do. */
  readonly productName?: string;
  readonly moduleName?: string;
  /** IPHONEOS_DEPLOYMENT_TARGET of Debug and Release, as written (a trailing `.0` is kept). */
  readonly iOS?: string | { readonly debug: string; readonly release: string };
  /** Files in the target's Compile Sources phase, each in a group of its folder. */
  readonly sources?: readonly string[];
  /** Xcode 16 synchronized folders the target compiles. */
  readonly synchronizedFolders?: readonly string[];
  /** Files of a synchronized folder this target does not list, added by a membership exception. */
  readonly addedFromFolder?: { readonly folder: string; readonly files: readonly string[] };
  /** Targets it depends on, by name. */
  readonly dependsOn?: readonly string[];
  readonly testHost?: string;
}

/** A whole project, and where its facts come from. */
export interface ProjectFacts {
  readonly origin: string;
  readonly objectVersion: number;
  readonly targets: readonly TargetFacts[];
}

/**
 * The shape of mlx-swift-examples at 44b14cf3194961f7443cb4d836a55f43020ee3b8,
 * mlx-swift-examples.xcodeproj/project.pbxproj (objectVersion 70): among its 14 targets, the VLMEval
 * app (ContentView.swift and VLMEvalApp.swift listed in groups, iOS 17.2), LLMEval (one listed file
 * and four synchronized folders), MLXChatExample (one synchronized folder, iOS "18.0"), the
 * MLXLMTests unit tests (files of the synchronized Tests folder added by exception, iOS 17.6) and
 * the llm-tool command-line tool (macOS only). Every PRODUCT_NAME is `$(TARGET_NAME)`.
 */
export const EXAMPLES_44B14CF_PROJECT: ProjectFacts = {
  origin: 'ml-explore/mlx-swift-examples 44b14cf, mlx-swift-examples.xcodeproj/project.pbxproj',
  objectVersion: 70,
  targets: [
    { name: 'llm-tool', productType: 'tool', sources: ['Tools/llm-tool/Arguments.swift', 'Tools/llm-tool/LLMTool.swift'] },
    {
      name: 'LLMEval', productType: 'application', iOS: '17.2', sources: ['Applications/LLMEval/LLMEvalApp.swift'],
      synchronizedFolders: ['Applications/LLMEval/Models', 'Applications/LLMEval/ViewModels', 'Applications/LLMEval/Views', 'Applications/LLMEval/Services'],
    },
    { name: 'VLMEval', productType: 'application', iOS: '17.2', sources: ['Applications/VLMEval/ContentView.swift', 'Applications/VLMEval/VLMEvalApp.swift'] },
    { name: 'MLXChatExample', productType: 'application', iOS: '18.0', synchronizedFolders: ['Applications/MLXChatExample'] },
    { name: 'MLXLMTests', productType: 'bundle.unit-test', iOS: '17.6', addedFromFolder: { folder: 'Tests', files: ['MLXLMTests/EvalTests.swift', 'MLXLMTests/UserInputTests.swift'] } },
  ],
};

/** The project.pbxproj text for `facts`. */
export function pbxprojText(facts: ProjectFacts): string {
  const ids = new IdMaker();
  const objects: string[] = [];
  const add = (id: string, fields: Record<string, Value>) => objects.push(`\t\t${id} = ${dictionary(fields, '\t\t')};`);
  const tree = new GroupTree(ids);
  const targetIds = new Map(facts.targets.map((target) => [target.name, ids.next()]));
  for (const target of facts.targets) {
    const targetId = targetIds.get(target.name)!;
    const sourcesPhase = ids.next();
    const files = (target.sources ?? []).map((path) => {
      const buildFile = ids.next();
      add(buildFile, { isa: 'PBXBuildFile', fileRef: tree.file(path) });
      return buildFile;
    });
    add(sourcesPhase, { isa: 'PBXSourcesBuildPhase', buildActionMask: '2147483647', files, runOnlyForDeploymentPostprocessing: '0' });
    if (target.addedFromFolder) tree.exception(target.addedFromFolder.folder, targetId, target.addedFromFolder.files);
    const dependencies = (target.dependsOn ?? []).map((name) => {
      const dependency = ids.next();
      add(dependency, { isa: 'PBXTargetDependency', target: targetIds.get(name)! });
      return dependency;
    });
    add(targetId, {
      isa: 'PBXNativeTarget',
      buildConfigurationList: configurationList(ids, add, targetSettings(target)),
      buildPhases: [sourcesPhase],
      dependencies,
      ...(target.synchronizedFolders ? { fileSystemSynchronizedGroups: target.synchronizedFolders.map((folder) => tree.synchronized(folder)) } : {}),
      name: target.name,
      productName: target.name,
      productType: `com.apple.product-type.${target.productType}`,
    });
  }
  const projectId = ids.next();
  add(projectId, {
    isa: 'PBXProject',
    buildConfigurationList: configurationList(ids, add, { debug: {}, release: {} }),
    compatibilityVersion: 'Xcode 14.0',
    mainGroup: tree.root,
    projectDirPath: '',
    projectRoot: '',
    targets: facts.targets.map((target) => targetIds.get(target.name)!),
  });
  objects.push(...tree.objects());
  return `// !$*UTF8*$!\n{\n\tarchiveVersion = 1;\n\tclasses = {\n\t};\n\tobjectVersion = ${facts.objectVersion};\n\tobjects = {\n${objects.join('\n')}\n\t};\n\trootObject = ${projectId};\n}\n`;
}

type Value = string | readonly string[] | { readonly [key: string]: Value };
type Settings = Record<string, string>;

function targetSettings(target: TargetFacts): { debug: Settings; release: Settings } {
  const common: Settings = {
    PRODUCT_NAME: target.productName ?? '$(TARGET_NAME)',
    ...(target.moduleName ? { PRODUCT_MODULE_NAME: target.moduleName } : {}),
    ...(target.testHost ? { TEST_HOST: target.testHost } : {}),
    SDKROOT: target.iOS === undefined ? 'macosx' : 'iphoneos',
  };
  const iOS = typeof target.iOS === 'string' ? { debug: target.iOS, release: target.iOS } : target.iOS;
  const withIos = (version: string | undefined): Settings => (version === undefined ? common : { ...common, IPHONEOS_DEPLOYMENT_TARGET: version });
  return { debug: withIos(iOS?.debug), release: withIos(iOS?.release) };
}

function configurationList(ids: IdMaker, add: (id: string, fields: Record<string, Value>) => void, settings: { debug: Settings; release: Settings }): string {
  const [debug, release, list] = [ids.next(), ids.next(), ids.next()];
  add(debug, { isa: 'XCBuildConfiguration', buildSettings: settings.debug, name: 'Debug' });
  add(release, { isa: 'XCBuildConfiguration', buildSettings: settings.release, name: 'Release' });
  add(list, { isa: 'XCConfigurationList', buildConfigurations: [debug, release], defaultConfigurationIsVisible: '0', defaultConfigurationName: 'Release' });
  return list;
}

/** Ids of 24 hexadecimal digits, as Xcode's, counted from a prefix of our own. */
class IdMaker {
  private count = 0;
  next(): string {
    return `ACE0${(++this.count).toString(16).toUpperCase().padStart(20, '0')}`;
  }
}

/** The groups of the project navigator: one per folder, each file in the group of its folder. */
class GroupTree {
  readonly root: string;
  private readonly groups = new Map<string, { id: string; children: string[] }>();
  private readonly leaves: string[] = [];
  private readonly exceptions = new Map<string, string[]>();
  private readonly synchronizedIds = new Map<string, string>();

  constructor(private readonly ids: IdMaker) {
    this.root = ids.next();
    this.groups.set('', { id: this.root, children: [] });
  }

  file(path: string): string {
    const id = this.ids.next();
    this.leaves.push(`\t\t${id} = {isa = PBXFileReference; lastKnownFileType = sourcecode.swift; path = ${quote(basename(path))}; sourceTree = "<group>"; };`);
    this.group(parent(path)).children.push(id);
    return id;
  }

  synchronized(folder: string): string {
    const existing = this.synchronizedIds.get(folder);
    if (existing) return existing;
    const id = this.ids.next();
    this.synchronizedIds.set(folder, id);
    this.group(parent(folder)).children.push(id);
    return id;
  }

  exception(folder: string, target: string, files: readonly string[]): void {
    const id = this.ids.next();
    this.leaves.push(`\t\t${id} = ${dictionary({ isa: 'PBXFileSystemSynchronizedBuildFileExceptionSet', membershipExceptions: files, target }, '\t\t')};`);
    this.exceptions.set(folder, [...(this.exceptions.get(folder) ?? []), id]);
    this.synchronized(folder);
  }

  objects(): string[] {
    const groups = [...this.groups].map(([path, { id, children }]) =>
      `\t\t${id} = ${dictionary({ isa: 'PBXGroup', children, ...(path === '' ? {} : { path: basename(path) }), sourceTree: '<group>' }, '\t\t')};`);
    const synchronized = [...this.synchronizedIds].map(([folder, id]) =>
      `\t\t${id} = {isa = PBXFileSystemSynchronizedRootGroup; ${this.exceptions.has(folder) ? `exceptions = (${this.exceptions.get(folder)!.join(', ')}, ); ` : ''}explicitFileTypes = {}; explicitFolders = (); path = ${quote(basename(folder))}; sourceTree = "<group>"; };`);
    return [...groups, ...synchronized, ...this.leaves];
  }

  private group(path: string): { id: string; children: string[] } {
    const found = this.groups.get(path);
    if (found) return found;
    const made = { id: this.ids.next(), children: [] as string[] };
    this.groups.set(path, made);
    this.group(parent(path)).children.push(made.id);
    return made;
  }
}

const parent = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');
const basename = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** A string as the format writes it: bare when it is only letters, digits and `_$/.`, else quoted. */
function quote(text: string): string {
  return /^[A-Za-z0-9_$/.]+$/.test(text) ? text : JSON.stringify(text);
}

function dictionary(fields: Record<string, Value>, indent: string): string {
  const inner = `${indent}\t`;
  const lines = Object.entries(fields).map(([key, value]) => {
    if (typeof value === 'string') return `${inner}${quote(key)} = ${quote(value)};`;
    if (Array.isArray(value)) return `${inner}${key} = (\n${value.map((item) => `${inner}\t${quote(item)},\n`).join('')}${inner});`;
    return `${inner}${key} = ${dictionary(value as Record<string, Value>, inner)};`;
  });
  return `{\n${lines.join('\n')}\n${indent}}`;
}
