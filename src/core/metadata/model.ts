/**
 * The parsed `_metadata` model. It mirrors Flink's object graph (CheckpointMetadata → OperatorState →
 * OperatorSubtaskState → state handles) but keeps no copies of inline bytes and no offset arrays: inline data is
 * described by its position in the file and its length, offset arrays by their element count only. That keeps a
 * parsed 100 MB file well below the size of the file itself.
 */

/**
 * The type byte before every state handle, one number space for stream, keyed and operator positions; the names are
 * the constants of Flink's `MetadataV2V3SerializerBase`.
 */
export const enum HandleTag {
  NULL_HANDLE = 0,
  BYTE_STREAM_STATE_HANDLE = 1,
  FILE_STREAM_STATE_HANDLE = 2,
  KEY_GROUPS_HANDLE = 3,
  PARTITIONABLE_OPERATOR_STATE_HANDLE = 4,
  INCREMENTAL_KEY_GROUPS_HANDLE = 5,
  RELATIVE_STREAM_STATE_HANDLE = 6,
  SAVEPOINT_KEY_GROUPS_HANDLE = 7,
  CHANGELOG_HANDLE = 8,
  CHANGELOG_BYTE_INCREMENT_HANDLE = 9,
  CHANGELOG_FILE_INCREMENT_HANDLE = 10,
  INCREMENTAL_KEY_GROUPS_HANDLE_V2 = 11,
  KEY_GROUPS_HANDLE_V2 = 12,
  CHANGELOG_FILE_INCREMENT_HANDLE_V2 = 13,
  CHANGELOG_HANDLE_V2 = 14,
  SEGMENT_FILE_HANDLE = 15,
  EMPTY_SEGMENT_FILE_HANDLE = 16,
  SEGMENT_PARTITIONABLE_OPERATOR_STATE_HANDLE = 17,
}

/** The type byte of a channel-state handle (format V6+), its own number space (Flink's `ChannelStateHandleSerializerV2`). */
export const enum ChannelHandleTag {
  INPUT_CHANNEL_STATE_HANDLE = 1,
  RESULT_SUBPARTITION_STATE_HANDLE = 2,
  MERGED_INPUT_CHANNEL_STATE_HANDLE = 3,
  MERGED_RESULT_SUBPARTITION_STATE_HANDLE = 4,
}

/** A key-group range as Flink stores it: `[start, start + count - 1]`, count 0 = empty. */
export interface KeyGroupRange {
  readonly start: number;
  readonly count: number;
}

/** Tag 1: `ByteStreamStateHandle`, the state bytes inline in `_metadata`. */
export interface ByteStreamHandle {
  readonly type: 'ByteStreamStateHandle';
  readonly tag: HandleTag.BYTE_STREAM_STATE_HANDLE;
  /** Informational only: for filesystem storage the path the file would have had; it does not exist. */
  readonly handleName: string;
  readonly size: number;
  /** Where the inline bytes start in the `_metadata` file (use `bytes.subarray(dataOffset, dataOffset + size)`). */
  readonly dataOffset: number;
}

/** Tag 2: `FileStateHandle`, an absolute path. `size` may be −1 (unknown to the writer). */
export interface FileHandle {
  readonly type: 'FileStateHandle';
  readonly tag: HandleTag.FILE_STREAM_STATE_HANDLE;
  readonly path: string;
  readonly size: number;
}

/** Tag 6: `RelativeFileStateHandle`, a file inside the checkpoint's exclusive directory. */
export interface RelativeFileHandle {
  readonly type: 'RelativeFileStateHandle';
  readonly tag: HandleTag.RELATIVE_STREAM_STATE_HANDLE;
  readonly relativePath: string;
  readonly size: number;
}

