import type { CheckpointMetadata, KeyedHandle, OperatorState, StreamHandle } from '../metadata';
import { flinkResolvePath } from '../metadata';
import { errorMessage } from '../errors';
import { DataInput } from './dataInput';
import { StateSchemaError } from './errors';
import { readKeyedProxy, readOperatorProxy, type StateMetaInfo } from './proxy';
import type { SerializerSnapshotNode } from './serializerSnapshot';

/**
 * Ranged reads of the files a snapshot references. `read` returns up to `length` bytes from `offset` of the file Flink
 * names `path` (fewer only at its end); `readMetadata` the same of the `_metadata` file (inline state).
 */
export interface StateFileAccess {
  read(path: string, offset: number, length: number): Promise<Uint8Array>;
  readMetadata(offset: number, length: number): Promise<Uint8Array>;
}

export type StateKind =
  | 'value'
  | 'list'
  | 'map'
  | 'reducing'
  | 'aggregating'
  | 'folding'
  | 'priority-queue'
  | 'union'
  | 'broadcast'
  | 'unknown';
export type StateBackendKind = 'keyed' | 'operator' | 'broadcast';

/** One state of one operator, as the `schema --json` contract prints it. */
export interface StateSchema {
  readonly name: string;
  readonly kind: StateKind;
  readonly backend: StateBackendKind;
  readonly keySerializer: SerializerSnapshotNode | null;
  readonly namespaceSerializer: SerializerSnapshotNode | null;
  readonly valueSerializer: SerializerSnapshotNode | null;
  /**
   * Whether the values (list elements, map values) are wrapped by Flink's TTL serializer; the TTL configuration
   * itself (time to live, update type, visibility) is not in the snapshot.
   */
  readonly ttl: { readonly enabled: true } | null;
}

/** A state file that could not be read; the rest of the operator's schema is still reported. */
export interface SchemaProblem {
  readonly file: string;
  readonly offset: number | null;
  readonly message: string;
}

export interface OperatorSchema {
  readonly operatorId: string;
  readonly uid: string | null;
  readonly name: string | null;
  readonly states: readonly StateSchema[];
  readonly problems: readonly SchemaProblem[];
}

/** Head sizes tried in turn: most proxies fit the first; the last bounds what one state file may cost. */
const HEAD_READS = [4096, 65536, 1 << 20];

export interface Location {
  readonly label: string;
  readonly path: string | null;
  readonly start: number;
  /** −1 when the writer did not record it. */
  readonly size: number;
}

/** Where a stream handle's bytes are; null for handles with no bytes of their own. */
export function locate(handle: StreamHandle | null, pointer: string | null): Location | null {
  if (handle === null) return null;
  switch (handle.type) {
    case 'ByteStreamStateHandle':
      return {
        label: `inline state in _metadata (${handle.handleName})`,
        path: null,
        start: handle.dataOffset,
        size: handle.size,
      };
    case 'FileStateHandle':
      return { label: handle.path, path: handle.path, start: 0, size: handle.size };
    case 'RelativeFileStateHandle': {
      const path = pointer === null ? handle.relativePath : flinkResolvePath(pointer, handle.relativePath);
      return { label: path, path, start: 0, size: handle.size };
    }
    case 'SegmentFileStateHandle':
      return {
        label: `${handle.physicalPath} at ${handle.startPos}`,
        path: handle.physicalPath,
        start: handle.startPos,
        size: handle.size,
      };
    case 'KeyGroupsStateHandle':
      return locate(handle.delegate, pointer);
    case 'EmptySegmentFileStateHandle':
      return null;
  }
}

/** The handles whose stream starts with a keyed backend serialization proxy. */
function keyedProxyStreams(handle: KeyedHandle | null): (StreamHandle | null)[] {
  if (handle === null) return [];
  switch (handle.type) {
    case 'KeyGroupsStateHandle':
    case 'KeyGroupsSavepointStateHandle':
      return [handle.delegate];
    case 'IncrementalRemoteKeyedStateHandle':
      // RocksDB/ForSt native snapshots keep the proxy in the meta state handle.
      return [handle.metaHandle];
    case 'ChangelogStateBackendHandleImpl':
      return handle.materialized.flatMap(keyedProxyStreams);
    default:
      return [];
  }
}

export async function readHead<T>(access: StateFileAccess, at: Location, parse: (input: DataInput) => T): Promise<T> {
  for (const want of HEAD_READS) {
    const length = at.size >= 0 ? Math.min(want, at.size) : want;
    const bytes =
      at.path === null ? await access.readMetadata(at.start, length) : await access.read(at.path, at.start, length);
    const complete = bytes.length < length || (at.size >= 0 && length === at.size);
    try {
      return parse(new DataInput(bytes, at.start, complete));
    } catch (error) {
      if (
        !(error instanceof StateSchemaError) ||
        error.code !== 'truncated' ||
        complete ||
        want === HEAD_READS[HEAD_READS.length - 1]
      ) {
        throw error;
      }
    }
  }
  throw new StateSchemaError('truncated', at.start, 'the serialization proxy is larger than the bound of one read');
}

