import { mapLimit } from '../concurrency';
import { MetadataError, scanSummary } from '../metadata';
import { isStoreError } from '../stores/errors';
import { joinStorePath } from '../stores/paths';
import { opensAsDirectory } from '../stores/types';
import type { CallOptions, CheckpointStore, DiskUsage, StoreEntry } from '../stores/types';
import { externalLocation } from '../stores/uri';
import { MissingFilesCheck, PresenceOptions, missingFilesCheck } from '../references/presence';
import { IN_PROGRESS_METADATA_PATTERN, METADATA_FILE, checkpointIdOf, classifyName } from './names';

/** What a store root (or any directory in it) holds, judged by the names of its entries. */
export type RootKind = 'checkpoints-base' | 'job' | 'savepoints' | 'snapshot' | 'empty' | 'unknown';

/** A checkpoint (`chk-N`) or savepoint directory, known by name only. */
export interface SnapshotRef {
  readonly kind: 'checkpoint' | 'savepoint';
  readonly name: string;
  /** Store path of the directory. */
  readonly path: string;
  /** From the `chk-N` name; savepoints learn theirs from `_metadata`. */
  readonly checkpointId?: number;
  readonly mtime?: number;
}

/** A job folder (32-hex job id) under a checkpoints base directory. */
export interface JobRef {
  readonly jobId: string;
  readonly path: string;
  readonly mtime?: number;
}

/** A directory's Flink layout, from one listing (no file is read). */
export interface DirectoryLayout {
  readonly kind: RootKind;
  readonly path: string;
  /** Job folders (checkpoints base directory). */
  readonly jobs: readonly JobRef[];
  /** `chk-N` directories, newest id first (job directory). */
  readonly checkpoints: readonly SnapshotRef[];
  /** `savepoint-…` directories, newest first by mtime (savepoints directory; may sit beside job folders). */
  readonly savepoints: readonly SnapshotRef[];
  readonly hasShared: boolean;
  readonly hasTaskOwned: boolean;
  /** `_metadata` present here (the directory is itself a snapshot). */
  readonly hasMetadata: boolean;
  /** A hidden `._metadata.inprogress.*` file is present. */
  readonly hasInProgressMetadata: boolean;
  /** Entries that mean nothing to Flink's layout. */
  readonly others: readonly StoreEntry[];
}

/** Whether a snapshot was completed, per Flink's rule: `_metadata` exists and reads to its last byte. */
export type SnapshotStatus = 'complete' | 'in-progress' | 'broken';

/** A snapshot directory after reading its `_metadata`. */
export interface SnapshotInfo extends SnapshotRef {
  readonly status: SnapshotStatus;
  /** Why it is broken, or that only an in-progress metadata file exists. */
  readonly reason?: string;
  /** Bytes of `_metadata`. */
  readonly metadataSize?: number;
  /**
   * When `_metadata` was written, as the store reports its modification time: Flink writes it last, when the snapshot
   * completes, and records no time inside it. (The directory's own time moves whenever a file in it is added or
   * removed, so it is never used for this.)
   */
  readonly completedAt?: number;
  /** Checkpoint id recorded in `_metadata` (complete only). */
  readonly metadataCheckpointId?: number;
  /** Flink's state size from `_metadata` (complete only): the fast size. */
  readonly stateSize?: number;
  /** `checkpoint`/`savepoint` from the metadata's properties, when recorded (V4+). */
  readonly snapshotKind?: 'checkpoint' | 'savepoint' | null;
  readonly metadataVersion?: number;
  /**
   * Referenced files the store does not hold (store paths), once checked: a complete checkpoint missing any cannot be
   * restored, so it is never the latest.
   */
  readonly missingFiles?: readonly string[];
}

export interface LayoutOptions extends CallOptions {
  /** Largest `_metadata` read to classify a snapshot (default 256 MiB); a larger one is reported broken. */
  readonly maxMetadataBytes?: number;
  /** Ask the store when `_metadata` was written (`completedAt`; default true): one request more per snapshot. */
  readonly completionTime?: boolean;
}