/** Tag 3 in stream position: a `KeyGroupsStateHandle` nested as a file of an incremental handle. */
export interface NestedKeyGroupsHandle {
  readonly type: 'KeyGroupsStateHandle';
  readonly tag: HandleTag.KEY_GROUPS_HANDLE;
  readonly keyGroups: KeyGroupRange;
  readonly offsetCount: number;
  /** Where the key-group offsets (i64 each, one per key group of the range) start in `_metadata`. */
  readonly offsetsAt: number;
  readonly delegate: StreamHandle | null;
}

/** Tag 15: `SegmentFileStateHandle`, one segment of a merged physical file (file merging, Flink 1.20+). */
export interface SegmentFileHandle {
  readonly type: 'SegmentFileStateHandle';
  readonly tag: HandleTag.SEGMENT_FILE_HANDLE;
  readonly startPos: number;
  readonly size: number;
  readonly scope: 'exclusive' | 'shared';
  readonly physicalPath: string;
  readonly logicalFileId: string;
}

/** Tag 16: `EmptySegmentFileStateHandle`, a file-merging placeholder of size 0. */
export interface EmptySegmentFileHandle {
  readonly type: 'EmptySegmentFileStateHandle';
  readonly tag: HandleTag.EMPTY_SEGMENT_FILE_HANDLE;
}

/** A handle in any "StreamStateHandle" position; `null` stands for tag 0. */
export type StreamHandle =
  | ByteStreamHandle
  | FileHandle
  | RelativeFileHandle
  | NestedKeyGroupsHandle
  | SegmentFileHandle
  | EmptySegmentFileHandle;

/** Tags 3, 7, 12: key-grouped state in one stream (`KeyGroupsStateHandle`, `KeyGroupsSavepointStateHandle`). */
export interface KeyGroupsHandle {
  readonly type: 'KeyGroupsStateHandle' | 'KeyGroupsSavepointStateHandle';
  readonly tag: HandleTag.KEY_GROUPS_HANDLE | HandleTag.SAVEPOINT_KEY_GROUPS_HANDLE | HandleTag.KEY_GROUPS_HANDLE_V2;
  readonly keyGroups: KeyGroupRange;
  /** Number of per-key-group offsets (not kept: up to 32768 per handle; read them at `offsetsAt`). */
  readonly offsetCount: number;
  /** Where the key-group offsets (i64 each, one per key group of the range) start in `_metadata`. */
  readonly offsetsAt: number;
  readonly delegate: StreamHandle | null;
  /** Tag 12 only. */
  readonly stateHandleId: string | null;
}

/** One uploaded file of an incremental RocksDB/ForSt snapshot: its local name and where it went. */
export interface HandleAndLocalPath {
  readonly localPath: string;
  readonly handle: StreamHandle | null;
}

/** Tags 5, 11: `IncrementalRemoteKeyedStateHandle`. */
export interface IncrementalKeyedHandle {
  readonly type: 'IncrementalRemoteKeyedStateHandle';
  readonly tag: HandleTag.INCREMENTAL_KEY_GROUPS_HANDLE | HandleTag.INCREMENTAL_KEY_GROUPS_HANDLE_V2;
  readonly checkpointId: number;
  readonly backendId: string;
  readonly keyGroups: KeyGroupRange;
  /** Tag 11 only: bytes newly uploaded for this checkpoint. */
  readonly checkpointedSize: number | null;
  readonly metaHandle: StreamHandle | null;
  readonly sharedState: readonly HandleAndLocalPath[];
  readonly privateState: readonly HandleAndLocalPath[];
  readonly stateHandleId: string | null;
}

/** Tags 8, 14: `ChangelogStateBackendHandleImpl`, a materialized part plus a changelog tail. */
export interface ChangelogBackendHandle {
  readonly type: 'ChangelogStateBackendHandleImpl';
  readonly tag: HandleTag.CHANGELOG_HANDLE | HandleTag.CHANGELOG_HANDLE_V2;
  readonly keyGroups: KeyGroupRange;
  readonly checkpointedSize: number;
  readonly materialized: readonly (KeyedHandle | null)[];
  readonly nonMaterialized: readonly (KeyedHandle | null)[];
  readonly materializationId: number;
  /** Tag 14 only. */
  readonly checkpointId: number | null;
  readonly stateHandleId: string;
}

