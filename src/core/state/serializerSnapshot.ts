import { DataInput } from './dataInput';
import { StateSchemaError } from './errors';
import { javaStreamAt, readJavaObject, skipJavaObject } from './javaSerialization';
import { logicalTypeOf, readLogicalType, type LogicalTypeNode } from './logicalType';

/**
 * A decoded `TypeSerializerSnapshot`: what Flink wrote with `TypeSerializerSnapshot#writeVersionedSnapshot`
 * (the snapshot's class name, its version, then its own payload). Payloads of the snapshots Flink ships are decoded
 * into their parts; any other class keeps its payload as raw bytes, so one unknown serializer never hides the rest.
 */
export interface SerializerSnapshotNode {
  /** The snapshot class, as Flink names it (`…StringSerializer$StringSerializerSnapshot`). */
  readonly class: string;
  readonly version: number;
  /** Where the snapshot's class name starts in the state file. */
  readonly offset: number;
  /** The type it serializes, where the snapshot names it: tuple, POJO, enum, Kryo or Avro class, array component. */
  readonly type?: string;
  /** Nested serializer snapshots of a composite (`CompositeTypeSerializerSnapshot`): Tuple, Row, List, Map, Array, …. */
  readonly nested?: readonly SerializerSnapshotNode[];
  /** POJO fields in Flink's order; `serializer` is null when Flink wrote none for the field. */
  readonly fields?: readonly { readonly name: string; readonly serializer: SerializerSnapshotNode | null }[];
  readonly constants?: readonly string[];
  /** Avro: the writer schema. */
  readonly schema?: string;
  /** Kryo: the registered classes, in registration order. */
  readonly registrations?: readonly string[];
  /** Kryo: 5 when Flink 2.x wrote the values (the snapshot is the same as 1.x's, whose Kryo is 2.24); not read. */
  readonly kryoGeneration?: KryoGeneration;
  /** Table API snapshots: the `LogicalType`s of a RowData's fields, an ArrayData's element, a MapData's key and value. */
  readonly logicalTypes?: readonly LogicalTypeNode[];
  /**
   * Before Flink 1.7, where `class` is the Java-serialized serializer: the `TypeSerializerConfigSnapshot` class written
   * beside it (`version` is that snapshot's).
   */
  readonly configSnapshot?: string;
  /** Payload bytes not decoded (hex, at most {@link RAW_SHOWN} bytes of them), and how many there were. */
  readonly raw?: string;
  readonly rawLength?: number;
}

/** The Kryo major version a snapshot's values were written with. */
export type KryoGeneration = 2 | 5;

/** `CompositeTypeSerializerSnapshot.MAGIC_NUMBER`. */
const COMPOSITE_MAGIC = 911108;
/** `NestedSerializersSnapshotDelegate.MAGIC_NUMBER`. */
const NESTED_MAGIC = 1333245;
/** `LinkedOptionalMapSerializer.HEADER`. */
const OPTIONAL_MAP_HEADER = 0x4f2c69a3d70n;
/**
 * `TypeSerializerConfigSnapshot.ADAPTER_VERSION`: the version a pre-1.8 style config snapshot (Flink 1.7 wrote them
 * for most serializers, Scala's among them) is written under, whatever its class.
 */
const CONFIG_SNAPSHOT_ADAPTER_VERSION = 0x7a53c4f0;
/** `TypeSerializerSerializationUtil.TypeSerializerSerializationProxy.VERSION`. */
const SERIALIZER_PROXY_VERSION = 1;
/** Raw payload bytes kept per unknown snapshot: enough to recognise it, never a large allocation. */
export const RAW_SHOWN = 256;
/** How far an unknown payload is searched for its end; past this it is reported as running to the end of the read. */
const RESYNC_LIMIT = 64 * 1024;
const MAX_NESTED = 1024;
const MAX_DEPTH = 64;

/** Keys of the serializer map in a `StateMetaInfoSnapshot` (`CommonSerializerKeys`). */
export const SERIALIZER_KEYS = new Set(['KEY_SERIALIZER', 'NAMESPACE_SERIALIZER', 'VALUE_SERIALIZER']);

