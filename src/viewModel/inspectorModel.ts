import {
  CheckpointMetadata,
  MetadataSummary,
  OperatorState,
  SnapshotDetails,
  flinkLinesWriting,
  summarize,
} from '../core/metadata';
import type { FileRow, InspectorModel, OperatorRow, SegmentRow, SubtaskRow } from '../../media/protocol';

/** How many referenced files the inspector lists; the rest are counted. */
const MAX_LISTED_FILES = 5000;

/**
 * The subtask rows of one operator, computed when the inspector expands it (a large snapshot has hundreds of thousands).
 * Sizes come from the summary of a one-subtask copy of the operator, so they follow exactly the rules of Flink's
 * `getStateSize()` that the summary implements.
 */
export function subtaskRows(metadata: CheckpointMetadata, operator: OperatorState): SubtaskRow[] {
  return operator.subtasks.map((subtask) => {
    if (subtask.finished) return { index: subtask.subtaskIndex, finished: true, stateSize: 0, handles: [] };
    const single = summarize({
      ...metadata,
      masterStates: [],
      operators: [{ ...operator, coordinatorState: null, subtasks: [subtask] }],
    });
    const handles = Object.entries(single.operators[0].handleTypes).flatMap(([type, count]) =>
      count === 1 ? [type] : [`${type} ×${count}`],
    );
    return { index: subtask.subtaskIndex, finished: false, stateSize: single.stateSize, handles };
  });
}

/** What a store said about a referenced file: present with its size, missing, or not checkable (outside any store). */
export interface FileStatus {
  readonly exists: boolean | null;
  readonly size: number;
  /** The store path it resolved to (the one found, else the likeliest), when a store holds its location. */
  readonly storePath?: string;
}

/** What the host knows about the `_metadata` file itself. */
export interface MetadataFileFacts {
  /** Modification time of `_metadata` in the store, ms; undefined when the store reports none. */
  readonly modified?: number;
  readonly size: number;
  /** Path of the snapshot directory, in the namespace of FileStatus.storePath (paths show relative to its job). */
  readonly directory?: string;
  /** Opened from a configured store (restore and compare work on store snapshots). */
  readonly inStore: boolean;
}

/**
 * A store path as the inspector and compare show it: relative to the job directory (the snapshot directory's parent)
 * when it lies inside it, so `chk-3/…`, `shared/…` and `taskowned/…` read alike; else the store path as it is.
 */
export function displayPath(storePath: string, snapshotDirectory: string | undefined): string {
  if (snapshotDirectory === undefined) return storePath;
  const job = snapshotDirectory.slice(0, snapshotDirectory.lastIndexOf('/'));
  return job !== '' && storePath.startsWith(`${job}/`) ? storePath.slice(job.length + 1) : storePath;
}

/** The type as Flink's Web UI names it, from the properties (V4+) and, where they are silent, the handles. */
export function typeLabel(summary: MetadataSummary, details: SnapshotDetails, source: string): string {
  // Before metadata version 4 the kind is not recorded: the directory's name (chk-N or savepoint-…) tells it.
  const kind =
    summary.kind ??
    (/(^|\/)chk-\d+\/_metadata$/.test(source)
      ? 'checkpoint'
      : /(^|\/)savepoint-[^/]*\/_metadata$/.test(source)
        ? 'savepoint'
        : null);
  if (kind === 'savepoint') {
    const stop =
      summary.checkpointType === 'Suspend Savepoint'
        ? ' (stop-with-savepoint)'
        : summary.checkpointType === 'Terminate Savepoint'
          ? ' (stop-with-savepoint, drained)'
          : '';
    return `${summary.savepointFormat ?? 'savepoint'}${summary.savepointFormat ? ' savepoint' : ''}${stop}`;
  }
  const parts = [
    details.unaligned ? 'unaligned' : null,
    details.incremental ? 'incremental' : 'full',
    kind === 'checkpoint' ? 'checkpoint' : 'snapshot (kind not recorded)',
  ];
  return parts.filter(Boolean).join(' ');
}

function operatorNames(summary: MetadataSummary): Map<string, string> {
  return new Map(summary.operators.map((o) => [o.operatorId, o.name ?? o.uid ?? o.operatorId]));
}

/** Everything the inspector webview shows about one `_metadata`; `status` has an entry per listed referenced file. */
export function buildInspectorModel(
  source: string,
  summary: MetadataSummary,
  status: ReadonlyMap<string, FileStatus>,
  details: SnapshotDetails,
  metadataFile: MetadataFileFacts,
): InspectorModel {
  const operators: OperatorRow[] = summary.operators.map((operator) => ({
    operatorId: operator.operatorId,
    uid: operator.uid,
    name: operator.name,
    parallelism: operator.parallelism,
    maxParallelism: operator.maxParallelism,
    finished: operator.finished,
    stateSize: operator.stateSize,
    inlineSize: operator.stateSizeBreakdown.inline,
    exclusiveSize: operator.stateSizeBreakdown.exclusiveFiles,
    sharedSize: operator.stateSizeBreakdown.sharedFiles,
    coordinatorStateSize: operator.coordinatorStateSize,
    coordinatorState: operator.coordinatorState ?? null,
    subtaskStates: operator.subtaskStates,
    finishedSubtasks: operator.finishedSubtasks,
    handleTypes: operator.handleTypes,
  }));
  const names = operatorNames(summary);
  const segmentsOf = new Map(
    details.mergedFiles.map((file) => [
      file.path,
      file.segments.map((segment): SegmentRow => ({
        offset: segment.startPos,
        length: segment.size,
        scope: segment.scope,
        operator: names.get(segment.operatorId) ?? segment.operatorId,
        subtask: segment.subtaskIndex < 0 ? null : segment.subtaskIndex,
      })),
    ]),
  );
  const files: FileRow[] = summary.referencedFiles.slice(0, MAX_LISTED_FILES).map((uri) => {
    const found = status.get(uri);
    return {
      uri,
      storePath: found?.storePath === undefined ? null : displayPath(found.storePath, metadataFile.directory),
      segments: segmentsOf.get(uri) ?? [],
      size: found?.size ?? -1,
      exists: found?.exists ?? null,
      shared: /\/shared\//.test(uri) || (segmentsOf.get(uri)?.some((s) => s.scope === 'shared') ?? false),
    };
  });
  let footprintBytes = metadataFile.size;
  let footprintFiles = 1;
  for (const uri of summary.referencedFiles) {
    const found = status.get(uri);
    if (found?.exists !== true) continue;
    footprintBytes += found.size;
    footprintFiles++;
  }
  return {
    source,
    kind: summary.kind,
    savepointFormat: summary.savepointFormat,
    snapshotType: summary.checkpointType,
    typeLabel: typeLabel(summary, details, source),
    completedAt: metadataFile.modified ?? null,
    checkpointId: summary.checkpointId,
    metadataVersion: summary.metadataVersion,
    flinkLines: flinkLinesWriting(summary.metadataVersion),
    stateSize: summary.stateSize,
    checkpointedSize: details.checkpointedSize,
    footprint: {
      bytes: footprintBytes,
      files: footprintFiles,
      unknown: summary.referencedFiles.length + 1 - footprintFiles,
    },
    inStore: metadataFile.inStore,
    subtaskCount: operators.reduce((n, o) => n + o.subtaskStates, 0),
    masterStates: summary.masterStates,
    operators,
    files,
    filesOmitted: Math.max(0, summary.referencedFiles.length - MAX_LISTED_FILES),
    fileCount: summary.referencedFiles.length,
  };
}
