import type { CheckpointMetadata } from '../../metadata';
import type { CheckpointStore } from '../../stores/types';
import type { StateFileAccess } from '../schema';
import { openStoredSnapshot } from '../storeSnapshot';

/** A snapshot in a store opened for reading state: its metadata and ranged reads of the files it names. */
export interface StoredStateSnapshot {
  readonly metadata: CheckpointMetadata;
  readonly access: StateFileAccess;
}

/**
 * Reads `<snapshotPath>/_metadata` and gives ranged reads of its state files (found as cleanup finds them), every read
 * stopped by `signal`. A file no store location fits fails its read naming it: a problem of that file to the readers.
 */
export async function openStoredStateSnapshot(
  store: CheckpointStore,
  snapshotPath: string,
  clusterPaths: readonly string[] = [],
  signal?: AbortSignal,
): Promise<StoredStateSnapshot> {
  const { metadata, access } = await openStoredSnapshot(
    store,
    snapshotPath,
    clusterPaths,
    (inStore, offset, length) => store.readAll(inStore, { offset, length, maxBytes: length, signal }),
    signal,
  );
  return { metadata, access };
}
