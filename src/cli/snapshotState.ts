import { parseMetadata, type ByteSource, type CheckpointMetadata } from '../core/metadata';
import { readFully } from '../core/metadata/byteReader';
import type { StateFileAccess } from '../core/state';
import { snapshotFileAccess } from '../core/state/storeSnapshot';
import { StateReadCache, cachedReader } from '../core/state/values/cache';
import { storePathOf } from '../core/references/locate';
import { LocalStore } from '../core/stores/local';
import type { CheckpointStore } from '../core/stores/types';
import { parseStoreUri } from '../core/stores/uri';
import { openMetadataInput } from './inspectInput';
import { isStoreUri } from './storeUri';

/** The read cache of one command on a remote store (the entry browser's default is 256 MiB, kept between pages). */
const CLI_CACHE_BYTES = 64 << 20;

/** The read cache of one CLI process: snapshots opened with the same one share the blocks of the files they share. */
export function cliStateCache(): StateReadCache {
  return new StateReadCache(CLI_CACHE_BYTES);
}

/** A snapshot named on the command line, opened for reading its state: metadata and ranged reads of its files. */
export interface OpenedSnapshot {
  readonly file: string;
  readonly pointer: string;
  readonly metadata: CheckpointMetadata;
  readonly access: StateFileAccess;
  close(): Promise<void>;
}

/**
 * Opens a snapshot (local path, directory or store URI) for `schema` and `state`. Its state files are read from the
 * store's root (a local disk's `/`, a bucket, a server), so `shared/` and `taskowned/` files of the checkpoint base
 * are found beside the snapshot directory given, and resolved as cleanup resolves them: also in a tree moved or
 * copied since Flink wrote its absolute paths. Failures to read a file are the state readers' problems of that file.
 * @throws InputError, MetadataError, StoreError before anything was read
 */
export async function openSnapshotState(
  input: string,
  timeoutMs: number | undefined,
  cache: StateReadCache = cliStateCache(),
): Promise<OpenedSnapshot> {
  const read = await openMetadataInput(input, timeoutMs);
  let store: CheckpointStore | undefined;
  try {
    const data = read.data;
    const bytes = data instanceof Uint8Array ? data : readSource(data, 0, data.size);
    const metadata = parseMetadata(bytes, { pointer: read.pointer });
    if (isStoreUri(input)) {
      // The store clients initialize only for a store URI: a local snapshot is read without them.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const stores = require('./lsStore') as typeof import('./lsStore');
      store = stores.openCliStoreRoot(input, timeoutMs);
    } else {
      store = new LocalStore(parseStoreUri('/'), timeoutMs === undefined ? {} : { timeoutMs });
    }
    // A store's pointer ends in `/` (s3://bucket/job/chk-7/); the snapshot's directory is named without it, so that its
    // files are resolved as a checkpoint's (`chk-7`), also when the tree was moved since Flink wrote its paths.
    const snapshotPath = (storePathOf(store.uri, read.pointer) ?? '/').replace(/(.)\/+$/, '$1');
    const { access, accessWith } = snapshotFileAccess(store, snapshotPath, metadata, bytes, read.pointer);
    const opened = store;
    return {
      file: read.file,
      pointer: read.pointer,
      metadata,
      // A remote store's files through a read cache, as the entry browser reads them: the small reads of a file's
      // head, footer and index come from one block read, a meta state file read twice is transferred once.
      access: isStoreUri(input) ? accessWith(cachedReader(store, cache)) : access,
      close: async () => {
        read.close();
        await opened.close();
      },
    };
  } catch (error) {
    read.close();
    await store?.close();
    throw error;
  }
}

/** The whole of a local `_metadata`, read through its open source. */
function readSource(source: ByteSource, offset: number, length: number): Uint8Array {
  const target = new Uint8Array(Math.max(0, Math.min(length, source.size - offset)));
  const got = readFully(source, target, target.length, offset);
  return target.subarray(0, got);
}
