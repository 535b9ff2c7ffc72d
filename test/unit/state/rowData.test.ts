import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { describeSerializer } from '../../../src/cli/schema';
import { DataInput, StateSchemaError, readKeyedProxy, type SerializerSnapshotNode } from '../../../src/core/state';
import type { LogicalTypeNode } from '../../../src/core/state/logicalType';
import { describeSerializerChange, diffSerializers } from '../../../src/core/state/schemaDiff';
import { codecFor, decodeAll } from '../../../src/core/state/values';
import { findFiles, repoRoot } from '../../support/repo';
import { MUTATION_KINDS, mutate, timedTwice } from '../metadata/mutation';
import { prng } from '../metadata/support';

/**
 * RowData values (Flink's `BinaryRowData` layout as `BinaryRowWriter` lays it out: header byte, null bits, 8-byte
 * slots, variable part in 8-byte words, little-endian) built here byte by byte, and the LogicalType reader of the Table
 * fixtures' serialization proxies under mutation.
 */

const t = (root: string, type: string, parts: Partial<LogicalTypeNode> = {}): LogicalTypeNode => ({
  type,
  root,
  nullable: true,
  ...parts,
});
const INT = t('INTEGER', 'INT');
const BIGINT = t('BIGINT', 'BIGINT');
const STRING = t('VARCHAR', 'STRING', { length: 2147483647 });

type Slot = null | { fixed: Buffer } | { inline: Buffer } | { variable: Buffer };

function le64(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(v);
  return b;
}

function padded(b: Buffer): Buffer {
  return Buffer.concat([b, Buffer.alloc((8 - (b.length % 8)) % 8)]);
}

/** A BinaryRowData: `kind` in the header byte, null bits from bit 8, slots, the variable part. */
function binaryRow(slots: Slot[], kind = 0): Buffer {
  const nullBytes = Math.floor((slots.length + 63 + 8) / 64) * 8;
  const fixed = Buffer.alloc(nullBytes + 8 * slots.length);
  fixed[0] = kind;
  const parts: Buffer[] = [];
  let offset = fixed.length;
  slots.forEach((s, i) => {
    const slot = nullBytes + 8 * i;
    if (s === null) {
      fixed[(i + 8) >> 3] |= 1 << ((i + 8) & 7);
    } else if ('fixed' in s) {
      s.fixed.copy(fixed, slot);
    } else if ('inline' in s) {
      s.inline.copy(fixed, slot);
      fixed[slot + 7] = 0x80 | s.inline.length;
    } else {
      fixed.writeInt32LE(s.variable.length, slot);
      fixed.writeInt32LE(offset, slot + 4);
      const part = padded(s.variable);
      parts.push(part);
      offset += part.length;
    }
  });
  return Buffer.concat([fixed, ...parts]);
}

/** A BinaryArrayData of `size`-byte elements. */
function binaryArray(size: number, elements: Slot[]): Buffer {
  const header = 4 + Math.floor((elements.length + 31) / 32) * 4;
  const fixed = Buffer.alloc(header + padded(Buffer.alloc(size * elements.length)).length);
  fixed.writeInt32LE(elements.length, 0);
  const parts: Buffer[] = [];
  let offset = fixed.length;
  elements.forEach((e, i) => {
    const slot = header + size * i;
    if (e === null) fixed[4 + (i >> 3)] |= 1 << (i & 7);
    else if ('fixed' in e) e.fixed.subarray(0, size).copy(fixed, slot);
    else if ('inline' in e) {
      e.inline.copy(fixed, slot);
      fixed[slot + 7] = 0x80 | e.inline.length;
    } else {
      fixed.writeInt32LE(e.variable.length, slot);
      fixed.writeInt32LE(offset, slot + 4);
      const part = padded(e.variable);
      parts.push(part);
      offset += part.length;
    }
  });
  return Buffer.concat([fixed, ...parts]);
}

/** What RowDataSerializer writes: the row's length (big-endian, DataOutput), then its bytes. */
function serialized(row: Buffer): Uint8Array {
  const head = Buffer.alloc(4);
  head.writeInt32BE(row.length);
  return new Uint8Array(Buffer.concat([head, row]));
}