const JAVA_CLASS = /^(?:[A-Za-z_$][\w$]*\.)+[A-Za-z_$][\w$]*$/;

/**
 * Where the bytes after a snapshot may plausibly continue, for finding the end of a payload nobody can decode:
 * `index` is an index into the input's bytes.
 */
export type Continuation = (input: DataInput, index: number) => boolean;

/** Another versioned snapshot (a sibling in a composite): a Java class name, then a small version. */
export const versionedSnapshotAt: Continuation = (input, index) => {
  const name = input.utfAt(index, (s) => JAVA_CLASS.test(s));
  if (name === null) return false;
  const version = input.i32At(index + 2 + utf8Length(input, index));
  return version !== null && version >= 0 && version <= 1000;
};

function utf8Length(input: DataInput, index: number): number {
  return (input.bytes[index] << 8) | input.bytes[index + 1];
}

/** Reads `TypeSerializerSnapshotSerializationUtil.writeSerializerSnapshot`: a proxy version, then a versioned snapshot. */
export function readSerializerSnapshot(input: DataInput, continuation: Continuation): SerializerSnapshotNode {
  const at = input.offset;
  const proxyVersion = input.i32('the serializer snapshot proxy version');
  // Version 1 (Flink < 1.7) wrapped Java-serialized serializers; every line from 1.8 on writes 2.
  if (proxyVersion !== 2) {
    throw new StateSchemaError(
      'unsupported-version',
      at,
      `serializer snapshot proxy version ${proxyVersion} is not supported (Flink writes 2)`,
    );
  }
  return readVersionedSnapshot(input, continuation, 0);
}

/** Reads `TypeSerializerSnapshot.writeVersionedSnapshot`: class name, version, payload. */
export function readVersionedSnapshot(
  input: DataInput,
  continuation: Continuation,
  depth: number,
): SerializerSnapshotNode {
  const offset = input.offset;
  if (depth > MAX_DEPTH) {
    throw new StateSchemaError('invalid', offset, `serializer snapshots nested deeper than ${MAX_DEPTH}`);
  }
  const cls = input.utf('the serializer snapshot class name');
  if (!JAVA_CLASS.test(cls)) {
    throw new StateSchemaError('invalid', offset, `'${cls.slice(0, 80)}' is not a serializer snapshot class name`);
  }
  const version = input.i32(`the version of ${cls}`);
  const head = { class: cls, version, offset };
  if (version === CONFIG_SNAPSHOT_ADAPTER_VERSION) {
    return { ...head, ...readConfigSnapshot(input, depth, cls, continuation) };
  }
  const decode = DECODERS.get(cls);
  if (decode) return { ...head, ...decode(input, version, depth, cls, continuation) };
  if (input.i32At(input.pos) === COMPOSITE_MAGIC) {
    return { ...head, ...readComposite(input, depth, cls, continuation, null) };
  }
  // Snapshots that hold a `NestedSerializersSnapshotDelegate` of their own (Scala's Either, Option, Try of Flink 1.7).
  if (input.i32At(input.pos) === NESTED_MAGIC) {
    return { ...head, nested: readNestedSnapshots(input, depth, cls, continuation) };
  }
  return { ...head, ...readUnknownPayload(input, continuation) };
}

type Decoder = (
  input: DataInput,
  version: number,
  depth: number,
  cls: string,
  continuation: Continuation,
) => Partial<SerializerSnapshotNode>;

/**
 * `CompositeTypeSerializerSnapshot`: magic, outer version, the subclass's outer snapshot, then the nested snapshots.
 * `outer` reads the outer snapshot of the classes known here; for any other the outer bytes run to the nested magic.
 */
