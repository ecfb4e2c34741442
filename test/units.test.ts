import { describe, expect, it } from 'vitest';
import { formatSize, formatSizeApprox, formatSizeExact, groupDigits, MAX_SIZE, parseSize } from '../src/policy/sizes.js';

const bytes = (input: number | string) => {
  const result = parseSize(input);
  if (!result.ok) throw new Error(result.reason);
  return result.bytes;
};
const reason = (input: number | string) => {
  const result = parseSize(input);
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be rejected, got ${result.bytes}`);
  return result.reason;
};

describe('parseSize', () => {
  it('reads the design document sizes exactly (its MB/GB are powers of two)', () => {
    expect(bytes('3MiB')).toBe(3n * 1024n * 1024n);
    expect(bytes('20MiB')).toBe(20_971_520n);
    expect(bytes('2500MiB')).toBe(2_621_440_000n);
    expect(bytes('1500MiB')).toBe(1_572_864_000n);
    expect(bytes('4GiB')).toBe(4_294_967_296n);
  });

  it('treats KB/MB/GB as powers of ten and bare numbers as bytes', () => {
    expect(bytes('4GB')).toBe(4_000_000_000n);
    expect(bytes('989MB')).toBe(989_000_000n);
    expect(bytes('1KB')).toBe(1000n);
    expect(bytes(3_865_470_566)).toBe(3_865_470_566n);
    expect(bytes('3865470566')).toBe(3_865_470_566n);
    expect(bytes('512B')).toBe(512n);
    expect(bytes(0)).toBe(0n);
  });

  it('accepts decimals only when the result is whole bytes, and digit separators', () => {
    expect(bytes('2.5GiB')).toBe(2_684_354_560n);
    expect(bytes('1.5KiB')).toBe(1536n);
    expect(bytes('2_500MiB')).toBe(2_621_440_000n);
    expect(bytes('2500 MiB')).toBe(2_621_440_000n);
    expect(reason('0.3B')).toBe('"0.3B" is not a whole number of bytes');
    expect(reason('3.6GiB')).toBe('"3.6GiB" is not a whole number of bytes');
  });

  it('rejects what is not a size, saying what was expected', () => {
    expect(reason('lots')).toBe('expected a size like "20MiB", "2.5GiB" or a whole number of bytes, got "lots"');
    expect(reason('20 mbytes')).toBe('unknown unit "mbytes" in "20 mbytes"; use one of B, KiB, MiB, GiB, TiB, KB, MB, GB, TB');
    expect(reason('-1MiB')).toBe('a size cannot be negative, got "-1MiB"');
    expect(reason(-5)).toBe('a size cannot be negative, got -5');
    expect(reason(2.5)).toContain('must be whole, got 2.5');
    expect(reason(Number.NaN)).toContain('got NaN');
    expect(reason(Number.POSITIVE_INFINITY)).toContain('got Infinity');
    expect(reason(2 ** 60)).toContain('cannot be read exactly (it is over 2^53)');
    expect(reason('')).toContain('expected a size');
    expect(reason('1.GiB')).toContain('expected a size');
  });

  it('says that units are case-sensitive, and offers the units meant with their bytes', () => {
    expect(reason('20mb')).toBe('unknown unit "mb" in "20mb"; units are case-sensitive: write 20MB (20,000,000 bytes) or 20MiB (20,971,520 bytes)');
    expect(reason('2.5Gb')).toBe('unknown unit "Gb" in "2.5Gb"; units are case-sensitive: write 2.5GB (2,500,000,000 bytes) or 2.5GiB (2,684,354,560 bytes)');
    expect(reason('20mib')).toBe('unknown unit "mib" in "20mib"; units are case-sensitive: write 20MiB (20,971,520 bytes)');
    expect(reason('512b')).toBe('unknown unit "b" in "512b"; units are case-sensitive: write 512B (512 bytes)');
    // A single letter is not a case mistake: both units it may stand for, powers of two first.
    expect(reason('20M')).toBe('unknown unit "M" in "20M"; write 20MiB (20,971,520 bytes) or 20MB (20,000,000 bytes)');
    // A unit that leaves no whole byte is still named (the policy then says it is not whole).
    expect(reason('3.6gib')).toBe('unknown unit "gib" in "3.6gib"; units are case-sensitive: write 3.6GiB');
  });

  it('names the slip in text that is no size: a minus, a comment without a space, two spaces', () => {
    expect(reason('-20MiB')).toBe('a size cannot be negative, got "-20MiB"');
    expect(reason('20MiB#big')).toBe('expected a size like "20MiB", "2.5GiB" or a whole number of bytes, got "20MiB#big"; a comment needs a space before its "#"');
    expect(reason('20  MiB')).toBe('expected a size like "20MiB", "2.5GiB" or a whole number of bytes, got "20  MiB"; write at most one space between the number and its unit');
  });

  it("rejects sizes beyond Swift's Int.max and accepts Int.max itself", () => {
    expect(bytes(`${MAX_SIZE}`)).toBe(2n ** 63n - 1n);
    expect(reason(`${MAX_SIZE + 1n}`)).toContain("larger than Swift's Int.max (9_223_372_036_854_775_807 bytes)");
    expect(reason('9000000TiB')).toContain("larger than Swift's Int.max");
  });
});

describe('formatting sizes', () => {
  it('picks the unit with the smallest whole quantity, binary first', () => {
    expect(formatSizeExact(1_572_864_000n)).toBe('1500 MiB');
    expect(formatSizeExact(2n * 1024n ** 3n)).toBe('2 GiB');
    expect(formatSizeExact(4_000_000_000n)).toBe('4 GB');
    expect(formatSizeExact(3_865_470_566n)).toBe('3_865_470_566 bytes');
    expect(formatSizeExact(0n)).toBe('0 bytes');
  });

  it('approximates to two decimals, rounding half up', () => {
    expect(formatSizeApprox(3_865_470_566n)).toBe('3.60 GiB');
    expect(formatSizeApprox(8_021_032_960n)).toBe('7.47 GiB');
    expect(formatSizeApprox(1536n)).toBe('1.50 KiB');
    expect(formatSizeApprox(10n)).toBe('10 bytes');
  });

  it('shows odd byte counts with an approximation people can read', () => {
    expect(formatSize(5_917_753_344n)).toBe('5.51 GiB (5_917_753_344 bytes)');
    expect(formatSize(20_971_520n)).toBe('20 MiB');
    expect(formatSize(1000n)).toBe('1 KB');
    expect(formatSize(7n)).toBe('7 bytes');
  });

  it('groups digits in threes', () => {
    expect(groupDigits(2_621_440_000n)).toBe('2_621_440_000');
    expect(groupDigits(999)).toBe('999');
    expect(groupDigits(-1234)).toBe('-1_234');
  });
});
