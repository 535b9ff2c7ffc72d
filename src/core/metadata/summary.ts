import { flinkPathToString, flinkResolvePath } from './flinkPath';
import type {
  AnyChannelHandle,
  CheckpointMetadata,
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

/** Walks handles the way Flink's `getStateSize()` does, splitting sizes by category and collecting file paths. */
class SizeWalker {
  /** Stored absolute paths (tags 2, 15) and relative names (tag 6), with runs of the same file collapsed. */
  private readonly absolutePaths: string[] = [];
  private readonly relativePaths: string[] = [];
  private lastKey = '';
  private lastRelative = false;
  private readonly base: string | null;
  breakdown: StateSizeBreakdown = { inline: 0, exclusiveFiles: 0, sharedFiles: 0 };

  constructor(pointer: string | null) {
    this.base = pointer === null ? null : pointer.replace(/\/+$/, '');
  }

  private add(category: Category, size: number): void {
    this.breakdown[category] += size;
  }

  /** Path of a file-backed stream handle, as Flink prints it. */
  private file(h: StreamHandle): void {
    if (h.tag === 2) this.addFile(h.path, false);
    else if (h.tag === 6) this.addFile(h.relativePath, true);
    else if (h.tag === 15) this.addFile(h.physicalPath, false);
    else if (h.tag === 3 && h.delegate !== null) this.file(h.delegate);
  }

  private addFile(stored: string, relative: boolean): void {
    // Channel and segment handles repeat the same file many times in a row.
    if (stored === this.lastKey && relative === this.lastRelative) return;
    this.lastKey = stored;
    this.lastRelative = relative;
    (relative ? this.relativePaths : this.absolutePaths).push(stored);
  }

  /**
   * Distinct printed paths, sorted by UTF-16 code units as Java's String.compareTo (the oracle's TreeSet) does.
   * Stored strings are sorted and deduplicated before printing (cheaper than hashing every printed path); printing
   * keeps that order in practice, which one linear check confirms, else the printed list is sorted again.
   */
  sortedFiles(): string[] {
    const absolute = printSorted(uniqueSorted(this.absolutePaths.sort()), flinkPathToString);
    const base = this.base;
    const relative = printSorted(uniqueSorted(this.relativePaths.sort()), (name) => (base === null ? name : flinkResolvePath(base, name)));
    return mergeUnique(absolute, relative);
  }

  /** Where a handle's bytes live; `inShared` marks the shared-file list of an incremental handle. */
  private category(h: StreamHandle | null, inShared: boolean): Category {
    if (h === null) return 'exclusiveFiles';
    switch (h.tag) {
      case 1:
        return 'inline';
      case 2:
        return inShared ? 'sharedFiles' : 'exclusiveFiles';
      case 3:
        return this.category(h.delegate, inShared);
      case 15:
        return h.scope === 'shared' ? 'sharedFiles' : 'exclusiveFiles';
      default:
        return 'exclusiveFiles';
    }
  }

  /** Adds a stream handle; returns its Flink state size. */
  stream(h: StreamHandle | null, inShared = false): number {
    if (h === null) return 0;
    switch (h.tag) {
      case 1:
        this.add('inline', h.size);
        return h.size;
      case 3:
        return this.stream(h.delegate, inShared);
      case 16:
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
      case 3:
      case 7:
      case 12:
        return this.stream(h.delegate);
      case 5:
      case 11: {
        let size = this.stream(h.metaHandle);
        for (const e of h.sharedState) size += this.stream(e.handle, true);
        for (const e of h.privateState) size += this.stream(e.handle);
        return size;
      }
      case 8:
      case 14: {
        let size = 0;
        for (const m of h.materialized) size += this.keyed(m);
        for (const d of h.nonMaterialized) size += this.keyed(d);
        return size;
      }
      case 9:
        this.add('inline', h.size);
        return h.size;
      case 10:
      case 13:
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

/** Drops adjacent duplicates of a sorted array, in place. */
function uniqueSorted(files: string[]): string[] {
  let n = 0;
  for (let i = 0; i < files.length; i++) if (n === 0 || files[i] !== files[n - 1]) files[n++] = files[i];
  files.length = n;
  return files;
}

function printSorted(stored: string[], print: (s: string) => string): string[] {
  const printed = stored.map(print);
  for (let i = 1; i < printed.length; i++) {
    if (!(printed[i - 1] < printed[i])) return uniqueSorted(printed.sort());
  }
  return printed;
}

/** Merges two sorted, duplicate-free lists into one. */
function mergeUnique(a: string[], b: string[]): string[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i] < b[j]) ? a[i++] : b[j++];
    if (out.length === 0 || out[out.length - 1] !== next) out.push(next);
  }
  return out;
}

function count(handleTypes: Record<string, number>, h: { type: string } | null): void {
  if (h !== null) handleTypes[h.type] = (handleTypes[h.type] ?? 0) + 1;
}

/**
 * Summarizes parsed metadata into the JSON Flink's own reader (the oracle) produces for the same file: operators in
 * file order, Flink's state sizes, handle class names and every distinct referenced file. Relative file handles are
 * resolved against `options.pointer` (default: the pointer given to the parser); without one they stay relative.
 */
export function summarize(metadata: CheckpointMetadata, options: { pointer?: string } = {}): MetadataSummary {
  const pointer = options.pointer ?? metadata.pointer;
  const walker = new SizeWalker(pointer);
  let total = 0;
  const operators: OperatorSummary[] = metadata.operators.map((op) => {
    walker.breakdown = { inline: 0, exclusiveFiles: 0, sharedFiles: 0 };
    const handleTypes: Record<string, number> = {};
    const coordinatorStateSize = walker.stream(op.coordinatorState);
    let stateSize = coordinatorStateSize;
    // Flink keeps subtask states in a map by index: a repeated index replaces the earlier entry.
    const subtasks = op.subtasks;
    const last = new Map<number, number>();
    subtasks.forEach((s, i) => last.set(s.subtaskIndex, i));
    let subtaskStates = 0;
    let finishedSubtasks = 0;
    subtasks.forEach((s, i) => {
      if (last.get(s.subtaskIndex) !== i) return;
      if (s.finished) {
        finishedSubtasks++;
      } else {
        subtaskStates++;
        stateSize += walker.subtask(s, handleTypes);
      }
    });
    total += stateSize;
    return {
      operatorId: op.operatorId,
      name: op.name,
      uid: op.uid,
      parallelism: op.parallelism,
      maxParallelism: op.maxParallelism,
      finished: op.fullyFinished,
      coordinatorStateSize,
      subtaskStates,
      finishedSubtasks,
      stateSize,
      handleTypes,
      stateSizeBreakdown: walker.breakdown,
    };
  });
  const p = metadata.properties;
  return {
    metadataVersion: metadata.metadataVersion,
    checkpointId: Number(metadata.checkpointId),
    kind: p.status === 'parsed' ? p.kind : null,
    savepointFormat: p.status === 'parsed' && p.kind === 'savepoint' ? p.formatType : null,
    masterStates: metadata.masterStates.map((m) => ({ name: m.name, version: m.version, size: m.size })),
    operators,
    stateSize: total,
    referencedFiles: walker.sortedFiles(),
    externalPointer: pointer,
    checkpointType: p.status === 'parsed' ? p.typeName : null,
    properties: p.status,
  };
}
