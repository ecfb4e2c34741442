/**
 * Rules zod cannot express on one value alone: tier order and boundaries, limits against each other,
 * and the policy's own expectations.
 */
import { NUMERIC_LIMIT_KEYS, SWITCH_KEYS, type Expectation, type Policy, type Tier } from '../policy/schema.js';
import { classify } from '../policy/classify.js';
import { formatSize } from '../policy/sizes.js';
import { tierValueInWords } from '../policy/wording.js';
import type { Severity } from '../diagnostics/diagnostic.js';
import { suggest } from '../diagnostics/suggest.js';
import { classNameProblem, moduleNameProblem, tierNameProblem } from '../swift/identifier.js';
import type { AppMemoryLimit, OsSupport } from '../devices/catalog.js';

/** Records one problem at a key path. */
export type Report = (
  severity: Severity,
  path: readonly PropertyKey[],
  message: string,
  options?: { key?: boolean; id?: string },
) => void;

/** What the catalog rules need to know of a catalog device (see devices/catalog.ts). */
export interface CatalogDevice {
  name: string;
  reported: bigint;
  reportedSource: { kind: 'exact' | 'approximate' | 'estimated' };
  /** The newest iOS it runs, against the app's deployment target. */
  os: OsSupport;
  /** The app memory limits measured on the device, for the model-fit rules. */
  appLimits?: readonly AppMemoryLimit[];
}

/**
 * Runs every semantic rule that needs no device catalog, reporting all problems rather than
 * stopping at the first (catalog-rules.ts has the ones that do).
 */
export function checkPolicyRules(policy: Policy, report: Report): void {
  checkNames(policy.tiers, report);
  const boundariesOk = checkBoundaries(policy.tiers, report);
  checkLimits(policy.tiers, report);
  checkBudgets(policy.tiers, report);
  checkGrowth(policy.tiers, report);
  checkExpectations(policy, report, boundariesOk);
  checkPressure(policy, report);
  checkOutput(policy, report);
}

/** A boundary this close to what a device reports (as a share of it) is fragile across iOS updates. */
export const BOUNDARY_MARGIN_PERCENT = 5;

/** Warns when a tier boundary sits within 5% of a catalog device's reported memory, naming the devices. */
export function checkMargins(tiers: readonly Tier[], devices: readonly CatalogDevice[], report: Report): void {
  tiers.forEach((tier, index) => {
    if (tier.upTo === undefined) return;
    const upTo = tier.upTo;
    const close = devices.filter((device) => {
      const distance = device.reported > upTo ? device.reported - upTo : upTo - device.reported;
      return distance * 100n <= device.reported * BigInt(BOUNDARY_MARGIN_PERCENT);
    });
    if (close.length === 0) return;
    const names = close.slice(0, 3).map((device) => `${device.name} (${device.reportedSource.kind === 'exact' ? '' : `${device.reportedSource.kind} `}${formatSize(device.reported)})`);
    const more = close.length > 3 ? ` and ${close.length - 3} more (see memtier devices)` : '';
    report('warning', ['tiers', index, 'upTo'], `${formatSize(upTo)} is within ${BOUNDARY_MARGIN_PERCENT}% of what ${names.join(', ')}${more} report${close.length === 1 ? 's' : ''}; reported memory moves between iOS versions, so leave more margin`, { id: `bound-near-device:${tier.name}` });
  });
}

function checkPressure(policy: Policy, report: Report): void {
  const { warningPercent, criticalPercent, recoveryPercent } = policy.pressure;
  if (warningPercent >= criticalPercent) {
    report('error', ['pressure', 'warningPercent'], `${warningPercent} must be less than criticalPercent (${criticalPercent})`);
  }
  if (recoveryPercent >= warningPercent) {
    report('error', ['pressure', 'recoveryPercent'], `${recoveryPercent} must be less than warningPercent (${warningPercent}): pressure falls back only below it`);
  }
}

/** True for a relative path that stays inside its base folder ("generated", "ios/Generated"). */
function staysInside(path: string): boolean {
  return !path.startsWith('/') && !/^[A-Za-z]:/.test(path) && !path.split(/[\\/]/).includes('..');
}

function checkOutput(policy: Policy, report: Report): void {
  const className = policy.evaluator?.className;
  const classProblem = typeof className === 'string' ? classNameProblem(className) : undefined;
  if (classProblem) report('error', ['evaluator', 'className'], classProblem);
  if (!staysInside(policy.output.directory)) {
    report('error', ['output', 'directory'], `"${policy.output.directory}" must be a folder inside the policy's folder, without ".." or a leading "/" (use --out for a one-off elsewhere)`);
  }
  const tests = policy.output.tests;
  if (!tests) return;
  const problem = moduleNameProblem(tests.module);
  if (problem) report('error', ['output', 'tests', 'module'], problem);
  const folderProblem = testsFolderProblem(policy.output.directory, tests.directory);
  if (folderProblem) report('error', ['output', 'tests', 'directory'], folderProblem);
}