function rowDataNode(types: LogicalTypeNode[]): SerializerSnapshotNode {
  return {
    class: 'org.apache.flink.table.runtime.typeutils.RowDataSerializer$RowDataSerializerSnapshot',
    version: 3,
    offset: 0,
    logicalTypes: types,
  };
}

const NESTED = t('ROW', 'ROW<`x` INT, `y` STRING>', {
  fields: [
    { name: 'x', type: INT },
    { name: 'y', type: STRING },
  ],
});

const TYPES: LogicalTypeNode[] = [
  INT,
  BIGINT,
  t('BOOLEAN', 'BOOLEAN'),
  t('DOUBLE', 'DOUBLE'),
  STRING,
  STRING,
  t('DECIMAL', 'DECIMAL(10, 2)', { precision: 10, scale: 2 }),
  t('DECIMAL', 'DECIMAL(30, 4)', { precision: 30, scale: 4 }),
  t('TIMESTAMP_WITHOUT_TIME_ZONE', 'TIMESTAMP(3)', { precision: 3 }),
  t('TIMESTAMP_WITH_LOCAL_TIME_ZONE', 'TIMESTAMP_LTZ(9)', { precision: 9 }),
  STRING,
  t('ARRAY', 'ARRAY<INT>', { element: INT }),
  t('MAP', 'MAP<STRING, INT>', { key: STRING, value: INT }),
  NESTED,
  t('RAW', "RAW('com.example.Thing', '...')", { class: 'com.example.Thing' }),
  t('DATE', 'DATE'),
  t('SMALLINT', 'SMALLINT'),
];

function sampleRow(): Buffer {
  const ts9 = le64(-1n); // 1969-12-31T23:59:59.999 plus 999,999 ns
  const tsSlot = Buffer.alloc(8);
  const int = (v: number) => {
    const b = Buffer.alloc(8);
    b.writeInt32LE(v);
    return b;
  };
  const double = Buffer.alloc(8);
  double.writeDoubleLE(2.5);
  const unscaled = Buffer.from((-(10n ** 25n) - 1234n).toString(16).replace('-', ''), 'hex');
  // two's complement of -(10^25 + 1234), as BigInteger.toByteArray
  const negative = Buffer.from(
    ((1n << BigInt(unscaled.length * 8 + 8)) - (10n ** 25n + 1234n))
      .toString(16)
      .padStart(unscaled.length * 2 + 2, '0'),
    'hex',
  );
  const keys = binaryArray(8, [{ inline: Buffer.from('a') }, { variable: Buffer.from('a-long-key') }]);
  const values = binaryArray(4, [{ fixed: int(1) }, null]);
  const mapBytes = Buffer.concat([int(keys.length).subarray(0, 4), keys, values]);
  const nested = binaryRow([{ fixed: int(7) }, { inline: Buffer.from('seven') }]);
  const row = binaryRow(
    [
      { fixed: int(-42) },
      { fixed: le64(9007199254740993n) },
      { fixed: Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]) },
      { fixed: double },
      { inline: Buffer.from('abc') },
      { variable: Buffer.from('héllo, wörld') },
      { fixed: le64(-12345n) },
      { variable: negative },
      { fixed: le64(1700000000123n) },
      { variable: ts9 },
      null,
      { variable: binaryArray(4, [{ fixed: int(5) }, null, { fixed: int(-6) }]) },
      { variable: mapBytes },
      { variable: nested },
      { variable: Buffer.from([0, 0, 0, 2, 0xca, 0xfe]) },
      { fixed: int(-1) },
      { fixed: Buffer.from([0xfe, 0xff, 0, 0, 0, 0, 0, 0]) },
    ],
    2,
  );
  // the TIMESTAMP(9)'s slot: the nanos of the millisecond beside the variable part's offset
  const nullBytes = 8;
  const slot = nullBytes + 8 * 9;
  tsSlot.writeInt32LE(999_999, 0);
  tsSlot.writeInt32LE(row.readInt32LE(slot + 4), 4);
  tsSlot.copy(row, slot);
  return row;
}

