/**
 * Sizes in the policy: the one place where "20MiB", "2.5GiB" or 4294967296 become bytes.
 *
 * A bare number is bytes; KiB/MiB/GiB/TiB are powers of two, KB/MB/GB/TB powers of ten
 * (the design document's "MB" and "GB" are powers of two, so the shipped policy writes MiB/GiB).
 * Results are exact `bigint`s: floating point never touches a byte count.
 */

/** Bytes per unit suffix. */
export const SIZE_UNITS: Readonly<Record<string, bigint>> = {
  B: 1n,
  KiB: 1024n,
  MiB: 1024n ** 2n,
  GiB: 1024n ** 3n,
  TiB: 1024n ** 4n,
  KB: 1000n,
  MB: 1000n ** 2n,
  GB: 1000n ** 3n,
  TB: 1000n ** 4n,
};

/** Swift's `Int.max` on 64-bit Apple platforms: every size must fit in an `Int`. */
export const MAX_SIZE = 2n ** 63n - 1n;

const SIZE_PATTERN = /^(\d+(?:_\d+)*)(?:\.(\d+(?:_\d+)*))?[ ]?([A-Za-z]+)?$/;

/** A parsed size, or why the text is not one. */
export type SizeResult = { ok: true; bytes: bigint } | { ok: false; reason: string };

/** The wording used wherever a size is expected, so every message agrees. */
export const SIZE_EXPECTATION = 'a size like "20MiB", "2.5GiB" or a whole number of bytes';

/** Parses a size written as a YAML number (bytes) or a string with an optional unit. */
export function parseSize(input: number | string): SizeResult {
  if (typeof input === 'number') return parseByteCount(input);
  const text = input.trim();
  const match = SIZE_PATTERN.exec(text);
  if (!match) {
    if (/^-\s*\d/.test(text)) return { ok: false, reason: `a size cannot be negative, got ${JSON.stringify(input)}` };
    return { ok: false, reason: `expected ${SIZE_EXPECTATION}, got ${JSON.stringify(input)}${malformedHint(text)}` };
  }
  const [, whole = '', fraction = '', unit = 'B'] = match;
  const perUnit = SIZE_UNITS[unit];
  if (perUnit === undefined) return { ok: false, reason: unknownUnitReason(input, `${whole}${fraction ? `.${fraction}` : ''}`, unit) };
  const digits = (whole + fraction).replaceAll('_', '');
  const scale = 10n ** BigInt(fraction.replaceAll('_', '').length);
  const numerator = BigInt(digits) * perUnit;
  if (numerator % scale !== 0n) {
    return { ok: false, reason: `${JSON.stringify(input)} is not a whole number of bytes` };
  }
  return checkRange(numerator / scale, input);
}

/**
 * Like {@link parseSize}, but a decimal that is not a whole number of bytes ("3.6GiB") is rounded
 * to the nearest byte instead of refused: for questions ("which tier is 3.6 GiB?"), never for policy.
 */
export function parseSizeRounded(input: string): SizeResult & { rounded?: boolean } {
  const exact = parseSize(input);
  if (exact.ok) return exact;
  const match = SIZE_PATTERN.exec(input.trim());
  const perUnit = match ? SIZE_UNITS[match[3] ?? 'B'] : undefined;
  if (!match || perUnit === undefined) return exact;
  const fraction = (match[2] ?? '').replaceAll('_', '');
  const numerator = BigInt((match[1]! + fraction).replaceAll('_', '')) * perUnit;
  const scale = 10n ** BigInt(fraction.length);
  const result = checkRange((numerator * 2n + scale) / (scale * 2n), input);
  return result.ok ? { ...result, rounded: true } : result;
}

/**
 * Why an unknown unit was refused, and what was probably meant. Units are case-sensitive because
 * "MB" and "MiB" differ by 5%: "20mb" could be either, so both are offered with their bytes (the
 * design memtier comes from writes MB for powers of two, so the binary unit is often the one meant).
 */
function unknownUnitReason(input: string, quantity: string, unit: string): string {
  const lower = unit.toLowerCase();
  const prefix = lower.length === 1 || (lower.length === 2 && lower.endsWith('b')) ? lower[0]!.toUpperCase() : undefined;
  const units = Object.keys(SIZE_UNITS);
  const meant = [
    ...units.filter((known) => known.toLowerCase() === lower),
    ...units.filter((known) => known.toLowerCase() !== lower && prefix !== undefined && prefix !== 'B' && (known === `${prefix}B` || known === `${prefix}iB`)),
  ];
  const options = meant.flatMap((known) => {
    const size = parseSize(`${quantity}${known}`);
    return [size.ok ? `${quantity}${known} (${groupThousands(size.bytes)} bytes)` : `${quantity}${known}`];
  });
  if (options.length > 0) {
    const sameLetters = meant.some((known) => known.toLowerCase() === lower);
    return `unknown unit "${unit}" in ${JSON.stringify(input)}; ${sameLetters ? 'units are case-sensitive: ' : ''}write ${options.join(' or ')}`;
  }
  return `unknown unit "${unit}" in ${JSON.stringify(input)}; use one of ${units.join(', ')}`;
}

