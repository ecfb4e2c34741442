import { describe, expect, it } from 'vitest';
import { classify } from '../src/policy/classify.js';
import type { Policy } from '../src/policy/schema.js';
import { diagnosticsOf, editedPolicy, validPolicy } from './helpers/policy.js';

const GiB = 1024n ** 3n;
const tierOf = (policy: Policy, bytes: bigint) => policy.tiers[classify(policy.tiers, bytes).index]!.name;

/** What 4 GB iPhones report (facts.md section 1): always below 4 GiB, roughly 3.5 to 3.8 GiB. */
const FOUR_GB_PHONES: [string, bigint][] = [
  ['exactly 4 GiB', 4n * GiB],
  ['iPhone 11, about 3.6 GiB', 3_865_470_566n],
  ['iPhone 13, about 3.74 GB', 3_740_000_000n],
  ['low end of the 4 GB range, 3.5 GiB', (7n * GiB) / 2n],
  ['high end of the 4 GB range, 3.8 GiB', (38n * GiB) / 10n],
];

describe('the headline: a 4 GB device is a standard device', () => {
  const policy = validPolicy();

  it.each(FOUR_GB_PHONES)('%s maps to standard', (_, bytes) => {
    expect(tierOf(policy, bytes)).toBe('standard');
  });

  it('and the design document\'s old thresholds (<= 4 GiB is low, <= 3 GiB ultra low) fail the same promises', () => {
    const old = editedPolicy([[['tiers', 0, 'upTo'], '3GiB'], [['tiers', 1, 'upTo'], '4GiB']]);
    const errors = diagnosticsOf(old).filter((line) => line.includes(': error: '));
    expect(errors).toHaveLength(3);
    for (const [index, line] of errors.entries()) {
      expect(line).toContain(`expectations[${index}]`);
      expect(line).toContain('is expected in "standard" but lands in "low"');
    }
    const oldTiers = [
      { name: 'ultraLow', upTo: 3n * GiB },
      { name: 'low', upTo: 4n * GiB },
      { name: 'standard' },
    ];
    for (const [, bytes] of FOUR_GB_PHONES) expect(oldTiers[classify(oldTiers, bytes).index]!.name).toBe('low');
  });

  it('puts 6 GB and 8 GB phones where the document intends', () => {
    expect(tierOf(policy, 5_917_753_344n)).toBe('standard');
    expect(tierOf(policy, 8_021_032_960n)).toBe('high');
    expect(tierOf(policy, 989_000_000n)).toBe('ultraLow');
  });
});

describe('classify', () => {
  const tiers = [
    { name: 'a', upTo: 100n },
    { name: 'b', upTo: 200n },
    { name: 'c' },
  ];

  it('treats upTo as inclusive and catches everything larger in the last tier', () => {
    expect(classify(tiers, 0n).index).toBe(0);
    expect(classify(tiers, 100n).index).toBe(0);
    expect(classify(tiers, 101n).index).toBe(1);
    expect(classify(tiers, 200n).index).toBe(1);
    expect(classify(tiers, 201n).index).toBe(2);
    expect(classify(tiers, 2n ** 64n - 1n).index).toBe(2);
  });

  it('reports the boundaries that decided', () => {
    expect(classify(tiers, 150n)).toEqual({ index: 1, above: { index: 0, bytes: 100n }, atOrBelow: { index: 1, bytes: 200n } });
    expect(classify(tiers, 50n)).toEqual({ index: 0, atOrBelow: { index: 0, bytes: 100n } });
    expect(classify(tiers, 500n)).toEqual({ index: 2, above: { index: 1, bytes: 200n } });
    expect(classify([{ name: 'only' }], 500n)).toEqual({ index: 0 });
  });
});
