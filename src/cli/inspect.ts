import {
  CliCommand,
  CliIo,
  EXIT_FAILED,
  EXIT_OK,
  TIMEOUT_USAGE,
  UsageError,
  parseArgs,
  timeoutFlag,
  writeBytes,
} from './command';
import { MetadataError, SummaryParts, scanSummary } from '../core/metadata';
import { InputError, openMetadataInput } from './inspectInput';
import { formatSummary } from './inspectFormat';

/** The JSON printed for an input that could not be read. */
export interface InspectFailure {
  file: string;
  error: { code: string; message: string; offset: number | null };
}

function failure(input: string, error: unknown): InspectFailure {
  if (error instanceof MetadataError) {
    return { file: input, error: { code: error.code, message: error.message, offset: error.offset } };
  }
  if (error instanceof InputError) {
    return { file: input, error: { code: error.code, message: error.message, offset: null } };
  }
  throw error;
}

const FILES_KEY = '"referencedFiles":[]';

/**
 * One input's JSON line, as `JSON.stringify({ file, ...summary })` prints it, with the referenced files written
 * straight from their compact set: a snapshot can reference hundreds of thousands.
 */
function writeJsonLine(io: CliIo, input: string, { summary, files }: SummaryParts): void {
  const text = JSON.stringify({ file: input, ...summary, referencedFiles: [] });
  // Inside a JSON string every quote is escaped, so the key can only match where the summary has it.
  const at = text.indexOf(FILES_KEY) + FILES_KEY.length - 2;
  io.out(text.slice(0, at));
  files.writeJson((chunk) => writeBytes(io, chunk));
  io.out(`${text.slice(at + 2)}\n`);
}

export const inspectCommand: CliCommand = {
  name: 'inspect',
  summary: 'Show what a checkpoint or savepoint holds: operators, state sizes, handle types, files',
  usage: `inspect <_metadata file or checkpoint/savepoint directory, path or store URI>... [--json] [--pointer <dir>] [--timeout <seconds>]\n\n${TIMEOUT_USAGE}`,
  async run(args: string[], io: CliIo): Promise<number> {
    const { positional, flags } = parseArgs(args, ['json'], ['pointer', 'timeout']);
    const timeoutMs = timeoutFlag(flags);
    if (positional.length === 0) {
      throw new UsageError('give at least one _metadata file or checkpoint/savepoint directory');
    }
    const json = flags.has('json');
    const pointerOverride = flags.get('pointer');
    let failed = false;
    for (const input of positional) {
      try {
        const read = await openMetadataInput(input, timeoutMs);
        let parts: SummaryParts;
        try {
          parts = scanSummary(read.data, {
            pointer: typeof pointerOverride === 'string' ? pointerOverride : read.pointer,
          });
        } finally {
          read.close();
        }
        if (json) writeJsonLine(io, input, parts);
        else io.out(`${formatSummary(read.file, parts.summary, parts.files.count)}\n`);
      } catch (error) {
        const f = failure(input, error);
        failed = true;
        if (json) io.out(`${JSON.stringify(f)}\n`);
        else io.err(`${input}: ${f.error.message}\n`);
      }
    }
    return failed ? EXIT_FAILED : EXIT_OK;
  },
};
