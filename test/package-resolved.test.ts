/**
 * The MLX memory API from the app's Package.resolved: parsing the files of VLMEval (format 3,
 * 44b14cf), of mlx-swift-examples in March 2024 (format 2, a branch pin) and of HuggingSnap
 * (format 3, mlx-swift without mlx-swift-lm), written from their pins
 * (test/helpers/package-resolved.ts), the version rule, and `generate`/`check` in an app folder
 * laid out as Xcode lays it out.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../src/diagnostics/format.js';
import { decideMlxApi, mlxApiForVersion } from '../src/mlx/mlx-api.js';
import { decideClearCacheLock } from '../src/mlx/clear-cache-lock.js';
import { imageSizeWarning, smolvlmPictures } from '../src/mlx/image-size-warning.js';
import { findMlxSwiftPin, parsePackageResolved } from '../src/mlx/package-resolved.js';
import { swiftToolsNote } from '../src/mlx/swift-tools.js';
import { pinnedRelease } from '../src/mlx/lm-release.js';
import type { PackagePin } from '../src/mlx/package-resolved.js';
import { makeProject } from './helpers/cli.js';
import { EXAMPLES_0AF2EFE as EXAMPLES_0AF2EFE_PINS, EXAMPLES_378F244, HUGGINGSNAP_88AAFBA, packageResolvedText, VLMEVAL_44B14CF as VLMEVAL_44B14CF_PINS } from './helpers/package-resolved.js';
import { editedPolicy } from './helpers/policy.js';

const VLMEVAL_44B14CF = packageResolvedText(VLMEVAL_44B14CF_PINS);
const EXAMPLES_0AF2EFE = packageResolvedText(EXAMPLES_0AF2EFE_PINS);
const XCODE_RESOLVED = 'VLMEval.xcodeproj/project.xcworkspace/xcshareddata/swiftpm/Package.resolved';

describe('reading Package.resolved', () => {
  it('finds mlx-swift 0.29.1 in VLMEval\'s file (format 3) at its line', () => {
    const { resolved, diagnostics } = parsePackageResolved(VLMEVAL_44B14CF, 'Package.resolved');
    expect(diagnostics).toEqual([]);
    expect(resolved?.formatVersion).toBe(3);
    expect(resolved?.pins.map((pin) => pin.identity)).toContain('mlx-swift-lm');
    const pin = findMlxSwiftPin(resolved!);
    expect(pin).toMatchObject({ identity: 'mlx-swift', version: '0.29.1', revision: '072b684acaae80b6a463abab3a103732f33774bf' });
    expect(VLMEVAL_44B14CF.split('\n')[pin!.line - 1]).toMatch(/^\s*\{$/);
    expect(VLMEVAL_44B14CF.split('\n')[pin!.line]).toContain('"identity" : "mlx-swift"');
  });

  it('reads a branch pin without a version from a format 2 file (mlx-swift-examples, March 2024)', () => {
    const pin = findMlxSwiftPin(parsePackageResolved(EXAMPLES_0AF2EFE, 'Package.resolved').resolved!);
    expect(pin).toMatchObject({ identity: 'mlx-swift', branch: 'main', revision: '948000ceaa27c343f4dd5ce40f727f221bf45c6e' });
    expect(pin?.version).toBeUndefined();
  });

  it('reads format 1 (Xcode 13.2 and SwiftPM 5.5 and earlier), by package name or by repository', () => {
    // Written for the test: format 1 predates mlx-swift, so no real app file pins it.
    const v1 = (pkg: string, url: string) => JSON.stringify({ object: { pins: [{ package: 'Alamofire', repositoryURL: 'https://github.com/Alamofire/Alamofire.git', state: { branch: null, revision: 'a1', version: '5.8.1' } }, { package: pkg, repositoryURL: url, state: { branch: null, revision: 'b2', version: '0.30.6' } }] }, version: 1 }, null, 2);
    for (const text of [v1('mlx-swift', 'https://github.com/ml-explore/mlx-swift'), v1('MLX', 'https://github.com/someone/mlx-swift.git')]) {
      const { resolved } = parsePackageResolved(text, 'Package.resolved');
      expect(resolved?.formatVersion).toBe(1);
      expect(findMlxSwiftPin(resolved!)?.version).toBe('0.30.6');
    }
  });

  it.each([
    ['broken JSON', '{\n  "pins" : [\n    { "identity": "mlx-swift", }\n  ],\n  "version" : 2\n}\n', /^Package\.resolved:3:32: error: not valid JSON \(.+\); Xcode and `swift package resolve` write this file/],
    ['an unknown format', '{ "pins": [], "version": 4 }', /^Package\.resolved:1:26: error: is format version 4; memtier reads versions 1, 2, 3$/],
    ['no version', '{ "pins": [] }', /^Package\.resolved:1:1: error: has no "version" number/],
    ['not an object', '[1, 2]', /^Package\.resolved:1:1: error: expected a JSON object with "pins" and "version"/],
    ['format 2 without pins', '{ "version": 2 }', /^Package\.resolved:1:1: error: has no "pins" list, which format version 2 has$/],
    ['an empty file', '', /^Package\.resolved:1:1: error: not valid JSON/],
  ])('refuses %s with a located error', (_, text, message) => {
    const { resolved, diagnostics } = parsePackageResolved(text, 'Package.resolved');
    expect(resolved).toBeUndefined();
    expect(diagnostics.map(formatDiagnostic)).toEqual([expect.stringMatching(message)]);
  });
});

describe('the memory API of an mlx-swift release', () => {
  it.each([
    ['0.25.6', 'gpu'], ['0.29.1', 'gpu'], ['0.30.0', 'gpu'], ['0.30.1', 'memory'], ['0.30.6', 'memory'],
    ['0.31.6', 'memory'], ['1.0.0', 'memory'], ['v0.29.1', 'gpu'], ['0.30.1-beta', 'memory'], ['main', undefined], ['0.30', undefined],
  ])('%s -> %s', (version, api) => expect(mlxApiForVersion(version)).toBe(api));

  const place = { file: 'tiers.yaml', line: 66, column: 11, path: 'evaluator.mlxApi' };
  const pinned = (version: string | undefined, branch?: string) => ({ pin: { identity: 'mlx-swift', version, branch, line: 12, column: 5 }, file: 'Package.resolved' });

  it('follows the pinned release when the policy does not say, and agrees silently when it does', () => {
    expect(decideMlxApi({ policyPlace: place, pin: pinned('0.30.2') })).toEqual({ mlxApi: 'memory', diagnostics: [] });
    expect(decideMlxApi({ declared: 'gpu', policyPlace: place, pin: pinned('0.29.1') })).toEqual({ mlxApi: 'gpu', diagnostics: [] });
    expect(decideMlxApi({ policyPlace: place })).toEqual({ mlxApi: 'gpu', diagnostics: [] });
  });

  it('names both sides when they disagree', () => {
    expect(decideMlxApi({ declared: 'gpu', policyPlace: place, pin: pinned('0.30.2') }).diagnostics.map(formatDiagnostic)).toEqual([
      'tiers.yaml:66:11: error: evaluator.mlxApi: mlxApi: gpu, but Package.resolved pins mlx-swift 0.30.2, where GPU.set and GPU.clearCache are deprecated (since 0.30.1); use memory (or remove mlxApi to follow the pinned release)',
    ]);
    expect(decideMlxApi({ declared: 'memory', policyPlace: place, pin: pinned('0.29.1') }).diagnostics.map(formatDiagnostic)).toEqual([
      'tiers.yaml:66:11: error: evaluator.mlxApi: mlxApi: memory, but Package.resolved pins mlx-swift 0.29.1, which has no MLX.Memory (it arrived in 0.30.1); use gpu (or remove mlxApi to follow the pinned release)',
    ]);
  });

  it('a branch pin needs mlxApi written out, and then only warns', () => {
    expect(decideMlxApi({ policyPlace: place, pin: pinned(undefined, 'main') }).diagnostics[0]).toMatchObject({ severity: 'error', message: expect.stringContaining('pins mlx-swift at branch main, not a release') });
    expect(decideMlxApi({ declared: 'memory', policyPlace: place, pin: pinned(undefined, 'main') })).toMatchObject({ mlxApi: 'memory', diagnostics: [{ severity: 'warning', file: 'Package.resolved', line: 12 }] });
  });
});

describe('the image-size warning: what SmolVLM2 does with image size in the pinned mlx-swift-lm', () => {
  const place = { file: 'tiers.yaml', line: 18, column: 16, path: 'tiers[0].imageSize' };
  const lm = (version: string) => ({ pin: { identity: 'mlx-swift-lm', version, line: 1, column: 1 }, file: 'Package.resolved' });

  it('before 3.31.4 every image is upscaled to 2048 px and tiled: no tier\'s size changes the memory', () => {
    expect(imageSizeWarning({ pin: lm('2.29.2'), imageSizes: [192, 256, 384, 448], place })?.message).toBe('mlx-swift-lm 2.29.2, as the app\'s Package.resolved pins it, enlarges every SmolVLM2 image to 2048 px before tiling it, so no tier\'s imageSize saves memory (3.31.4 stops that; see docs/mlx-releases.md)');
    expect(imageSizeWarning({ pin: lm('3.31.3'), imageSizes: [2048], place })).toBeDefined();
  });

  it('from 3.31.4 nothing is enlarged, but each side is rounded up to whole tiles and a global image added: sizes with the same tiles cost the same', () => {
    expect(imageSizeWarning({ pin: lm('3.31.4'), imageSizes: [192, 256, 384, 448], place })).toEqual({
      severity: 'warning', ...place, id: 'image-size-saves-no-memory',
      message: 'with mlx-swift-lm 3.31.4, SmolVLM2 rounds each side up to whole 512 px tiles, so these sizes (192, 256, 384, 448) all cost 1x1 tiles plus a global image: the same memory',
    });
    // 600 px and 1000 px both round up to 1024: 2x2 tiles.
    expect(imageSizeWarning({ pin: lm('3.31.4'), imageSizes: [600, 1000, 1000], place })?.message).toContain('these sizes (600, 1000) all cost 2x2 tiles plus a global image');
    expect(imageSizeWarning({ pin: lm('3.31.4'), imageSizes: [256, 1024], place })).toBeUndefined();
    expect(imageSizeWarning({ pin: lm('3.31.4'), imageSizes: [512, 513], place })).toBeUndefined();
    // One size has nothing to be compared with; no pin, or a branch, says nothing.
    expect(imageSizeWarning({ pin: lm('3.31.4'), imageSizes: [256, 256], place })).toBeUndefined();
    expect(imageSizeWarning({ pin: undefined, imageSizes: [256, 384], place })).toBeUndefined();
    expect(imageSizeWarning({ pin: { ...lm('3.31.4'), pin: { identity: 'mlx-swift-lm', branch: 'main', line: 1, column: 1 } }, imageSizes: [256, 384], place })).toBeUndefined();
    // Later releases keep the rule (main's SmolVLM2 changed only its video path).
    expect(imageSizeWarning({ pin: lm('3.32.0'), imageSizes: [192, 448], place })).toBeDefined();
  });

  it('follows the model\'s tiles: 384 px on SmolVLM2-2.2B, where 448 px is 2x2 tiles and 384 px one', () => {
    const large = { tileEdge: 384, longestEdge: 1536 };
    expect(imageSizeWarning({ pin: lm('3.31.4'), imageSizes: [192, 256, 384, 448], place, model: large })).toBeUndefined();
    expect(imageSizeWarning({ pin: lm('3.31.4'), imageSizes: [192, 256, 384], place, model: large })?.message).toContain('whole 384 px tiles, so these sizes (192, 256, 384) all cost 1x1 tiles');
    expect(imageSizeWarning({ pin: lm('2.30.6'), imageSizes: [192], place, model: large })?.message).toContain('enlarges every SmolVLM2 image to 1536 px before tiling it');
  });

  it('counts what a square image of the size costs: tiles per side rounded up, capped at the longest edge, plus the global image', () => {
    const small = { tileEdge: 512, longestEdge: 2048 };
    expect([1, 512, 513, 1024, 1025, 2048, 4032].map((size) => smolvlmPictures(size, small))).toEqual([
      { tilesPerSide: 1, pictures: 2 }, { tilesPerSide: 1, pictures: 2 }, { tilesPerSide: 2, pictures: 5 }, { tilesPerSide: 2, pictures: 5 },
      { tilesPerSide: 3, pictures: 10 }, { tilesPerSide: 4, pictures: 17 }, { tilesPerSide: 4, pictures: 17 },
    ]);
    expect(smolvlmPictures(448, { tileEdge: 384, longestEdge: 1536 })).toEqual({ tilesPerSide: 2, pictures: 5 });
  });
});

describe('mlx-swift 0.31.5 and later need Swift tools 6.3 (their Package.swift declares swift-tools-version 6.3)', () => {
  const swiftPin = (version?: string, branch?: string) => ({ pin: { identity: 'mlx-swift', version, branch, line: 22, column: 5 }, file: 'Package.resolved' });

  it('a pin of 0.31.5 or later gets a note at the pin, with an id; 0.31.4 and earlier, a branch or no pin get none', () => {
    for (const version of ['0.31.5', '0.31.6', '0.32.0']) {
      expect(swiftToolsNote(swiftPin(version))).toEqual({
        severity: 'note', file: 'Package.resolved', line: 22, column: 5, id: 'mlx-swift-needs-swift-6.3',
        message: `pins mlx-swift ${version}, which needs Swift tools 6.3 (Xcode 26.4 or later; Xcode 26.3 has Swift 6.2.3); with an older Xcode, pin mlx-swift 0.31.4`,
      });
    }
    for (const version of ['0.29.1', '0.30.6', '0.31.3', '0.31.4']) expect(swiftToolsNote(swiftPin(version))).toBeUndefined();
    expect(swiftToolsNote(swiftPin(undefined, 'main'))).toBeUndefined();
    expect(swiftToolsNote(undefined)).toBeUndefined();
  });
});

describe('whether the pinned clearCache takes MLX\'s lock (mlx-swift 5bd59d0, first in 0.30.3)', () => {
  const declaredPlace = { file: 'tiers.yaml', line: 76, column: 3, path: 'evaluator.clearCacheTakesLock' };
  const warningPlace = { file: 'tiers.yaml', line: 75, column: 3, path: 'evaluator.mlxApi' };
  const swiftPin = (version?: string, branch?: string) => ({ pin: { identity: 'mlx-swift', version, branch, line: 4, column: 5 }, file: 'Package.resolved' });
  const decide = (pin: ReturnType<typeof swiftPin> | undefined, declared?: boolean) => decideClearCacheLock({ declared, declaredPlace, warningPlace, pin });

  it('from 0.30.3 it does; before, it does not, with a warning that says what that costs', () => {
    for (const version of ['0.30.3', '0.30.6', '0.31.6', '1.0.0']) expect(decide(swiftPin(version))).toEqual({ clearCacheTakesLock: true, diagnostics: [] });
    for (const version of ['0.29.1', '0.30.1', '0.30.2']) {
      const { clearCacheTakesLock, diagnostics } = decide(swiftPin(version));
      expect(clearCacheTakesLock).toBe(false);
      expect(diagnostics).toEqual([{
        severity: 'warning', ...warningPlace, id: 'clear-cache-unlocked',
        message: `mlx-swift ${version}, as the app's Package.resolved pins it, clears MLX's cache without a lock, so memtier clears it only after an answer that ran to its end, never after a cancel (0.30.3 fixes that)`,
      }]);
      expect(diagnostics[0]!.message.length).toBeLessThanOrEqual(200);
    }
  });

  it('unknown (no pin, or a branch) is the safe answer, no lock, unless the policy says otherwise', () => {
    expect(decide(undefined)).toEqual({ clearCacheTakesLock: false, diagnostics: [] });
    expect(decide(swiftPin(undefined, 'main'))).toEqual({ clearCacheTakesLock: false, diagnostics: [] });
    expect(decide(swiftPin(undefined, 'main'), true)).toEqual({ clearCacheTakesLock: true, diagnostics: [] });
    expect(decide(undefined, true).clearCacheTakesLock).toBe(true);
  });

  it('true for a pin before 0.30.3 is an error at the key; false for a later pin is kept (it only gives up clears)', () => {
    expect(decide(swiftPin('0.29.1'), true)).toEqual({ clearCacheTakesLock: false, diagnostics: [{
      severity: 'error', ...declaredPlace,
      message: 'clearCacheTakesLock: true, but Package.resolved pins mlx-swift 0.29.1, whose clearCache takes no lock (it does from 0.30.3); remove it to follow the pinned release',
    }] });
    expect(decide(swiftPin('0.30.6'), false)).toEqual({ clearCacheTakesLock: false, diagnostics: [] });
  });
});

describe('generate and check follow the app\'s Package.resolved', () => {
  let project: ReturnType<typeof makeProject>;
  afterEach(() => project?.cleanup());

  /** An app folder: tiers.yaml naming VLMEval/ContentView.swift, and Xcode's Package.resolved. */
  function app(policyEdits: [path: (string | number)[], value: unknown][] = [], resolved = VLMEVAL_44B14CF, resolvedPath = XCODE_RESOLVED) {
    const policy = editedPolicy([[['evaluator', 'mlxApi'], undefined], [['evaluator', 'source'], 'VLMEval/ContentView.swift'], ...policyEdits]);
    project = makeProject({ 'tiers.yaml': policy, [resolvedPath]: resolved, 'VLMEval/ContentView.swift': '' });
    return project;
  }
  /** The generated Swift files next to each other (the MLX calls are in whichever the templates put them). */
  const generatedSwift = () => readdirSync(project.path('generated')).filter((name) => name.endsWith('.swift')).sort()
    .map((name) => readFileSync(project.path('generated', name), 'utf8')).join('\n');

  it('0.29.1 in the Xcode project gives MLX.GPU; a bump to 0.30.2 makes check fail and generate switch to MLX.Memory', async () => {
    app();
    const generated = await project.run('generate');
    expect(generated.code).toBe(0);
    // VLMEval pins mlx-swift-lm 2.29.2 too: the shipped image sizes cannot bound SmolVLM2's memory there.
    expect(generated.stderr).toMatch(/^tiers\.yaml:\d+:\d+: warning: tiers\[0\]\.imageSize: mlx-swift-lm 2\.29\.2, as the app's Package\.resolved pins it, enlarges every SmolVLM2 image to 2048 px before tiling it, so no tier's imageSize saves memory \(3\.31\.4 stops that; see docs\/mlx-releases\.md\) \[image-size-saves-no-memory\]$/m);
    expect(generatedSwift()).toContain('MLX.GPU.set(cacheLimit: memoryConfiguration.cacheLimit)');
    // 0.29.1's clearCache takes no lock: the warning is at the evaluator, and the code clears only after an answer.
    expect(generated.stderr).toMatch(/^tiers\.yaml:\d+:\d+: warning: evaluator: mlx-swift 0\.29\.1, as the app's Package\.resolved pins it, clears MLX's cache without a lock, .* \[clear-cache-unlocked\]$/m);
    expect(generatedSwift()).toContain('nonisolated static let clearCacheTakesLock = false');
    writeFileSync(project.path(XCODE_RESOLVED), VLMEVAL_44B14CF.replace('"version" : "0.29.1"', '"version" : "0.30.2"'));
    const check = await project.run('check');
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('+    MLX.Memory.cacheLimit = memoryConfiguration.cacheLimit');
    expect((await project.run('generate')).code).toBe(0);
    expect(generatedSwift()).not.toMatch(/^\s*MLX\.GPU\./m);
  });

  it('a SwiftPM Package.resolved next to the policy counts too', async () => {
    app([], VLMEVAL_44B14CF.replace('"version" : "0.29.1"', '"version" : "0.31.6"'), 'Package.resolved');
    const generated = await project.run('generate');
    expect(generated.code).toBe(0);
    expect(generatedSwift()).toContain('MLX.Memory.clearCache()');
    expect(generatedSwift()).toContain('nonisolated static let clearCacheTakesLock = true');
    expect(generated.stderr).not.toContain('clear-cache-unlocked');
  });

  it('mlx-swift-examples 378f244 (mlx-swift 0.31.4, mlx-swift-lm 3.31.3) gives MLX.Memory and a locked clearCache; a fresh resolve (0.31.6, 3.31.4) adds the Swift 6.3 note at the pin and the 3.31.4 image-size rule', async () => {
    const resolved = packageResolvedText(EXAMPLES_378F244);
    app([], resolved);
    const first = await project.run('generate');
    expect(first.code).toBe(0);
    expect(generatedSwift()).toContain('MLX.Memory.cacheLimit = memoryConfiguration.cacheLimit');
    expect(generatedSwift()).toContain('nonisolated static let clearCacheTakesLock = true');
    expect(first.stderr).toMatch(/warning: tiers\[0\]\.imageSize: mlx-swift-lm 3\.31\.3, as the app's Package\.resolved pins it, enlarges every SmolVLM2 image to 2048 px before tiling it/);
    expect(first.stderr).not.toContain('mlx-swift-needs-swift-6.3');
    const fresh = resolved.replace('"version" : "0.31.4"', '"version" : "0.31.6"').replace('"version" : "3.31.3"', '"version" : "3.31.4"');
    expect(fresh).not.toBe(resolved);
    writeFileSync(project.path(XCODE_RESOLVED), fresh);
    const second = await project.run('generate');
    expect(second.code).toBe(0);
    expect(generatedSwift()).toContain('MLX.Memory.cacheLimit = memoryConfiguration.cacheLimit');
    // The pin's line is that of its opening brace, the line before its identity.
    const pinLine = fresh.split('\n').findIndex((text) => text.includes('"identity" : "mlx-swift"'));
    expect(second.stderr).toContain(`${XCODE_RESOLVED}:${pinLine}:5: note: pins mlx-swift 0.31.6, which needs Swift tools 6.3 (Xcode 26.4 or later; Xcode 26.3 has Swift 6.2.3); with an older Xcode, pin mlx-swift 0.31.4 [mlx-swift-needs-swift-6.3]\n`);
    expect(second.stderr).toMatch(/warning: tiers\[0\]\.imageSize: with mlx-swift-lm 3\.31\.4, SmolVLM2 rounds each side up to whole 512 px tiles, so these sizes \(192, 256, 384, 448\) all cost 1x1 tiles plus a global image: the same memory \[image-size-saves-no-memory\]$/m);
  });

  it('mlxApi that contradicts the pin is an error at its line; nothing is written', async () => {
    app([[['evaluator', 'mlxApi'], 'memory']]);
    const result = await project.run('generate');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^tiers\\.yaml:\\d+:\\d+: error: evaluator\\.mlxApi: mlxApi: memory, but ${XCODE_RESOLVED.replace(/\./g, '\\.')} pins mlx-swift 0\\.29\\.1, which has no MLX\\.Memory`, 'm'));
    expect(() => readFileSync(project.path('generated', 'DeviceMemoryTier.swift'))).toThrow();
  });

  it('clearCacheTakesLock: true that contradicts the pin is an error at its line; nothing is written', async () => {
    app([[['evaluator', 'clearCacheTakesLock'], true]]);
    const result = await project.run('generate');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^tiers\\.yaml:\\d+:\\d+: error: evaluator\\.clearCacheTakesLock: clearCacheTakesLock: true, but ${XCODE_RESOLVED.replace(/\./g, '\\.')} pins mlx-swift 0\\.29\\.1, whose clearCache takes no lock`, 'm'));
    expect(() => readFileSync(project.path('generated', 'DeviceMemoryTier.swift'))).toThrow();
  });

  it.each([
    ['mlx-swift and mlx-swift-lm (VLMEval 44b14cf)', VLMEVAL_44B14CF, '0.29.1'],
    ['mlx-swift alone, MLXLMCommon from a fork of mlx-swift-examples (HuggingSnap 88aafba)', packageResolvedText(HUGGINGSNAP_88AAFBA), '0.21.3'],
  ])('evaluator.packageResolved may name a file that pins %s', async (_, resolved, version) => {
    app([[['evaluator', 'packageResolved'], 'Pins/Package.resolved']], resolved, 'Pins/Package.resolved');
    const result = await project.run('generate');
    expect(result.stderr).not.toContain('pins no mlx-swift package');
    expect(result.code).toBe(0);
    // The mlx-swift pin is what was read: its release decides the API and the lock.
    expect(generatedSwift()).toContain('MLX.GPU.set(cacheLimit: memoryConfiguration.cacheLimit)');
    expect(result.stderr).toContain(`warning: evaluator: mlx-swift ${version}, as the app's Package.resolved pins it, clears MLX's cache without a lock`);
    // The image-size warning needs an mlx-swift-lm pin; without one it says nothing.
    expect(result.stderr.includes('[image-size-saves-no-memory]')).toBe(resolved === VLMEVAL_44B14CF);
  });

  it('a named file that pins no mlx-swift at all is refused at its first line', async () => {
    const noMlx = packageResolvedText({ ...HUGGINGSNAP_88AAFBA, pins: HUGGINGSNAP_88AAFBA.pins.filter((entry) => entry.identity !== 'mlx-swift') });
    app([[['evaluator', 'packageResolved'], 'Pins/Package.resolved']], noMlx, 'Pins/Package.resolved');
    const result = await project.run('generate');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Pins/Package.resolved:1:1: error: pins no mlx-swift package; evaluator.packageResolved must name the Package.resolved of the app that uses MLX\n');
  });

  it('evaluator.packageResolved names the file; a missing one is an error at that key', async () => {
    app([[['evaluator', 'packageResolved'], 'Other/Package.resolved']]);
    const result = await project.run('check');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^tiers\.yaml:\d+:\d+: error: evaluator\.packageResolved: Other\/Package\.resolved does not exist$/m);
  });

  it('a broken Package.resolved is reported in that file, at the line and column, in GitHub format too', async () => {
    app([], '{\n  "pins" : [\n    { "identity": "mlx-swift", }\n  ],\n  "version" : 2\n}\n');
    const result = await project.run('check', '--format', 'github');
    expect(result.code).toBe(2);
    expect(result.stdout).toContain(`::error file=${XCODE_RESOLVED},line=3,col=32,title=memtier::not valid JSON`);
  });

  it('with no evaluator in the policy, a Package.resolved that cannot be read does not stop generate: a warning, and the estimate keeps the catalog\'s release', async () => {
    project = makeProject({ 'tiers.yaml': editedPolicy([[['evaluator'], null]]), 'Package.resolved': '{ not json' });
    const result = await project.run('generate');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^Package\.resolved:1:3: warning: not valid JSON .*; the memory estimate keeps the catalog's mlx-swift-lm release \[package-resolved-unreadable\]$/m);
  });

  it('with neither an evaluator nor a model in the policy, Package.resolved is not read', async () => {
    project = makeProject({ 'tiers.yaml': editedPolicy([[['evaluator'], null], [['model'], undefined], [['acknowledged'], []]]), 'Package.resolved': '{ not json' });
    const result = await project.run('generate');
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('Package.resolved');
  });
});

