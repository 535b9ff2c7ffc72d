import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { findFiles, repoRoot } from '../../../support/repo';

export { repoRoot };

export const JOB_A = '0123456789abcdef0123456789abcdef';
export const JOB_B = 'fedcba9876543210fedcba9876543210';
export const SAVEPOINT = 'savepoint-7bd90b-3a2cda6957cb';

/**
 * The tree built by buildCheckpointTree, relative to its root, with what each snapshot is (every `_metadata` written by
 * real Flink: the committed fixtures under test/fixtures/flink):
 *   <JOB_A>/chk-2  complete (Flink 2.0 checkpoint)    <JOB_A>/chk-3  complete (Flink 2.2 checkpoint), newest complete
 *   <JOB_A>/chk-4  in progress (._metadata.inprogress.*)  <JOB_A>/chk-5  in progress (no metadata)
 *   <JOB_A>/chk-6  broken (truncated _metadata)       <JOB_A>/shared, <JOB_A>/taskowned
 *   <JOB_B>/chk-1  complete (Flink 1.20 checkpoint)    savepoint-7bd90b-3a2cda6957cb  complete savepoint (Flink 1.15)
 */
export const TREE = {
  complete: ['chk-2', 'chk-3'],
  inProgress: ['chk-4', 'chk-5'],
  broken: ['chk-6'],
  latest: 'chk-3',
} as const;

/** The first `_metadata` of a committed fixture scenario, e.g. `2.0.2/hashmap`. */
function fixtureMetadata(scenario: string): string {
  const [file] = findFiles(path.join(repoRoot(), 'test', 'fixtures', 'flink', scenario), '_metadata');
  if (!file) throw new Error(`no _metadata under test/fixtures/flink/${scenario}`);
  return file;
}

function copy(scenario: string, target: string, truncateTo?: number): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const source = fixtureMetadata(scenario);
  const bytes = fs.readFileSync(source);
  fs.writeFileSync(target, truncateTo === undefined ? bytes : bytes.subarray(0, truncateTo));
  if (truncateTo !== undefined) return;
  // The state files the snapshot references, so that it is restorable: its own files beside `_metadata`, and the
  // job's shared files (incremental checkpoints) into the target job's shared/.
  const snapshotDir = path.dirname(source);
  for (const name of fs.readdirSync(snapshotDir)) {
    if (name !== '_metadata' && !name.endsWith('.json')) {
      fs.copyFileSync(path.join(snapshotDir, name), path.join(path.dirname(target), name));
    }
  }
  const shared = path.join(path.dirname(snapshotDir), 'shared');
  if (!fs.existsSync(shared) || !/^[0-9a-f]{32}$/.test(path.basename(path.dirname(path.dirname(target))))) return;
  fs.cpSync(shared, path.join(path.dirname(path.dirname(target)), 'shared'), { recursive: true });
}

/**
 * Writes a small checkpoint tree from real Flink `_metadata` files into `root` (a temp dir; never the repository).
 * Returns the root. Each complete snapshot comes with the state files its `_metadata` references (copied from the
 * fixture), so it is restorable; `shared/` also holds three unreferenced placeholders.
 */
export function buildCheckpointTree(root = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-tree-'))): string {
  const jobA = path.join(root, JOB_A);
  copy('2.0.2/hashmap', path.join(jobA, 'chk-2', '_metadata'));
  copy('2.2.1/rocksdb-incremental', path.join(jobA, 'chk-3', '_metadata'));
  fs.writeFileSync(path.join(jobA, 'chk-3', '5d1c3a0e-7f7b-4d4e-9d0e-2b1f8f0f1a11'), Buffer.alloc(4096, 7));
  fs.mkdirSync(path.join(jobA, 'chk-4'), { recursive: true });
  fs.writeFileSync(
    path.join(jobA, 'chk-4', '._metadata.inprogress.8a7f7c1e-1f0e-4b45-8d5e-0a4f5b6c7d8e'),
    Buffer.alloc(100, 1),
  );
  fs.mkdirSync(path.join(jobA, 'chk-5'), { recursive: true });
  copy('2.2.1/rocksdb-incremental', path.join(jobA, 'chk-6', '_metadata'), 1000);
  fs.mkdirSync(path.join(jobA, 'shared'), { recursive: true });
  for (let i = 0; i < 3; i++) fs.writeFileSync(path.join(jobA, 'shared', `sst-${i}`), Buffer.alloc(1000 * (i + 1), i));
  fs.mkdirSync(path.join(jobA, 'taskowned'), { recursive: true });
  copy('1.20.5/hashmap', path.join(root, JOB_B, 'chk-1', '_metadata'));
  copy('1.15.4/savepoints', path.join(root, SAVEPOINT, '_metadata'));
  return root;
}
