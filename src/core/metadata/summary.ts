import { ByteSource, readFully } from './byteReader';
import { OperatorHeader, ScannedMetadata, parseMetadata, scanMetadata } from './parser';
import { ReferencedFiles } from './referencedFiles';
import { HandleTag } from './model';
import { decodeCoordinatorState } from '../state/values/connectors';
import { plainValue, type PlainValue } from '../state/values/decode';
import type {
  AnyChannelHandle,
  ByteStreamHandle,
  CheckpointMetadata,
  FinishedSubtask,
  KeyedHandle,
  OperatorHandle,
  StreamHandle,
  SubtaskState,
} from './model';

/** Where an operator's state bytes live. */
export interface StateSizeBreakdown {
  /** Inline in `_metadata` (ByteStreamStateHandle, in-memory changelog). */
  inline: number;
  /** Files owned by this checkpoint: relative handles, exclusive segments, absolute files outside shared lists. */
  exclusiveFiles: number;
  /** Files later checkpoints may reuse: incremental shared files, shared segments, changelog (DSTL) files. */
  sharedFiles: number;
}

export interface OperatorSummary {
  operatorId: string;
  name: string | null;
  uid: string | null;
  parallelism: number;
  maxParallelism: number;
  finished: boolean;
  coordinatorStateSize: number;
  /**
   * Extra key, only where the coordinator state is inline and the file's bytes were at hand: the source enumerator's
   * checkpoint shown readably (`decodeCoordinatorState`).
   */
  coordinatorState?: PlainValue;
  subtaskStates: number;
  finishedSubtasks: number;
  stateSize: number;
  handleTypes: Record<string, number>;
  /** Extra key: `stateSize` split by where the bytes live (the three parts add up to `stateSize`). */
  stateSizeBreakdown: StateSizeBreakdown;
}

/** The summary JSON shared with the Flink oracle (see the contracts); extra keys are marked as such. */
export interface MetadataSummary {
  metadataVersion: number;
  checkpointId: number;
  kind: 'checkpoint' | 'savepoint' | null;
  savepointFormat: 'canonical' | 'native' | null;
  masterStates: { name: string; version: number; size: number }[];
  operators: OperatorSummary[];
  stateSize: number;
  referencedFiles: string[];
  externalPointer: string | null;
  /** Extra key: `Checkpoint`, `Full Checkpoint`, `Savepoint`, `Suspend Savepoint`, `Terminate Savepoint`. */
  checkpointType: string | null;
  /** Extra key: whether the trailing CheckpointProperties were absent (≤ V3), null, parsed or not understood. */
  properties: 'absent' | 'null' | 'parsed' | 'unparsed';
}

type Category = keyof StateSizeBreakdown;

/**
 * Walks handles the way Flink's `getStateSize()` does, splitting sizes by category. Given a file set, it also
 * collects the paths of file-backed handles (when summarizing a model; a scan hands paths over itself).
 */
class SizeWalker {
  private lastKey = '';
  private lastRelative = false;
  /** The current operator's sizes by category (plain fields: this is the hot path of a large file). */
  private inline = 0;
  private exclusiveFiles = 0;
  private sharedFiles = 0;

  constructor(private readonly files: ReferencedFiles | null) {}

  private add(category: Category, size: number): void {
    if (category === 'inline') this.inline += size;
    else if (category === 'sharedFiles') this.sharedFiles += size;
    else this.exclusiveFiles += size;
  }

  /** The sizes since the last call, by category; starts the next operator at zero. */
  takeBreakdown(): StateSizeBreakdown {
    const breakdown = { inline: this.inline, exclusiveFiles: this.exclusiveFiles, sharedFiles: this.sharedFiles };
    this.inline = 0;
    this.exclusiveFiles = 0;
    this.sharedFiles = 0;
    return breakdown;
  }

  /** Path of a file-backed stream handle, as Flink prints it. */
  private file(h: StreamHandle): void {
    if (this.files === null) return;
    if (h.tag === HandleTag.FILE_STREAM_STATE_HANDLE) this.addFile(h.path, false);
    else if (h.tag === HandleTag.RELATIVE_STREAM_STATE_HANDLE) this.addFile(h.relativePath, true);
    else if (h.tag === HandleTag.SEGMENT_FILE_HANDLE) this.addFile(h.physicalPath, false);
    else if (h.tag === HandleTag.KEY_GROUPS_HANDLE && h.delegate !== null) this.file(h.delegate);
  }

