import { CliCommand, CliIo, EXIT_OK, EXIT_USAGE, isUsageError } from './command';
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

export async function runCli(argv: string[], io: CliIo): Promise<number> {
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
    if (isUsageError(error)) {
      io.err(`${PROGRAM} ${name}: ${error.message}\nUsage: ${PROGRAM} ${command.usage}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

/** Runs the command line of this process (the entry point of dist/cli.js, see launcher.ts). */
export function main(): Promise<void> {
  const io: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), outBytes: (b) => process.stdout.write(b) };
  return runCli(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      io.err(`${PROGRAM}: internal error: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
