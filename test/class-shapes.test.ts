/**
 * `evaluator.className`, and the class shapes `memtier patch` refuses with one located error that
 * points to the class-free integration: cases of our own with the shapes of real mlx-swift-lm
 * 2.30 / 3.x files (test/fixtures/shapes/, each header naming its origin), inline classes for each
 * refused construct, the Swift the pinned grammar predates, and `memtier check` finding every MLX
 * limit in a file whatever its types and whether or not the grammar reads it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { findRegressions } from '../src/patch/evaluator-regressions.js';
import { blankGrammarGaps } from '../src/patch/grammar-gaps.js';
import { patchEvaluator } from '../src/patch/rewrite-evaluator.js';
import { firstSyntaxError, parseSwift } from '../src/patch/swift-parser.js';
import { findTopLevelClasses } from '../src/patch/swift-source.js';
import { makeProject } from './helpers/cli.js';
import { DEFAULT_POLICY_TEXT, diagnosticsOf, editedPolicy, validPolicy } from './helpers/policy.js';
import { generate } from '../src/generate.js';
import { templates } from './helpers/policy.js';

const shape = (path: string) => readFileSync(fileURLToPath(new URL(`./fixtures/shapes/${path}`, import.meta.url)), 'utf8');
const VLMEVAL = shape('vlmeval-44b14cf/ContentView.swift');
/** VLMEval's case with its class renamed: the shape memtier migrates, under another name. */
const RENAMED = VLMEVAL.replace(/\bVLMEvaluator\b/g, 'PhotoEvaluator');
const POINTER = 'use the generated `MemoryPolicy` instead, which needs no particular class (docs/generated-swift.md, "Without a VLMEval-shaped class")';

async function refusal(source: string, className?: string): Promise<string[]> {
  const result = await patchEvaluator(source, 'Model.swift', className === undefined ? {} : { className });
  if (result.ok) throw new Error('expected the patch to refuse');
  return result.problems.map((problem) => `${problem.line}:${problem.column}: ${problem.message}`);
}

