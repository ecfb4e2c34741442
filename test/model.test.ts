/**
 * The view model is where every decision about the Swift text is made (the templates only loop,
 * substitute and include the sections it switches on), so it is tested directly, per policy
 * variant: the decisions inline below, and the whole model as a reviewed file snapshot.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildModel, type SwiftModel } from '../src/model/build-model.js';
import { editedPolicy, validPolicy } from './helpers/policy.js';
import { POLICY_VARIANTS } from './helpers/variants.js';

const modelOf = (variant: string) => buildModel(validPolicy(POLICY_VARIANTS[variant]), { sourceName: 'tiers.yaml' });

/** The decisions that differ between variants, without the text every variant shares. */
function decisions(model: SwiftModel) {
  return {
    access: model.access,
    sections: model.sections,
    mlx: model.mlx,
    outputs: model.outputs.map((output) => output.path),
    tiers: model.tiers.map((tier) => ({
      case: tier.caseName,
      docLines: tier.docLines,
      upperBound: `${tier.upperBoundValue.literal}${tier.upperBoundValue.trailingComment}`,
      memoryLimit: `${tier.config.memoryLimit.literal}${tier.config.memoryLimit.trailingComment}`,
    })),
    allCases: model.tests?.allCases,
    upperBoundAssertions: model.tests?.upperBoundAssertions,
  };
}

