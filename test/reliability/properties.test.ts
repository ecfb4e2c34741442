/**
 * Property tests: random valid policies always generate valid, deterministic Swift whose tier
 * boundaries agree with the TypeScript classification; random broken policies always give located
 * errors, never an exception. The case counts are printed at the end of the run.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { formatDiagnostic } from '../../src/diagnostics/format.js';
import { generate } from '../../src/generate.js';
import { classify } from '../../src/policy/classify.js';
import { validatePolicyYaml } from '../../src/policy-text.js';
import { swiftSyntaxErrors } from '../helpers/swift-syntax.js';
import { mutate, mutation, validPolicy } from './arbitraries.js';
import { templates } from '../helpers/policy.js';

/** Cases per property; CI runs them all (at least 10,000 in total). */
const VALID_RUNS = Number(process.env.MEMTIER_PROPERTY_VALID_RUNS ?? 1_500);
const MUTATED_RUNS = Number(process.env.MEMTIER_PROPERTY_MUTATED_RUNS ?? 9_000);
const counts = { valid: 0, mutated: 0, rejected: 0, stillValid: 0, swiftFiles: 0, failed: 0 };

/** Runs one case, counting it as failed when it throws (an exception in memtier or a broken assertion). */
async function counted(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    counts.failed += 1;
    throw error;
  }
}

afterAll(() => {
  console.log(
    `properties: ${counts.valid} valid policies (${counts.swiftFiles} Swift files parsed), ` +
      `${counts.mutated} mutated policies (${counts.rejected} rejected with located errors, ${counts.stillValid} still valid and generated); ` +
      `${counts.valid + counts.mutated} cases, ${counts.failed} failed (fast-check shrinks a failure, so this counts its attempts too)`,
  );
});

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

describe('properties', () => {
  it('valid policies: generation succeeds, is deterministic and key-order independent, parses as Swift, and classifies like TypeScript', async () => {
    await fc.assert(
      fc.asyncProperty(validPolicy, async ({ policy, upTos }) => counted(async () => {
        counts.valid += 1;
        const result = validatePolicyYaml(stringify(policy), 'tiers.yaml');
        expect(result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').map(formatDiagnostic)).toEqual([]);
        const files = generate(result.policy!, templates);
        expect(generate(result.policy!, templates)).toEqual(files);
        expect(generate(validatePolicyYaml(stringify(reversedKeys(policy)), 'tiers.yaml').policy!, templates)).toEqual(files);
        for (const file of files) {
          counts.swiftFiles += 1;
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

  it('mutated policies: validation never throws, and every rejection is located; what it accepts still generates valid Swift', async () => {
    await fc.assert(
      fc.asyncProperty(validPolicy, mutation, fc.boolean(), async ({ policy }, change, textLevel) => counted(async () => {
        counts.mutated += 1;
        let text = stringify(mutate(policy, change));
        if (textLevel) {
          // Also break the YAML itself: drop or duplicate a character.
          const at = change.key % Math.max(text.length, 1);
          text = change.depth % 2 === 0 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + text[at] + text.slice(at);
        }
        const result = validatePolicyYaml(text, 'tiers.yaml');
        const errors = result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
        if (errors.length > 0) {
          counts.rejected += 1;
          expect(result.policy).toBeUndefined();
          for (const error of errors) {
            expect(error.line, formatDiagnostic(error)).toBeGreaterThanOrEqual(1);
            expect(error.column, formatDiagnostic(error)).toBeGreaterThanOrEqual(1);
            expect(error.message.length).toBeGreaterThan(0);
          }
          return;
        }
        counts.stillValid += 1;
        for (const file of generate(result.policy!, templates)) expect(await swiftSyntaxErrors(file.contents), file.path).toEqual([]);
      })),
      { numRuns: MUTATED_RUNS },
    );
  }, 600_000);
});
