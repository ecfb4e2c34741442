/**
 * The Xcode "Run Script" build phase that runs `memtier check` (xcode/build-phase.sh), as the
 * steps a user follows in Xcode: what `init` prints for the app it finds, and what docs/ci.md
 * shows. Paths are from $(SRCROOT), the folder of the app's .xcodeproj.
 */

/** Where things are, seen from $(SRCROOT); every path `/`-separated, '' for $(SRCROOT) itself. */
export interface BuildPhaseLayout {
  /** memtier's installed package, e.g. `node_modules/memtier`. */
  readonly packageFromSrcroot: string;
  /** The file list `generate` writes (with app.xcodeProject), e.g. `generated/memtier.xcfilelist`. */
  readonly fileListFromSrcroot: string;
  /** The app target that gets the phase, when known. */
  readonly target?: string;
}

/** The phase's output: a stamp file, so that Xcode skips the phase while its inputs are unchanged. */
export const BUILD_PHASE_OUTPUT = '$(DERIVED_FILE_DIR)/memtier-check.stamp';

const underSrcroot = (path: string, variable: string) => (path === '' ? variable : `${variable}/${path}`);

/** The phase's shell script, one line: the script memtier ships, run from its installed package. */
export function buildPhaseScript(layout: BuildPhaseLayout): string {
  return `"${underSrcroot(layout.packageFromSrcroot, '$SRCROOT')}/xcode/build-phase.sh"`;
}

/** The steps in Xcode, as numbered lines indented by `indent`. */
export function buildPhaseSteps(layout: BuildPhaseLayout, indent = '  '): string {
  const target = layout.target === undefined ? 'the app target' : `the ${layout.target} target`;
  return [
    `In Xcode, select ${target}, Build Phases, + > New Run Script Phase, and drag it above`,
    '"Compile Sources". Then set:',
    `  Shell:              /bin/sh`,
    `  Script:             ${buildPhaseScript(layout)}`,
    `  Input File Lists:   ${underSrcroot(layout.fileListFromSrcroot, '$(SRCROOT)')}`,
    `  Output Files:       ${BUILD_PHASE_OUTPUT}`,
    'The input file list names every file the phase reads, so it works with user script sandboxing',
    '(ENABLE_USER_SCRIPT_SANDBOXING, on for projects made with Xcode 15 and later); `memtier',
    'generate` keeps it in step with the policy. The script finds Node where Homebrew, nvm, Volta,',
    'asdf, mise and fnm put it; set NODE_BINARY in the phase to choose one.',
  ].map((line) => `${indent}${line}`).join('\n');
}
