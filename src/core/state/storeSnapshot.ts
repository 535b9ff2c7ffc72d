import { parseMetadata, summarize, type CheckpointMetadata } from '../metadata';
import { snapshotResolver } from '../references/safety';
import { joinStorePath } from '../stores/paths';
import { externalLocation } from '../stores/uri';
import type { CheckpointStore } from '../stores/types';
import { readSchemas, type OperatorSchema } from './schema';
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

/**
 * Reads `<snapshotPath>/_metadata` and the head of each state file it names (ranged reads, kilobytes per file). Files
 * outside the store become problems of their operator.
 */
export async function readStoredSnapshot(
  store: CheckpointStore,
  snapshotPath: string,
  clusterPaths: readonly string[] = [],
): Promise<StoredSnapshot> {
  const pointer = externalLocation(store.uri, snapshotPath);
  const bytes = await store.readAll(joinStorePath(snapshotPath, '_metadata'));
  const metadata = parseMetadata(bytes, { pointer });
  const summary = summarize(metadata, { pointer });
  // Files are found as cleanup finds them: also when the tree was moved or copied since Flink wrote it.
  const resolve = snapshotResolver(
    snapshotPath,
    Number(metadata.checkpointId),
    summary.referencedFiles,
    store.uri,
    clusterPaths,
  );
  const schemas = await readSchemas(metadata, {
    readMetadata: (offset, length) => Promise.resolve(bytes.subarray(offset, offset + length)),
    read: (path, offset, length) => {
      const inStore = resolve(path)[0];
      if (inStore === undefined) {
        return Promise.reject(new Error(`${path} lies outside the store ${store.label}`));
      }
      return store.readAll(inStore, { offset, length, maxBytes: length });
    },
  });
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
