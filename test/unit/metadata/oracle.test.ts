import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseMetadata, summarize, summarizeMetadata } from '../../../src/core/metadata';
import { memorySource } from './mutation';
import { findFiles, repoRoot } from './support';

/** Keys of the summary contract; the parser may add more, the oracle may too. */
const TOP_KEYS = [
  'metadataVersion',
  'checkpointId',
  'kind',
  'savepointFormat',
  'masterStates',
  'operators',
  'stateSize',
  'referencedFiles',
  'externalPointer',
];
const OPERATOR_KEYS = [
  'operatorId',
  'name',
  'uid',
  'parallelism',
  'maxParallelism',
  'finished',
  'coordinatorStateSize',
  'subtaskStates',
  'finishedSubtasks',
  'stateSize',
  'handleTypes',
];

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, o[k]]));
}

function contractView(summary: Record<string, unknown>): Record<string, unknown> {
  const top = pick(summary, TOP_KEYS);
  top.operators = (summary.operators as Record<string, unknown>[]).map((o) => pick(o, OPERATOR_KEYS));
  return top;
}

const fixturesDir = path.join(repoRoot(), 'test', 'fixtures', 'flink');
const files = findFiles(fixturesDir, '_metadata');
const withOracle = files.filter((f) => fs.existsSync(`${f}.oracle.json`));
const skip =
  withOracle.length === 0
    ? 'no real-Flink fixtures with an oracle yet under test/fixtures/flink (see test/flink)'
    : false;
if (skip) console.log(`# skipping oracle agreement: ${skip}`);

describe('agreement with Flink’s own reader (the oracle) on every committed real-Flink fixture', { skip }, () => {
  it('has an oracle file beside every _metadata', () => {
    assert.deepEqual(
      files.filter((f) => !withOracle.includes(f)),
      [],
    );
  });
  for (const file of withOracle) {
    it(path.relative(fixturesDir, file), () => {
      const oracle = JSON.parse(fs.readFileSync(`${file}.oracle.json`, 'utf8')) as Record<string, unknown>;
      const pointer = oracle.externalPointer as string;
      const bytes = new Uint8Array(fs.readFileSync(file));
      const summary = summarize(parseMetadata(bytes, { pointer }));
      assert.deepEqual(contractView(summary as unknown as Record<string, unknown>), contractView(oracle));
      // The one-pass scan, over the bytes and streamed through a small window, gives the very same summary.
      assert.deepEqual(summarizeMetadata(bytes, { pointer }), summary);
      assert.deepEqual(summarizeMetadata(memorySource(bytes, 97), { pointer, window: 61 }), summary);
    });
  }
});
