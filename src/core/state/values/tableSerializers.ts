import { StateSchemaError } from '../errors';
import type { SerializerSnapshotNode } from '../serializerSnapshot';
import { codecFor, decodeAll, hexOf, type Codec, type StateValue } from './decode';
import { arrayDataCodec, decimalString, mapDataCodec, timestampString } from './rowData';

/**
 * The Table runtime's serializers outside a row: the keys and values of the data views of SQL aggregates
 * (`MapView`/`ListView` fields backed by state of their own, e.g. `agg1$map`, `distinctAcc_0`), the `SortedMap` of a
 * retracting Top-N, data views kept in their accumulator (`MapViewSerializer`, `ListViewSerializer`), and the internal data structures (`StringData`, `DecimalData`, `TimestampData`, `ArrayData`,
 * `MapData`, `RawValueData`) those hold. Null where the snapshot is not one of them.
 */
export function tableCodec(node: SerializerSnapshotNode): Codec | null {
  switch (node.class.slice(node.class.lastIndexOf('.') + 1)) {
    case 'StringDataSerializer$StringDataSerializerSnapshot':
      return { length: -1, exact: true, read: (i) => Buffer.from(lengthPrefixed(i, 'a StringData')).toString('utf8') };
    case 'DecimalDataSerializer$DecimalSerializerSnapshot':
      return decimalCodec(node);
    case 'TimestampDataSerializer$TimestampDataSerializerSnapshot':
      return timestampCodec(node);
    case 'ArrayDataSerializer$ArrayDataSerializerSnapshot':
      return arrayDataCodec(node);
    case 'MapDataSerializer$MapDataSerializerSnapshot':
      return mapDataCodec(node);
    case 'RawValueDataSerializer$RawValueDataSerializerSnapshot':
      return rawValueCodec(node);
    case 'NullSerializer$NullSerializerSnapshot':
      // a data view backed by state: its accumulator field holds one byte, its entries are in the view's own state
      return { length: 1, exact: true, read: (i) => (i.u8('a null'), null) };
    // the external object is converted to the internal one, which the nested serializer writes; a data view kept in
    // its accumulator (not backed by state) is written by its map or list serializer
    case 'ExternalSerializer$ExternalSerializerSnapshot':
    case 'MapViewSerializerSnapshot':
    case 'ListViewSerializerSnapshot': {
      const internal = node.nested?.[0];
      return internal === undefined ? null : codecFor(internal);
    }
    case 'SortedMapSerializerSnapshot': {
      // `AbstractMapSerializer`: the size, then per entry the key, a null flag and the value (the comparator is in
      // the snapshot only)
      const [key, value] = (node.nested ?? []).map(codecFor);
      if (value === undefined) return null;
      return {
        length: -1,
        exact: key.exact && value.exact,
        read: (i) => {
          const at = i.offset;
          const n = i.i32('the size of a SortedMap');
          if (n < 0 || n > i.remaining) throw new StateSchemaError('invalid', at, `a SortedMap of ${n} entries`);
          const out: StateValue[] = [];
          for (let k = 0; k < n; k++) {
            const entryKey = key.read(i);
            out.push({ key: entryKey, value: i.bool('a SortedMap value null flag') ? null : value.read(i) });
          }
          return out;
        },
      };
    }
  }
  return null;
}

function lengthPrefixed(input: Parameters<Codec['read']>[0], what: string): Uint8Array {
  const at = input.offset;
  const length = input.i32(`the length of ${what}`);
  if (length < 0) throw new StateSchemaError('invalid', at, `${what} of ${length} bytes`);
  return input.take(length, what);
}

/** `DecimalDataSerializer`: up to 18 digits the unscaled long, else the unscaled bytes (big-endian) after their count. */
function decimalCodec(node: SerializerSnapshotNode): Codec | null {
  const type = node.logicalTypes?.[0];
  if (type?.precision === undefined) return null;
  const scale = type.scale ?? 0;
  if (type.precision <= 18) {
    return { length: 8, exact: true, read: (i) => decimalString(i.i64('a compact DECIMAL'), scale) };
  }
  return {
    length: -1,
    exact: true,
    read: (i) => {
      const bytes = lengthPrefixed(i, 'a DECIMAL');
      let v = 0n;
      for (const b of bytes) v = (v << 8n) | BigInt(b);
      if (bytes.length > 0 && bytes[0] & 0x80) v -= 1n << BigInt(bytes.length * 8);
      return decimalString(v, scale);
    },
  };
}

/**
 * `TimestampDataSerializer`: the epoch milliseconds, then above millisecond precision the nanoseconds of the
 * millisecond. The serializer does not tell TIMESTAMP from TIMESTAMP_LTZ: the wall-clock form of its UTC value.
 */
function timestampCodec(node: SerializerSnapshotNode): Codec | null {
  const precision = node.logicalTypes?.[0]?.precision;
  if (precision === undefined) return null;
  if (precision <= 3) {
    return { length: 8, exact: true, read: (i) => timestampString(i.i64('a TIMESTAMP'), 0, true) };
  }
  return {
    length: 12,
    exact: true,
    read: (i) => {
      const millis = i.i64('a TIMESTAMP');
      const at = i.offset;
      const nanos = i.i32('the nanoseconds of a TIMESTAMP');
      if (nanos < 0 || nanos > 999_999) {
        throw new StateSchemaError('invalid', at, `${nanos} nanoseconds of a millisecond in a TIMESTAMP`);
      }
      return timestampString(millis, nanos, true);
    },
  };
}

/** `RawValueDataSerializer`: the bytes the RAW type's own serializer wrote, after their count; decoded by it. */
function rawValueCodec(node: SerializerSnapshotNode): Codec {
  const inner = node.nested?.[0];
  const cls = inner?.type ?? inner?.class ?? node.class;
  return {
    length: -1,
    exact: true,
    read: (i) => {
      const at = i.offset + 4;
      const bytes = lengthPrefixed(i, 'a RAW value');
      return inner === undefined ? { class: cls, hex: hexOf(bytes) } : decodeAll(codecFor(inner), bytes, at, cls);
    },
  };
}