describe('evaluator.className', () => {
  it('is a Swift type name, and defaults to VLMEvaluator', () => {
    expect(validPolicy().evaluator?.className).toBeUndefined();
    expect(validPolicy(editedPolicy([[['evaluator', 'className'], 'PhotoEvaluator']])).evaluator?.className).toBe('PhotoEvaluator');
    expect(diagnosticsOf(editedPolicy([[['evaluator', 'className'], 'Photo Evaluator']]))).toContainEqual(expect.stringMatching(/evaluator\.className: expected a Swift type name: letters, digits and _, not starting with a digit/));
    // A keyword or a type memtier generates would give Swift that does not compile.
    expect(diagnosticsOf(editedPolicy([[['evaluator', 'className'], 'class']]))).toContainEqual(expect.stringMatching(/evaluator\.className: "class" is a Swift keyword, not a class name/));
    expect(diagnosticsOf(editedPolicy([[['evaluator', 'className'], 'Self']]))).toContainEqual(expect.stringMatching(/evaluator\.className: "Self" is a Swift keyword/));
    expect(diagnosticsOf(editedPolicy([[['evaluator', 'className'], 'MemoryPolicy']]))).toContainEqual(expect.stringMatching(/evaluator\.className: "MemoryPolicy" is a type memtier generates; name the app's own class/));
  });

  it('names the generated extension, its file, the contract conformance and the stress test\'s subject', () => {
    const files = generate(validPolicy(editedPolicy([[['evaluator', 'className'], 'PhotoEvaluator'], [['output', 'tests'], { module: 'Photos' }]])), templates);
    const extension = files.find((file) => file.path === 'PhotoEvaluator+MemoryPolicy.swift');
    expect(files.map((file) => file.path)).not.toContain('VLMEvaluator+MemoryPolicy.swift');
    expect(extension?.contents).toContain('extension PhotoEvaluator: MemoryPolicyEvaluator {}');
    expect(extension?.contents).toContain('extension PhotoEvaluator {');
    const stress = files.find((file) => file.path === 'Tests/MemoryStressTest.swift')!.contents;
    expect(stress).toContain('extension PhotoEvaluator: MemoryStressSubject {');
    expect(stress).toContain('MemoryStressRunner(subject: PhotoEvaluator())');
    for (const file of [extension!, { contents: stress }]) expect(file.contents).not.toMatch(/\bVLMEvaluator\b/);
  });

  it('patch migrates the named class as it migrates VLMEvaluator, byte for byte the same but the name', async () => {
    const original = await patchEvaluator(VLMEVAL, 'ContentView.swift');
    const renamed = await patchEvaluator(RENAMED, 'ContentView.swift', { className: 'PhotoEvaluator' });
    if (!original.ok || !renamed.ok) throw new Error('expected both to be patched');
    expect(renamed.output).toBe(original.output.replace(/\bVLMEvaluator\b/g, 'PhotoEvaluator'));
    expect(await patchEvaluator(renamed.output, 'ContentView.swift', { className: 'PhotoEvaluator' })).toEqual({ ok: true, output: renamed.output });
    expect(await findRegressions(renamed.output, 'ContentView.swift', { className: 'PhotoEvaluator' })).toEqual([]);
    // Without the key, the file has no VLMEvaluator: the message lists what it has and names the key.
    expect(await refusal(RENAMED)).toEqual([
      '1:1: no `class VLMEvaluator` in this file (this file declares struct AskView, class PhotoEvaluator, struct PickedMovie, struct ScratchCopy); set evaluator.className in the policy to the class memtier should extend and patch, or pass the file that declares VLMEvaluator',
    ]);
  });

  describe('the CLI reads it from the policy', () => {
    let project: ReturnType<typeof makeProject> | undefined;
    afterEach(() => project?.cleanup());
    const policy = DEFAULT_POLICY_TEXT.replace('evaluator:\n  mlxApi: gpu\n', 'evaluator:\n  className: PhotoEvaluator\n  mlxApi: gpu\n  source: ContentView.swift\n');

    it('patch --write, a second patch, generate and check, end to end', async () => {
      project = makeProject({ 'tiers.yaml': policy, 'ContentView.swift': RENAMED });
      expect((await project.run('generate')).code).toBe(0);
      const before = await project.run('check');
      expect(before.code).toBe(1);
      expect(before.stderr).toMatch(/ContentView\.swift:\d+:\d+: error: sets an MLX memory limit outside the generated extension/);
      expect(before.stdout).toBe('generated matches tiers.yaml (7 files)\n');
      expect(await project.run('patch', 'ContentView.swift', '--write')).toMatchObject({ code: 0, stdout: 'patched ContentView.swift\n' });
      const written = readFileSync(project.path('ContentView.swift'), 'utf8');
      expect(written).toContain('see PhotoEvaluator+MemoryPolicy.swift');
      expect(await project.run('patch', 'ContentView.swift')).toMatchObject({ code: 0, stdout: '' });
      expect(await project.run('check')).toMatchObject({ code: 0, stdout: 'generated matches tiers.yaml (7 files)\n' });
      expect(readFileSync(project.path('generated/PhotoEvaluator+MemoryPolicy.swift'), 'utf8')).toContain('extension PhotoEvaluator {');
    });

    it('patch without a policy patches VLMEvaluator; with a policy it cannot read, it says so and writes nothing', async () => {
      project = makeProject({ 'ContentView.swift': RENAMED });
      expect((await project.run('patch', 'ContentView.swift')).stderr).toContain('no `class VLMEvaluator` in this file (this file declares struct AskView, class PhotoEvaluator, struct PickedMovie, struct ScratchCopy); set evaluator.className');
      writeFileSync(project.path('tiers.yaml'), policy.replace('className: PhotoEvaluator', 'className: 12'));
      const broken = await project.run('patch', 'ContentView.swift', '--write');
      expect(broken.code).toBe(2);
      expect(broken.stderr).toMatch(/^tiers\.yaml:\d+:\d+: error: evaluator\.className: /);
      expect(broken.stderr).toContain('ContentView.swift: not patched: the policy could not be read, and it names the class to patch (evaluator.className); nothing was written\n');
      expect(readFileSync(project.path('ContentView.swift'), 'utf8')).toBe(RENAMED);
    });
  });
});

describe('evaluator.className: null, an app with no class of VLMEval\'s shape', () => {
  const NULL_POLICY = DEFAULT_POLICY_TEXT.replace('evaluator:\n  mlxApi: gpu\n', 'evaluator:\n  className: null\n  mlxApi: gpu\n  source: Runtime.swift\n');
  let project: ReturnType<typeof makeProject> | undefined;
  afterEach(() => project?.cleanup());

  it('gets MemoryPolicy and the monitor, no extension and no stress test; the generated tests name no class', () => {
    expect(NULL_POLICY).not.toBe(DEFAULT_POLICY_TEXT);
    const files = generate(validPolicy(NULL_POLICY), templates);
    expect(files.map((file) => file.path)).toEqual(['DeviceMemoryTier.swift', 'MemoryConfiguration.swift', 'MemoryPolicy.swift', 'MemoryPressureMonitor.swift', 'Tests/MemoryPolicyTests.swift']);
    for (const file of files) expect(file.contents, file.path).not.toMatch(/\bVLMEvaluator\b/);
    expect(files.find((file) => file.path === 'Tests/MemoryPolicyTests.swift')!.contents).toContain('MemoryPolicy.downscaled(');
    expect(diagnosticsOf(editedPolicy([[['evaluator', 'className'], 12]]))).toContainEqual(expect.stringMatching(/evaluator\.className: expected the name of the app's evaluator class, such as "LLMEvaluator", or null/));
  });

  it('patch refuses and writes nothing; check reports the limits in evaluator.source and no missing class', async () => {
    const runtime = 'import MLX\n\nactor Runtime {\n  func start() {\n    MLX.Memory.cacheLimit = 8 * 1024 * 1024\n  }\n}\n';
    project = makeProject({ 'tiers.yaml': NULL_POLICY, 'Runtime.swift': runtime });
    const patched = await project.run('patch', 'Runtime.swift', '--write');
    expect(patched).toMatchObject({ code: 2, stdout: '' });
    expect(patched.stderr).toContain('Runtime.swift: not patched: the policy says the app has no class for memtier to extend (evaluator.className: null)');
    expect(readFileSync(project.path('Runtime.swift'), 'utf8')).toBe(runtime);
    expect((await project.run('generate')).code).toBe(0);
    const checked = await project.run('check');
    expect(checked.code).toBe(1);
    expect(checked.stderr).toMatch(/Runtime\.swift:5:5: error: sets an MLX memory limit outside the generated extension/);
    expect(checked.stderr).not.toContain('no `class');
    expect(checked.stderr).toContain('Runtime.swift handles memory outside the generated code (1 place); call `MemoryPolicy.current.applyLimits()` there instead');
    expect(checked.stderr).not.toContain('memtier patch');
    expect(checked.stdout).toBe('generated matches tiers.yaml (5 files)\n');
  });
});

describe('shapes patch refuses, with one located error that points to the class-free integration', () => {
  it('an actor, a struct, a class that is not @MainActor', async () => {
    expect(await refusal('import MLX\n\nactor ModelRuntime {\n  func load() {}\n}\n', 'ModelRuntime')).toEqual([
      `3:1: \`ModelRuntime\` is an actor, and the generated extension extends a \`@MainActor\` class (it keeps per-instance state by the object's identity and runs on the main actor); ${POINTER}`,
    ]);
    expect((await refusal('struct ModelRuntime {}\n', 'ModelRuntime'))[0]).toMatch(/^1:1: `ModelRuntime` is a struct, and the generated extension extends/);
    const [unisolated] = await refusal('/// Loads models.\nfinal class ModelService: @unchecked Sendable {\n  var loadState = 0\n}\n', 'ModelService');
    expect(unisolated).toBe(`2:7: \`class ModelService\` is not \`@MainActor\`, and the generated extension runs on the main actor and keeps the class's model state there. If the class is only used on the main actor (a target built with default main-actor isolation makes it so), write \`@MainActor\` on it and run patch again; otherwise ${POINTER}`);
  });

  it('a class that does not parse is refused for its shape, not at the syntax the grammar cannot read', async () => {
    // `case .idle: ()` is beyond the pinned grammar; the class is not @MainActor, which is found in the text.
    const source = 'final class Runner {\n  func step(_ s: State) {\n    switch s {\n    case .idle: ()\n    }\n  }\n}\n';
    expect(await refusal(source, 'Runner')).toEqual([expect.stringMatching(/^1:7: `class Runner` is not `@MainActor`/)]);
  });

  it('a model cache: an NSCache, or a dictionary of containers', async () => {
    const cached = (property: string) => `@MainActor\nclass ModelService {\n  var loadState = LoadState.idle\n  ${property}\n  func load() {\n    Memory.cacheLimit = 1\n  }\n}\n`;
    expect(await refusal(cached('private let models = NSCache<NSString, ModelContainer>()'), 'ModelService')).toEqual([
      `4:3: \`models\` keeps models in a cache (an \`NSCache\`), and the generated extension manages one model, in \`loadState\`: memtier patch would leave every cached model out of the tier's release rules. Drop to one model in \`ModelService\` by hand, or ${POINTER} (unload the cache when its pressure stream says critical)`,
    ]);
    expect((await refusal(cached('private var models: [String: ModelContainer] = [:]'), 'ModelService'))[0]).toMatch(/^4:3: `models` keeps models in a cache \(a dictionary of models\)/);
  });

  it('a limit set per request: lowered, then restored', async () => {
    const source = [
      '@MainActor', 'class ModelService {', '  var loadState = LoadState.idle', '  func answer() async {', '    let previous = Memory.cacheLimit',
      '    Memory.cacheLimit = 0', '    defer { Memory.cacheLimit = previous }', '    await work()', '  }', '}', '',
    ].join('\n');
    expect(await refusal(source, 'ModelService')).toEqual([
      `6:5: sets an MLX limit per request here (changed for one piece of work, then restored), and the generated policy sets each tier's limits once, before the model loads: memtier patch would drop the restore. Set the limits once by hand, or ${POINTER}`,
    ]);
  });

  it('parameters from a user setting', async () => {
    const source = [
      '@MainActor', 'class ModelService {', '  var loadState = LoadState.idle', '  var answerLength = 512', '  var generateParameters: GenerateParameters {',
      '    GenerateParameters(maxTokens: answerLength)', '  }', '  func load() {', '    Memory.cacheLimit = 1', '  }', '}', '',
    ].join('\n');
    expect(await refusal(source, 'ModelService')).toEqual([
      `5:3: \`generateParameters\` follows a user setting (\`answerLength\`), and the generated \`generateParameters\` would replace it with the tier's, dropping the setting; ${POINTER}, and cap the setting with its \`maxTokens\``,
    ]);
    // An argument label of the same name is not a read of the setting.
    const fixed = source.replace('GenerateParameters(maxTokens: answerLength)', 'GenerateParameters(maxTokens: 512)').replace('var answerLength = 512', 'var maxTokens = 512');
    expect(await patchEvaluator(fixed, 'Model.swift', { className: 'ModelService' })).toMatchObject({ ok: true });
    const defaults = source.replace('GenerateParameters(maxTokens: answerLength)', 'GenerateParameters(maxTokens: UserDefaults.standard.integer(forKey: "length"))');
    expect((await refusal(defaults.replace('  var answerLength = 512\n', ''), 'ModelService'))[0]).toMatch(/^5:5: these generation parameters follow a user setting \(`UserDefaults`\)/);
  });

  it('a model kept in a property of its own instead of loadState', async () => {
    const source = '@MainActor\nfinal class Speaker {\n  private var container: ModelContainer?\n  func connect() {\n    Memory.cacheLimit = 1\n  }\n}\n';
    expect(await refusal(source, 'Speaker')).toEqual([
      `3:3: \`Speaker\` keeps its model in \`container\`, not in a \`loadState\` (\`.idle\` / \`.loaded(ModelContainer)\`), which the generated extension reads and writes to keep or release the model; memtier patch does not move a model into \`loadState\`. Do that by hand (docs/generated-swift.md), or ${POINTER}`,
    ]);
  });
});

describe('the Swift the pinned grammar predates is blanked, every offset kept', () => {
  const inFunction = (code: string) => `func f() async throws {\n${code}\n}\n`;
  const gaps = [
    inFunction('let downloader = #hubDownloader()'),
    inFunction('let container = try await #huggingFaceLoadModelContainer(configuration: c) { progress in\n  print(progress)\n}'),
    'func load() throws(LoadError) {}\n',
    'nonisolated(unsafe) private var ready = false\n',
    'func describe(\n  folder: URL, name: String,\n) -> Bool { true }\n',
    'let ok = check(\n  1, 2,\n)\n',
  ];

  it.each(gaps)('%s', async (source) => {
    expect(firstSyntaxError((await parseSwift(source)).rootNode)).toBeDefined();
    const { text, blanked } = blankGrammarGaps(source);
    expect(text).toHaveLength(source.length);
    expect(text.split('\n').map((line) => line.length)).toEqual(source.split('\n').map((line) => line.length));
    expect(firstSyntaxError((await parseSwift(text)).rootNode)).toBeUndefined();
    expect(blanked.length).toBeGreaterThan(0);
    for (const range of blanked) expect(source.slice(range.start, range.end)).toBe(range.text);
  });

  it('leaves compiler directives and the literals the grammar knows as they are', () => {
    const source = 'if #available(iOS 17, *) {}\n#if DEBUG\nlet s = #"raw"#\n#endif\nlet l = #line\n';
    expect(blankGrammarGaps(source)).toEqual({ text: source, blanked: [] });
  });
});

describe('cases with the shapes of real mlx-swift-lm 2.30 and 3.x files: what patch and check do, as on the real files', () => {
  const CASES = [
    // [case file, class, the refusal's place and start, check's limit lines]
    ['llmeval-378f244/LLMEvaluator.swift', 'LLMEvaluator', /^66:5: `generateParameters` follows a user setting \(`maxTokens`\)/, [117]],
    ['mlxchatexample-378f244/MLXService.swift', 'MLXService', /^29:1: `class MLXService` is not `@MainActor`/, [51]],
    ['openvision-066447c/GemmaLocalService.swift', 'SpeechModelService', /^35:5: `SpeechModelService` keeps its model in `modelContainer`, not in a `loadState`/, [59]],
    ['octomil-4320167/MLXModelLoader.swift', 'ModelShelf', /^19:8: `ModelShelf` is an actor/, [39, 50]],
    ['localllmclient-cd971ff/Context.swift', 'Context', /^27:14: `class Context` is not `@MainActor`/, []],
    ['localllmclient-cd971ff/Utility.swift', 'Context', /^1:1: no `class Context` in this file \(this file declares no class, actor or struct\); set evaluator\.className/, [15]],
    ['llmbasic-378f244/ChatModel.swift', 'WeightsLoader', /^33:1: WeightsLoader sets no MLX limits, no image size, no generation parameters and no device predicates/, []],
    ['llmbasic-378f244/LLMBasicApp.swift', 'WeightsLoader', /^1:1: no `class WeightsLoader` in this file \(this file declares struct QuestionsApp\)/, [15]],
  ] as const;

  it.each(CASES)('%s (class %s)', async (path, className, refused, limits) => {
    const source = shape(path);
    const problems = await refusal(source, className);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(refused);
    if (!problems[0]!.includes('no `class')) expect(problems[0]).toContain(POINTER);
    const found = await findRegressions(source, path, { className });
    expect(found.filter((problem) => problem.message.startsWith('sets an MLX memory limit')).map((problem) => problem.line)).toEqual(limits);
    // The whole file parses once the constructs the grammar predates are blanked.
    expect(firstSyntaxError((await parseSwift(blankGrammarGaps(source).text)).rootNode)).toBeUndefined();
  });
});

describe('check finds every MLX limit set outside the generated code, in any type, in a file the grammar cannot read', () => {
  const FILE = [
    'import MLX', '', 'actor Runtime {', '  func start() {', '    Memory.cacheLimit = 8 * 1024 * 1024', '  }', '  func step(_ s: Phase) {',
    '    switch s {', '    case .idle: ()', '    }', '  }', '}', '', 'struct Setup {', '  static func run() {', '    // Memory.cacheLimit = 1 is the old value',
    '    print("GPU.set(cacheLimit: 1)")', '    MLX.GPU.set(memoryLimit: 1 << 30, relaxed: false)', '    if Memory.cacheLimit == 0 {}', '  }', '}', '',
  ].join('\n');

  it('located, outside comments and strings, with the missing class named', async () => {
    expect(firstSyntaxError((await parseSwift(blankGrammarGaps(FILE).text)).rootNode)).toBeDefined();
    const found = await findRegressions(FILE, 'Runtime.swift');
    expect(found.map((problem) => `${problem.line}:${problem.column}: ${problem.message}`)).toEqual([
      '1:1: no `class VLMEvaluator` in this file (this file declares actor Runtime, struct Setup); set evaluator.className in the policy to the class memtier should extend and patch, or pass the file that declares VLMEvaluator',
      '5:5: sets an MLX memory limit outside the generated extension; call applyMemoryLimits() in the evaluator class, or MemoryPolicy.current.applyLimits() elsewhere, so the tier decides',
      '18:5: sets an MLX memory limit outside the generated extension; call applyMemoryLimits() in the evaluator class, or MemoryPolicy.current.applyLimits() elsewhere, so the tier decides',
    ]);
  });

  it('with evaluator.className: null, the limits alone: no class is looked for', async () => {
    const found = await findRegressions(FILE, 'Runtime.swift', { className: null });
    expect(found.map((problem) => `${problem.line}:${problem.column}`)).toEqual(['5:5', '18:5']);
  });

  it('a limit the class sets is reported once, whether the file is read whole or the class alone', async () => {
    const found = await findRegressions(`${FILE}\n@MainActor\nclass VLMEvaluator {\n  func load() {\n    MLX.GPU.set(cacheLimit: 1)\n  }\n}\n`, 'Runtime.swift');
    expect(found.map((problem) => problem.line)).toEqual([5, 18, 26]);
    expect(findTopLevelClasses(FILE)).toEqual([]);
  });
});
