/** Help texts, one per command, shown by `--help`. */

export const MAIN_HELP = `memtier: generate the Swift memory policy of an on-device VLM app from tiers.yaml

Usage: memtier <command> [options]

Commands:
  generate   write the Swift files for the policy (only files whose bytes change)
  check      exit 1 when the committed Swift does not match the policy (for CI)
  diff       what a policy change does, device by device, against a git revision
  explain    which tier a size or a device lands in, and why; or a tier's memory estimate
  devices    the device catalog against the policy
  budget     will each tier fit the model on each device? the memory estimate
  patch      rewrite the app's hand-written VLMEvaluator to use the generated code
  watch      regenerate on every save
  init       write tiers.yaml for the app in this folder, and the next steps
  schema     write the JSON Schema that YAML editors use for completion
  templates  list the templates, or eject one to customise it

The policy is tiers.yaml, or tiers.config.ts (typed, with defineTiers from 'memtier'), in the
current folder; pass --config to use another file.

Run "memtier <command> --help" for a command's options.

Exit codes: 0 success, 1 out of date (check) or a broken promise (diff), 2 invalid input or usage,
3 internal error.
`;

const CONFIG_HELP = `  -c, --config FILE   the policy file (default: tiers.yaml or tiers.config.ts here)`;
const COMMON_HELP = `      --debug         show stack traces for internal errors
  -h, --help          show this help`;
const POLICY_OPTIONS_HELP = `${CONFIG_HELP}
  -o, --out DIR       the output folder (default: output.directory in the policy,
                      relative to the policy file; "generated" unless set)
  -f, --format FMT    text (default), github (workflow annotations), json, or xcode (text with
                      absolute paths and no diff, for the build phase)
${COMMON_HELP}`;

