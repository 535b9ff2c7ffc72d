import * as fs from 'node:fs';
import * as path from 'path';
import type { ByteSource } from '../core/metadata';
import { openFileSource } from '../core/metadata/fileSource';
import { NotRegularFileError } from '../core/regularFile';
import { isStoreUri } from './storeUri';
import { errorMessage } from '../core/errors';

/** One `_metadata` file ready to read, and the pointer its relative file handles resolve against. */
export interface MetadataInput {
  /** The `_metadata` file, as the user can find it again. */
  file: string;
  /** A local file is streamed, never held whole; a store's file arrives as bytes. */
  data: Uint8Array | ByteSource;
  /** The checkpoint/savepoint directory (Flink's "external pointer"). */
  pointer: string;
  /** Releases the open file, if any. */
  close(): void;
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
 * Resolves a CLI argument to a `_metadata` file: a store URI (through the stores), a local `_metadata` file, or a
 * checkpoint/savepoint directory holding one. All reading of inspect and diff goes through here; close what it returns.
 */
export async function openMetadataInput(input: string, timeoutMs?: number): Promise<MetadataInput> {
  if (isStoreUri(input)) {
    // The store clients initialize only for a store URI: a local file is inspected without them.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const stores = require('./lsStore') as typeof import('./lsStore');
    try {
      const { file, bytes, pointer } = await stores.readSnapshotFile(input, timeoutMs);
      return { file, data: bytes, pointer, close: () => undefined };
    } catch (error) {
      if (!stores.isStoreFailure(error)) throw error;
      throw new InputError(error.code === 'not-found' ? 'not-found' : 'unreadable', error.message);
    }
  }
  const absolute = path.resolve(input);
  let stat;
  try {
    // Synchronous like the reads that follow: the promise API would load a dozen more Node modules for one call.
    stat = fs.statSync(absolute);
  } catch (error) {
    throw ioError(error, `cannot find '${input}': give a _metadata file or a checkpoint/savepoint directory`);
  }
  const file = stat.isDirectory() ? path.join(absolute, METADATA_FILE) : absolute;
  try {
    const source = openFileSource(file);
    const data: ByteSource = {
      size: source.size,
      read: (target, offset, length, position) => {
        try {
          return source.read(target, offset, length, position);
        } catch (error) {
          throw ioError(error, `cannot read '${input}'`);
        }
      },
    };
    return { file, data, pointer: path.dirname(file), close: () => source.close() };
  } catch (error) {
    throw ioError(
      error,
      stat.isDirectory()
        ? `'${input}' has no ${METADATA_FILE} file: the checkpoint is still in progress, was aborted, or this is not a checkpoint/savepoint directory`
        : `cannot read '${input}'`,
    );
  }
}

function ioError(error: unknown, message: string): InputError {
  if (error instanceof NotRegularFileError) {
    return new InputError(
      'unreadable',
      `${error.file} is ${error.kind}, not a regular file: give a _metadata file or a checkpoint/savepoint directory`,
    );
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new InputError('not-found', message);
  return new InputError('unreadable', `${message}: ${errorMessage(error)}`);
}
