import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteReader } from '../../../src/core/metadata/byteReader';
import { MetadataError, flinkPathToString, flinkResolvePath } from '../../../src/core/metadata';

function utf(...bytes: number[]): string {
  return new ByteReader(Uint8Array.from([bytes.length >> 8, bytes.length & 0xff, ...bytes])).utf('test string');
}

describe('Java modified UTF-8', () => {
  it('reads ASCII and the empty string', () => {
    assert.equal(utf(), '');
    assert.equal(utf(0x61, 0x62, 0x63), 'abc');
  });
  it('reads U+0000 written as C0 80', () => {
    assert.equal(utf(0x61, 0xc0, 0x80, 0x62), 'a\u0000b');
  });
  it('reads 2- and 3-byte forms', () => {
    assert.equal(utf(0xc3, 0xa9), 'é');
    assert.equal(utf(0xe2, 0x82, 0xac), '€');
  });
  it('joins a supplementary character written as two 3-byte surrogates', () => {
    // U+1F600 = D83D DE00, each surrogate encoded on its own (CESU-8 style), as Java's writeUTF does.
    assert.equal(utf(0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80), '😀');
  });
  it('rejects malformed sequences with the offset of the bad byte', () => {
    for (const [bytes, at] of [
      [[0x61, 0x80], 3],
      [[0xc3], 2],
      [[0xe2, 0x82], 2],
      [[0xf0, 0x9f, 0x98, 0x80], 2],
      [[0xc3, 0x41], 2],
    ] as [number[], number][]) {
      assert.throws(
        () => utf(...bytes),
        (e: unknown) => e instanceof MetadataError && e.code === 'invalid' && e.offset === at,
        JSON.stringify(bytes),
      );
    }
  });
  it('reports a string running past the end as truncated', () => {
    const r = new ByteReader(Uint8Array.from([0, 5, 0x61]));
    assert.throws(
      () => r.utf('operator uid'),
      (e: unknown) => e instanceof MetadataError && e.code === 'truncated' && /operator uid/.test(e.message),
    );
  });
  it('decodes a string longer than the scratch buffer in one piece', () => {
    const n = 65535;
    const bytes = new Uint8Array(2 + n);
    bytes[0] = 0xff;
    bytes[1] = 0xff;
    for (let i = 0; i < n; i += 3) bytes.set([0xe2, 0x82, 0xac], 2 + i);
    assert.equal(new ByteReader(bytes).utf('long'), '€'.repeat(n / 3));
  });
});

describe('file names printed as Flink prints a Path', () => {
  it('prints stored absolute paths like Path.toString()', () => {
    assert.equal(flinkPathToString('file:///tmp/cp/shared/a.sst'), 'file:/tmp/cp/shared/a.sst');
    assert.equal(flinkPathToString('file:/tmp/cp//x/'), 'file:/tmp/cp/x');
    assert.equal(flinkPathToString('hdfs://nn:8020/flink/cp/chk-1/x'), 'hdfs://nn:8020/flink/cp/chk-1/x');
    assert.equal(flinkPathToString('s3://bucket/a/./b/../c'), 's3://bucket/a/c');
    assert.equal(flinkPathToString('/data/cp/a%20b'), '/data/cp/a b');
  });
  it('resolves relative handles against the pointer like new Path(pointer, rel)', () => {
    assert.equal(flinkResolvePath('file:/tmp/cp/chk-3', 'b7f7-uuid'), 'file:/tmp/cp/chk-3/b7f7-uuid');
    assert.equal(
      flinkResolvePath('/tmp/cp/savepoint-1a2b3c-0123456789ab', 'uuid'),
      '/tmp/cp/savepoint-1a2b3c-0123456789ab/uuid',
    );
    assert.equal(flinkResolvePath('hdfs://nn/cp/chk-3', 'uuid'), 'hdfs://nn/cp/chk-3/uuid');
    assert.equal(flinkResolvePath('file:///tmp/cp/chk-3', '/uuid'), 'file:/tmp/cp/chk-3/uuid');
  });
});
