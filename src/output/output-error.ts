/** A problem with the output folder that the user must fix (exit code 2); never a crash. */
export class OutputError extends Error {
  override readonly name = 'OutputError';
}
