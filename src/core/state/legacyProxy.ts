import type { JavaBlockData, JavaObject, JavaValue } from '../javaObjectStream';
import { DataInput } from './dataInput';
import { StateSchemaError } from './errors';
import { javaClassName, javaStreamAt, readJavaObject } from './javaSerialization';
import type { KeyedProxy, OperatorProxy, StateMetaInfo } from './proxy';
import { RAW_SHOWN, type SerializerSnapshotNode } from './serializerSnapshot';
import { MAX_OPTIONS, readMetaInfoHead } from './stateMetaInfo';

/**
 * The serialization proxies of Flink before 1.7 (keyed versions 1–5, operator versions 1–4), as Flink 1.7's
 * `StateMetaInfoSnapshotReadersWriters` and its legacy readers still read them. Serializers were Java-serialized
 * then (`TypeSerializerSerializationProxy`), next to a `TypeSerializerConfigSnapshot`; from version 3 both are
 * written by `writeSerializersAndConfigsWithResilience`: a count, an index of offsets and a length-prefixed buffer,
 * so one serializer that cannot be read never shifts the rest. Each serializer becomes a tree from its Java fields
 * (class, nested serializers, POJO field names, tuple or Kryo type, enum constants, Kryo registrations).
 *
 * Keyed: 1 and 2 (Flink 1.2) a serializer proxy for the key and per state `StateDescriptor.Type`, name, namespace
 * and state serializer proxies; 3 (1.3) the same with the resilient layout; 4 (1.4, 1.5) a key-group compression flag
 * first; 5 (1.6) the meta infos in the unified `StateMetaInfoSnapshot` format (name, backend state type, options,
 * serializer keys, then the serializers resilient). Operator: 1 (1.2) name, distribution mode and a Java-serialized
 * serializer; 2 (1.3, 1.4) the serializer resilient; 3 (1.5) broadcast states after the operator states (key and value
 * serializers); 4 (1.6) both in the unified format.
 */

/** `StateDescriptor.Type` of Flink before 1.7, by ordinal. */
const STATE_DESCRIPTOR_TYPES = ['UNKNOWN', 'VALUE', 'LIST', 'REDUCING', 'FOLDING', 'AGGREGATING', 'MAP'];
/** `OperatorStateHandle.Mode`, by ordinal. */
const DISTRIBUTION_MODES = ['SPLIT_DISTRIBUTE', 'UNION', 'BROADCAST'];
/** `TypeSerializerSerializationProxy.VERSION` and `TypeSerializerConfigSnapshotSerializationProxy.VERSION`. */
const SERIALIZER_PROXY_VERSION = 1;
const MAX_STATES = 32767;
const MAX_SERIALIZERS = 64;
const MAX_DEPTH = 32;

export const LEGACY_KEYED_VERSIONS = [1, 2, 3, 4, 5];
export const LEGACY_OPERATOR_VERSIONS = [1, 2, 3, 4];

export function readLegacyKeyedProxy(input: DataInput, version: number): KeyedProxy {
  const compressed = version >= 4 && input.bool('the key-group compression flag');
  const keySerializer =
    version >= 3 ? readResilient(input, 'the key serializer', 1)[0] : readSerializerProxy(input, 'the key serializer');
  const n = input.count('the number of keyed states', MAX_STATES, () => input.u16('the number of keyed states'));
  const states: StateMetaInfo[] = [];
  for (let i = 0; i < n; i++) {
    states.push(version >= 5 ? readUnifiedMetaInfo(input) : readKeyedMetaInfo(input, version));
  }
  return { version, compressed, keySerializer, states };
}

export function readLegacyOperatorProxy(input: DataInput, version: number): OperatorProxy {
  const read = (what: string): StateMetaInfo[] => {
    const n = input.count(`the number of ${what}`, MAX_STATES, () => input.u16(`the number of ${what}`));
    const states: StateMetaInfo[] = [];
    for (let i = 0; i < n; i++) {
      states.push(version >= 4 ? readUnifiedMetaInfo(input) : readOperatorMetaInfo(input, version));
    }
    return states;
  };
  const operatorStates = read('operator states');
  // Broadcast state came with Flink 1.5 (version 3).
  const broadcastStates = version >= 3 ? read('broadcast states') : [];
  return { version, compressed: false, operatorStates, broadcastStates };
}

