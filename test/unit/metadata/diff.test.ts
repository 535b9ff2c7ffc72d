import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetadataSummary, OperatorSummary, diffSummaries } from '../../../src/core/metadata';

function op(operatorId: string, parallelism: number, maxParallelism: number, stateSize: number): OperatorSummary {
  return {
    operatorId,
    name: null,
    uid: null,
    parallelism,
    maxParallelism,
    finished: false,
    coordinatorStateSize: 0,
    subtaskStates: parallelism,
    finishedSubtasks: 0,
    stateSize,
    handleTypes: {},
    stateSizeBreakdown: { inline: 0, exclusiveFiles: stateSize, sharedFiles: 0 },
  };
}

function snapshot(checkpointId: number, operators: OperatorSummary[], referencedFiles: string[]): MetadataSummary {
  return {
    metadataVersion: 6,
    checkpointId,
    kind: 'checkpoint',
    savepointFormat: null,
    masterStates: [],
    operators,
    stateSize: operators.reduce((n, o) => n + o.stateSize, 0),
    referencedFiles,
    externalPointer: null,
    checkpointType: 'Checkpoint',
    properties: 'parsed',
  };
}

describe('diffSummaries', () => {
  it('finds added and removed operators, parallelism changes, size deltas and file overlap', () => {
    const a = snapshot(1, [op('a'.repeat(32), 2, 128, 100), op('b'.repeat(32), 4, 128, 50)], ['s/1.sst', 's/2.sst']);
    const b = snapshot(2, [op('b'.repeat(32), 8, 256, 80), op('c'.repeat(32), 1, 128, 7)], ['s/2.sst', 's/3.sst']);
    const d = diffSummaries(a, b);
    assert.deepEqual(
      d.operatorsRemoved.map((o) => o.operatorId),
      ['a'.repeat(32)],
    );
    assert.deepEqual(
      d.operatorsAdded.map((o) => o.operatorId),
      ['c'.repeat(32)],
    );
    assert.deepEqual(d.operators, [
      {
        operatorId: 'b'.repeat(32),
        name: null,
        uid: null,
        parallelism: { from: 4, to: 8 },
        maxParallelism: { from: 128, to: 256 },
        stateSize: { from: 50, to: 80, delta: 30 },
      },
    ]);
    assert.deepEqual(d.stateSize, { from: 150, to: 87, delta: -63 });
    assert.deepEqual(d.files, { onlyInA: ['s/1.sst'], onlyInB: ['s/3.sst'], inBoth: ['s/2.sst'] });
  });
});