describe('the memory estimate stands for the mlx-swift-lm the app pins', () => {
  it('orders releases as numbers; a branch or revision pin settles nothing', () => {
    const at = (version?: string, branch?: string) => pinnedRelease({ pin: { identity: 'mlx-swift-lm', ...(version ? { version } : {}), ...(branch ? { branch } : {}), revision: 'r', line: 1, column: 1 } satisfies PackagePin, file: 'Package.resolved' });
    expect(at('2.29.2')?.upscalesImages).toBe(true);
    expect(at('3.31.3')?.upscalesImages).toBe(true);
    expect(at('3.31.4')?.upscalesImages).toBe(false);
    expect(at('3.31.10')?.upscalesImages).toBe(false);
    expect(at('4.0.0')?.upscalesImages).toBe(false);
    expect(at(undefined, 'main')).toBeUndefined();
  });

  let project: ReturnType<typeof makeProject>;
  afterEach(() => project?.cleanup());
  // mlx-swift-examples 378f244 pins mlx-swift-lm 3.31.3 (1c05248); 3.31.4 is the tag at bd4b743.
  const PINS_3313 = packageResolvedText(EXAMPLES_378F244);
  const PINS_3314 = PINS_3313.replace('"revision" : "1c05248bb0899e2a7a4962b84d319cf12f4e12aa"', '"revision" : "bd4b7434e6bdb588c7ef55706ff8904cb7fd4c57"').replace('"version" : "3.31.3"', '"version" : "3.31.4"');
  const app = (resolved: string, edits: [path: (string | number)[], value: unknown][] = []) => {
    const policy = editedPolicy([[['evaluator', 'mlxApi'], undefined], [['evaluator', 'source'], 'VLMEval/ContentView.swift'], ...edits]);
    project = makeProject({ 'tiers.yaml': policy, [XCODE_RESOLVED]: resolved, 'VLMEval/ContentView.swift': '' });
    return project;
  };
  /** The estimate of a tier as budget --json gives it, and where upscalesImages came from. */
  const budget = async () => {
    const result = await project.run('budget', '--json');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { model: { sources: Record<string, { source: string }> }; tiers: { name: string; estimate: { total: number; release: string } }[] };
    return { json, ultraLow: json.tiers.find((tier) => tier.name === 'ultraLow')!.estimate };
  };

  it('pinned 3.31.3, images are enlarged: the 2.29.2 measurements; pinned 3.31.4, the 3.31.4 ones, and the source says which file pins it', async () => {
    app(PINS_3313);
    const before = await budget();
    expect(before.ultraLow.release).toBe('2.29.2');
    expect(before.json.model.sources.upscalesImages!.source).toBe(`mlx-swift-lm 3.31.3, as ${XCODE_RESOLVED} pins it: before 3.31.4, the processor enlarges every image to longestEdge before tiling it`);
    writeFileSync(project.path(XCODE_RESOLVED), PINS_3314);
    const after = await budget();
    expect(after.ultraLow.release).toBe('3.31.4');
    expect(after.json.model.sources.upscalesImages!.source).toContain('mlx-swift-lm 3.31.4, as');
    // One 512 px tile and a global image instead of 4x4 tiles and a global image.
    expect(after.ultraLow.total).toBeLessThan(before.ultraLow.total * 0.7);
    const explained = await project.run('explain', 'ultraLow');
    expect(explained.stdout).toContain('192 px in 1x1 tiles of 512 px + a global image');
    expect(explained.stdout).toContain('mlx-swift-lm 3.31.4 (for 3.31.4 and later)');
  });

  it('the policy\'s own upscalesImages wins over the pin', async () => {
    app(PINS_3314, [[['model'], { name: 'SmolVLM2-500M-Video-Instruct-mlx', upscalesImages: true }]]);
    const { json, ultraLow } = await budget();
    expect(ultraLow.release).toBe('2.29.2');
    expect(json.model.sources.upscalesImages!.source).toBe('tiers.yaml');
  });

  it('check and generate warn from the pinned release: 3.31.4 brings ultraLow under its memoryLimit, and its acknowledgement becomes a note to remove', async () => {
    app(PINS_3313);
    const old = await project.run('generate');
    expect(old.code).toBe(0);
    expect(old.stderr).toContain('estimate-over-memory-limit:ultraLow');
    expect(old.stderr).not.toContain('no longer reports');
    const estimates = () => readFileSync(project.path('generated', 'MemoryConfiguration.swift'), 'utf8').split('\n').filter((line) => /^\s*(return \d|\/\/\/ For )/.test(line) || line.includes('as mlx-swift-lm'));
    const oldEstimates = estimates();
    expect(oldEstimates.join('\n')).toContain('before 3.31.4');
    writeFileSync(project.path(XCODE_RESOLVED), PINS_3314);
    const check = await project.run('check');
    expect(check.stderr).toMatch(/note: acknowledged\[0\]\.warning: acknowledges "estimate-over-memory-limit:ultraLow", which memtier no longer reports/);
    const fresh = await project.run('generate');
    expect(fresh.code).toBe(0);
    // MemoryConfiguration.estimatedPeakBytes(for:), which the stress test compares with, follows the pin too.
    const newEstimates = estimates();
    expect(newEstimates.join('\n')).toContain('3.31.4 and later');
    const numbers = (lines: string[]) => lines.filter((line) => line.includes('return')).map((line) => Number(/return ([\d_]+)/.exec(line)![1]!.replace(/_/g, '')));
    expect(numbers(newEstimates)).toHaveLength(4);
    numbers(newEstimates).forEach((value, index) => expect(value).toBeLessThan(numbers(oldEstimates)[index]! * 0.7));
  });

  it('two Package.resolved files that disagree about mlx-swift-lm are an error in generate, a warning in budget', async () => {
    app(PINS_3313);
    writeFileSync(project.path('Package.resolved'), PINS_3314);
    const generated = await project.run('generate');
    expect(generated.code).toBe(2);
    expect(generated.stderr).toMatch(/error: evaluator: the app's Package\.resolved files disagree about mlx-swift-lm \(.*\), which decides how images are tiled; set evaluator\.packageResolved/);
    expect(generated.stderr).toContain('Package.resolved pins 3.31.4');
    expect(generated.stderr).toContain(`${XCODE_RESOLVED} pins 3.31.3`);
    const budget = await project.run('budget');
    expect(budget.code).toBe(0);
    expect(budget.stderr).toContain('warning: evaluator: the app\'s Package.resolved files disagree about mlx-swift-lm');
    expect(budget.stdout).toContain('before pull request 255');
  });

  it('a policy\'s upscalesImages against the pinned release is a warning at the key', async () => {
    app(PINS_3313, [[['model'], { name: 'SmolVLM2-500M-Video-Instruct-mlx', upscalesImages: false }]]);
    const result = await project.run('check');
    expect(result.stderr).toMatch(/^tiers\.yaml:\d+:\d+: warning: model\.upscalesImages: upscalesImages: false, but [^ ]+ pins mlx-swift-lm 3\.31\.3, which enlarges every image to longestEdge before tiling it; the estimate follows upscalesImages \(remove it to follow the pin\) \[upscales-images-against-pin\]$/m);
    expect((await project.run('budget')).stderr).toContain('[upscales-images-against-pin]');
  });

  it('a branch pin of mlx-swift-lm keeps the catalog\'s release, with a note at the pin', async () => {
    const branch = PINS_3313.replace('"version" : "3.31.3"', '"branch" : "main"');
    expect(branch).not.toBe(PINS_3313);
    app(branch);
    const result = await project.run('check');
    expect(result.stderr).toMatch(/: note: pins mlx-swift-lm to the branch main, not a release, so memtier cannot tell how it tiles images; the estimate keeps the catalog's \(every image enlarged first, as before 3\.31\.4\); set model\.upscalesImages to say \[mlx-swift-lm-release-unknown\]$/m);
    const { ultraLow } = await budget();
    expect(ultraLow.release).toBe('2.29.2');
  });

  it('budget reads a broken Package.resolved as a warning and keeps the catalog\'s release', async () => {
    app('{\n  "pins" : [\n    { "identity": "mlx-swift", }\n  ],\n  "version" : 2\n}\n');
    const result = await project.run('budget');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`${XCODE_RESOLVED}:3:32: warning: not valid JSON`);
    expect(result.stdout).toContain('before pull request 255');
  });
});
