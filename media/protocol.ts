/**
 * Every message between the extension host and the webviews. Both sides import this module, so a renamed field breaks
 * the build instead of silently breaking the UI; the host validates what it receives with the guards below.
 */

export interface SubtaskRow {
  readonly index: number;
  readonly finished: boolean;
  readonly stateSize: number;
  /** Flink simple class names of the subtask's top-level state handles. */
  readonly handles: readonly string[];
}

export interface OperatorRow {
  readonly operatorId: string;
  readonly uid: string | null;
  readonly name: string | null;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly finished: boolean;
  readonly stateSize: number;
  readonly inlineSize: number;
  readonly exclusiveSize: number;
  readonly sharedSize: number;
  readonly coordinatorStateSize: number;
  /** The operator coordinator's state shown readably (source enumerators: splits, partitions); null when none. */
  readonly coordinatorState: JsonValue | null;
  readonly subtaskStates: number;
  readonly finishedSubtasks: number;
  readonly handleTypes: Readonly<Record<string, number>>;
}

/** One segment of a merged physical file (file merging): where it lies in the file and whose state it holds. */
export interface SegmentRow {
  readonly offset: number;
  readonly length: number;
  readonly scope: 'exclusive' | 'shared';
  /** The operator's name, uid or id, and the subtask (null: the operator coordinator). */
  readonly operator: string;
  readonly subtask: number | null;
}

export interface FileRow {
  /** The path as Flink wrote it in `_metadata`. */
  readonly uri: string;
  /** Where it lies in the store, relative to the job directory when inside it; null when no store holds its location. */
  readonly storePath: string | null;
  /** File merging: the segments of this physical file the snapshot uses, by offset (empty for a whole file). */
  readonly segments: readonly SegmentRow[];
  /** Size of the file as its store reports it; -1 when it was not checked or is missing. */
  readonly size: number;
  /** True when the file is in a store this extension can open; false when it should exist but does not. */
  readonly exists: boolean | null;
  readonly shared: boolean;
}

export interface InspectorModel {
  readonly source: string;
  readonly kind: 'checkpoint' | 'savepoint' | null;
  readonly savepointFormat: 'canonical' | 'native' | null;
  readonly snapshotType: string | null;
  /** What Flink's Web UI calls the type, as far as `_metadata` tells: e.g. "incremental checkpoint", "native savepoint". */
  readonly typeLabel: string;
  /** When `_metadata` was written (its modification time in the store); the file itself records no time. */
  readonly completedAt: number | null;
  readonly checkpointId: number;
  readonly metadataVersion: number;
  readonly flinkLines: string;
  readonly stateSize: number;
  /** Flink's "Checkpointed Data Size": bytes new in this snapshot (the incremental delta). */
  readonly checkpointedSize: number;
  /** Bytes the store holds for this snapshot: `_metadata` and every referenced file (a merged file counts whole). */
  readonly footprint: { readonly bytes: number; readonly files: number; readonly unknown: number };
  /** Restore… and Compare With… work on snapshots opened from a store. */
  readonly inStore: boolean;
  readonly subtaskCount: number;
  readonly masterStates: readonly { name: string; version: number; size: number }[];
  readonly operators: readonly OperatorRow[];
  readonly files: readonly FileRow[];
  /** Files beyond those sent; the webview says how many were left out. */
  readonly filesOmitted: number;
  readonly fileCount: number;
}

export interface ParseErrorView {
  readonly source: string;
  readonly code: string;
  readonly message: string;
  readonly offset: number | null;
}

/** Anything else that kept a page from loading (a store that is down, a file that is gone): shown instead of "Loading…". */
export interface LoadErrorView {
  readonly source: string;
  readonly message: string;
}

export interface DiffOperatorRow {
  readonly operatorId: string;
  readonly label: string;
  readonly change: 'added' | 'removed' | 'changed' | 'same';
  readonly parallelism: readonly [number | null, number | null];
  readonly maxParallelism: readonly [number | null, number | null];
  readonly stateSize: readonly [number | null, number | null];
}

