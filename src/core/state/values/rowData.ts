import { StateSchemaError } from '../errors';
import type { LogicalTypeNode } from '../logicalType';
import type { SerializerSnapshotNode } from '../serializerSnapshot';
import { hexOf, long, type Codec, type StateValue } from './decode';

/**
 * Table API state: `RowDataSerializer` writes a `BinaryRowData` (its length, then its bytes), whatever `RowData` it was
 * given. The layout is Flink's binary format (`BinaryRowData`, `BinaryArrayData`, `BinaryMapData`), in the byte order
 * of the machine that wrote it — little-endian on every platform Flink runs on:
 * - a header byte (the row kind), then one null bit per field, LSB first, padded to 8-byte words;
 * - one 8-byte slot per field: fixed-length values in place; variable-length ones (strings, bytes, non-compact
 *   DECIMAL and TIMESTAMP, arrays, maps, rows, RAW) as offset (high 32 bits, from the row's start) and length, or
 *   strings and bytes of at most 7 bytes inline, marked by the slot's highest bit;
 * - the variable-length part after the slots.
 * Fields are named by their ROW type where there is one; a serializer's top-level row has no names (`f0`, `f1`, …).
 */

const MAX_DEPTH = 64;
/** `DecimalData.MAX_COMPACT_PRECISION`: unscaled values of at most 18 digits are kept in a long. */
const MAX_COMPACT_DECIMAL = 18;
/** `TimestampData.isCompact`: millisecond precision is kept in a long. */
const MAX_COMPACT_TIMESTAMP = 3;
const ROW_KINDS = ['+I', '-U', '+U', '-D'];

/** The codec of a `RowDataSerializer` snapshot whose LogicalTypes were read, else null. */
export function rowDataCodec(node: SerializerSnapshotNode): Codec | null {
  const types = node.logicalTypes;
  if (types === undefined) return null;
  const fields = types.map((type, i) => ({ name: `f${i}`, type }));
  return binaryCodec('a RowData', (reader, length) => reader.row(0, length, fields, 0));
}

/** `ArrayDataSerializer`: a `BinaryArrayData` (its length, then its bytes) of the snapshot's element type. */
export function arrayDataCodec(node: SerializerSnapshotNode): Codec | null {
  const element = node.logicalTypes?.[0];
  if (element === undefined) return null;
  return binaryCodec('an ArrayData', (reader, length) => reader.array(0, length, element, 0));
}

/** `MapDataSerializer`: a `BinaryMapData` (its length, then its bytes) of the snapshot's key and value types. */
export function mapDataCodec(node: SerializerSnapshotNode): Codec | null {
  const [key, value] = node.logicalTypes ?? [];
  if (value === undefined) return null;
  const type: LogicalTypeNode = { type: `MAP<${key.type}, ${value.type}>`, root: 'MAP', nullable: true, key, value };
  return binaryCodec('a MapData', (reader, length) => reader.map(0, length, type, 0));
}

/** Flink's binary formats as their serializers write them: the length, then the bytes. */
function binaryCodec(what: string, read: (reader: BinaryReader, length: number) => StateValue): Codec {
  return {
    length: -1,
    exact: true,
    read: (input) => {
      const at = input.offset;
      const length = input.i32(`the length of ${what}`);
      if (length < 0) throw new StateSchemaError('invalid', at, `${what} of ${length} bytes`);
      input.need(length, what);
      const bytes = input.bytes.subarray(input.pos, input.pos + length);
      input.pos += length;
      return read(new BinaryReader(bytes, at + 4), length);
    },
  };
}

type Field = { readonly name: string; readonly type: LogicalTypeNode };

class BinaryReader {
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    /** The file offset of `bytes[0]`, for errors. */
    private readonly base: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private fail(at: number, message: string): never {
    throw new StateSchemaError('invalid', this.base + at, message);
  }

  /** That `length` bytes at `at` lie before `limit`; a fault is reported where its pointer or count was read (`from`). */
  private check(from: number, at: number, length: number, limit: number, what: string): void {
    if (at < 0 || length < 0 || at + length > limit) {
      this.fail(from, `${what} (${length} bytes at ${at}) lies outside its ${limit}-byte value`);
    }
  }

  /** A `BinaryRowData` of `fields` at `start`, `length` bytes long. */
  row(start: number, length: number, fields: readonly Field[], depth: number): StateValue {
    if (depth > MAX_DEPTH) this.fail(start, `rows nested deeper than ${MAX_DEPTH}`);
    const end = start + length;
    const nullBytes = Math.floor((fields.length + 63 + 8) / 64) * 8;
    this.check(
      start,
      start,
      nullBytes + 8 * fields.length,
      end,
      `the fixed-length part of a row of ${fields.length} fields`,
    );
    const value: { [key: string]: StateValue } = {};
    const kind = this.bytes[start];
    if (kind !== 0) value.$rowKind = ROW_KINDS[kind] ?? kind;
    fields.forEach((f, i) => {
      const bit = i + 8;
      const isNull = (this.bytes[start + (bit >> 3)] & (1 << (bit & 7))) !== 0;
      value[f.name] = isNull ? null : this.field(start, end, start + nullBytes + 8 * i, f.type, depth);
    });
    return value;
  }