/** Lists a directory fully and sorts its entries into Flink's layout. */
export async function scanDirectory(
  store: CheckpointStore,
  path: string,
  options?: CallOptions,
): Promise<DirectoryLayout> {
  const jobs: JobRef[] = [];
  const checkpoints: SnapshotRef[] = [];
  const savepoints: SnapshotRef[] = [];
  const others: StoreEntry[] = [];
  let hasShared = false;
  let hasTaskOwned = false;
  let hasMetadata = false;
  let hasInProgressMetadata = false;
  let entries = 0;
  for await (const page of store.list(path, options)) {
    for (const entry of page) {
      entries++;
      switch (classifyName(entry.name, opensAsDirectory(entry))) {
        case 'job':
          jobs.push({
            jobId: entry.name,
            path: entry.path,
            ...(entry.mtime === undefined ? {} : { mtime: entry.mtime }),
          });
          break;
        case 'checkpoint':
          checkpoints.push(refOf('checkpoint', entry));
          break;
        case 'savepoint':
          savepoints.push(refOf('savepoint', entry));
          break;
        case 'shared':
          hasShared = true;
          break;
        case 'taskowned':
          hasTaskOwned = true;
          break;
        case 'metadata':
          hasMetadata = true;
          break;
        case 'in-progress-metadata':
          hasInProgressMetadata = true;
          others.push(entry);
          break;
        default:
          others.push(entry);
      }
    }
  }
  checkpoints.sort((a, b) => b.checkpointId! - a.checkpointId!);
  savepoints.sort((a, b) => (b.mtime ?? 0) - (a.mtime ?? 0) || a.name.localeCompare(b.name));
  jobs.sort((a, b) => a.jobId.localeCompare(b.jobId));
  const kind: RootKind =
    hasMetadata || hasInProgressMetadata
      ? 'snapshot'
      : checkpoints.length > 0 || hasShared || hasTaskOwned
        ? 'job'
        : jobs.length > 0
          ? 'checkpoints-base'
          : savepoints.length > 0
            ? 'savepoints'
            : entries === 0
              ? 'empty'
              : 'unknown';
  return {
    kind,
    path,
    jobs,
    checkpoints,
    savepoints,
    hasShared,
    hasTaskOwned,
    hasMetadata,
    hasInProgressMetadata,
    others,
  };
}

function refOf(kind: 'checkpoint' | 'savepoint', entry: StoreEntry): SnapshotRef {
  const id = kind === 'checkpoint' ? checkpointIdOf(entry.name) : undefined;
  return {
    kind,
    name: entry.name,
    path: entry.path,
    ...(id === undefined ? {} : { checkpointId: id }),
    ...(entry.mtime === undefined ? {} : { mtime: entry.mtime }),
  };
}

/**
 * A reference for a snapshot directory given by path (e.g. the store root when it is a single snapshot). Only a
 * `chk-N` name makes it a checkpoint; any other name counts as a savepoint (what users keep by hand), and
 * SnapshotInfo.snapshotKind has what the metadata itself says.
 */
export function snapshotRefOf(path: string, mtime?: number): SnapshotRef {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const id = checkpointIdOf(name);
  return {
    kind: id === undefined ? 'savepoint' : 'checkpoint',
    name,
    path,
    ...(id === undefined ? {} : { checkpointId: id }),
    ...(mtime === undefined ? {} : { mtime }),
  };
}

/**
 * Classifies one snapshot directory: complete when `_metadata` parses to its last byte, in progress when there is no
 * `_metadata` (or only `._metadata.inprogress.*`), broken when `_metadata` cannot be read or parsed.
 * Store failures other than a missing or unreadable `_metadata` (server down, timeout, cancel) are thrown.
 */
export async function inspectSnapshot(
  store: CheckpointStore,
  ref: SnapshotRef,
  options: LayoutOptions = {},
): Promise<SnapshotInfo> {
  const metadataPath = joinStorePath(ref.path, METADATA_FILE);
  let bytes: Uint8Array;
  // The time comes beside the read, not before it: no round trip is added to the snapshot's latency.
  const written =
    options.completionTime === false
      ? Promise.resolve(undefined)
      : store.stat(metadataPath, options).then(
          (entry) => entry.mtime,
          () => undefined,
        );
  try {
    // readAll checks existence and size itself: one round trip fewer per snapshot than a stat first.
    bytes = await store.readAll(metadataPath, { ...options, maxBytes: options.maxMetadataBytes ?? 256 * 1024 * 1024 });
  } catch (error) {
    await written;
    if (isStoreError(error, 'not-found')) {
      const inProgress = await hasInProgressMetadata(store, ref.path, options);
      return { ...ref, status: 'in-progress', reason: inProgress ? 'metadata is being written' : 'no _metadata yet' };
    }
    if (isStoreError(error, 'is-a-directory')) return { ...ref, status: 'broken', reason: '_metadata is not a file' };
    if (!isStoreError(error, 'permission-denied', 'too-large')) throw error;
    return { ...ref, status: 'broken', reason: `_metadata cannot be read: ${error.detail}` };
  }
  const pointer = externalLocation(store.uri, ref.path);
  try {
    // Only the sizes and the header are needed here: the referenced files stay compact.
    const { summary } = scanSummary(bytes, { pointer });
    const completedAt = await written;
    return {
      ...ref,
      status: 'complete',
      metadataSize: bytes.byteLength,
      ...(completedAt === undefined ? {} : { completedAt }),
      metadataCheckpointId: summary.checkpointId,
      stateSize: summary.stateSize,
      snapshotKind: summary.kind,
      metadataVersion: summary.metadataVersion,
    };
  } catch (error) {
    await written;
    if (!(error instanceof MetadataError)) throw error;
    return {
      ...ref,
      status: 'broken',
      metadataSize: bytes.byteLength,
      reason: `_metadata is not valid: ${error.message}`,
    };
  }
}