function readKeyedMetaInfo(input: DataInput, version: number): StateMetaInfo {
  const offset = input.offset;
  const typeAt = input.offset;
  const ordinal = input.i32('a keyed state type');
  const type = STATE_DESCRIPTOR_TYPES[ordinal];
  if (type === undefined) throw new StateSchemaError('invalid', typeAt, `keyed state type ${ordinal} is unknown`);
  const name = input.utf('a state name');
  const [namespace, value] =
    version >= 3
      ? readResilient(input, `the serializers of '${name}'`, 2)
      : [
          readSerializerProxy(input, `the namespace serializer of '${name}'`),
          readSerializerProxy(input, `the state serializer of '${name}'`),
        ];
  return {
    name,
    backendStateType: 'KEY_VALUE',
    options: { KEYED_STATE_TYPE: type },
    serializers: { NAMESPACE_SERIALIZER: namespace, VALUE_SERIALIZER: value },
    offset,
  };
}

function readOperatorMetaInfo(input: DataInput, version: number): StateMetaInfo {
  const offset = input.offset;
  const name = input.utf('a state name');
  const modeAt = input.offset;
  const ordinal = input.u8(`the distribution mode of '${name}'`);
  const mode = DISTRIBUTION_MODES[ordinal];
  if (mode === undefined) {
    throw new StateSchemaError('invalid', modeAt, `distribution mode ${ordinal} of '${name}' is unknown`);
  }
  const options = { OPERATOR_STATE_DISTRIBUTION_MODE: mode };
  if (version === 1) {
    const value = readJavaSerializer(input, `the serializer of '${name}'`);
    return { name, backendStateType: 'OPERATOR', options, serializers: { VALUE_SERIALIZER: value }, offset };
  }
  const serializers = readResilient(input, `the serializers of '${name}'`, 2, 1);
  // One serializer is operator state, two (key and value) broadcast state: Flink's own way of telling them apart.
  return serializers.length === 1
    ? { name, backendStateType: 'OPERATOR', options, serializers: { VALUE_SERIALIZER: serializers[0] }, offset }
    : {
        name,
        backendStateType: 'BROADCAST',
        options,
        serializers: { KEY_SERIALIZER: serializers[0], VALUE_SERIALIZER: serializers[1] },
        offset,
      };
}

/** Meta-info version 5 (Flink 1.6): name, backend state type, options, serializer keys, then the serializers. */
function readUnifiedMetaInfo(input: DataInput): StateMetaInfo {
  const { offset, name, backendStateType, options } = readMetaInfoHead(input);
  const s = input.count(`the number of serializers of '${name}'`, MAX_OPTIONS);
  const keys: string[] = [];
  for (let i = 0; i < s; i++) keys.push(input.utf(`a serializer key of '${name}'`));
  const nodes = readResilient(input, `the serializers of '${name}'`, s, s);
  const serializers: Record<string, SerializerSnapshotNode> = {};
  keys.forEach((key, i) => (serializers[key] = nodes[i]));
  return { name, backendStateType, options, serializers, offset };
}

/**
 * `writeSerializersAndConfigsWithResilience`: the number of pairs, per pair the offsets of the serializer and of its
 * config snapshot in the buffer, the buffer's length, then the buffer. `max` bounds the pairs, `min` is what the
 * caller needs.
 */
function readResilient(input: DataInput, what: string, max: number, min = max): SerializerSnapshotNode[] {
  const n = input.count(`the number of ${what}`, Math.max(max, MAX_SERIALIZERS));
  if (n < min || n > max) {
    throw new StateSchemaError('invalid', input.offset - 4, `${n} ${what}, expected ${min}..${max}`);
  }
  const offsets: number[] = [];
  for (let k = 0; k < 2 * n; k++) offsets.push(input.i32(`an offset in ${what}`));
  const lengthAt = input.offset;
  const length = input.i32(`the length of ${what}`);
  if (length < 0) throw new StateSchemaError('invalid', lengthAt, `the length of ${what} is ${length}`);
  if (length > input.remaining) {
    throw new StateSchemaError(
      input.complete ? 'invalid' : 'truncated',
      lengthAt,
      `${what} (${length} bytes) run past the ${input.complete ? 'end of the file' : 'bytes read'}`,
    );
  }
  const bufferAt = input.pos;
  offsets.push(length);
  offsets.forEach((o, k) => {
    if (o < (k === 0 ? 0 : offsets[k - 1]) || o > length) {
      throw new StateSchemaError('invalid', lengthAt, `offset ${o} in ${what} is out of order or past its end`);
    }
  });
  const frame = (k: number) =>
    new DataInput(
      input.bytes.subarray(bufferAt + offsets[k], bufferAt + offsets[k + 1]),
      input.base + bufferAt + offsets[k],
      true,
    );
  const nodes: SerializerSnapshotNode[] = [];
  for (let i = 0; i < n; i++) {
    const bytes = frame(2 * i);
    let serializer: SerializerSnapshotNode;
    try {
      serializer = readSerializerProxy(bytes, what);
    } catch (error) {
      // The frame's length is known: what cannot be read in it is shown raw, and the pairs after it still read.
      if (!(error instanceof StateSchemaError)) throw error;
      serializer = rawNode(bytes.bytes, bytes.base, what);
    }
    nodes.push({ ...serializer, ...readConfigSnapshot(frame(2 * i + 1)) });
  }
  input.pos = bufferAt + length;
  return nodes;
}

