import type { DataInput } from './dataInput';
import { StateSchemaError } from './errors';
import {
  LEGACY_KEYED_VERSIONS,
  LEGACY_OPERATOR_VERSIONS,
  readLegacyKeyedProxy,
  readLegacyOperatorProxy,
} from './legacyProxy';
import {
  readSerializerSnapshot,
  SERIALIZER_KEYS,
  type Continuation,
  type SerializerSnapshotNode,
} from './serializerSnapshot';
import { BACKEND_STATE_TYPES, MAX_OPTIONS, readMetaInfoHead, type BackendStateType } from './stateMetaInfo';

export type { BackendStateType } from './stateMetaInfo';

/** One registered state as `StateMetaInfoSnapshotReadersWriters` wrote it (meta-info version 6). */
export interface StateMetaInfo {
  readonly name: string;
  readonly backendStateType: BackendStateType;
  /** `KEYED_STATE_TYPE` (VALUE, LIST, MAP, …) or `OPERATOR_STATE_DISTRIBUTION_MODE` (SPLIT_DISTRIBUTE, UNION, BROADCAST). */
  readonly options: Readonly<Record<string, string>>;
  /** By Flink's key: `KEY_SERIALIZER`, `NAMESPACE_SERIALIZER`, `VALUE_SERIALIZER`. */
  readonly serializers: Readonly<Record<string, SerializerSnapshotNode>>;
  readonly offset: number;
}

/** The head of a keyed state stream: `KeyedBackendSerializationProxy`. */
export interface KeyedProxy {
  readonly version: number;
  readonly compressed: boolean;
  readonly keySerializer: SerializerSnapshotNode;
  readonly states: readonly StateMetaInfo[];
}

/** The head of an operator state stream: `OperatorBackendSerializationProxy`. */
export interface OperatorProxy {
  readonly version: number;
  /** Version 6 (Flink 1.16+) records whether the state after the proxy is compressed; version 5 never compresses. */
  readonly compressed: boolean;
  readonly operatorStates: readonly StateMetaInfo[];
  readonly broadcastStates: readonly StateMetaInfo[];
}

/**
 * Keyed proxy version 6 (Flink 1.7 on) and operator proxy versions 5 (1.7 .. 1.15) and 6 (1.16 on, with a
 * compression flag) write the meta infos the same way; older ones wrote the legacy formats of legacyProxy.ts.
 */
const KEYED_PROXY_VERSIONS = [6];
const OPERATOR_PROXY_VERSIONS = [5, 6];
const MAX_STATES = 32767;

export function readKeyedProxy(input: DataInput): KeyedProxy {
  const version = readProxyVersion(input, 'keyed', [...LEGACY_KEYED_VERSIONS, ...KEYED_PROXY_VERSIONS]);
  if (LEGACY_KEYED_VERSIONS.includes(version)) return readLegacyKeyedProxy(input, version);
  const compressed = input.bool('the key-group compression flag');
  const keySerializer = readSerializerSnapshot(input, nextStateOrEnd);
  const n = input.count('the number of keyed states', MAX_STATES, () => input.u16('the number of keyed states'));
  const states: StateMetaInfo[] = [];
  for (let i = 0; i < n; i++) states.push(readStateMetaInfo(input));
  return { version, compressed, keySerializer, states };
}

export function readOperatorProxy(input: DataInput): OperatorProxy {
  const version = readProxyVersion(input, 'operator', [...LEGACY_OPERATOR_VERSIONS, ...OPERATOR_PROXY_VERSIONS]);
  if (LEGACY_OPERATOR_VERSIONS.includes(version)) return readLegacyOperatorProxy(input, version);
  const compressed = version >= 6 && input.bool('the operator state compression flag');
  const operatorStates: StateMetaInfo[] = [];
  const n = input.count('the number of operator states', MAX_STATES, () => input.u16('the number of operator states'));
  for (let i = 0; i < n; i++) operatorStates.push(readStateMetaInfo(input));
  const broadcastStates: StateMetaInfo[] = [];
  const b = input.count('the number of broadcast states', MAX_STATES, () =>
    input.u16('the number of broadcast states'),
  );
  for (let i = 0; i < b; i++) broadcastStates.push(readStateMetaInfo(input));
  return { version, compressed, operatorStates, broadcastStates };
}

function readProxyVersion(input: DataInput, backend: string, supported: readonly number[]): number {
  const at = input.offset;
  const version = input.i32(`the ${backend} backend serialization proxy version`);
  if (supported.includes(version)) return version;
  throw new StateSchemaError(
    'not-a-proxy',
    at,
    `this is not a ${backend} state file: it does not start with a serialization proxy version (found ${version})`,
  );
}

function readStateMetaInfo(input: DataInput): StateMetaInfo {
  const { offset, name, backendStateType, options } = readMetaInfoHead(input);
  const serializers: Record<string, SerializerSnapshotNode> = {};
  const s = input.count(`the number of serializers of '${name}'`, MAX_OPTIONS);
  for (let i = 0; i < s; i++) {
    const key = input.utf(`a serializer key of '${name}'`);
    serializers[key] = readSerializerSnapshot(input, nextStateOrEnd);
  }
  return { name, backendStateType, options, serializers, offset };
}

/**
 * What may follow a top-level serializer snapshot: the next serializer key, the next state's meta info (a name,
 * a backend state type, an option count), or — unknowable here — the state data after the proxy.
 */
const nextStateOrEnd: Continuation = (input, index) => {
  const key = input.utfAt(index, (s) => SERIALIZER_KEYS.has(s));
  // Serializer keys are ASCII, so their byte length is their length.
  if (key !== null && input.i32At(index + 2 + key.length) === 2) return true;
  const name = input.utfAt(index, (s) => s.length > 0 && [...s].every((c) => c.charCodeAt(0) >= 0x20));
  if (name === null) return false;
  const after = index + 2 + ((input.bytes[index] << 8) | input.bytes[index + 1]);
  const type = input.i32At(after);
  const options = input.i32At(after + 4);
  return (
    type !== null &&
    type >= 0 &&
    type < BACKEND_STATE_TYPES.length &&
    options !== null &&
    options >= 0 &&
    options <= MAX_OPTIONS
  );
};
