import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SerializerSnapshotNode } from '../../../src/core/state';
import {
  codecFor,
  decodeAll,
  decodeKey,
  decodeSnappyFramed,
  javaHashCode,
  keyGroupOfHash,
  keyLayout,
} from '../../../src/core/state/values';
import { decodeDelimitedList, decodeNullableValue } from '../../../src/core/state/values/keyLayout';

/** `java.io.DataOutputStream` and Flink's `StringValue.writeString`, enough to write what Flink's serializers write. */
class Out {
  readonly bytes: number[] = [];
  u8(...b: number[]): this {
    this.bytes.push(...b.map((x) => x & 0xff));
    return this;
  }
  bool(b: boolean): this {
    return this.u8(b ? 1 : 0);
  }
  i16(v: number): this {
    return this.u8(v >> 8, v);
  }
  i32(v: number): this {
    return this.u8(v >> 24, v >> 16, v >> 8, v);
  }
  i64(v: bigint): this {
    for (let s = 56n; s >= 0n; s -= 8n) this.u8(Number((v >> s) & 0xffn));
    return this;
  }
  varint7(v: number): this {
    while (v >= 0x80) {
      this.u8(v | 0x80);
      v >>>= 7;
    }
    return this.u8(v);
  }
  str(s: string | null): this {
    if (s === null) return this.u8(0);
    this.varint7(s.length + 1);
    for (let i = 0; i < s.length; i++) this.varint7(s.charCodeAt(i));
    return this;
  }
  utf(s: string): this {
    const b = Buffer.from(s, 'utf8');
    return this.i16(b.length).u8(...b);
  }
  get array(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

const BASE = 'org.apache.flink.api.common.typeutils.base.';
const node = (cls: string, extra: Partial<SerializerSnapshotNode> = {}): SerializerSnapshotNode => ({
  class: cls,
  version: 1,
  offset: 0,
  ...extra,
});
const simple = (t: string) => node(`${BASE}${t}Serializer$${t}SerializerSnapshot`);
const STRING = simple('String');
const LONG = simple('Long');
const INT = simple('Integer');
const decode = (n: SerializerSnapshotNode, out: Out) => decodeAll(codecFor(n), out.array, 0, n.class);

describe('values decoded by the serializer tree', () => {
  it('String as StringValue writes it: null, empty, non-ASCII and characters beyond the BMP', () => {
    for (const s of ['', 'to be', 'naïve €', '𝄞 clef', 'x'.repeat(300)]) {
      assert.equal(decode(STRING, new Out().str(s)), s);
    }
    assert.equal(decode(STRING, new Out().str(null)), null);
  });

  it('longs beyond 2^53 as strings, doubles, booleans, chars, enums by constant', () => {
    assert.equal(decode(LONG, new Out().i64(42n)), 42);
    assert.equal(decode(LONG, new Out().i64(-(1n << 62n))), (-(1n << 62n)).toString());
    assert.equal(decode(simple('Boolean'), new Out().bool(true)), true);
    assert.equal(decode(simple('Char'), new Out().i16(0x20ac)), '€');
    const buf = Buffer.alloc(8);
    buf.writeDoubleBE(2.5);
    assert.equal(decode(simple('Double'), new Out().u8(...buf)), 2.5);
    const colors = node(`${BASE}EnumSerializer$EnumSerializerSnapshot`, { type: 'Color', constants: ['RED', 'GREEN'] });
    assert.equal(decode(colors, new Out().i32(1)), 'GREEN');
  });

  it('BigInteger and BigDecimal: null, the constants, and two’s complement with a scale', () => {
    const bi = simple('BigInt');
    assert.equal(decode(bi, new Out().i32(0)), null);
    assert.equal(decode(bi, new Out().i32(3)), '10');
    assert.equal(decode(bi, new Out().i32(6).u8(0xff, 0x85)), '-123');
    const bd = simple('BigDec');
    assert.equal(decode(bd, new Out().i32(6).u8(0x30, 0x39).i32(3)), '12.345');
    assert.equal(decode(bd, new Out().i32(5).u8(0xf9).i32(2)), '-0.07');
    assert.equal(decode(bd, new Out().i32(1).i32(2)), '0.00');
    assert.equal(decode(bd, new Out().i32(0)), null);
  });

  it('dates and times as ISO text, null as null', () => {
    assert.equal(decode(simple('LocalDate'), new Out().i32(2026).u8(12, 4)), '2026-12-04');
    assert.equal(decode(simple('LocalDate'), new Out().i32(-2147483648).i16(-32768)), null);
    assert.equal(decode(simple('LocalTime'), new Out().u8(23, 5, 9).i32(0)), '23:05:09');
    assert.equal(decode(simple('Instant'), new Out().i64(0n).i32(1000000)), '1970-01-01T00:00:00.001Z');
    assert.equal(decode(simple('Date'), new Out().i64(-(1n << 63n))), null);
    // Instant.MAX and Instant.MIN lie beyond a JavaScript Date: as Java prints them (in our millisecond style)
    assert.equal(
      decode(simple('Instant'), new Out().i64(31556889864403199n).i32(999999999)),
      '+1000000000-12-31T23:59:59.999999999Z',
    );
    assert.equal(
      decode(simple('Instant'), new Out().i64(-31557014167219200n).i32(0)),
      '-1000000000-01-01T00:00:00.000Z',
    );
  });

  it('Tuple, List, Map (null values), Array (null elements), Either, TTL', () => {
    const tuple = node('org.apache.flink.api.java.typeutils.runtime.TupleSerializerSnapshot', {
      nested: [STRING, LONG],
    });
    assert.deepEqual(decode(tuple, new Out().str('a').i64(7n)), ['a', 7]);
    const list = node(`${BASE}ListSerializerSnapshot`, { nested: [INT] });
    assert.deepEqual(decode(list, new Out().i32(3).i32(1).i32(2).i32(3)), [1, 2, 3]);
    const map = node(`${BASE}MapSerializerSnapshot`, { nested: [STRING, LONG] });
    assert.deepEqual(decode(map, new Out().i32(2).str('x').bool(false).i64(1n).str('y').bool(true)), [
      { key: 'x', value: 1 },
      { key: 'y', value: null },
    ]);
    const array = node(`${BASE}GenericArraySerializerSnapshot`, { nested: [STRING] });
    assert.deepEqual(decode(array, new Out().i32(2).bool(true).str('s').bool(false)), ['s', null]);
    const either = node('org.apache.flink.api.java.typeutils.runtime.EitherSerializerSnapshot', {
      nested: [STRING, INT],
    });
    assert.deepEqual(decode(either, new Out().bool(false).i32(9)), { right: 9 });
    const ttl = node('org.apache.flink.runtime.state.ttl.TtlStateFactory$TtlSerializerSnapshot', {
      nested: [LONG, STRING],
    });
    assert.deepEqual(decode(ttl, new Out().i64(1700000000000n).str('v')), {
      lastAccessTimestamp: 1700000000000,
      userValue: 'v',
    });
  });

  it('Row: the row kind and null mask before the fields', () => {
    const row = node('org.apache.flink.api.java.typeutils.runtime.RowSerializer$RowSerializerSnapshot', {
      version: 3,
      raw: '01',
      nested: [STRING, LONG, INT],
    });
    // kind +U (2: bits 1,0 = 0b10 → mask bit 0 clear, bit 1 set), field 1 null: 0b0_1_0_1_0_000 = 0x50.
    assert.deepEqual(decode(row, new Out().u8(0x50).str('a').i32(5)), { kind: '+U', fields: ['a', null, 5] });
  });

  it('POJO by field names, with null fields; a subclass is shown as its class and bytes', () => {
    const pojo = node('org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot', {
      type: 'com.example.Account',
      fields: [
        { name: 'id', serializer: LONG },
        { name: 'owner', serializer: STRING },
      ],
    });
    assert.deepEqual(decode(pojo, new Out().u8(2).bool(false).i64(5n).bool(true)), { id: 5, owner: null });
    assert.equal(decode(pojo, new Out().u8(1)), null);
    assert.deepEqual(decode(pojo, new Out().u8(4).utf('com.example.Premium').u8(0xab)), {
      class: 'com.example.Premium',
      hex: 'ab',
    });
  });

  it('Kryo and unknown serializers become {class, hex}; a bad value never throws', () => {
    const kryo = node('org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializerSnapshot', {
      type: 'com.example.Blob',
    });
    assert.deepEqual(decode(kryo, new Out().u8(1, 2, 3)), { class: 'com.example.Blob', hex: '010203' });
    const truncated = decode(LONG, new Out().u8(1, 2));
    assert.equal((truncated as { hex: string }).hex, '0102');
    const leftOver = decode(INT, new Out().i32(1).u8(9)) as { problem: string };
    assert.match(leftOver.problem, /1 bytes left over/);
  });

  it('Avro GenericRecord by the schema kept in the snapshot, as AvroSerializer writes it', () => {
    const schema = JSON.stringify({
      type: 'record',
      name: 'User',
      fields: [
        { name: 'name', type: 'string' },
        { name: 'age', type: ['null', 'int'] },
        { name: 'tags', type: { type: 'array', items: 'string' } },
        { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['A', 'B'] } },
      ],
    });
    const avro = node('org.apache.flink.formats.avro.typeutils.AvroSerializerSnapshot', { schema, type: 'User' });
    // Flink's DataOutputEncoder: "bo" with a 4-byte length, union branch 1, age 21, a block of one tag, end, enum B.
    const bytes = new Out().i32(2).u8(0x62, 0x6f).i32(1).i32(21).u8(1).i32(1).u8(0x78).u8(0).i32(1);
    assert.deepEqual(decode(avro, bytes), { name: 'bo', age: 21, tags: ['x'], kind: 'B' });
  });
});

describe("Flink's RocksDB key layout", () => {
  it('key group prefix, key, namespace, and their lengths when both are of variable length', () => {
    // String key and String namespace: each is followed by its length (CompositeKeySerializationUtils).
    const key = new Out().u8(0x00, 0x2a).str('word');
    key.u8(5); // 'word' takes 5 bytes as a StringValue
    key.str('ns').u8(3);
    const decoded = decodeKey(keyLayout(32768, STRING, STRING, null), key.array, 0);
    assert.deepEqual(decoded, { keyGroup: 42, key: 'word', namespace: 'ns' });
  });

  it('a map entry: one-byte prefix, key, void namespace, the user key; the value has a null flag', () => {
    const voidNs = node('org.apache.flink.runtime.state.VoidNamespaceSerializer$VoidNamespaceSerializerSnapshot');
    const key = new Out().u8(7).str('k').u8(0).i64(99n);
    assert.deepEqual(decodeKey(keyLayout(128, STRING, voidNs, LONG), key.array, 0), {
      keyGroup: 7,
      key: 'k',
      namespace: null,
      userKey: 99,
    });
    assert.equal(decodeNullableValue(codecFor(STRING), new Out().bool(true).array, 0, 's'), null);
    assert.equal(decodeNullableValue(codecFor(STRING), new Out().bool(false).str('v').array, 0, 's'), 'v');
  });

  it('a list value: elements separated by one delimiter byte', () => {
    const bytes = new Out().i64(1n).u8(0x2c).i64(2n).u8(0x2c).i64(3n);
    assert.deepEqual(decodeDelimitedList(codecFor(LONG), bytes.array, 0), [1, 2, 3]);
  });

  it('key groups as Flink assigns them (MathUtils.murmurHash of the Java hashCode)', () => {
    // Known from Flink: KeyGroupRangeAssignment.assignToKeyGroup("sea", 128) = 42 (the 2.2.1 canonical savepoint).
    assert.equal(keyGroupOfHash(javaHashCode(STRING, 'sea') ?? NaN, 128), 42);
    assert.equal(javaHashCode(LONG, 1 + 2 ** 32), 0);
    assert.equal(javaHashCode(simple('Boolean'), true), 1231);
  });
});

describe('Snappy framing of snapshot compression', () => {
  const chunk = (type: number, payload: number[]) => [type, payload.length & 0xff, payload.length >> 8, 0, ...payload];
  const id = chunk(0xff, [...Buffer.from('sNaPpY')]);

  it('decodes compressed (literal and copy) and uncompressed chunks, over repeated stream identifiers', () => {
    // Raw block: length 9, literal "abc" (tag (3-1)<<2), copy len 6 offset 3 (tag 01, len-4=2 → (2<<2)|1, offset 3).
    const block = [9, 2 << 2, 0x61, 0x62, 0x63, (2 << 2) | 1, 3];
    const framed = [...id, ...chunk(0x00, [0, 0, 0, 0, ...block]), ...id, ...chunk(0x01, [0, 0, 0, 0, 0x7a])];
    assert.equal(Buffer.from(decodeSnappyFramed(Uint8Array.from(framed), 0)).toString(), 'abcabcabcz');
  });

  it('corrupt input is a typed error with its offset, never a large allocation', () => {
    const huge = [...id, ...chunk(0x00, [0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f])];
    assert.throws(() => decodeSnappyFramed(Uint8Array.from(huge), 100), /beyond 1 GiB|corrupt Snappy/);
    const badCopy = [...id, ...chunk(0x00, [0, 0, 0, 0, 4, 1, 5])];
    assert.throws(() => decodeSnappyFramed(Uint8Array.from(badCopy), 100), { name: 'StateSchemaError' });
    assert.throws(() => decodeSnappyFramed(Uint8Array.from(id.slice(0, 6)), 0), /ends inside/);
  });
});