  private addFile(stored: string, relative: boolean): void {
    // Channel and segment handles repeat the same file many times in a row.
    if (stored === this.lastKey && relative === this.lastRelative) return;
    this.lastKey = stored;
    this.lastRelative = relative;
    this.files?.addText(stored, relative);
  }

  /** Where a handle's bytes live; `inShared` marks the shared-file list of an incremental handle. */
  private category(h: StreamHandle | null, inShared: boolean): Category {
    if (h === null) return 'exclusiveFiles';
    switch (h.tag) {
      case HandleTag.BYTE_STREAM_STATE_HANDLE:
        return 'inline';
      case HandleTag.FILE_STREAM_STATE_HANDLE:
        return inShared ? 'sharedFiles' : 'exclusiveFiles';
      case HandleTag.KEY_GROUPS_HANDLE:
        return this.category(h.delegate, inShared);
      case HandleTag.SEGMENT_FILE_HANDLE:
        return h.scope === 'shared' ? 'sharedFiles' : 'exclusiveFiles';
      default:
        return 'exclusiveFiles';
    }
  }

  /** Adds a stream handle; returns its Flink state size. */
  stream(h: StreamHandle | null, inShared = false): number {
    if (h === null) return 0;
    switch (h.tag) {
      case HandleTag.BYTE_STREAM_STATE_HANDLE:
        this.add('inline', h.size);
        return h.size;
      case HandleTag.KEY_GROUPS_HANDLE:
        return this.stream(h.delegate, inShared);
      case HandleTag.EMPTY_SEGMENT_FILE_HANDLE:
        return 0;
      default:
        this.file(h);
        this.add(this.category(h, inShared), h.size);
        return h.size;
    }
  }

  keyed(h: KeyedHandle | null): number {
    if (h === null) return 0;
    switch (h.tag) {
      case HandleTag.KEY_GROUPS_HANDLE:
      case HandleTag.SAVEPOINT_KEY_GROUPS_HANDLE:
      case HandleTag.KEY_GROUPS_HANDLE_V2:
        return this.stream(h.delegate);
      case HandleTag.INCREMENTAL_KEY_GROUPS_HANDLE:
      case HandleTag.INCREMENTAL_KEY_GROUPS_HANDLE_V2: {
        let size = this.stream(h.metaHandle);
        for (const e of h.sharedState) size += this.stream(e.handle, true);
        for (const e of h.privateState) size += this.stream(e.handle);
        return size;
      }
      case HandleTag.CHANGELOG_HANDLE:
      case HandleTag.CHANGELOG_HANDLE_V2: {
        let size = 0;
        for (const m of h.materialized) size += this.keyed(m);
        for (const d of h.nonMaterialized) size += this.keyed(d);
        return size;
      }
      case HandleTag.CHANGELOG_BYTE_INCREMENT_HANDLE:
        this.add('inline', h.size);
        return h.size;
      case HandleTag.CHANGELOG_FILE_INCREMENT_HANDLE:
      case HandleTag.CHANGELOG_FILE_INCREMENT_HANDLE_V2:
        for (const e of h.handles) if (e.handle !== null) this.file(e.handle);
        this.add('sharedFiles', h.size);
        return h.size;
    }
  }

  operator(h: OperatorHandle | null): number {
    return h === null ? 0 : this.stream(h.delegate);
  }

  /** Channel handles report their own share of a delegate that many channels share. */
  channel(h: AnyChannelHandle): number {
    if (h.delegate !== null) this.file(h.delegate);
    this.add(this.category(h.delegate, false), h.size);
    return h.size;
  }

  subtask(s: SubtaskState, handleTypes: Record<string, number>): number {
    let size = 0;
    for (const legacy of s.legacyOperatorState) size += this.stream(legacy);
    size += this.operator(s.managedOperatorState) + this.operator(s.rawOperatorState);
    size += this.keyed(s.managedKeyedState) + this.keyed(s.rawKeyedState);
    count(handleTypes, s.managedOperatorState);
    count(handleTypes, s.rawOperatorState);
    count(handleTypes, s.managedKeyedState);
    count(handleTypes, s.rawKeyedState);
    for (const c of s.inputChannelState) {
      size += this.channel(c);
      count(handleTypes, c);
    }
    for (const c of s.outputChannelState) {
      size += this.channel(c);
      count(handleTypes, c);
    }
    return size;
  }
}