function readComposite(
  input: DataInput,
  depth: number,
  cls: string,
  continuation: Continuation,
  outer: ((input: DataInput) => Partial<SerializerSnapshotNode>) | null,
): Partial<SerializerSnapshotNode> {
  const at = input.offset;
  if (input.i32('the composite serializer snapshot magic number') !== COMPOSITE_MAGIC) {
    throw new StateSchemaError(
      'invalid',
      at,
      `${cls} does not start with the composite serializer snapshot magic number`,
    );
  }
  input.i32(`the outer snapshot version of ${cls}`);
  let parts: Partial<SerializerSnapshotNode> = {};
  if (outer) {
    parts = outer(input);
  } else {
    const start = input.pos;
    skipJavaObjects(input);
    const end = findForward(input, input.pos, (i) => input.i32At(i) === NESTED_MAGIC);
    if (end === null) {
      throw new StateSchemaError(
        'invalid',
        input.offset,
        `no nested serializer snapshots follow the outer snapshot of ${cls}`,
      );
    }
    if (end > start) parts = rawOf(input.bytes.subarray(start, end));
    input.pos = end;
  }
  return { ...parts, nested: readNestedSnapshots(input, depth, cls, continuation) };
}

function readNestedSnapshots(
  input: DataInput,
  depth: number,
  cls: string,
  continuation: Continuation,
): SerializerSnapshotNode[] {
  const at = input.offset;
  if (input.i32('the nested serializer snapshots magic number') !== NESTED_MAGIC) {
    throw new StateSchemaError(
      'invalid',
      at,
      `the nested serializer snapshots of ${cls} do not start with their magic number`,
    );
  }
  const version = input.i32('the nested serializer snapshots version');
  if (version !== 1) {
    throw new StateSchemaError(
      'unsupported-version',
      at + 4,
      `nested serializer snapshots version ${version} is not supported (Flink writes 1)`,
    );
  }
  const n = input.count(`the number of nested serializers of ${cls}`, MAX_NESTED);
  const nested: SerializerSnapshotNode[] = [];
  // A nested snapshot is followed by its sibling or, the last one, by whatever follows the composite.
  const next: Continuation = (inp, i) => versionedSnapshotAt(inp, i) || continuation(inp, i);
  for (let k = 0; k < n; k++) nested.push(readVersionedSnapshot(input, next, depth + 1));
  return nested;
}

function findForward(input: DataInput, start: number, match: (index: number) => boolean): number | null {
  const last = Math.min(input.bytes.length, start + RESYNC_LIMIT);
  for (let i = start; i <= last; i++) if (match(i)) return i;
  return null;
}

/**
 * A payload no decoder knows: it ends where a plausible continuation starts (most such snapshots, the simple ones
 * among them, write nothing at all). With none in reach the payload is taken to run to the end of what was read.
 */
function readUnknownPayload(input: DataInput, continuation: Continuation): Partial<SerializerSnapshotNode> {
  const start = input.pos;
  try {
    skipJavaObjects(input);
  } catch (error) {
    // Bytes that only look like a Java stream: searched through like any other payload. Too few bytes may be read.
    if (!(error instanceof StateSchemaError) || error.code === 'truncated') throw error;
    input.pos = start;
  }
  const end =
    findForward(input, input.pos, (i) => (i === input.bytes.length && input.complete) || continuation(input, i)) ??
    Math.min(input.bytes.length, start + RESYNC_LIMIT);
  input.pos = end;
  return end > start ? rawOf(input.bytes.subarray(start, end)) : {};
}

/**
 * Skips the Java-serialized objects (`InstantiationUtil.serializeObject`, each its own stream) at the reader's position:
 * their bytes may look like anything, a snapshot class name or a magic number among them.
 */
function skipJavaObjects(input: DataInput, max = MAX_NESTED): string[] {
  const classes: string[] = [];
  while (classes.length < max && javaStreamAt(input, input.pos)) classes.push(skipJavaObject(input) ?? 'null');
  return classes;
}

function rawOf(bytes: Uint8Array): Partial<SerializerSnapshotNode> {
  return { raw: Buffer.from(bytes.subarray(0, RAW_SHOWN)).toString('hex'), rawLength: bytes.length };
}

