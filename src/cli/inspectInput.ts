import { promises as fs } from 'fs';
import * as path from 'path';
import { StoreError } from '../core/stores';
import { describeFailure, isStoreUri, readSnapshotFile } from './lsStore';

/** The bytes of one `_metadata` file and the pointer its relative file handles resolve against. */
export interface MetadataInput {
  /** The `_metadata` file that was read, as the user can find it again. */
  file: string;
  bytes: Uint8Array;
  /** The checkpoint/savepoint directory (Flink's "external pointer"). */
  pointer: string;
}

/** Reading an input failed before any metadata could be parsed (missing file, no `_metadata` in a directory). */
export class InputError extends Error {
  constructor(
    readonly code: 'not-found' | 'unreadable',
    message: string,
  ) {
    super(message);
  }
}

const METADATA_FILE = '_metadata';

/**
 * Resolves a CLI argument to metadata bytes: a store URI (through the stores), a `_metadata` file, or a
 * checkpoint/savepoint directory holding one. All reading of inspect and diff goes through here.
 */
export async function readMetadataInput(input: string): Promise<MetadataInput> {
  if (isStoreUri(input)) {
    try {
      return await readSnapshotFile(input);
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      throw new InputError(error.code === 'not-found' ? 'not-found' : 'unreadable', describeFailure(error));
    }
  }
  const absolute = path.resolve(input);
  let stat;
  try {
    stat = await fs.stat(absolute);
  } catch (error) {
    throw ioError(error, `cannot find '${input}': give a _metadata file or a checkpoint/savepoint directory`);
  }
  const file = stat.isDirectory() ? path.join(absolute, METADATA_FILE) : absolute;
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    throw ioError(
      error,
      stat.isDirectory()
        ? `'${input}' has no ${METADATA_FILE} file: the checkpoint is still in progress, was aborted, or this is not a checkpoint/savepoint directory`
        : `cannot read '${input}'`,
    );
  }
  return { file, bytes, pointer: path.dirname(file) };
}

function ioError(error: unknown, message: string): InputError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new InputError('not-found', message);
  return new InputError('unreadable', `${message}: ${error instanceof Error ? error.message : String(error)}`);
}