export interface DiffModel {
  readonly left: string;
  readonly right: string;
  readonly operators: readonly DiffOperatorRow[];
  readonly filesOnlyLeft: readonly string[];
  readonly filesOnlyRight: readonly string[];
  readonly filesInBoth: number;
}

export interface HistoryPoint {
  readonly label: string;
  readonly checkpointId: number;
  readonly time: number | null;
  readonly stateSize: number;
  readonly kind: 'checkpoint' | 'savepoint';
}

export interface HistoryModel {
  readonly job: string;
  readonly points: readonly HistoryPoint[];
}

export interface CleanupEntry {
  readonly uri: string;
  readonly size: number;
  readonly reason: 'unreferenced' | 'in-progress' | 'broken';
  readonly kind: 'file' | 'directory' | 'link';
}

export interface CleanupModel {
  /** The store's name (two stores may hold the same job). */
  readonly store: string;
  readonly job: string;
  readonly retained: readonly string[];
  readonly referencedFiles: number;
  readonly candidates: readonly CleanupEntry[];
  readonly totalBytes: number;
  /** Entries left alone on purpose, with why. */
  readonly kept: readonly { readonly uri: string; readonly why: string }[];
  /** Why no shared state may go, or why shared files are kept while a checkpoint runs. */
  readonly blocked: string | null;
  readonly keptWhileRunning: string | null;
  readonly jobStopped: boolean;
  /** Whether removal moves entries to the trash (the store renames cheaply) or deletes them for good. */
  readonly reversible: boolean;
  /** Quarantine directories of the checkpoint base, newest first. */
  readonly trash: readonly { readonly path: string; readonly time: number }[];
  /** What the last run did, in words. */
  readonly lastRun: string | null;
}

/** A serializer snapshot as the State section shows it: a line, and its parts as children (collapsible). */
export interface SerializerView {
  /** `PojoSerializer<com.example.Event> v2` */
  readonly label: string;
  /** Field name, nested position or what the part is (`key`, `value`, `fields.id`, `[0]`). */
  readonly role: string;
  /** The snapshot class, for the tooltip. */
  readonly className: string;
  /** Enum constants, Kryo registrations, Avro schema, undecoded bytes. */
  readonly detail: string | null;
  readonly children: readonly SerializerView[];
}

export interface StateRow {
  readonly name: string;
  readonly kind: string;
  readonly backend: string;
  readonly ttl: boolean;
  readonly serializers: readonly SerializerView[];
}

export interface OperatorStates {
  readonly operatorId: string;
  readonly label: string;
  readonly states: readonly StateRow[];
  readonly problems: readonly string[];
}

/** The State section: per operator, its states and their serializers, read from the heads of the state files. */
export interface StateSectionModel {
  readonly operators: readonly OperatorStates[];
  /** Why nothing could be read (the snapshot is not in a store, the store is down). */
  readonly error: string | null;
}

/** A JSON value as the state reader decodes keys and values. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The entry browser's key filter, applied by the reader in the extension host: an exact key, a prefix, a key group. */
export interface EntryFilter {
  readonly by: 'key' | 'prefix' | 'keyGroup';
  readonly text: string;
}

/** One entry of a state as the entry browser shows it (the `state --json` fields). */
export interface EntryView {
  readonly keyGroup: number | null;
  /** Operator state: the subtask whose handle holds it. */
  readonly subtask: number | null;
  readonly key: JsonValue;
  readonly namespace: JsonValue;
  /** Map state: the map's key. */
  readonly userKey?: JsonValue;
  readonly value: JsonValue;
}

