import { DataInput } from '../dataInput';
import { StateSchemaError } from '../errors';
import type { StateMetaInfo } from '../proxy';
import { hexOf, type Codec, type StateValue } from './decode';

/**
 * The state of the connectors people restore most, shown readably instead of as the byte arrays Flink stores.
 *
 * A FLIP-27 source keeps its splits in the list state `SourceReaderState` and a Sink V2 writer its state in
 * `writer_raw_states`, both `byte[]` elements framed by `SimpleVersionedSerialization` (serializer version, length,
 * bytes). Nothing in the snapshot names the source, so a split is read by every known split serializer of that
 * version, and the one that takes exactly its bytes decides; anything else is shown as its version and hex.
 *
 * Shapes (one JSON value per list element):
 * - `{"split":"kafka","topic","partition","startingOffset","stoppingOffset"}`: offsets are numbers, or the markers
 *   `"earliest"`, `"latest"`, `"committed"`; a stopping offset of `null` means the split is unbounded;
 * - `{"split":"number-sequence","splitId","from","to"}`;
 * - `{"writer":"kafka","transactionalIdPrefix", ...}` (KafkaSink exactly-once);
 * - `{"split"|"writer":"unknown","serializerVersion","hex"}` and, when the framing itself is broken, a `problem`.
 *
 * The operator coordinator's state in `_metadata` (the split enumerator's checkpoint) is read by
 * {@link decodeCoordinatorState}.
 */

/** `KafkaPartitionSplit`'s offset markers. */
const KAFKA_MARKERS = new Map<bigint, string>([
  [-1n, 'latest'],
  [-2n, 'earliest'],
  [-3n, 'committed'],
]);
/** `AssignmentStatus` codes of the Kafka enumerator. */
const ASSIGNMENT = ['assigned', 'unassigned-initial'];
/** `TransactionOwnership` ordinals of KafkaSink's writer state. */
const OWNERSHIP = ['IMPLICIT_BY_SUBTASK_ID', 'EXPLICIT_BY_WRITER_STATE'];
/** Elements of one enumerator checkpoint: far more than any source has splits, small enough to bound a corrupt count. */
const MAX_SPLITS = 1 << 20;

type Fields = { [key: string]: StateValue };

