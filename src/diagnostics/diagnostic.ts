/**
 * The one problem type: policy errors and warnings, `patch` refusals, `check`'s evaluator
 * regressions, and usage mistakes, located so that Xcode, GitHub and a terminal can all point at
 * them. How each output format prints one is in ./format.ts.
 */

/** How serious a diagnostic is, from the most to the least. */
export type Severity = 'error' | 'warning' | 'note';

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, note: 2 };

/** One problem, with where it is and which key it concerns. */
export interface Diagnostic {
  /** An error stops generation; a warning and a note (worth knowing, nothing wrong) do not. */
  severity: Severity;
  /** The file as the user named it (relative paths stay relative); absent for a usage mistake. */
  file?: string;
  /** 1-based line, when the problem has a place in the file. */
  line?: number;
  /** 1-based column, when the problem has a place in the file. */
  column?: number;
  /** Key path such as `tiers[2].memoryLimit`, when the problem concerns a key. */
  path?: string;
  message: string;
  /**
   * A warning's or note's stable name, such as `estimate-over-memory-limit:ultraLow` (the rule, and
   * the tier or file it is about): what `acknowledged:` in the policy names to accept it.
   */
  id?: string;
}

/** Finds where a key path is written; `key: true` points at the key rather than its value. */
export type Locator = (path: readonly PropertyKey[], options?: { key?: boolean }) => { line: number; column: number };

/** A key path as the user reads it: `['tiers', 2, 'memoryLimit']` -> `tiers[2].memoryLimit`. */
export function formatKeyPath(segments: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of segments) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text;
}

/** Diagnostics in file order, errors before warnings before notes at the same place; ties keep their order. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics
    .map((diagnostic, index) => ({ diagnostic, index }))
    .sort(
      (a, b) =>
        (a.diagnostic.line ?? 0) - (b.diagnostic.line ?? 0) ||
        (a.diagnostic.column ?? 0) - (b.diagnostic.column ?? 0) ||
        SEVERITY_ORDER[a.diagnostic.severity] - SEVERITY_ORDER[b.diagnostic.severity] ||
        a.index - b.index,
    )
    .map(({ diagnostic }) => diagnostic);
}

/** True when any diagnostic is an error (warnings alone do not stop generation). */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((diagnostic) => diagnostic.severity === 'error');
}
