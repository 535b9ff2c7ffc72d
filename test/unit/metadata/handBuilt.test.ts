import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetadataError, parseMetadata, summarize } from '../../../src/core/metadata';
import { Bytes, MAGIC, NULL_PROPERTIES } from './builder';

/** Header, checkpoint id 9, no master states, one operator (V5+ name/uid, id 0x11…, parallelism 2, max 128). */
function oneOperator(version: number): Bytes {
  const b = new Bytes().i32(MAGIC, version).i64(9).i32(0, 1);
  if (version >= 5) b.utf('Map').utf('my-map');
  return b.id(0x11).i32(2, 128).i8(0);
}

describe('hand-built layouts no shared fixture covers', () => {
  it('reads V7 regional-checkpoint markers after each subtask body', () => {
    const b = oneOperator(7).i32(2);
    b.i32(0).i32(0, 0).i8(0, 0).i32(0, 0).i8(1).i64(42);
    b.i32(1).i32(0, 0).i8(0, 0).i32(0, 0).i8(0);
    b.i8(...NULL_PROPERTIES);
    const md = parseMetadata(b.bytes);
    const subtasks = md.operators[0].subtasks;
    assert.deepEqual(
      subtasks.map((s) => (s.finished ? null : s.referencedCheckpointId)),
      [42, null],
    );
    assert.equal(md.operators[0].uid, 'my-map');
  });

  it('refuses a V7 marker other than 0 or 1', () => {
    const b = oneOperator(7)
      .i32(1)
      .i32(0)
      .i32(0, 0)
      .i8(0, 0)
      .i32(0, 0)
      .i8(2)
      .i8(...NULL_PROPERTIES);
    assert.throws(
      () => parseMetadata(b.bytes),
      (e: unknown) => e instanceof MetadataError && e.code === 'invalid' && /marker/.test(e.message),
    );
  });

  it('reads V6 merged and V1-style channel handles and sizes them by their own stateSize', () => {
    const b = oneOperator(6).i32(1).i32(0).i32(0, 0).i8(0, 0);
    // input: one V1-style handle (tag 1) and one merged handle (tag 3) sharing a relative file
    b.i32(2);
    b.i8(1).i32(0, 0, 1).i32(2).i64(0).i64(8).i64(100).i8(6).utf('channel-file').i64(4096);
    b.i8(3).i32(0).i64(300).i8(6).utf('channel-file').i64(4096).i32(4).i32(0);
    // output: one merged handle (tag 4) over an inline delegate
    b.i32(1)
      .i8(4)
      .i32(0)
      .i64(16)
      .i8(1)
      .utf('inline')
      .i32(16)
      .i8(...new Array(16).fill(7))
      .i32(0);
    b.i8(...NULL_PROPERTIES);
    const s = summarize(parseMetadata(b.bytes, { pointer: 'file:/cp/chk-9' }));
    const op = s.operators[0];
    assert.deepEqual(op.handleTypes, {
      InputChannelStateHandle: 1,
      MergedInputChannelStateHandle: 1,
      MergedResultSubpartitionStateHandle: 1,
    });
    assert.equal(op.stateSize, 416);
    assert.deepEqual(op.stateSizeBreakdown, { inline: 16, exclusiveFiles: 400, sharedFiles: 0 });
    assert.deepEqual(s.referencedFiles, ['file:/cp/chk-9/channel-file']);
  });

  it('refuses a channel tag in the wrong list', () => {
    const b = oneOperator(6)
      .i32(1)
      .i32(0)
      .i32(0, 0)
      .i8(0, 0)
      .i32(1)
      .i8(2)
      .i8(...new Array(40).fill(0));
    assert.throws(
      () => parseMetadata(b.bytes),
      (e: unknown) =>
        e instanceof MetadataError && e.code === 'unknown-tag' && /input channel state handle type 2/.test(e.message),
    );
  });

  it('reads changelog handles (tags 14, 9, 13) with sizes as Flink computes them', () => {
    const b = oneOperator(4).i32(1).i32(0).i32(0, 0);
    b.i8(14).i32(0, 64).i64(50);
    b.i32(1).i8(3).i32(0, 2).i64(0).i64(10).i8(2).i64(1000).utf('file:///dstl/../m/base');
    b.i32(2);
    b.i8(9).i32(0, 64).i64(1).i64(3).i32(2).i32(5, 3).i8(1, 2, 3).i32(-1, 2).i8(4, 5).utf('mem-id');
    b.i8(13)
      .i32(0, 64)
      .i32(1)
      .i64(0)
      .i8(2)
      .i64(700)
      .utf('s3://bucket/dstl/f1')
      .i64(250)
      .i64(250)
      .utf('dstl-id')
      .utf('filesystem');
    b.i64(7).i64(9).utf('changelog-id');
    b.i8(0)
      .i32(0, 0)
      .i8(...NULL_PROPERTIES);
    const s = summarize(parseMetadata(b.bytes));
    assert.equal(s.operators[0].stateSize, 1000 + 5 + 250);
    assert.deepEqual(s.operators[0].handleTypes, { ChangelogStateBackendHandleImpl: 1 });
    assert.deepEqual(s.operators[0].stateSizeBreakdown, { inline: 5, exclusiveFiles: 1000, sharedFiles: 250 });
    assert.deepEqual(s.referencedFiles, ['file:/m/base', 's3://bucket/dstl/f1']);
  });

  it('reads file-merging operator state (tag 17 over 15/16) and names the empty variant', () => {
    const b = oneOperator(4).i32(2);
    b.i32(0)
      .i32(1)
      .i8(17)
      .i32(1)
      .utf('list')
      .i8(0)
      .i32(1)
      .i64(0)
      .utf('file:/cp/taskowned/tm')
      .utf('file:/cp/shared/op')
      .i8(0);
    b.i8(15).i64(64).i64(80).i32(0).utf('file:/cp/taskowned/tm/seg-1').utf('logical-1');
    b.i32(0).i8(0, 0).i32(0, 0);
    b.i32(1).i32(1).i8(17).i32(0).utf('file:/cp/taskowned/tm').utf('file:/cp/shared/op').i8(1).i8(16);
    b.i32(0).i8(0, 0).i32(0, 0);
    b.i8(...NULL_PROPERTIES);
    const s = summarize(parseMetadata(b.bytes));
    assert.deepEqual(s.operators[0].handleTypes, {
      FileMergingOperatorStreamStateHandle: 1,
      EmptyFileMergingOperatorStreamStateHandle: 1,
    });
    assert.equal(s.operators[0].stateSize, 80);
    assert.deepEqual(s.referencedFiles, ['file:/cp/taskowned/tm/seg-1']);
  });

  it('rejects what Flink rejects: a non-inline coordinator state, a subtask index beyond the parallelism', () => {
    const coord = new Bytes().i32(MAGIC, 3).i64(1).i32(0, 1).id(1).i32(1, 1).i8(2).i64(5).utf('file:/x').i32(0);
    assert.throws(
      () => parseMetadata(coord.bytes),
      (e: unknown) => e instanceof MetadataError && e.code === 'invalid' && /coordinator/.test(e.message),
    );
    const index = new Bytes().i32(MAGIC, 3).i64(1).i32(0, 1).id(1).i32(1, 1).i8(0).i32(1).i32(3);
    assert.throws(
      () => parseMetadata(index.bytes),
      (e: unknown) => e instanceof MetadataError && e.code === 'invalid' && e.offset === 53,
    );
  });

  it('degrades unknown classes in the properties stream to "unparsed" and keeps the operators', () => {
    // new object of class "x.Y" (serialVersionUID 1, SC_SERIALIZABLE, one int field "a"), value 5.
    const b = new Bytes().i32(MAGIC, 4).i64(3).i32(0, 0);
    b.i8(0xac, 0xed, 0, 5, 0x73, 0x72).utf('x.Y').i64(1).i8(2).i8(0, 1).i8(0x49).utf('a').i8(0x78, 0x70).i32(5);
    const md = parseMetadata(b.bytes);
    assert.equal(md.properties.status, 'unparsed');
    assert.equal(summarize(md).kind, null);
  });
});
