/** A problem with the output folder that the user must fix (exit code 2); never a crash. */
export class OutputError extends Error {
  override readonly name = 'OutputError';

  /** `partial`: some files were already replaced when it happened (a failure between renames). */
  constructor(message: string, readonly partial = false) {
    super(message);
  }
}