async function hasInProgressMetadata(store: CheckpointStore, path: string, options: CallOptions): Promise<boolean> {
  try {
    for await (const page of store.list(path, options)) {
      if (page.some((e) => IN_PROGRESS_METADATA_PATTERN.test(e.name))) return true;
    }
    return false;
  } catch (error) {
    // The directory itself vanished: Flink aborted and removed it while we looked.
    if (isStoreError(error, 'not-found')) return false;
    throw error;
  }
}

/**
 * The newest restorable checkpoint of a job directory: tries `chk-N` from the highest id down and returns the first
 * that is complete and whose referenced files the store holds all of, with the newer ones it skipped (in progress,
 * broken, or complete with `missingFiles`). `latest` is undefined when none is restorable.
 */
export async function findLatestCompleteCheckpoint(
  store: CheckpointStore,
  jobPath: string,
  options: LayoutOptions & PresenceOptions = {},
): Promise<{ latest?: SnapshotInfo; skipped: SnapshotInfo[] }> {
  const layout = await scanDirectory(store, jobPath, options);
  const check = missingFilesCheck(store, options);
  const skipped: SnapshotInfo[] = [];
  for (const ref of layout.checkpoints) {
    // Only the newest restorable one is wanted, not when each completed: S3 bills every request.
    const info = await withMissingFiles(
      await inspectSnapshot(store, ref, { completionTime: false, ...options }),
      check,
    );
    if (info.status === 'complete' && info.missingFiles?.length === 0) return { latest: info, skipped };
    skipped.push(info);
  }
  return { skipped };
}

/** `info` with `missingFiles` checked (complete snapshots only) and, when some are missing, a reason naming them. */
export async function withMissingFiles(info: SnapshotInfo, check: MissingFilesCheck): Promise<SnapshotInfo> {
  if (info.status !== 'complete') return info;
  const missingFiles = await check(info);
  if (missingFiles.length === 0) return { ...info, missingFiles };
  return { ...info, missingFiles, reason: missingFilesReason(missingFiles) };
}

/** "2 referenced files missing: /job/shared/a, /job/shared/b" (the first few named). */
export function missingFilesReason(missing: readonly string[]): string {
  const shown = missing.slice(0, 3).join(', ');
  return `${missing.length} referenced ${missing.length === 1 ? 'file' : 'files'} missing: ${shown}${missing.length > 3 ? `, and ${missing.length - 3} more` : ''}`;
}

/**
 * The latest restorable checkpoint among inspected snapshots: their complete checkpoints are checked from the highest
 * id down until one holds all its files. Returns the snapshots (in their order) with the checked ones carrying
 * `missingFiles`, and that checkpoint.
 */
export async function markLatestRestorable(
  snapshots: readonly SnapshotInfo[],
  check: MissingFilesCheck,
): Promise<{ snapshots: SnapshotInfo[]; latest?: SnapshotInfo }> {
  const out = [...snapshots];
  const order = out
    .map((info, index) => ({ info, index }))
    .filter(({ info }) => info.kind === 'checkpoint' && info.status === 'complete')
    .sort(
      (a, b) =>
        (b.info.metadataCheckpointId ?? b.info.checkpointId ?? 0) -
        (a.info.metadataCheckpointId ?? a.info.checkpointId ?? 0),
    );
  for (const { info, index } of order) {
    out[index] = await withMissingFiles(info, check);
    if (out[index].missingFiles?.length === 0) return { snapshots: out, latest: out[index] };
  }
  return { snapshots: out };
}

/**
 * How many snapshots a browsing UI inspects per page: each costs one `_metadata` read, a round trip on remote stores.
 */
export const SNAPSHOT_PAGE_SIZE = 100;

/**
 * Inspects many snapshots with bounded concurrency (default 16: on an object store 50 ms away each `_metadata` is a
 * round trip; an FTP store's pool and an S3 store's request slots bound it further), keeping the input order. Failures of the store reject the whole call; per-snapshot problems come back as `broken`.
 */
export async function inspectSnapshots(
  store: CheckpointStore,
  refs: readonly SnapshotRef[],
  options: LayoutOptions & { concurrency?: number } = {},
): Promise<SnapshotInfo[]> {
  return mapLimit(refs, options.concurrency ?? 16, (ref) => inspectSnapshot(store, ref, options));
}

/** The storage footprint of a directory from listing it (bytes, files, directories), recursively. */
export function sizeFromListing(store: CheckpointStore, path: string, options?: CallOptions): Promise<DiskUsage> {
  return store.diskUsage(path, options);
}
