import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { completeAt } from '../../../src/core/config';

test('String options that name a backend, storage or strategy offer the names the target line reads', () => {
  const labels = (text: string, line: number, character: number, version: string) =>
    completeAt(text, { line, character }, { version, format: 'yaml' }).map((c) => c.label);
  assert.deepEqual(labels('state.backend.type: \n', 0, 20, '1.20'), ['hashmap', 'rocksdb']);
  assert.deepEqual(labels('state.backend.type: \n', 0, 20, '2.2'), ['hashmap', 'rocksdb', 'forst']);
  assert.ok(labels('execution.checkpointing.storage: \n', 0, 33, '1.20').includes('filesystem'));
});
