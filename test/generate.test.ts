import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { generate } from '../src/generate.js';
import Handlebars from 'handlebars';
import { renderFiles, TEMPLATE_COMPILE_OPTIONS } from '../src/render/render-files.js';
import { buildModel } from '../src/model/build-model.js';
import { editedPolicy, templates, validPolicy } from './helpers/policy.js';
import { swiftSyntaxErrors } from './helpers/swift-syntax.js';
import { POLICY_VARIANTS } from './helpers/variants.js';

const variants = Object.entries(POLICY_VARIANTS);
// The default policy's reviewed snapshot is the committed generated/ folder itself (checked below).
const snapshotVariants = variants.filter(([name]) => name !== 'default');

/**
 * The files each variant changes against the shipped policy's (the committed generated/ folder,
 * which `check` keeps current). Only these have reviewed snapshots of their own; every other file a
 * variant writes must be byte for byte the shipped one.
 */
const CHANGED_FILES: Record<string, string[]> = {
  // The error the evaluator extension throws is public with the rest.
  public: ['DeviceMemoryTier.swift', 'MemoryConfiguration.swift', 'MemoryPolicy.swift', 'MemoryPressureMonitor.swift', 'VLMEvaluator+MemoryPolicy.swift'],
  // The MLX calls are MemoryPolicy's; the extension applies and clears through it. The stress test
  // reads MLX's figures and resets its peak with the release's own calls.
  'mlx-memory': ['MemoryConfiguration.swift', 'MemoryPolicy.swift', 'Tests/MemoryStressTest.swift'],
  'no-expectations': ['Tests/MemoryPolicyTests.swift'],
  'single-tier': ['DeviceMemoryTier.swift', 'MemoryConfiguration.swift'],
  // Descriptions reach DeviceMemoryTier.swift; the temperature and a memoryLimit reach the
  // configuration and the test that restates it.
  'hostile-descriptions': ['DeviceMemoryTier.swift', 'MemoryConfiguration.swift', 'Tests/MemoryPolicyTests.swift'],
};