/** What is wrong with text that is not a size at all, when it is a common slip; otherwise nothing. */
function malformedHint(text: string): string {
  if (text.includes('#')) return '; a comment needs a space before its "#"';
  if (/^\d[\d_.]*\s{2,}[A-Za-z]+$/.test(text)) return '; write at most one space between the number and its unit';
  return '';
}

/** Groups digits in threes with commas, as people write numbers: 20971520 -> "20,971,520". */
export function groupThousands(value: bigint): string {
  return value.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function parseByteCount(value: number): SizeResult {
  if (!Number.isFinite(value)) return { ok: false, reason: `expected ${SIZE_EXPECTATION}, got ${value}` };
  if (!Number.isInteger(value)) {
    return { ok: false, reason: `a bare number is a count of bytes and must be whole, got ${value}; write a unit, e.g. "2.5GiB"` };
  }
  if (!Number.isSafeInteger(value)) {
    return { ok: false, reason: 'a plain number this large cannot be read exactly (it is over 2^53); quote it ("9007199254740993") or write it with a unit, e.g. "8GiB"' };
  }
  return checkRange(BigInt(value), value);
}

function checkRange(bytes: bigint, input: number | string): SizeResult {
  if (bytes < 0n) return { ok: false, reason: `a size cannot be negative, got ${JSON.stringify(input)}` };
  if (bytes > MAX_SIZE) {
    return { ok: false, reason: `${JSON.stringify(input)} is larger than Swift's Int.max (${groupDigits(MAX_SIZE)} bytes)` };
  }
  return { ok: true, bytes };
}

const EXACT_UNITS: readonly [string, bigint][] = [
  ['TiB', SIZE_UNITS.TiB!],
  ['GiB', SIZE_UNITS.GiB!],
  ['MiB', SIZE_UNITS.MiB!],
  ['KiB', SIZE_UNITS.KiB!],
  ['TB', SIZE_UNITS.TB!],
  ['GB', SIZE_UNITS.GB!],
  ['MB', SIZE_UNITS.MB!],
  ['KB', SIZE_UNITS.KB!],
];

/** Above this, a whole quantity in some unit ("5779056 KiB") reads worse than the bytes. */
const MAX_READABLE_QUANTITY = 100_000n;

/**
 * Writes bytes exactly in the unit that gives the smallest whole quantity, when that quantity is short:
 * 1_572_864_000 -> "1500 MiB", 4_000_000_000 -> "4 GB", 3_865_470_566 -> "3_865_470_566 bytes".
 * Binary units win ties, matching how the design document writes sizes.
 */
export function formatSizeExact(bytes: bigint): string {
  let best: [string, bigint] | undefined;
  for (const [unit, perUnit] of EXACT_UNITS) {
    if (bytes === 0n || bytes % perUnit !== 0n) continue;
    const quantity = bytes / perUnit;
    if (best === undefined || quantity < best[1]) best = [unit, quantity];
  }
  if (best === undefined || best[1] >= MAX_READABLE_QUANTITY) return `${groupDigits(bytes)} bytes`;
  return `${best[1]} ${best[0]}`;
}

/** Writes bytes approximately in GiB, MiB or KiB with two decimals, for people: "3.60 GiB". */
export function formatSizeApprox(bytes: bigint): string {
  for (const unit of ['GiB', 'MiB', 'KiB'] as const) {
    const perUnit = SIZE_UNITS[unit]!;
    if (bytes >= perUnit) {
      const hundredths = (bytes * 100n + perUnit / 2n) / perUnit;
      const text = `${hundredths / 100n}.${String(hundredths % 100n).padStart(2, '0')}`;
      return `${text} ${unit}`;
    }
  }
  return `${bytes} bytes`;
}

/** A size as people read it: exact when short, otherwise exact bytes with an approximation. */
export function formatSize(bytes: bigint): string {
  const exact = formatSizeExact(bytes);
  return exact.endsWith(' bytes') && bytes >= 1024n ? `${formatSizeApprox(bytes)} (${exact})` : exact;
}

/** Groups digits in threes with underscores, as Swift literals allow: 2621440000 -> "2_621_440_000". */
export function groupDigits(value: bigint | number): string {
  const text = value.toString();
  const negative = text.startsWith('-');
  const digits = negative ? text.slice(1) : text;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, '_');
  return negative ? `-${grouped}` : grouped;
}