/** `LinkedOptionalMapSerializer.writeOptionalMap`: each entry a name, then an optional framed key and value. */
function readOptionalMap<V>(
  input: DataInput,
  what: string,
  readValue: ((frame: DataInput) => V) | null,
): { name: string; value: V | null }[] {
  const at = input.offset;
  if (input.i64(`the header of ${what}`) !== OPTIONAL_MAP_HEADER) {
    throw new StateSchemaError('invalid', at, `${what} does not start with Flink's optional-map header`);
  }
  const n = input.count(`the number of ${what}`, MAX_NESTED);
  const entries: { name: string; value: V | null }[] = [];
  for (let i = 0; i < n; i++) {
    const name = input.utf(`a name in ${what}`);
    if (input.bool(`the key flag in ${what}`)) skipFrame(input, what);
    let value: V | null = null;
    if (input.bool(`the value flag in ${what}`)) {
      const length = frameLength(input, what);
      const frame = new DataInput(input.bytes.subarray(input.pos, input.pos + length), input.offset, true);
      if (readValue) {
        try {
          value = readValue(frame);
        } catch (error) {
          if (!(error instanceof StateSchemaError)) throw error;
        }
      }
      input.pos += length;
    }
    entries.push({ name, value });
  }
  return entries;
}

function skipFrame(input: DataInput, what: string): void {
  input.skip(frameLength(input, what), `a frame in ${what}`);
}

/**
 * The length of a frame, which must lie within what was read: past a partial head the frame is truncated (a longer
 * read may hold it), past the end of the file it is invalid.
 */
function frameLength(input: DataInput, what: string): number {
  const at = input.offset;
  const length = input.i32(`the frame length in ${what}`);
  if (length < 0) throw new StateSchemaError('invalid', at, `the frame length in ${what} is ${length}`);
  if (length > input.remaining) {
    throw new StateSchemaError(
      input.complete ? 'invalid' : 'truncated',
      at,
      `a frame of ${length} bytes in ${what} runs past the ${input.complete ? 'end of the file' : 'bytes read'}`,
    );
  }
  return length;
}

const endOfFrame: Continuation = (input, index) => index === input.bytes.length;

/**
 * `SimpleTypeSerializerSnapshot`s write nothing since Flink 1.8 (version 3); version 2 (Flink 1.7) wrote the
 * serializer's class name.
 */
const simpleNone: Decoder = (input, version) => {
  if (version === 2 && input.utfAt(input.pos, (s) => JAVA_CLASS.test(s)) !== null) {
    input.utf('the serializer class name');
  }
  return {};
};

/**
 * A `TypeSerializerConfigSnapshot` under the adapter version: the prior serializer Java-serialized in a
 * `TypeSerializerSerializationProxy` (version, length, bytes), then the config snapshot's own `write`: its version and,
 * for the composite ones (`CompositeTypeSerializerConfigSnapshot`: tuples, Scala case classes, collections, …), the
 * nested serializers and their snapshots as `writeSerializersAndConfigsWithResilience` wrote them (a count, an index of
 * offsets, the length, then the buffer), then what the subclass adds (a composite: a Java-serialized tuple or array component class, if anything).
 */
function readConfigSnapshot(
  input: DataInput,
  depth: number,
  cls: string,
  continuation: Continuation,
): Partial<SerializerSnapshotNode> {
  const at = input.offset;
  if (input.i32('the serializer proxy version') !== SERIALIZER_PROXY_VERSION) {
    throw new StateSchemaError('invalid', at, 'a legacy serializer config snapshot does not hold its serializer');
  }
  skipFrame(input, 'the Java-serialized serializer of a legacy config snapshot');
  const configVersion = input.i32('the version of a legacy config snapshot');
  const own = CONFIG_DECODERS.get(cls);
  if (own) return own(input, configVersion);
  const nested = readResilientNested(input, depth);
  const start = input.pos;
  const [type] = skipJavaObjects(input);
  // A composite adds at most Java-serialized classes; any other config snapshot's own bytes are not known here.
  const rest = nested ? {} : readUnknownPayload(input, continuation);
  const raw = input.pos > start ? rawOf(input.bytes.subarray(start, input.pos)) : rest;
  return { ...(type !== undefined && type !== 'null' ? { type } : {}), ...(nested ? { nested } : {}), ...raw };
}