/** One page of a state's entries. */
export interface EntryPage {
  /** Answers the `loadEntries` of the same id; a page of an older request is dropped by the webview. */
  readonly requestId: number;
  readonly operatorId: string;
  readonly state: string;
  readonly entries: readonly EntryView[];
  /** Where the next page starts (`state --after`), or null when this page reached the end. */
  readonly next: string | null;
  /** Parts of the state that could not be read: the file, the byte offset and why. The rest is still shown. */
  readonly problems: readonly string[];
  /** Why nothing could be read (the store is down, the snapshot is gone). */
  readonly error: string | null;
  readonly cancelled: boolean;
}

/** Compare With…'s State tab: a state of an operator both snapshots have, and whether it can be compared. */
export interface StateDiffStateRow {
  readonly name: string;
  readonly kind: string;
  readonly backend: string;
  /** `left` or `right`: the snapshot that lacks the state (its keys are all added or removed). */
  readonly missingIn: 'left' | 'right' | null;
  /** Why its entries cannot be compared key by key (serializers differ…), or null. */
  readonly incomparable: string | null;
}

export interface StateDiffOperatorRow {
  readonly operatorId: string;
  readonly label: string;
  readonly states: readonly StateDiffStateRow[];
  /** State files of either side that could not be read. */
  readonly problems: readonly string[];
}

/** The State tab's list of operators present in both snapshots, read from the heads of their state files. */
export interface StateDiffStatesModel {
  readonly operators: readonly StateDiffOperatorRow[];
  readonly error: string | null;
}

export interface StateDiffCountsView {
  readonly added: number;
  readonly removed: number;
  readonly changed: number;
  readonly unchanged: number;
  readonly notCompared: number;
}

/** One changed key: values as JSON text, fields as paths into the value (`.balance`, `[0]`, `.` for the value). */
export interface StateChangeView {
  readonly change: 'added' | 'removed' | 'changed';
  readonly key: string;
  readonly namespace: string | null;
  readonly userKey: string | null;
  readonly subtask: number | null;
  readonly keyGroup: number | null;
  /** Added or removed: the value. */
  readonly value: string | null;
  readonly fields: readonly { readonly path: string; readonly before: string | null; readonly after: string | null }[];
}

/** Identifies one state of one operator in the State tab's messages. */
export interface StateDiffTarget {
  readonly operatorId: string;
  readonly state: string;
}

/** Host → webview. */
export type ToWebview =
  | { readonly type: 'inspector'; readonly model: InspectorModel }
  | { readonly type: 'parseError'; readonly error: ParseErrorView }
  | { readonly type: 'loadError'; readonly error: LoadErrorView }
  | { readonly type: 'diff'; readonly model: DiffModel }
  | { readonly type: 'history'; readonly model: HistoryModel }
  | { readonly type: 'cleanup'; readonly model: CleanupModel }
  | { readonly type: 'uidResult'; readonly uid: string; readonly operatorId: string }
  | { readonly type: 'subtasks'; readonly operatorId: string; readonly rows: readonly SubtaskRow[] }
  | { readonly type: 'states'; readonly model: StateSectionModel }
  | { readonly type: 'entries'; readonly page: EntryPage }
  | {
      readonly type: 'entriesProgress';
      readonly requestId: number;
      /** Bytes of state files read so far for this page, and entries looked at. */
      readonly bytes: number;
      readonly scanned: number;
    }
  | { readonly type: 'stateDiffStates'; readonly model: StateDiffStatesModel }
  | ({
      readonly type: 'stateDiffProgress';
      readonly entries: number;
      readonly keyGroup: number | null;
    } & StateDiffTarget)
  | ({
      readonly type: 'stateDiffCounts';
      readonly counts: StateDiffCountsView | null;
      readonly problems: readonly string[];
      readonly cancelled: boolean;
    } & StateDiffTarget)
  | ({
      readonly type: 'stateDiffChanges';
      readonly skip: number;
      readonly changes: readonly StateChangeView[];
      readonly more: boolean;
      readonly problems: readonly string[];
    } & StateDiffTarget);

