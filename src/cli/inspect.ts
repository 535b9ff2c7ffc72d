import { CliCommand, CliIo, EXIT_FAILED, EXIT_OK, UsageError, parseArgs } from './command';
import { MetadataError, parseMetadata, summarize } from '../core/metadata';
import { InputError, readMetadataInput } from './inspectInput';
import { formatSummary } from './inspectFormat';

/** The JSON printed for an input that could not be read. */
export interface InspectFailure {
  file: string;
  error: { code: string; message: string; offset: number | null };
}

function failure(input: string, error: unknown): InspectFailure {
  if (error instanceof MetadataError) return { file: input, error: { code: error.code, message: error.message, offset: error.offset } };
  if (error instanceof InputError) return { file: input, error: { code: error.code, message: error.message, offset: null } };
  throw error;
}

export const inspectCommand: CliCommand = {
  name: 'inspect',
  summary: 'Show what a checkpoint or savepoint holds: operators, state sizes, handle types, files',
  usage: 'inspect <_metadata file or checkpoint/savepoint directory>... [--json] [--pointer <dir>]',
  async run(args: string[], io: CliIo): Promise<number> {
    const { positional, flags } = parseArgs(args, ['json'], ['pointer']);
    if (positional.length === 0) throw new UsageError('give at least one _metadata file or checkpoint/savepoint directory');
    const json = flags.has('json');
    const pointerOverride = flags.get('pointer');
    let failed = false;
    for (const input of positional) {
      try {
        const read = await readMetadataInput(input);
        const pointer = typeof pointerOverride === 'string' ? pointerOverride : read.pointer;
        const summary = summarize(parseMetadata(read.bytes, { pointer }));
        io.out(json ? `${JSON.stringify({ file: input, ...summary })}\n` : `${formatSummary(read.file, summary)}\n`);
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
