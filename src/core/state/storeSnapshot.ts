import { parseMetadata, summarize, type CheckpointMetadata } from '../metadata';
import { snapshotResolver } from '../references/safety';
import { joinStorePath } from '../stores/paths';
import { externalLocation } from '../stores/uri';
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
 * Reads `<snapshotPath>/_metadata` and resolves the files it names as cleanup finds them: also when the tree was moved
 * or copied since Flink wrote it. Files outside the store fail their reads, naming the file and the store.
 */
export async function openStoredSnapshot(
  store: CheckpointStore,
  snapshotPath: string,
  clusterPaths: readonly string[] = [],
  read: StoreRangeRead = (inStore, offset, length) => store.readAll(inStore, { offset, length, maxBytes: length }),
): Promise<SnapshotAccess> {
  const pointer = externalLocation(store.uri, snapshotPath);
  const bytes = await store.readAll(joinStorePath(snapshotPath, '_metadata'));
  const metadata = parseMetadata(bytes, { pointer });
  const summary = summarize(metadata, { pointer });
  const resolve = snapshotResolver(
    snapshotPath,
    Number(metadata.checkpointId),
    summary.referencedFiles,
    store.uri,
    clusterPaths,
  );
  const accessWith = (reader: StoreRangeRead): StateFileAccess => ({
    readMetadata: (offset, length) => Promise.resolve(bytes.subarray(offset, offset + length)),
    read: (path, offset, length) => {
      const inStore = resolve(path)[0];
      if (inStore === undefined) {
        return Promise.reject(new Error(`${path} lies outside the store ${store.label}`));
      }
      return reader(inStore, offset, length);
    },
  });
  return { pointer, metadata, summary, access: accessWith(read), accessWith };
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
