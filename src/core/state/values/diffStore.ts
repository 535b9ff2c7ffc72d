import { parseMetadata, summarize, type CheckpointMetadata } from '../../metadata';
import { snapshotResolver } from '../../references/safety';
import { joinStorePath } from '../../stores/paths';
import type { CheckpointStore } from '../../stores/types';
import { externalLocation } from '../../stores/uri';
import type { StateFileAccess } from '../schema';

/** A snapshot in a store opened for reading state: its metadata and ranged reads of the files it names. */
export interface StoredStateSnapshot {
  readonly metadata: CheckpointMetadata;
  readonly access: StateFileAccess;
}

/**
 * Reads `<snapshotPath>/_metadata` and gives ranged reads of its state files, found as cleanup finds them (also when
 * the tree was moved or copied since Flink wrote it, or Flink wrote the cluster's path). A file no store location
 * fits fails its read with a message naming it, which the state readers report as a problem of that file.
 */
export async function openStoredStateSnapshot(
  store: CheckpointStore,
  snapshotPath: string,
  clusterPaths: readonly string[] = [],
  signal?: AbortSignal,
): Promise<StoredStateSnapshot> {
  const pointer = externalLocation(store.uri, snapshotPath);
  const bytes = await store.readAll(joinStorePath(snapshotPath, '_metadata'), { signal });
  const metadata = parseMetadata(bytes, { pointer });
  const summary = summarize(metadata, { pointer });
  const resolve = snapshotResolver(
    snapshotPath,
    Number(metadata.checkpointId),
    summary.referencedFiles,
    store.uri,
    clusterPaths,
  );
  return {
    metadata,
    access: {
      readMetadata: (offset, length) => Promise.resolve(bytes.subarray(offset, offset + length)),
      read: (path, offset, length) => {
        const inStore = resolve(path)[0];
        if (inStore === undefined) return Promise.reject(new Error(`${path} lies outside the store ${store.label}`));
        return store.readAll(inStore, { offset, length, maxBytes: length, signal });
      },
    },
  };
}
