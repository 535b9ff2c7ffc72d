import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataInput, StateSchemaError, type SerializerSnapshotNode } from '../../../src/core/state';
import type { LogicalTypeNode } from '../../../src/core/state/logicalType';
import { codecFor, decodeAll, type StateValue } from '../../../src/core/state/values';
import { MUTATION_KINDS, mutate, timedTwice } from '../metadata/mutation';
import { prng } from '../metadata/support';

/**
 * The Table runtime's serializers outside a row, as the retracting SQL operators use them: the keys and values of
 * data view states (`ExternalSerializer` over `StringData`, `DecimalData`, `TimestampData`, Long, Int), the
 * `SortedMap<RowData, Long>` of a retracting Top-N, RAW values and the nulls of views backed by state. Bytes are built
 * here as Flink's serializers write them (DataOutput, big-endian; binary rows little-endian).
 */

const TYPEUTILS = 'org.apache.flink.table.runtime.typeutils.';
const BASE = 'org.apache.flink.api.common.typeutils.base.';

const t = (root: string, type: string, parts: Partial<LogicalTypeNode> = {}): LogicalTypeNode => ({
  type,
  root,
  nullable: true,
  ...parts,
});
const node = (cls: string, parts: Partial<SerializerSnapshotNode> = {}): SerializerSnapshotNode => ({
  class: cls,
  version: 1,
  offset: 0,
  ...parts,
});
const external = (inner: SerializerSnapshotNode) =>
  node(`${TYPEUTILS}ExternalSerializer$ExternalSerializerSnapshot`, { nested: [inner] });
const LONG = node(`${BASE}LongSerializer$LongSerializerSnapshot`);
const STRING_DATA = node(`${TYPEUTILS}StringDataSerializer$StringDataSerializerSnapshot`);
const decimalData = (precision: number, scale: number) =>
  node(`${TYPEUTILS}DecimalDataSerializer$DecimalSerializerSnapshot`, {
    logicalTypes: [t('DECIMAL', `DECIMAL(${precision}, ${scale})`, { precision, scale })],
  });
const timestampData = (precision: number) =>
  node(`${TYPEUTILS}TimestampDataSerializer$TimestampDataSerializerSnapshot`, {
    logicalTypes: [t('TIMESTAMP_WITHOUT_TIME_ZONE', `TIMESTAMP(${precision})`, { precision })],
  });
const rowData = (types: LogicalTypeNode[]) =>
  node(`${TYPEUTILS}RowDataSerializer$RowDataSerializerSnapshot`, { logicalTypes: types });
const DECIMAL_10_2 = t('DECIMAL', 'DECIMAL(10, 2)', { precision: 10, scale: 2 });
const SORTED_MAP = node(`${TYPEUTILS}SortedMapSerializerSnapshot`, {
  nested: [rowData([DECIMAL_10_2]), LONG],
});

const i32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
};
const i64 = (v: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(v);
  return b;
};
const stringData = (s: string) => Buffer.concat([i32(Buffer.byteLength(s)), Buffer.from(s)]);

/** A RowDataSerializer's bytes of a one-field row whose 8-byte slot is `slot` (no variable part). */
function oneSlotRow(slot: Buffer): Buffer {
  const row = Buffer.concat([Buffer.alloc(8), slot]);
  return Buffer.concat([i32(row.length), row]);
}

function decimalSlot(unscaled: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(unscaled);
  return b;
}

/** A retracting Top-N's sorted map: amount → count, highest first. */
function sortedMap(entries: [bigint, bigint | null][]): Uint8Array {
  const parts: Buffer[] = [i32(entries.length)];
  for (const [amount, count] of entries) {
    parts.push(oneSlotRow(decimalSlot(amount)));
    parts.push(count === null ? Buffer.from([1]) : Buffer.concat([Buffer.from([0]), i64(count)]));
  }
  return new Uint8Array(Buffer.concat(parts));
}

const read = (n: SerializerSnapshotNode, bytes: Uint8Array | Buffer): StateValue =>
  decodeAll(codecFor(n), new Uint8Array(bytes), 0, n.class);

