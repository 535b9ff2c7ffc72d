import type { OperatorHandle } from '../../metadata';
import { DataInput } from '../dataInput';
import { StateSchemaError } from '../errors';
import { readOperatorProxy, type StateMetaInfo } from '../proxy';
import { locate, readHead, type StateFileAccess } from '../schema';
import { connectorCodec } from './connectors';
import { codecFor, hexOf, type Codec, type StateValue } from './decode';
import { kryoStopAtStart, withKryoGeneration } from './kryoCodec';
import type { KryoGeneration } from '../serializerSnapshot';
import type { EntryOptions, StateEntry } from './keyed';
import { Region } from './region';
import { decodeSnappyFramed } from './snappyFramed';
import { fileProblem } from '../problems';

const OPAQUE = { class: 'unknown', version: 0, offset: -1 };

function codec(info: StateMetaInfo, key: 'KEY_SERIALIZER' | 'VALUE_SERIALIZER', kryo: KryoGeneration = 2): Codec {
  return codecFor(withKryoGeneration(info.serializers[key] ?? OPAQUE, kryo));
}

/**
 * The entries of one subtask's operator state handle: list and union state element by element at the offsets the
 * handle records (`PartitionableListState#write`), broadcast state as its map (`HeapBroadcastState#write`: a size,
 * then keys and values).
 */
export async function* operatorEntries(
  access: StateFileAccess,
  handle: OperatorHandle,
  subtask: number,
  pointer: string | null,
  options: EntryOptions,
): AsyncGenerator<StateEntry> {
  const at = locate(handle.delegate, pointer);
  if (at === null) return;
  const proxy = await readHead(access, at, readOperatorProxy);
  const infos = new Map([...proxy.operatorStates, ...proxy.broadcastStates].map((s) => [s.name, s]));
  const path = at.path;
  const fetch = path === null ? access.readMetadata.bind(access) : (o: number, l: number) => access.read(path, o, l);
  const streamEnd = at.size >= 0 ? at.start + at.size : Number.POSITIVE_INFINITY;
  if (proxy.compressed) {
    if (!Number.isFinite(streamEnd)) {
      options.onProblem({ file: at.label, offset: at.start, message: 'compressed operator state of unknown size' });
      return;
    }
    yield* compressedEntries(access, handle, subtask, infos, fetch, at.start, streamEnd, at.label, options);
    return;
  }
  for (const state of handle.states) {
    if (options.states && !options.states.has(state.name)) continue;
    const info = infos.get(state.name);
    if (info === undefined) {
      options.onProblem({
        file: at.label,
        offset: null,
        message: `'${state.name}' has no meta info in the state file`,
      });
      continue;
    }
    try {
      const bytes = await access.readMetadata(state.offsetsAt, state.offsetCount * 8);
      if (bytes.length < state.offsetCount * 8) {
        throw new StateSchemaError('truncated', state.offsetsAt, '_metadata ends inside the operator state offsets');
      }
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
      const offsets = Array.from({ length: state.offsetCount }, (_, i) => at.start + Number(view.getBigInt64(i * 8)));
      if (state.mode === 'BROADCAST') {
        if (offsets.length === 0) continue;
        const key = codec(info, 'KEY_SERIALIZER', options.kryoGeneration);
        const value = codec(info, 'VALUE_SERIALIZER', options.kryoGeneration);
        const region = new Region(fetch, offsets[0], streamEnd);
        const size = await region.parse((i) => i.count(`the size of '${state.name}'`, 1 << 30));
        for (let n = 0; n < size; n++) {
          const entry = await region.parse((i): StateEntry => {
            const k = key.read(i);
            return { state: state.name, keyGroup: null, subtask, key: k, namespace: null, value: value.read(i) };
          });
          yield entry;
        }
        continue;
      }
      const element = connectorCodec(info) ?? codec(info, 'VALUE_SERIALIZER', options.kryoGeneration);
      // The elements of a state lie together; the last one of a serializer not known here ends where another starts.
      const others = handle.states.filter((o) => o !== state).map((o) => o.offsetsAt);
      const otherStarts = (await Promise.all(others.map((o) => access.readMetadata(o, 8))))
        .filter((b) => b.length === 8)
        .map((b) => at.start + Number(new DataView(b.buffer, b.byteOffset, 8).getBigInt64(0)));
      let region: Region | null = null;
      for (let index = 0; index < offsets.length; index++) {
        if (region === null || region.pos !== offsets[index]) region = new Region(fetch, offsets[index], streamEnd);
        const end =
          offsets[index + 1] ??
          otherStarts.filter((o) => o > offsets[index]).sort((a, b) => a - b)[0] ??
          (Number.isFinite(streamEnd) ? streamEnd : null);
        const value = await region.parse((i): StateValue => {
          if (end !== null) {
            // A Kryo user class stops at its start: the element is shown as its bytes, up to the next one.
            const start = i.pos;
            try {
              return element.read(i);
            } catch (error) {
              const cls = kryoStopAtStart(error, i.base + start);
              if (cls === null) throw error;
              i.pos = start;
              i.need(end - i.offset, 'a list element');
              const bytes = i.bytes.subarray(i.pos, i.pos + end - i.offset);
              i.pos += bytes.length;
              return { class: cls, hex: hexOf(bytes) };
            }
          }
          if (element.exact) return element.read(i);
          // An element of a serializer not known here ends where the next one starts.
          i.need(end - i.offset, 'a list element');
          const slice = new DataInput(i.bytes.subarray(i.pos, i.pos + end - i.offset), i.offset, true);
          const v = element.read(slice);
          i.pos += slice.pos;
          return v;
        });
        yield { state: state.name, keyGroup: null, subtask, key: index, namespace: null, value };
      }
    } catch (error) {
      const failure = fileProblem(error);
      if (failure === undefined) throw error;
      options.onProblem({ file: at.label, offset: failure.offset, message: `'${state.name}': ${failure.message}` });
    }
  }
}

