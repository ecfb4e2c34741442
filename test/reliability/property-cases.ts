/**
 * What the property test files share: the number of cases (CI runs them all, at least 10,000 in
 * total) and a count of what happened, printed when a file ends. The two properties are two files
 * so that they run on two cores.
 */
import { afterAll } from 'vitest';

/** Cases per property. */
export const VALID_RUNS = Number(process.env.MEMTIER_PROPERTY_VALID_RUNS ?? 1_500);
export const MUTATED_RUNS = Number(process.env.MEMTIER_PROPERTY_MUTATED_RUNS ?? 9_000);

/** Counts for one file, printed (with `describe`) after its tests; `counted` runs one case and counts its failure. */
export function caseCounter(describe: (counts: Record<string, number>) => string) {
  const counts: Record<string, number> = { failed: 0 };
  afterAll(() => console.log(`${describe(counts)}; ${counts.failed} failed (fast-check shrinks a failure, so this counts its attempts too)`));
  const counted = async (body: () => Promise<void>): Promise<void> => {
    try {
      await body();
    } catch (error) {
      counts.failed! += 1;
      throw error;
    }
  };
  const add = (key: string, by = 1) => {
    counts[key] = (counts[key] ?? 0) + by;
  };
  return { counted, add };
}