function count(handleTypes: Record<string, number>, h: { type: string } | null): void {
  if (h !== null) handleTypes[h.type] = (handleTypes[h.type] ?? 0) + 1;
}

/** Coordinator state this large is not decoded for the summary: a source enumerator's checkpoint is far smaller. */
const MAX_COORDINATOR_STATE = 4 << 20;

/** The inline coordinator state of an operator, read from the file's bytes (whole, streamed, or kept by the model). */
function coordinatorStateOf(
  handle: StreamHandle | null,
  input: Uint8Array | ByteSource | ((h: ByteStreamHandle) => Uint8Array | undefined),
): PlainValue | undefined {
  if (handle === null || handle.tag !== HandleTag.BYTE_STREAM_STATE_HANDLE) return undefined;
  if (handle.size > MAX_COORDINATOR_STATE) {
    return { coordinator: 'not decoded', problem: `${handle.size} bytes, more than a source enumerator writes` };
  }
  let bytes: Uint8Array | undefined;
  if (input instanceof Uint8Array) bytes = input.subarray(handle.dataOffset, handle.dataOffset + handle.size);
  else if (typeof input === 'function') bytes = input(handle);
  else {
    const buffer = new Uint8Array(handle.size);
    bytes = buffer.subarray(0, readFully(input, buffer, handle.size, handle.dataOffset));
  }
  return bytes === undefined ? undefined : plainValue(decodeCoordinatorState(bytes, handle.dataOffset));
}

/** Accumulates one operator's summary from its subtask states, in file order. */
class OperatorTally {
  private readonly handleTypes: Record<string, number> = {};
  private readonly coordinatorStateSize: number;
  private stateSize: number;
  private subtaskStates = 0;
  private finishedSubtasks = 0;

  private readonly coordinatorState: PlainValue | undefined;

  constructor(
    private readonly op: OperatorHeader,
    private readonly walker: SizeWalker,
    input: Uint8Array | ByteSource | ((h: ByteStreamHandle) => Uint8Array | undefined),
  ) {
    walker.takeBreakdown();
    this.coordinatorStateSize = walker.stream(op.coordinatorState);
    this.stateSize = this.coordinatorStateSize;
    this.coordinatorState = coordinatorStateOf(op.coordinatorState, input);
  }

  subtask(s: SubtaskState | FinishedSubtask): void {
    if (s.finished) {
      this.finishedSubtasks++;
    } else {
      this.subtaskStates++;
      this.stateSize += this.walker.subtask(s, this.handleTypes);
    }
  }

  result(): OperatorSummary {
    const op = this.op;
    return {
      operatorId: op.operatorId,
      name: op.name,
      uid: op.uid,
      parallelism: op.parallelism,
      maxParallelism: op.maxParallelism,
      finished: op.fullyFinished,
      coordinatorStateSize: this.coordinatorStateSize,
      ...(this.coordinatorState === undefined ? {} : { coordinatorState: this.coordinatorState }),
      subtaskStates: this.subtaskStates,
      finishedSubtasks: this.finishedSubtasks,
      stateSize: this.stateSize,
      handleTypes: this.handleTypes,
      stateSizeBreakdown: this.walker.takeBreakdown(),
    };
  }
}

/** A summary whose referenced files are still the compact set: print them with `files.writeJson`, count them with `files.count`. */
export interface SummaryParts {
  readonly summary: MetadataSummary;
  readonly files: ReferencedFiles;
}

