/**
 * memtier's memory estimate against SmolVLM's memory measured with the real MLX (tools/measure/,
 * REPORT.md): for every catalog model, mlx-swift-lm release and tier of the shipped policy, the
 * weights and the KV cache within 5% of MLX's allocations, and the total within 10% of the
 * Metal-equivalent peak plus the tier's cacheLimit, never below it. And src/devices/measured.ts,
 * which the estimate reads, is what scripts/measured-figures.mjs writes from the results.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MEASURED_RUNS, MEASURED_SHAPES } from '../src/devices/measured.js';
import { MODELS, resolveModel } from '../src/devices/models.js';
import { estimateTier } from '../src/policy/memory-estimate.js';
import { validPolicy } from './helpers/policy.js';

const root = new URL('../', import.meta.url);
const policy = validPolicy();
/** The release a measurement stands for, as the estimate knows it: whether the processor enlarges images (before 3.31.4). */
const upscales = { '2.29.2': true, '3.31.4': false } as const;

const points = MODELS.flatMap((model) => (['2.29.2', '3.31.4'] as const).flatMap((release) => policy.tiers.map((tier) => ({ model, release, tier }))));

/** The measured figures of a point: its shape (the tier's image size under that release) and tier. */
function measuredAt(model: string, release: string, tier: string) {
  for (const shape of MEASURED_SHAPES) {
    if (shape.model !== model || shape.release !== release) continue;
    const measured = shape.tiers.find((each) => each.tier === tier);
    if (measured) return { shape, measured };
  }
  return undefined;
}

const ratio = (estimate: bigint, measured: bigint) => Number(estimate - measured) / Number(measured);

describe('the figures the estimate reads', () => {
  it('src/devices/measured.ts is what scripts/measured-figures.mjs writes from tools/measure/results (npm run measure:figures)', () => {
    const written = execFileSync(process.execPath, ['scripts/measured-figures.mjs', '--print'], { cwd: root, encoding: 'utf8' });
    expect(readFileSync(new URL('src/devices/measured.ts', root), 'utf8')).toBe(written);
  });

  it('every catalog model was measured under both releases, in every tier of the shipped policy, each figure with its run', () => {
    for (const { model, release, tier } of points) {
      const found = measuredAt(model.name, release, tier.name);
      expect(found, `${model.name} ${release} ${tier.name}`).toBeDefined();
      expect(found!.measured.maxTokens).toBe(tier.maxTokens);
      expect(found!.measured.cacheLimit).toBe(tier.cacheLimit);
      expect(MEASURED_RUNS[found!.shape.run]!.command).toMatch(/^python tools\/measure\/measure\.py/);
    }
  });
});

describe('the estimate against the measurements (model x release x tier of the shipped policy)', () => {
  it.each(points.map((point) => [point.model.name, point.release, point.tier.name, point] as const))('%s, mlx-swift-lm %s, %s', (_name, release, _tier, { model, tier }) => {
    const resolved = resolveModel({ name: model.name, upscalesImages: upscales[release] }, 'tiers.yaml');
    if (!('model' in resolved)) throw new Error(resolved.problem.message);
    const estimate = estimateTier(resolved.model.numbers, tier);
    const { shape, measured } = measuredAt(model.name, release, tier.name)!;
    const within = (what: string, value: number, bound: number) => expect(Math.abs(value), `${what}: ${(value * 100).toFixed(1)}%`).toBeLessThanOrEqual(bound);
    within('weights', ratio(estimate.weights, shape.weights), 0.05);
    within('KV cache', ratio(estimate.kvCache, measured.kvCache), 0.05);
    const peak = measured.peak + tier.cacheLimit;
    within('peak', ratio(estimate.total, peak), 0.10);
    expect(estimate.total, 'never below the measured peak').toBeGreaterThanOrEqual(peak);
  });
});