  /** A value in its slot at `slot`; variable-length parts at offsets from `base` (the row's or array's start). */
  private field(base: number, end: number, slot: number, type: LogicalTypeNode, depth: number): StateValue {
    const v = this.view;
    switch (type.root) {
      case 'BOOLEAN':
        return v.getUint8(slot) !== 0;
      case 'TINYINT':
        return v.getInt8(slot);
      case 'SMALLINT':
        return v.getInt16(slot, true);
      case 'INTEGER':
      case 'INTERVAL_YEAR_MONTH':
        return v.getInt32(slot, true);
      case 'DATE':
        return date(v.getInt32(slot, true));
      case 'TIME_WITHOUT_TIME_ZONE':
        return time(v.getInt32(slot, true));
      case 'BIGINT':
      case 'INTERVAL_DAY_TIME':
        return long(v.getBigInt64(slot, true));
      case 'FLOAT':
        return finite(v.getFloat32(slot, true));
      case 'DOUBLE':
        return finite(v.getFloat64(slot, true));
      case 'CHAR':
      case 'VARCHAR':
        return Buffer.from(this.variable(base, end, slot, type)).toString('utf8');
      case 'BINARY':
      case 'VARBINARY':
        return hexOf(this.variable(base, end, slot, type));
      case 'DECIMAL':
        return this.decimal(base, end, slot, type);
      case 'TIMESTAMP_WITHOUT_TIME_ZONE':
      case 'TIMESTAMP_WITH_LOCAL_TIME_ZONE':
        return this.timestamp(base, end, slot, type);
      case 'ARRAY': {
        const [at, length] = this.pointer(base, end, slot, type);
        return this.array(at, length, type.element!, depth + 1);
      }
      case 'MAP':
      case 'MULTISET': {
        const [at, length] = this.pointer(base, end, slot, type);
        return this.map(at, length, type, depth + 1);
      }
      case 'ROW':
      case 'STRUCTURED_TYPE': {
        const [at, length] = this.pointer(base, end, slot, type);
        return this.row(at, length, type.fields ?? [], depth + 1);
      }
      case 'NULL':
        return null;
      default: {
        // RAW (bytes of the type's own serializer) and types this reader does not know: class and bytes
        const [at, length] = this.pointer(base, end, slot, type);
        return { class: type.class ?? type.type, hex: hexOf(this.bytes.subarray(at, at + length)) };
      }
    }
  }

  /** Offset (from `base`) and length of a variable-length part: the slot's high and low 32 bits. */
  private pointer(base: number, end: number, slot: number, type: LogicalTypeNode): [number, number] {
    const at = base + this.view.getInt32(slot + 4, true);
    const length = this.view.getInt32(slot, true);
    this.check(slot, at, length, end, `the ${type.type} value`);
    return [at, length];
  }

  /** Strings and bytes: at most 7 bytes in the slot itself (its highest bit set, the length beside it), else a pointer. */
  private variable(base: number, end: number, slot: number, type: LogicalTypeNode): Uint8Array {
    const mark = this.bytes[slot + 7];
    if (mark & 0x80) {
      const length = mark & 0x7f;
      if (length > 7) this.fail(slot, `an inline ${type.type} of ${length} bytes`);
      return this.bytes.subarray(slot, slot + length);
    }
    const [at, length] = this.pointer(base, end, slot, type);
    return this.bytes.subarray(at, at + length);
  }

  private decimal(base: number, end: number, slot: number, type: LogicalTypeNode): string {
    const precision = type.precision ?? 10;
    const scale = type.scale ?? 0;
    if (precision <= MAX_COMPACT_DECIMAL) return decimalString(this.view.getBigInt64(slot, true), scale);
    const [at, length] = this.pointer(base, end, slot, type);
    return decimalString(bigEndianSigned(this.bytes.subarray(at, at + length)), scale);
  }

  /** Milliseconds in the slot; above millisecond precision, the milliseconds in the variable part, the nanos of the millisecond in the slot. */
  private timestamp(base: number, end: number, slot: number, type: LogicalTypeNode): string {
    const local = type.root === 'TIMESTAMP_WITHOUT_TIME_ZONE';
    if ((type.precision ?? 6) <= MAX_COMPACT_TIMESTAMP) {
      return timestampString(this.view.getBigInt64(slot, true), 0, local);
    }
    const at = base + this.view.getInt32(slot + 4, true);
    const nanos = this.view.getInt32(slot, true);
    this.check(slot, at, 8, end, `the ${type.type} value`);
    if (nanos < 0 || nanos > 999_999) this.fail(slot, `${nanos} nanoseconds of a millisecond in a ${type.type}`);
    return timestampString(this.view.getBigInt64(at, true), nanos, local);
  }