describe('Table runtime serializers of data views and Top-N', () => {
  it('reads data view keys and values through ExternalSerializer to the internal serializer', () => {
    assert.equal(read(external(STRING_DATA), stringData('name-37')), 'name-37');
    assert.equal(read(external(STRING_DATA), stringData('wörld')), 'wörld');
    assert.equal(read(external(LONG), i64(3n)), 3);
    assert.equal(read(external(decimalData(10, 2)), i64(-4625n)), '-46.25');
    const big = 12345678901234567890123n;
    const hex = big.toString(16);
    const bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
    assert.equal(read(decimalData(30, 4), Buffer.concat([i32(bytes.length), bytes])), '1234567890123456789.0123');
    assert.equal(read(external(timestampData(3)), i64(1700000017000n)), '2023-11-14T22:13:37');
    assert.equal(read(timestampData(3), i64(-500n)), '1969-12-31T23:59:59.500');
    assert.equal(
      read(timestampData(9), Buffer.concat([i64(1709210077123n), i32(456789)])),
      '2024-02-29T12:34:37.123456789',
    );
    assert.equal(codecFor(external(LONG)).length, 8);
    assert.equal(codecFor(timestampData(6)).length, 12);
  });

  it('reads data views kept in their accumulator through their map and list serializers', () => {
    const map = node(`${BASE}MapSerializerSnapshot`, { nested: [STRING_DATA, LONG] });
    const mapView = node('org.apache.flink.table.dataview.MapViewSerializerSnapshot', { nested: [map] });
    const entries = Buffer.concat([
      i32(2),
      stringData('a'),
      Buffer.from([0]),
      i64(1n),
      stringData('b'),
      Buffer.from([1]),
    ]);
    assert.deepEqual(read(mapView, entries), [
      { key: 'a', value: 1 },
      { key: 'b', value: null },
    ]);
    const list = node(`${BASE}ListSerializerSnapshot`, { nested: [LONG] });
    const listView = node('org.apache.flink.table.dataview.ListViewSerializerSnapshot', { nested: [list] });
    assert.deepEqual(read(listView, Buffer.concat([i32(2), i64(7n), i64(-7n)])), [7, -7]);
  });

  it('reads the SortedMap of a retracting Top-N in its order, null values too', () => {
    assert.deepEqual(
      read(
        SORTED_MAP,
        sortedMap([
          [4625n, 1n],
          [4125n, null],
        ]),
      ),
      [
        { key: { f0: '46.25' }, value: 1 },
        { key: { f0: '41.25' }, value: null },
      ],
    );
    assert.deepEqual(read(SORTED_MAP, sortedMap([])), []);
  });

  it('shows a state-backed view’s placeholder as nothing and RAW values by their own serializer', () => {
    const nullSerializer = node('org.apache.flink.table.dataview.NullSerializer$NullSerializerSnapshot');
    assert.equal(read(nullSerializer, new Uint8Array([0])), null);
    const raw = node(`${TYPEUTILS}RawValueDataSerializer$RawValueDataSerializerSnapshot`, { nested: [LONG] });
    assert.equal(read(raw, Buffer.concat([i32(8), i64(42n)])), 42);
    const opaqueRaw = node(`${TYPEUTILS}RawValueDataSerializer$RawValueDataSerializerSnapshot`);
    assert.deepEqual(read(opaqueRaw, Buffer.concat([i32(2), Buffer.from([0xca, 0xfe])])), {
      class: opaqueRaw.class,
      hex: 'cafe',
    });
  });

  it('reads DATE, TIME, TIMESTAMP_LTZ (compact, not, before 1970) and INTERVAL fields of a row', () => {
    const types = [
      t('DATE', 'DATE'),
      t('TIME_WITHOUT_TIME_ZONE', 'TIME(0)'),
      t('TIMESTAMP_WITH_LOCAL_TIME_ZONE', 'TIMESTAMP_LTZ(3)', { precision: 3 }),
      t('TIMESTAMP_WITH_LOCAL_TIME_ZONE', 'TIMESTAMP_LTZ(9)', { precision: 9 }),
      t('INTERVAL_DAY_TIME', 'INTERVAL SECOND(3)'),
      t('INTERVAL_YEAR_MONTH', 'INTERVAL MONTH'),
    ];
    const fixed = Buffer.alloc(8 + 8 * types.length + 8);
    const slot = (i: number) => 8 + 8 * i;
    fixed.writeInt32LE(19782, slot(0)); // 2024-02-29
    fixed.writeInt32LE(86_387_000, slot(1)); // 23:59:47
    fixed.writeBigInt64LE(-14182932500n, slot(2)); // 1969-07-20T20:17:47.500Z
    const variable = 8 + 8 * types.length;
    fixed.writeInt32LE(456789, slot(3));
    fixed.writeInt32LE(variable, slot(3) + 4);
    fixed.writeBigInt64LE(1709210077123n, variable);
    fixed.writeBigInt64LE(3196800000n, slot(4));
    fixed.writeInt32LE(37, slot(5));
    assert.deepEqual(read(rowData(types), Buffer.concat([i32(fixed.length), fixed])), {
      f0: '2024-02-29',
      f1: '23:59:47',
      f2: '1969-07-20T20:17:47.500Z',
      f3: '2024-02-29T12:34:37.123456789Z',
      f4: 3196800000,
      f5: 37,
    });
  });

  it('refuses negative lengths, impossible sizes and bad nanoseconds with the offset of the fault', () => {
    const fault = (n: SerializerSnapshotNode, bytes: Buffer, offset: number, code = 'invalid') =>
      assert.throws(
        () => codecFor(n).read(new DataInput(new Uint8Array(bytes), 100, true)),
        (e: unknown) => e instanceof StateSchemaError && e.code === code && e.offset === offset,
      );
    fault(STRING_DATA, i32(-1), 100);
    fault(STRING_DATA, Buffer.concat([i32(9), Buffer.from('short')]), 104, 'truncated');
    fault(decimalData(30, 4), i32(-3), 100);
    fault(timestampData(9), Buffer.concat([i64(0n), i32(1_000_000)]), 108);
    fault(SORTED_MAP, i32(1000), 100);
    fault(SORTED_MAP, Buffer.from(sortedMap([[1n, 1n]]).subarray(0, 10)), 108, 'truncated');
  });
});

