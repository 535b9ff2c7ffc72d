import { DataInput } from '../dataInput';
import { StateSchemaError } from '../errors';
import { hexOf, long, type StateValue } from './decode';

/**
 * The file connector's state (flink-connector-files): FileSource splits and its enumerator checkpoint, FileSink's
 * writer (bucket) state and committables. The connector mixes `DataOutputStream` fields with little-endian
 * `ByteBuffer` ones (the enumerator checkpoint, local recoverables, bucket ids), so both are read here.
 *
 * Shapes:
 * - split `{"split":"file","splitId","path","offset","length","fileModificationTime","fileSize","hostnames",
 *   "readerPosition"}`; `readerPosition` is null before the reader checkpointed inside the split, else
 *   `{"offset","recordsAfterOffset"}` (`CheckpointedPosition`: offset −1 means "records from the split start");
 * - enumerator `{"enumerator":"file","serializerVersion","splitSerializerVersion","pendingSplits","alreadyProcessedPaths"}`;
 * - writer `{"writer":"file","serializerVersion","bucketId","bucketPath","inProgressFileCreationTime","inProgressFile"}`;
 * - committable `{"committable":"file","bucketId","pendingFile","inProgressFileToCleanup","compactedFileToCleanup"}`.
 * Part files written through the local file system show their `LocalRecoverable` (target file, temporary file, bytes
 * written); other file systems' recoverables are shown as their serializer version and hex.
 */

export type Fields = { [key: string]: StateValue };

/** Elements of one connector state: far more than any source has splits, small enough to bound a corrupt count. */
export const MAX_ELEMENTS = 1 << 20;

const PENDING_SPLITS_MAGIC = 0xdeadbeef | 0;
const BUCKET_STATE_MAGIC = 0x1e764b79;
const COMMITTABLE_MAGIC = 0x1e765c80;
const IN_PROGRESS_MAGIC = 0xb3a4073d | 0;
const PENDING_FILE_MAGIC = 0x2c853c89;
const LOCAL_RECOVERABLE_MAGIC = 0x1e744b57;

function le32(i: DataInput, what: string): number {
  const b = i.take(4, what);
  return b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24);
}

function le64(i: DataInput, what: string): bigint {
  const b = i.take(8, what);
  return new DataView(b.buffer, b.byteOffset, 8).getBigInt64(0, true);
}

function utf8(i: DataInput, n: number, what: string): string {
  return Buffer.from(i.take(n, what)).toString('utf8');
}

/** A length-prefixed part that must be read exactly by `read`, from a sub-cursor that keeps absolute offsets. */
function exactly<T>(i: DataInput, length: number, what: string, read: (part: DataInput) => T): T {
  const at = i.offset;
  const part = new DataInput(i.take(length, what), at, true);
  const value = read(part);
  if (part.remaining !== 0) throw new StateSchemaError('invalid', part.offset, `bytes left over after ${what}`);
  return value;
}

function magic(i: DataInput, expected: number, what: string): void {
  const at = i.offset;
  const found = i.i32(`the magic number of ${what}`);
  if (found !== expected) throw new StateSchemaError('invalid', at, `not ${what} (magic number ${found >>> 0})`);
}

function nullableFlinkString(i: DataInput, what: string): string | null {
  return i.bool(`whether ${what} is there`) ? i.flinkString(what) : null;
}

/** `Path.serializeToDataOutputView`: the URI's parts, shown as `Path#toString` joins them. */
function flinkPath(i: DataInput): string | null {
  if (!i.bool('whether the path is there')) return null;
  const scheme = nullableFlinkString(i, 'the path scheme');
  const userInfo = nullableFlinkString(i, 'the path user info');
  const host = nullableFlinkString(i, 'the path host');
  const port = i.i32('the path port');
  const path = nullableFlinkString(i, 'the path');
  nullableFlinkString(i, 'the path query');
  nullableFlinkString(i, 'the path fragment');
  const authority =
    host === null ? null : `${userInfo === null ? '' : `${userInfo}@`}${host}${port === -1 ? '' : `:${port}`}`;
  return `${scheme === null ? '' : `${scheme}:`}${authority === null ? '' : `//${authority}`}${path ?? ''}`;
}