async function offsetsOf(access: StateFileAccess, state: OperatorHandle['states'][number], base: number) {
  const bytes = await access.readMetadata(state.offsetsAt, state.offsetCount * 8);
  if (bytes.length < state.offsetCount * 8) {
    throw new StateSchemaError('truncated', state.offsetsAt, '_metadata ends inside the operator state offsets');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  return Array.from({ length: state.offsetCount }, (_, i) => base + Number(view.getBigInt64(i * 8)));
}

/**
 * Operator state written with snapshot compression (proxy version 6): after the proxy, one Snappy-framed stream
 * whose chunks end at every offset the handle records (Flink's `CompressibleFSDataOutputStream#getPos` flushes), so
 * each element, and each broadcast map, decompresses on its own from its offset to the next recorded one.
 */
async function* compressedEntries(
  access: StateFileAccess,
  handle: OperatorHandle,
  subtask: number,
  infos: ReadonlyMap<string, StateMetaInfo>,
  fetch: (offset: number, length: number) => Promise<Uint8Array>,
  base: number,
  streamEnd: number,
  label: string,
  options: EntryOptions,
): AsyncGenerator<StateEntry> {
  const all = new Map<string, number[]>();
  for (const state of handle.states) all.set(state.name, await offsetsOf(access, state, base));
  const boundaries = [...new Set([...all.values()].flat()), streamEnd].sort((a, b) => a - b);
  const decoded = async (offset: number): Promise<DataInput> => {
    const end = boundaries.find((b) => b > offset) ?? streamEnd;
    const bytes = await fetch(offset, end - offset);
    if (bytes.length < end - offset) throw new StateSchemaError('truncated', offset, 'the state file ends early');
    return new DataInput(decodeSnappyFramed(bytes, offset), offset, true);
  };
  for (const state of handle.states) {
    if (options.states && !options.states.has(state.name)) continue;
    const info = infos.get(state.name);
    if (info === undefined) {
      options.onProblem({ file: label, offset: null, message: `'${state.name}' has no meta info in the state file` });
      continue;
    }
    try {
      const offsets = all.get(state.name) ?? [];
      if (state.mode === 'BROADCAST') {
        if (offsets.length === 0) continue;
        const key = codec(info, 'KEY_SERIALIZER', options.kryoGeneration);
        const value = codec(info, 'VALUE_SERIALIZER', options.kryoGeneration);
        const input = await decoded(offsets[0]);
        const size = input.count(`the size of '${state.name}'`, 1 << 30);
        for (let n = 0; n < size; n++) {
          const k = key.read(input);
          yield { state: state.name, keyGroup: null, subtask, key: k, namespace: null, value: value.read(input) };
        }
        continue;
      }
      const element = connectorCodec(info) ?? codec(info, 'VALUE_SERIALIZER', options.kryoGeneration);
      for (let index = 0; index < offsets.length; index++) {
        const value = element.read(await decoded(offsets[index]));
        yield { state: state.name, keyGroup: null, subtask, key: index, namespace: null, value };
      }
    } catch (error) {
      const failure = fileProblem(error);
      if (failure === undefined) throw error;
      options.onProblem({ file: label, offset: failure.offset, message: `'${state.name}': ${failure.message}` });
    }
  }
}
