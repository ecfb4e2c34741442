import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { findRegressions } from '../src/patch/evaluator-regressions.js';
import { patchEvaluator } from '../src/patch/rewrite-evaluator.js';
import { makeProject } from './helpers/cli.js';
import { DEFAULT_POLICY_TEXT, SHIPPED_POLICY_WARNINGS } from './helpers/policy.js';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`./fixtures/evaluator/${name}`, import.meta.url)), 'utf8');
const ORIGINAL = fixture('ContentView.swift');

async function patched(source: string): Promise<string> {
  const result = await patchEvaluator(source, 'ContentView.swift');
  if (!result.ok) throw new Error(result.problems.map((problem) => `${problem.line}:${problem.column}: ${problem.message}`).join('\n'));
  return result.output;
}

async function problems(source: string): Promise<string[]> {
  const result = await patchEvaluator(source, 'ContentView.swift');
  if (result.ok) throw new Error('expected the patch to refuse');
  return result.problems.map((problem) => `${problem.line}:${problem.column}: ${problem.message}`);
}

describe('patching the design document\'s evaluator', () => {
  it('rewrites it to the reviewed result', async () => {
    await expect(await patched(ORIGINAL)).toMatchFileSnapshot('./fixtures/evaluator/ContentView.patched.swift');
  });

  it('removes the predicates, their thresholds, Thread.sleep and the replaced members', async () => {
    const output = await patched(ORIGINAL);
    for (const gone of ['isLowMemoryDevice', 'isUltraLowMemoryDevice', 'physicalMemory', '1024 * 1024', 'Thread.sleep', 'var generateParameters', 'func unloadModel', 'GPU.set']) {
      expect(output).not.toContain(gone);
    }
    for (const call of ['var memoryConfiguration = MemoryConfiguration.current', 'startMemoryMonitoring()', 'applyMemoryLimits()', 'if !memoryConfiguration.keepModelLoaded {', 'applyImageSize(to: &request)', 'releaseModelAfterGeneration()', 'releaseMemoryAfterCancel()']) {
      expect(output).toContain(call);
    }
    expect(await findRegressions(output, 'ContentView.swift')).toEqual([]);
  });

  it('keeps everything else byte for byte: the view, other types, comments', async () => {
    const output = await patched(ORIGINAL);
    const classStart = ORIGINAL.indexOf('@Observable');
    expect(output.slice(0, classStart)).toBe(ORIGINAL.slice(0, classStart));
    const tail = ORIGINAL.slice(ORIGINAL.indexOf('/// Cuts a long answer down'));
    expect(output.endsWith(tail)).toBe(true);
    expect(output).toContain('      // 内存不超过 4 GB 的机型：模型只借给这一次回答，不放进 loadState\n');
    expect(output).toContain('        self.modelInfo = "\\(modelConfiguration.name), loaded for each answer"\n');
  });

  it('is idempotent: a patched file comes back unchanged', async () => {
    const once = await patched(ORIGINAL);
    expect(await patched(once)).toBe(once);
  });

  it('folds a hard-coded limit kept next to the predicate chain into applyMemoryLimits(), so check accepts the result', async () => {
    const source = ORIGINAL.replace('      let container = try await VLMModelFactory.shared.loadContainer(', '      MLX.GPU.set(memoryLimit: maxMetalMemory, relaxed: false)\n\n      let container = try await VLMModelFactory.shared.loadContainer(');
    expect(source).not.toBe(ORIGINAL);
    const result = await patchEvaluator(source, 'ContentView.swift');
    expect(result.ok).toBe(true);
    const output = (result as { output: string }).output;
    expect(output).not.toContain('maxMetalMemory');
    expect(output.match(/applyMemoryLimits\(\)/g)).toHaveLength(1);
    expect(output).toBe(fixture('ContentView.patched.swift'));
    expect(await findRegressions(output, 'ContentView.swift')).toEqual([]);
  });

  it('keeps an existing init and starts monitoring in it, and reads a negated caching test', async () => {
    const source = ORIGINAL.replace('  var loadState = LoadState.idle\n', '  var loadState = LoadState.idle\n\n  init() {\n    running = false\n  }\n')
      .replace('if isLowMemoryDevice {\n        self.modelInfo', 'if !isLowMemoryDevice {\n        self.modelInfo');
    const output = await patched(source);
    expect(output).toContain('  init() {\n    running = false\n    startMemoryMonitoring()\n  }\n');
    expect(output.match(/startMemoryMonitoring\(\)/g)).toHaveLength(1);
    expect(output).toContain('if memoryConfiguration.keepModelLoaded {\n        self.modelInfo');
    expect(await patched(output)).toBe(output);
  });

  it('makes load() go through loadModelOnce: the .loaded fast path and the store go, the code that loads stays where it was', async () => {
    const output = await patched(ORIGINAL);
    const load = output.slice(output.indexOf('  func load()'), output.indexOf('  func generate('));
    expect(load).toMatch(/^  func load\(\) async throws -> ModelContainer \{\n    try await loadModelOnce \{ \[self\] in\n      applyMemoryLimits\(\)\n\n      let container = /);
    expect(load).not.toMatch(/switch loadState|case \.loaded|case \.idle|loadState = \.loaded/);
    // The status the app shows per tier stays, on the tier's keepModelLoaded: loadModelOnce decides what stays loaded.
    expect(load).toContain('      if !memoryConfiguration.keepModelLoaded {\n        self.modelInfo = "\\(modelConfiguration.name), loaded for each answer"\n        return container\n      } else {\n        self.modelInfo = "\\(modelConfiguration.name), ready"\n        return container\n      }\n    }\n  }\n');
    // The lines the closure holds are the .idle case's, byte for byte: the case's code sat one level in, as a closure's does.
    const idle = ORIGINAL.slice(ORIGINAL.indexOf('      let container = try await'), ORIGINAL.indexOf('      // 内存不超过'));
    expect(load).toContain(idle);
  });

  it('brings a class patched by an earlier memtier up to date: load() through loadModelOnce, its held stores gone', async () => {
    const current = await patched(ORIGINAL);
    // The earlier output: the switch kept, the non-caching branch holding the model for its answer.
    const earlier = current
      .replace('    try await loadModelOnce { [self] in\n', '    switch loadState {\n    case .loaded(let held):\n      return held\n\n    case .idle:\n')
      .replace('      if !memoryConfiguration.keepModelLoaded {\n        self.modelInfo = "\\(modelConfiguration.name), loaded for each answer"\n',
        '      if !shouldKeepModelLoaded {\n        self.modelInfo = "\\(modelConfiguration.name), loaded for each answer"\n        // Held while it answers; releaseModelAfterGeneration() lets it go (memtier).\n        loadState = .loaded(container)\n')
      .replace('      } else {\n        self.modelInfo', '      } else {\n        loadState = .loaded(container)\n        self.modelInfo');
    expect(earlier).not.toBe(current);
    const output = await patched(earlier);
    expect(output).toBe(current.replace('if !memoryConfiguration.keepModelLoaded {', 'if !shouldKeepModelLoaded {'));
    expect(await patched(output)).toBe(output);
  });

  it('removes a local that only a removed limit read, and keeps one that other code reads', async () => {
    const withLocal = (use: string) => ORIGINAL.replace('      if isUltraLowMemoryDevice {\n        MLX.GPU.set(memoryLimit: 1_200 * 1024 * 1024)',
      `      // What the process may still use, read before the weights come\n      let ceiling = 1_200 * 1024 * 1024\n${use}      if isUltraLowMemoryDevice {\n        MLX.GPU.set(memoryLimit: ceiling)`);
    const onlyTheLimit = await patched(withLocal(''));
    expect(onlyTheLimit).not.toMatch(/ceiling|What the process may still use/);
    expect(onlyTheLimit).toBe(fixture('ContentView.patched.swift'));
    const alsoShown = await patched(withLocal('      modelInfo = "up to \\(ceiling) bytes"\n'));
    expect(alsoShown).toContain('      let ceiling = 1_200 * 1024 * 1024\n      modelInfo = "up to \\(ceiling) bytes"\n      applyMemoryLimits()\n');
  });

  it('starts the generation task through startGenerationTask, so that a stop, the emergency and the background reach every generation, not only the latest', async () => {
    const output = await patched(ORIGINAL);
    expect(output).toContain('    generationTask = startGenerationTask { [self] in await generate(prompt: prompt, image: image) }\n');
    expect(output).not.toContain('= Task {');
    // A class patched by an earlier memtier (its generation task a plain Task) is brought up to date.
    const earlier = output.replace('startGenerationTask { [self] in await', 'Task { await');
    expect(earlier).not.toBe(output);
    expect(await patched(earlier)).toBe(output);
    // A priority goes with it; a closure whose capture list already names self keeps its signature.
    const withPriority = await patched(earlier.replace('Task { await generate', 'Task(priority: .userInitiated) { await generate'));
    expect(withPriority).toContain('generationTask = startGenerationTask(priority: .userInitiated) { [self] in await generate(');
    const weak = await patched(earlier.replace('Task { await generate(prompt: prompt, image: image) }', 'Task { [weak self] in await self?.generate(prompt: prompt, image: image) }'));
    expect(weak).toContain('generationTask = startGenerationTask { [weak self] in await self?.generate(prompt: prompt, image: image) }');
    expect(await patched(weak)).toBe(weak);
  });

  it('ends a generation run in a Task with the release, and releases after the cancel of a method that stops it', async () => {
    const source = [
      '@Observable', '@MainActor', 'class VLMEvaluator {', '  var output = ""', '  var generationTask: Task<Void, Error>?', '  let generateParameters = GenerateParameters(maxTokens: 100)', '',
      '  func ask(_ prompt: String, container: ModelContainer) {', '    generationTask = Task {', '      let parameters = generateParameters',
      '      let text = try await container.perform { context in', '        let input = try await context.processor.prepare(input: UserInput(prompt: prompt))',
      '        var all = ""', '        for await item in try MLXLMCommon.generate(input: input, parameters: parameters, context: context) {', '          all += item.chunk ?? ""', '        }',
      '        return all', '      }', '      output = text', '    }', '  }', '', '  func stop() {', '    generationTask?.cancel()', '  }', '}', '',
    ].join('\n');
    const output = await patched(source);
    expect(output).toContain('      output = text\n      releaseModelAfterGeneration()\n    }\n  }\n');
    expect(output).toContain('  func stop() {\n    generationTask?.cancel()\n    releaseMemoryAfterCancel()\n  }\n');
    expect(output).toContain('  init() {\n    startMemoryMonitoring()\n  }\n');
    expect(await patched(output)).toBe(output);
    // A generation in a detached task cannot call the main actor's release at its end: refused, with where.
    const detached = source.replace('    generationTask = Task {', '    generationTask = Task.detached {');
    expect(await problems(detached)).toEqual([expect.stringMatching(/^11:28: this generation runs in a closure passed to Task\.detached, not in a method or a `Task` memtier can end it in; call releaseModelAfterGeneration\(\) at the end of the generation, inside the task that runs it, by hand, then run patch again$/)]);
  });
});

describe('files patch refuses, with a location and nothing written', () => {
  it('a file without the class, and one with two', async () => {
    expect(await problems('struct ContentView {}\n')).toEqual(['1:1: no `class VLMEvaluator` in this file (this file declares struct ContentView); set evaluator.className in the policy to the class memtier should extend and patch, or pass the file that declares VLMEvaluator']);
    expect(await problems(`${ORIGINAL}\nclass VLMEvaluator {}\n`)).toEqual([`${ORIGINAL.split('\n').length + 1}:1: a second \`class VLMEvaluator\` (in another #if branch?); memtier patch rewrites a file with exactly one`]);
  });

  it('a file with a syntax error', async () => {
    const [problem] = await problems(ORIGINAL.replace('func cancelGeneration() {', 'func cancelGeneration( {'));
    const line = ORIGINAL.split('\n').findIndex((text) => text.includes('func cancelGeneration() {')) + 1;
    expect(Number(problem!.split(':')[0])).toBeGreaterThanOrEqual(line);
    expect(Number(problem!.split(':')[0])).toBeLessThanOrEqual(line + 1);
    expect(problem).toMatch(/^\d+:\d+: the class does not parse as Swift here; fix the syntax first \(or report it, if the compiler accepts it\)$/);
  });

  it('a class customised beyond recognition', async () => {
    expect(await problems('@MainActor\nclass VLMEvaluator {\n  var output = ""\n}\n')).toEqual([
      '1:1: VLMEvaluator sets no MLX limits, no image size, no generation parameters and no device predicates; there is nothing for memtier patch to migrate, so adopt the generated extension by hand (see docs/generated-swift.md), or use the generated `MemoryPolicy` instead, which needs no particular class (docs/generated-swift.md, "Without a VLMEval-shaped class")',
    ]);
  });

  it('a predicate used in a way patch does not know', async () => {
    const source = ORIGINAL.replace('    running = true\n', '    running = true\n    let budget = isLowMemoryDevice ? 1 : 2\n    _ = budget\n');
    expect(await problems(source)).toEqual([
      '116:18: `isLowMemoryDevice` is still used here; replace it with memoryConfiguration (or DeviceMemoryTier.current) by hand, then run patch again',
    ]);
    const unknownIf = ORIGINAL.replace('    running = true\n\n    do {', '    running = true\n    if isLowMemoryDevice {\n      output = "small"\n    }\n\n    do {');
    // One problem, one message: the uses of the predicate inside the refused decision are not listed again.
    const refused = await problems(unknownIf);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(/^116:5: cannot rewrite this decision on device memory safely;/);
  });

  it('a load() of another shape, with what to write instead', async () => {
    const source = ORIGINAL.replace('    switch loadState {\n    case .loaded(let held):\n      return held\n\n    case .idle:\n', '    if case .loaded(let held) = loadState { return held }\n    do {\n');
    expect(source).not.toBe(ORIGINAL);
    expect(await problems(source)).toEqual([
      '78:5: load() holds more than a `switch loadState`; memtier patch rewrites a `switch loadState` whose `.loaded` case returns the model and whose other case loads it. Make load() `try await loadModelOnce { [self] in … }` around the code that loads and returns the container (see docs/patch.md), then run patch again',
    ]);
  });

  it('a member that would clash with the generated extension, and a stray Thread.sleep', async () => {
    const clash = ORIGINAL.replace('  func cancelGeneration() {', '  func applyMemoryLimits() {}\n\n  func cancelGeneration() {');
    expect(await problems(clash)).toEqual(['172:3: VLMEvaluator already declares applyMemoryLimits, which the generated extension provides; rename or remove it first']);
    const sleep = ORIGINAL.replace('    generationTask?.cancel()\n\n    // 小内存机型', '    generationTask?.cancel()\n    Thread.sleep(forTimeInterval: 0.1)\n\n    // 小内存机型');
    expect((await problems(sleep))[0]).toMatch(/^175:5: `Thread.sleep` blocks the thread it runs on \(the main actor, in the evaluator\); remove it/);
  });
  it('a generationTask of another type, and a Task closure with a signature that does not capture self', async () => {
    const never = ORIGINAL.replace('  private var generationTask: Task<Void, Error>?', '  private var generationTask: Task<Void, Never>?');
    expect(never).not.toBe(ORIGINAL);
    const line = ORIGINAL.split('\n').findIndex((text) => text.includes('generationTask = Task {')) + 1;
    expect(await problems(never)).toEqual([`${line}:5: generationTask is declared as \`Task<Void, Never>?\`; memtier patch starts it with \`startGenerationTask { [self] in … }\`, which returns a \`Task<Void, Error>\`: declare \`var generationTask: Task<Void, Error>?\`, then run patch again`]);
    const signature = ORIGINAL.replace('Task { await generate(prompt: prompt, image: image) }', 'Task { @MainActor in await generate(prompt: prompt, image: image) }');
    expect(signature).not.toBe(ORIGINAL);
    expect(await problems(signature)).toEqual([`${line}:5: this generationTask's closure has a signature that does not capture self; memtier patch writes \`generationTask = startGenerationTask { [self] in … }\`: write it so, then run patch again`]);
  });
});

describe('memtier patch on the command line', () => {
  let project: ReturnType<typeof makeProject> | undefined;
  afterEach(() => project?.cleanup());

  it('prints a diff without writing, writes with --write, then has nothing to say', async () => {
    project = makeProject({ 'App/ContentView.swift': ORIGINAL });
    const preview = await project.run('patch', 'App/ContentView.swift');
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain('--- a/App/ContentView.swift\n+++ b/App/ContentView.swift\tpatched by memtier\n');
    expect(preview.stdout).toContain('-      if isLowMemoryDevice {\n+      if !memoryConfiguration.keepModelLoaded {\n');
    expect(preview.stderr).toBe('memtier: run `npx memtier patch App/ContentView.swift --write` to apply\n');
    expect(readFileSync(project.path('App/ContentView.swift'), 'utf8')).toBe(ORIGINAL);

    expect(await project.run('patch', 'App/ContentView.swift', '--write')).toEqual({ code: 0, stdout: 'patched App/ContentView.swift\n', stderr: '' });
    expect(readFileSync(project.path('App/ContentView.swift'), 'utf8')).toBe(fixture('ContentView.patched.swift'));
    expect(await project.run('patch', 'App/ContentView.swift', '--write')).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('exits 2 with file:line:column and writes nothing when it cannot rewrite', async () => {
    const broken = ORIGINAL.replace('    running = true\n', '    running = true\n    let budget = isLowMemoryDevice ? 1 : 2\n    _ = budget\n');
    project = makeProject({ 'ContentView.swift': broken });
    const result = await project.run('patch', 'ContentView.swift', '--write');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('ContentView.swift:116:18: error: `isLowMemoryDevice` is still used here; replace it with memoryConfiguration (or DeviceMemoryTier.current) by hand, then run patch again\nContentView.swift: not patched; nothing was written\n');
    expect(readFileSync(project.path('ContentView.swift'), 'utf8')).toBe(broken);
    expect((await project.run('patch', 'missing.swift')).stderr).toBe('memtier: error: missing.swift: no such file\n');
  });
});

describe('memtier check on the app evaluator (evaluator.source)', () => {
  let project: ReturnType<typeof makeProject> | undefined;
  afterEach(() => project?.cleanup());
  const policy = DEFAULT_POLICY_TEXT.replace('evaluator:\n  mlxApi: gpu\n', 'evaluator:\n  mlxApi: gpu\n  source: App/ContentView.swift\n');

  it('reports Thread.sleep, physicalMemory decisions and MLX limits set by hand, with file:line', async () => {
    project = makeProject({ 'tiers.yaml': policy, 'App/ContentView.swift': ORIGINAL });
    await project.run('generate');
    const result = await project.run('check');
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n').filter((line) => !line.includes(': warning: tiers[') && !line.includes(' acknowledged warnings not shown '));
    expect(lines.slice(0, -1).map((line) => line.split(': error: ')[0])).toEqual([
      'App/ContentView.swift:61:5', 'App/ContentView.swift:66:5', 'App/ContentView.swift:84:9', 'App/ContentView.swift:85:9',
      'App/ContentView.swift:87:9', 'App/ContentView.swift:88:9', 'App/ContentView.swift:197:11',
    ]);
    expect(lines[6]).toContain('`Thread.sleep` blocks the thread it runs on');
    expect(lines[7]).toBe('memtier: App/ContentView.swift handles memory outside the generated code (7 places); `npx memtier patch App/ContentView.swift` moves it onto the generated code, or says why not');
    expect(result.stdout).toBe('generated matches tiers.yaml (7 files)\n');

    writeFileSync(project.path('App/ContentView.swift'), fixture('ContentView.patched.swift'));
    expect(await project.run('check')).toEqual({ code: 0, stdout: 'generated matches tiers.yaml (7 files)\n', stderr: SHIPPED_POLICY_WARNINGS });
  });

  it('an evaluator.source that does not exist is bad input (exit 2)', async () => {
    project = makeProject({ 'tiers.yaml': policy });
    const result = await project.run('check');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('memtier: error: tiers.yaml: evaluator.source names App/ContentView.swift, which cannot be read (ENOENT)\n');
  });
});