/** The summary with `referencedFiles` left empty (filled from `files` by the callers). */
function summaryOf(
  metadata: ScannedMetadata,
  operators: OperatorSummary[],
  files: ReferencedFiles,
  pointer: string | null,
): SummaryParts {
  const p = metadata.properties;
  const summary: MetadataSummary = {
    metadataVersion: metadata.metadataVersion,
    checkpointId: Number(metadata.checkpointId),
    kind: p.status === 'parsed' ? p.kind : null,
    savepointFormat: p.status === 'parsed' && p.kind === 'savepoint' ? p.formatType : null,
    masterStates: metadata.masterStates.map((m) => ({ name: m.name, version: m.version, size: m.size })),
    operators,
    stateSize: operators.reduce((total, op) => total + op.stateSize, 0),
    referencedFiles: [],
    externalPointer: pointer,
    checkpointType: p.status === 'parsed' ? p.typeName : null,
    properties: p.status,
  };
  return { summary, files };
}

function withFiles({ summary, files }: SummaryParts): MetadataSummary {
  return { ...summary, referencedFiles: files.sorted() };
}

/**
 * Summarizes a parsed (or hand-built) model into the JSON Flink's own reader (the oracle) produces for the same file:
 * operators in file order, Flink's state sizes, handle class names and every distinct referenced file. Relative file
 * handles are resolved against `options.pointer` (default: the pointer given to the parser); without one they stay
 * relative. For a file's bytes, {@link summarizeMetadata} gives the same result in one pass.
 */
export function summarize(metadata: CheckpointMetadata, options: { pointer?: string } = {}): MetadataSummary {
  return withFiles(summarizeModel(metadata, options.pointer ?? metadata.pointer));
}

function summarizeModel(metadata: CheckpointMetadata, pointer: string | null): SummaryParts {
  const files = new ReferencedFiles(pointer);
  const walker = new SizeWalker(files);
  const operators = metadata.operators.map((op) => {
    const tally = new OperatorTally(op, walker, () => op.coordinatorStateBytes);
    // Flink keeps subtask states in a map by index: a repeated index replaces the earlier entry.
    const subtasks = op.subtasks;
    const last = new Map<number, number>();
    subtasks.forEach((s, i) => last.set(s.subtaskIndex, i));
    subtasks.forEach((s, i) => {
      if (last.get(s.subtaskIndex) === i) tally.subtask(s);
    });
    return tally.result();
  });
  return summaryOf(metadata, operators, files, pointer);
}

/**
 * The summary of a `_metadata` file read once, front to back, without building the model: what `summarize
 * (parseMetadata(bytes))` returns, faster and in less memory. From a {@link ByteSource} the file is streamed, never held
 * whole. Throws only MetadataError, or what the source throws when it cannot read.
 */
export function summarizeMetadata(
  input: Uint8Array | ByteSource,
  options: { pointer?: string; window?: number } = {},
): MetadataSummary {
  return withFiles(scanSummary(input, options));
}

/** {@link summarizeMetadata}, with the referenced files left compact (for printing hundreds of thousands of them). */
export function scanSummary(
  input: Uint8Array | ByteSource,
  options: { pointer?: string; window?: number } = {},
): SummaryParts {
  const pointer = options.pointer ?? null;
  const whole = input instanceof Uint8Array ? input : null;
  const files = new ReferencedFiles(pointer, whole !== null ? whole.length : (input as ByteSource).size, whole);
  const walker = new SizeWalker(null);
  const operators: OperatorSummary[] = [];
  let tally: OperatorTally | null = null;
  const scanned = scanMetadata(
    input,
    {
      operator(op) {
        if (tally !== null) operators.push(tally.result());
        tally = new OperatorTally(op, walker, input);
      },
      subtask(s) {
        tally?.subtask(s);
      },
      plainPath: (bytes, start, end, relative) => files.addPlain(bytes, start, end, relative),
      path: (bytes, start, end, relative) => files.addBytes(bytes, start, end, relative),
      pathText: (text, relative) => files.addText(text, relative),
    },
    { pointer: options.pointer, window: options.window },
  );
  if (scanned === null) {
    // A repeated subtask index (see scanMetadata): the model knows which entry Flink keeps.
    return summarizeModel(
      parseMetadata(input instanceof Uint8Array ? input : readWhole(input), { pointer: options.pointer }),
      pointer,
    );
  }
  if (tally !== null) operators.push((tally as OperatorTally).result());
  return summaryOf(scanned, operators, files, pointer);
}

function readWhole(source: ByteSource): Uint8Array {
  const bytes = new Uint8Array(source.size);
  return bytes.subarray(0, readFully(source, bytes, bytes.length, 0));
}
