/**
 * The command line: parses arguments, runs one command, maps every outcome to an exit code.
 * The only place that knows about process arguments and exit codes.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { OutputError } from '../output/output-error.js';
import { suggest } from '../validate/did-you-mean.js';
import { checkCommand } from './commands/check-command.js';
import { generateCommand } from './commands/generate-command.js';
import { ExitCode, UsageError, type CliIO } from './io.js';
import { COMMAND_HELP, MAIN_HELP } from './help.js';
import { readVersion } from './version.js';

type Options = NonNullable<ParseArgsConfig['options']>;

const POLICY_OPTIONS: Options = {
  config: { type: 'string', short: 'c' },
  out: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
  debug: { type: 'boolean' },
};

const COMMANDS: Record<string, { options: Options; run: (io: CliIO, values: Record<string, unknown>) => Promise<number> }> = {
  generate: {
    options: { ...POLICY_OPTIONS, force: { type: 'boolean' } },
    run: (io, values) => generateCommand(io, { config: str(values.config), out: str(values.out), force: values.force === true }),
  },
  check: {
    options: POLICY_OPTIONS,
    run: (io, values) => checkCommand(io, { config: str(values.config), out: str(values.out) }),
  },
};

/** Runs memtier with `argv` (without the node and script paths); resolves to the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`memtier: error: ${error.message}\n`);
      return ExitCode.invalidInput;
    }
    if (error instanceof OutputError) {
      io.stderr(`memtier: error: ${error.message}\nnothing more was written\n`);
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
    io.stdout(`${readVersion()}\n`);
    return ExitCode.ok;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')} (see memtier --help)`);
  const values = parseCommandArgs(name, rest, command.options);
  if (values.help === true) {
    io.stdout(COMMAND_HELP[name] ?? MAIN_HELP);
    return ExitCode.ok;
  }
  return command.run(io, values);
}

function parseCommandArgs(name: string, args: readonly string[], options: Options): Record<string, unknown> {
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
    if (positionals.length > 0) throw new UsageError(`memtier ${name} takes no argument "${positionals[0]}"; see memtier ${name} --help`);
    return values;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // parseArgs reports unknown options and missing values as TypeErrors with an ERR_PARSE_ARGS_* code.
    const message = (error as Error).message;
    const unknown = /^Unknown option '([^']+)'/.exec(message)?.[1];
    if (unknown) {
      const known = Object.keys(options).map((option) => `--${option}`);
      const guess = suggest(unknown, known);
      throw new UsageError(`unknown option ${unknown} for memtier ${name}; ${guess ? `did you mean ${guess}?` : `options: ${known.join(', ')}`}`);
    }
    throw new UsageError(`${message.split('\n')[0]}; see memtier ${name} --help`);
  }
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
