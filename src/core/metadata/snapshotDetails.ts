import { flinkPathToString } from './flinkPath';
import { HandleTag } from './model';
import type {
  AnyChannelHandle,
  CheckpointMetadata,
  KeyedHandle,
  OperatorHandle,
  SegmentFileHandle,
  StreamHandle,
} from './model';

/** One segment of a merged physical file (file merging, Flink 1.20+), and whose state it holds. */
export interface FileSegment {
  readonly startPos: number;
  readonly size: number;
  readonly scope: 'exclusive' | 'shared';
  readonly logicalFileId: string;
  readonly operatorId: string;
  /** -1 for the operator coordinator's state. */
  readonly subtaskIndex: number;
}

/** A physical file that holds segments, as Flink prints its path, with its segments ordered by offset. */
export interface MergedFile {
  readonly path: string;
  readonly segments: readonly FileSegment[];
}

/** What Flink's Web UI shows about a checkpoint beyond the summary, as far as `_metadata` records it. */
export interface SnapshotDetails {
  /**
   * Flink's "Checkpointed Data Size": the bytes this checkpoint wrote. Incremental and changelog handles record it
   * (`checkpointedSize`); every other handle counts its full size, as Flink's `getCheckpointedSize()` does.
   */
  readonly checkpointedSize: number;
  /** Keyed state refers to files shared with earlier checkpoints (incremental RocksDB/ForSt, changelog). */
  readonly incremental: boolean;
  /** In-flight data was stored: an unaligned checkpoint (one without in-flight data looks aligned). */
  readonly unaligned: boolean;
  /** Segment handles grouped by their physical file, in path order. */
  readonly mergedFiles: readonly MergedFile[];
}

/** Walks every handle of a parsed `_metadata` once. */
export function snapshotDetails(metadata: CheckpointMetadata): SnapshotDetails {
  const segments = new Map<string, Map<string, FileSegment>>();
  let checkpointedSize = 0;
  let sharesFiles = false;
  let unaligned = false;
  let operatorId = '';
  let subtaskIndex = -1;

  const segment = (h: SegmentFileHandle): void => {
    const path = flinkPathToString(h.physicalPath);
    let inFile = segments.get(path);
    if (!inFile) segments.set(path, (inFile = new Map()));
    // Many handles (channel state, reused shared segments) name the same segment.
    const key = `${h.startPos}:${h.size}`;
    if (!inFile.has(key)) {
      inFile.set(key, {
        startPos: h.startPos,
        size: h.size,
        scope: h.scope,
        logicalFileId: h.logicalFileId,
        operatorId,
        subtaskIndex,
      });
    }
  };

  /** Flink's full state size of a stream handle, noting segments on the way. */
  const stream = (h: StreamHandle | null): number => {
    if (h === null) return 0;
    switch (h.tag) {
      case HandleTag.BYTE_STREAM_STATE_HANDLE:
      case HandleTag.FILE_STREAM_STATE_HANDLE:
      case HandleTag.RELATIVE_STREAM_STATE_HANDLE:
        return h.size;
      case HandleTag.KEY_GROUPS_HANDLE:
        return stream(h.delegate);
      case HandleTag.SEGMENT_FILE_HANDLE:
        segment(h);
        return h.size;
      case HandleTag.EMPTY_SEGMENT_FILE_HANDLE:
        return 0;
    }
  };

  /** Full size and checkpointed size of a keyed handle. */
  const keyed = (h: KeyedHandle | null): [number, number] => {
    if (h === null) return [0, 0];
    switch (h.tag) {
      case HandleTag.KEY_GROUPS_HANDLE:
      case HandleTag.SAVEPOINT_KEY_GROUPS_HANDLE:
      case HandleTag.KEY_GROUPS_HANDLE_V2: {
        const size = stream(h.delegate);
        return [size, size];
      }
      case HandleTag.INCREMENTAL_KEY_GROUPS_HANDLE:
      case HandleTag.INCREMENTAL_KEY_GROUPS_HANDLE_V2: {
        let size = stream(h.metaHandle);
        for (const e of h.sharedState) size += stream(e.handle);
        for (const e of h.privateState) size += stream(e.handle);
        if (h.sharedState.length > 0) sharesFiles = true;
        return [size, h.checkpointedSize ?? size];
      }
      case HandleTag.CHANGELOG_HANDLE:
      case HandleTag.CHANGELOG_HANDLE_V2: {
        sharesFiles = true;
        let size = 0;
        for (const part of [...h.materialized, ...h.nonMaterialized]) size += keyed(part)[0];
        return [size, h.checkpointedSize];
      }
      case HandleTag.CHANGELOG_BYTE_INCREMENT_HANDLE:
        return [h.size, h.size];
      case HandleTag.CHANGELOG_FILE_INCREMENT_HANDLE:
      case HandleTag.CHANGELOG_FILE_INCREMENT_HANDLE_V2:
        for (const e of h.handles) stream(e.handle);
        return [h.size, h.checkpointedSize];
    }
  };

  const operator = (h: OperatorHandle | null): number => (h === null ? 0 : stream(h.delegate));
  const channel = (h: AnyChannelHandle): number => {
    unaligned = true;
    stream(h.delegate);
    return h.size;
  };

  for (const op of metadata.operators) {
    operatorId = op.operatorId;
    subtaskIndex = -1;
    checkpointedSize += stream(op.coordinatorState);
    for (const s of op.subtasks) {
      if (s.finished) continue;
      subtaskIndex = s.subtaskIndex;
      for (const legacy of s.legacyOperatorState) checkpointedSize += stream(legacy);
      checkpointedSize += operator(s.managedOperatorState) + operator(s.rawOperatorState);
      checkpointedSize += keyed(s.managedKeyedState)[1] + keyed(s.rawKeyedState)[1];
      for (const c of [...s.inputChannelState, ...s.outputChannelState]) checkpointedSize += channel(c);
    }
  }

  const p = metadata.properties;
  // A savepoint never shares files, and a full checkpoint of an incremental backend uploads everything anew.
  const full = p.status === 'parsed' && (p.kind === 'savepoint' || p.typeName === 'Full Checkpoint');
  return {
    checkpointedSize,
    incremental: sharesFiles && !full,
    unaligned,
    mergedFiles: [...segments.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([path, inFile]) => ({
        path,
        segments: [...inFile.values()].sort((a, b) => a.startPos - b.startPos || a.size - b.size),
      })),
  };
}
