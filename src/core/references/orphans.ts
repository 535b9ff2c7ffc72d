import { MetadataError, summarizeMetadata } from '../metadata';
import { METADATA_FILE, SHARED_DIR, TASK_OWNED_DIR, scanDirectory } from '../layout';
import { CallOptions, CheckpointStore, StoreEntry } from '../stores/types';
import { isStoreError } from '../stores/errors';
import { joinStorePath } from '../stores/paths';
import { externalLocation } from '../stores/uri';
import { storePathOf } from './locate';

/** A retained snapshot of the job and what its `_metadata` said. */
export interface RetainedSnapshot {
  readonly path: string;
  readonly kind: 'checkpoint' | 'savepoint';
  readonly checkpointId: number;
  readonly stateSize: number;
  /** When `_metadata` was written (ms), if the store reports it. */
  readonly mtime?: number;
  /** Store paths of the files it references inside this store. */
  readonly files: readonly string[];
}

export type CleanupReason = 'unreferenced' | 'in-progress' | 'broken';

export interface CleanupCandidate {
  readonly path: string;
  readonly kind: 'file' | 'directory';
  readonly size: number;
  readonly reason: CleanupReason;
}

/** Something left alone on purpose, and why. */
export interface KeptEntry {
  readonly path: string;
  readonly why: string;
}

export interface OrphanReport {
  readonly jobPath: string;
  readonly retained: readonly RetainedSnapshot[];
  /** Distinct store paths any retained snapshot references. */
  readonly referencedFiles: number;
  readonly candidates: readonly CleanupCandidate[];
  readonly totalBytes: number;
  readonly kept: readonly KeptEntry[];
  /** Set when shared state could not be judged safely; no shared or task-owned file is a candidate then. */
  readonly sharedStateBlocked?: string;
}

/**
 * Metadata errors that prove a `_metadata` is not a completed checkpoint (Flink writes it last, whole, and cannot
 * restore from it). An unsupported version or an unknown tag may be a newer Flink than this parser knows: such a
 * snapshot is treated as retained with unknown references.
 */
const BROKEN_CODES = new Set(['truncated', 'not-metadata', 'trailing-bytes']);

/** A file referenced by an absolute path from before the job directory was moved still names `<job id>/shared/…`. */
function relocated(jobPath: string, jobId: string, flinkPath: string): string | undefined {
  const match = new RegExp(`/${jobId}/(${SHARED_DIR}|${TASK_OWNED_DIR})/(.+)$`).exec(flinkPath);
  return match ? joinStorePath(jobPath, `${match[1]}/${match[2]}`) : undefined;
}

async function* walkFiles(store: CheckpointStore, dir: string, options: CallOptions): AsyncGenerator<StoreEntry> {
  for await (const page of store.list(dir, options)) {
    for (const entry of page) {
      if (entry.kind === 'directory') yield* walkFiles(store, entry.path, options);
      else yield entry;
    }
  }
}

/**
 * What of a job directory no retained snapshot needs: files in `shared/` and `taskowned/` that no complete checkpoint
 * or savepoint references, and `chk-N` folders that never completed or whose `_metadata` is corrupt. Safety rules:
 * - a snapshot whose `_metadata` might be valid for a newer Flink blocks every shared-state candidate;
 * - files and in-progress folders newer than the newest retained `_metadata` may belong to a checkpoint being written
 *   right now, so they are kept (listed in `kept`), as are files whose modification time the store does not report.
 */