type ConfigDecoder = (input: DataInput, version: number) => Partial<SerializerSnapshotNode>;

/** `KryoRegistration.SerializerDefinitionType` ordinals. */
const KRYO_SERIALIZER_UNSPECIFIED = 0;
const KRYO_SERIALIZER_CLASS = 1;
const KRYO_SERIALIZER_INSTANCE = 2;

/** Legacy config snapshots that are not composites, by class: what their `write` adds after its version. */
const CONFIG_DECODERS = new Map<string, ConfigDecoder>([
  [
    // `KryoRegistrationSerializerConfigSnapshot`: the type, then per registration its tag, class and serializer.
    'org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializer$KryoSerializerConfigSnapshot',
    (input) => {
      const type = input.utf('the Kryo type class name');
      const n = input.count(`the number of Kryo registrations of ${type}`, MAX_NESTED);
      const registrations: string[] = [];
      for (let i = 0; i < n; i++) {
        input.utf(`a Kryo registration tag of ${type}`);
        registrations.push(input.utf(`a Kryo registered class of ${type}`));
        const at = input.offset;
        const definition = input.i32(`the serializer definition type of a Kryo registration of ${type}`);
        if (definition === KRYO_SERIALIZER_CLASS) input.utf(`a Kryo serializer class of ${type}`);
        else if (definition === KRYO_SERIALIZER_INSTANCE) skipJavaObject(input);
        else if (definition !== KRYO_SERIALIZER_UNSPECIFIED) {
          throw new StateSchemaError('invalid', at, `Kryo serializer definition type ${definition} is unknown`);
        }
      }
      return { type, registrations };
    },
  ],
  [
    'org.apache.flink.api.scala.typeutils.EnumValueSerializer$ScalaEnumSerializerConfigSnapshot',
    // Version 1 wrote the enumeration's class and a null, both Java-serialized, and no values.
    (input, version) => (version === 1 ? { type: skipJavaObjects(input, 2)[0] } : scalaEnumeration(input)),
  ],
]);

/** A Scala `Enumeration`: its class, then each value's name and id (shown as `name=id`). */
function scalaEnumeration(input: DataInput): Partial<SerializerSnapshotNode> {
  const type = input.utf('the Scala enumeration class name');
  const n = input.count(`the number of values of ${type}`, 65536);
  const constants: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = input.utf(`a value of ${type}`);
    constants.push(`${name}=${input.i32(`the id of ${name} in ${type}`)}`);
  }
  return { type, constants };
}

/** `writeSerializersAndConfigsWithResilience`, or null (nothing read) where the bytes are not laid out that way. */
function readResilientNested(input: DataInput, depth: number): SerializerSnapshotNode[] | null {
  const n = input.i32At(input.pos);
  if (n === null || n < 0 || n > MAX_NESTED || input.remaining < 8 + 8 * n) return null;
  const offsets: number[] = [];
  for (let k = 0; k <= 2 * n; k++) offsets.push(input.i32At(input.pos + 4 + 4 * k)!);
  const length = offsets[2 * n];
  const ordered = offsets.every((o, k) => (k === 0 ? o === 0 : o >= offsets[k - 1]));
  const bufferAt = input.pos + 8 + 8 * n;
  if (!ordered || length > input.bytes.length - bufferAt) return null;
  const nested: SerializerSnapshotNode[] = [];
  for (let k = 0; k < n; k++) {
    const from = bufferAt + offsets[2 * k + 1];
    const to = bufferAt + offsets[2 * k + 2];
    const frame = new DataInput(input.bytes.subarray(from, to), input.base + from, true);
    nested.push(readSerializerSnapshotAt(frame, depth + 1));
  }
  input.pos = bufferAt + length;
  return nested;
}

