/**
 * The on-device stress report's documented format: docs/stress-report.schema.json is what the zod
 * schema in src/reports/stress-report.ts derives, and the schema refuses what the Swift side must
 * never write. (The report the generated Swift writes is checked against it in
 * test/swift/package.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { stressReportJsonSchema, stressReportSchema, stressReportSchemaV2 } from '../src/reports/stress-report.js';

const { format } = createRequire(import.meta.url)('prettier') as typeof import('prettier');

const report = {
  format: 'memtier-stress-report/3',
  device: 'iPhone14,5',
  osVersion: '18.1.0',
  thermalStateAtStart: 'nominal',
  thermalStateAtEnd: 'fair',
  physicalMemory: 3_865_470_566,
  buildConfiguration: 'release',
  tier: 'standard',
  budget: { peakFootprint: 2_621_440_000, minTokensPerSecond: 15, maxSecondsToFirstToken: 2, maxMainActorStallSeconds: 0.1 },
  maxTokens: 800,
  baselineFootprint: 150_000_000,
  scenarios: [{
    name: 'firstLoad',
    answers: [{
      index: 1, image: 0, loadedModel: true, cancelled: false, secondsToFirstToken: 4.2, seconds: 9.5, tokens: 120, tokensPerSecond: 22.8,
      peakFootprint: 1_900_000_000, longestMainActorStallSeconds: 0.012,
      promptTokens: 1_384, footprintAfterLoad: 1_150_000_000, footprintAtFirstToken: 1_700_000_000, footprintAtLastToken: 1_702_000_000,
      footprintGrowthPerToken: 16_806.7, mlxMemory: { activeMemory: 1_500_000_000, cacheMemory: 20_000_000, peakMemory: 1_650_000_000 }, thermalState: 'fair',
      samples: [{ seconds: 0, footprint: 150_000_000, available: 2_900_000_000, pressure: 'normal' }],
    }],
  }],
  peakFootprint: 1_950_000_000,
  sampledPeakFootprint: 1_900_000_000,
  kernelPeakFootprint: 1_950_000_000,
  kernelPeakFootprintBeforeRun: 1_200_000_000,
  modelLoads: 1,
  reloads: 0,
  answersAtMaxTokens: 0,
  cancelledAnswers: 0,
  longestMainActorStallSeconds: 0.012,
  pressureLevels: ['normal'],
  failures: [],
};

describe('the stress report format', () => {
  it('docs/stress-report.schema.json is what the zod schema derives (npm run docs:stress-report-schema)', async () => {
    const expected = await format(JSON.stringify(stressReportJsonSchema()), { parser: 'json' });
    expect(readFileSync(new URL('../docs/stress-report.schema.json', import.meta.url), 'utf8')).toBe(expected);
  });

  it('accepts a report as the Swift side writes it, nil values left out', () => {
    expect(stressReportSchema.safeParse(report).success).toBe(true);
    const { budget: _budget, peakFootprint: _peak, sampledPeakFootprint: _sampled, kernelPeakFootprint: _kernel, kernelPeakFootprintBeforeRun: _before, baselineFootprint: _baseline, ...withoutOptionals } = report;
    expect(stressReportSchema.safeParse(withoutOptionals).success).toBe(true);
  });

  it('format 2, the previous one, is its own schema: the same report without the figures format 3 added', () => {
    const { osVersion: _os, thermalStateAtStart: _start, thermalStateAtEnd: _end, ...rest } = report;
    const answer = report.scenarios[0]!.answers[0]!;
    const { promptTokens: _p, footprintAfterLoad: _l, footprintAtFirstToken: _f, footprintAtLastToken: _t, footprintGrowthPerToken: _g, mlxMemory: _m, thermalState: _s, ...oldAnswer } = answer;
    const old = { ...rest, format: 'memtier-stress-report/2', scenarios: [{ ...report.scenarios[0], answers: [oldAnswer] }] };
    expect(stressReportSchemaV2.safeParse(old).success).toBe(true);
    expect(stressReportSchema.safeParse(old).success).toBe(false);
    expect(stressReportSchemaV2.safeParse({ ...old, osVersion: '18.1.0' }).error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['osVersion'] });
  });

  it.each([
    ['another format version', { ...report, format: 'memtier-stress-report/1' }, ['format']],
    ['a build configuration Swift does not write', { ...report, buildConfiguration: 'Release' }, ['buildConfiguration']],
    ['an answer that does not say whether it was cancelled', { ...report, scenarios: [{ ...report.scenarios[0], answers: [{ ...report.scenarios[0]!.answers[0], cancelled: undefined }] }] }, ['scenarios', 0, 'answers', 0, 'cancelled']],
    ['a report without its count of cancelled answers', (({ cancelledAnswers: _c, ...rest }) => rest)(report), ['cancelledAnswers']],
    ['a negative kernel peak', { ...report, kernelPeakFootprint: -1 }, ['kernelPeakFootprint']],
    ['an unknown scenario', { ...report, scenarios: [{ ...report.scenarios[0], name: 'warmUp' }] }, ['scenarios', 0, 'name']],
    ['a pressure level the monitor does not have', { ...report, pressureLevels: ['high'] }, ['pressureLevels', 0]],
    ['a key nobody documented', { ...report, gpuTemperature: 40 }, []],
    ['a thermal state ProcessInfo does not have', { ...report, thermalStateAtEnd: 'hot' }, ['thermalStateAtEnd']],
    ['a report without its OS version', (({ osVersion: _o, ...rest }) => rest)(report), ['osVersion']],
    ['MLX figures that are not bytes', { ...report, scenarios: [{ ...report.scenarios[0], answers: [{ ...report.scenarios[0]!.answers[0], mlxMemory: { activeMemory: 1.5, cacheMemory: 0, peakMemory: 0 } }] }] }, ['scenarios', 0, 'answers', 0, 'mlxMemory', 'activeMemory']],
    ['a negative footprint after load', { ...report, scenarios: [{ ...report.scenarios[0], answers: [{ ...report.scenarios[0]!.answers[0], footprintAfterLoad: -1 }] }] }, ['scenarios', 0, 'answers', 0, 'footprintAfterLoad']],
    ['a negative footprint', { ...report, peakFootprint: -1 }, ['peakFootprint']],
    ['a failure of an unknown budget', { ...report, failures: [{ budget: 'maxHeat', tier: 'standard', measured: 1, limit: 0, whereMeasured: 'whole run', message: 'x' }] }, ['failures', 0, 'budget']],
  ])('refuses %s', (_name, value, path) => {
    const result = stressReportSchema.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(path);
  });
});