export async function findOrphans(store: CheckpointStore, jobPath: string, options: CallOptions = {}): Promise<OrphanReport> {
  const layout = await scanDirectory(store, jobPath, options);
  const jobId = jobPath.split('/').filter(Boolean).pop() ?? '';
  const retained: RetainedSnapshot[] = [];
  const candidates: CleanupCandidate[] = [];
  const kept: KeptEntry[] = [];
  const referenced = new Set<string>();
  let sharedStateBlocked: string | undefined;
  const inProgress: { path: string; id?: number }[] = [];
  const broken: { path: string; id?: number }[] = [];

  for (const ref of [...layout.checkpoints, ...layout.savepoints]) {
    const metadataPath = joinStorePath(ref.path, METADATA_FILE);
    let bytes: Uint8Array;
    let metadataEntry: StoreEntry;
    try {
      metadataEntry = await store.stat(metadataPath, options);
      bytes = await store.readAll(metadataPath, options);
    } catch (error) {
      if (!isStoreError(error, 'not-found')) throw error;
      inProgress.push({ path: ref.path, id: ref.checkpointId });
      continue;
    }
    const pointer = externalLocation(store.uri, ref.path);
    try {
      const summary = summarizeMetadata(bytes, { pointer });
      const files: string[] = [];
      for (const file of summary.referencedFiles) {
        const inStore = storePathOf(store.uri, file) ?? relocated(jobPath, jobId, file);
        if (inStore !== undefined) {
          files.push(inStore);
          referenced.add(inStore);
        }
      }
      retained.push({ path: ref.path, kind: summary.kind ?? ref.kind, checkpointId: summary.checkpointId, stateSize: summary.stateSize, mtime: metadataEntry.mtime, files });
    } catch (error) {
      if (!(error instanceof MetadataError)) throw error;
      if (BROKEN_CODES.has(error.code)) {
        broken.push({ path: ref.path, id: ref.checkpointId });
      } else {
        sharedStateBlocked = `${ref.path}/${METADATA_FILE} could not be read (${error.message}); the files it references are unknown`;
        kept.push({ path: ref.path, why: sharedStateBlocked });
      }
    }
  }

  const newestRetained = Math.max(-Infinity, ...retained.map((s) => s.mtime ?? -Infinity));
  const newestCompleteId = Math.max(-Infinity, ...retained.filter((s) => s.kind === 'checkpoint').map((s) => s.checkpointId));
  // Without an atomic rename (FTP) a `_metadata` being written looks truncated: only folders older than the latest
  // complete checkpoint are surely abandoned.
  for (const [folders, reason] of [[inProgress, 'in-progress'], [broken, 'broken']] as const) {
    for (const folder of folders) {
      if (folder.id !== undefined && folder.id < newestCompleteId) {
        const usage = await store.diskUsage(folder.path, options);
        candidates.push({ path: folder.path, kind: 'directory', size: usage.bytes, reason });
      } else {
        kept.push({ path: folder.path, why: 'newer than the latest complete checkpoint: it may still be written' });
      }
    }
  }

  if (retained.length === 0 && !sharedStateBlocked) sharedStateBlocked = 'no complete checkpoint or savepoint is retained, so nothing proves shared state unused';
  const sharedDirs = [layout.hasShared ? SHARED_DIR : null, layout.hasTaskOwned ? TASK_OWNED_DIR : null].filter((d): d is string => d !== null);
  if (!sharedStateBlocked) {
    for (const dir of sharedDirs) {
      for await (const entry of walkFiles(store, joinStorePath(jobPath, dir), options)) {
        if (referenced.has(entry.path)) continue;
        if (entry.mtime === undefined) kept.push({ path: entry.path, why: 'the store does not report when it was written' });
        else if (entry.mtime > newestRetained) kept.push({ path: entry.path, why: 'newer than every retained snapshot: it may belong to a checkpoint being written' });
        else candidates.push({ path: entry.path, kind: 'file', size: entry.size, reason: 'unreferenced' });
      }
    }
  }

  return {
    jobPath,
    retained,
    referencedFiles: referenced.size,
    candidates,
    totalBytes: candidates.reduce((n, c) => n + c.size, 0),
    kept,
    ...(sharedStateBlocked ? { sharedStateBlocked } : {}),
  };
}

/**
 * Deletes the confirmed candidates that are still candidates now: the job is analysed again first, so a file a
 * checkpoint completed since the dry run references is never deleted. Reports every deletion through `onDeleted`.
 */
export async function deleteOrphans(
  store: CheckpointStore,
  jobPath: string,
  confirmed: readonly CleanupCandidate[],
  onDeleted: (candidate: CleanupCandidate) => void,
  options: CallOptions = {},
): Promise<{ deleted: CleanupCandidate[]; skipped: CleanupCandidate[] }> {
  const fresh = await findOrphans(store, jobPath, options);
  const stillCandidates = new Set(fresh.candidates.map((c) => c.path));
  const deleted: CleanupCandidate[] = [];
  const skipped: CleanupCandidate[] = [];
  for (const candidate of confirmed) {
    if (!stillCandidates.has(candidate.path)) {
      skipped.push(candidate);
      continue;
    }
    try {
      await store.delete(candidate.path, { ...options, recursive: candidate.kind === 'directory' });
    } catch (error) {
      // Gone already (Flink or another cleanup removed it): nothing left to do for this one.
      if (!isStoreError(error, 'not-found')) throw error;
      skipped.push(candidate);
      continue;
    }
    deleted.push(candidate);
    onDeleted(candidate);
  }
  return { deleted, skipped };
}