function readSerializerSnapshotAt(frame: DataInput, depth: number): SerializerSnapshotNode {
  const at = frame.offset;
  const proxyVersion = frame.i32('the serializer snapshot proxy version');
  if (proxyVersion !== 2) {
    throw new StateSchemaError('unsupported-version', at, `serializer snapshot proxy version ${proxyVersion}`);
  }
  return readVersionedSnapshot(frame, endOfFrame, depth);
}

const pojo: Decoder = (input, version, depth, _cls, continuation) => {
  if (version < 2) return readUnknownPayload(input, continuation);
  const type = input.utf('the POJO class name');
  const fields = readOptionalMap(input, `the fields of ${type}`, (frame) =>
    readVersionedSnapshot(frame, endOfFrame, depth + 1),
  ).map((f) => ({ name: f.name, serializer: f.value }));
  readOptionalMap(input, `the registered subclasses of ${type}`, null);
  readOptionalMap(input, `the non-registered subclasses of ${type}`, null);
  return { type, fields };
};

const enumSnapshot: Decoder = (input) => {
  const type = input.utf('the enum class name');
  const n = input.count(`the number of constants of ${type}`, 65536);
  const constants: string[] = [];
  for (let i = 0; i < n; i++) constants.push(input.utf(`a constant of ${type}`));
  return { type, constants };
};

const kryo: Decoder = (input, version, _depth, _cls, continuation) => {
  if (version !== 2) return readUnknownPayload(input, continuation);
  const type = input.utf('the Kryo type class name');
  const registrations = readOptionalMap(input, `the Kryo registrations of ${type}`, null).map((e) => e.name);
  readOptionalMap(input, `the default Kryo serializers of ${type}`, null);
  readOptionalMap(input, `the default Kryo serializer classes of ${type}`, null);
  return { type, registrations };
};

/**
 * `AvroSerializerSnapshot`: version 1 wrote the schema only, 2 the schema and then the runtime type (`writeUTF`, at
 * most 64 KiB each), 3 the runtime type and then the schema as Flink strings (no such limit).
 */
const avro: Decoder = (input, version, _depth, _cls, continuation) => {
  switch (version) {
    case 1:
      return { schema: input.utf('the Avro schema') };
    case 2: {
      const schema = input.utf('the Avro schema');
      return { type: input.utf('the Avro runtime type'), schema };
    }
    case 3: {
      const type = input.flinkString('the Avro runtime type') ?? undefined;
      const schema = input.flinkString('the Avro schema') ?? undefined;
      return { type, schema };
    }
    default:
      return readUnknownPayload(input, continuation);
  }
};

/**
 * `RowDataSerializerSnapshot` (Table API state): the field count, each field's `LogicalType` Java-serialized (no length
 * is written: the Java streams are walked to their end), then the fields' serializer snapshots.
 */
const rowData: Decoder = (input, _version, depth, cls, continuation) => {
  const fields = input.count(`the number of fields of ${cls}`, MAX_NESTED);
  const start = input.pos;
  const logicalTypes = readLogicalTypes(input, fields);
  const end = findForward(input, input.pos, (i) => input.i32At(i) === NESTED_MAGIC);
  if (end === null) return readUnknownPayload(input, continuation);
  const undecoded = logicalTypes === null || end > input.pos ? rawOf(input.bytes.subarray(start, end)) : {};
  input.pos = end;
  const nested = readNestedSnapshots(input, depth, cls, continuation);
  if (nested.length !== fields) {
    throw new StateSchemaError('invalid', input.offset, `${cls} has ${fields} fields but ${nested.length} serializers`);
  }
  return { ...(logicalTypes !== null ? { logicalTypes } : {}), ...undecoded, nested };
};

/**
 * `n` Java-serialized `LogicalType`s, or null (the streams skipped) where one of them cannot be read as a logical
 * type: the snapshot's serializers after them are still read.
 */
