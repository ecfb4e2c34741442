/**
 * fast-check generators of valid policies (as plain objects in the YAML's shape) and of ways to
 * break them.
 */
import fc from 'fast-check';
import { classify } from '../../src/policy/classify.js';
import { tierNameProblem } from '../../src/swift/identifier.js';

const MiB = 1024n * 1024n;

/** A size written the way people write it: bare bytes, bytes with separators, or a whole number of MiB. */
function sizeText(bytes: bigint, style: number): number | string {
  if (style === 0 && bytes <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(bytes);
  if (style === 1 && bytes % MiB === 0n) return `${bytes / MiB}MiB`;
  if (style === 2) return bytes.toString().replace(/\B(?=(\d{3})+(?!\d))/g, '_');
  return bytes.toString();
}

const tierName = fc.stringMatching(/^[a-z][A-Za-z0-9_]{0,11}$/).filter((name) => tierNameProblem(name) === undefined);

/** Text that reaches Swift comments: any Unicode, line breaks and comment or directive syntax included. */
const description = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('*/ /* #if false', 'line\nbreak\r\nand\u2028more', '"quoted" \\ back\\slash', '#endif', '`code`'),
);

/** A valid policy object, and the sizes its tiers are bounded by (for probing the classification). */
export const validPolicy = fc
  .record({
    names: fc.uniqueArray(tierName, { minLength: 1, maxLength: 6 }),
    bounds: fc.uniqueArray(fc.bigInt({ min: 1n, max: 1n << 42n }), { minLength: 5, maxLength: 5 }),
    seeds: fc.array(fc.record({
      memoryShare: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: null }),
      cacheShare: fc.integer({ min: 0, max: 1000 }),
      maxTokens: fc.integer({ min: 1, max: 100_000 }),
      imageSize: fc.integer({ min: 1, max: 4096 }),
      keepModelLoaded: fc.boolean(),
      aggressiveCleanup: fc.boolean(),
      description: fc.option(description, { nil: undefined }),
      style: fc.integer({ min: 0, max: 3 }),
    }), { minLength: 6, maxLength: 6 }),
    temperature: fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 2, noNaN: true })),
    topP: fc.double({ min: 0.01, max: 1, noNaN: true }),
    accessLevel: fc.constantFrom('internal', 'public'),
    withTests: fc.boolean(),
    mlxApi: fc.constantFrom(null, 'gpu', 'memory'),
    probes: fc.array(fc.bigInt({ min: 0n, max: 1n << 43n }), { maxLength: 4 }),
  })
  .map((input) => {
    const upTos = [...input.bounds].sort((a, b) => (a < b ? -1 : 1)).slice(0, input.names.length - 1);
    const tiers = input.names.map((name, index) => {
      const seed = input.seeds[index]!;
      const upTo = upTos[index];
      const room = upTo ?? 1n << 42n;
      const memoryLimit = seed.memoryShare === null ? null : (room * BigInt(seed.memoryShare)) / 1000n || 1n;
      const cacheLimit = ((memoryLimit ?? room) * BigInt(seed.cacheShare)) / 1000n;
      return {
        name,
        ...(seed.description !== undefined ? { description: seed.description } : {}),
        ...(upTo !== undefined ? { upTo: sizeText(upTo, seed.style) } : {}),
        cacheLimit: sizeText(cacheLimit, seed.style),
        memoryLimit: memoryLimit === null ? null : sizeText(memoryLimit, seed.style),
        maxTokens: seed.maxTokens,
        imageSize: seed.imageSize,
        keepModelLoaded: seed.keepModelLoaded,
        aggressiveCleanup: seed.aggressiveCleanup,
      };
    });
    const bounded = tiers.map((tier, index) => ({ name: tier.name, ...(upTos[index] !== undefined ? { upTo: upTos[index] } : {}) }));
    const expectations = input.probes.map((bytes) => ({ physicalMemory: bytes.toString(), tier: bounded[classify(bounded, bytes).index]!.name }));
    return {
      policy: {
        tiers,
        generation: { temperature: input.temperature, topP: input.topP },
        ...(input.mlxApi ? { evaluator: { mlxApi: input.mlxApi } } : {}),
        expectations,
        output: { directory: 'generated', accessLevel: input.accessLevel, tests: input.withTests ? { module: 'App' } : null },
      },
      upTos,
    };
  });

/** Values that do not belong in a policy, or that push its limits. */
export const junk = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, -Number.MAX_VALUE, 2 ** 63, '', ' ', 'lots', '0.3B', '-1MiB', '9223372036854775808', '1e400', 'default', 'self', 'current', '2GB', '2 GiB', '\u0000', '*/', [], {}, [1, 2], { nested: { deeper: true } }),
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double(),
  fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }).map((value) => value.toString()),
);

/** One way to break a policy object: set a key to junk, delete a key, add an unknown key, or reorder tiers. */
export const mutation = fc.record({
  kind: fc.constantFrom('set', 'delete', 'unknown', 'shuffle', 'duplicate'),
  depth: fc.nat(),
  key: fc.nat(),
  value: junk,
  unknownKey: fc.string({ minLength: 1, maxLength: 10 }),
});

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

/** Applies a mutation to a deep copy of `policy` at a path chosen by `depth` and `key`. */
export function mutate(policy: unknown, change: Mutation): unknown {
  const copy = structuredClone(policy) as Record<string, unknown>;
  if (change.kind === 'shuffle' || change.kind === 'duplicate') {
    const tiers = copy.tiers as unknown[];
    if (change.kind === 'shuffle') tiers.reverse();
    else tiers.push(structuredClone(tiers[change.key % tiers.length]));
    return copy;
  }
  let node: unknown = copy;
  for (let step = 0; step <= change.depth % 3; step += 1) {
    const keys = node && typeof node === 'object' ? Object.keys(node) : [];
    if (keys.length === 0) break;
    const key = keys[change.key % keys.length]!;
    const child = (node as Record<string, unknown>)[key];
    const last = step === change.depth % 3 || child === null || typeof child !== 'object';
    if (last) {
      if (change.kind === 'set') (node as Record<string, unknown>)[key] = change.value;
      if (change.kind === 'delete') delete (node as Record<string, unknown>)[key];
      // An array has no keys to add (and setting its `length` to junk would throw here, in the test).
      if (change.kind === 'unknown' && !Array.isArray(node)) (node as Record<string, unknown>)[change.unknownKey] = change.value;
      return copy;
    }
    node = child;
  }
  return copy;
}
