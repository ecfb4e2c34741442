/**
 * The view model of the generated XCTest file: every promise of the policy, as data the template
 * prints one assertion each.
 */
import type { Policy } from '../policy/schema.js';
import { formatSize } from '../policy/sizes.js';
import { swiftCommentLines, swiftIntLiteral, swiftStringLiteral } from '../swift/literals.js';

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
}

/** Builds the XCTest view model; the policy must already be validated. */
export function buildTestsModel(policy: Policy, module: string): TestsView {
  const tiers = policy.tiers;
  const expectations = policy.expectations.map((expectation, index) => {
    const label = expectation.device ? `${expectation.device}: ` : '';
    return {
      bytes: swiftIntLiteral(expectation.physicalMemory),
      tier: expectation.tier,
      comment: swiftCommentLines(`${label}${formatSize(expectation.physicalMemory)}`).join(' '),
      message: swiftStringLiteral(`expectations[${index}]`),
    };
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
    upperBoundAssertions: tiers.map((tier) => {
      const bound = `DeviceMemoryTier.${tier.name}.physicalMemoryUpperBound`;
      return tier.upTo === undefined ? `XCTAssertNil(${bound})` : `XCTAssertEqual(${bound}, ${swiftIntLiteral(tier.upTo)})`;
    }),
  };
}
