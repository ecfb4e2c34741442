/**
 * Property: random broken policies always give located errors, never an exception, and what
 * validation still accepts generates valid Swift. The case counts are printed at the end of the run.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { formatDiagnostic } from '../../src/diagnostics/format.js';
import { generate } from '../../src/generate.js';
import { validatePolicyYaml } from '../../src/policy-text.js';
import { swiftSyntaxErrors } from '../helpers/swift-syntax.js';
import { templates } from '../helpers/policy.js';
import { mutate, mutation, validPolicy } from './arbitraries.js';
import { caseCounter, MUTATED_RUNS } from './property-cases.js';

const { counted, add } = caseCounter((counts) => `properties: ${counts.mutated ?? 0} mutated policies (${counts.rejected ?? 0} rejected with located errors, ${counts.stillValid ?? 0} still valid and generated)`);

describe('properties of mutated policies', () => {
  it('mutated policies: validation never throws, and every rejection is located; what it accepts still generates valid Swift', async () => {
    await fc.assert(
      fc.asyncProperty(validPolicy, mutation, fc.boolean(), async ({ policy }, change, textLevel) => counted(async () => {
        add('mutated');
        let text = stringify(mutate(policy, change));
        if (textLevel) {
          // Also break the YAML itself: drop or duplicate a character.
          const at = change.key % Math.max(text.length, 1);
          text = change.depth % 2 === 0 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + text[at] + text.slice(at);
        }
        const result = validatePolicyYaml(text, 'tiers.yaml');
        const errors = result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
        if (errors.length > 0) {
          add('rejected');
          expect(result.policy).toBeUndefined();
          for (const error of errors) {
            expect(error.line, formatDiagnostic(error)).toBeGreaterThanOrEqual(1);
            expect(error.column, formatDiagnostic(error)).toBeGreaterThanOrEqual(1);
            expect(error.message.length).toBeGreaterThan(0);
          }
          return;
        }
        add('stillValid');
        for (const file of generate(result.policy!, templates)) expect(await swiftSyntaxErrors(file.contents), file.path).toEqual([]);
      })),
      { numRuns: MUTATED_RUNS },
    );
  }, 600_000);
});