describe('RowData values', () => {
  it('decodes every field kind of a BinaryRowData by name, with its row kind', () => {
    const codec = codecFor(rowDataNode(TYPES));
    const bytes = serialized(sampleRow());
    assert.deepEqual(decodeAll(codec, bytes, 0, 'RowData'), {
      $rowKind: '+U',
      f0: -42,
      f1: '9007199254740993',
      f2: true,
      f3: 2.5,
      f4: 'abc',
      f5: 'héllo, wörld',
      f6: '-123.45',
      f7: '-1000000000000000000000.1234',
      f8: '2023-11-14T22:13:20.123',
      f9: '1969-12-31T23:59:59.999999999Z',
      f10: null,
      f11: [5, null, -6],
      f12: [
        { key: 'a', value: 1 },
        { key: 'a-long-key', value: null },
      ],
      f13: { x: 7, y: 'seven' },
      f14: { class: 'com.example.Thing', hex: '00000002cafe' },
      f15: '1969-12-31',
      f16: -2,
    });
  });

  it('is exact in RocksDB keys: the length prefix bounds it, what follows is left for the namespace', () => {
    const codec = codecFor(rowDataNode([STRING]));
    assert.equal(codec.exact, true);
    assert.equal(codec.length, -1);
    const bytes = Buffer.concat([serialized(binaryRow([{ inline: Buffer.from('k0') }])), Buffer.from([9, 9])]);
    const input = new DataInput(new Uint8Array(bytes), 0, true);
    assert.deepEqual(codec.read(input), { f0: 'k0' });
    assert.equal(input.remaining, 2);
  });

  it('refuses pointers outside the row, impossible counts and cut rows with the offset of the fault', () => {
    const codec = codecFor(rowDataNode([STRING, t('ARRAY', 'ARRAY<INT>', { element: INT })]));
    const good = binaryRow([{ variable: Buffer.from('a string of some length') }, { variable: binaryArray(4, []) }]);
    const outside = Buffer.from(good);
    // slots after 8 bytes of header and null bits: the string's at 8, the array's at 16
    outside.writeInt32LE(4096, 8 + 4);
    const huge = Buffer.from(good);
    huge.writeInt32LE(0x7fffffff, huge.readInt32LE(16 + 4));
    for (const [what, row] of [
      ['outside', outside],
      ['huge', huge],
    ] as const) {
      const value = decodeAll(codec, serialized(row), 100, 'RowData') as { problem: string };
      assert.match(value.problem, /outside|elements/, what);
    }
    const cut = serialized(good).subarray(0, 20);
    assert.throws(
      () => codec.read(new DataInput(cut, 100, true)),
      (e: unknown) => e instanceof StateSchemaError && e.code === 'truncated' && e.offset === 104,
    );
  });

  it('names its LogicalTypes in the schema line instead of the field serializers', () => {
    assert.equal(
      describeSerializer(rowDataNode([STRING, NESTED])),
      'RowDataSerializer<STRING, ROW<`x` INT, `y` STRING>>',
    );
  });

  it('shows a snapshot without LogicalTypes (a Java stream it could not read) as class and hex', () => {
    const node = rowDataNode([]);
    const codec = codecFor({ ...node, logicalTypes: undefined });
    assert.equal(codec.exact, false);
    const value = decodeAll(codec, new Uint8Array([0, 0, 0, 1, 7]), 0, node.class) as { hex: string };
    assert.equal(value.hex, '0000000107');
  });
});

describe('Table API schema changes', () => {
  it('a changed LogicalType of a RowData is a serializer change Flink will not restore', () => {
    const before = rowDataNode([STRING, t('DECIMAL', 'DECIMAL(10, 2)', { precision: 10, scale: 2 })]);
    const after = rowDataNode([STRING, t('DECIMAL', 'DECIMAL(12, 2)', { precision: 12, scale: 2 })]);
    const changes = diffSerializers('value', before, after);
    assert.deepEqual(changes, [
      {
        role: 'value',
        path: 'value',
        what: 'logical-types',
        before: 'STRING, DECIMAL(10, 2)',
        after: 'STRING, DECIMAL(12, 2)',
      },
    ]);
    assert.equal(
      describeSerializerChange(changes[0]),
      'value: logical types [STRING, DECIMAL(10, 2)] → [STRING, DECIMAL(12, 2)]',
    );
    assert.deepEqual(diffSerializers('value', before, rowDataNode([STRING, before.logicalTypes![1]])), []);
  });
});

