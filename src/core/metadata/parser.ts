import { ByteReader, ByteSource, SourceError } from './byteReader';
import { MetadataError } from './errors';
import { readCheckpointProperties } from './checkpointProperties';
import { errorMessage } from '../errors';
import { ChannelHandleTag, HandleTag } from './model';
import type {
  AnyChannelHandle,
  ChangelogBackendHandle,
  CheckpointMetadata,
  DistributionMode,
  FinishedSubtask,
  HandleAndLocalPath,
  KeyedHandle,
  KeyGroupRange,
  MasterState,
  OperatorHandle,
  OperatorState,
  OperatorStateInfo,
  StreamHandle,
  SubtaskState,
} from './model';

/** `Checkpoints.HEADER_MAGIC_NUMBER`. */
export const METADATA_MAGIC = 0x4960672d;
/** The magic number as the file's first four bytes (big-endian). */
const METADATA_MAGIC_BYTES = [24, 16, 8, 0].map((shift) => (METADATA_MAGIC >>> shift) & 0xff);
/** `MetadataV2V3SerializerBase.MASTER_STATE_MAGIC_NUMBER`, as the signed i32 the reader returns. */
const MASTER_STATE_MAGIC = 0xc96b1696 | 0;
/** Bytes of an `OperatorID` (two longs). */
const OPERATOR_ID_BYTES = 16;
/** Bytes of a Java int: the count before an offset array starts this far before the cursor. */
const INT_BYTES = 4;
/** Highest version this parser reads (V7: newest Flink sources, not yet released). */
export const MAX_METADATA_VERSION = 7;
/** Changelog handles nest keyed handles; real files go 2 deep. The limit keeps corrupt input off the call stack. */
const MAX_KEYED_DEPTH = 16;

/**
 * The fewest bytes one entry of each counted list can take, so that a corrupt count fails as truncated before
 * anything is allocated for it.
 */
const MIN_ENTRY_BYTES = {
  /** Id, parallelism, max parallelism, chain length, subtask count. */
  operatorV2: 32,
  /** Id, parallelism, max parallelism, coordinator state tag, subtask count. */
  operatorV3: 29,
  /** As V3, plus the lengths of the name and uid strings. */
  operatorV5: 33,
  /** Magic number, length, at least one byte of content. */
  masterState: 9,
  /** Index, duration, count of legacy states. */
  subtaskV2: 16,
  /** Index (a finished-subtask marker is nothing more). */
  subtaskV3: 4,
  /** A handle's tag. */
  handle: 1,
  /** Local file name's length, the handle's tag. */
  handleAndLocalPath: 3,
  /** Name's length, distribution mode, offset count. */
  namedOperatorState: 7,
  /** One i64 offset. */
  offset: 8,
  /** Key group, length. */
  stateChange: 8,
  /** Offset, the handle's tag. */
  changelogFile: 9,
  /** A channel handle's indices, offsets count, size and delegate tag, the least of its layouts. */
  channelHandle: 17,
} as const;

/** The tags legal in each position; Flink throws on any other. */
const STREAM_TAGS: readonly HandleTag[] = [
  HandleTag.NULL_HANDLE,
  HandleTag.BYTE_STREAM_STATE_HANDLE,
  HandleTag.FILE_STREAM_STATE_HANDLE,
  HandleTag.KEY_GROUPS_HANDLE,
  HandleTag.RELATIVE_STREAM_STATE_HANDLE,
  HandleTag.SEGMENT_FILE_HANDLE,
  HandleTag.EMPTY_SEGMENT_FILE_HANDLE,
];
const KEYED_TAGS: readonly HandleTag[] = [
  HandleTag.NULL_HANDLE,
  HandleTag.KEY_GROUPS_HANDLE,
  HandleTag.INCREMENTAL_KEY_GROUPS_HANDLE,
  HandleTag.SAVEPOINT_KEY_GROUPS_HANDLE,
  HandleTag.CHANGELOG_HANDLE,
  HandleTag.CHANGELOG_BYTE_INCREMENT_HANDLE,
  HandleTag.CHANGELOG_FILE_INCREMENT_HANDLE,
  HandleTag.INCREMENTAL_KEY_GROUPS_HANDLE_V2,
  HandleTag.KEY_GROUPS_HANDLE_V2,
  HandleTag.CHANGELOG_FILE_INCREMENT_HANDLE_V2,
  HandleTag.CHANGELOG_HANDLE_V2,
];
const OPERATOR_TAGS: readonly HandleTag[] = [
  HandleTag.NULL_HANDLE,
  HandleTag.PARTITIONABLE_OPERATOR_STATE_HANDLE,
  HandleTag.SEGMENT_PARTITIONABLE_OPERATOR_STATE_HANDLE,
];
/** The non-materialized part of a changelog backend handle: Flink casts each to `ChangelogStateHandle`. */
const CHANGELOG_TAGS: readonly HandleTag[] = [
  HandleTag.CHANGELOG_BYTE_INCREMENT_HANDLE,
  HandleTag.CHANGELOG_FILE_INCREMENT_HANDLE,
  HandleTag.CHANGELOG_FILE_INCREMENT_HANDLE_V2,
];
/** The delegate of a file-merging operator state handle. */
const SEGMENT_TAGS: readonly HandleTag[] = [HandleTag.SEGMENT_FILE_HANDLE, HandleTag.EMPTY_SEGMENT_FILE_HANDLE];
/** A channel list's two legal tags: one channel, or all channels of the subtask merged. */
const INPUT_CHANNEL_TAGS = [
  ChannelHandleTag.INPUT_CHANNEL_STATE_HANDLE,
  ChannelHandleTag.MERGED_INPUT_CHANNEL_STATE_HANDLE,
] as const;
const OUTPUT_CHANNEL_TAGS = [
  ChannelHandleTag.RESULT_SUBPARTITION_STATE_HANDLE,
  ChannelHandleTag.MERGED_RESULT_SUBPARTITION_STATE_HANDLE,
] as const;

