/**
 * A size written as a bare number is a count of bytes, so `cacheLimit: 3` is 3 bytes, not 3 MiB.
 * The value is valid and the estimate even prints it, so nothing else would tell the user. A bare
 * number far too small for its key is almost certainly a unit left out: a warning says what it
 * means and what to write instead. Its neighbour, the warning for SI units, is ./si-units.ts.
 */
import { formatKeyPath, type Diagnostic, type Locator } from '../diagnostics/diagnostic.js';
import { groupThousands, parseSize } from '../policy/sizes.js';

const KiB = 1024n;
const MiB = 1024n * KiB;

/**
 * Below this many bytes, a bare number is taken for a forgotten unit, per kind of key:
 * - device memory, memory limits, a peak footprint, model weights and activations: 1 MiB. No iOS
 *   device has less than 1 GiB and no model runs in less than hundreds of MiB, so a bare number
 *   under 1 MiB is never meant as bytes (`upTo: 4`, `memoryLimit: 2500`).
 * - the GPU cache limit: 1 KiB, and not 0. `cacheLimit: 0` turns MLX's cache off, and a small
 *   cache is a real choice, so only a value too small to hold any buffer (`cacheLimit: 3`) warns.
 * kvBytesPerToken is left out: it is naturally written in bytes (40960 for SmolVLM2-500M).
 */
const MEMORY_SCALE = { below: MiB, meant: (count: bigint) => (count <= 64n ? 'GiB' : 'MiB') } as const;
const CACHE_SCALE = { below: KiB, meant: () => 'MiB' } as const;
type Scale = typeof MEMORY_SCALE | typeof CACHE_SCALE;

const BOUND_KEYS: [string, Scale][] = [['cacheLimit', CACHE_SCALE], ['memoryLimit', MEMORY_SCALE]];
const TIER_KEYS: [string, Scale][] = [['upTo', MEMORY_SCALE], ...BOUND_KEYS];
const MODEL_KEYS: [string, Scale][] = [['weights', MEMORY_SCALE], ['activations', MEMORY_SCALE]];

const UNIT_NAMES: Record<string, string> = { MiB: 'mebibytes', GiB: 'gibibytes' };

/** Warnings for sizes written as implausibly small bare numbers, in the raw (loaded) data. */
export function unitLessSizeWarnings(data: unknown, locate: Locator, file: string): Diagnostic[] {
  const root = asRecord(data);
  const candidates: [PropertyKey[], Scale][] = [
    ...listOf(root?.tiers).flatMap((tier, index) => [
      ...TIER_KEYS.map(([key, scale]): [PropertyKey[], Scale] => [['tiers', index, key], scale]),
      [['tiers', index, 'budget', 'peakFootprint'], MEMORY_SCALE] as [PropertyKey[], Scale],
    ]),
    ...listOf(root?.expectations).flatMap((_, index) => [
      [['expectations', index, 'physicalMemory'], MEMORY_SCALE] as [PropertyKey[], Scale],
      ...['atLeast', 'atMost'].flatMap((bound) => BOUND_KEYS.map(([key, scale]): [PropertyKey[], Scale] => [['expectations', index, bound, key], scale])),
    ]),
    ...MODEL_KEYS.map(([key, scale]): [PropertyKey[], Scale] => [['model', key], scale]),
  ];
  return candidates.flatMap(([path, scale]) => {
    const count = bareByteCount(valueAt(data, path));
    if (count === undefined || count === 0n || count >= scale.below) return [];
    const unit = scale.meant(count);
    return [{
      severity: 'warning',
      file,
      ...locate(path),
      path: formatKeyPath(path),
      message: `${count} means ${groupThousands(count)} byte${count === 1n ? '' : 's'} (a number without a unit is a count of bytes); write ${count}${unit} if you meant ${UNIT_NAMES[unit]}`,
      id: `size-without-unit:${subjectOf(data, path)}`,
    } satisfies Diagnostic];
  });
}

/** How a warning's id names the key: by the tier's name when it is a tier's (`ultraLow.cacheLimit`). */
export function subjectOf(data: unknown, path: readonly PropertyKey[]): string {
  const name = path[0] === 'tiers' ? valueAt(data, path.slice(0, 2).concat('name')) : undefined;
  return typeof name === 'string' ? formatKeyPath([name, ...path.slice(2)]) : formatKeyPath(path);
}

/** The bytes of a size written without a unit (a number, or a string of digits), else undefined. */
function bareByteCount(value: unknown): bigint | undefined {
  const bare = typeof value === 'number' || (typeof value === 'string' && /^\s*\d[\d_]*\s*$/.test(value));
  if (!bare) return undefined;
  const size = parseSize(value as number | string);
  return size.ok ? size.bytes : undefined;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((node, segment) => asRecord(node)?.[segment as string], data);
}

function asRecord(value: unknown): Record<PropertyKey, unknown> | undefined {
  return value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>) : undefined;
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