export const COMMAND_HELP: Record<string, string> = {
  explain: `Usage: memtier explain SIZE|DEVICE|TIER [--json] [--reports PATH] [--config FILE]

Which tier a physical memory size ("3.6GiB", 3865470566) or a catalog device ("iPhone 13 mini",
"iPhone14,4") lands in, the boundary that decided, the distance to the nearest boundary, and the
tier's limits. For a tier's name ("standard"): its devices, its memory estimate term by term, and
how it stands under its memoryLimit and each device's app limit (what the estimate's warnings
point to).

Options:
${CONFIG_HELP}
      --json          the same answer as JSON (sizes in bytes; the estimate as budget --json
                      gives it)
      --reports PATH  on-device stress reports (a .json file, or a folder read recursively): the
                      device's (or the tier's) measured figures against the estimate and budget
${COMMON_HELP}
`,
  devices: `Usage: memtier devices [--markdown | --json] [--config FILE]

The device catalog (iPhones from the iPhone 8 / X on, recent iPads) against the policy: what each
reports as physical memory, its tier and the key limits. Reported values marked ~ are estimated,
≈ approximate; unmarked values were measured.

Options:
${CONFIG_HELP}
      --markdown      a Markdown table
      --json          stable JSON ({ version: 1, estimateRule, devices: [...] })
${COMMON_HELP}
`,
  budget: `Usage: memtier budget [--markdown | --json] [--reports PATH] [--config FILE]

The policy's model (its "model:" section: a catalog model such as SmolVLM2-500M-Video-Instruct-mlx,
or your own numbers) against each tier: the estimated peak memory term by term (weights, KV cache
for maxTokens + prompt + image tokens, cacheLimit, activations), and for every catalog device in
the tier, the headroom under the tier's memoryLimit and under the app memory limit measured on
that device (with the increased-memory-limit entitlement when app.increasedMemoryLimit is true).
Every model value is shown with its source; the formula is in docs/budgets.md.

Options:
${CONFIG_HELP}
      --markdown      Markdown tables, for a pull request
      --json          stable JSON ({ version: 1, model, increasedMemoryLimit, tiers: [...] };
                      with --reports, also reports: { runs: [...], warnings: [...] })
      --reports PATH  on-device stress reports (a .json file, or a folder read recursively):
                      each device and tier measured against the estimate and the tier's budget
                      (docs/budgets.md, "Measured on your phones")
${COMMON_HELP}
`,
  diff: `Usage: memtier diff [--base REF] [--markdown] [--config FILE]

Compares the policy at a git revision with the working copy: changed values, tiers added or
removed, and every catalog device whose tier or limits change. A policy that does not exist at
the base is shown as new: every catalog device with the tier and limits it gets. No change prints
one line naming the base.

The base, unless --base names one: the merge base of HEAD with origin/$GITHUB_BASE_REF (the pull
request's base branch, in GitHub Actions), origin/HEAD, main or master; HEAD when there is none,
except in a shallow clone or in GitHub Actions, where that would compare a clean checkout with
itself and pass any change. The output names the base and why it was chosen.

Exit codes: 0 compared, no promise broken; 1 a promise (an expectations entry) breaks;
2 cannot compare: no base in this clone, or a side that cannot be read.

In CI, the base branch's history must be in the clone. GitHub Actions' checkout fetches one
commit unless told otherwise:

    - uses: actions/checkout@v4
      with:
        fetch-depth: 0

Elsewhere, fetch the history and the base branch (here main):

    git fetch --unshallow origin
    git fetch origin main:refs/remotes/origin/main

Options:
${CONFIG_HELP}
  -b, --base REF      the git revision to compare with (as given, not its merge base)
      --markdown      Markdown for a pull-request comment
${COMMON_HELP}
`,
  schema: `Usage: memtier schema [--out FILE] [--force]

Writes the JSON Schema of the policy format (derived from memtier's zod schema) to
tiers.schema.json, which the shipped tiers.yaml names for YAML editors. Overwrites only a schema
memtier wrote, unless --force.

Options:
  -o, --out FILE      where to write (default: tiers.schema.json)
      --force         overwrite a file memtier did not write
${COMMON_HELP}
`,
  init: `Usage: memtier init

Writes tiers.yaml and tiers.schema.json in the current folder for the app it finds there (and in
the folders below, leaving out node_modules, Pods, DerivedData, build output and hidden folders):

  - the mlx-swift release pinned in Package.resolved (SwiftPM's, or Xcode's in the .xcodeproj
    or .xcworkspace): the policy follows it, and names the file in evaluator.packageResolved
    when generate would not find it by itself;
  - the Xcode project (app.xcodeProject) and its app target's module (output.tests.module);
  - the Swift file that declares class VLMEvaluator (evaluator.source).

What it cannot find, or finds more than once, keeps the starter's value and is listed with the
key to set by hand. Then it prints the next steps for that app: generate, patch, target
membership, the Xcode build phase and GitHub Actions. It never overwrites a policy.

Options:
${COMMON_HELP}
`,
  templates: `Usage: memtier templates list [--config FILE]
       memtier templates eject NAME [--to DIR] [--config FILE]

list shows the templates and which ones the policy's output.templates folder replaces. eject
copies a built-in template out for editing (to output.templates, or DIR, or ./templates), never
overwriting. Custom templates may use the helpers swiftIdentifier, swiftString, swiftInt and
swiftDocComment.

Options:
${CONFIG_HELP}
      --to DIR        where to eject
${COMMON_HELP}
`,
  watch: `Usage: memtier watch [--config FILE] [--out DIR]

Generates, then regenerates on every save of the policy or its custom templates. Errors are
printed and watching goes on; Ctrl-C stops.

Options:
${CONFIG_HELP}
  -o, --out DIR       the output folder
${COMMON_HELP}
`,
  patch: `Usage: memtier patch FILE.swift [--write] [--config FILE]

Rewrites the file's evaluator class (evaluator.className in the policy, if there is one; else
\`class VLMEvaluator\`: the hand-written memory handling of the design
document's "current" code) to use the generated code: the device predicates on physicalMemory
and their thresholds go, members the generated extension provides (generateParameters,
unloadModel) are removed, and the decisions in load(), generate and cancelGeneration become
calls into the generated API. Everything else in the file stays byte for byte.

Prints a unified diff; with --write, replaces the file atomically. An already patched file gives
no output. A construct it cannot rewrite safely is reported as FILE:LINE:COLUMN and nothing is
written (exit 2).

A class of another shape (an actor, a class that is not @MainActor, a model cache, a limit set per
request, parameters from a user setting) is refused with where and why, and pointed to the
generated MemoryPolicy, which needs no particular class.

Options:
  -w, --write         apply the change to FILE
${CONFIG_HELP}
${COMMON_HELP}
`,
  generate: `Usage: memtier generate [--config FILE] [--out DIR] [--format FMT] [--force]

Validates the policy and writes its Swift: DeviceMemoryTier.swift and MemoryConfiguration.swift;
with an evaluator section also MemoryPressureMonitor.swift, MemoryPolicy.swift and
<evaluator.className>+MemoryPolicy.swift; with output.tests also Tests/MemoryPolicyTests.swift,
and with both Tests/MemoryStressTest.swift (up to seven files; evaluator.className: null leaves
out the extension and the stress test). Files whose bytes
would not change are left alone; files in the output folder that memtier wrote earlier but no
longer produces are removed. A same-named file that memtier did not
write (it has no "// Generated by memtier" header) is never overwritten unless --force.

Options:
${POLICY_OPTIONS_HELP}
      --force         overwrite same-named files that memtier did not write
`,
  check: `Usage: memtier check [--config FILE] [--out DIR] [--format FMT]

Writes nothing. Compares the output folder with what the policy generates and prints a
unified diff for each stale file, then the missing and no-longer-generated files.

Exit codes: 0 up to date, 1 out of date, 2 invalid policy or usage.

Options:
${POLICY_OPTIONS_HELP}
`,
};
