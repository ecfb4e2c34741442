/**
 * The command line: parses arguments, runs one command, maps every outcome to an exit code.
 * The only place that knows about process arguments and exit codes. Each command's module is
 * imported when that command runs, so `--version` or `check` never load what `patch` (the Swift
 * grammar), `diff` (prettier) or a tiers.config.ts (the TypeScript compiler) need.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { formatDiagnostic } from '../diagnostics/format.js';
import { OutputError } from '../output/output-error.js';
import { suggest } from '../diagnostics/suggest.js';
import { parseFormat } from './report-format.js';
import { ExitCode, UsageError, type CliIO } from './io.js';
import { COMMAND_HELP, MAIN_HELP } from './help.js';
import { packageVersion } from '../package/package-files.js';

type Options = NonNullable<ParseArgsConfig['options']>;

const COMMON_OPTIONS: Options = {
  help: { type: 'boolean', short: 'h' },
  debug: { type: 'boolean' },
};
const CONFIG_OPTION: Options = { config: { type: 'string', short: 'c' } };
const POLICY_OPTIONS: Options = {
  ...CONFIG_OPTION,
  out: { type: 'string', short: 'o' },
  format: { type: 'string', short: 'f' },
  ...COMMON_OPTIONS,
};

type Command = {
  options: Options;
  /** The positional arguments the command takes, as messages call them. */
  positionals?: string[];
  /** How many of them are required (default: all). */
  minimumPositionals?: number;
  run: (io: CliIO, values: Record<string, unknown>, positionals: string[]) => Promise<number>;
};

const COMMANDS: Record<string, Command> = {
  generate: {
    options: { ...POLICY_OPTIONS, force: { type: 'boolean' } },
    run: async (io, values) => (await import('./commands/generate-command.js')).generateCommand(io, { config: str(values.config), out: str(values.out), force: values.force === true, format: parseFormat(values.format) }),
  },
  check: {
    options: POLICY_OPTIONS,
    run: async (io, values) => (await import('./commands/check-command.js')).checkCommand(io, { config: str(values.config), out: str(values.out), format: parseFormat(values.format) }),
  },
  patch: {
    options: { write: { type: 'boolean', short: 'w' }, ...CONFIG_OPTION, ...COMMON_OPTIONS },
    positionals: ['the Swift file that declares the evaluator class (evaluator.className)'],
    run: async (io, values, [file]) => (await import('./commands/patch-command.js')).patchCommand(io, { file: file!, write: values.write === true, config: str(values.config) }),
  },
  explain: {
    options: { ...CONFIG_OPTION, json: { type: 'boolean' }, reports: { type: 'string' }, ...COMMON_OPTIONS },
    positionals: ['a size such as 3.6GiB, or a device name such as "iPhone 13 mini"'],
    run: async (io, values, [query]) => (await import('./commands/explain-command.js')).explainCommand(io, { query: query!, config: str(values.config), json: values.json === true, reports: str(values.reports) }),
  },
  devices: {
    options: { ...CONFIG_OPTION, markdown: { type: 'boolean' }, json: { type: 'boolean' }, ...COMMON_OPTIONS },
    run: async (io, values) => (await import('./commands/devices-command.js')).devicesCommand(io, { config: str(values.config), markdown: values.markdown === true, json: values.json === true }),
  },
  budget: {
    options: { ...CONFIG_OPTION, markdown: { type: 'boolean' }, json: { type: 'boolean' }, reports: { type: 'string' }, ...COMMON_OPTIONS },
    run: async (io, values) => (await import('./commands/budget-command.js')).budgetCommand(io, { config: str(values.config), markdown: values.markdown === true, json: values.json === true, reports: str(values.reports) }),
  },
  diff: {
    options: { ...CONFIG_OPTION, base: { type: 'string', short: 'b' }, markdown: { type: 'boolean' }, ...COMMON_OPTIONS },
    run: async (io, values) => (await import('./commands/diff-command.js')).diffCommand(io, { config: str(values.config), base: str(values.base), markdown: values.markdown === true }),
  },
  schema: {
    options: { out: { type: 'string', short: 'o' }, force: { type: 'boolean' }, ...COMMON_OPTIONS },
    run: async (io, values) => (await import('./commands/schema-command.js')).schemaCommand(io, { out: str(values.out), force: values.force === true }),
  },
  init: {
    options: COMMON_OPTIONS,
    run: async (io) => (await import('./commands/init-command.js')).initCommand(io),
  },
  templates: {
    options: { ...CONFIG_OPTION, to: { type: 'string' }, ...COMMON_OPTIONS },
    positionals: ['list or eject', 'the template to eject'],
    minimumPositionals: 1,
    run: async (io, values, [action, name]) => (await import('./commands/templates-command.js')).templatesCommand(io, { action, name, to: str(values.to), config: str(values.config) }),
  },
  watch: {
    options: { ...CONFIG_OPTION, out: { type: 'string', short: 'o' }, ...COMMON_OPTIONS },
    run: async (io, values) => (await import('./commands/watch-command.js')).watchCommand(io, { config: str(values.config), out: str(values.out), stop: io.interrupted ?? new Promise(() => {}) }),
  },
};