const ROUNDS = 20000;
const HANG_MS = 250;

describe('RowData and LogicalType readers under mutation', () => {
  it(`${ROUNDS} seeded mutations of a RowData value: a value or a typed error with its offset, bounded, no hang`, (t) => {
    const codec = codecFor(rowDataNode(TYPES));
    const seed = serialized(sampleRow());
    const outcomes: Record<string, number> = {};
    let slowest = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const rnd = prng(4200 + i);
      const kind = MUTATION_KINDS[Math.floor(rnd() * MUTATION_KINDS.length)];
      const input = mutate(seed, seed, rnd, kind);
      const { result: outcome, ms } = timedTwice(() => {
        try {
          const value = codec.read(new DataInput(input, 0, true));
          const size = JSON.stringify(value).length;
          assert.ok(size <= 64 * input.length + 4096, `a value of ${size} characters from ${input.length} bytes`);
          return 'ok';
        } catch (error) {
          if (!(error instanceof StateSchemaError)) assert.fail(`${kind} mutation ${4200 + i}: ${String(error)}`);
          assert.ok(error.offset >= 0 && error.offset <= input.length, `offset ${error.offset} of ${input.length}`);
          return error.code;
        }
      }, HANG_MS);
      assert.ok(ms <= HANG_MS, `${kind} mutation ${4200 + i} took ${ms.toFixed(0)} ms`);
      slowest = Math.max(slowest, ms);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
    t.diagnostic(`outcomes ${JSON.stringify(outcomes)}; slowest ${slowest.toFixed(1)} ms`);
    assert.ok((outcomes.ok ?? 0) > 0 && (outcomes.invalid ?? 0) > 0 && (outcomes.truncated ?? 0) > 0);
  });

  it('seeded mutations of the Table fixtures’ proxies (Java-serialized LogicalTypes): typed errors only', (t) => {
    const root = path.join(repoRoot(), 'test', 'fixtures', 'flink-table');
    const heads: Uint8Array[] = [];
    const seen = new Set<string>();
    for (const metadata of findFiles(root, '_metadata')) {
      const dir = path.dirname(metadata);
      for (const f of fs.readdirSync(dir).filter((n) => !n.startsWith('_'))) {
        const file = path.join(dir, f);
        if (!fs.statSync(file).isFile()) continue;
        const bytes = new Uint8Array(fs.readFileSync(file).subarray(0, 16384));
        const key = Buffer.from(bytes.subarray(0, 4096)).toString('base64');
        if (seen.has(key)) continue;
        try {
          readKeyedProxy(new DataInput(bytes, 0, bytes.length < 16384));
          heads.push(bytes);
          seen.add(key);
        } catch {
          // not a keyed proxy
        }
      }
    }
    assert.ok(heads.length >= 5, `${heads.length} keyed proxies among the Table fixtures`);
    const outcomes: Record<string, number> = {};
    for (let i = 0; i < 5000; i++) {
      const rnd = prng(8800 + i);
      const bytes = heads[i % heads.length];
      const kind = MUTATION_KINDS[Math.floor(rnd() * MUTATION_KINDS.length)];
      const input = mutate(bytes, heads[Math.floor(rnd() * heads.length)], rnd, kind);
      const complete = rnd() < 0.5;
      const { result: outcome, ms } = timedTwice(() => {
        try {
          const proxy = readKeyedProxy(new DataInput(input, 0, complete));
          assert.ok(JSON.stringify(proxy).length <= 16 * input.length + 4096);
          return 'ok';
        } catch (error) {
          if (!(error instanceof StateSchemaError)) assert.fail(`${kind} mutation ${8800 + i}: ${String(error)}`);
          assert.ok(error.offset >= 0 && error.offset <= input.length);
          return error.code;
        }
      }, HANG_MS * 2);
      assert.ok(ms <= HANG_MS * 2, `${kind} mutation ${8800 + i} took ${ms.toFixed(0)} ms`);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
    t.diagnostic(`${heads.length} proxies; outcomes ${JSON.stringify(outcomes)}`);
    assert.ok((outcomes.ok ?? 0) > 0 && (outcomes.invalid ?? 0) > 0);
  });
});