const ROUNDS = 20000;
const HANG_MS = 250;

describe('Table runtime serializers under mutation', () => {
  const cases: [string, SerializerSnapshotNode, Uint8Array][] = [
    [
      'SortedMap<RowData, Long>',
      SORTED_MAP,
      sortedMap([
        [4875n, 1n],
        [4375n, 2n],
        [3875n, null],
      ]),
    ],
    ['StringData view key', external(STRING_DATA), new Uint8Array(stringData('name-39, a longer one'))],
    ['DECIMAL(30, 4)', decimalData(30, 4), new Uint8Array(Buffer.concat([i32(9), Buffer.alloc(9, 0x7f)]))],
    ['TIMESTAMP(9)', timestampData(9), new Uint8Array(Buffer.concat([i64(1709210077123n), i32(456789)]))],
  ];
  for (const [what, n, seed] of cases) {
    it(`${ROUNDS / cases.length} seeded mutations of a ${what}: a value or a typed error with its offset, no hang`, (t) => {
      const codec = codecFor(n);
      const outcomes: Record<string, number> = {};
      let slowest = 0;
      for (let i = 0; i < ROUNDS / cases.length; i++) {
        const rnd = prng(7100 + i);
        const kind = MUTATION_KINDS[Math.floor(rnd() * MUTATION_KINDS.length)];
        const input = mutate(seed, seed, rnd, kind);
        const { result: outcome, ms } = timedTwice(() => {
          try {
            const value = codec.read(new DataInput(input, 0, true));
            assert.ok(JSON.stringify(value).length <= 64 * input.length + 4096);
            return 'ok';
          } catch (error) {
            if (!(error instanceof StateSchemaError)) assert.fail(`${kind} mutation ${7100 + i}: ${String(error)}`);
            assert.ok(error.offset >= 0 && error.offset <= input.length, `offset ${error.offset} of ${input.length}`);
            return error.code;
          }
        }, HANG_MS);
        assert.ok(ms <= HANG_MS, `${kind} mutation ${7100 + i} took ${ms.toFixed(0)} ms`);
        slowest = Math.max(slowest, ms);
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      }
      t.diagnostic(`${what}: outcomes ${JSON.stringify(outcomes)}; slowest ${slowest.toFixed(1)} ms`);
      assert.ok((outcomes.ok ?? 0) > 0 && (outcomes.truncated ?? 0) > 0);
    });
  }
});
