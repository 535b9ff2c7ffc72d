import type { KeyGroupsHandle, NestedKeyGroupsHandle } from '../../metadata';
import { DataInput } from '../dataInput';
import { StateSchemaError } from '../errors';
import { readKeyedProxy, type KeyedProxy, type StateMetaInfo } from '../proxy';
import { locate, readHead, type Location, type StateFileAccess } from '../schema';
import type { KryoGeneration, SerializerSnapshotNode } from '../serializerSnapshot';
import { codecFor, decodeAll, hexOf, type Codec, type StateValue } from './decode';
import { KryoStop } from './kryo';
import { kryoStopAtStart, withKryoGeneration } from './kryoCodec';
import {
  decodeDelimitedList,
  decodeKey,
  javaHashCode,
  keyGroupOfHash,
  decodeNullableValue,
  keyLayout,
  type DecodedKey,
  type KeyLayout,
} from './keyLayout';
import { Region } from './region';
import { decodeSnappyFramed } from './snappyFramed';
import { fileProblem } from '../problems';
import { copyOf } from '../byteCopies';

/** One entry of a state, as the `state --json` contract prints it (one JSON line each). */
export interface StateEntry {
  readonly state: string;
  /** Keyed state: the key group the entry lies in; null for operator state. */
  readonly keyGroup: number | null;
  /** Keyed state: the key. Broadcast state: the broadcast key. List and union state: the element's index. */
  readonly key: StateValue;
  readonly namespace: StateValue;
  /** Map state: the map's key. */
  readonly userKey?: StateValue;
  readonly value: StateValue;
  /** Operator state: the subtask whose handle holds it. */
  readonly subtask?: number;
}

/** A part of the state that could not be read; the rest is still read. */
export interface EntryProblem {
  readonly file: string;
  readonly offset: number | null;
  readonly message: string;
}

export interface EntryOptions {
  /** State names to read; all when absent. */
  readonly states?: ReadonlySet<string>;
  /** Key groups to read; all when absent. */
  readonly keyGroups?: (keyGroup: number) => boolean;
  readonly onProblem: (problem: EntryProblem) => void;
  /** Which Kryo wrote Kryo-serialized values (`kryoGenerationOf` the snapshot); Kryo 2.24 when absent. */
  readonly kryoGeneration?: KryoGeneration;
}

/** `FullSnapshotUtil.END_OF_KEY_GROUP_MARK`, and the flag in a key's first byte that says a marker follows it. */
const END_OF_KEY_GROUP = 0xffff;
const META_DATA_FOLLOWS = 0x80;

type StateShape = 'value' | 'list' | 'map' | 'priority-queue' | 'unknown';

/** How one registered state's entries decode. */
export interface StateDecoding {
  readonly name: string;
  readonly shape: StateShape;
  readonly serializerClass: string;
  /** The whole value serializer (the heap format writes values with it). */
  readonly value: Codec;
  readonly key: Codec;
  readonly namespace: Codec;
  /** The RocksDB layout of the canonical format's keys. */
  readonly layout: KeyLayout;
  /** List element, or map value. */
  readonly inner: Codec | null;
}

function shapeOf(info: StateMetaInfo): StateShape {
  if (info.backendStateType === 'PRIORITY_QUEUE') return 'priority-queue';
  switch (info.options.KEYED_STATE_TYPE) {
    case 'LIST':
      return 'list';
    case 'MAP':
      return 'map';
    case 'VALUE':
    case 'REDUCING':
    case 'AGGREGATING':
    case 'FOLDING':
      return 'value';
    default:
      return 'unknown';
  }
}

const OPAQUE: SerializerSnapshotNode = { class: 'unknown', version: 0, offset: -1 };

