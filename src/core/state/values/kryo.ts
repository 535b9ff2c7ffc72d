import type { DataInput } from '../dataInput';
import { StateSchemaError } from '../errors';
import type { KryoGeneration } from '../serializerSnapshot';
import type { StateValue } from './decode';

/**
 * What Flink's `KryoSerializer` writes: `Kryo#writeClassAndObject` with reference tracking on (Flink enables it in
 * 1.x and 2.x), so a class tag (`DefaultClassResolver`: 0 null, 1 a class by name, n + 2 registration id n), then for
 * objects other than boxed primitives a reference marker (0 null, 1 a new object, n + 2 the n-th object seen), then
 * the object by its serializer. Kryo's own shapes are decoded: its default registrations (boxed primitives and
 * String) and the JDK collections and maps its default serializers write, with their elements' classes, in both
 * generations: Kryo 2.24 (Flink 1.x) and Kryo 5 (Flink 2.x), whose `CollectionSerializer` may write the elements'
 * class once for all, whose sorted collections and maps write their comparator after the size, and whose fixed-size
 * numbers are little-endian. A shared object (a reference) shows as the value it refers to. A class written by
 * Kryo's `FieldSerializer` (a user class) or `EnumSerializer` carries no field or constant names, so its value stops
 * here with {@link KryoStop}: the caller shows the bytes or, where nothing bounds the value, stops reading.
 */
export class KryoStop extends StateSchemaError {
  constructor(
    offset: number,
    readonly className: string,
    readonly valueStart: number,
    message: string,
    /** The value stopped at a class Kryo wrote that is not decoded here, not at bytes Kryo would not write. */
    readonly atClass = false,
  ) {
    super('invalid', offset, message);
  }
}

/** Kryo's default registrations, ids 0..9 (the same in Kryo 2.24 of Flink 1.x and Kryo 5 of Flink 2.x). */
const DEFAULTS = ['int', 'String', 'float', 'boolean', 'byte', 'char', 'short', 'long', 'double', 'void'];
/** Boxed primitives: Kryo tracks no references for them, so no marker follows their class. */
const WRAPPERS = new Set(['int', 'float', 'boolean', 'byte', 'char', 'short', 'long', 'double', 'void']);
/**
 * The registration id of the first class of the serializer's snapshot (the type itself), after the classes Flink
 * registers for every Kryo instance (`FlinkChillPackageRegistrar`, ids 73 to 84): the same from 1.15 to 2.x.
 */
const FIRST_REGISTERED = 85;
const FLINK_REGISTERED = [
  'java.util.Arrays$ArrayList',
  'java.util.BitSet',
  'java.util.PriorityQueue',
  'java.util.regex.Pattern',
  'java.sql.Date',
  'java.sql.Time',
  'java.sql.Timestamp',
  'java.net.URI',
  'java.net.InetSocketAddress',
  'java.util.UUID',
  'java.util.Locale',
  'java.text.SimpleDateFormat',
];
const FIRST_FLINK_REGISTERED = 73;
const ARRAYS_AS_LIST = 'java.util.Arrays$ArrayList';
const MAX_DEPTH = 64;
const MAX_ELEMENTS = 1 << 24;

const COLLECTIONS = new Set([
  'java.util.ArrayList',
  'java.util.LinkedList',
  'java.util.HashSet',
  'java.util.LinkedHashSet',
  'java.util.TreeSet',
  'java.util.ArrayDeque',
  'java.util.Vector',
  'java.util.concurrent.CopyOnWriteArrayList',
]);
const MAPS = new Set([
  'java.util.HashMap',
  'java.util.LinkedHashMap',
  'java.util.TreeMap',
  'java.util.Hashtable',
  'java.util.concurrent.ConcurrentHashMap',
]);
/** Kryo's sorted collections and maps write their comparator (Kryo 2 before the size, Kryo 5 after it). */
const SORTED = new Set(['java.util.TreeMap', 'java.util.TreeSet']);
/** `Collections.emptyList()` and its kin: Kryo writes nothing but their class. */
const EMPTY = new Set([
  'java.util.Collections$EmptyList',
  'java.util.Collections$EmptySet',
  'java.util.Collections$EmptyMap',
]);
/** `Collections.singletonList(x)`, `singleton(x)`: the element; `singletonMap(k, v)`: the key and the value. */
const SINGLETONS = new Set(['java.util.Collections$SingletonList', 'java.util.Collections$SingletonSet']);
const SINGLETON_MAP = 'java.util.Collections$SingletonMap';