const DISTRIBUTION_MODES: readonly DistributionMode[] = ['SPLIT_DISTRIBUTE', 'UNION', 'BROADCAST'];
const NO_HANDLES: readonly never[] = [];

export interface ParseOptions {
  /** The checkpoint/savepoint directory relative file handles live in. */
  pointer?: string;
}

/** An operator as read before its subtask entries. */
export type OperatorHeader = Omit<OperatorState, 'subtasks'>;

/** The metadata `scanMetadata` returns: everything but the subtask states it handed to its visitor. */
export interface ScannedMetadata extends Omit<CheckpointMetadata, 'operators'> {
  readonly operators: readonly OperatorHeader[];
}

/**
 * What `scanMetadata` hands over while it reads. Subtask states arrive with their strings empty, not decoded: their
 * stored file paths (file, relative and segment handles, in reading order) come separately, as bytes while they are
 * still in reach.
 */
export interface MetadataVisitor {
  operator(op: OperatorHeader): void;
  subtask(s: SubtaskState | FinishedSubtask): void;
  /**
   * A stored path's bytes, `bytes[start..end)` (valid only during the call), offered before they are validated: take
   * them (true) only if every byte is below 0x80, ASCII being valid modified UTF-8 as it stands. What is not taken is
   * validated and comes to `path` or `pathText`.
   */
  plainPath?(bytes: Uint8Array, start: number, end: number, relative: boolean): boolean;
  /** A stored path that is pure ASCII: `bytes[start..end)`, valid only during the call. */
  path(bytes: Uint8Array, start: number, end: number, relative: boolean): void;
  /** A stored path with other characters, decoded. */
  pathText(text: string, relative: boolean): void;
}

/**
 * Reads a `_metadata` once, front to back, handing every operator and subtask state to `visitor` instead of keeping
 * them, so memory stays flat however large the file; from a {@link ByteSource} the file is never held whole.
 * Throws what `parseMetadata` throws, or what the source throws when it cannot read. Returns `null` when an operator
 * repeats a subtask index: Flink keeps the last entry, which one pass cannot know in time, so such (hand-made) files
 * need `parseMetadata`.
 */
export function scanMetadata(
  input: Uint8Array | ByteSource,
  visitor: MetadataVisitor,
  options: ParseOptions & { window?: number } = {},
): ScannedMetadata | null {
  try {
    return new MetadataParser(input, { kind: 'scan', visitor }, options.window).parse(options.pointer ?? null);
  } catch (error) {
    if (error === REPEATED_SUBTASK) return null;
    if (error instanceof SourceError) throw error.cause;
    throw asMetadataError(error);
  }
}

/** Thrown inside a scan that met a repeated subtask index (see scanMetadata). */
const REPEATED_SUBTASK = new Error('repeated subtask index');

function asMetadataError(error: unknown): MetadataError {
  if (error instanceof MetadataError) return error;
  // Only reachable through a bug in this parser; the contract still promises callers a MetadataError.
  return new MetadataError('invalid', 0, `metadata could not be read: ${errorMessage(error)}`);
}

/**
 * Parses a complete `_metadata` file (format versions 2 to 7). Throws only {@link MetadataError}: for a truncated
 * file, a file that is not checkpoint metadata, an unsupported version, an unknown state-handle tag, bytes after the
 * end of the metadata, or values Flink itself would reject.
 */
export function parseMetadata(bytes: Uint8Array, options: ParseOptions = {}): CheckpointMetadata {
  try {
    return new MetadataParser(bytes, MODEL).parse(options.pointer ?? null) as CheckpointMetadata;
  } catch (error) {
    throw asMetadataError(error);
  }
}