describe('generated Swift', () => {
  it.each(snapshotVariants)('matches the reviewed snapshot for the %s policy, and the shipped files elsewhere', async (name, text) => {
    const policy = validPolicy(text);
    const files = generate(policy, templates);
    expect(files.map((file) => file.path)).toEqual([
      'DeviceMemoryTier.swift',
      'MemoryConfiguration.swift',
      ...(policy.evaluator ? ['MemoryPolicy.swift', 'MemoryPressureMonitor.swift'] : []),
      ...(policy.output.tests ? ['Tests/MemoryPolicyTests.swift'] : []),
      ...(policy.output.tests && policy.evaluator ? ['Tests/MemoryStressTest.swift'] : []),
      ...(policy.evaluator ? ['VLMEvaluator+MemoryPolicy.swift'] : []),
    ]);
    for (const file of files) {
      const shipped = readFileSync(new URL(`../generated/${file.path}`, import.meta.url), 'utf8');
      if (CHANGED_FILES[name]!.includes(file.path)) {
        expect(file.contents, file.path).not.toBe(shipped);
        await expect(file.contents).toMatchFileSnapshot(`./__snapshots__/${name}/${file.path}`);
      } else {
        expect(file.contents, file.path).toBe(shipped);
      }
    }
  });

  it.each(variants)('parses as Swift without syntax errors for the %s policy', async (_, text) => {
    for (const file of generate(validPolicy(text), templates)) {
      expect(await swiftSyntaxErrors(file.contents), file.path).toEqual([]);
    }
  });

  it('the syntax check itself catches broken Swift', async () => {
    const [file] = generate(validPolicy(), templates);
    expect(await swiftSyntaxErrors(file!.contents.replace('case .low: return 1', 'case .low: return 1 }}'))).not.toEqual([]);
    expect(await swiftSyntaxErrors(file!.contents.replace('static func < (', 'static func < ('.slice(0, -1)))).not.toEqual([]);
  });

  it('is the same bytes every time, and independent of key order in the YAML', () => {
    const reordered = parseDocument(POLICY_VARIANTS.default!);
    const root = reordered.contents as unknown as { items: unknown[] };
    root.items.reverse();
    for (const tier of (reordered.get('tiers') as { items: { items: unknown[] }[] }).items) tier.items.reverse();
    const first = generate(validPolicy(), templates);
    expect(generate(validPolicy(), templates)).toEqual(first);
    expect(generate(validPolicy(reordered.toString()), templates)).toEqual(first);
  });

  it('ends every file with one newline and has no trailing spaces, tabs, timestamps or absolute paths', () => {
    for (const [, text] of variants) {
      for (const file of generate(validPolicy(text), templates)) {
        expect(file.contents.endsWith('}\n')).toBe(true);
        expect(file.contents).not.toMatch(/[ \t]+$/m);
        expect(file.contents).not.toMatch(/\t|\d{4}-\d{2}-\d{2}|\/work\/|\/tmp\//);
      }
    }
  });

  it('writes the XCTest file only when output.tests is set, into its folder', () => {
    const without = generate(validPolicy(editedPolicy([[['output', 'tests'], null], [['evaluator'], null]])), templates);
    expect(without.map((file) => file.path)).toEqual(['DeviceMemoryTier.swift', 'MemoryConfiguration.swift']);
    const elsewhere = generate(validPolicy(editedPolicy([[['output', 'tests', 'directory'], './AppTests//Memory/']], )), templates);
    expect(elsewhere.map((file) => file.path)).toContain('AppTests/Memory/MemoryPolicyTests.swift');
    const tests = generate(validPolicy(), templates).find((file) => file.path === 'Tests/MemoryPolicyTests.swift')!.contents;
    expect(tests).toContain('@testable import VLMEval\n');
    expect(tests).toContain('    // iPhone 11 (4 GB): 3.60 GiB (3_865_470_566 bytes)\n    XCTAssertEqual(tier(3_865_470_566), .standard, "expectations[1]")\n');
    expect(tests).toContain('    XCTAssertEqual(tier(6_442_450_944), .standard, "tiers[2].upTo")\n');
    expect(tests).toContain('    XCTAssertEqual(tier(6_442_450_945), .high, "tiers[2].upTo + 1")\n');
  });

  it('writes the monitor and the evaluator extension only with an evaluator section, for the chosen MLX API', () => {
    const files = generate(validPolicy(), templates);
    const monitor = files.find((file) => file.path === 'MemoryPressureMonitor.swift')!.contents;
    expect(monitor).toContain('nonisolated static let warningFraction: Double = 0.7\n');
    expect(monitor).toContain('nonisolated static let criticalFraction: Double = 0.85\n');
    expect(monitor).toContain('nonisolated static let pollingInterval: Duration = .milliseconds(5000)\n');
    expect(monitor).toContain('nonisolated static let recoveryFraction: Double = 0.65\n');
    const tuned = generate(validPolicy(editedPolicy([[['pressure', 'warningPercent'], 60], [['pressure', 'recoveryPercent'], 55], [['pressure', 'pollingIntervalSeconds'], 2.5]])), templates);
    expect(tuned.find((file) => file.path === 'MemoryPressureMonitor.swift')!.contents).toContain('warningFraction: Double = 0.6\n');
    expect(tuned.find((file) => file.path === 'MemoryPressureMonitor.swift')!.contents).toContain('recoveryFraction: Double = 0.55\n');
    expect(tuned.find((file) => file.path === 'MemoryPressureMonitor.swift')!.contents).toContain('.milliseconds(2500)');
    const extension = files.find((file) => file.path === 'VLMEvaluator+MemoryPolicy.swift')!.contents;
    const policy = files.find((file) => file.path === 'MemoryPolicy.swift')!.contents;
    expect(policy).toContain('MLX.GPU.set(cacheLimit: memoryConfiguration.cacheLimit)');
    expect(policy).not.toContain('MLX.Memory.');
    expect(policy).toContain('nonisolated static let clearCacheTakesLock = false\n');
    expect(extension).toContain('nonisolated static let clearCacheTakesLock = MemoryPolicy.clearCacheTakesLock\n');
    // Nothing blocks a thread, and the runtime waits only on the monitor's injected clock (the
    // polling and a memory warning's quiet period), never with Task.sleep on the real one.
    for (const file of files) expect(file.contents).not.toMatch(/Thread\.sleep|usleep\(/);
    for (const runtime of [monitor, extension, policy]) expect(runtime).not.toMatch(/Task\.sleep|(?<!clock\.)\bsleep\(/);
    expect(monitor.match(/\bclock\.sleep\(for: /g)).toHaveLength(2);
  });

  it('writes what a memory warning means, and whether the pinned clearCache takes a lock, as the policy says', () => {
    const files = generate(validPolicy(editedPolicy([
      [['pressure', 'memoryWarning'], 'critical'], [['pressure', 'memoryWarningQuietSeconds'], 12.5],
      [['evaluator', 'mlxApi'], 'memory'], [['evaluator', 'clearCacheTakesLock'], true],
    ])), templates);
    const monitor = files.find((file) => file.path === 'MemoryPressureMonitor.swift')!.contents;
    expect(monitor).toContain('nonisolated static let memoryWarningLevel: MemoryPressure = .critical\n');
    expect(monitor).toContain('nonisolated static let memoryWarningQuietPeriod: Duration = .milliseconds(12_500)\n');
    const policy = files.find((file) => file.path === 'MemoryPolicy.swift')!.contents;
    expect(policy).toContain('nonisolated static let clearCacheTakesLock = true\n');
    const shipped = generate(validPolicy(), templates).find((file) => file.path === 'MemoryPressureMonitor.swift')!.contents;
    expect(shipped).toContain('nonisolated static let memoryWarningLevel: MemoryPressure = .warning\n');
    expect(shipped).toContain('nonisolated static let memoryWarningQuietPeriod: Duration = .milliseconds(30_000)\n');
  });

  it('uses UIKit in the monitor only where UIApplication exists: not on watchOS, which imports UIKit without it', () => {
    // No watchOS SDK here to compile against, so check the guards in the text: every UIKit block
    // names the platforms that have UIApplication, and UIApplication appears only inside one.
    const monitor = generate(validPolicy(), templates).find((file) => file.path === 'MemoryPressureMonitor.swift')!.contents;
    const guards = monitor.split('\n').filter((line) => line.includes('canImport(UIKit)'));
    expect(guards.length).toBeGreaterThanOrEqual(3);
    for (const line of guards) expect(line.trim()).toBe('#if canImport(UIKit) && (os(iOS) || os(tvOS) || os(visionOS))');
    let depth = 0;
    let uikitDepth = -1;
    for (const line of monitor.split('\n').map((text) => text.trim())) {
      if (line.startsWith('#if')) depth++;
      if (line.includes('canImport(UIKit)')) uikitDepth = depth;
      if (line.includes('UIApplication')) expect(uikitDepth, line).toBeGreaterThan(0);
      if (line.startsWith('#endif')) {
        if (depth === uikitDepth) uikitDepth = -1;
        depth--;
      }
    }
  });

  it('writes every tier value into the Swift, so changing one changes the output', () => {
    const policy = validPolicy();
    const contents = generate(policy, templates).map((file) => file.contents).join('\n');
    for (const literal of ['2_147_483_648', '3_221_225_472', '6_442_450_944', '3_145_728', '1_572_864_000', '8_388_608', '2_097_152_000', '20_971_520', '2_621_440_000', '52_428_800']) {
      expect(contents).toContain(literal);
    }
    const bumped = structuredClone(policy);
    bumped.tiers[2]!.maxTokens = 801;
    const changed = generate(bumped, templates);
    expect(changed[0]).toEqual(generate(policy, templates)[0]);
    expect(changed[1]!.contents).toContain('maxTokens: 801,');
  });

  it('the committed generated/ folder is what the shipped tiers.yaml produces', () => {
    for (const file of generate(validPolicy(), templates)) {
      const committed = readFileSync(fileURLToPath(new URL(`../generated/${file.path}`, import.meta.url)), 'utf8');
      expect(committed).toBe(file.contents);
    }
  });

  it('names the policy file in the header, never a path', () => {
    const [file] = generate(validPolicy(), templates, { sourceName: 'policy.yaml' });
    expect(file!.contents.split('\n').slice(0, 2)).toEqual([
      '// Generated by memtier from policy.yaml; do not edit by hand.',
      '// To change it, edit policy.yaml and run `npx memtier generate`.',
    ]);
  });

  it('renders templates without HTML escaping and fails loudly on a missing field', () => {
    const model = { ...buildModel(validPolicy(), { sourceName: 'a<b>&"c".yaml' }), outputs: [{ template: 'X.swift', path: 'X.swift' }] };
    const [file] = renderFiles(model, new Map([['X.swift', '{{sourceName}}']]));
    expect(file!.contents).toBe('a<b>&"c".yaml\n');
    expect(() => renderFiles(model, new Map([['X.swift', '{{noSuchField}}']]))).toThrow(/noSuchField/);
    expect([...templates.keys()]).toEqual([
      'DeviceMemoryTier.swift', 'MemoryConfiguration.swift', 'MemoryPolicy.swift', 'MemoryPolicyTests.swift', 'MemoryPressureMonitor.swift', 'MemoryStressTest.swift',
      'VLMEvaluator+MemoryPolicy.swift',
    ]);
    expect(() => renderFiles(model, new Map())).toThrow('no template for X.swift');
  });

  it('precompiled templates (what the CLI renders, with the handlebars runtime alone) give the same bytes as their texts', () => {
    const precompiled = new Map([...templates].map(([name, text]) => {
      // What scripts/precompile-templates.mjs writes into dist/package/templates.precompiled.cjs, as an object.
      const spec = new Function(`return ${Handlebars.precompile(text, TEMPLATE_COMPILE_OPTIONS)};`)() as TemplateSpecification;
      return [name, { precompiled: spec }];
    }));
    for (const [, text] of variants) {
      const policy = validPolicy(text);
      expect(generate(policy, precompiled)).toEqual(generate(policy, templates));
    }
  });

  it('generate renders exactly the template texts it is given, and reads no template files itself', () => {
    const inMemory = new Map([...templates.keys()].map((name) => [name, `// ${name}: {{#each tiers}}{{caseName}} {{/each}}\n`]));
    const files = generate(validPolicy(), inMemory);
    expect(files.map((file) => file.contents)).toEqual([
      '// DeviceMemoryTier.swift: ultraLow low standard high\n',
      '// MemoryConfiguration.swift: ultraLow low standard high\n',
      '// MemoryPolicy.swift: ultraLow low standard high\n',
      '// MemoryPressureMonitor.swift: ultraLow low standard high\n',
      '// MemoryPolicyTests.swift: ultraLow low standard high\n',
      '// MemoryStressTest.swift: ultraLow low standard high\n',
      '// VLMEvaluator+MemoryPolicy.swift: ultraLow low standard high\n',
    ]);
    expect(() => generate(validPolicy(), new Map())).toThrow('no template for DeviceMemoryTier.swift');
  });
});