/**
 * `FileSourceSplitSerializer` version 1. Flink 1.15 added the file's modification time and size under the same
 * version; `withFileStatus` false reads splits written before.
 */
export function fileSplitFields(i: DataInput, withFileStatus: boolean): Fields {
  const splitId = i.utf('the file split id');
  const path = flinkPath(i);
  const offset = long(i.i64('the file split offset'));
  const length = long(i.i64('the file split length'));
  const status: Fields = withFileStatus
    ? {
        fileModificationTime: long(i.i64('the file modification time')),
        fileSize: long(i.i64('the file size')),
      }
    : {};
  const hostnames: StateValue[] = [];
  const hosts = i.count('the number of split hosts', MAX_ELEMENTS);
  i.checkCount(hosts, 2, 'split hosts', i.offset - 4);
  for (let k = 0; k < hosts; k++) hostnames.push(i.utf('a split host'));
  const readerPosition = i.bool('whether the split has a reader position')
    ? {
        offset: long(i.i64('the reader position offset')),
        recordsAfterOffset: long(i.i64('the records after the offset')),
      }
    : null;
  return { splitId, path, offset, length, ...status, hostnames, readerPosition };
}

export function fileSplit(withFileStatus: boolean): (i: DataInput) => Fields {
  return (i) => ({ split: 'file', ...fileSplitFields(i, withFileStatus) });
}

/** A split of either layout of version 1, whichever reads all of its bytes. */
function anyFileSplit(part: DataInput): Fields {
  for (const withFileStatus of [true, false]) {
    const attempt = new DataInput(part.bytes, part.base, true);
    try {
      const fields = fileSplitFields(attempt, withFileStatus);
      if (attempt.remaining === 0) {
        part.pos = attempt.pos;
        return fields;
      }
    } catch (error) {
      if (!(error instanceof StateSchemaError)) throw error;
    }
  }
  throw new StateSchemaError('invalid', part.offset, 'a pending split no file split layout reads');
}

/** `PendingSplitsCheckpointSerializer` version 1 (little-endian): splits not yet assigned, paths already listed. */
export function fileEnumerator(i: DataInput, version: number): Fields {
  const at = i.offset;
  if (le32(i, 'the magic number of a pending splits checkpoint') !== PENDING_SPLITS_MAGIC) {
    throw new StateSchemaError('invalid', at, 'not a pending splits checkpoint of the file source');
  }
  const splitSerializerVersion = le32(i, 'the file split serializer version');
  if (splitSerializerVersion !== 1) {
    throw new StateSchemaError('unsupported-version', i.offset - 4, `file split version ${splitSerializerVersion}`);
  }
  const splits = le32(i, 'the number of pending splits');
  const paths = le32(i, 'the number of processed paths');
  i.checkCount(splits, 4, 'pending splits', at + 8);
  i.checkCount(paths, 4, 'processed paths', at + 12);
  const pendingSplits: StateValue[] = [];
  for (let k = 0; k < splits; k++) {
    const length = le32(i, 'the length of a pending split');
    pendingSplits.push(exactly(i, length, 'a pending split', anyFileSplit));
  }
  const alreadyProcessedPaths: StateValue[] = [];
  for (let k = 0; k < paths; k++) {
    const length = le32(i, 'the length of a processed path');
    alreadyProcessedPaths.push(utf8(i, length, 'a processed path'));
  }
  return {
    enumerator: 'file',
    serializerVersion: version,
    splitSerializerVersion,
    pendingSplits,
    alreadyProcessedPaths,
  };
}

/** A `SimpleVersionedSerialization` frame inside a state: version, length, then `read` over exactly those bytes. */
function framed<T>(i: DataInput, what: string, read: (part: DataInput, version: number) => T): T {
  const version = i.i32(`the serializer version of ${what}`);
  const length = i.count(`the length of ${what}`, i.remaining);
  return exactly(i, length, what, (part) => read(part, version));
}

