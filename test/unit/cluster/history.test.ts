// The cluster's checkpoint history (a window of the newest few) merged with the chk-N directories in storage.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  CheckpointStatistics,
  CheckpointingStatistics,
  jobCheckpointDirectory,
  mergeHistory,
} from '../../../src/core/cluster';
import { snapshotRefOf } from '../../../src/core/layout';

const JOB = '5f1c0a6e9d3b4c2a8e7f6d5c4b3a2918';

function completed(id: number, extra: Partial<CheckpointStatistics> = {}): CheckpointStatistics {
  return {
    '@class': 'completed',
    id,
    status: 'COMPLETED',
    is_savepoint: false,
    trigger_timestamp: 1_000 * id,
    latest_ack_timestamp: 1_000 * id + 50,
    checkpointed_size: 100,
    state_size: 1000,
    end_to_end_duration: 50,
    num_subtasks: 2,
    num_acknowledged_subtasks: 2,
    checkpoint_type: 'CHECKPOINT',
    external_path: `file:/flink/checkpoints/${JOB}/chk-${id}`,
    discarded: false,
    ...extra,
  };
}

function stats(
  history: CheckpointStatistics[],
  latest: Partial<CheckpointingStatistics['latest']> = {},
): CheckpointingStatistics {
  return {
    counts: { restored: 0, total: history.length, in_progress: 0, completed: history.length, failed: 0 },
    summary: { state_size: { min: 0, max: 0, avg: 0 }, end_to_end_duration: { min: 0, max: 0, avg: 0 } },
    latest: { completed: null, savepoint: null, failed: null, restored: null, ...latest },
    history,
  };
}

describe('checkpoint history merged with storage', () => {
  it('adds the chk-N directories older than the REST window, newest first, and marks the latest ones', () => {
    const savepoint = completed(13, {
      is_savepoint: true,
      checkpoint_type: 'SAVEPOINT',
      external_path: 'file:/flink/savepoints/savepoint-5f1c0a-0123456789ab',
    });
    const failed: CheckpointStatistics = {
      ...completed(14),
      '@class': 'failed',
      status: 'FAILED',
      external_path: undefined,
      failure_message: 'Checkpoint expired before completing.',
    };
    const s = stats([failed, savepoint, completed(12), completed(11)], { completed: completed(12), savepoint, failed });
    const stored = [12, 11, 10, 9, 4].map((n) => snapshotRefOf(`/ck/${JOB}/chk-${n}`));
    const merged = mergeHistory(s, stored);
    assert.deepEqual(
      merged.map((e) => [e.id, !!e.rest, !!e.stored, e.latestCompleted, e.latestSavepoint, e.latestFailed]),
      [
        [14, true, false, false, false, true],
        [13, true, false, false, true, false],
        [12, true, true, true, false, false],
        [11, true, true, false, false, false],
        [10, false, true, false, false, false],
        [9, false, true, false, false, false],
        [4, false, true, false, false, false],
      ],
    );
  });

  it('tells a checkpoint that completed after the REST answer from one older than its window', () => {
    const inProgress: CheckpointStatistics = { ...completed(9), '@class': 'in_progress', status: 'IN_PROGRESS' };
    const s = stats([inProgress, completed(8)], { completed: completed(8) });
    const stored = [10, 8, 7].map((n) => snapshotRefOf(`/ck/${JOB}/chk-${n}`));
    assert.deepEqual(
      mergeHistory(s, stored).map((e) => [e.id, !!e.rest, e.newerThanHistory]),
      [
        [10, false, true],
        [9, true, false],
        [8, true, false],
        [7, false, false],
      ],
    );
  });

  it('keeps the latest completed and savepoint after they left the window, and marks the restored snapshot', () => {
    const s = stats([completed(9), completed(8)], {
      completed: completed(9),
      savepoint: completed(2, { is_savepoint: true, external_path: 'file:/sp/savepoint-1' }),
      restored: { id: 3, restore_timestamp: 5, is_savepoint: false, external_path: `/flink/checkpoints/${JOB}/chk-3` },
    });
    const merged = mergeHistory(s, [snapshotRefOf(`/x/${JOB}/chk-3`)]);
    assert.deepEqual(
      merged.map((e) => [e.id, e.restoredFrom, e.latestSavepoint]),
      [
        [9, false, false],
        [8, false, false],
        [3, true, false],
        [2, false, true],
      ],
    );
  });

  it("finds the job's checkpoint directory from a completed checkpoint, never from a savepoint", () => {
    const savepoint = completed(5, { is_savepoint: true, external_path: 'file:/sp/savepoint-1' });
    assert.equal(
      jobCheckpointDirectory(stats([savepoint, completed(4)], { completed: completed(4), savepoint })),
      `file:/flink/checkpoints/${JOB}`,
    );
    assert.equal(jobCheckpointDirectory(stats([savepoint], { savepoint })), undefined);
    assert.equal(jobCheckpointDirectory(stats([])), undefined);
  });
});
