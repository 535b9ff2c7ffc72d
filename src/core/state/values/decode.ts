import { DataInput } from '../dataInput';
import { StateSchemaError } from '../errors';
import type { SerializerSnapshotNode } from '../serializerSnapshot';
import { avroDecoder } from './avro';
import { kryoCodec, kryoStopAtStart } from './kryoCodec';
import { rowDataCodec } from './rowData';
import { tableCodec } from './tableSerializers';

/**
 * A decoded state value as a JSON value: longs beyond 2^53, BigInteger and BigDecimal as decimal strings, byte
 * arrays as {@link ByteArray} (hex once shown).
 */
export type StateValue = null | boolean | number | string | ByteArray | StateValue[] | { [key: string]: StateValue };

/** A state value as shown: JSON, byte arrays as hex strings. */
export type PlainValue = null | boolean | number | string | PlainValue[] | { [key: string]: PlainValue };

/**
 * A `byte[]`, shown as hex. The hex is made only when the value is shown (JSON.stringify calls `toJSON`, and
 * {@link plainValue} for what is not stringified, as a webview message): made at decode time, the hex strings of a
 * large state's byte arrays were a third of a full scan, and copies of the bytes a sixth. The bytes are a view into
 * the block or window the value was read from, which the readers never reuse; a view keeps that buffer alive, so
 * what keeps entries (a page of the entry browser, the diff's sorted key groups) keeps them plain ({@link plainValue}).
 */
export class ByteArray {
  constructor(readonly bytes: Uint8Array) {}

  toJSON(): string {
    return hexOf(this.bytes);
  }
}

/** `value` with its byte arrays as hex strings (the same object when it holds none, without allocating). */
export function plainValue(value: StateValue): PlainValue {
  if (value instanceof ByteArray) return value.toJSON();
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let out: PlainValue[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const p = plainValue(value[i]);
      if (p !== value[i] && out === undefined) out = value.slice(0, i) as PlainValue[];
      out?.push(p);
    }
    return out ?? (value as PlainValue[]);
  }
  let out: { [key: string]: PlainValue } | undefined;
  for (const k in value) {
    const v = value[k];
    const p = plainValue(v);
    if (p !== v) out ??= { ...(value as { [key: string]: PlainValue }) };
    if (out !== undefined) out[k] = p;
  }
  return out ?? (value as { [key: string]: PlainValue });
}

/** Reads one value a Flink serializer wrote; throws {@link StateSchemaError} on bytes it cannot take. */
export type ValueDecoder = (input: DataInput) => StateValue;

/**
 * How one serializer tree reads its bytes. `length` is `TypeSerializer#getLength` (−1: variable), which decides
 * whether Flink's RocksDB key layout appends a length after the key and namespace. `exact` is false for serializers
 * not known here: they take every byte they are given and show them as `{class, hex}`.
 */
export interface Codec {
  readonly read: ValueDecoder;
  readonly length: number;
  readonly exact: boolean;
}

const MAX_ELEMENTS = 1 << 24;
/** Bytes of an undecodable value shown as hex; the length says how many there were. */
const HEX_SHOWN = 4096;

export function hexOf(bytes: Uint8Array): string {
  // A view, not a copy: byte arrays are most of the bytes of many states.
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, HEX_SHOWN)).toString('hex');
}

