import type { KeyedHandle, OperatorState } from '../../metadata';
import type { StateFileAccess } from '../schema';
import { ByteArray, plainValue, type StateValue } from './decode';
import { readKeyedProxy } from '../proxy';
import { locate, readHead } from '../schema';
import type { SerializerSnapshotNode } from '../serializerSnapshot';
import { keyedEntries, openKeyedStream, type EntryOptions, type EntryProblem, type StateEntry } from './keyed';
import { nativeEntries } from './native';
import { javaHashCode, keyGroupOfHash } from './keyLayout';
import { operatorEntries } from './operator';
import { kryoGenerationOf } from './kryoCodec';
import { fileProblem } from '../problems';
import { mapLimit } from '../../concurrency';

/** Subtasks whose state file heads are read at once; the store's own pool bounds the requests in flight further. */
const HEAD_CONCURRENCY = 16;

/** Where a page ended: the entries are ordered by key group (keyed state), then by subtask (operator state). */
export type ResumePoint =
  { readonly keyGroup: number; readonly skip: number } | { readonly subtask: number; readonly skip: number };

export interface EntryQuery {
  readonly states?: ReadonlySet<string>;
  /** The exact key: a string as given, or any JSON value. */
  readonly key?: string;
  /** A prefix of the key (of its JSON text for keys that are not strings). */
  readonly keyPrefix?: string;
  readonly keyGroup?: number;
  readonly after?: ResumePoint;
}

function keyText(key: StateValue): string {
  return typeof key === 'string' ? key : key instanceof ByteArray ? key.toJSON() : JSON.stringify(key);
}

/** `12:3` after the 3rd entry of key group 12, `s2:5` after the 5th operator state entry of subtask 2. */
export function parseResumePoint(token: string): ResumePoint | null {
  const m = /^(s?)(\d+):(\d+)$/.exec(token);
  if (m === null) return null;
  return m[1] === 's' ? { subtask: Number(m[2]), skip: Number(m[3]) } : { keyGroup: Number(m[2]), skip: Number(m[3]) };
}

export function formatResumePoint(point: ResumePoint): string {
  return 'keyGroup' in point ? `${point.keyGroup}:${point.skip}` : `s${point.subtask}:${point.skip}`;
}

/** The keyed handles that hold whole key groups (changelog: the materialized part). */
function keyGroupHandles(handle: KeyedHandle | null, problems: (message: string) => void): KeyedHandle[] {
  if (handle === null) return [];
  switch (handle.type) {
    case 'KeyGroupsStateHandle':
    case 'KeyGroupsSavepointStateHandle':
      return [handle];
    case 'ChangelogStateBackendHandleImpl':
      if (handle.nonMaterialized.some((h) => h !== null)) {
        problems('changes logged after the last materialization (changelog state backend) are not applied');
      }
      return handle.materialized.flatMap((h) => keyGroupHandles(h, problems));
    case 'IncrementalRemoteKeyedStateHandle':
      return [handle];
    default:
      problems(`${handle.type} holds changelog entries only, which are not read yet`);
      return [];
  }
}

/** An entry and where a page that ends with it ends. */
export interface PositionedEntry {
  readonly entry: StateEntry;
  readonly position: ResumePoint;
}

/**
 * Every entry of one operator's state, keyed state first (key group by key group, whatever the subtask), then
 * operator state subtask by subtask; filtered and resumed by `query`. Problems are reported, never fatal.
 */
export async function* stateEntries(
  op: OperatorState,
  pointer: string | null,
  access: StateFileAccess,
  query: EntryQuery,
  onProblem: (problem: EntryProblem) => void,
): AsyncGenerator<PositionedEntry> {
  for await (const batch of stateEntryBatches(op, pointer, access, query, onProblem)) yield* batch;
}

/**
 * {@link stateEntries} in batches, as the reader has them in hand (a batch is handed out before the next read, so a
 * first page waits for no read it does not need): a full scan that steps through an async iteration once per batch
 * instead of once per entry.
 */
