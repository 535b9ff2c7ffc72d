import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { METADATA_VERSION_WRITERS, MAX_METADATA_VERSION, flinkLinesWriting } from '../../../src/core/metadata';

// Reference: metadata format, "which Flink writes which version" (written out here, not derived from the table).
test('names the Flink lines that write each _metadata format version', () => {
  assert.equal(flinkLinesWriting(2), '1.3 – 1.10');
  assert.equal(flinkLinesWriting(3), '1.11 – 1.15');
  assert.equal(flinkLinesWriting(4), '1.16 – 1.20');
  assert.equal(flinkLinesWriting(5), '2.0');
  assert.equal(flinkLinesWriting(6), '2.1 – 2.3');
});

test('says that no release writes version 7, which the parser still reads', () => {
  assert.equal(MAX_METADATA_VERSION, 7);
  assert.equal(METADATA_VERSION_WRITERS[7], undefined);
  assert.equal(flinkLinesWriting(7), 'none released; newer than 2.3');
  assert.equal(flinkLinesWriting(1), 'none that this reader supports');
});