const KEYED_KINDS: Record<string, StateKind> = {
  VALUE: 'value',
  LIST: 'list',
  MAP: 'map',
  REDUCING: 'reducing',
  AGGREGATING: 'aggregating',
  FOLDING: 'folding',
};

const TTL_SNAPSHOT = /\$TtlSerializerSnapshot$/;
const COLLECTION_SNAPSHOT = /\.(List|Map)SerializerSnapshot$/;

/**
 * Whether Flink's `TtlStateFactory` wrapped the state's values: the value serializer itself (value, reducing,
 * aggregating state), or the element of list state, or the value of map state. The TTL configuration itself is not
 * part of the snapshot.
 */
function isTtl(value: SerializerSnapshotNode | null): boolean {
  if (value === null) return false;
  if (TTL_SNAPSHOT.test(value.class)) return true;
  const last = value.nested?.[value.nested.length - 1];
  return COLLECTION_SNAPSHOT.test(value.class) && last !== undefined && TTL_SNAPSHOT.test(last.class);
}

function toSchema(info: StateMetaInfo, keySerializer: SerializerSnapshotNode | null): StateSchema {
  const value = info.serializers.VALUE_SERIALIZER ?? null;
  const ttl = isTtl(value) ? ({ enabled: true } as const) : null;
  switch (info.backendStateType) {
    case 'KEY_VALUE':
      return {
        name: info.name,
        kind: KEYED_KINDS[info.options.KEYED_STATE_TYPE ?? ''] ?? 'unknown',
        backend: 'keyed',
        keySerializer,
        namespaceSerializer: info.serializers.NAMESPACE_SERIALIZER ?? null,
        valueSerializer: value,
        ttl,
      };
    case 'PRIORITY_QUEUE':
      return {
        name: info.name,
        kind: 'priority-queue',
        backend: 'keyed',
        keySerializer,
        namespaceSerializer: null,
        valueSerializer: value,
        ttl,
      };
    case 'OPERATOR': {
      const mode = info.options.OPERATOR_STATE_DISTRIBUTION_MODE;
      return {
        name: info.name,
        kind: mode === 'UNION' ? 'union' : mode === 'SPLIT_DISTRIBUTE' ? 'list' : 'unknown',
        backend: 'operator',
        keySerializer: null,
        namespaceSerializer: null,
        valueSerializer: value,
        ttl,
      };
    }
    case 'BROADCAST':
      return {
        name: info.name,
        kind: 'broadcast',
        backend: 'broadcast',
        keySerializer: info.serializers.KEY_SERIALIZER ?? null,
        namespaceSerializer: null,
        valueSerializer: value,
        ttl,
      };
  }
}

/**
 * The state schemas of every operator of a snapshot, read from the head of each subtask's managed state files
 * (a few kilobytes each). States are merged by backend and name over the subtasks: a state registered lazily may
 * exist in some subtasks only. A file that cannot be read becomes a problem of its operator, never a failure of all.
 */
export async function readSchemas(
  metadata: CheckpointMetadata,
  access: StateFileAccess,
  filter?: (op: OperatorState) => boolean,
): Promise<OperatorSchema[]> {
  const result: OperatorSchema[] = [];
  for (const op of metadata.operators) {
    if (filter && !filter(op)) continue;
    result.push(await readOperatorSchema(op, metadata.pointer, access));
  }
  return result;
}

async function readOperatorSchema(
  op: OperatorState,
  pointer: string | null,
  access: StateFileAccess,
): Promise<OperatorSchema> {
  const states = new Map<string, StateSchema>();
  const problems: SchemaProblem[] = [];
  const add = (schema: StateSchema) => {
    const key = `${schema.backend}/${schema.name}`;
    if (!states.has(key)) states.set(key, schema);
  };
  const attempt = async (at: Location, read: () => Promise<void>) => {
    try {
      await read();
    } catch (error) {
      problems.push({
        file: at.label,
        offset: error instanceof StateSchemaError ? error.offset : null,
        message: errorMessage(error),
      });
    }
  };
  for (const subtask of op.subtasks) {
    if (subtask.finished) continue;
    const operatorAt = locate(subtask.managedOperatorState?.delegate ?? null, pointer);
    if (operatorAt !== null) {
      await attempt(operatorAt, async () => {
        const proxy = await readHead(access, operatorAt, readOperatorProxy);
        for (const info of [...proxy.operatorStates, ...proxy.broadcastStates]) add(toSchema(info, null));
      });
    }
    for (const stream of keyedProxyStreams(subtask.managedKeyedState)) {
      const keyedAt = locate(stream, pointer);
      if (keyedAt === null) continue;
      await attempt(keyedAt, async () => {
        const proxy = await readHead(access, keyedAt, readKeyedProxy);
        for (const info of proxy.states) add(toSchema(info, proxy.keySerializer));
      });
    }
  }
  return { operatorId: op.operatorId, uid: op.uid, name: op.name, states: [...states.values()], problems };
}