describe('buildModel', () => {
  it('the shipped policy: internal, the mlx-swift 0.29 GPU calls, the monitor and its tests', () => {
    expect(decisions(modelOf('default'))).toMatchInlineSnapshot(`
      {
        "access": "",
        "allCases": "[.ultraLow, .low, .standard, .high]",
        "mlx": {
          "cacheLimitName": "MLX.GPU.set(cacheLimit:)",
          "clearCache": "MLX.GPU.clearCache()",
          "clearCacheTakesLock": "false",
          "memoryLimitName": "MLX.GPU.set(memoryLimit:)",
          "resetPeakMemory": "MLX.GPU.resetPeakMemory()",
          "setCacheLimit": "MLX.GPU.set(cacheLimit: memoryConfiguration.cacheLimit)",
          "setMemoryLimit": "MLX.GPU.set(memoryLimit: memoryLimit)",
          "snapshot": "MLX.GPU.snapshot()",
        },
        "outputs": [
          "DeviceMemoryTier.swift",
          "MemoryConfiguration.swift",
          "MemoryPolicy.swift",
          "MemoryPressureMonitor.swift",
          "Tests/MemoryPolicyTests.swift",
          "Tests/MemoryStressTest.swift",
          "VLMEvaluator+MemoryPolicy.swift",
        ],
        "sections": {
          "monitorTests": true,
          "noExpectations": false,
          "noPromises": false,
          "publicInitializer": false,
        },
        "tiers": [
          {
            "case": "ultraLow",
            "docLines": [
              "/// Devices reporting up to 2 GiB of physical memory.",
              "///",
              "/// Strict limits; the model is unloaded after each answer.",
            ],
            "memoryLimit": "1_572_864_000  // 1500 MiB",
            "upperBound": "2_147_483_648  // 2 GiB",
          },
          {
            "case": "low",
            "docLines": [
              "/// Devices reporting more than 2 GiB, up to 3 GiB of physical memory.",
              "///",
              "/// Moderate limits for 3 GB devices (iPhone XR, iPhone SE 2nd generation).",
            ],
            "memoryLimit": "2_097_152_000  // 2000 MiB",
            "upperBound": "3_221_225_472  // 3 GiB",
          },
          {
            "case": "standard",
            "docLines": [
              "/// Devices reporting more than 3 GiB, up to 6 GiB of physical memory.",
              "///",
              "/// 4 GB and 6 GB devices; the model stays loaded between answers.",
            ],
            "memoryLimit": "2_621_440_000  // 2500 MiB",
            "upperBound": "6_442_450_944  // 6 GiB",
          },
          {
            "case": "high",
            "docLines": [
              "/// Devices reporting more than 6 GiB of physical memory.",
              "///",
              "/// 8 GB devices and larger; MLX keeps its own memory limit.",
            ],
            "memoryLimit": "nil  // no limit: MLX's own default",
            "upperBound": "nil",
          },
        ],
        "upperBoundAssertions": [
          "XCTAssertEqual(DeviceMemoryTier.ultraLow.physicalMemoryUpperBound, 2_147_483_648)",
          "XCTAssertEqual(DeviceMemoryTier.low.physicalMemoryUpperBound, 3_221_225_472)",
          "XCTAssertEqual(DeviceMemoryTier.standard.physicalMemoryUpperBound, 6_442_450_944)",
          "XCTAssertNil(DeviceMemoryTier.high.physicalMemoryUpperBound)",
        ],
      }
    `);
  });

  it('mlxApi: memory calls the mlx-swift 0.30 Memory properties instead', () => {
    expect(modelOf('mlx-memory').mlx).toMatchInlineSnapshot(`
      {
        "cacheLimitName": "MLX.Memory.cacheLimit",
        "clearCache": "MLX.Memory.clearCache()",
        "clearCacheTakesLock": "false",
        "memoryLimitName": "MLX.Memory.memoryLimit",
        "resetPeakMemory": "MLX.Memory.peakMemory = 0",
        "setCacheLimit": "MLX.Memory.cacheLimit = memoryConfiguration.cacheLimit",
        "setMemoryLimit": "MLX.Memory.memoryLimit = memoryLimit",
        "snapshot": "MLX.Memory.snapshot()",
      }
    `);
    const { mlx: _memory, ...rest } = modelOf('mlx-memory');
    const { mlx: _gpu, ...shipped } = modelOf('default');
    expect(rest).toEqual(shipped);
  });

  it('whether the pinned clearCache takes a lock, and what a memory warning means, reach the model as Swift values', () => {
    expect(modelOf('default').mlx.clearCacheTakesLock).toBe('false');
    expect(modelOf('default').pressure).toMatchObject({ memoryWarningLevel: 'warning', memoryWarningQuietSeconds: '30', memoryWarningQuietMilliseconds: '30_000' });
    const settled = validPolicy(editedPolicy([
      [['evaluator', 'clearCacheTakesLock'], true], [['pressure', 'memoryWarning'], 'critical'], [['pressure', 'memoryWarningQuietSeconds'], 45],
    ]));
    const model = buildModel(settled, { sourceName: 'tiers.yaml' });
    expect(model.mlx.clearCacheTakesLock).toBe('true');
    expect(model.pressure).toMatchObject({ memoryWarningLevel: 'critical', memoryWarningQuietSeconds: '45', memoryWarningQuietMilliseconds: '45_000' });
  });

  it('public access adds the public initializer section', () => {
    expect(decisions(modelOf('public'))).toMatchInlineSnapshot(`
      {
        "access": "public ",
        "allCases": "[.ultraLow, .low, .standard, .high]",
        "mlx": {
          "cacheLimitName": "MLX.GPU.set(cacheLimit:)",
          "clearCache": "MLX.GPU.clearCache()",
          "clearCacheTakesLock": "false",
          "memoryLimitName": "MLX.GPU.set(memoryLimit:)",
          "resetPeakMemory": "MLX.GPU.resetPeakMemory()",
          "setCacheLimit": "MLX.GPU.set(cacheLimit: memoryConfiguration.cacheLimit)",
          "setMemoryLimit": "MLX.GPU.set(memoryLimit: memoryLimit)",
          "snapshot": "MLX.GPU.snapshot()",
        },
        "outputs": [
          "DeviceMemoryTier.swift",
          "MemoryConfiguration.swift",
          "MemoryPolicy.swift",
          "MemoryPressureMonitor.swift",
          "Tests/MemoryPolicyTests.swift",
          "Tests/MemoryStressTest.swift",
          "VLMEvaluator+MemoryPolicy.swift",
        ],
        "sections": {
          "monitorTests": true,
          "noExpectations": false,
          "noPromises": false,
          "publicInitializer": true,
        },
        "tiers": [
          {
            "case": "ultraLow",
            "docLines": [
              "/// Devices reporting up to 2 GiB of physical memory.",
              "///",
              "/// Strict limits; the model is unloaded after each answer.",
            ],
            "memoryLimit": "1_572_864_000  // 1500 MiB",
            "upperBound": "2_147_483_648  // 2 GiB",
          },
          {
            "case": "low",
            "docLines": [
              "/// Devices reporting more than 2 GiB, up to 3 GiB of physical memory.",
              "///",
              "/// Moderate limits for 3 GB devices (iPhone XR, iPhone SE 2nd generation).",
            ],
            "memoryLimit": "2_097_152_000  // 2000 MiB",
            "upperBound": "3_221_225_472  // 3 GiB",
          },
          {
            "case": "standard",
            "docLines": [
              "/// Devices reporting more than 3 GiB, up to 6 GiB of physical memory.",
              "///",
              "/// 4 GB and 6 GB devices; the model stays loaded between answers.",
            ],
            "memoryLimit": "2_621_440_000  // 2500 MiB",
            "upperBound": "6_442_450_944  // 6 GiB",
          },
          {
            "case": "high",
            "docLines": [
              "/// Devices reporting more than 6 GiB of physical memory.",
              "///",
              "/// 8 GB devices and larger; MLX keeps its own memory limit.",
            ],
            "memoryLimit": "nil  // no limit: MLX's own default",
            "upperBound": "nil",
          },
        ],
        "upperBoundAssertions": [
          "XCTAssertEqual(DeviceMemoryTier.ultraLow.physicalMemoryUpperBound, 2_147_483_648)",
          "XCTAssertEqual(DeviceMemoryTier.low.physicalMemoryUpperBound, 3_221_225_472)",
          "XCTAssertEqual(DeviceMemoryTier.standard.physicalMemoryUpperBound, 6_442_450_944)",
          "XCTAssertNil(DeviceMemoryTier.high.physicalMemoryUpperBound)",
        ],
      }
    `);
  });

  it('a single tier without an evaluator or tests: no bounds, no monitor section, no test data', () => {
    expect(decisions(modelOf('single-tier'))).toMatchInlineSnapshot(`
      {
        "access": "",
        "allCases": undefined,
        "mlx": {
          "cacheLimitName": "MLX.GPU.set(cacheLimit:)",
          "clearCache": "MLX.GPU.clearCache()",
          "clearCacheTakesLock": "false",
          "memoryLimitName": "MLX.GPU.set(memoryLimit:)",
          "resetPeakMemory": "MLX.GPU.resetPeakMemory()",
          "setCacheLimit": "MLX.GPU.set(cacheLimit: memoryConfiguration.cacheLimit)",
          "setMemoryLimit": "MLX.GPU.set(memoryLimit: memoryLimit)",
          "snapshot": "MLX.GPU.snapshot()",
        },
        "outputs": [
          "DeviceMemoryTier.swift",
          "MemoryConfiguration.swift",
        ],
        "sections": {
          "monitorTests": false,
          "noExpectations": true,
          "noPromises": true,
          "publicInitializer": false,
        },
        "tiers": [
          {
            "case": "everyDevice",
            "docLines": [
              "/// Every device.",
            ],
            "memoryLimit": "nil  // no limit: MLX's own default",
            "upperBound": "nil",
          },
        ],
        "upperBoundAssertions": undefined,
      }
    `);
  });

  it('a policy with no expectations switches on the note that says so', () => {
    const model = modelOf('no-expectations');
    expect(model.tests?.expectations).toEqual([]);
    expect(model.sections).toMatchInlineSnapshot(`
      {
        "monitorTests": true,
        "noExpectations": true,
        "noPromises": true,
        "publicInitializer": false,
      }
    `);
  });

  it('hostile descriptions become safe comment lines', () => {
    expect(modelOf('hostile-descriptions').tiers.map((tier) => tier.docLines)).toMatchInlineSnapshot(`
      [
        [
          "/// Devices reporting up to 2 GiB of physical memory.",
          "///",
          "/// Ends a block comment */ and opens one /*",
          "/// then a directive:",
          "/// #if false",
          "/// let injected = 1",
        ],
        [
          "/// Devices reporting more than 2 GiB, up to 3 GiB of physical memory.",
          "///",
          "/// Quotes " and \\ backslashes, a",
          "/// carriage return,",
          "///  a line separator, ünïcödé and emoji 📱",
        ],
        [
          "/// Devices reporting more than 3 GiB, up to 6 GiB of physical memory.",
          "///",
          "/// blank lines around",
        ],
        [
          "/// Devices reporting more than 6 GiB of physical memory.",
          "///",
          "/// 8 GB devices and larger; MLX keeps its own memory limit.",
        ],
      ]
    `);
  });

  it.each(Object.keys(POLICY_VARIANTS))('the whole model for the %s policy matches its reviewed snapshot', async (variant) => {
    const json = `${JSON.stringify(modelOf(variant), null, 2)}\n`;
    await expect(json).toMatchFileSnapshot(`./__snapshots__/model/${variant}.json`);
  });

  it('the built-in templates decide nothing: no else, no unless, and #if only on a section the model switches on', () => {
    for (const name of ['DeviceMemoryTier', 'MemoryConfiguration', 'MemoryPolicyTests', 'MemoryPressureMonitor', 'VLMEvaluator+MemoryPolicy']) {
      const source = readFileSync(fileURLToPath(new URL(`../templates/${name}.swift.hbs`, import.meta.url)), 'utf8');
      expect(source, name).not.toMatch(/\{\{\s*(else|[#^]unless|\^)/);
      for (const [block] of source.matchAll(/\{\{\s*#if[^}]*\}\}/g)) expect(block, name).toMatch(/^\{\{#if sections\.[A-Za-z]+\}\}$/);
      expect(source, name).not.toMatch(/@(last|first|index)/);
    }
  });
});
