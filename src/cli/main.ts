import { addSecret, secretsInUris } from '../core/redact';
import { CliCommand, CliIo, EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, redactingIo } from './command';
import { AWS_SECRET_ENV, STORE_ENV } from './storeEnv';
import { allCommands, loadCommand } from './commands';

const PROGRAM = 'flink-checkpoints';
declare const __VERSION__: string | undefined;

function help(): string {
  const commands = allCommands();
  const width = Math.max(0, ...commands.map((c) => c.name.length));
  return [
    `Usage: ${PROGRAM} <command> [options]`,
    '',
    'Lists, inspects, compares and restores Apache Flink checkpoints and savepoints.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Run '${PROGRAM} <command> --help' for the options of one command.`,
    '',
    'Exit codes: 0 success, 1 an input could not be read or a check failed, 2 usage error.',
    '',
  ].join('\n');
}

/** The usage line(s) of a command, without the explanations that follow the first blank line. */
function synopsis(command: CliCommand): string {
  const blank = command.usage.indexOf('\n\n');
  return blank < 0 ? command.usage : command.usage.slice(0, blank);
}

/** Every secret the command line and the environment hand this process, for `redact` to hide wherever it shows up. */
function learnSecrets(argv: readonly string[], env: NodeJS.ProcessEnv): void {
  addSecret(env[STORE_ENV.password]);
  addSecret(env[STORE_ENV.delegationToken]);
  for (const name of AWS_SECRET_ENV) addSecret(env[name]);
  for (const arg of argv) for (const secret of secretsInUris(arg)) addSecret(secret);
}

/** Runs one command line; everything it prints goes through `redact`. */
export async function runCli(argv: string[], rawIo: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  learnSecrets(argv, env);
  const io = redactingIo(rawIo);
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(help());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === '--version') {
    io.out(`${typeof __VERSION__ === 'string' ? __VERSION__ : 'dev'}\n`);
    return EXIT_OK;
  }
  const command: CliCommand | undefined = loadCommand(name);
  if (!command) {
    io.err(`${PROGRAM}: unknown command '${name}'\n\n${help()}`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`Usage: ${PROGRAM} ${command.usage}\n\n${command.summary}\n`);
    return EXIT_OK;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(
        `${PROGRAM} ${name}: ${error.message}\nUsage: ${PROGRAM} ${synopsis(command)}\nRun '${PROGRAM} ${name} --help' for all options.\n`,
      );
      return EXIT_USAGE;
    }
    throw error;
  }
}

/** Ends the process once its output is written: a connection some server keeps open never holds a finished command. */
function exitWhenWritten(code: number): void {
  process.exitCode = code;
  process.stdout.write('', (error) => {
    // A reader that went away: the output is cut short, which is not success.
    if (error) process.exit(EXIT_FAILED);
    process.stderr.write('', () => process.exit(code));
  });
}

/**
 * Runs the command line of this process (dist/cli.js, see launcher.ts). The exit status is 1 until the command
 * settles: a request whose connection closed without an answer can leave a promise pending forever, and Node then
 * exits with nothing left to do; that must never look like success. A reader that goes away (`inspect --json | head`)
 * ends the process quietly.
 */
export function main(): Promise<void> {
  const io = redactingIo({
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    outBytes: (b) => process.stdout.write(b),
  });
  let settled = false;
  process.exitCode = EXIT_FAILED;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT_FAILED);
    throw error;
  });
  process.once('beforeExit', () => {
    if (!settled) {
      io.err(
        `${PROGRAM}: the command stopped without a result (a connection closed without an answer?); nothing was done after that point\n`,
      );
    }
  });
  return runCli(process.argv.slice(2), io).then(
    (code) => {
      settled = true;
      exitWhenWritten(code);
    },
    (error: unknown) => {
      settled = true;
      io.err(
        `${PROGRAM}: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      exitWhenWritten(EXIT_FAILED);
    },
  );
}
