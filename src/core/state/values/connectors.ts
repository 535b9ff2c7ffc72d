import { DataInput } from '../dataInput';
import { StateSchemaError } from '../errors';
import type { StateMetaInfo } from '../proxy';
import { ByteArray, hexOf, long, type Codec, type StateValue } from './decode';
import {
  fileEnumerator,
  fileSinkCommittable,
  fileSplit,
  fileWriterState,
  MAX_ELEMENTS,
  type Fields,
} from './connectorsFiles';

/**
 * The state of the connectors people restore most, shown readably instead of as the byte arrays Flink stores.
 *
 * A FLIP-27 source keeps its splits in the list state `SourceReaderState`, a Sink V2 writer its state in
 * `writer_raw_states` and its committer the committables not yet committed in `streaming_committer_raw_states`, all
 * `byte[]` elements framed by `SimpleVersionedSerialization` (serializer version, length, bytes). Nothing in the snapshot names the source, so a split is read by every known split serializer of that
 * version, and the one that takes exactly its bytes decides; anything else is shown as its version and hex.
 *
 * Shapes (one JSON value per list element):
 * - `{"split":"kafka","topic","partition","startingOffset","stoppingOffset"}`: offsets are numbers, or the markers
 *   `"earliest"`, `"latest"`, `"committed"`; a stopping offset of `null` means the split is unbounded;
 * - `{"split":"number-sequence","splitId","from","to"}`;
 * - `{"split":"file", ...}`, `{"writer":"file", ...}` and file committables: see connectorsFiles.ts;
 * - `{"writer":"kafka","transactionalIdPrefix", ...}` (KafkaSink exactly-once);
 * - `{"committer":"sink","serializerVersion","checkpoints":[{"checkpointId","numberOfSubtasks","subtasks":[{"subtaskId",
 *   "requests":[{"committable","numberOfRetries","state"}],"numCommittables","numDrained"(1.x),"numFailed"}]}]}`, the
 *   committable `{"committable":"kafka","producerId","epoch","transactionalId"}`, a file one, or
 *   `{"committable":"unknown","serializerVersion","hex"}`; Flink 1.14's committer state (version 1) as
 *   `{"committer":"sink","serializerVersion":1,"committables":[…]}`;
 * - `{"split"|"writer"|"committer":"unknown","serializerVersion","hex"}` and, when the framing itself is broken, a
 *   `problem`.
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
const MAX_SPLITS = MAX_ELEMENTS;
/** `CommitRequestState` ordinals. */
const COMMIT_REQUEST_STATES = ['RECEIVED', 'RETRY', 'FAILED', 'COMMITTED'];
/** `CommittableCollectorSerializer`'s magic number (its version 2). */
const COMMITTABLE_COLLECTOR_MAGIC = 0xb91f252c | 0;

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
  [[1], fileSplit(true)],
  [[1], fileSplit(false)],
];

const WRITER_FORMATS: readonly Format[] = [
  [[1, 2], kafkaWriterState],
  [[3], fileWriterState],
];

/** `KafkaCommittableSerializer` version 1: the transaction's producer id and epoch, and its transactional id. */
function kafkaCommittable(i: DataInput): Fields {
  const epoch = (i.u16('the producer epoch') << 16) >> 16;
  const producerId = long(i.i64('the producer id'));
  const transactionalId = i.utf('the transactional id');
  return { committable: 'kafka', producerId, epoch, transactionalId };
}

const COMMITTABLE_FORMATS: readonly Format[] = [
  [[1], kafkaCommittable],
  [[2], fileSinkCommittable],
];

/** `SimpleVersionedSerialization.writeVersionAndSerializeList`: version, count, then each element's length and bytes. */
function versionedList(
  i: DataInput,
  what: string,
  read: (part: DataInput, version: number) => StateValue,
): StateValue[] {
  const version = i.i32(`the serializer version of ${what}`);
  const n = i.count(`the number of ${what}`, MAX_ELEMENTS);
  i.checkCount(n, 4, what, i.offset - 4);
  const out: StateValue[] = [];
  for (let k = 0; k < n; k++) {
    const length = i.count(`the length of ${what}`, i.remaining);
    const part = new DataInput(i.take(length, what), i.offset - length, true);
    out.push(read(part, version));
    if (part.remaining !== 0) throw new StateSchemaError('invalid', part.offset, `bytes left over after ${what}`);
  }
  return out;
}

/** One commit request: the sink's committable in its own frame, the retries and the request's state. */
function commitRequest(i: DataInput): Fields {
  const version = i.i32('the committable serializer version');
  const length = i.count('the committable length', i.remaining);
  const bytes = i.take(length, 'a committable');
  const committable = firstExact(COMMITTABLE_FORMATS, version, bytes, i.offset - length) ?? {
    committable: 'unknown',
    serializerVersion: version,
    hex: hexOf(bytes),
  };
  const numberOfRetries = i.i32('the number of retries');
  const at = i.offset;
  const ordinal = i.i32('the commit request state');
  const state = COMMIT_REQUEST_STATES[ordinal];
  if (state === undefined) throw new StateSchemaError('invalid', at, `commit request state ${ordinal} is not Flink's`);
  return { committable, numberOfRetries, state };
}

