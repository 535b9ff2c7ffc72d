import { StateSchemaError } from '../errors';
import type { KryoGeneration, SerializerSnapshotNode } from '../serializerSnapshot';
import type { Codec } from './decode';
import { KryoStop, readKryo } from './kryo';

/**
 * Flink's `KryoSerializer` as a codec: Kryo's own shapes decoded (`kryo.ts`), a user class stops with
 * {@link KryoStop}. Exact: where the value's bytes are bounded (RocksDB, a list element) a stop shows them as
 * `{class, hex}`; in the heap format, which writes no lengths, the key group's reader decides what comes next.
 */
export function kryoCodec(node: SerializerSnapshotNode): Codec {
  const type = node.type ?? 'Kryo';
  const registrations = node.registrations ?? [type];
  return {
    length: -1,
    exact: true,
    read: (input) => {
      const start = input.offset;
      try {
        return readKryo(input, type, registrations, node.kryoGeneration ?? 2);
      } catch (error) {
        // Bytes Kryo would not have written stop the value like a user class does; a window that merely ended
        // early (the heap reader's) stays truncated, so that more is read.
        if (!(error instanceof StateSchemaError) || error instanceof KryoStop) throw error;
        if (error.code === 'truncated' && !input.complete) throw error;
        const reason = error.message.replace(/ \(at byte \d+\)$/, '');
        throw new KryoStop(error.offset, type, start, `${reason}; the Kryo value stops here`);
      }
    },
  };
}

/** Flink 2.x, which writes `_metadata` format 5 and later, serializes with Kryo 5; Flink 1.x with Kryo 2.24. */
export function kryoGenerationOf(metadataVersion: number | undefined): KryoGeneration {
  return metadataVersion !== undefined && metadataVersion >= 5 ? 5 : 2;
}

const withKryo5 = new WeakMap<SerializerSnapshotNode, SerializerSnapshotNode>();

/**
 * The serializer tree with its Kryo snapshots marked as Kryo 5's when `generation` is 5 (the snapshot bytes do not
 * say which Kryo wrote the values); the same tree otherwise, and the same copy each time, so codecs stay cached.
 */
export function withKryoGeneration(node: SerializerSnapshotNode, generation: KryoGeneration): SerializerSnapshotNode {
  if (generation === 2) return node;
  let out = withKryo5.get(node);
  if (out === undefined) {
    out = markKryo5(node);
    withKryo5.set(node, out);
  }
  return out;
}

function markKryo5(node: SerializerSnapshotNode): SerializerSnapshotNode {
  const kryo = node.class.endsWith('.KryoSerializerSnapshot');
  const nested = node.nested?.map(markKryo5);
  const fields = node.fields?.map((f) =>
    f.serializer === null ? f : { name: f.name, serializer: markKryo5(f.serializer) },
  );
  const changed =
    kryo ||
    (nested?.some((n, i) => n !== node.nested?.[i]) ?? false) ||
    (fields?.some((f, i) => f.serializer !== node.fields?.[i].serializer) ?? false);
  if (!changed) return node;
  return { ...node, nested, fields, ...(kryo ? { kryoGeneration: 5 } : {}) };
}

/** The Kryo type whose value stopped at the very start of a bounded value: it is then shown whole, as bytes. */
export function kryoStopAtStart(error: unknown, valueStart: number): string | null {
  return error instanceof KryoStop && error.valueStart === valueStart ? error.className : null;
}