/**
 * `TypeSerializerSerializationProxy`: its version, then the Java-serialized serializer, length-prefixed from Flink 1.3
 * on (1.2 wrote the stream bare).
 */
function readSerializerProxy(input: DataInput, what: string): SerializerSnapshotNode {
  const at = input.offset;
  const version = input.i32(`the serializer proxy version of ${what}`);
  if (version !== SERIALIZER_PROXY_VERSION) {
    throw new StateSchemaError('unsupported-version', at, `serializer proxy version ${version} of ${what}`);
  }
  if (javaStreamAt(input, input.pos)) return readJavaSerializer(input, what);
  const lengthAt = input.offset;
  const length = input.i32(`the length of ${what}`);
  if (length < 0) throw new StateSchemaError('invalid', lengthAt, `the length of ${what} is ${length}`);
  input.need(length, what);
  const frame = new DataInput(input.bytes.subarray(input.pos, input.pos + length), input.offset, true);
  input.pos += length;
  return readJavaSerializer(frame, what);
}

/**
 * One Java-serialized `TypeSerializer`. A stream the walker cannot read is shown by the class its first descriptor
 * names, with its raw bytes; in a frame of known length that never fails the read.
 */
function readJavaSerializer(input: DataInput, what: string): SerializerSnapshotNode {
  const offset = input.offset;
  const start = input.pos;
  try {
    const value = readJavaObject(input);
    const budget = { left: 8 * (input.pos - start) + 1024 };
    return nodeOf(value, offset, budget, 0) ?? { class: javaClassName(value) ?? 'null', version: 0, offset };
  } catch (error) {
    if (!(error instanceof StateSchemaError) || (error.code === 'truncated' && !input.complete)) throw error;
    const bytes = input.bytes.subarray(start);
    input.pos = input.bytes.length;
    return rawNode(bytes, offset, what);
  }
}

function rawNode(bytes: Uint8Array, offset: number, what: string): SerializerSnapshotNode {
  return {
    class: firstClassName(bytes) ?? `unreadable ${what}`,
    version: 0,
    offset,
    raw: Buffer.from(bytes.subarray(0, RAW_SHOWN)).toString('hex'),
    rawLength: bytes.length,
  };
}

/**
 * The class a Java stream's first object descriptor names: `AC ED 00 05 73 72`, then `writeUTF` (after the proxy
 * version and length in a serializer frame).
 */
function firstClassName(bytes: Uint8Array): string | null {
  const at = Buffer.from(bytes.subarray(0, 16)).indexOf(Buffer.from([0xac, 0xed, 0x00, 0x05, 0x73, 0x72]));
  if (at < 0) return null;
  const probe = new DataInput(bytes.subarray(at + 6), 0, true);
  try {
    return probe.utf('a class name');
  } catch {
    return null;
  }
}

/**
 * `TypeSerializerConfigSnapshotSerializationProxy`: its version, the config snapshot's class, then the snapshot's own
 * `write`, which starts with its version. What follows is what the Java-serialized serializer already shows.
 */
function readConfigSnapshot(frame: DataInput): Partial<SerializerSnapshotNode> {
  if (frame.remaining < 4 || frame.i32('the config snapshot proxy version') !== SERIALIZER_PROXY_VERSION) return {};
  try {
    const configSnapshot = frame.utf('the config snapshot class name');
    const version = frame.i32(`the version of ${configSnapshot}`);
    // Avro's serializer keeps its schema transient: only the config snapshot has it.
    if (configSnapshot === AVRO_CONFIG_SNAPSHOT) {
      return { configSnapshot, version, schema: frame.utf('the Avro schema') };
    }
    return { configSnapshot, version };
  } catch (error) {
    if (!(error instanceof StateSchemaError)) throw error;
    return {};
  }
}

/** Class-typed fields that name what a serializer serializes. */
const TYPE_FIELDS = ['tupleClass', 'clazz', 'type', 'componentClass', 'enumClass', 'typeClass'];
const AVRO_CONFIG_SNAPSHOT =
  'org.apache.flink.formats.avro.typeutils.AvroSerializer$AvroSchemaSerializerConfigSnapshot';
