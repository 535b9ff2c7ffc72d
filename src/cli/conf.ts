import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  checkConfig,
  ConfigDiagnostic,
  ConfigFormat,
  FlinkVersionError,
  formatOfFileName,
  MigrationError,
  migrateToConfigYaml,
  parseFlinkLine,
  snippetsFor,
  TextEdit,
  toVsCodeSnippets,
} from '../core/config';
import { FileTooLargeError, NotRegularFileError, readRegularText } from '../core/regularFile';
import { CliCommand, CliIo, EXIT_FAILED, EXIT_OK, UsageError, parseArgs } from './command';

const DEFAULT_VERSION = '2.2';

const USAGE =
  'conf check <file> [--flink <version>] [--format legacy|yaml] [--json]\n' +
  '       conf migrate <flink-conf.yaml> [--rename-deprecated] [--flink <version>]\n' +
  '       conf snippets [--flink <version>] [--format legacy|yaml]\n\n' +
  'check     diagnostics for a flink-conf.yaml or config.yaml: line, column, severity, code, message and the fix\n' +
  '          when there is one (--json prints an array). Exit 1 when any diagnostic is an error.\n' +
  'migrate   prints the file converted to a nested config.yaml that loads to the same configuration\n' +
  '          (--rename-deprecated also renames deprecated keys for --flink, default 2.2).\n' +
  'snippets  prints the configuration snippets in the keys of --flink, as a VS Code snippets file.\n\n' +
  `--flink defaults to ${DEFAULT_VERSION}. --format defaults to legacy for flink-conf.yaml, yaml otherwise.`;

function versionFlag(value: string | true | undefined): string {
  const v = typeof value === 'string' ? value : DEFAULT_VERSION;
  try {
    parseFlinkLine(v);
  } catch (e) {
    if (e instanceof FlinkVersionError) throw new UsageError(e.message);
    throw e;
  }
  return v;
}

function formatFlag(value: string | true | undefined, file: string | undefined): ConfigFormat {
  if (value === undefined) return formatOfFileName(file ?? 'config.yaml');
  if (value === 'legacy' || value === 'yaml') return value;
  throw new UsageError('--format must be legacy or yaml');
}

/** Flink configuration files are a few KiB; anything this large is the wrong file (and is not read into memory). */
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

async function readText(file: string, io: CliIo): Promise<string | null> {
  try {
    return await readRegularText(file, MAX_CONFIG_BYTES);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      e instanceof NotRegularFileError
        ? `it is ${e.kind}, not a regular file; name a flink-conf.yaml or config.yaml`
        : e instanceof FileTooLargeError
          ? `it is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MiB, far more than any Flink configuration file; is this the right file?`
          : code === 'ENOENT'
            ? 'no such file'
            : code === 'EISDIR'
              ? 'it is a directory; name the flink-conf.yaml or config.yaml in it'
              : (e as Error).message;
    io.err(`conf: cannot read ${file}: ${why}\n`);
    return null;
  }
}

/** 1-based line/column form of a range, as the CLI prints it. */
function cliRange(range: TextEdit['range']) {
  return {
    line: range.start.line + 1,
    column: range.start.character + 1,
    endLine: range.end.line + 1,
    endColumn: range.end.character + 1,
  };
}

function cliEdit(edit: TextEdit) {
  return { ...cliRange(edit.range), newText: edit.newText };
}

function cliDiagnostic(d: ConfigDiagnostic) {
  const fix = d.fixes.find((f) => f.preferred) ?? d.fixes[0];
  return {
    ...cliRange(d.range),
    severity: d.severity,
    code: d.code,
    message: d.message,
    ...(d.key !== undefined ? { key: d.key } : {}),
    ...(fix ? { fix: { title: fix.title, edits: fix.edits.map(cliEdit) } } : {}),
  };
}

async function check(args: string[], io: CliIo): Promise<number> {
  const { positional, flags } = parseArgs(args, ['json'], ['flink', 'format']);
  if (positional.length !== 1) throw new UsageError('conf check takes exactly one file');
  const file = positional[0];
  const version = versionFlag(flags.get('flink'));
  const format = formatFlag(flags.get('format'), file);
  const text = await readText(file, io);
  if (text === null) return EXIT_FAILED;
  const siblings = await fs.readdir(path.dirname(path.resolve(file))).catch(() => [] as string[]);
  const diagnostics = checkConfig(text, {
    version,
    format,
    fileName: path.basename(file),
    siblingFileNames: siblings.filter((s) => s !== path.basename(file)),
  });
  if (flags.has('json')) {
    io.out(`${JSON.stringify(diagnostics.map(cliDiagnostic), null, 2)}\n`);
  } else {
    for (const d of diagnostics.map(cliDiagnostic)) {
      io.out(`${file}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}\n`);
      if (d.fix) io.out(`  fix: ${d.fix.title}\n`);
    }
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    io.out(`${diagnostics.length} diagnostic(s), ${errors} error(s) for Flink ${parseFlinkLine(version)}\n`);
  }
  return diagnostics.some((d) => d.severity === 'error') ? EXIT_FAILED : EXIT_OK;
}

async function migrate(args: string[], io: CliIo): Promise<number> {
  const { positional, flags } = parseArgs(args, ['rename-deprecated'], ['flink']);
  if (positional.length !== 1) throw new UsageError('conf migrate takes exactly one flink-conf.yaml');
  const version = versionFlag(flags.get('flink'));
  const text = await readText(positional[0], io);
  if (text === null) return EXIT_FAILED;
  try {
    const result = migrateToConfigYaml(text, { renameDeprecated: flags.has('rename-deprecated'), version });
    io.out(result.text);
    for (const note of result.notes) io.err(`${note.line >= 0 ? `line ${note.line + 1}: ` : ''}${note.message}\n`);
    for (const a of result.attention) io.err(`line ${a.line + 1}: needs attention: ${a.message}\n`);
    return EXIT_OK;
  } catch (e) {
    if (e instanceof MigrationError) {
      io.err(`conf migrate: ${e.message}\n`);
      return EXIT_FAILED;
    }
    throw e;
  }
}

function snippets(args: string[], io: CliIo): number {
  const { positional, flags } = parseArgs(args, [], ['flink', 'format']);
  if (positional.length) throw new UsageError('conf snippets takes no file');
  const version = versionFlag(flags.get('flink'));
  io.out(
    `${JSON.stringify(toVsCodeSnippets(snippetsFor(version, formatFlag(flags.get('format'), undefined))), null, 2)}\n`,
  );
  return EXIT_OK;
}

export const confCommand: CliCommand = {
  name: 'conf',
  summary: 'Check a Flink configuration file, migrate flink-conf.yaml to config.yaml, print snippets',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const [sub, ...rest] = args;
    if (sub === 'check') return check(rest, io);
    if (sub === 'migrate') return migrate(rest, io);
    if (sub === 'snippets') return snippets(rest, io);
    throw new UsageError(
      sub === undefined ? 'conf needs a subcommand: check, migrate or snippets' : `unknown conf subcommand '${sub}'`,
    );
  },
};