/** True when `bytes` is a `_metadata` file that parses to its last byte, i.e. the checkpoint was completed. */
export function isMetadataComplete(bytes: Uint8Array): boolean {
  try {
    parseMetadata(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * What the parser does with subtask entries. `model`: validates them and keeps their bytes, for the operator to decode
 * on demand (strings and all). `scan`: hands each to the visitor as it is read, without decoding its strings (they
 * read as {@link UNDECODED}); stored file paths go to the visitor's path callbacks instead.
 */
type SubtaskMode = { readonly kind: 'model' } | { readonly kind: 'scan'; readonly visitor: MetadataVisitor };
const MODEL: SubtaskMode = { kind: 'model' };

/** What a string field of a scanned subtask state holds: a scan does not decode them. */
const UNDECODED = '';

class MetadataParser {
  private readonly r: ByteReader;
  private version = 0;
  /** The visitor of a scan, null when building the model. */
  private readonly visitor: MetadataVisitor | null;

  constructor(input: Uint8Array | ByteSource, mode: SubtaskMode, window?: number) {
    this.r = new ByteReader(input, 0, window);
    this.visitor = mode.kind === 'scan' ? mode.visitor : null;
  }

  parse(pointer: string | null): CheckpointMetadata | ScannedMetadata {
    const r = this.r;
    if (r.length < 4) {
      const head = r.length === 0 ? [] : Array.from({ length: r.length }, () => r.u8('magic number'));
      r.pos = 0;
      const magicPrefix = METADATA_MAGIC_BYTES.slice(0, r.length).every((b, i) => head[i] === b);
      throw new MetadataError(
        magicPrefix ? 'truncated' : 'not-metadata',
        0,
        r.length === 0
          ? `the file is empty; a complete _metadata file starts with the magic number ${hex32(METADATA_MAGIC)}`
          : magicPrefix
            ? `file ends early: ${r.length} bytes of the magic number ${hex32(METADATA_MAGIC)}`
            : `not checkpoint metadata: ${r.length} bytes, too short for the magic number ${hex32(METADATA_MAGIC)}`,
      );
    }
    const magic = r.i32('magic number') >>> 0;
    if (magic !== METADATA_MAGIC) {
      throw new MetadataError(
        'not-metadata',
        0,
        `not checkpoint metadata: the file starts with ${hex32(magic)}, expected the magic number ${hex32(METADATA_MAGIC)} (a Flink 1.0 savepoint, another file, or a corrupted one)`,
      );
    }
    const version = r.i32('metadata format version');
    if (version === 0 || version === 1) {
      throw new MetadataError(
        'unsupported-version',
        4,
        // Version 1 gets Flink's own words (MetadataV1Serializer), so a search for the error a restore printed finds it.
        `metadata format version ${version} was written by Flink 1.2 or older; no current Flink can restore it` +
          (version === 1
            ? ' (Flink says: "This savepoint / checkpoint version (Flink 1.1 / 1.2) is no longer supported.")'
            : ''),
      );
    }
    if (version < 0 || version > MAX_METADATA_VERSION) {
      throw new MetadataError(
        'unsupported-version',
        4,
        `unknown metadata format version ${version}: this reader knows versions 2 to ${MAX_METADATA_VERSION} (Flink 1.3 to 2.x)`,
      );
    }
    this.version = version;

    const idAt = r.pos;
    const checkpointId = r.i64Big('checkpoint id');
    if (checkpointId < 0n) throw new MetadataError('invalid', idAt, `invalid checkpoint id ${checkpointId}`);

    const masterStates = this.masterStates();

    const countAt = r.pos;
    const operatorCount = r.i32('number of operator states');
    const operatorBytes =
      version === 2
        ? MIN_ENTRY_BYTES.operatorV2
        : version >= 5
          ? MIN_ENTRY_BYTES.operatorV5
          : MIN_ENTRY_BYTES.operatorV3;
    r.checkCount(operatorCount, operatorBytes, 'operator states', countAt);
    const operators: (OperatorState | OperatorHeader)[] = new Array(operatorCount);
    for (let i = 0; i < operatorCount; i++) operators[i] = this.operator();

    const properties = version >= 4 ? readCheckpointProperties(r) : { status: 'absent' as const };
    if (r.pos !== r.length) {
      throw new MetadataError(
        'trailing-bytes',
        r.pos,
        `${r.length - r.pos} unexpected bytes after the end of the metadata${version >= 4 ? ' (after the checkpoint properties)' : ' (after the last operator)'}`,
      );
    }
    return {
      metadataVersion: version,
      checkpointId,
      masterStates,
      operators,
      properties,
      pointer,
      fileSize: r.length,
    } as CheckpointMetadata | ScannedMetadata;
  }

  private masterStates(): MasterState[] {
    const r = this.r;
    const countAt = r.pos;
    const count = r.i32('number of master states');
    r.checkCount(count, MIN_ENTRY_BYTES.masterState, 'master states', countAt);
    const states: MasterState[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const at = r.pos;
      if (r.i32('master state magic number') !== MASTER_STATE_MAGIC) {
        throw new MetadataError('invalid', at, `expected the master state magic number ${hex32(MASTER_STATE_MAGIC)}`);
      }
      const lenAt = r.pos;
      const length = r.i32('master state length');
      if (length <= 0) {
        throw new MetadataError('invalid', lenAt, `master state length must be positive, found ${length}`);
      }
      r.checkRemaining(length, 'master state');
      const end = r.pos + length;
      states[i] = r.withLimit(end, () => readMasterStateBlob(r, end));
    }
    return states;
  }

  private operator(): OperatorState | OperatorHeader {
    const r = this.r;
    const v = this.version;
    let name: string | null = null;
    let uid: string | null = null;
    if (v >= 5) {
      name = r.utf('operator name') || null;
      uid = r.utf('operator uid') || null;
    }
    r.need(OPERATOR_ID_BYTES, 'operator id');
    const operatorId = hexOf(r.bytes, r.pos - r.base, OPERATOR_ID_BYTES);
    r.pos += OPERATOR_ID_BYTES;
    const parallelism = r.i32('parallelism');
    const maxParallelism = r.i32('max parallelism');
    const header = (
      coordinatorState: StreamHandle | null,
      fullyFinished: boolean,
      subtaskCount: number,
    ): OperatorHeader => ({
      operatorId,
      name,
      uid,
      parallelism,
      maxParallelism,
      coordinatorState,
      fullyFinished,
      subtaskCount,
    });
    if (v === 2) {
      r.i32('chain length');
      const countAt = r.pos;
      const count = r.i32('number of subtask states');
      r.checkCount(count, MIN_ENTRY_BYTES.subtaskV2, 'subtask states', countAt);
      return this.subtasksOf(header(null, false, count));
    }
    const coordAt = r.pos;
    const coordinatorState = this.stream();
    if (coordinatorState !== null && coordinatorState.tag !== HandleTag.BYTE_STREAM_STATE_HANDLE) {
      throw new MetadataError(
        'invalid',
        coordAt,
        `operator coordinator state must be inline (tag ${HandleTag.BYTE_STREAM_STATE_HANDLE}) or absent, found ${coordinatorState.type}`,
      );
    }
    const countAt = r.pos;
    const count = r.i32('number of subtask states');
    if (count < 0) {
      if (coordinatorState !== null) {
        throw new MetadataError('invalid', countAt, 'a fully finished operator must not have coordinator state');
      }
      return this.subtasksOf(header(coordinatorState, true, 0));
    }
    r.checkCount(count, MIN_ENTRY_BYTES.subtaskV3, 'subtask states', countAt);
    return this.subtasksOf(header(coordinatorState, false, count));
  }

  /**
   * Reads the operator's subtask entries: validated and kept as bytes for lazy decoding when parsing, handed to the
   * visitor when scanning.
   */
  private subtasksOf(op: OperatorHeader): OperatorState | OperatorHeader {
    const r = this.r;
    const visitor = this.visitor;
    if (visitor === null) {
      const start = r.pos;
      this.validateSubtasks(op.subtaskCount, op.parallelism);
      const { operatorId, name, uid, parallelism, maxParallelism, coordinatorState, fullyFinished, subtaskCount } = op;
      return new LazyOperatorState(
        operatorId,
        name,
        uid,
        parallelism,
        maxParallelism,
        coordinatorState,
        fullyFinished,
        r.bytes,
        this.version,
        start,
        subtaskCount,
      );
    }
    visitor.operator(op);
    // Sized by what the file holds, never by a (possibly corrupt) parallelism alone.
    const seen =
      op.subtaskCount > 1 && op.parallelism > 0 && op.parallelism <= 8 * op.subtaskCount
        ? new Uint8Array(op.parallelism)
        : null;
    const seenSparse = op.subtaskCount > 1 && seen === null ? new Set<number>() : null;
    r.skipStrings = true;
    try {
      for (let i = 0; i < op.subtaskCount; i++) {
        const s = this.subtaskEntry(op.parallelism);
        if (seen !== null) {
          if (seen[s.subtaskIndex] === 1) throw REPEATED_SUBTASK;
          seen[s.subtaskIndex] = 1;
        } else if (seenSparse !== null) {
          if (seenSparse.has(s.subtaskIndex)) throw REPEATED_SUBTASK;
          seenSparse.add(s.subtaskIndex);
        }
        visitor.subtask(s);
      }
    } finally {
      r.skipStrings = false;
    }
    return op;
  }

  /** Checks `count` subtask entries without keeping them or decoding their strings. */
  private validateSubtasks(count: number, parallelism: number): void {
    this.r.skipStrings = true;
    try {
      this.subtaskEntries(count, parallelism);
    } finally {
      this.r.skipStrings = false;
    }
  }

  /** Reads `count` subtask entries from the cursor: index, then a body (or none for a finished-subtask marker). */
  subtaskEntries(count: number, parallelism: number): (SubtaskState | FinishedSubtask)[] {
    const subtasks: (SubtaskState | FinishedSubtask)[] = new Array(count);
    for (let i = 0; i < count; i++) subtasks[i] = this.subtaskEntry(parallelism);
    return subtasks;
  }

  private subtaskEntry(parallelism: number): SubtaskState | FinishedSubtask {
    const r = this.r;
    const idxAt = r.pos;
    const stored = r.i32('subtask index');
    if (this.version === 2) {
      this.checkSubtaskIndex(stored, parallelism, idxAt);
      return this.subtaskV2(stored);
    }
    if (stored < 0) {
      const index = -stored - 1;
      this.checkSubtaskIndex(index, parallelism, idxAt);
      return { finished: true, subtaskIndex: index };
    }
    this.checkSubtaskIndex(stored, parallelism, idxAt);
    return this.subtaskV3(stored);
  }

  /** A stored file path: decoded when parsing; handed to the visitor, and not decoded, when scanning. */
  private path(what: string, relative: boolean): string {
    const r = this.r;
    const visitor = this.visitor;
    if (visitor === null) return r.utf(what);
    const at = r.pos;
    const n = r.u16(what, 'length of ');
    r.need(n, what);
    // The string is in the window from here on: `start` stays valid while it is validated below.
    const start = r.pos - r.base;
    if (visitor.plainPath?.(r.bytes, start, start + n, relative)) {
      r.pos += n;
      return UNDECODED;
    }
    r.modifiedUtf8(n, what, at);
    if (r.lastAscii) visitor.path(r.bytes, start, start + n, relative);
    else visitor.pathText(r.decodeInWindow(start, start + n), relative);
    return UNDECODED;
  }

  /** Decodes subtask entries the first pass already validated. */
  static decodeSubtasks(
    bytes: Uint8Array,
    version: number,
    start: number,
    count: number,
    parallelism: number,
  ): (SubtaskState | FinishedSubtask)[] {
    const parser = new MetadataParser(bytes, MODEL);
    parser.version = version;
    parser.r.pos = start;
    return parser.subtaskEntries(count, parallelism);
  }

  /** Flink's `OperatorState.putState` rejects indices outside the parallelism. */
  private checkSubtaskIndex(index: number, parallelism: number, at: number): void {
    if (index < 0 || index >= parallelism) {
      throw new MetadataError(
        'invalid',
        at,
        `subtask index ${index} is outside the operator's parallelism ${parallelism}`,
      );
    }
  }

  private subtaskV2(subtaskIndex: number): SubtaskState {
    const r = this.r;
    r.i64('subtask duration');
    const countAt = r.pos;
    const legacyCount = r.i32('number of legacy operator states');
    r.checkCount(legacyCount, MIN_ENTRY_BYTES.handle, 'legacy operator states', countAt);
    let legacyOperatorState: (StreamHandle | null)[] = NO_HANDLES as never[];
    if (legacyCount > 0) {
      legacyOperatorState = new Array(legacyCount);
      for (let i = 0; i < legacyCount; i++) legacyOperatorState[i] = this.stream();
    }
    const managedOperatorState = this.optionalOperatorHandle();
    const rawOperatorState = this.optionalOperatorHandle();
    const managedKeyedState = this.keyed(0);
    const rawKeyedState = this.keyed(0);
    return {
      finished: false,
      subtaskIndex,
      legacyOperatorState,
      managedOperatorState,
      rawOperatorState,
      managedKeyedState,
      rawKeyedState,
      inputChannelState: NO_HANDLES,
      outputChannelState: NO_HANDLES,
      referencedCheckpointId: null,
    };
  }

  private subtaskV3(subtaskIndex: number): SubtaskState {
    const r = this.r;
    const managedOperatorState = this.optionalOperatorHandle();
    const rawOperatorState = this.optionalOperatorHandle();
    const managedKeyedState = this.keyed(0);
    const rawKeyedState = this.keyed(0);
    const inputChannelState = this.channelHandles(true);
    const outputChannelState = this.channelHandles(false);
    let referencedCheckpointId: number | null = null;
    if (this.version >= 7) {
      const at = r.pos;
      const marker = r.u8('regional checkpoint marker');
      if (marker === 1) referencedCheckpointId = r.i64('referenced checkpoint id');
      else if (marker !== 0) {
        throw new MetadataError('invalid', at, `regional checkpoint marker must be 0 or 1, found ${marker}`);
      }
    }
    return {
      finished: false,
      subtaskIndex,
      legacyOperatorState: NO_HANDLES,
      managedOperatorState,
      rawOperatorState,
      managedKeyedState,
      rawKeyedState,
      inputChannelState,
      outputChannelState,
      referencedCheckpointId,
    };
  }

  private optionalOperatorHandle(): OperatorHandle | null {
    return this.r.i32('operator state presence flag') !== 0 ? this.operatorHandle() : null;
  }

  private keyGroups(): KeyGroupRange {
    const start = this.r.i32('first key group');
    const at = this.r.pos;
    const count = this.r.i32('number of key groups');
    if (count < 0) throw new MetadataError('invalid', at, `negative number of key groups: ${count}`);
    return { start, count };
  }

  /** Skips `count` i64 offsets without materializing them. */
  private skipOffsets(count: number, what: string, countAt: number): void {
    this.r.checkCount(count, MIN_ENTRY_BYTES.offset, what, countAt);
    this.r.skip(count * MIN_ENTRY_BYTES.offset, what);
  }

  stream(): StreamHandle | null {
    const r = this.r;
    const at = r.pos;
    const tag = r.u8('state handle type');
    switch (tag) {
      case HandleTag.NULL_HANDLE:
        return null;
      case HandleTag.BYTE_STREAM_STATE_HANDLE: {
        const handleName = r.utf('inline state handle name');
        const sizeAt = r.pos;
        const size = r.i32('inline state length');
        if (size < 0) throw new MetadataError('invalid', sizeAt, `negative inline state length ${size}`);
        const dataOffset = r.pos;
        r.skip(size, 'inline state bytes');
        return { type: 'ByteStreamStateHandle', tag: HandleTag.BYTE_STREAM_STATE_HANDLE, handleName, size, dataOffset };
      }
      case HandleTag.FILE_STREAM_STATE_HANDLE: {
        const size = r.i64('file state size');
        const path = this.path('file path', false);
        return { type: 'FileStateHandle', tag: HandleTag.FILE_STREAM_STATE_HANDLE, path, size };
      }
      case HandleTag.KEY_GROUPS_HANDLE: {
        const keyGroups = this.keyGroups();
        const offsetsAt = r.pos;
        this.skipOffsets(keyGroups.count, 'key-group offsets', r.pos - INT_BYTES);
        const delegate = this.stream();
        return {
          type: 'KeyGroupsStateHandle',
          tag: HandleTag.KEY_GROUPS_HANDLE,
          keyGroups,
          offsetCount: keyGroups.count,
          offsetsAt,
          delegate,
        };
      }
      case HandleTag.RELATIVE_STREAM_STATE_HANDLE: {
        const relativePath = this.path('relative file path', true);
        const size = r.i64('file state size');
        return { type: 'RelativeFileStateHandle', tag: HandleTag.RELATIVE_STREAM_STATE_HANDLE, relativePath, size };
      }
      case HandleTag.SEGMENT_FILE_HANDLE: {
        const startPos = r.i64('segment start position');
        const size = r.i64('segment size');
        const scopeAt = r.pos;
        const scope = r.i32('segment scope');
        if (scope !== 0 && scope !== 1) {
          throw new MetadataError(
            'invalid',
            scopeAt,
            `segment scope must be 0 (exclusive) or 1 (shared), found ${scope}`,
          );
        }
        const physicalPath = this.path('segment physical file path', false);
        const logicalFileId = r.utf('segment logical file id');
        return {
          type: 'SegmentFileStateHandle',
          tag: HandleTag.SEGMENT_FILE_HANDLE,
          startPos,
          size,
          scope: scope === 0 ? 'exclusive' : 'shared',
          physicalPath,
          logicalFileId,
        };
      }
      case HandleTag.EMPTY_SEGMENT_FILE_HANDLE:
        return { type: 'EmptySegmentFileStateHandle', tag: HandleTag.EMPTY_SEGMENT_FILE_HANDLE };
      default:
        throw unknownTag(tag, at, 'stream state handle', STREAM_TAGS);
    }
  }

  private handleList(what: string): HandleAndLocalPath[] {
    const r = this.r;
    const countAt = r.pos;
    const count = r.i32(what, 'number of ');
    r.checkCount(count, MIN_ENTRY_BYTES.handleAndLocalPath, what, countAt);
    const list: HandleAndLocalPath[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const localPath = r.utf('local file name');
      list[i] = { localPath, handle: this.stream() };
    }
    return list;
  }

  private keyed(depth: number): KeyedHandle | null {
    const r = this.r;
    const at = r.pos;
    if (depth > MAX_KEYED_DEPTH) {
      throw new MetadataError('invalid', at, `keyed state handles nested more than ${MAX_KEYED_DEPTH} deep`);
    }
    const tag = r.u8('keyed state handle type');
    switch (tag) {
      case HandleTag.NULL_HANDLE:
        return null;
      case HandleTag.KEY_GROUPS_HANDLE:
      case HandleTag.SAVEPOINT_KEY_GROUPS_HANDLE:
      case HandleTag.KEY_GROUPS_HANDLE_V2: {
        const keyGroups = this.keyGroups();
        const offsetsAt = r.pos;
        this.skipOffsets(keyGroups.count, 'key-group offsets', r.pos - INT_BYTES);
        const delegate = this.stream();
        const stateHandleId = tag === HandleTag.KEY_GROUPS_HANDLE_V2 ? r.utf('state handle id') : null;
        return {
          type:
            tag === HandleTag.SAVEPOINT_KEY_GROUPS_HANDLE ? 'KeyGroupsSavepointStateHandle' : 'KeyGroupsStateHandle',
          tag,
          keyGroups,
          offsetCount: keyGroups.count,
          offsetsAt,
          delegate,
          stateHandleId,
        };
      }
      case HandleTag.INCREMENTAL_KEY_GROUPS_HANDLE:
      case HandleTag.INCREMENTAL_KEY_GROUPS_HANDLE_V2: {
        const checkpointId = r.i64('checkpoint id of the incremental handle');
        const backendId = r.utf('backend id');
        const keyGroups = this.keyGroups();
        const checkpointedSize = tag === HandleTag.INCREMENTAL_KEY_GROUPS_HANDLE_V2 ? r.i64('checkpointed size') : null;
        const metaHandle = this.stream();
        const sharedState = this.handleList('shared state files');
        const privateState = this.handleList('private state files');
        const stateHandleId = tag === HandleTag.INCREMENTAL_KEY_GROUPS_HANDLE_V2 ? r.utf('state handle id') : null;
        return {
          type: 'IncrementalRemoteKeyedStateHandle',
          tag,
          checkpointId,
          backendId,
          keyGroups,
          checkpointedSize,
          metaHandle,
          sharedState,
          privateState,
          stateHandleId,
        };
      }
      case HandleTag.CHANGELOG_HANDLE:
      case HandleTag.CHANGELOG_HANDLE_V2:
        return this.changelogBackend(tag, depth);
      case HandleTag.CHANGELOG_BYTE_INCREMENT_HANDLE: {
        const keyGroups = this.keyGroups();
        const fromSequence = r.i64('changelog start sequence number');
        const toSequence = r.i64('changelog end sequence number');
        const countAt = r.pos;
        const changeCount = r.i32('number of state changes');
        r.checkCount(changeCount, MIN_ENTRY_BYTES.stateChange, 'state changes', countAt);
        let size = 0;
        for (let i = 0; i < changeCount; i++) {
          r.i32('state change key group');
          const lenAt = r.pos;
          const length = r.i32('state change length');
          if (length < 0) throw new MetadataError('invalid', lenAt, `negative state change length ${length}`);
          r.skip(length, 'state change bytes');
          size += length;
        }
        const stateHandleId = r.utf('state handle id');
        return {
          type: 'InMemoryChangelogStateHandle',
          tag: HandleTag.CHANGELOG_BYTE_INCREMENT_HANDLE,
          keyGroups,
          fromSequence,
          toSequence,
          changeCount,
          size,
          stateHandleId,
        };
      }
      case HandleTag.CHANGELOG_FILE_INCREMENT_HANDLE:
      case HandleTag.CHANGELOG_FILE_INCREMENT_HANDLE_V2: {
        const keyGroups = this.keyGroups();
        const countAt = r.pos;
        const count = r.i32('number of changelog files');
        r.checkCount(count, MIN_ENTRY_BYTES.changelogFile, 'changelog files', countAt);
        const handles: { offset: number; handle: StreamHandle | null }[] = new Array(count);
        for (let i = 0; i < count; i++) {
          const offset = r.i64('changelog file offset');
          handles[i] = { offset, handle: this.stream() };
        }
        const size = r.i64('changelog state size');
        const checkpointedSize = r.i64('checkpointed size');
        const stateHandleId = r.utf('state handle id');
        const storageIdentifier =
          tag === HandleTag.CHANGELOG_FILE_INCREMENT_HANDLE_V2 ? r.utf('changelog storage identifier') : 'filesystem';
        return {
          type: 'ChangelogStateHandleStreamImpl',
          tag,
          keyGroups,
          handles,
          size,
          checkpointedSize,
          stateHandleId,
          storageIdentifier,
        };
      }
      default:
        throw unknownTag(tag, at, 'keyed state handle', KEYED_TAGS);
    }
  }

  private changelogBackend(tag: ChangelogBackendHandle['tag'], depth: number): ChangelogBackendHandle {
    const r = this.r;
    const keyGroups = this.keyGroups();
    const checkpointedSize = r.i64('checkpointed size');
    const materialized = this.keyedList('materialized state handles', depth, false);
    const nonMaterialized = this.keyedList('changelog state handles', depth, true);
    const materializationId = r.i64('materialization id');
    const checkpointId = tag === HandleTag.CHANGELOG_HANDLE_V2 ? r.i64('checkpoint id') : null;
    const stateHandleId = r.utf('state handle id');
    return {
      type: 'ChangelogStateBackendHandleImpl',
      tag,
      keyGroups,
      checkpointedSize,
      materialized,
      nonMaterialized,
      materializationId,
      checkpointId,
      stateHandleId,
    };
  }

  private keyedList(what: string, depth: number, changelogOnly: boolean): (KeyedHandle | null)[] {
    const r = this.r;
    const countAt = r.pos;
    const count = r.i32(what, 'number of ');
    r.checkCount(count, MIN_ENTRY_BYTES.handle, what, countAt);
    const list: (KeyedHandle | null)[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const at = r.pos;
      const handle = this.keyed(depth + 1);
      // Flink casts the non-materialized part to ChangelogStateHandle.
      if (changelogOnly && handle !== null && !CHANGELOG_TAGS.includes(handle.tag)) {
        throw new MetadataError(
          'invalid',
          at,
          `expected a changelog state handle (tag ${oneOf(CHANGELOG_TAGS)}), found ${handle.type}`,
        );
      }
      list[i] = handle;
    }
    return list;
  }

  private operatorHandle(): OperatorHandle | null {
    const r = this.r;
    const at = r.pos;
    const tag = r.u8('operator state handle type');
    if (tag === HandleTag.NULL_HANDLE) return null;
    if (
      tag !== HandleTag.PARTITIONABLE_OPERATOR_STATE_HANDLE &&
      tag !== HandleTag.SEGMENT_PARTITIONABLE_OPERATOR_STATE_HANDLE
    ) {
      throw unknownTag(tag, at, 'operator state handle', OPERATOR_TAGS);
    }
    const countAt = r.pos;
    const count = r.i32('number of named operator states');
    r.checkCount(count, MIN_ENTRY_BYTES.namedOperatorState, 'named operator states', countAt);
    const states: OperatorStateInfo[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const name = r.utf('operator state name');
      const modeAt = r.pos;
      const mode = r.u8('distribution mode');
      if (mode > 2) throw new MetadataError('invalid', modeAt, `distribution mode must be 0, 1 or 2, found ${mode}`);
      const offAt = r.pos;
      const offsetCount = r.i32('number of partition offsets');
      this.skipOffsets(offsetCount, 'partition offsets', offAt);
      states[i] = { name, mode: DISTRIBUTION_MODES[mode], offsetCount, offsetsAt: offAt + 4 };
    }
    if (tag === HandleTag.PARTITIONABLE_OPERATOR_STATE_HANDLE) {
      return {
        type: 'OperatorStreamStateHandle',
        tag,
        states,
        taskOwnedDirectory: null,
        sharedDirectory: null,
        delegate: this.stream(),
      };
    }
    const taskOwnedDirectory = r.utf('task-owned directory');
    const sharedDirectory = r.utf('shared directory');
    const isEmpty = r.u8('empty flag') !== 0;
    const delegateAt = r.pos;
    const delegate = this.stream();
    if (delegate === null || !SEGMENT_TAGS.includes(delegate.tag)) {
      throw new MetadataError(
        'invalid',
        delegateAt,
        `a file-merging operator state handle must delegate to a segment file handle (tag ${oneOf(SEGMENT_TAGS)})`,
      );
    }
    return {
      type: isEmpty ? 'EmptyFileMergingOperatorStreamStateHandle' : 'FileMergingOperatorStreamStateHandle',
      tag,
      states,
      taskOwnedDirectory,
      sharedDirectory,
      delegate,
    };
  }

  private channelHandles(input: boolean): readonly AnyChannelHandle[] {
    const r = this.r;
    const what = input ? 'input channel state handles' : 'output channel state handles';
    const countAt = r.pos;
    const count = r.i32(what, 'number of ');
    if (count === 0) return NO_HANDLES;
    r.checkCount(count, MIN_ENTRY_BYTES.channelHandle, what, countAt);
    const list: AnyChannelHandle[] = new Array(count);
    for (let i = 0; i < count; i++) {
      if (this.version < 6) {
        list[i] = this.channelHandleV1(input);
        continue;
      }
      const at = r.pos;
      const tag = r.u8('channel state handle type');
      const [single, merged] = input ? INPUT_CHANNEL_TAGS : OUTPUT_CHANNEL_TAGS;
      if (tag === single) {
        list[i] = this.channelHandleV1(input);
      } else if (tag === merged) {
        const subtaskIndex = r.i32('subtask index');
        const size = r.i64('channel state size');
        const delegate = this.stream();
        const lenAt = r.pos;
        const offsetsLength = r.i32('length of the channel offsets');
        if (offsetsLength < 0) {
          throw new MetadataError('invalid', lenAt, `negative length of the channel offsets: ${offsetsLength}`);
        }
        r.skip(offsetsLength, 'channel offsets');
        list[i] = {
          type: input ? 'MergedInputChannelStateHandle' : 'MergedResultSubpartitionStateHandle',
          subtaskIndex,
          size,
          delegate,
          offsetsLength,
        };
      } else {
        throw unknownTag(
          tag,
          at,
          input ? 'input channel state handle' : 'output channel state handle',
          input ? INPUT_CHANNEL_TAGS : OUTPUT_CHANNEL_TAGS,
        );
      }
    }
    return list;
  }

  private channelHandleV1(input: boolean): AnyChannelHandle {
    const r = this.r;
    const subtaskIndex = r.i32('subtask index');
    const index1 = r.i32(input ? 'gate index' : 'partition index');
    const index2 = r.i32(input ? 'channel index' : 'subpartition index');
    const offAt = r.pos;
    const offsetCount = r.i32('number of channel offsets');
    this.skipOffsets(offsetCount, 'channel offsets', offAt);
    const size = r.i64('channel state size');
    const delegate = this.stream();
    return {
      type: input ? 'InputChannelStateHandle' : 'ResultSubpartitionStateHandle',
      subtaskIndex,
      index1,
      index2,
      offsetCount,
      size,
      delegate,
    };
  }
}

/** The blob of one master state (the reader limited to it): version, name, payload; it must fill its announced length exactly. */
function readMasterStateBlob(inner: ByteReader, end: number): MasterState {
  try {
    const version = inner.i32('master state version');
    const name = inner.utf('master state name');
    const sizeAt = inner.pos;
    const size = inner.i32('master state payload length');
    if (size < 0) throw new MetadataError('invalid', sizeAt, `negative master state payload length ${size}`);
    const dataOffset = inner.pos;
    inner.skip(size, 'master state payload');
    if (inner.pos !== end) throw new MetadataError('invalid', inner.pos, 'trailing bytes inside the master state');
    return { name, version, size, dataOffset };
  } catch (error) {
    if (error instanceof MetadataError && error.code === 'truncated') {
      throw new MetadataError(
        'invalid',
        error.offset,
        `master state contents run past its announced length (ending at byte ${end})`,
      );
    }
    throw error;
  }
}

/**
 * An operator whose scalar fields are decoded and whose subtask states stay as validated bytes in the file buffer
 * until asked for: a large file then costs little more than its own bytes, and `summarize` decodes one operator at a
 * time. Each access to `subtasks` decodes afresh; keep the array if you need it twice.
 */
class LazyOperatorState implements OperatorState {
  constructor(
    readonly operatorId: string,
    readonly name: string | null,
    readonly uid: string | null,
    readonly parallelism: number,
    readonly maxParallelism: number,
    readonly coordinatorState: StreamHandle | null,
    readonly fullyFinished: boolean,
    private readonly bytes: Uint8Array,
    readonly metadataVersion: number,
    private readonly start: number,
    readonly subtaskCount: number,
  ) {}

  get coordinatorStateBytes(): Uint8Array | undefined {
    const h = this.coordinatorState;
    if (h === null || h.tag !== HandleTag.BYTE_STREAM_STATE_HANDLE) return undefined;
    return this.bytes.subarray(h.dataOffset, h.dataOffset + h.size);
  }

  get subtasks(): readonly (SubtaskState | FinishedSubtask)[] {
    if (this.subtaskCount === 0) return NO_HANDLES;
    return MetadataParser.decodeSubtasks(
      this.bytes,
      this.metadataVersion,
      this.start,
      this.subtaskCount,
      this.parallelism,
    );
  }

  toJSON(): object {
    const { operatorId, name, uid, parallelism, maxParallelism, coordinatorState, fullyFinished, subtasks } = this;
    return { operatorId, name, uid, parallelism, maxParallelism, coordinatorState, fullyFinished, subtasks };
  }
}

function unknownTag(tag: number, at: number, position: string, legal: readonly number[]): MetadataError {
  return new MetadataError('unknown-tag', at, `unknown ${position} type ${tag}; expected ${oneOf(legal)}`);
}

/** A 32-bit magic number as messages print it: `0x4960672D`. */
function hex32(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0').toUpperCase()}`;
}

/** `0, 1 or 2`. */
function oneOf(tags: readonly number[]): string {
  return tags.length === 1 ? String(tags[0]) : `${tags.slice(0, -1).join(', ')} or ${tags[tags.length - 1]}`;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** `n` bytes as lower-case hex, as Flink prints an id. */
function hexOf(b: Uint8Array, at: number, n: number): string {
  let s = '';
  for (let i = at; i < at + n; i++) s += HEX[b[i]];
  return s;
}
