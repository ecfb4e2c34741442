/**
 * Property: random valid policies always generate valid, deterministic Swift whose tier boundaries
 * agree with the TypeScript classification. The case counts are printed at the end of the run.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { formatDiagnostic } from '../../src/diagnostics/format.js';
import { generate } from '../../src/generate.js';
import { classify } from '../../src/policy/classify.js';
import { validatePolicyYaml } from '../../src/policy-text.js';
import { swiftSyntaxErrors } from '../helpers/swift-syntax.js';
import { templates } from '../helpers/policy.js';
import { validPolicy } from './arbitraries.js';
import { caseCounter, VALID_RUNS } from './property-cases.js';

const { counted, add } = caseCounter((counts) => `properties: ${counts.valid ?? 0} valid policies (${counts.swiftFiles ?? 0} Swift files parsed)`);

/** Keys in reverse order, all the way down: the same policy, written differently. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).reverse().map(([key, inner]) => [key, reversedKeys(inner)]));
  return value;
}

/** The classification the generated Swift performs: its `case ...N:` bounds, in order, then `default`. */
function swiftBoundaries(source: string): { bound: bigint; tier: string }[] {
  return [...source.matchAll(/case \.\.\.([\d_]+):[^\n]*\n\s+self = \.(\w+)/g)].map((match) => ({ bound: BigInt(match[1]!.replaceAll('_', '')), tier: match[2]! }));
}

describe('properties of valid policies', () => {
  it('valid policies: generation succeeds, is deterministic and key-order independent, parses as Swift, and classifies like TypeScript', async () => {
    await fc.assert(
      fc.asyncProperty(validPolicy, async ({ policy, upTos }) => counted(async () => {
        add('valid');
        const result = validatePolicyYaml(stringify(policy), 'tiers.yaml');
        expect(result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').map(formatDiagnostic)).toEqual([]);
        const files = generate(result.policy!, templates);
        expect(generate(result.policy!, templates)).toEqual(files);
        expect(generate(validatePolicyYaml(stringify(reversedKeys(policy)), 'tiers.yaml').policy!, templates)).toEqual(files);
        for (const file of files) {
          add('swiftFiles');
          expect(await swiftSyntaxErrors(file.contents), file.path).toEqual([]);
        }
        const swift = swiftBoundaries(files.find((file) => file.path === 'DeviceMemoryTier.swift')!.contents);
        expect(swift.map((entry) => entry.bound)).toEqual(upTos);
        const last = result.policy!.tiers.at(-1)!.name;
        for (const probe of [0n, ...upTos.flatMap((bound) => [bound - 1n, bound, bound + 1n]), (1n << 64n) - 1n]) {
          const swiftTier = swift.find((entry) => probe <= entry.bound)?.tier ?? last;
          expect(swiftTier).toBe(result.policy!.tiers[classify(result.policy!.tiers, probe).index]!.name);
        }
      })),
      { numRuns: VALID_RUNS },
    );
  }, 600_000);
});
