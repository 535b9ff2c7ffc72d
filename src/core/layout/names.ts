/** A Flink job id as it names a folder under the checkpoint directory: 32 lower-case hex digits. */
export const JOB_ID_PATTERN = /^[0-9a-f]{32}$/;
/** `chk-<checkpoint id>`, the exclusive directory of one checkpoint. */
export const CHECKPOINT_DIR_PATTERN = /^chk-(\d+)$/;
/** `savepoint-<first 6 hex of the job id>-<12 random hex>`. */
export const SAVEPOINT_DIR_PATTERN = /^savepoint-([0-9a-f]{6})-([0-9a-f]{12})$/;
/** The file whose presence (and full readability) makes a checkpoint or savepoint complete. */
export const METADATA_FILE = '_metadata';
/** Hidden in-progress file the RecoverableWriter writes `_metadata` through (local FS, HDFS, S3). */
export const IN_PROGRESS_METADATA_PATTERN = /^\._metadata\.inprogress\./;
export const SHARED_DIR = 'shared';
export const TASK_OWNED_DIR = 'taskowned';

/** What a name in a checkpoint tree means to Flink. */
export type LayoutNameKind =
  'job' | 'checkpoint' | 'savepoint' | 'shared' | 'taskowned' | 'metadata' | 'in-progress-metadata' | 'other';

/** Classifies a directory entry name (`isDirectory` matters: a file called `shared` is just a file). */
export function classifyName(name: string, isDirectory: boolean): LayoutNameKind {
  if (!isDirectory) {
    if (name === METADATA_FILE) return 'metadata';
    if (IN_PROGRESS_METADATA_PATTERN.test(name)) return 'in-progress-metadata';
    return 'other';
  }
  if (JOB_ID_PATTERN.test(name)) return 'job';
  if (CHECKPOINT_DIR_PATTERN.test(name)) return 'checkpoint';
  if (SAVEPOINT_DIR_PATTERN.test(name)) return 'savepoint';
  if (name === SHARED_DIR) return 'shared';
  if (name === TASK_OWNED_DIR) return 'taskowned';
  return 'other';
}

/** The checkpoint id in a `chk-N` name, or undefined. Ids beyond 2^53 are not expected (one per ms for 285k years). */
export function checkpointIdOf(name: string): number | undefined {
  const match = CHECKPOINT_DIR_PATTERN.exec(name);
  return match ? Number(match[1]) : undefined;
}