  /** A `BinaryArrayData`: the element count, null bits in 4-byte words, the element slots, the variable part. */
  array(start: number, length: number, element: LogicalTypeNode, depth: number): StateValue[] {
    if (depth > MAX_DEPTH) this.fail(start, `arrays nested deeper than ${MAX_DEPTH}`);
    const end = start + length;
    this.check(start, start, 4, end, 'the size of an array');
    const n = this.view.getInt32(start, true);
    const size = elementSize(element);
    const header = 4 + Math.floor((n + 31) / 32) * 4;
    if (n < 0 || n > length) this.fail(start, `an array of ${n} elements in ${length} bytes`);
    this.check(start, start, header + n * size, end, `an array of ${n} ${element.type}`);
    const out: StateValue[] = [];
    for (let i = 0; i < n; i++) {
      const isNull = (this.bytes[start + 4 + (i >> 3)] & (1 << (i & 7))) !== 0;
      // Elements narrower than 8 bytes are packed (elementSize); each reads at its slot like a row field.
      out.push(isNull ? null : this.field(start, end, start + header + i * size, element, depth));
    }
    return out;
  }

  /** A `BinaryMapData`: the key array's size in bytes, the key array, the value array (MULTISET: counts). */
  map(start: number, length: number, type: LogicalTypeNode, depth: number): StateValue {
    const end = start + length;
    this.check(start, start, 4, end, `the key array size of a ${type.type}`);
    const keyBytes = this.view.getInt32(start, true);
    this.check(start, start + 4, keyBytes, end, `the keys of a ${type.type}`);
    const keyType = type.root === 'MAP' ? type.key! : type.element!;
    const valueType: LogicalTypeNode =
      type.root === 'MAP' ? type.value! : { type: 'INT NOT NULL', root: 'INTEGER', nullable: false };
    const keys = this.array(start + 4, keyBytes, keyType, depth);
    const values = this.array(start + 4 + keyBytes, end - start - 4 - keyBytes, valueType, depth);
    if (keys.length !== values.length) {
      this.fail(start, `a ${type.type} of ${keys.length} keys and ${values.length} values`);
    }
    return keys.map((key, i) => ({ key, value: values[i] }));
  }
}

/** `BinaryArrayData.calculateFixLengthPartSize`. */
function elementSize(type: LogicalTypeNode): number {
  switch (type.root) {
    case 'BOOLEAN':
    case 'TINYINT':
      return 1;
    case 'SMALLINT':
      return 2;
    case 'INTEGER':
    case 'FLOAT':
    case 'DATE':
    case 'TIME_WITHOUT_TIME_ZONE':
    case 'INTERVAL_YEAR_MONTH':
      return 4;
    default:
      return 8;
  }
}

function finite(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

function bigEndianSigned(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return bytes.length > 0 && bytes[0] & 0x80 ? v - (1n << BigInt(bytes.length * 8)) : v;
}

export function decimalString(unscaled: bigint, scale: number): string {
  if (scale <= 0) return (unscaled * 10n ** BigInt(-scale)).toString();
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Fractions as Java's `LocalDateTime#toString` writes them: none, or 3, 6 or 9 digits. */
function fraction(nanos: number): string {
  if (nanos === 0) return '';
  const digits = pad(nanos, 9);
  if (nanos % 1_000_000 === 0) return `.${digits.slice(0, 3)}`;
  if (nanos % 1000 === 0) return `.${digits.slice(0, 6)}`;
  return `.${digits}`;
}

const DAY_MILLIS = 86_400_000n;

/** Epoch milliseconds (and nanos of the millisecond) as `yyyy-MM-ddTHH:mm:ss[.fff]`, with `Z` for an instant. */
export function timestampString(millis: bigint, nanosOfMilli: number, local: boolean): string {
  let days = millis / DAY_MILLIS;
  let ofDay = millis % DAY_MILLIS;
  if (ofDay < 0n) {
    ofDay += DAY_MILLIS;
    days -= 1n;
  }
  const ms = Number(ofDay);
  const nanos = (ms % 1000) * 1_000_000 + nanosOfMilli;
  const s = Math.floor(ms / 1000);
  const clock = `${pad(Math.floor(s / 3600), 2)}:${pad(Math.floor(s / 60) % 60, 2)}:${pad(s % 60, 2)}`;
  return `${date(Number(days))}T${clock}${fraction(nanos)}${local ? '' : 'Z'}`;
}

/** Days since the epoch as `yyyy-MM-dd` (proleptic Gregorian, as `LocalDate`). */
function date(days: number): string {
  const d = new Date(days * 86_400_000);
  const year = d.getUTCFullYear();
  const y = year < 0 ? `-${pad(-year, 4)}` : pad(year, 4);
  return `${y}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

/** Milliseconds of the day as `HH:mm:ss[.fff]`. */
function time(millis: number): string {
  const s = Math.floor(millis / 1000);
  return `${pad(Math.floor(s / 3600), 2)}:${pad(Math.floor(s / 60) % 60, 2)}:${pad(s % 60, 2)}${fraction((millis % 1000) * 1_000_000)}`;
}
