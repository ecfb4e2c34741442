import type { Diagnostic } from '../diagnostics/diagnostic.js';

/** Where a command reads and prints: the real process, or a test's temporary folder and buffers. */
export interface CliIO {
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Resolves when the user asks to stop (Ctrl-C); long-running commands (watch) end then. */
  interrupted?: Promise<void>;
}

/** The documented exit codes. */
export const ExitCode = {
  /** Success; for `check`, the output is up to date. */
  ok: 0,
  /** `check`: the generated files do not match the policy, or the evaluator regressed; `diff`: a promise breaks. */
  outOfDate: 1,
  /** Invalid policy, unusable output folder, or bad arguments. Nothing was written. */
  invalidInput: 2,
  /** A bug in memtier. */
  internalError: 3,
} as const;

/** A mistake the user can fix: printed as `memtier: error: ...`, never with a stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';

  /** The mistake as a Diagnostic, printed like every other problem. */
  get diagnostic(): Diagnostic {
    return { severity: 'error', message: this.message };
  }
}