/** Runs memtier with `argv` (without the node and script paths); resolves to the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`${formatDiagnostic(error.diagnostic)}\n`);
      return ExitCode.invalidInput;
    }
    if (error instanceof OutputError) {
      io.stderr(`memtier: error: ${error.message}\n${error.partial ? 'some files were already replaced; fix this and run the command again' : 'nothing was written'}\n`);
      return ExitCode.invalidInput;
    }
    const detail = debug && error instanceof Error ? `\n${error.stack}` : ' (run again with --debug for details)';
    io.stderr(`memtier: internal error: ${error instanceof Error ? error.message : String(error)}${detail}\n` +
      'This is a bug in memtier; please report it with the command you ran and your policy file.\n');
    return ExitCode.internalError;
  }
}

async function dispatch(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    io.stdout(topic && COMMAND_HELP[topic] ? COMMAND_HELP[topic] : MAIN_HELP);
    return name === undefined ? ExitCode.invalidInput : ExitCode.ok;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${packageVersion()}\n`);
    return ExitCode.ok;
  }
  const command = COMMANDS[name];
  if (!command && name.startsWith('-')) {
    // `memtier -version`, `memtier --verison`: an option where a command belongs.
    const meant = suggest(name.replace(/^-+/, ''), ['version', 'help']);
    throw new UsageError(`unknown option ${name}; ${meant ? `did you mean --${meant}? ` : ''}memtier takes a command first, such as memtier generate (see memtier --help)`);
  }
  if (!command) {
    const meant = suggest(name, Object.keys(COMMANDS));
    throw new UsageError(`unknown command "${name}"; ${meant ? `did you mean "${meant}"? ` : ''}commands: ${Object.keys(COMMANDS).join(', ')} (see memtier --help)`);
  }
  const { values, positionals } = parseCommandArgs(name, rest, command.options);
  if (values.help === true) {
    io.stdout(COMMAND_HELP[name] ?? MAIN_HELP);
    return ExitCode.ok;
  }
  const expected = command.positionals ?? [];
  if (positionals.length > expected.length) {
    const takes = expected.length === 0 ? 'no argument' : expected.length === 1 ? `one argument (${expected[0]})` : `at most ${expected.length} arguments`;
    throw new UsageError(`memtier ${name} takes ${takes}, not "${positionals[expected.length]}"; see memtier ${name} --help`);
  }
  if (positionals.length < (command.minimumPositionals ?? expected.length)) {
    throw new UsageError(`memtier ${name} needs ${expected[positionals.length]}; see memtier ${name} --help`);
  }
  return command.run(io, values, positionals);
}

function parseCommandArgs(name: string, args: readonly string[], options: Options): { values: Record<string, unknown>; positionals: string[] } {
  const known = Object.keys(options).map((option) => `--${option}`);
  const single = singleDashWord(args, options);
  if (single) {
    const guess = suggest(single.slice(1), Object.keys(options));
    throw new UsageError(`unknown option ${single} for memtier ${name}; ${guess ? `did you mean --${guess}?` : `options: ${known.join(', ')}`}`);
  }
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // parseArgs reports unknown options and missing values as TypeErrors with an ERR_PARSE_ARGS_* code.
    const message = (error as Error).message;
    const unknown = /^Unknown option '([^']+)'/.exec(message)?.[1];
    if (unknown) {
      const guess = suggest(unknown, known);
      throw new UsageError(`unknown option ${unknown} for memtier ${name}; ${guess ? `did you mean ${guess}?` : `options: ${known.join(', ')}`}`);
    }
    throw new UsageError(`${message.split('\n')[0]}; see memtier ${name} --help`);
  }
}

/**
 * A word written with one dash (`-write`) that means a long option, or that is no group of short
 * options. util.parseArgs reads `-write` as the short flags -w -r -i -t -e and reports "-r", and
 * `-config` as `-c onfig`: neither is what the user typed. A real group (`-wh`) or a short option
 * with its value attached (`-ogenerated`) is left to parseArgs.
 */
function singleDashWord(args: readonly string[], options: Options): string | undefined {
  const shorts = new Map(Object.values(options).flatMap((option) => (option.short ? [[option.short, option.type] as const] : [])));
  const isShortGroup = (word: string): boolean => {
    for (const letter of word) {
      const type = shorts.get(letter);
      if (type === undefined) return false;
      if (type === 'string') return true;
    }
    return true;
  };
  for (const arg of args) {
    if (arg === '--') return undefined;
    if (!/^-[A-Za-z][A-Za-z-]+$/.test(arg)) continue;
    const word = arg.slice(1);
    // Long option names have three letters or more; `-of` is `-o f`, not a misspelt --out.
    if (word.length >= 3 && suggest(word, Object.keys(options)) !== undefined) return arg;
    if (!isShortGroup(word)) return arg;
  }
  return undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
