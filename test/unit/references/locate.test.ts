import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { storePathOf } from '../../../src/core/references/locate';
import { parseStoreUri } from '../../../src/core/stores/uri';

test('local store: file: URIs and plain paths inside the root map to store paths', () => {
  const root = parseStoreUri('/data/flink/checkpoints');
  assert.equal(storePathOf(root, 'file:/data/flink/checkpoints/abc/shared/x.sst'), '/abc/shared/x.sst');
  assert.equal(storePathOf(root, 'file:///data/flink/checkpoints/abc/chk-2/uuid'), '/abc/chk-2/uuid');
  assert.equal(storePathOf(root, '/data/flink/checkpoints/abc/chk-2/uuid'), '/abc/chk-2/uuid');
  assert.equal(storePathOf(root, '/data/flink/checkpoints'), '/');
});

test('local store: paths outside the root or on another scheme are not in the store', () => {
  const root = parseStoreUri('/data/flink/checkpoints');
  assert.equal(storePathOf(root, 'file:/data/flink/checkpoints-old/x'), undefined);
  assert.equal(storePathOf(root, 'hdfs://nn:8020/data/flink/checkpoints/x'), undefined);
  assert.equal(storePathOf(root, 'relative/uuid'), undefined);
});

test('hdfs store: the RPC port in Flink paths is ignored and webhdfs counts as hdfs', () => {
  const root = parseStoreUri('hdfs://namenode:8020/flink/cp');
  assert.equal(storePathOf(root, 'hdfs://namenode:9000/flink/cp/job/shared/1.sst'), '/job/shared/1.sst');
  assert.equal(storePathOf(root, 'hdfs://NameNode/flink/cp/job'), '/job');
  assert.equal(storePathOf(root, 'hdfs://other/flink/cp/job'), undefined);
  assert.equal(storePathOf(parseStoreUri('webhdfs://namenode:9870/flink/cp'), 'hdfs://namenode:8020/flink/cp/a'), '/a');
});

test('ftp store: user info in a Flink path does not hide the host', () => {
  const root = parseStoreUri('ftp://flink@ftp.example.com/cp');
  assert.equal(storePathOf(root, 'ftp://flink@ftp.example.com:21/cp/j/chk-1/f'), '/j/chk-1/f');
  assert.equal(storePathOf(root, 'ftp://ftp.example.com/elsewhere/f'), undefined);
});