/** Webview → host. */
export type FromWebview =
  | { readonly type: 'ready' }
  | { readonly type: 'openFile'; readonly uri: string }
  | { readonly type: 'restore' }
  | { readonly type: 'compare' }
  | { readonly type: 'computeUid'; readonly uid: string }
  | { readonly type: 'loadSubtasks'; readonly operatorId: string }
  | { readonly type: 'loadStates' }
  | { readonly type: 'copy'; readonly text: string }
  | { readonly type: 'confirmCleanup' }
  | { readonly type: 'cleanupJobStopped'; readonly stopped: boolean }
  | { readonly type: 'restoreTrash'; readonly path: string }
  | {
      readonly type: 'loadEntries';
      readonly requestId: number;
      readonly operatorId: string;
      readonly state: string;
      readonly filter: EntryFilter | null;
      /** Null for the first page (and forgets the pages loaded before); else the `next` of the last page. */
      readonly after: string | null;
      readonly limit: number;
    }
  | { readonly type: 'cancelEntries'; readonly requestId: number }
  /** Copies one loaded entry (its index among the loaded ones), or every loaded entry when null, as JSON. */
  | {
      readonly type: 'copyEntries';
      readonly operatorId: string;
      readonly state: string;
      readonly index: number | null;
    }
  | { readonly type: 'stateDiffStates' }
  | ({ readonly type: 'stateDiffCount' } & StateDiffTarget)
  | ({ readonly type: 'stateDiffChanges'; readonly skip: number } & StateDiffTarget)
  | { readonly type: 'stateDiffCancel' };

/** Validates an untrusted message from a webview; anything else is dropped by the host. */
export function isFromWebview(value: unknown): value is FromWebview {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case 'ready':
    case 'loadStates':
    case 'confirmCleanup':
    case 'restore':
    case 'compare':
      return true;
    case 'openFile':
      return typeof message.uri === 'string';
    case 'computeUid':
      return typeof message.uid === 'string' && message.uid.length <= 4096;
    case 'loadSubtasks':
      return typeof message.operatorId === 'string' && /^[0-9a-f]{32}$/.test(message.operatorId);
    case 'copy':
      return typeof message.text === 'string';
    case 'cleanupJobStopped':
      return typeof message.stopped === 'boolean';
    case 'restoreTrash':
      return typeof message.path === 'string' && message.path.length <= 4096;
    case 'loadEntries':
      return (
        isCount(message.requestId) &&
        isOperatorId(message.operatorId) &&
        isStateName(message.state) &&
        (message.filter === null || isEntryFilter(message.filter)) &&
        (message.after === null || (typeof message.after === 'string' && message.after.length <= 64)) &&
        isCount(message.limit) &&
        (message.limit as number) >= 1 &&
        (message.limit as number) <= 10_000
      );
    case 'cancelEntries':
      return isCount(message.requestId);
    case 'copyEntries':
      return (
        isOperatorId(message.operatorId) &&
        isStateName(message.state) &&
        (message.index === null || isCount(message.index))
      );

    case 'stateDiffStates':
    case 'stateDiffCancel':
      return true;
    case 'stateDiffCount':
      return isStateDiffTarget(message);
    case 'stateDiffChanges':
      return isStateDiffTarget(message) && Number.isSafeInteger(message.skip) && (message.skip as number) >= 0;
    default:
      return false;
  }
}

function isCount(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isOperatorId(value: unknown): boolean {
  return typeof value === 'string' && /^[0-9a-f]{32}$/.test(value);
}

function isStateName(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0 && value.length <= 4096;
}

function isEntryFilter(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const filter = value as Record<string, unknown>;
  return (
    (filter.by === 'key' || filter.by === 'prefix' || filter.by === 'keyGroup') &&
    typeof filter.text === 'string' &&
    filter.text.length <= 4096
  );
}

function isStateDiffTarget(message: Record<string, unknown>): boolean {
  return (
    typeof message.operatorId === 'string' &&
    /^[0-9a-f]{32}$/.test(message.operatorId) &&
    typeof message.state === 'string' &&
    message.state.length <= 4096
  );
}
