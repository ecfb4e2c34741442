/**
 * Line and column of an offset in a source text, for the loaders that locate what they read
 * (load-yaml.ts, load-json.ts). Lines and columns are 1-based, as the yaml library's LineCounter
 * gives them.
 */

/** The offset where each line starts. */
export function lineStarts(source: string): number[] {
  const starts = [0];
  for (let index = source.indexOf('\n'); index !== -1; index = source.indexOf('\n', index + 1)) starts.push(index + 1);
  return starts;
}

/** 1-based line and column of an offset, given the text's `lineStarts`. */
export function positionOf(starts: readonly number[], offset: number): { line: number; column: number } {
  let [low, high] = [0, starts.length - 1];
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle]! <= offset) low = middle;
    else high = middle - 1;
  }
  return { line: low + 1, column: offset - starts[low]! + 1 };
}