function readLogicalTypes(input: DataInput, n: number): LogicalTypeNode[] | null {
  const start = input.pos;
  const types: LogicalTypeNode[] = [];
  try {
    for (let i = 0; i < n && javaStreamAt(input, input.pos); i++) types.push(readLogicalType(input));
    if (types.length === n) return types;
  } catch (error) {
    if (!(error instanceof StateSchemaError) || error.code === 'truncated') throw error;
  }
  input.pos = start;
  skipJavaObjects(input, n);
  return null;
}

/** `DecimalDataSerializer`'s snapshot: the precision and scale. */
const decimalData: Decoder = (input) => {
  const precision = input.i32('the DECIMAL precision');
  const scale = input.i32('the DECIMAL scale');
  const type = `DECIMAL(${precision}, ${scale})`;
  return { logicalTypes: [{ type, root: 'DECIMAL', nullable: true, precision, scale }] };
};

/** `TimestampDataSerializer`'s snapshot: the precision. */
const timestampData: Decoder = (input) => {
  const precision = input.i32('the TIMESTAMP precision');
  const type = `TIMESTAMP(${precision})`;
  return { logicalTypes: [{ type, root: 'TIMESTAMP_WITHOUT_TIME_ZONE', nullable: true, precision }] };
};

/**
 * `ExternalSerializerSnapshot` (the keys and values of SQL data views): its outer snapshot is the Java-serialized
 * `DataType`, whose `LogicalType` it shows; the internal serializer follows as its nested snapshot.
 */
/** To the nested snapshots' magic number (what an outer snapshot leaves after its Java objects), where there is one. */
function toNested(input: DataInput): void {
  const end = findForward(input, input.pos, (k) => input.i32At(k) === NESTED_MAGIC);
  if (end !== null) input.pos = end;
}

const externalData: Decoder = (input, _version, depth, cls, continuation) =>
  readComposite(input, depth, cls, continuation, (i) => {
    const start = i.pos;
    try {
      const dataType = readJavaObject(i);
      const logicalType =
        dataType !== null && typeof dataType === 'object' && dataType.kind === 'object'
          ? dataType.fields.get('logicalType')
          : undefined;
      toNested(i);
      return logicalType === undefined ? {} : { logicalTypes: [logicalTypeOf(logicalType, 0)] };
    } catch (error) {
      // not a DataType this reader can walk: skipped like any outer snapshot, the nested snapshot still read
      if (!(error instanceof StateSchemaError) || error.code === 'truncated') throw error;
      i.pos = start;
      skipJavaObjects(i);
      toNested(i);
      return {};
    }
  });

/**
 * `SortedMapSerializerSnapshot` (the sorted map of a retracting Top-N): its comparator Java-serialized (generated
 * code), then its key and value serializers.
 */
const sortedMap: Decoder = (input, _version, depth, cls, continuation) => {
  const start = input.pos;
  skipJavaObjects(input, 1);
  const end = findForward(input, input.pos, (i) => input.i32At(i) === NESTED_MAGIC);
  if (end === null) {
    input.pos = start;
    return readUnknownPayload(input, continuation);
  }
  const undecoded = end > input.pos ? rawOf(input.bytes.subarray(input.pos, end)) : {};
  input.pos = end;
  return { ...undecoded, nested: readNestedSnapshots(input, depth, cls, continuation) };
};

/**
 * `ArrayDataSerializer` and `MapDataSerializer` snapshots: their logical types (element; key and value), then their
 * serializers, all Java-serialized.
 */
const containerData =
  (types: number): Decoder =>
  (input) => {
    const logicalTypes: LogicalTypeNode[] = [];
    for (let i = 0; i < types; i++) logicalTypes.push(readLogicalType(input));
    skipJavaObjects(input, types);
    return { logicalTypes };
  };

const withOuterClass =
  (what: string): Decoder =>
  (input, _version, depth, cls, continuation) =>
    readComposite(input, depth, cls, continuation, (i) => ({ type: i.utf(what) }));
const compositeNoOuter: Decoder = (input, _version, depth, cls, continuation) =>
  readComposite(input, depth, cls, continuation, () => ({}));

