import { StateSchemaError } from '../errors';
import type { SerializerSnapshotNode } from '../serializerSnapshot';
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
        return readKryo(input, type, registrations, 2);
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

/** The Kryo type whose value stopped at the very start of a bounded value: it is then shown whole, as bytes. */
export function kryoStopAtStart(error: unknown, valueStart: number): string | null {
  return error instanceof KryoStop && error.valueStart === valueStart ? error.className : null;
}
