import { parseMetadata, summarize, type CheckpointMetadata } from '../metadata';
import { snapshotResolver } from '../references/safety';
import { joinStorePath } from '../stores/paths';
import { externalLocation } from '../stores/uri';
import { StoreError, isStoreError } from '../stores/errors';
import type { CheckpointStore } from '../stores/types';
import { readSchemas, type OperatorSchema, type StateFileAccess } from './schema';
import type { JobDescription } from './uids';

/** A snapshot in a store, read for the pre-flight and the uid lenses: metadata, per-operator sizes and schemas. */
export interface StoredSnapshot {
  readonly path: string;
  readonly pointer: string;
  readonly metadata: CheckpointMetadata;
  readonly stateSizes: ReadonlyMap<string, number>;
  readonly kind: 'checkpoint' | 'savepoint' | null;
  readonly savepointFormat: 'canonical' | 'native' | null;
  readonly schemas: readonly OperatorSchema[];
}

/** A snapshot's `_metadata`, parsed, and ranged reads of the state files it names, resolved to the store's paths. */
export interface SnapshotAccess {
  readonly pointer: string;
  readonly metadata: CheckpointMetadata;
  readonly summary: ReturnType<typeof summarize>;
  readonly access: StateFileAccess;
  /** The same access reading the resolved files with `read` (a cache, a cancellation signal, a byte counter). */
  accessWith(read: StoreRangeRead): StateFileAccess;
}

/** How a state file is read once resolved to a store path; the store's ranged read by default. */
export type StoreRangeRead = (inStore: string, offset: number, length: number) => Promise<Uint8Array>;

/**
 * Ranged reads of the state files a snapshot's `_metadata` names, resolved to store paths as cleanup resolves them: also
 * when the tree was moved or copied since Flink wrote it, or Flink wrote the path the cluster sees. Each place a file
 * may be is tried, most likely first; a file at none fails with the store's not-found error naming it, one outside the
 * store with a message saying so. The state readers report either as a problem of that file.
 */
export function snapshotFileAccess(
  store: CheckpointStore,
  snapshotPath: string,
  metadata: CheckpointMetadata,
  metadataBytes: Uint8Array,
  pointer: string,
  clusterPaths: readonly string[] = [],
): Pick<SnapshotAccess, 'access' | 'accessWith'> {
  const summary = summarize(metadata, { pointer });
  const resolve = snapshotResolver(
    snapshotPath,
    Number(metadata.checkpointId),
    summary.referencedFiles,
    store.uri,
    clusterPaths,
  );
  const accessWith = (reader: StoreRangeRead): StateFileAccess => ({
    readMetadata: (offset, length) => Promise.resolve(metadataBytes.subarray(offset, offset + length)),
    read: async (path, offset, length) => {
      const places = resolve(path);
      if (places.length === 0) {
        throw new StoreError(
          'invalid-path',
          store.label,
          undefined,
          `${path} lies outside this store`,
          'Open the snapshot from a store that holds its checkpoint base.',
        );
      }
      let missing: unknown;
      for (const place of places) {
        try {
          return await reader(place, offset, length);
        } catch (error) {
          if (!isStoreError(error, 'not-found')) throw error;
          // The most likely place's error names where the file should be.
          missing ??= error;
        }
      }
      throw missing;
    },
  });
  const read: StoreRangeRead = (inStore, offset, length) =>
    store.readAll(inStore, { offset, length, maxBytes: length });
  return { access: accessWith(read), accessWith };
}

/** Reads `<snapshotPath>/_metadata` and gives ranged reads of the state files it names (`snapshotFileAccess`). */
export async function openStoredSnapshot(
  store: CheckpointStore,
  snapshotPath: string,
  clusterPaths: readonly string[] = [],
  read?: StoreRangeRead,
  signal?: AbortSignal,
): Promise<SnapshotAccess> {
  const pointer = externalLocation(store.uri, snapshotPath);
  const bytes = await store.readAll(joinStorePath(snapshotPath, '_metadata'), signal ? { signal } : {});
  const metadata = parseMetadata(bytes, { pointer });
  const summary = summarize(metadata, { pointer });
  const { access, accessWith } = snapshotFileAccess(store, snapshotPath, metadata, bytes, pointer, clusterPaths);
  return { pointer, metadata, summary, access: read ? accessWith(read) : access, accessWith };
}

/**
 * Reads `<snapshotPath>/_metadata` and the head of each state file it names (ranged reads, kilobytes per file). Files
 * outside the store become problems of their operator.
 */
export async function readStoredSnapshot(
  store: CheckpointStore,
  snapshotPath: string,
  clusterPaths: readonly string[] = [],
  read?: StoreRangeRead,
): Promise<StoredSnapshot> {
  const { pointer, metadata, summary, access } = await openStoredSnapshot(store, snapshotPath, clusterPaths, read);
  const schemas = await readSchemas(metadata, access);
  return {
    path: snapshotPath,
    pointer,
    metadata,
    stateSizes: new Map(summary.operators.map((o) => [o.operatorId, o.stateSize])),
    kind: summary.kind,
    savepointFormat: summary.savepointFormat,
    schemas,
  };
}

/** The job a snapshot describes, as a pre-flight target. */
export function jobOfSnapshot(label: string, metadata: CheckpointMetadata): JobDescription {
  return {
    kind: 'snapshot',
    label,
    operators: metadata.operators.map((op) => ({
      operatorId: op.operatorId,
      uid: op.uid,
      name: op.name,
      parallelism: op.parallelism,
      maxParallelism: op.maxParallelism,
    })),
    complete: true,
    unnamed: [],
  };
}