interface KryoState {
  readonly input: DataInput;
  readonly registrations: readonly string[];
  readonly generation: KryoGeneration;
  readonly type: string;
  readonly start: number;
  readonly names: Map<number, string>;
  /** Objects by reference id, in the order Kryo numbers them; `undefined` while one is still being read. */
  readonly objects: (StateValue | undefined)[];
  references: boolean;
}

/** Kryo's `readVarInt`: 7-bit groups, least significant first, at most 5 bytes. */
function varint(s: KryoState, what: string): number {
  const input = s.input;
  const at = input.offset;
  let result = 0;
  for (let i = 0; i < 5; i++) {
    const b = input.u8(what);
    result |= (b & 0x7f) << (7 * i);
    if ((b & 0x80) === 0) return result >>> 0;
  }
  throw new StateSchemaError('invalid', at, `${what} is not a valid Kryo varint`);
}

function varlong(s: KryoState, what: string): bigint {
  const input = s.input;
  const at = input.offset;
  let result = 0n;
  for (let i = 0; i < 9; i++) {
    const b = input.u8(what);
    result |= BigInt(i === 8 ? b : b & 0x7f) << BigInt(7 * i);
    if (i === 8 || (b & 0x80) === 0) return BigInt.asUintN(64, result);
  }
  throw new StateSchemaError('invalid', at, `${what} is not a valid Kryo varlong`);
}

function zigzag(v: number): number {
  return (v >>> 1) ^ -(v & 1);
}

