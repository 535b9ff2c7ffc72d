import type { CheckpointMetadata } from '../../metadata';
import type { CheckpointStore } from '../../stores/types';
import type { StateFileAccess } from '../schema';
import { openStoredSnapshot, type StoreRangeRead } from '../storeSnapshot';
import { cachedReader, type StateReadCache } from './cache';

/** A snapshot in a store opened for reading state: its metadata and ranged reads of the files it names. */
export interface StoredStateSnapshot {
  readonly metadata: CheckpointMetadata;
  readonly access: StateFileAccess;
}

/**
 * Reads `<snapshotPath>/_metadata` and gives ranged reads of its state files (found as cleanup finds them), every read
 * stopped by `signal`. A file no store location fits fails its read naming it: a problem of that file to the readers.
 * A remote store's files are read through `cache` when given: the files two snapshots share (an incremental
 * checkpoint's `shared/` SST files) are transferred once for both sides of a diff, and again for no later diff.
 */
export async function openStoredStateSnapshot(
  store: CheckpointStore,
  snapshotPath: string,
  clusterPaths: readonly string[] = [],
  signal?: AbortSignal,
  cache?: StateReadCache,
): Promise<StoredStateSnapshot> {
  const read: StoreRangeRead =
    cache !== undefined && store.uri.scheme !== 'file'
      ? cachedReader(store, cache, { signal })
      : (inStore, offset, length) => store.readAll(inStore, { offset, length, maxBytes: length, signal });
  const { metadata, access } = await openStoredSnapshot(store, snapshotPath, clusterPaths, read, signal);
  return { metadata, access };
}
