import { DataInput } from '../dataInput';
import { StateSchemaError } from '../errors';
import type { SerializerSnapshotNode } from '../serializerSnapshot';
import { codecFor, decodeAll, hexOf, opaque, type Codec, type StateValue } from './decode';

/** `KeyGroupRangeAssignment#computeRequiredBytesInKeyGroupPrefix`: one byte up to 128 key groups, else two. */
export function keyGroupPrefixBytes(maxParallelism: number): number {
  return maxParallelism > 128 ? 2 : 1;
}

/** `MathUtils#murmurHash`, which spreads `Object#hashCode` over the key groups. */
export function murmurHash(code: number): number {
  let h = Math.imul(code, 0xcc9e2d51);
  h = (h << 15) | (h >>> 17);
  h = Math.imul(h, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  h ^= 4;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  if (h >= 0) return h;
  return h !== -2147483648 ? -h : 0;
}

/** `KeyGroupRangeAssignment#assignToKeyGroup` for a key's Java hash code. */
export function keyGroupOfHash(hashCode: number, maxParallelism: number): number {
  return murmurHash(hashCode) % maxParallelism;
}

/**
 * The Java hash code of a key decoded by `serializer`, for the key types whose hashCode is defined by the JDK
 * (String, the boxed primitives); null for any other, whose key group cannot be computed here.
 */
export function javaHashCode(serializer: SerializerSnapshotNode, key: StateValue): number | null {
  const simple = /\.(\w+)Serializer\$\w+SerializerSnapshot$/.exec(serializer.class)?.[1];
  switch (simple) {
    case 'String': {
      if (typeof key !== 'string') return null;
      let h = 0;
      for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
      return h;
    }
    case 'Integer':
    case 'Int':
    case 'Short':
    case 'Byte':
      return typeof key === 'number' ? key | 0 : null;
    case 'Long': {
      if (typeof key !== 'number' && typeof key !== 'string') return null;
      const v = BigInt.asUintN(64, BigInt(key));
      return Number(BigInt.asIntN(32, v ^ (v >> 32n)));
    }
    case 'Boolean':
      return typeof key === 'boolean' ? (key ? 1231 : 1237) : null;
    case 'Char':
      return typeof key === 'string' && key.length === 1 ? key.charCodeAt(0) : null;
    default:
      return null;
  }
}

/** What Flink's RocksDB key layout holds, decoded. */
export interface DecodedKey {
  readonly keyGroup: number;
  readonly key: StateValue;
  readonly namespace: StateValue;
  readonly userKey?: StateValue;
}

export interface KeyLayout {
  readonly prefixBytes: number;
  readonly key: Codec;
  readonly namespace: Codec;
  /** Map state: the user key after the namespace. */
  readonly userKey: Codec | null;
  /** `CompositeKeySerializationUtils`: key and namespace both of variable length, so each is followed by its length. */
  readonly ambiguous: boolean;
}

export function keyLayout(
  maxParallelism: number,
  key: SerializerSnapshotNode,
  namespace: SerializerSnapshotNode | null,
  userKey: SerializerSnapshotNode | null,
): KeyLayout {
  const k = codecFor(key);
  const n = namespace === null ? VOID_NAMESPACE : codecFor(namespace);
  return {
    prefixBytes: keyGroupPrefixBytes(maxParallelism),
    key: k,
    namespace: n,
    userKey: userKey === null ? null : codecFor(userKey),
    ambiguous: k.length < 0 && n.length < 0,
  };
}

const VOID_NAMESPACE: Codec = { length: 0, exact: true, read: () => null };

/** The bytes of the little-endian length `CompositeKeySerializationUtils#writeVariableIntBytes` appends. */
function lengthBytes(length: number): number {
  let n = 1;
  while ((length >>>= 8) !== 0) n++;
  return n;
}

function readKeyGroup(input: DataInput, prefixBytes: number): number {
  return prefixBytes === 1 ? input.u8('the key-group prefix') : input.u16('the key-group prefix');
}

/**
 * A RocksDB key (also a canonical savepoint's key): key-group prefix, key, [key length], namespace, [namespace
 * length], [map user key]. A key of a serializer not known here is taken to run up to the fixed-length namespace.
 */
export function decodeKey(layout: KeyLayout, bytes: Uint8Array, offset: number): DecodedKey {
  const input = new DataInput(bytes, offset, true);
  const keyGroup = readKeyGroup(input, layout.prefixBytes);
  const keyStart = input.pos;
  let key: StateValue;
  if (layout.key.exact) {
    key = layout.key.read(input);
  } else if (layout.userKey === null && layout.namespace.length >= 0) {
    const end = bytes.length - layout.namespace.length;
    key = opaque('key', new DataInput(bytes.subarray(keyStart, end), offset + keyStart, true));
    input.pos = end;
  } else {
    return { keyGroup, key: opaque('key', input), namespace: null };
  }
  if (layout.ambiguous) input.skip(lengthBytes(input.pos - keyStart), 'the key length');
  const namespaceStart = input.pos;
  const namespace = layout.namespace.read(input);
  if (layout.ambiguous) input.skip(lengthBytes(input.pos - namespaceStart), 'the namespace length');
  if (layout.userKey === null) {
    if (input.remaining > 0) {
      throw new StateSchemaError('invalid', input.offset, `${input.remaining} bytes left over after the key`);
    }
    return { keyGroup, key, namespace };
  }
  const userKey = decodeAll(layout.userKey, input.bytes.subarray(input.pos), input.offset, 'user key');
  return { keyGroup, key, namespace, userKey };
}

/** RocksDB's list state value: the elements one after another, separated by one delimiter byte (`,`). */
export function decodeDelimitedList(element: Codec, bytes: Uint8Array, offset: number): StateValue {
  const input = new DataInput(bytes, offset, true);
  const out: StateValue[] = [];
  try {
    while (input.remaining > 0) {
      out.push(element.read(input));
      if (input.remaining > 0) input.skip(1, 'the list delimiter');
    }
    return out;
  } catch (error) {
    if (!(error instanceof StateSchemaError)) throw error;
    return { class: 'list', hex: hexOf(bytes), problem: error.message };
  }
}

/** RocksDB's map state value: a null flag, then the user value. */
export function decodeNullableValue(value: Codec, bytes: Uint8Array, offset: number, cls: string): StateValue {
  if (bytes.length > 0 && bytes[0] === 1) return null;
  return decodeAll(value, bytes.subarray(1), offset + 1, cls);
}