export async function* stateEntryBatches(
  op: OperatorState,
  pointer: string | null,
  access: StateFileAccess,
  query: EntryQuery,
  onProblem: (problem: EntryProblem) => void,
): AsyncGenerator<PositionedEntry[]> {
  const kryoGeneration = kryoGenerationOf(op.metadataVersion);
  /** Per keyed handle, by the first key group it holds: how to read its entries. */
  const sources: {
    first: number;
    keySerializer: SerializerSnapshotNode;
    entries: (o: EntryOptions) => AsyncGenerator<StateEntry[]>;
  }[] = [];
  const subtasks = op.subtasks.filter((s) => !s.finished);
  // The subtasks' state file heads are read side by side: on a remote store a job of high parallelism costs a few
  // round trips before its first entry, not one or two per subtask. Sources and problems keep the subtasks' order.
  const heads = await mapLimit(subtasks, HEAD_CONCURRENCY, async (subtask) => {
    const found: typeof sources = [];
    const problems: EntryProblem[] = [];
    const problem = (offset: number | null, message: string, file?: string) =>
      problems.push({ file: file ?? `subtask ${subtask.subtaskIndex}`, offset, message });
    for (const handle of keyGroupHandles(subtask.managedKeyedState, (message) => problem(null, message))) {
      // The file a failure is in, named as Flink wrote it.
      const file =
        handle.type === 'IncrementalRemoteKeyedStateHandle'
          ? locate(handle.metaHandle, pointer)?.label
          : handle.type === 'KeyGroupsStateHandle' || handle.type === 'KeyGroupsSavepointStateHandle'
            ? locate(handle.delegate, pointer)?.label
            : undefined;
      try {
        if (handle.type === 'IncrementalRemoteKeyedStateHandle') {
          const at = locate(handle.metaHandle, pointer);
          if (at === null) continue;
          const proxy = await readHead(access, at, readKeyedProxy);
          found.push({
            first: handle.keyGroups.start,
            keySerializer: proxy.keySerializer,
            entries: (o) => nativeEntries(access, handle, pointer, op.maxParallelism, o),
          });
        } else if (handle.type === 'KeyGroupsStateHandle' || handle.type === 'KeyGroupsSavepointStateHandle') {
          const stream = await openKeyedStream(access, handle, pointer, op.maxParallelism, kryoGeneration);
          if (stream === null) continue;
          found.push({
            first: stream.firstKeyGroup,
            keySerializer: stream.proxy.keySerializer,
            entries: (o) => keyedEntries(access, stream, o),
          });
        }
      } catch (error) {
        const failure = fileProblem(error);
        if (failure === undefined) throw error;
        problem(failure.offset, failure.message, file && `${file} (subtask ${subtask.subtaskIndex})`);
      }
    }
    return { found, problems };
  });
  for (const { found, problems } of heads) {
    sources.push(...found);
    for (const p of problems) onProblem(p);
  }
  sources.sort((a, b) => a.first - b.first);
  let onlyGroup = query.keyGroup;
  if (query.key !== undefined && sources.length > 0) {
    const hash = javaHashCode(sources[0].keySerializer, query.key);
    if (hash !== null) {
      const group = keyGroupOfHash(hash, op.maxParallelism);
      // A key group given too that is not the key's holds nothing for it.
      onlyGroup = onlyGroup === undefined || onlyGroup === group ? group : -1;
    }
  }
  const after = query.after;
  const keyGroups = (kg: number) =>
    (onlyGroup === undefined || kg === onlyGroup) &&
    (after === undefined || ('keyGroup' in after && kg >= after.keyGroup));
  const matches = (entry: StateEntry) =>
    (query.key === undefined || keyText(entry.key) === query.key || JSON.stringify(entry.key) === query.key) &&
    (query.keyPrefix === undefined || keyText(entry.key).startsWith(query.keyPrefix));
  const options = { states: query.states, keyGroups, onProblem, kryoGeneration };
  for (const source of sources) {
    let group = -1;
    let index = 0;
    for await (const entries of source.entries(options)) {
      const out: PositionedEntry[] = [];
      for (const entry of entries) {
        if (entry.keyGroup !== group) {
          group = entry.keyGroup ?? -1;
          index = 0;
        }
        index++;
        if (after !== undefined && 'keyGroup' in after && group === after.keyGroup && index <= after.skip) continue;
        if (matches(entry)) out.push({ entry, position: { keyGroup: group, skip: index } });
      }
      if (out.length > 0) yield out;
    }
  }
  for (const subtask of subtasks) {
    if (subtask.managedOperatorState === null) continue;
    if (after !== undefined && 'subtask' in after && subtask.subtaskIndex < after.subtask) continue;
    // A key group holds keyed state only; broadcast state has keys too and is matched like keyed state.
    if (onlyGroup !== undefined && query.key === undefined) continue;
    let index = 0;
    try {
      for await (const entry of operatorEntries(access, subtask.managedOperatorState, subtask.subtaskIndex, pointer, {
        states: query.states,
        onProblem,
        kryoGeneration,
      })) {
        index++;
        if (
          after !== undefined &&
          'subtask' in after &&
          subtask.subtaskIndex === after.subtask &&
          index <= after.skip
        ) {
          continue;
        }
        if (matches(entry)) yield [{ entry, position: { subtask: subtask.subtaskIndex, skip: index } }];
      }
    } catch (error) {
      const failure = fileProblem(error);
      if (failure === undefined) throw error;
      onProblem({ file: `subtask ${subtask.subtaskIndex}`, ...failure });
    }
  }
}

/**
 * An entry as one `state --json` line holds it, fields in this order: `state`, `keyGroup`, `key`, `namespace`,
 * `userKey` (map state), `value`, `subtask` (operator state). Copy as JSON in the entry browser gives the same.
 */
export function entryRecord(entry: StateEntry): Record<string, StateValue> {
  const record: Record<string, StateValue> = {
    state: entry.state,
    keyGroup: entry.keyGroup,
    key: entry.key,
    namespace: entry.namespace,
  };
  if (entry.userKey !== undefined) record.userKey = entry.userKey;
  record.value = entry.value;
  if (entry.subtask !== undefined) record.subtask = entry.subtask;
  return record;
}

/** An entry with its byte arrays made hex: what keeps entries keeps no view into the buffers they were read from. */
export function plainEntry(entry: StateEntry): StateEntry {
  const key = plainValue(entry.key);
  const namespace = plainValue(entry.namespace);
  const value = plainValue(entry.value);
  const userKey = entry.userKey === undefined ? undefined : plainValue(entry.userKey);
  if (key === entry.key && namespace === entry.namespace && value === entry.value && userKey === entry.userKey) {
    return entry;
  }
  const plain: StateEntry = { ...entry, key, namespace, value };
  return userKey === undefined ? plain : { ...plain, userKey };
}