function long(v: bigint): number | string {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

function kafkaOffset(v: bigint): StateValue {
  return KAFKA_MARKERS.get(v) ?? long(v);
}

/** `KafkaPartitionSplitSerializer` version 0: topic, partition, starting offset, stopping offset. */
function kafkaSplit(i: DataInput): Fields {
  const topic = i.utf('the Kafka split topic');
  const partition = i.i32('the Kafka split partition');
  const startingOffset = kafkaOffset(i.i64('the Kafka split starting offset'));
  const stopping = i.i64('the Kafka split stopping offset');
  // Like `KafkaPartitionSplit#getStoppingOffset`: only offsets and the latest/committed markers stop a split.
  const stoppingOffset = stopping >= 0n || stopping === -1n || stopping === -3n ? kafkaOffset(stopping) : null;
  return { split: 'kafka', topic, partition, startingOffset, stoppingOffset };
}

/** `NumberSequenceSource.SplitSerializer` version 1: split id, first and last number. */
function numberSequenceSplit(i: DataInput): Fields {
  const splitId = i.utf('the number-sequence split id');
  const from = long(i.i64('the number-sequence split start'));
  const to = long(i.i64('the number-sequence split end'));
  return { split: 'number-sequence', splitId, from, to };
}

/** `KafkaWriterStateSerializer` versions 1 (the prefix only) and 2 (ownership and pre-committed transactions). */
function kafkaWriterState(i: DataInput, version: number): Fields {
  const transactionalIdPrefix = i.utf('the transactional id prefix');
  if (version === 1) return { writer: 'kafka', transactionalIdPrefix };
  const ownedSubtaskId = i.i32('the owned subtask id');
  const totalNumberOfOwnedSubtasks = i.i32('the number of owned subtasks');
  const ordinal = i.i32('the transaction ownership');
  const precommitted: StateValue[] = [];
  const n = i.count('the number of pre-committed transactions', MAX_SPLITS);
  for (let k = 0; k < n; k++) {
    const transactionalId = i.utf('a pre-committed transactional id');
    precommitted.push({ transactionalId, checkpointId: long(i.i64('its checkpoint id')) });
  }
  return {
    writer: 'kafka',
    transactionalIdPrefix,
    ownedSubtaskId,
    totalNumberOfOwnedSubtasks,
    transactionOwnership: OWNERSHIP[ordinal] ?? ordinal,
    precommittedTransactionalIds: precommitted,
  };
}

type Format = readonly [versions: readonly number[], read: (i: DataInput, version: number) => Fields];

const SPLIT_FORMATS: readonly Format[] = [
  [[0], kafkaSplit],
  [[1], numberSequenceSplit],
];

const WRITER_FORMATS: readonly Format[] = [[[1, 2], kafkaWriterState]];

/** The first format of this version that reads exactly these bytes, or null. */
function firstExact(formats: readonly Format[], version: number, bytes: Uint8Array, base: number): Fields | null {
  for (const [versions, read] of formats) {
    if (!versions.includes(version)) continue;
    const input = new DataInput(bytes, base, true);
    try {
      const value = read(input, version);
      if (input.remaining === 0) return value;
    } catch (error) {
      if (!(error instanceof StateSchemaError)) throw error;
    }
  }
  return null;
}

/** A `SimpleVersionedSerialization` frame: the serializer version, the length, then exactly that many bytes. */
function unframe(bytes: Uint8Array, base: number): { version: number; payload: Uint8Array } {
  const input = new DataInput(bytes, base, true);
  const version = input.i32('the serializer version');
  const length = input.i32('the serialized length');
  if (length !== input.remaining) {
    throw new StateSchemaError(
      length > input.remaining ? 'truncated' : 'invalid',
      input.offset,
      `the frame says ${length} bytes, ${input.remaining} follow`,
    );
  }
  return { version, payload: bytes.subarray(input.pos) };
}

function framed(kind: 'split' | 'writer', formats: readonly Format[], bytes: Uint8Array, base: number): StateValue {
  let frame: { version: number; payload: Uint8Array };
  try {
    frame = unframe(bytes, base);
  } catch (error) {
    if (!(error instanceof StateSchemaError)) throw error;
    return { [kind]: 'unknown', hex: hexOf(bytes), problem: `not a versioned ${kind} state: ${error.message}` };
  }
  return (
    firstExact(formats, frame.version, frame.payload, base + 8) ?? {
      [kind]: 'unknown',
      serializerVersion: frame.version,
      hex: hexOf(frame.payload),
    }
  );
}

/** One `SourceReaderState` element (a framed split) as a readable split. Never throws on bad bytes. */
export function decodeSourceSplit(bytes: Uint8Array, base = 0): StateValue {
  return framed('split', SPLIT_FORMATS, bytes, base);
}

/** One `writer_raw_states` element (a framed Sink V2 writer state) as a readable value. Never throws on bad bytes. */
export function decodeSinkWriterState(bytes: Uint8Array, base = 0): StateValue {
  return framed('writer', WRITER_FORMATS, bytes, base);
}

const BYTE_ARRAY = 'org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer$';

/**
 * The codec of the connector list states Flink writes as framed `byte[]` (`SourceOperator`'s `SourceReaderState`,
 * `SinkWriterOperator`'s `writer_raw_states`); null for every other state.
 */
export function connectorCodec(info: StateMetaInfo): Codec | null {
  const element = info.serializers.VALUE_SERIALIZER?.class ?? '';
  if (!element.startsWith(BYTE_ARRAY)) return null;
  const decode =
    info.name === 'SourceReaderState'
      ? decodeSourceSplit
      : info.name === 'writer_raw_states'
        ? decodeSinkWriterState
        : null;
  if (decode === null) return null;
  return {
    length: -1,
    exact: true,
    read: (i) => {
      const at = i.offset;
      const n = i.count('the length of a byte[]', i.remaining);
      i.need(n, 'a byte[]');
      const bytes = i.bytes.subarray(i.pos, i.pos + n);
      i.pos += n;
      return decode(bytes, at + 4);
    },
  };
}

/** `KafkaSourceEnumStateSerializer`: versions 1 (assigned partitions), 2 (+ status, discovery) and 3 (+ offsets). */
function kafkaEnumerator(i: DataInput, version: number): Fields {
  const n = i.count('the number of Kafka partitions', MAX_SPLITS);
  const partitions: StateValue[] = [];
  if (version === 3) {
    const splitVersion = i.i32('the Kafka split serializer version');
    if (splitVersion !== 0) {
      throw new StateSchemaError('unsupported-version', i.offset - 4, `Kafka split version ${splitVersion}`);
    }
    for (let k = 0; k < n; k++) {
      const length = i.count('the length of a Kafka split', i.remaining);
      i.need(length, 'a Kafka split');
      const split = new DataInput(i.bytes.subarray(i.pos, i.pos + length), i.offset, true);
      const { topic, partition, startingOffset, stoppingOffset } = kafkaSplit(split);
      if (split.remaining !== 0) throw new StateSchemaError('invalid', i.offset, 'bytes left over after a Kafka split');
      i.pos += length;
      const assignment = status(i);
      partitions.push({ topic, partition, assignment, startingOffset, stoppingOffset });
    }
  } else {
    for (let k = 0; k < n; k++) {
      const topic = i.utf('the Kafka topic');
      const partition = i.i32('the Kafka partition');
      partitions.push({ topic, partition, assignment: version === 1 ? 'assigned' : status(i) });
    }
  }
  const value: Fields = { enumerator: 'kafka', serializerVersion: version, partitions };
  if (version >= 2) value.initialDiscoveryFinished = i.bool('initialDiscoveryFinished');
  return value;
}

function status(i: DataInput): string {
  const at = i.offset;
  const code = i.i32('the assignment status');
  const name = ASSIGNMENT[code];
  if (name === undefined) throw new StateSchemaError('invalid', at, `assignment status ${code} is not Flink's`);
  return name;
}

/** `NumberSequenceSource.CheckpointSerializer` version 1: the splits not yet handed out. */
function numberSequenceEnumerator(i: DataInput): Fields {
  const n = i.count('the number of number-sequence splits', MAX_SPLITS);
  const remainingSplits: StateValue[] = [];
  for (let k = 0; k < n; k++) {
    const { splitId, from, to } = numberSequenceSplit(i);
    remainingSplits.push({ splitId, from, to });
  }
  return { enumerator: 'number-sequence', serializerVersion: 1, remainingSplits };
}

/**
 * Number sequence first: an empty checkpoint of version 1 (four zero bytes) reads either way, and is then shown as the
 * enumerator every Flink line ships rather than a Kafka one of connectors before 3.0.
 */
const ENUMERATOR_FORMATS: readonly Format[] = [
  [[1], numberSequenceEnumerator],
  [[1, 2, 3], kafkaEnumerator],
];

/** `SourceCoordinatorSerdeUtils`' coordinator serde version: the enumerator's version, length and bytes follow. */
const COORDINATOR_SERDE_VERSION = 1;

/**
 * An operator coordinator's state from `_metadata`. `SourceCoordinator` (Flink 1.13+) writes its serde version, the
 * enumerator checkpoint serializer's version, the length and the checkpoint: known enumerators are shown readably,
 * others as `{"enumerator":"unknown","serializerVersion","hex"}`, and state of other coordinators as
 * `{"coordinator":"unknown","hex"}`. Never throws on bad bytes.
 */
export function decodeCoordinatorState(bytes: Uint8Array, base = 0): StateValue {
  const input = new DataInput(bytes, base, true);
  try {
    const serde = input.i32('the coordinator serde version');
    if (serde !== COORDINATOR_SERDE_VERSION) {
      return {
        coordinator: 'unknown',
        hex: hexOf(bytes),
        problem: `not a source coordinator (serde version ${serde})`,
      };
    }
    const version = input.i32('the enumerator serializer version');
    const length = input.count('the enumerator checkpoint length', input.remaining);
    if (length !== input.remaining) {
      throw new StateSchemaError(
        'invalid',
        input.offset,
        `the enumerator checkpoint has ${length} bytes, ${input.remaining} follow`,
      );
    }
    const payload = bytes.subarray(input.pos);
    return (
      firstExact(ENUMERATOR_FORMATS, version, payload, input.offset) ?? {
        enumerator: 'unknown',
        serializerVersion: version,
        hex: hexOf(payload),
      }
    );
  } catch (error) {
    if (!(error instanceof StateSchemaError)) throw error;
    return { coordinator: 'unknown', hex: hexOf(bytes), problem: `not a source coordinator: ${error.message}` };
  }
}

/** One line about a decoded coordinator state, for text output: what enumerator, how many splits or partitions. */
export function describeCoordinatorState(value: StateValue): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return JSON.stringify(value);
  if (value.enumerator === 'number-sequence' && Array.isArray(value.remainingSplits)) {
    return `number-sequence enumerator, ${value.remainingSplits.length} splits not yet assigned`;
  }
  if (value.enumerator === 'kafka' && Array.isArray(value.partitions)) {
    const assigned = value.partitions.filter(
      (p) => p !== null && typeof p === 'object' && 'assignment' in p && p.assignment === 'assigned',
    );
    const discovery =
      value.initialDiscoveryFinished === undefined
        ? ''
        : `, initial discovery ${value.initialDiscoveryFinished ? 'finished' : 'not finished'}`;
    return `Kafka enumerator (state version ${String(value.serializerVersion)}), ${value.partitions.length} partitions (${assigned.length} assigned)${discovery}`;
  }
  const hex = typeof value.hex === 'string' ? `, ${value.hex.length / 2} bytes` : '';
  const version =
    value.serializerVersion === undefined ? '' : ` (serializer version ${String(value.serializerVersion)})`;
  const what =
    value.enumerator === 'unknown' ? `an enumerator not known here${version}` : 'not a known source coordinator';
  return `${what}${hex}${typeof value.problem === 'string' ? `: ${value.problem}` : ''}`;
}
