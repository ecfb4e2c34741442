/**
 * The view model of the generated XCTest file: every promise of the policy, as data the template
 * prints one assertion each.
 */
import { BUDGET_KEYS, NUMERIC_LIMIT_KEYS, SWITCH_KEYS, type Expectation, type Policy } from '../policy/schema.js';
import { formatSize } from '../policy/sizes.js';
import { swiftCommentLines, swiftFloatLiteral, swiftIntLiteral, swiftStringLiteral } from '../swift/literals.js';

/** One `DeviceMemoryTier(physicalMemory:)` assertion. */
export interface TierCaseView {
  bytes: string;
  tier: string;
  /** A comment line saying why this case is checked. */
  comment: string;
  /** The assertion's failure message, as a Swift string literal. */
  message: string;
}

/** What the XCTest template prints, beyond the tiers and values the main model already holds. */
export interface TestsView {
  module: string;
  expectations: TierCaseView[];
  boundaries: TierCaseView[];
  /** `DeviceMemoryTier.allCases` as the policy orders it: `[.ultraLow, .low]`. */
  allCases: string;
  /** One assertion per tier on `physicalMemoryUpperBound`: its bound, or nil for the last tier. */
  upperBoundAssertions: string[];
  /**
   * The lines of the promises test: per promise about a tier's values (`atLeast`, `atMost`,
   * switches), a `//` comment saying why when the promise does, then one assertion per value.
   */
  promiseLines: string[];
  /** One assertion per value of each tier's budget, or that the tier has none. */
  budgetAssertions: string[];
}

/** Builds the XCTest view model; the policy must already be validated. */
export function buildTestsModel(policy: Policy, module: string): TestsView {
  const tiers = policy.tiers;
  const expectations = policy.expectations.flatMap((expectation, index) => {
    if (expectation.physicalMemory === undefined) return [];
    const label = expectation.device ? `${expectation.device}: ` : '';
    return [{
      bytes: swiftIntLiteral(expectation.physicalMemory),
      tier: expectation.tier,
      comment: swiftCommentLines(`${label}${formatSize(expectation.physicalMemory)}`).join(' '),
      message: swiftStringLiteral(`expectations[${index}]`),
    }];
  });
  const boundaries = tiers.flatMap((tier, index) => {
    if (tier.upTo === undefined) return [];
    const next = tiers[index + 1]!;
    return [
      { bytes: swiftIntLiteral(tier.upTo), tier: tier.name, comment: `exactly tiers[${index}].upTo (${formatSize(tier.upTo)})`, message: swiftStringLiteral(`tiers[${index}].upTo`) },
      { bytes: swiftIntLiteral(tier.upTo + 1n), tier: next.name, comment: `one byte above tiers[${index}].upTo`, message: swiftStringLiteral(`tiers[${index}].upTo + 1`) },
    ];
  });
  return {
    module,
    expectations,
    boundaries,
    allCases: `[${tiers.map((tier) => `.${tier.name}`).join(', ')}]`,
    promiseLines: policy.expectations.flatMap((expectation, index) => {
      const assertions = promiseAssertions(expectation, index);
      if (assertions.length === 0) return [];
      return [...(expectation.why ? [`// ${swiftCommentLines(expectation.why).join(' ')}`] : []), ...assertions];
    }),
    budgetAssertions: tiers.flatMap((tier) => {
      const budget = `PerformanceBudget.forTier(.${tier.name})`;
      if (tier.budget === undefined) return [`XCTAssertNil(${budget})`];
      return BUDGET_KEYS.flatMap((key) => {
        const value = tier.budget![key];
        if (value === undefined) return [];
        const literal = typeof value === 'bigint' ? swiftIntLiteral(value) : swiftFloatLiteral(value);
        return [`XCTAssertEqual(${budget}?.${key}, ${literal})`];
      });
    }),
    upperBoundAssertions: tiers.map((tier) => {
      const bound = `DeviceMemoryTier.${tier.name}.physicalMemoryUpperBound`;
      return tier.upTo === undefined ? `XCTAssertNil(${bound})` : `XCTAssertEqual(${bound}, ${swiftIntLiteral(tier.upTo)})`;
    }),
  };
}

/** The XCTest assertions for the values an expectation promises its tier keeps. */
function promiseAssertions(expectation: Expectation, index: number): string[] {
  const configuration = `MemoryConfiguration.forTier(.${expectation.tier})`;
  const assertions: string[] = [];
  for (const [side, bounds, assert] of [['atLeast', expectation.atLeast, 'XCTAssertGreaterThanOrEqual'], ['atMost', expectation.atMost, 'XCTAssertLessThanOrEqual']] as const) {
    for (const key of NUMERIC_LIMIT_KEYS) {
      const bound = bounds?.[key];
      if (bound === undefined) continue;
      // A memoryLimit of nil is MLX's own default: no limit, larger than any bound.
      const value = key === 'memoryLimit' ? `${configuration}.memoryLimit ?? .max` : `${configuration}.${key}`;
      assertions.push(call(assert, [`${value}, ${swiftIntLiteral(bound)},`, swiftStringLiteral(`expectations[${index}].${side}.${key}`)]));
    }
  }
  for (const key of SWITCH_KEYS) {
    const promised = expectation[key];
    if (promised !== undefined) assertions.push(call('XCTAssertEqual', [`${configuration}.${key}, ${String(promised)},`, swiftStringLiteral(`expectations[${index}].${key}`)]));
  }
  return assertions;
}

/** A call with its arguments on their own lines (in the template's 4-space indentation), within swift-format's 100 columns. */
function call(name: string, argumentLines: string[]): string {
  return `${name}(\n${argumentLines.map((line) => `      ${line}`).join('\n')})`;
}