const BASE = 'org.apache.flink.api.common.typeutils.base.';
const RUNTIME = 'org.apache.flink.api.java.typeutils.runtime.';

const DECODERS = new Map<string, Decoder>([
  ...[
    'String',
    'Long',
    'Integer',
    'Int',
    'Short',
    'Byte',
    'Boolean',
    'Double',
    'Float',
    'Char',
    'Void',
    'Date',
    'SqlDate',
    'SqlTime',
    'SqlTimestamp',
    'BigInteger',
    'BigDecimal',
    'Instant',
    'LocalDate',
    'LocalTime',
    'LocalDateTime',
    'BooleanValue',
    'ByteValue',
    'CharValue',
    'DoubleValue',
    'FloatValue',
    'IntValue',
    'LongValue',
    'NullValue',
    'ShortValue',
    'StringValue',
  ].map((t): [string, Decoder] => [`${BASE}${t}Serializer$${t}SerializerSnapshot`, simpleNone]),
  ['org.apache.flink.runtime.state.VoidNamespaceSerializer$VoidNamespaceSerializerSnapshot', simpleNone],
  // Simple snapshots with no payload: Java serialization, windows, Table API strings and nulls.
  ['org.apache.flink.runtime.state.JavaSerializer$JavaSerializerSnapshot', simpleNone],
  [
    'org.apache.flink.streaming.api.windowing.windows.GlobalWindow$Serializer$GlobalWindowSerializerSnapshot',
    simpleNone,
  ],
  ['org.apache.flink.streaming.api.windowing.windows.TimeWindow$Serializer$TimeWindowSerializerSnapshot', simpleNone],
  ['org.apache.flink.table.runtime.typeutils.StringDataSerializer$StringDataSerializerSnapshot', simpleNone],
  ['org.apache.flink.table.dataview.NullSerializer$NullSerializerSnapshot', simpleNone],
  ['org.apache.flink.table.runtime.typeutils.RowDataSerializer$RowDataSerializerSnapshot', rowData],
  ['org.apache.flink.table.runtime.typeutils.DecimalDataSerializer$DecimalSerializerSnapshot', decimalData],
  ['org.apache.flink.table.runtime.typeutils.TimestampDataSerializer$TimestampDataSerializerSnapshot', timestampData],
  ['org.apache.flink.table.runtime.typeutils.ArrayDataSerializer$ArrayDataSerializerSnapshot', containerData(1)],
  ['org.apache.flink.table.runtime.typeutils.MapDataSerializer$MapDataSerializerSnapshot', containerData(2)],
  ['org.apache.flink.table.runtime.typeutils.SortedMapSerializerSnapshot', sortedMap],
  ['org.apache.flink.table.runtime.typeutils.ExternalSerializer$ExternalSerializerSnapshot', externalData],
  ['org.apache.flink.api.scala.typeutils.ScalaCaseClassSerializerSnapshot', withOuterClass('the case class name')],
  ['org.apache.flink.api.scala.typeutils.ScalaEnumSerializerSnapshot', (input) => scalaEnumeration(input)],
  [
    'org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer$BytePrimitiveArraySerializerSnapshot',
    simpleNone,
  ],
  [`${RUNTIME}PojoSerializerSnapshot`, pojo],
  [`${BASE}EnumSerializer$EnumSerializerSnapshot`, enumSnapshot],
  [`${RUNTIME}kryo.KryoSerializerSnapshot`, kryo],
  ['org.apache.flink.formats.avro.typeutils.AvroSerializerSnapshot', avro],
  [`${RUNTIME}TupleSerializerSnapshot`, withOuterClass('the tuple class name')],
  [`${BASE}GenericArraySerializerSnapshot`, withOuterClass('the array component class name')],
  [`${BASE}ListSerializerSnapshot`, compositeNoOuter],
  [`${BASE}MapSerializerSnapshot`, compositeNoOuter],
  ['org.apache.flink.streaming.api.operators.TimerSerializerSnapshot', compositeNoOuter],
]);