/** `SubtaskCommittableManager`: version 0 has no subtask id, 2 (Flink 2.x) no drained count. */
function subtaskCommittables(i: DataInput, version: number): Fields {
  const subtaskId: Fields = version === 0 ? {} : { subtaskId: i.i32('the subtask id') };
  const requests = versionedList(i, 'commit requests', commitRequest);
  const numCommittables = i.i32('the number of committables');
  const drained: Fields = version < 2 ? { numDrained: i.i32('the number of drained committables') } : {};
  const numFailed = i.i32('the number of failed committables');
  return { ...subtaskId, requests, numCommittables, ...drained, numFailed };
}

/** `CheckpointCommittableManager`: version 0 has no number of subtasks. */
function checkpointCommittables(i: DataInput, version: number): Fields {
  const checkpointId = long(i.i64('the checkpoint id'));
  const subtasks: Fields = version === 0 ? {} : { numberOfSubtasks: i.i32('the number of subtasks') };
  const list = versionedList(i, 'subtask committables', subtaskCommittables) as Fields[];
  list.sort((a, b) => Number(a.subtaskId ?? 0) - Number(b.subtaskId ?? 0));
  return { checkpointId, ...subtasks, subtasks: list };
}

/** `CommittableCollectorSerializer` version 2: per checkpoint, per subtask, the commit requests not yet done. */
function committableCollector(i: DataInput, version: number): Fields {
  const at = i.offset;
  if (i.i32('the magic number of a committable collector') !== COMMITTABLE_COLLECTOR_MAGIC) {
    throw new StateSchemaError('invalid', at, 'not a committable collector');
  }
  const checkpoints = versionedList(i, 'checkpoint committables', checkpointCommittables) as Fields[];
  checkpoints.sort((a, b) => (BigInt(String(a.checkpointId)) < BigInt(String(b.checkpointId)) ? -1 : 1));
  return { committer: 'sink', serializerVersion: version, checkpoints };
}

/** Version 1 is Flink 1.14's Sink V1 committer state (`StreamingCommitterState`): the committables alone. */
function legacyCommittables(i: DataInput): Fields {
  const at = i.offset;
  if (i.i32('the magic number of a committer state') !== COMMITTABLE_COLLECTOR_MAGIC) {
    throw new StateSchemaError('invalid', at, 'not a committer state');
  }
  const committables = versionedList(
    i,
    'committables',
    (part, version) =>
      firstExact(COMMITTABLE_FORMATS, version, part.take(part.remaining, 'a committable'), part.base) ?? {
        committable: 'unknown',
        serializerVersion: version,
        hex: hexOf(part.bytes),
      },
  );
  return { committer: 'sink', serializerVersion: 1, committables };
}

const COMMITTER_FORMATS: readonly Format[] = [
  [[1], legacyCommittables],
  [[2], committableCollector],
];

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

function framed(
  kind: 'split' | 'writer' | 'committer',
  formats: readonly Format[],
  bytes: Uint8Array,
  base: number,
): StateValue {
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

/** One `streaming_committer_raw_states` element (a Sink V2 committer's collector). Never throws on bad bytes. */
export function decodeSinkCommitterState(bytes: Uint8Array, base = 0): StateValue {
  return framed('committer', COMMITTER_FORMATS, bytes, base);
}

const BYTE_ARRAY = 'org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer$';

/**
 * The codec of the connector list states Flink writes as framed `byte[]` (`SourceOperator`'s `SourceReaderState`,
 * `SinkWriterOperator`'s `writer_raw_states`, `CommitterOperator`'s `streaming_committer_raw_states`); null for every
 * other state.
 */
export function connectorCodec(info: StateMetaInfo): Codec | null {
  const element = info.serializers.VALUE_SERIALIZER?.class ?? '';
  if (!element.startsWith(BYTE_ARRAY)) return null;
  const decode =
    info.name === 'SourceReaderState'
      ? decodeSourceSplit
      : info.name === 'writer_raw_states'
        ? decodeSinkWriterState
        : info.name === 'streaming_committer_raw_states'
          ? decodeSinkCommitterState
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
  [[1], fileEnumerator],
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
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof ByteArray) {
    return JSON.stringify(value);
  }
  if (value.enumerator === 'number-sequence' && Array.isArray(value.remainingSplits)) {
    return `number-sequence enumerator, ${value.remainingSplits.length} splits not yet assigned`;
  }
  if (value.enumerator === 'file' && Array.isArray(value.pendingSplits) && Array.isArray(value.alreadyProcessedPaths)) {
    return `file enumerator, ${value.pendingSplits.length} splits not yet assigned, ${value.alreadyProcessedPaths.length} paths already processed`;
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