/**
 * The tests folder is relative to the output folder and may lead out of it with "..", so that the
 * XCTests can sit apart from a folder the app target compiles; but it must stay inside the
 * policy's folder, and must not hold the output folder (its files are the app target's).
 */
function testsFolderProblem(output: string, tests: string): string | undefined {
  const rooted = /^([\\/]|[A-Za-z]:)/.test(tests);
  const parts = [...output.split(/[\\/]+/), ...tests.split(/[\\/]+/)].filter((part) => part !== '' && part !== '.');
  const resolved: string[] = [];
  for (const part of parts) {
    if (part !== '..') resolved.push(part);
    else if (resolved.pop() === undefined) return `"${tests}" leads outside the policy's folder; the tests folder is relative to the output folder ("${output}") and must stay inside the policy's folder`;
  }
  if (rooted) return `"${tests}" must be a relative path: the tests folder is relative to the output folder ("${output}")`;
  const outputParts = output.split(/[\\/]+/).filter((part) => part !== '' && part !== '.');
  if (resolved.length < outputParts.length && resolved.every((part, index) => part === outputParts[index])) {
    return `"${tests}" would hold the output folder ("${output}"); choose a folder inside it or beside it`;
  }
  return undefined;
}

function checkNames(tiers: readonly Tier[], report: Report): void {
  const seen = new Map<string, number>();
  tiers.forEach((tier, index) => {
    const problem = tierNameProblem(tier.name);
    if (problem) report('error', ['tiers', index, 'name'], problem);
    const first = seen.get(tier.name);
    if (first !== undefined) {
      report('error', ['tiers', index, 'name'], `"${tier.name}" is already the name of tiers[${first}]; tier names must be unique`);
    } else {
      seen.set(tier.name, index);
    }
  });
}

/** Returns whether the boundaries are sound enough to classify devices with. */
function checkBoundaries(tiers: readonly Tier[], report: Report): boolean {
  let ok = true;
  let previous: { index: number; upTo: bigint } | undefined;
  tiers.forEach((tier, index) => {
    const last = index === tiers.length - 1;
    if (last && tier.upTo !== undefined) {
      ok = false;
      report('error', ['tiers', index, 'upTo'], `the last tier catches every larger device and takes no upTo; remove it or add a tier after "${tier.name}"`, { key: true });
    }
    if (!last && tier.upTo === undefined) {
      ok = false;
      report('error', ['tiers', index], `"${tier.name}" needs an upTo (inclusive upper bound on physical memory); only the last tier may leave it out`);
    }
    if (tier.upTo === undefined) return;
    if (previous && tier.upTo <= previous.upTo) {
      ok = false;
      report('error', ['tiers', index, 'upTo'], `${formatSize(tier.upTo)} must be larger than tiers[${previous.index}].upTo (${formatSize(previous.upTo)}); list tiers from the smallest device to the largest`);
    }
    previous = { index, upTo: tier.upTo };
  });
  return ok;
}

function checkLimits(tiers: readonly Tier[], report: Report): void {
  tiers.forEach((tier, index) => {
    if (tier.memoryLimit !== null && tier.cacheLimit > tier.memoryLimit) {
      report('error', ['tiers', index, 'cacheLimit'], `${formatSize(tier.cacheLimit)} is larger than this tier's memoryLimit (${formatSize(tier.memoryLimit)})`);
    }
    if (tier.memoryLimit !== null && tier.upTo !== undefined && tier.memoryLimit > tier.upTo) {
      report('error', ['tiers', index, 'memoryLimit'], `${formatSize(tier.memoryLimit)} is more than the physical memory of any device in "${tier.name}" (upTo ${formatSize(tier.upTo)})`);
    }
  });
}

/** A peak budget must be reachable on the tier's devices, and should leave MLX its own limit. */
function checkBudgets(tiers: readonly Tier[], report: Report): void {
  tiers.forEach((tier, index) => {
    const peak = tier.budget?.peakFootprint;
    if (peak === undefined) return;
    const path = ['tiers', index, 'budget', 'peakFootprint'];
    if (tier.upTo !== undefined && peak > tier.upTo) {
      report('error', path, `${formatSize(peak)} is more than any device in "${tier.name}" has (upTo ${formatSize(tier.upTo)}); the budget could never be met`);
    } else if (tier.memoryLimit !== null && peak < tier.memoryLimit) {
      report('warning', path, `${formatSize(peak)} is below this tier's memoryLimit (${formatSize(tier.memoryLimit)}): MLX may use memory up to its limit, so a healthy run could fail the budget`, { id: `budget-below-memory-limit:${tier.name}` });
    }
  });
}