export function decodingOf(
  info: StateMetaInfo,
  keySerializer: SerializerSnapshotNode,
  maxParallelism: number,
  kryo: KryoGeneration = 2,
): StateDecoding {
  const shape = shapeOf(info);
  const valueNode = withKryoGeneration(info.serializers.VALUE_SERIALIZER ?? OPAQUE, kryo);
  const namespace = info.serializers.NAMESPACE_SERIALIZER;
  const namespaceNode = namespace === undefined ? null : withKryoGeneration(namespace, kryo);
  keySerializer = withKryoGeneration(keySerializer, kryo);
  const nested = valueNode.nested ?? [];
  const userKey = shape === 'map' ? (nested[0] ?? OPAQUE) : null;
  const inner = shape === 'map' ? (nested[1] ?? null) : shape === 'list' ? (nested[0] ?? null) : null;
  const layout =
    shape === 'priority-queue'
      ? keyLayout(maxParallelism, valueNode, null, null)
      : keyLayout(maxParallelism, keySerializer, namespaceNode, userKey);
  return {
    name: info.name,
    shape,
    serializerClass: valueNode.class,
    value: codecFor(valueNode),
    key: codecFor(keySerializer),
    namespace: namespaceNode === null ? layout.namespace : codecFor(namespaceNode),
    layout,
    inner: inner === null ? null : codecFor(inner),
  };
}

/** A timer (`TimerHeapInternalTimer`) shows as an entry of its key and namespace, with the timestamp as its value. */
function priorityQueueEntry(name: string, keyGroup: number, element: StateValue): StateEntry {
  if (element !== null && typeof element === 'object' && !Array.isArray(element) && 'timestamp' in element) {
    return {
      state: name,
      keyGroup,
      key: element.key,
      namespace: element.namespace,
      value: { timestamp: element.timestamp },
    };
  }
  return { state: name, keyGroup, key: null, namespace: null, value: element };
}

/** One record of the canonical format (and of RocksDB): the raw key and value, decoded by the state's layout. */
export function canonicalEntry(
  d: StateDecoding,
  key: Uint8Array,
  keyAt: number,
  value: Uint8Array,
  valueAt: number,
): StateEntry {
  if (d.shape === 'priority-queue') {
    const input = new DataInput(key, keyAt, true);
    const keyGroup = d.layout.prefixBytes === 1 ? input.u8('the key-group prefix') : input.u16('the key-group prefix');
    const element = decodeAll(
      d.value,
      key.subarray(d.layout.prefixBytes),
      keyAt + d.layout.prefixBytes,
      d.serializerClass,
    );
    return priorityQueueEntry(d.name, keyGroup, element);
  }
  let decoded: DecodedKey;
  try {
    decoded = decodeKey(d.layout, key, keyAt);
  } catch (error) {
    if (!(error instanceof StateSchemaError)) throw error;
    decoded = {
      keyGroup: d.layout.prefixBytes === 1 ? key[0] : (key[0] << 8) | key[1],
      key: { class: 'key', hex: Buffer.from(key).toString('hex'), problem: error.message },
      namespace: null,
    };
  }
  let v: StateValue;
  if (d.shape === 'list' && d.inner !== null) v = decodeDelimitedList(d.inner, value, valueAt);
  else if (d.shape === 'map' && d.inner !== null) v = decodeNullableValue(d.inner, value, valueAt, d.serializerClass);
  else v = decodeAll(d.value, value, valueAt, d.serializerClass);
  const entry: StateEntry = {
    state: d.name,
    keyGroup: decoded.keyGroup,
    key: decoded.key,
    namespace: decoded.namespace,
    value: v,
  };
  return decoded.userKey === undefined ? entry : { ...entry, userKey: decoded.userKey };
}

/** What a keyed state stream holds, read once per handle: its proxy and where each key group starts. */
export interface KeyedStream {
  readonly at: Location;
  readonly proxy: KeyedProxy;
  readonly decodings: readonly StateDecoding[];
  /** Per key group of the range, its offset in the stream (0: nothing written, in the canonical format). */
  readonly offsets: readonly number[];
  readonly firstKeyGroup: number;
  readonly format: 'canonical' | 'heap';
  readonly maxParallelism: number;
}