function safeLong(v: bigint): number | string {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

/** `Output#writeString`: ASCII with the last byte's high bit set, or a flagged UTF-8 length (+1, 0 for null). */
function kryoString(s: KryoState): string | null {
  const input = s.input;
  const first = input.u8('a Kryo string');
  if ((first & 0x80) === 0) {
    let out = String.fromCharCode(first);
    for (;;) {
      const b = input.u8('a Kryo ASCII string');
      out += String.fromCharCode(b & 0x7f);
      if (b & 0x80) return out;
    }
  }
  let length = first & 0x3f;
  if (first & 0x40) {
    let shift = 6;
    for (let i = 0; i < 4; i++) {
      const b = input.u8('a Kryo string length');
      length |= (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) === 0) break;
    }
  }
  if (length === 0) return null;
  length -= 1;
  if (length > input.remaining) {
    throw new StateSchemaError('truncated', input.offset, 'the state file ends inside a Kryo string');
  }
  let out = '';
  for (let i = 0; i < length; i++) {
    const b = input.u8('a Kryo string character');
    switch (b >> 4) {
      case 12:
      case 13:
        out += String.fromCharCode(((b & 0x1f) << 6) | (input.u8('a Kryo string character') & 0x3f));
        break;
      case 14: {
        const b2 = input.u8('a Kryo string character');
        const b3 = input.u8('a Kryo string character');
        out += String.fromCharCode(((b & 0x0f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f));
        break;
      }
      default:
        out += String.fromCharCode(b);
    }
  }
  return out;
}

/** `DefaultClassResolver#readClass`: null, or the class's name (a registered one or one written by name). */
function readClass(s: KryoState): string | null {
  const at = s.input.offset;
  const tag = varint(s, 'a Kryo class tag');
  if (tag === 0) return null;
  if (tag === 1) {
    const nameId = varint(s, 'a Kryo class name id');
    const known = s.names.get(nameId);
    if (known !== undefined) return known;
    // Kryo numbers the class names of each value from 0 as it first writes them (it resets after every value).
    if (nameId !== s.names.size) {
      throw new StateSchemaError('invalid', at, `Kryo class name id ${nameId} where ${s.names.size} comes next`);
    }
    const name = kryoString(s);
    if (name === null) throw new StateSchemaError('invalid', at, 'a Kryo class name that is null');
    s.names.set(nameId, name);
    return name;
  }
  const id = tag - 2;
  if (id < DEFAULTS.length) return DEFAULTS[id];
  const flink = FLINK_REGISTERED[id - FIRST_FLINK_REGISTERED];
  if (flink !== undefined) return flink;
  const registered = s.registrations[id - FIRST_REGISTERED];
  if (registered !== undefined) return registered;
  throw new KryoStop(
    at,
    s.type,
    s.start,
    `Kryo registration id ${id} is none of this serializer's registered classes; the value stops here`,
  );
}

function fixed(s: KryoState, n: number, what: string): DataView {
  s.input.need(n, what);
  const view = new DataView(s.input.bytes.buffer, s.input.bytes.byteOffset + s.input.pos, n);
  s.input.pos += n;
  return view;
}

/** Kryo 2 writes fixed-size numbers big-endian, Kryo 5 little-endian. */
function primitive(s: KryoState, cls: string): StateValue {
  const le = s.generation === 5;
  switch (cls) {
    case 'int':
      return zigzag(varint(s, 'a Kryo int'));
    case 'long': {
      const v = varlong(s, 'a Kryo long');
      return safeLong((v >> 1n) ^ -(v & 1n));
    }
    case 'float': {
      const v = fixed(s, 4, 'a Kryo float').getFloat32(0, le);
      return Number.isFinite(v) ? v : String(v);
    }
    case 'double': {
      const v = fixed(s, 8, 'a Kryo double').getFloat64(0, le);
      return Number.isFinite(v) ? v : String(v);
    }
    case 'boolean':
      return s.input.u8('a Kryo boolean') === 1;
    case 'byte':
      return (s.input.u8('a Kryo byte') << 24) >> 24;
    case 'char':
      return String.fromCharCode(fixed(s, 2, 'a Kryo char').getUint16(0, le));
    case 'short':
      return fixed(s, 2, 'a Kryo short').getInt16(0, le);
    default:
      return null;
  }
}

/** `Kryo#readClassAndObject`. */
function classAndObject(s: KryoState, depth: number): StateValue {
  if (depth > MAX_DEPTH) throw new StateSchemaError('invalid', s.input.offset, 'Kryo objects nested too deep');
  const cls = readClass(s);
  if (cls === null) return null;
  return objectOf(s, cls, depth, false);
}

/**
 * An object of a known class (`Kryo#readObject`, or `readObjectOrNull` when `mayBeNull`): boxed primitives carry a
 * null marker only when they may be null, other objects their reference marker.
 */
function objectOf(s: KryoState, cls: string, depth: number, mayBeNull: boolean): StateValue {
  if (WRAPPERS.has(cls)) {
    if (mayBeNull && s.references && s.input.u8('a Kryo null marker') === 0) return null;
    return primitive(s, cls);
  }
  if (!s.references) return object(s, cls, depth);
  const at = s.input.offset;
  const marker = varint(s, 'a Kryo reference marker');
  if (marker === 0) return null;
  if (marker >= 2) {
    const id = marker - 2;
    if (id >= s.objects.length) throw new StateSchemaError('invalid', at, `Kryo reference ${id} is unknown`);
    // An object that refers to itself (a cycle) is still being read: shown by its reference id.
    return s.objects[id] ?? { reference: id };
  }
  const id = s.objects.length;
  s.objects.push(undefined);
  const value = object(s, cls, depth);
  s.objects[id] = value;
  return value;
}

function object(s: KryoState, cls: string, depth: number): StateValue {
  if (cls === 'String') return kryoString(s);
  const sorted = SORTED.has(cls);
  if (COLLECTIONS.has(cls) || (cls === ARRAYS_AS_LIST && s.generation === 5)) {
    if (s.generation === 5) return collection5(s, cls, depth);
    if (sorted) comparator(s, depth);
    return elements(s, length(s, `the size of a ${cls}`), depth);
  }
  if (MAPS.has(cls)) {
    if (sorted && s.generation === 2) comparator(s, depth);
    const n = length(s, `the size of a ${cls}`);
    if (sorted && s.generation === 5) comparator(s, depth);
    const out: StateValue[] = [];
    for (let i = 0; i < n; i++) {
      const key = classAndObject(s, depth + 1);
      out.push({ key, value: classAndObject(s, depth + 1) });
    }
    return out;
  }
  if (cls === ARRAYS_AS_LIST) {
    // chill's ArraysAsListSerializer (Flink 1.x): the size, the array's component class, the elements.
    const n = length(s, `the size of a ${cls}`);
    readClass(s);
    return elements(s, n, depth);
  }
  if (EMPTY.has(cls)) return [];
  if (SINGLETONS.has(cls)) return [classAndObject(s, depth + 1)];
  if (cls === SINGLETON_MAP) {
    const key = classAndObject(s, depth + 1);
    return [{ key, value: classAndObject(s, depth + 1) }];
  }
  throw new KryoStop(
    s.input.offset,
    s.type,
    s.start,
    `Kryo writes ${cls} with a serializer not decoded here (a user class or enum: FieldSerializer or EnumSerializer, which write no field or constant names); the value stops here`,
    true,
  );
}

function elements(s: KryoState, n: number, depth: number): StateValue[] {
  const out: StateValue[] = [];
  for (let i = 0; i < n; i++) out.push(classAndObject(s, depth + 1));
  return out;
}

/** Kryo 5's `Input#readVarIntFlag`: a flag in the first byte's high bit, then 6 bits and 7-bit groups. */
function varintFlag(s: KryoState, what: string): { flag: boolean; value: number } {
  const at = s.input.offset;
  const first = s.input.u8(what);
  let value = first & 0x3f;
  if (first & 0x40) {
    let shift = 6;
    for (let i = 0; ; i++) {
      if (i === 4) throw new StateSchemaError('invalid', at, `${what} is not a valid Kryo varint`);
      const b = s.input.u8(what);
      value |= (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) === 0) break;
    }
  }
  return { flag: (first & 0x80) !== 0, value: value >>> 0 };
}

