import { CheckpointMetadata, MetadataSummary, OperatorState, flinkLinesWriting, summarize } from '../core/metadata';
import type { FileRow, InspectorModel, OperatorRow, SubtaskRow } from '../../media/protocol';

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
}

/** Everything the inspector webview shows about one `_metadata`; `status` has an entry per listed referenced file. */
export function buildInspectorModel(
  source: string,
  summary: MetadataSummary,
  status: ReadonlyMap<string, FileStatus>,
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
    subtaskStates: operator.subtaskStates,
    finishedSubtasks: operator.finishedSubtasks,
    handleTypes: operator.handleTypes,
  }));
  const files: FileRow[] = summary.referencedFiles.slice(0, MAX_LISTED_FILES).map((uri) => ({
    uri,
    size: status.get(uri)?.size ?? -1,
    exists: status.get(uri)?.exists ?? null,
    shared: /\/shared\//.test(uri),
  }));
  return {
    source,
    kind: summary.kind,
    savepointFormat: summary.savepointFormat,
    snapshotType: summary.checkpointType,
    checkpointId: summary.checkpointId,
    metadataVersion: summary.metadataVersion,
    flinkLines: flinkLinesWriting(summary.metadataVersion),
    stateSize: summary.stateSize,
    subtaskCount: operators.reduce((n, o) => n + o.subtaskStates, 0),
    masterStates: summary.masterStates,
    operators,
    files,
    filesOmitted: Math.max(0, summary.referencedFiles.length - MAX_LISTED_FILES),
    fileCount: summary.referencedFiles.length,
  };
}
