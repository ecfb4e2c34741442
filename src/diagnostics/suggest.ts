import { closest, distance } from 'fastest-levenshtein';

/**
 * The candidate `word` was most likely meant to be, when it is a plausible typo: the same letters in
 * another case, or within a few edits (about a third of the candidate's length, at least 2).
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const sameLetters = candidates.find((candidate) => candidate.toLowerCase() === word.toLowerCase());
  if (sameLetters) return sameLetters;
  const best = closest(word, [...candidates]);
  return distance(word, best) <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}