/** The rest of the input as `{class, hex}`: a serializer this reader cannot follow, never a failure of the read. */
export function opaque(cls: string, input: DataInput): StateValue {
  const bytes = input.bytes.subarray(input.pos);
  input.pos = input.bytes.length;
  const value: { [key: string]: StateValue } = { class: cls, hex: hexOf(bytes) };
  if (bytes.length > HEX_SHOWN) value.length = bytes.length;
  return value;
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A Java long as a JSON value: a number when it is a safe integer, else its decimal text. */
export function long(v: bigint): number | string {
  return v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v.toString();
}

/** A Java long as {@link long} gives it, without a BigInt when it is a safe integer (most keys and timestamps). */
function readLong(input: DataInput, what: string): number | string {
  input.need(8, what);
  const b = input.bytes;
  const p = input.pos;
  const hi = (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
  // -2^21 < hi < 2^21: the value lies within ±(2^53 - 1)
  if (hi > -0x200000 && hi < 0x200000) {
    input.pos = p + 8;
    return hi * 0x100000000 + (((b[p + 4] << 24) | (b[p + 5] << 16) | (b[p + 6] << 8) | b[p + 7]) >>> 0);
  }
  return long(input.i64(what));
}

function f32(input: DataInput, what: string): number {
  input.need(4, what);
  const v = new DataView(input.bytes.buffer, input.bytes.byteOffset + input.pos, 4).getFloat32(0);
  input.pos += 4;
  return v;
}

function f64(input: DataInput, what: string): number {
  input.need(8, what);
  const v = new DataView(input.bytes.buffer, input.bytes.byteOffset + input.pos, 8).getFloat64(0);
  input.pos += 8;
  return v;
}

/** A float that JSON can carry: NaN and the infinities as strings. */
function finite(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

function i16(input: DataInput, what: string): number {
  return (input.u16(what) << 16) >> 16;
}

function i8(input: DataInput, what: string): number {
  return (input.u8(what) << 24) >> 24;
}

/** `StringValue.writeString`: length + 1 as a 7-bit varint (0 for null), then each UTF-16 unit as a 7-bit varint. */
export function readFlinkString(input: DataInput): string | null {
  const at = input.offset;
  let len = varint7(input, 'a string length');
  if (len === 0) return null;
  len -= 1;
  if (len > input.remaining) throw new StateSchemaError('truncated', at, 'the state file ends inside a string');
  let s = '';
  const units: number[] = [];
  for (let i = 0; i < len; i++) {
    units.push(varint7(input, 'a string character'));
    if (units.length === 4096) {
      s += String.fromCharCode(...units);
      units.length = 0;
    }
  }
  return s + String.fromCharCode(...units);
}

function varint7(input: DataInput, what: string): number {
  let c = input.u8(what);
  if (c < 0x80) return c;
  let v = c & 0x7f;
  let shift = 7;
  while ((c = input.u8(what)) >= 0x80) {
    v |= (c & 0x7f) << shift;
    shift += 7;
    if (shift > 28) throw new StateSchemaError('invalid', input.offset, `${what} is not a valid varint`);
  }
  return (v | (c << shift)) >>> 0;
}

/** `StringValue.write`: the length (no + 1) as a 7-bit varint, then the characters. */
function readStringValue(input: DataInput): string {
  const len = varint7(input, 'a StringValue length');
  let s = '';
  for (let i = 0; i < len; i++) s += String.fromCharCode(varint7(input, 'a StringValue character'));
  return s;
}

function bytesOf(input: DataInput, n: number, what: string): Uint8Array {
  input.need(n, what);
  const b = input.bytes.subarray(input.pos, input.pos + n);
  input.pos += n;
  return b;
}

function bigIntOf(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return bytes[0] & 0x80 ? v - (1n << BigInt(bytes.length * 8)) : v;
}

/** `BigIntSerializer.writeBigInteger`: 0 null, 1..3 the constants 0, 1, 10, else length + 4 and two's complement. */
function readBigInteger(input: DataInput): bigint | null {
  const n = input.count('a BigInteger length', input.remaining + 4);
  if (n === 0) return null;
  if (n <= 3) return [0n, 1n, 10n][n - 1];
  return bigIntOf(bytesOf(input, n - 4, 'a BigInteger'));
}

function decimalString(unscaled: bigint, scale: number): string {
  if (scale <= 0) return (unscaled * 10n ** BigInt(-scale)).toString();
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** `BigDecSerializer.writeBigDecimal`: the unscaled value as a BigInteger (null for null), then the scale. */
function readBigDecimal(input: DataInput): string | null {
  const unscaled = readBigInteger(input);
  return unscaled === null ? null : decimalString(unscaled, input.i32('a BigDecimal scale'));
}

const LONG_MIN = -(1n << 63n);

function epochMillis(input: DataInput, what: string): StateValue {
  const v = input.i64(what);
  return v === LONG_MIN ? null : long(v);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function localDate(input: DataInput): string | null {
  const year = input.i32('a LocalDate year');
  if (year === -2147483648) {
    input.u16('a null LocalDate');
    return null;
  }
  const month = input.u8('a LocalDate month');
  const day = input.u8('a LocalDate day');
  return `${year < 0 ? '-' : ''}${pad(Math.abs(year), 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

function localTime(input: DataInput): string | null {
  const hour = i8(input, 'a LocalTime hour');
  if (hour === -128) {
    input.skip(6, 'a null LocalTime');
    return null;
  }
  const minute = input.u8('a LocalTime minute');
  const second = input.u8('a LocalTime second');
  const nano = input.i32('a LocalTime nano');
  return `${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}${nano === 0 ? '' : `.${pad(nano, 9)}`}`;
}

function instant(input: DataInput): string | null {
  const seconds = input.i64('Instant seconds');
  const nanos = input.i32('Instant nanos');
  if (seconds === LONG_MIN) return null;
  const millis = Number(seconds) * 1000 + Math.floor(nanos / 1e6);
  if (Math.abs(millis) > MAX_DATE_MILLIS) return farInstant(seconds, nanos);
  const iso = new Date(millis).toISOString();
  return nanos % 1e6 === 0 ? iso : `${iso.slice(0, 19)}.${pad(nanos, 9)}Z`;
}

/** The farthest instant a JavaScript Date holds (±275,760 years); Java's `Instant` reaches ±1,000,000,000 years. */
const MAX_DATE_MILLIS = 8.64e15;

/** An instant beyond a Date's range, by the proleptic Gregorian calendar (`Instant.MAX`, or bytes of another state). */
function farInstant(seconds: bigint, nanos: number): string {
  let days = seconds / 86_400n;
  let ofDay = Number(seconds % 86_400n);
  if (ofDay < 0) {
    ofDay += 86_400;
    days -= 1n;
  }
  // Days to a civil date (H. Hinnant's algorithm), exact for every day an Instant can name.
  const z = Number(days) + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const y = `${year > 9999 ? '+' : year < 0 ? '-' : ''}${pad(Math.abs(year), 4)}`;
  const clock = `${pad(Math.floor(ofDay / 3600), 2)}:${pad(Math.floor(ofDay / 60) % 60, 2)}:${pad(ofDay % 60, 2)}`;
  const fraction = nanos % 1e6 === 0 ? pad(Math.floor(nanos / 1e6), 3) : pad(nanos, 9);
  return `${y}-${pad(month, 2)}-${pad(day, 2)}T${clock}.${fraction}Z`;
}

/** Reads `length` elements with `element`, bounded by the bytes there are. */
function elements(input: DataInput, what: string, element: () => StateValue): StateValue[] {
  const n = input.count(`the length of ${what}`, MAX_ELEMENTS);
  const out: StateValue[] = [];
  for (let i = 0; i < n; i++) {
    if (input.remaining === 0) {
      throw new StateSchemaError('truncated', input.offset, `the state file ends inside ${what}`);
    }
    out.push(element());
  }
  return out;
}

type Simple = readonly [length: number, read: ValueDecoder];

const PRIMITIVES: Record<string, Simple> = {
  String: [-1, (i) => readFlinkString(i)],
  Long: [8, (i) => readLong(i, 'a long')],
  Integer: [4, (i) => i.i32('an int')],
  Int: [4, (i) => i.i32('an int')],
  Short: [2, (i) => i16(i, 'a short')],
  Byte: [1, (i) => i8(i, 'a byte')],
  Boolean: [1, (i) => i.bool('a boolean')],
  Double: [8, (i) => finite(f64(i, 'a double'))],
  Float: [4, (i) => finite(f32(i, 'a float'))],
  Char: [2, (i) => String.fromCharCode(i.u16('a char'))],
  Void: [1, (i) => (i.u8('a Void'), null)],
  Date: [8, (i) => epochMillis(i, 'a Date')],
  SqlDate: [8, (i) => epochMillis(i, 'a SQL Date')],
  SqlTime: [8, (i) => epochMillis(i, 'a SQL Time')],
  SqlTimestamp: [
    12,
    (i) => {
      const millis = i.i64('a Timestamp');
      const nanos = i.i32('Timestamp nanos');
      return millis === LONG_MIN ? null : { millis: long(millis), nanos };
    },
  ],
  BigInt: [-1, (i) => readBigInteger(i)?.toString() ?? null],
  BigDec: [-1, readBigDecimal],
  Instant: [12, instant],
  LocalDate: [6, localDate],
  LocalTime: [7, localTime],
  LocalDateTime: [
    13,
    (i) => {
      const date = localDate(i);
      const time = localTime(i);
      return date === null || time === null ? null : `${date}T${time}`;
    },
  ],
  BooleanValue: [1, (i) => i.bool('a BooleanValue')],
  ByteValue: [1, (i) => i8(i, 'a ByteValue')],
  CharValue: [2, (i) => String.fromCharCode(i.u16('a CharValue'))],
  DoubleValue: [8, (i) => finite(f64(i, 'a DoubleValue'))],
  FloatValue: [4, (i) => finite(f32(i, 'a FloatValue'))],
  IntValue: [4, (i) => i.i32('an IntValue')],
  LongValue: [8, (i) => readLong(i, 'a LongValue')],
  NullValue: [1, (i) => (i.u8('a NullValue'), null)],
  ShortValue: [2, (i) => i16(i, 'a ShortValue')],
  StringValue: [-1, readStringValue],
};

const PRIMITIVE_ARRAYS: Record<string, ValueDecoder> = {
  Boolean: (i) => elements(i, 'a boolean[]', () => i.bool('a boolean')),
  Byte: (i) => new ByteArray(bytesOf(i, i.count('the length of a byte[]', i.remaining), 'a byte[]')),
  Char: (i) =>
    elements(i, 'a char[]', () => i.u16('a char'))
      .map((c) => String.fromCharCode(c as number))
      .join(''),
  Double: (i) => elements(i, 'a double[]', () => finite(f64(i, 'a double'))),
  Float: (i) => elements(i, 'a float[]', () => finite(f32(i, 'a float'))),
  Int: (i) => elements(i, 'an int[]', () => i.i32('an int')),
  Long: (i) => elements(i, 'a long[]', () => readLong(i, 'a long')),
  Short: (i) => elements(i, 'a short[]', () => i16(i, 'a short')),
};

const BASE = 'org.apache.flink.api.common.typeutils.base.';

function simpleName(cls: string): string | null {
  if (!cls.startsWith(BASE)) return null;
  const m = /^(\w+)Serializer\$(\w+)SerializerSnapshot$/.exec(cls.slice(BASE.length));
  return m !== null && m[1] === m[2] ? m[1] : null;
}

function primitiveArray(cls: string): string | null {
  const m = /^org\.apache\.flink\.api\.common\.typeutils\.base\.array\.(\w+)PrimitiveArraySerializer\$/.exec(cls);
  return m === null ? null : m[1];
}

/** Field lengths summed when all are fixed (`TupleSerializerBase#getLength`), else −1. */
function sumLengths(codecs: readonly Codec[]): number {
  let sum = 0;
  for (const c of codecs) {
    if (c.length < 0) return -1;
    sum += c.length;
  }
  return sum;
}

function nested(node: SerializerSnapshotNode, n: number): Codec[] | null {
  if (!node.nested || node.nested.length < n) return null;
  return node.nested.map(codecFor);
}

function unknown(node: SerializerSnapshotNode): Codec {
  return { read: (i) => opaque(node.type ?? node.class, i), length: -1, exact: false };
}

/** The row kind in the first two bits of a Row's mask (`RowKind#toByteValue`). */
const ROW_KINDS = ['+I', '-U', '+U', '-D'];

/** `RowSerializer` (1.11+): a bit mask (two row-kind bits, then one null bit per field, MSB first), then the fields. */
function rowCodec(fields: Codec[], legacy: boolean): Codec {
  const offset = legacy ? 0 : 2;
  return {
    length: -1,
    exact: fields.every((f) => f.exact),
    read: (input) => {
      const bits = offset + fields.length;
      const mask = bytesOf(input, Math.ceil(bits / 8), 'a Row null mask');
      const bit = (k: number) => (mask[k >> 3] & (0x80 >> (k & 7))) !== 0;
      const values: StateValue[] = fields.map((f, k) => (bit(offset + k) ? null : f.read(input)));
      if (legacy) return values;
      const kind = (bit(0) ? 1 : 0) | (bit(1) ? 2 : 0);
      return { kind: ROW_KINDS[kind], fields: values };
    },
  };
}

/** `PojoSerializer`'s flags byte: null, exact class, subclass by name, subclass by registration tag. */
const POJO_NULL = 1;
const POJO_NO_SUBCLASS = 2;
const POJO_SUBCLASS = 4;
const POJO_TAGGED_SUBCLASS = 8;

function pojoCodec(node: SerializerSnapshotNode): Codec {
  const fields = (node.fields ?? []).map((f) => ({
    name: f.name,
    codec: f.serializer === null ? null : codecFor(f.serializer),
  }));
  return {
    length: -1,
    exact: fields.every((f) => f.codec?.exact === true),
    read: (input) => {
      const at = input.offset;
      const flags = input.u8('the POJO flags');
      if (flags & POJO_NULL) return null;
      if (flags & POJO_SUBCLASS) {
        const subclass = input.utf('the POJO subclass name');
        return opaque(subclass, input);
      }
      if (flags & POJO_TAGGED_SUBCLASS) {
        const tag = input.u8('the POJO subclass tag');
        return opaque(`${node.type ?? 'POJO'} subclass #${tag}`, input);
      }
      if (!(flags & POJO_NO_SUBCLASS)) {
        throw new StateSchemaError('invalid', at, `POJO flags ${flags} of ${node.type ?? 'a POJO'} are not Flink's`);
      }
      const value: { [key: string]: StateValue } = {};
      for (const f of fields) {
        if (input.bool(`the null flag of field ${f.name}`)) {
          value[f.name] = null;
        } else if (f.codec === null || !f.codec.exact) {
          // Where a field's length is unknown (Kryo), the fields after it cannot be told apart: it takes the rest.
          value[f.name] = f.codec === null ? opaque(`field ${f.name}`, input) : f.codec.read(input);
          break;
        } else {
          value[f.name] = f.codec.read(input);
        }
      }
      return value;
    },
  };
}

const codecCache = new WeakMap<SerializerSnapshotNode, Codec>();

/** The codec of a serializer snapshot tree, built once per tree. */
export function codecFor(node: SerializerSnapshotNode): Codec {
  let codec = codecCache.get(node);
  if (codec === undefined) {
    codec = buildCodec(node);
    codecCache.set(node, codec);
  }
  return codec;
}

function buildCodec(node: SerializerSnapshotNode): Codec {
  const cls = node.class;
  const simple = simpleName(cls);
  if (simple !== null && simple in PRIMITIVES) {
    const [length, read] = PRIMITIVES[simple];
    return { length, read, exact: true };
  }
  const array = primitiveArray(cls);
  if (array !== null && array in PRIMITIVE_ARRAYS) return { length: -1, read: PRIMITIVE_ARRAYS[array], exact: true };
  const short = cls.slice(cls.lastIndexOf('.') + 1);
  switch (short) {
    case 'VoidNamespaceSerializer$VoidNamespaceSerializerSnapshot':
      return { length: 1, exact: true, read: (i) => (i.u8('the void namespace'), null) };
    case 'StringArraySerializer$StringArraySerializerSnapshot':
      return { length: -1, exact: true, read: (i) => elements(i, 'a String[]', () => readFlinkString(i)) };
    case 'EnumSerializer$EnumSerializerSnapshot': {
      const constants = node.constants ?? [];
      return {
        length: 4,
        exact: true,
        read: (i) => {
          const ordinal = i.i32('an enum ordinal');
          return constants[ordinal] ?? ordinal;
        },
      };
    }
    case 'TimeWindow$Serializer$TimeWindowSerializerSnapshot':
      return {
        length: 16,
        exact: true,
        read: (i) => ({ start: long(i.i64('a window start')), end: long(i.i64('a window end')) }),
      };
    case 'GlobalWindow$Serializer$GlobalWindowSerializerSnapshot':
      return { length: 1, exact: true, read: (i) => (i.u8('the global window'), 'GlobalWindow') };
    case 'PojoSerializerSnapshot':
      return pojoCodec(node);
    case 'RowDataSerializer$RowDataSerializerSnapshot':
      return rowDataCodec(node) ?? unknown(node);
    case 'KryoSerializerSnapshot':
      return kryoCodec(node);
    case 'AvroSerializerSnapshot':
      return node.schema === undefined ? unknown(node) : { length: -1, exact: true, read: avroDecoder(node.schema) };
  }
  return compositeCodec(node, short) ?? tableCodec(node) ?? unknown(node);
}

function compositeCodec(node: SerializerSnapshotNode, short: string): Codec | null {
  switch (short) {
    case 'TupleSerializerSnapshot':
    case 'ScalaCaseClassSerializerSnapshot':
    case 'Tuple2CaseClassSerializerSnapshot':
    case 'CaseClassSerializer$CaseClassSerializerSnapshot': {
      const fields = nested(node, 0);
      if (fields === null) return null;
      return {
        length: sumLengths(fields),
        exact: fields.every((f) => f.exact),
        read: (i) => fields.map((f) => f.read(i)),
      };
    }
    case 'RowSerializer$RowSerializerSnapshot': {
      const fields = nested(node, 0);
      // Version 3 (Flink 1.11+) writes in its outer snapshot whether the row kind is written; earlier rows have none.
      return fields === null ? null : rowCodec(fields, node.version < 3 || node.raw === '00');
    }
    case 'ListSerializerSnapshot': {
      const [element] = nested(node, 1) ?? [];
      if (element === undefined) return null;
      return { length: -1, exact: element.exact, read: (i) => elements(i, 'a list', () => element.read(i)) };
    }
    case 'GenericArraySerializerSnapshot': {
      const [component] = nested(node, 1) ?? [];
      if (component === undefined) return null;
      return {
        length: -1,
        exact: component.exact,
        read: (i) => elements(i, 'an array', () => (i.bool('an array element flag') ? component.read(i) : null)),
      };
    }
    case 'MapSerializerSnapshot': {
      const [k, v] = nested(node, 2) ?? [];
      if (v === undefined) return null;
      return {
        length: -1,
        exact: k.exact && v.exact,
        read: (i) =>
          elements(i, 'a map', () => {
            const key = k.read(i);
            return { key, value: i.bool('a map value null flag') ? null : v.read(i) };
          }),
      };
    }
    case 'EitherSerializerSnapshot':
    case 'JavaEitherSerializerSnapshot': {
      const [left, right] = nested(node, 2) ?? [];
      if (right === undefined) return null;
      return {
        length: -1,
        exact: left.exact && right.exact,
        read: (i): StateValue => (i.bool('the Either side') ? { left: left.read(i) } : { right: right.read(i) }),
      };
    }
    case 'ScalaOptionSerializerSnapshot':
    case 'OptionSerializer$OptionSerializerSnapshot': {
      const [element] = nested(node, 1) ?? [];
      if (element === undefined) return null;
      return { length: -1, exact: element.exact, read: (i) => (i.bool('the Option flag') ? element.read(i) : null) };
    }
    case 'NullableSerializer$NullableSerializerSnapshot': {
      const [inner] = nested(node, 1) ?? [];
      if (inner === undefined) return null;
      return {
        length: inner.length < 0 ? -1 : inner.length + 1,
        exact: inner.exact,
        read: (i) => {
          if (!i.bool('the null flag')) return inner.read(i);
          if (inner.length > 0) i.skip(inner.length, 'null padding');
          return null;
        },
      };
    }
    case 'TtlStateFactory$TtlSerializerSnapshot': {
      const [timestamp, user] = nested(node, 2) ?? [];
      if (user === undefined) return null;
      return {
        length: -1,
        exact: user.exact,
        read: (i) => ({ lastAccessTimestamp: timestamp.read(i), userValue: user.read(i) }),
      };
    }
    case 'TimerSerializerSnapshot': {
      const [key, namespace] = nested(node, 2) ?? [];
      if (namespace === undefined) return null;
      return {
        length: -1,
        exact: key.exact && namespace.exact,
        read: (i) => {
          // The timestamp is written with its sign bit flipped, so that RocksDB orders timers by byte order.
          const timestamp = long(i.i64('a timer timestamp') ^ LONG_MIN);
          return { timestamp, key: key.read(i), namespace: namespace.read(i) };
        },
      };
    }
  }
  return null;
}

/** Decodes a whole byte string with a codec; bytes it leaves over are reported, not ignored. */
export function decodeAll(codec: Codec, bytes: Uint8Array, offset: number, cls: string): StateValue {
  const input = new DataInput(bytes, offset, true);
  try {
    const value = codec.read(input);
    if (input.remaining > 0) {
      return { class: cls, hex: hexOf(bytes), problem: `${input.remaining} bytes left over after the value` };
    }
    return value;
  } catch (error) {
    if (!(error instanceof StateSchemaError)) throw error;
    const opaqueKryo = kryoStopAtStart(error, offset);
    if (opaqueKryo !== null) return { class: opaqueKryo, hex: hexOf(bytes) };
    return { class: cls, hex: hexOf(bytes), problem: error.message };
  }
}
