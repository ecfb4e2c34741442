/**
 * A tier bound or limit written in SI units (KB, MB, GB, TB: powers of ten) is almost always meant
 * in powers of two: a "4 GB" iPhone reports about 3.6 GiB, and `upTo: 4 GB` is 4,000,000,000 bytes,
 * 7% below 4 GiB. Such a value is valid, but worth a warning that says both numbers.
 */
import { formatKeyPath, type Diagnostic, type Locator } from '../diagnostics/diagnostic.js';
import { groupThousands, parseSize, SIZE_UNITS } from '../policy/sizes.js';
import { subjectOf } from './unit-less-sizes.js';

const SI = /^(\d+(?:_\d+)*(?:\.\d+(?:_\d+)*)?)[ ]?(KB|MB|GB|TB)$/;
const KEYS = ['upTo', 'cacheLimit', 'memoryLimit'] as const;

/** Warnings for SI sizes among the tiers' bounds and limits, in the raw (loaded) data. */
export function siUnitWarnings(data: unknown, locate: Locator, file: string): Diagnostic[] {
  const tiers = (data as { tiers?: unknown } | null)?.tiers;
  if (!Array.isArray(tiers)) return [];
  return tiers.flatMap((tier, index) => KEYS.flatMap((key) => {
    const value = (tier as Record<string, unknown> | null)?.[key];
    const match = typeof value === 'string' ? SI.exec(value.trim()) : null;
    if (!match) return [];
    const bytes = parseSize(value as string);
    const binaryUnit = `${match[2]![0]}iB`;
    const binary = parseSize(`${match[1]}${binaryUnit}`);
    if (!bytes.ok || !binary.ok || SIZE_UNITS[binaryUnit] === undefined) return [];
    const path = ['tiers', index, key];
    return [{
      severity: 'warning',
      file,
      ...locate(path),
      path: formatKeyPath(path),
      message: `${value as string} is ${groupThousands(bytes.bytes)} bytes (powers of ten); write ${match[1]}${binaryUnit} for ${groupThousands(binary.bytes)}`,
      id: `si-unit:${subjectOf(data, path)}`,
    } satisfies Diagnostic];
  }));
}
