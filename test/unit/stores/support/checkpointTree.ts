import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export { SKIP_NO_SHARED as SKIP_NO_FIXTURES, repoRoot, sharedFixturesDir } from '../../../support/repo';

export const JOB_A = '0123456789abcdef0123456789abcdef';
export const JOB_B = 'fedcba9876543210fedcba9876543210';
export const SAVEPOINT = 'savepoint-7bd90b-3a2cda6957cb';

/**
 * The tree built by buildCheckpointTree, relative to its root, with what each snapshot is:
 *   <JOB_A>/chk-2  complete (Flink 2.0 checkpoint)    <JOB_A>/chk-3  complete (Flink 2.3 checkpoint), newest complete
 *   <JOB_A>/chk-4  in progress (._metadata.inprogress.*)  <JOB_A>/chk-5  in progress (no metadata)
 *   <JOB_A>/chk-6  broken (truncated _metadata)       <JOB_A>/shared, <JOB_A>/taskowned
 *   <JOB_B>/chk-1  complete (Kafka table checkpoint)   savepoint-7bd90b-3a2cda6957cb  complete savepoint
 */
export const TREE = {
  complete: ['chk-2', 'chk-3'],
  inProgress: ['chk-4', 'chk-5'],
  broken: ['chk-6'],
  latest: 'chk-3',
} as const;

function copy(fixtures: string, fixture: string, target: string, truncateTo?: number): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const bytes = fs.readFileSync(path.join(fixtures, fixture, '_metadata'));
  fs.writeFileSync(target, truncateTo === undefined ? bytes : bytes.subarray(0, truncateTo));
}

/**
 * Writes a small checkpoint tree from real Flink `_metadata` files into `root` (a temp dir; never the repository).
 * Returns the root. State files are small placeholder bytes: only `_metadata` is read by the layout code.
 */
export function buildCheckpointTree(fixtures: string, root = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-tree-'))): string {
  const jobA = path.join(root, JOB_A);
  copy(fixtures, 'v5-flink2.0-rocksdb-checkpoint-stateful-udf', path.join(jobA, 'chk-2', '_metadata'));
  copy(fixtures, 'v6-flink2.3-rocksdb-checkpoint-broadcast-udf', path.join(jobA, 'chk-3', '_metadata'));
  fs.writeFileSync(path.join(jobA, 'chk-3', '5d1c3a0e-7f7b-4d4e-9d0e-2b1f8f0f1a11'), Buffer.alloc(4096, 7));
  fs.mkdirSync(path.join(jobA, 'chk-4'), { recursive: true });
  fs.writeFileSync(path.join(jobA, 'chk-4', '._metadata.inprogress.8a7f7c1e-1f0e-4b45-8d5e-0a4f5b6c7d8e'), Buffer.alloc(100, 1));
  fs.mkdirSync(path.join(jobA, 'chk-5'), { recursive: true });
  copy(fixtures, 'v6-flink2.3-rocksdb-checkpoint-broadcast-udf', path.join(jobA, 'chk-6', '_metadata'), 1000);
  fs.mkdirSync(path.join(jobA, 'shared'), { recursive: true });
  for (let i = 0; i < 3; i++) fs.writeFileSync(path.join(jobA, 'shared', `sst-${i}`), Buffer.alloc(1000 * (i + 1), i));
  fs.mkdirSync(path.join(jobA, 'taskowned'), { recursive: true });
  copy(fixtures, 'v4-kafka-table-state-offsets-checkpoint', path.join(root, JOB_B, 'chk-1', '_metadata'));
  copy(fixtures, 'v3-flink1.15-savepoint-unified-sink-migration', path.join(root, SAVEPOINT, '_metadata'));
  return root;
}