/** `LocalRecoverableSerializer` version 1 (little-endian); another file system's recoverable as its version and hex. */
function recoverable(i: DataInput, version: number): Fields {
  const bytes = i.bytes.subarray(i.pos);
  if (version === 1 && i.remaining >= 20) {
    const local = new DataInput(bytes, i.offset, true);
    if (le32(local, 'the magic number of a local recoverable') === LOCAL_RECOVERABLE_MAGIC) {
      const offset = long(le64(local, 'the bytes written'));
      const target = le32(local, 'the length of the target file');
      const temp = le32(local, 'the length of the temporary file');
      const targetFile = utf8(local, target, 'the target file');
      const tempFile = utf8(local, temp, 'the temporary file');
      if (local.remaining === 0) {
        i.pos += bytes.length;
        return { fileSystem: 'local', targetFile, tempFile, offset };
      }
    }
  }
  i.pos += bytes.length;
  return { fileSystem: 'unknown', serializerVersion: version, hex: hexOf(bytes) };
}

function targetPath(i: DataInput): string | null {
  return i.bool('whether the part file has a target path') ? i.utf('the part file target path') : null;
}

/** `OutputStreamBasedInProgressFileRecoverableSerializer` versions 1 and 2 (2 adds the target path). */
function inProgressFile(i: DataInput, version: number): Fields {
  if (version !== 1 && version !== 2) {
    throw new StateSchemaError('unsupported-version', i.offset, `in-progress file version ${version}`);
  }
  magic(i, IN_PROGRESS_MAGIC, 'an in-progress part file');
  const path = version === 2 ? targetPath(i) : null;
  return { targetPath: path, resumeRecoverable: framed(i, 'the resumable stream', recoverable) };
}

/** `OutputStreamBasedPendingFileRecoverableSerializer` version 2: target path, size, the stream to commit. */
function pendingFile(i: DataInput, version: number): Fields {
  if (version !== 2) throw new StateSchemaError('unsupported-version', i.offset, `pending file version ${version}`);
  magic(i, PENDING_FILE_MAGIC, 'a pending part file');
  const path = targetPath(i);
  const size = long(i.i64('the pending file size'));
  return { targetPath: path, size, commitRecoverable: framed(i, 'the stream to commit', recoverable) };
}

/** `SimpleVersionedStringSerializer` version 1 (little-endian length, UTF-8), as bucket assigners write bucket ids. */
function bucketId(i: DataInput, version: number): string {
  if (version !== 1) throw new StateSchemaError('unsupported-version', i.offset, `bucket id version ${version}`);
  return utf8(i, le32(i, 'the length of the bucket id'), 'the bucket id');
}

/** `FileWriterBucketStateSerializer` version 3: one bucket and the in-progress part file it resumes. */
export function fileWriterState(i: DataInput, version: number): Fields {
  magic(i, BUCKET_STATE_MAGIC, 'a file sink bucket state');
  const id = framed(i, 'the bucket id', bucketId);
  const bucketPath = i.utf('the bucket path');
  const inProgressFileCreationTime = long(i.i64('the in-progress file creation time'));
  const file = i.bool('whether there is an in-progress file')
    ? framed(i, 'the in-progress file', inProgressFile)
    : null;
  return {
    writer: 'file',
    serializerVersion: version,
    bucketId: id,
    bucketPath,
    inProgressFileCreationTime,
    inProgressFile: file,
  };
}

/** `FileSinkCommittableSerializer` version 2: the bucket, then a pending file, an in-progress file or a compacted one. */
export function fileSinkCommittable(i: DataInput): Fields {
  magic(i, COMMITTABLE_MAGIC, 'a file sink committable');
  const id = i.utf('the bucket id');
  const pending = i.bool('whether there is a pending file') ? framed(i, 'the pending file', pendingFile) : null;
  const cleanup = i.bool('whether there is an in-progress file to clean up')
    ? framed(i, 'the in-progress file', inProgressFile)
    : null;
  const compacted = i.bool('whether there is a compacted file to clean up') ? i.utf('the compacted file') : null;
  return {
    committable: 'file',
    bucketId: id,
    pendingFile: pending,
    inProgressFileToCleanup: cleanup,
    compactedFileToCleanup: compacted,
  };
}