async function readOffsets(
  access: StateFileAccess,
  handle: KeyGroupsHandle | NestedKeyGroupsHandle,
): Promise<number[]> {
  const n = handle.keyGroups.count;
  const bytes = await access.readMetadata(handle.offsetsAt, n * 8);
  if (bytes.length < n * 8) {
    throw new StateSchemaError('truncated', handle.offsetsAt, '_metadata ends inside the key-group offsets');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const offsets: number[] = [];
  for (let i = 0; i < n; i++) offsets.push(Number(view.getBigInt64(i * 8)));
  return offsets;
}

/**
 * The heap backend's checkpoints write every key group (starting with its id); the canonical format (savepoints,
 * RocksDB full snapshots) writes only non-empty ones, leaving the others' offsets at 0.
 */
async function detectFormat(
  access: StateFileAccess,
  handle: KeyGroupsHandle | NestedKeyGroupsHandle,
  at: Location,
  offsets: readonly number[],
  compressed: boolean,
): Promise<'canonical' | 'heap'> {
  if ('stateHandleId' in handle && handle.type === 'KeyGroupsSavepointStateHandle') return 'canonical';
  if (offsets.some((o) => o <= 0)) return 'canonical';
  // The heap format's key-group id is written outside the compressed stream; the canonical one's first bytes are
  // a state id and a key length, which never equal a key group other than 0.
  for (let i = 0; i < offsets.length; i++) {
    const keyGroup = handle.keyGroups.start + i;
    if (keyGroup === 0) continue;
    const bytes = await fetchOf(access, at)(at.start + offsets[i], 4);
    if (bytes.length < 4) return 'canonical';
    const id = new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0);
    return id === keyGroup ? 'heap' : 'canonical';
  }
  return compressed ? 'canonical' : 'heap';
}

function fetchOf(access: StateFileAccess, at: Location): (offset: number, length: number) => Promise<Uint8Array> {
  const path = at.path;
  return path === null ? (o, l) => access.readMetadata(o, l) : (o, l) => access.read(path, o, l);
}

export async function openKeyedStream(
  access: StateFileAccess,
  handle: KeyGroupsHandle | NestedKeyGroupsHandle,
  pointer: string | null,
  maxParallelism: number,
  kryo: KryoGeneration = 2,
): Promise<KeyedStream | null> {
  const at = locate(handle.delegate, pointer);
  if (at === null) return null;
  const proxy = await readHead(access, at, readKeyedProxy);
  const offsets = await readOffsets(access, handle);
  const decodings = proxy.states.map((info) => decodingOf(info, proxy.keySerializer, maxParallelism, kryo));
  const format = await detectFormat(access, handle, at, offsets, proxy.compressed);
  return { at, proxy, decodings, offsets, firstKeyGroup: handle.keyGroups.start, format, maxParallelism };
}

/**
 * The entries of one keyed state stream, key group by key group, each key group read from its offset to the next
 * one's (compressed key groups are decompressed whole; uncompressed ones through a bounded window). Entries come in
 * batches: those of the bytes in hand.
 */
export async function* keyedEntries(
  access: StateFileAccess,
  stream: KeyedStream,
  options: EntryOptions,
): AsyncGenerator<StateEntry[]> {
  const { at, offsets } = stream;
  const streamEnd = at.size >= 0 ? at.start + at.size : Number.POSITIVE_INFINITY;
  const sorted = [...new Set(offsets.filter((o) => o > 0))].sort((a, b) => a - b);
  const fetch = fetchOf(access, at);
  for (let i = 0; i < offsets.length; i++) {
    const keyGroup = stream.firstKeyGroup + i;
    if (offsets[i] <= 0 || (options.keyGroups && !options.keyGroups(keyGroup))) continue;
    const next = sorted.find((o) => o > offsets[i]);
    const start = at.start + offsets[i];
    const end = next === undefined ? streamEnd : at.start + next;
    try {
      let region: Region;
      if (stream.proxy.compressed) {
        const headerBytes = stream.format === 'heap' ? 4 : 0;
        const bytes = await fetchAll(fetch, start, end);
        const plain = decodeSnappyFramed(bytes.subarray(headerBytes), start + headerBytes);
        const joined = new Uint8Array(headerBytes + plain.length);
        joined.set(bytes.subarray(0, headerBytes));
        joined.set(plain, headerBytes);
        region = new Region(
          (o, l) => Promise.resolve(joined.subarray(o - start, o - start + l)),
          start,
          start + joined.length,
        );
      } else {
        region = new Region(fetch, start, end);
      }
      if (stream.format === 'heap') {
        for await (const entry of heapKeyGroup(region, stream, keyGroup, options)) yield [entry];
      } else {
        yield* canonicalKeyGroup(region, stream, keyGroup, options);
      }
    } catch (error) {
      const failure = fileProblem(error);
      if (failure === undefined) throw error;
      options.onProblem({
        file: at.label,
        offset: failure.offset,
        message: `key group ${keyGroup}: ${failure.message}`,
      });
    }
  }
}

