import type { DataInput } from '../dataInput';
import { StateSchemaError } from '../errors';
import type { StateValue } from './decode';

/**
 * What Flink's `KryoSerializer` writes: `Kryo#writeClassAndObject` with reference tracking on (Flink enables it in
 * 1.x and 2.x), so a class tag (`DefaultClassResolver`: 0 null, 1 a class by name, n + 2 registration id n), then for
 * objects other than boxed primitives a reference marker (0 null, 1 a new object, n + 2 the n-th object seen), then
 * the object by its serializer. Kryo's own shapes are decoded: its default registrations (boxed primitives and
 * String) and the JDK collections and maps its default serializers write with their elements' classes. A class
 * written by Kryo's `FieldSerializer` (a user class) carries no field names or types, so its value stops here with
 * {@link KryoStop}: the caller shows the bytes or, where nothing bounds the value, stops reading.
 */
export class KryoStop extends StateSchemaError {
  constructor(
    offset: number,
    readonly className: string,
    readonly valueStart: number,
    message: string,
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
 * registers for every Kryo instance (`FlinkChillPackageRegistrar`): the same from 1.15 to 2.x.
 */
const FIRST_REGISTERED = 85;
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
/** Kryo's sorted collections write their comparator first. */
const SORTED = new Set(['java.util.TreeMap', 'java.util.TreeSet']);

export type KryoGeneration = 2 | 5;

interface KryoState {
  readonly input: DataInput;
  readonly registrations: readonly string[];
  readonly generation: KryoGeneration;
  readonly type: string;
  readonly start: number;
  readonly names: Map<number, string>;
  objects: number;
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
    const name = kryoString(s);
    if (name === null) throw new StateSchemaError('invalid', at, 'a Kryo class name that is null');
    s.names.set(nameId, name);
    return name;
  }
  const id = tag - 2;
  if (id < DEFAULTS.length) return DEFAULTS[id];
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
  if (WRAPPERS.has(cls)) return primitive(s, cls);
  if (s.references) {
    const at = s.input.offset;
    const marker = varint(s, 'a Kryo reference marker');
    if (marker === 0) return null;
    if (marker >= 2) {
      if (marker - 2 >= s.objects) throw new StateSchemaError('invalid', at, `Kryo reference ${marker - 2} is unknown`);
      return { reference: marker - 2 };
    }
    s.objects++;
  }
  return object(s, cls, depth);
}

function object(s: KryoState, cls: string, depth: number): StateValue {
  if (cls === 'String') return kryoString(s);
  if (COLLECTIONS.has(cls)) {
    if (SORTED.has(cls)) comparator(s, depth);
    const n = length(s, `the size of a ${cls}`);
    const out: StateValue[] = [];
    for (let i = 0; i < n; i++) out.push(classAndObject(s, depth + 1));
    return out;
  }
  if (MAPS.has(cls)) {
    if (SORTED.has(cls)) comparator(s, depth);
    const n = length(s, `the size of a ${cls}`);
    const out: StateValue[] = [];
    for (let i = 0; i < n; i++) {
      const key = classAndObject(s, depth + 1);
      out.push({ key, value: classAndObject(s, depth + 1) });
    }
    return out;
  }
  throw new KryoStop(
    s.input.offset,
    s.type,
    s.start,
    `Kryo writes ${cls} with its FieldSerializer, whose fields are not in the snapshot; the value stops here`,
  );
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

/** Kryo 2's collection sizes are plain varints; Kryo 5 writes size + 1 (0 for null). */
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
    objects: 0,
    references: true,
  };
  return classAndObject(s, 0);
}