/** Tag 9: `InMemoryChangelogStateHandle`, changelog entries inline. */
export interface InMemoryChangelogHandle {
  readonly type: 'InMemoryChangelogStateHandle';
  readonly tag: HandleTag.CHANGELOG_BYTE_INCREMENT_HANDLE;
  readonly keyGroups: KeyGroupRange;
  readonly fromSequence: number;
  readonly toSequence: number;
  readonly changeCount: number;
  /** Sum of the change payload lengths. */
  readonly size: number;
  readonly stateHandleId: string;
}

/** Tags 10, 13: `ChangelogStateHandleStreamImpl`, changelog entries in DSTL files. */
export interface ChangelogStreamHandle {
  readonly type: 'ChangelogStateHandleStreamImpl';
  readonly tag: HandleTag.CHANGELOG_FILE_INCREMENT_HANDLE | HandleTag.CHANGELOG_FILE_INCREMENT_HANDLE_V2;
  readonly keyGroups: KeyGroupRange;
  readonly handles: readonly { readonly offset: number; readonly handle: StreamHandle | null }[];
  readonly size: number;
  readonly checkpointedSize: number;
  readonly stateHandleId: string;
  /** `"filesystem"` for tag 10. */
  readonly storageIdentifier: string;
}

/** A handle in a keyed-state position; `null` stands for tag 0. */
export type KeyedHandle =
  KeyGroupsHandle | IncrementalKeyedHandle | ChangelogBackendHandle | InMemoryChangelogHandle | ChangelogStreamHandle;

/** How a named operator state is redistributed on rescaling (`OperatorStateHandle.Mode`). */
export type DistributionMode = 'SPLIT_DISTRIBUTE' | 'UNION' | 'BROADCAST';

/** One named state inside an operator state handle. */
export interface OperatorStateInfo {
  readonly name: string;
  readonly mode: DistributionMode;
  /** Number of list-element offsets (not kept; read them at `offsetsAt`). */
  readonly offsetCount: number;
  /** Where the element offsets (i64 each) start in `_metadata`. */
  readonly offsetsAt: number;
}

/** Tags 4, 17: `OperatorStreamStateHandle` and its file-merging variants. */
export interface OperatorHandle {
  readonly type:
    'OperatorStreamStateHandle' | 'FileMergingOperatorStreamStateHandle' | 'EmptyFileMergingOperatorStreamStateHandle';
  readonly tag: HandleTag.PARTITIONABLE_OPERATOR_STATE_HANDLE | HandleTag.SEGMENT_PARTITIONABLE_OPERATOR_STATE_HANDLE;
  readonly states: readonly OperatorStateInfo[];
  /** Tag 17 only. */
  readonly taskOwnedDirectory: string | null;
  readonly sharedDirectory: string | null;
  readonly delegate: StreamHandle | null;
}

/** In-flight data of unaligned checkpoints: one channel's buffers inside a (shared) delegate. */
export interface ChannelHandle {
  readonly type: 'InputChannelStateHandle' | 'ResultSubpartitionStateHandle';
  readonly subtaskIndex: number;
  /** Gate and channel index (input) or partition and subpartition index (output). */
  readonly index1: number;
  readonly index2: number;
  readonly offsetCount: number;
  readonly size: number;
  readonly delegate: StreamHandle | null;
}

/** V6 merged channel handle: all channels of one subtask in one handle. */
export interface MergedChannelHandle {
  readonly type: 'MergedInputChannelStateHandle' | 'MergedResultSubpartitionStateHandle';
  readonly subtaskIndex: number;
  readonly size: number;
  readonly delegate: StreamHandle | null;
  /** Length of the serialized per-channel offsets blob. */
  readonly offsetsLength: number;
}