const UNLIMITED = 2n ** 64n;

/** Larger devices getting smaller limits is legal but almost always a slip: warn, naming both values. */
function checkGrowth(tiers: readonly Tier[], report: Report): void {
  for (let index = 1; index < tiers.length; index += 1) {
    const smaller = tiers[index - 1]!;
    const larger = tiers[index]!;
    for (const key of NUMERIC_LIMIT_KEYS) {
      const before = amount(smaller[key]);
      const after = amount(larger[key]);
      if (after < before) {
        report('warning', ['tiers', index, key], `${tierValueInWords(key, larger[key])} is less than "${smaller.name}" has (${tierValueInWords(key, smaller[key])}), although "${larger.name}" is for larger devices`, { id: `less-than-smaller-tier:${larger.name}.${key}` });
      }
    }
    if (smaller.keepModelLoaded && !larger.keepModelLoaded) {
      report('warning', ['tiers', index, 'keepModelLoaded'], `"${smaller.name}" keeps the model loaded but the larger "${larger.name}" does not`, { id: `less-than-smaller-tier:${larger.name}.keepModelLoaded` });
    }
    if (!smaller.aggressiveCleanup && larger.aggressiveCleanup) {
      report('warning', ['tiers', index, 'aggressiveCleanup'], `"${larger.name}" cleans up aggressively but the smaller "${smaller.name}" does not`, { id: `more-than-smaller-tier:${larger.name}.aggressiveCleanup` });
    }
  }
}

function amount(value: bigint | number | null): bigint {
  return value === null ? UNLIMITED : BigInt(value);
}

/** Unknown tier names are always reported; classification only when the boundaries are sound. */
function checkExpectations(policy: Policy, report: Report, canClassify: boolean): void {
  const names = policy.tiers.map((tier) => tier.name);
  policy.expectations.forEach((expectation, index) => {
    const expected = names.indexOf(expectation.tier);
    if (expected === -1) {
      const guess = suggest(expectation.tier, names);
      const hint = guess ? `did you mean "${guess}"?` : `tiers are ${names.join(', ')}`;
      report('error', ['expectations', index, 'tier'], `there is no tier "${expectation.tier}"; ${hint}`);
      return;
    }
    checkValuePromises(policy.tiers[expected]!, expectation, index, report);
    if (!canClassify || expectation.physicalMemory === undefined) return;
    const result = classify(policy.tiers, expectation.physicalMemory);
    if (result.index === expected) return;
    const size = formatSize(expectation.physicalMemory);
    const who = expectation.device ? `${expectation.device} reports ${size} and` : size;
    const got = names[result.index]!;
    const boundary = result.atOrBelow
      ? `it is at or below tiers[${result.atOrBelow.index}].upTo (${formatSize(result.atOrBelow.bytes)})` +
        (result.above ? ` and above tiers[${result.above.index}].upTo (${formatSize(result.above.bytes)})` : '')
      : `it is above tiers[${result.above!.index}].upTo (${formatSize(result.above!.bytes)}), the last boundary`;
    report('error', ['expectations', index], `${who} is expected in "${expectation.tier}" but lands in "${got}": ${boundary}`);
  });
}

/** The promised bounds and switches of one expectation, each reported at its own key when the tier breaks it. */
function checkValuePromises(tier: Tier, expectation: Expectation, index: number, report: Report): void {
  const because = expectation.why ? ` (${expectation.why})` : '';
  for (const [side, bounds] of [['atLeast', expectation.atLeast], ['atMost', expectation.atMost]] as const) {
    // A memoryLimit of null (MLX's default) counts as larger than any size (see amount()).
    for (const key of NUMERIC_LIMIT_KEYS) {
      const bound = bounds?.[key];
      if (bound === undefined) continue;
      const value = amount(tier[key]);
      const kept = side === 'atLeast' ? value >= BigInt(bound) : value <= BigInt(bound);
      if (kept) continue;
      const promised = tierValueInWords(key, bound as Tier[typeof key]);
      report('error', ['expectations', index, side, key], `"${tier.name}" has ${key} ${tierValueInWords(key, tier[key])}, but ${side === 'atLeast' ? 'at least' : 'at most'} ${promised} is promised${because}`);
    }
  }
  for (const key of SWITCH_KEYS) {
    const promised = expectation[key];
    if (promised === undefined || promised === tier[key]) continue;
    report('error', ['expectations', index, key], `"${tier.name}" has ${key} ${tierValueInWords(key, tier[key])}, but ${tierValueInWords(key, promised)} is promised${because}`);
  }
}