const POJO_SERIALIZER = 'org.apache.flink.api.java.typeutils.runtime.PojoSerializer';

/**
 * What one Java-serialized serializer may add to the tree, in characters: back-references let a few bytes name a long
 * class again and again, so the tree is bounded by a multiple of the stream's length, not by its counts.
 */
interface Budget {
  left: number;
}

function spend(budget: Budget, text: string): boolean {
  budget.left -= text.length + 48;
  return budget.left >= 0;
}

/** A serializer's tree from its Java fields; null for what is not an object or past the budget. */
function nodeOf(value: JavaValue, offset: number, budget: Budget, depth: number): SerializerSnapshotNode | null {
  if (value === null || typeof value !== 'object' || value.kind !== 'object') return null;
  if (!spend(budget, value.className) && depth > 0) return null;
  const node: { -readonly [K in keyof SerializerSnapshotNode]: SerializerSnapshotNode[K] } = {
    class: value.className,
    version: 0,
    offset,
  };
  if (depth >= MAX_DEPTH) return node;
  const f = value.fields;
  for (const name of TYPE_FIELDS) {
    const t = f.get(name);
    if (t !== null && typeof t === 'object' && t.kind === 'class' && spend(budget, t.name)) {
      node.type = t.name;
      break;
    }
  }
  const child = (v: JavaValue) => nodeOf(v, offset, budget, depth + 1);
  if (value.className === POJO_SERIALIZER) {
    const serializers = elements(f.get('fieldSerializers'));
    const fields: { name: string; serializer: SerializerSnapshotNode | null }[] = [];
    for (const name of pojoFieldNames(value)) {
      if (!spend(budget, name)) break;
      fields.push({ name, serializer: child(serializers[fields.length] ?? null) });
    }
    node.fields = fields;
  } else {
    const nested: SerializerSnapshotNode[] = [];
    const add = (v: JavaValue) => {
      const n = child(v);
      if (n !== null) nested.push(n);
    };
    for (const v of f.values()) {
      if (v === null || typeof v !== 'object') continue;
      if (v.kind === 'object' && /Serializer/.test(v.className)) add(v);
      else if (v.kind === 'array' && /Serializer/.test(v.className)) (v.elements ?? []).forEach(add);
    }
    if (nested.length > 0) node.nested = nested;
  }
  const constants = elements(f.get('values')).flatMap((e) =>
    e !== null && typeof e === 'object' && e.kind === 'enum' && spend(budget, e.constant) ? [e.constant] : [],
  );
  if (constants.length > 0) node.constants = constants;
  const registrations = mapKeys(f.get('kryoRegistrations')).filter((name) => spend(budget, name));
  if (registrations.length > 0) node.registrations = registrations;
  const schema = f.get('schemaString');
  if (typeof schema === 'string' && spend(budget, schema)) node.schema = schema;
  return node;
}

function elements(v: JavaValue | undefined): JavaValue[] {
  return v !== undefined && v !== null && typeof v === 'object' && v.kind === 'array' ? (v.elements ?? []) : [];
}

/** A `HashMap`'s keys (strings), as its `writeObject` wrote them: capacity and size, then each key and value. */
function mapKeys(v: JavaValue | undefined): string[] {
  if (v === undefined || v === null || typeof v !== 'object' || v.kind !== 'object') return [];
  const contents = (v.annotations ?? []).filter((a): a is JavaValue => !isBlock(a));
  return contents.filter((c, i): c is string => i % 2 === 0 && typeof c === 'string');
}

/**
 * `PojoSerializer.writeObject` wrote the field count and per field its declaring class (an object) and name
 * (`writeUTF`): the primitive parts run on across the blocks between the classes.
 */
function pojoFieldNames(pojo: JavaObject): string[] {
  const blocks = (pojo.annotations ?? []).filter(isBlock).map((b) => b.bytes);
  const joined = new DataInput(new Uint8Array(Buffer.concat(blocks)), 0, true);
  try {
    const n = joined.count('the number of POJO fields', joined.remaining);
    const names: string[] = [];
    for (let i = 0; i < n; i++) names.push(joined.utf('a POJO field name'));
    return names;
  } catch (error) {
    if (!(error instanceof StateSchemaError)) throw error;
    return [];
  }
}

function isBlock(v: JavaValue | JavaBlockData): v is JavaBlockData {
  return v !== null && typeof v === 'object' && v.kind === 'block';
}