export type AnyChannelHandle = ChannelHandle | MergedChannelHandle;

/** The state of one subtask of one operator (`OperatorSubtaskState`). */
export interface SubtaskState {
  readonly finished: false;
  readonly subtaskIndex: number;
  /** V2 only: pre-1.2 `Checkpointed` state. */
  readonly legacyOperatorState: readonly (StreamHandle | null)[];
  readonly managedOperatorState: OperatorHandle | null;
  readonly rawOperatorState: OperatorHandle | null;
  readonly managedKeyedState: KeyedHandle | null;
  readonly rawKeyedState: KeyedHandle | null;
  readonly inputChannelState: readonly AnyChannelHandle[];
  readonly outputChannelState: readonly AnyChannelHandle[];
  /** V7 only: the checkpoint whose state this subtask reuses (regional checkpoints). */
  readonly referencedCheckpointId: number | null;
}

/** A subtask that had finished when the checkpoint was taken (`FinishedOperatorSubtaskState`). */
export interface FinishedSubtask {
  readonly finished: true;
  readonly subtaskIndex: number;
}

export interface OperatorState {
  /** 32 lower-case hex digits, as Flink prints an `OperatorID`. */
  readonly operatorId: string;
  /** V5+: the transformation name; `null` when not recorded. */
  readonly name: string | null;
  /** V5+: the user-assigned uid; `null` when none. */
  readonly uid: string | null;
  /** The `_metadata` format version it was read from (5 and later: Flink 2.x); absent in a hand-built model. */
  readonly metadataVersion?: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly coordinatorState: StreamHandle | null;
  /** The coordinator state's bytes when they are inline and the model was parsed from the file (not hand-built). */
  readonly coordinatorStateBytes?: Uint8Array;
  /** All subtasks finished (negative subtask count); no subtask entries follow. */
  readonly fullyFinished: boolean;
  /** Number of subtask entries (states and finished markers), known without decoding them. */
  readonly subtaskCount: number;
  /**
   * Subtask states and finished-subtask markers in file order. Decoded from the (already validated) file bytes on
   * each access, so a parsed model stays small; keep the returned array when you need it more than once.
   */
  readonly subtasks: readonly (SubtaskState | FinishedSubtask)[];
}

/** State of a `MasterTriggerRestoreHook`; only the payload length is kept. */
export interface MasterState {
  readonly name: string;
  readonly version: number;
  readonly size: number;
  readonly dataOffset: number;
}

/** What the trailing Java-serialized `CheckpointProperties` say (V4+). */
export type CheckpointPropertiesInfo =
  | { readonly status: 'absent' }
  | { readonly status: 'null' }
  | { readonly status: 'unparsed'; readonly reason: string }
  | {
      readonly status: 'parsed';
      readonly kind: 'checkpoint' | 'savepoint';
      /** `Checkpoint`, `Full Checkpoint`, `Savepoint`, `Suspend Savepoint`, `Terminate Savepoint`. */
      readonly typeName: string | null;
      /** Savepoints only. */
      readonly formatType: 'canonical' | 'native' | null;
      readonly sharingFilesStrategy: string | null;
      readonly postCheckpointAction: string | null;
      readonly forced: boolean | null;
      readonly unclaimed: boolean | null;
      readonly discard: {
        readonly subsumed: boolean | null;
        readonly finished: boolean | null;
        readonly cancelled: boolean | null;
        readonly failed: boolean | null;
        readonly suspended: boolean | null;
      };
    };

/** A parsed `_metadata` file. */
export interface CheckpointMetadata {
  readonly metadataVersion: number;
  readonly checkpointId: bigint;
  readonly masterStates: readonly MasterState[];
  readonly operators: readonly OperatorState[];
  readonly properties: CheckpointPropertiesInfo;
  /** The pointer relative handles resolve against, when one was given. */
  readonly pointer: string | null;
  readonly fileSize: number;
}