async function fetchAll(
  fetch: (offset: number, length: number) => Promise<Uint8Array>,
  start: number,
  end: number,
): Promise<Uint8Array> {
  if (Number.isFinite(end)) {
    const bytes = await fetch(start, end - start);
    if (bytes.length < end - start) {
      throw new StateSchemaError('truncated', start + bytes.length, 'the state file ends inside a key group');
    }
    return bytes;
  }
  const parts: Uint8Array[] = [];
  let at = start;
  for (;;) {
    const chunk = await fetch(at, 1 << 20);
    parts.push(chunk);
    at += chunk.length;
    if (chunk.length < 1 << 20) break;
  }
  return Buffer.concat(parts);
}

function decodingAt(stream: KeyedStream, id: number, offset: number): StateDecoding {
  const d = stream.decodings[id];
  if (d === undefined) {
    throw new StateSchemaError(
      'invalid',
      offset,
      `state id ${id} is not one of the ${stream.decodings.length} states of the stream`,
    );
  }
  return d;
}

/** Records of the canonical format parsed at most per batch. */
const BATCH = 256;

/**
 * `FullSnapshotAsyncWriter`: per key group a state id, then length-prefixed key/value records, state ids between.
 * The records the window in hand holds are parsed in one go (one step of an async iteration per entry cost a tenth
 * of a full scan).
 */
async function* canonicalKeyGroup(
  region: Region,
  stream: KeyedStream,
  keyGroup: number,
  options: EntryOptions,
): AsyncGenerator<StateEntry[]> {
  let id = await region.parse((i) => i.u16('the state id'));
  let ended = false;
  while (!ended) {
    const batch = await region.parse((i) => {
      const out: StateEntry[] = [];
      // The state id and end move only with whole records: a parse run again from its start sees them as before.
      for (let records = 0; records < BATCH; records++) {
        const start = i.pos;
        let entry: StateEntry | null = null;
        let marker: number | null;
        try {
          const d = decodingAt(stream, id, i.offset);
          const keyLength = i.count('the key length', i.remaining + (i.complete ? 0 : 1 << 30));
          const keyAt = i.offset;
          i.need(keyLength, 'a key');
          // A copy: its first byte is changed below.
          const key = copyOf(i.bytes.subarray(i.pos, i.pos + keyLength));
          i.pos += keyLength;
          const valueLength = i.count('the value length', i.remaining + (i.complete ? 0 : 1 << 30));
          const valueAt = i.offset;
          i.need(valueLength, 'a value');
          const value = i.bytes.subarray(i.pos, i.pos + valueLength);
          i.pos += valueLength;
          const last = keyLength > 0 && (key[0] & META_DATA_FOLLOWS) !== 0;
          if (last) key[0] &= ~META_DATA_FOLLOWS;
          marker = last ? i.u16('the state id or end-of-key-group mark') : null;
          if (!options.states || options.states.has(d.name)) {
            entry = canonicalEntry(d, key, keyAt, value, valueAt);
            if (entry.keyGroup !== keyGroup) {
              throw new StateSchemaError(
                'invalid',
                i.offset,
                `an entry of key group ${entry.keyGroup} inside key group ${keyGroup}`,
              );
            }
          }
        } catch (error) {
          // The records before are handed out first; the next parse reads this one again (with a larger window when
          // the window ends inside it) and fails on it then.
          if (records === 0 || !(error instanceof StateSchemaError)) throw error;
          i.pos = start;
          break;
        }
        if (entry !== null) out.push(entry);
        if (marker === END_OF_KEY_GROUP) {
          ended = true;
          break;
        }
        if (marker !== null) id = marker;
      }
      return out;
    });
    if (batch.length > 0) yield batch;
  }
}

/**
 * `HeapSnapshotStrategy`: per key group its id, then per state its id and its entries (namespace, key, value in
 * full) or, for a priority queue, its elements; lengths are not written, so each is decoded to find the next.
 */