/**
 * Kryo 5's `CollectionSerializer`: the size + 1 flagged when every element has one class, the comparator of a sorted
 * one, then either each element with its class or the class once, whether any is null, and the elements.
 */
function collection5(s: KryoState, cls: string, depth: number): StateValue {
  const what = `the size of a ${cls}`;
  const at = s.input.offset;
  const { flag: sameClass, value } = varintFlag(s, what);
  if (value === 0) return null;
  const n = value - 1;
  if (n > MAX_ELEMENTS || n > s.input.remaining + 1) throw new StateSchemaError('invalid', at, `${what} is ${n}`);
  if (SORTED.has(cls)) comparator(s, depth);
  if (n === 0) return [];
  if (!sameClass) return elements(s, n, depth);
  const element = readClass(s);
  if (element === null) return new Array<StateValue>(n).fill(null);
  const mayBeNull = s.input.u8(`whether a ${cls} holds null`) !== 0;
  const out: StateValue[] = [];
  for (let i = 0; i < n; i++) out.push(objectOf(s, element, depth + 1, mayBeNull));
  return out;
}

/** A sorted collection's comparator, written without reference tracking; only the natural order (null) is read. */
function comparator(s: KryoState, depth: number): void {
  const references = s.references;
  s.references = false;
  const at = s.input.offset;
  const c = classAndObject(s, depth + 1);
  s.references = references;
  if (c !== null) throw new KryoStop(at, s.type, s.start, 'a Kryo comparator other than the natural order');
}

/** The size of a Kryo 2 collection or map (a plain varint), or of a Kryo 5 map (size + 1, 0 for null). */
function length(s: KryoState, what: string): number {
  const at = s.input.offset;
  let n = varint(s, what);
  if (s.generation === 5) n -= 1;
  if (n < 0 || n > MAX_ELEMENTS || n > s.input.remaining + 1) {
    throw new StateSchemaError('invalid', at, `${what} is ${n}`);
  }
  return n;
}

/**
 * Reads one value Flink's `KryoSerializer` wrote. `registrations` are the snapshot's registered classes in order
 * (the type first); `generation` 2 for Flink 1.x (Kryo 2.24), 5 for Flink 2.x.
 */
export function readKryo(
  input: DataInput,
  type: string,
  registrations: readonly string[],
  generation: KryoGeneration,
): StateValue {
  const s: KryoState = {
    input,
    registrations,
    generation,
    type,
    start: input.offset,
    names: new Map(),
    objects: [],
    references: true,
  };
  return classAndObject(s, 0);
}