async function* heapKeyGroup(
  region: Region,
  stream: KeyedStream,
  keyGroup: number,
  options: EntryOptions,
): AsyncGenerator<StateEntry> {
  const id = await region.parse((i) => i.i32('the key-group id'));
  /** The states this key group has written so far: each comes once, in no order of its id. */
  const seen = new Set<number>();
  if (id !== keyGroup) {
    throw new StateSchemaError('invalid', region.pos - 4, `key group ${id} where ${keyGroup} was expected`);
  }
  while (!(await region.probeEnd())) {
    const stateId = await region.parse((i) => i.u16('the state id'));
    const d = decodingAt(stream, stateId, region.pos - 2);
    seen.add(stateId);
    const count = await region.parse((i) => i.count(`the number of entries of '${d.name}'`, 1 << 30));
    const wanted = !options.states || options.states.has(d.name);
    const exact = d.shape === 'priority-queue' ? d.value.exact : d.key.exact && d.namespace.exact && d.value.exact;
    if (!exact) {
      throw new StateSchemaError(
        'invalid',
        region.pos,
        `'${d.name}' uses a serializer not known here (${d.serializerClass}); the heap format writes no lengths, so the rest of the key group cannot be read`,
      );
    }
    for (let n = 0; n < count; n++) {
      const entries = await region.parse((i): StateEntry[] => {
        if (d.shape === 'priority-queue') return [priorityQueueEntry(d.name, keyGroup, d.value.read(i))];
        const namespace = d.namespace.read(i);
        const key = d.key.read(i);
        const value = heapValue(i, stream, d, keyGroup, n === count - 1 ? seen : null);
        if (d.shape === 'map' && Array.isArray(value)) {
          return value.map((e) => {
            const pair = e as { key: StateValue; value: StateValue };
            return { state: d.name, keyGroup, key, namespace, userKey: pair.key, value: pair.value };
          });
        }
        return [{ state: d.name, keyGroup, key, namespace, value }];
      });
      if (wanted) yield* entries;
    }
  }
}

/** How far past a Kryo value of a user class the heap reader looks for where the value ends. */
const KRYO_SCAN = 1 << 16;

/**
 * A heap entry's value. The heap format writes no lengths, so a Kryo value of a user class (whose fields Kryo
 * writes without names or types) is bounded by what must follow it: the next entry's namespace and a key of this
 * key group, or, after the state's last entry, the id of a state the key group has not written yet (`seen` holds
 * those it has) and its size, or the key group's end. The
 * first end that fits is taken; the value shows as its bytes, which the State Processor API oracle checks.
 */
function heapValue(
  i: DataInput,
  stream: KeyedStream,
  d: StateDecoding,
  keyGroup: number,
  seen: ReadonlySet<number> | null,
): StateValue {
  const start = i.pos;
  try {
    return d.value.read(i);
  } catch (error) {
    if (!(error instanceof KryoStop)) throw error;
    const from = error.offset - i.base;
    const limit = Math.min(i.bytes.length, from + KRYO_SCAN);
    for (let end = Math.max(from, start + 1); end <= limit; end++) {
      if (fitsAfter(i, end, stream, d, keyGroup, seen)) {
        const bytes = i.bytes.subarray(start, end);
        i.pos = end;
        const cls = kryoStopAtStart(error, i.base + start) ?? d.serializerClass;
        return { class: cls, hex: hexOf(bytes) };
      }
    }
    if (!i.complete && limit === i.bytes.length) {
      throw new StateSchemaError('truncated', i.base + limit, 'the state file ends inside a Kryo value');
    }
    throw error;
  }
}

function fitsAfter(
  i: DataInput,
  end: number,
  stream: KeyedStream,
  d: StateDecoding,
  keyGroup: number,
  seen: ReadonlySet<number> | null,
): boolean {
  const probe = new DataInput(i.bytes.subarray(end), i.base + end, i.complete);
  try {
    if (seen === null) {
      d.namespace.read(probe);
      const key = d.key.read(probe);
      const hash = javaHashCode(stream.proxy.keySerializer, key);
      if (hash === null || keyGroupOfHash(hash, stream.maxParallelism) !== keyGroup) return false;
      // A key of this key group can sit in a user class's bytes by chance: the next value must begin as one does.
      try {
        d.value.read(probe);
        return true;
      } catch (error) {
        if (error instanceof KryoStop) return error.atClass;
        throw error;
      }
    }
    if (probe.remaining === 0) return i.complete;
    const next = probe.u16('the next state id');
    if (next >= stream.decodings.length || seen.has(next)) return false;
    const count = probe.i32('the next state size');
    return count >= 0 && count <= probe.remaining;
  } catch (error) {
    if (error instanceof StateSchemaError) return false;
    throw error;
  }
}
