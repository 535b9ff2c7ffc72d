import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { summarizeMetadata } from '../../../src/core/metadata';
import { parseStoreUri } from '../../../src/core/stores';
import { snapshotResolver } from '../../../src/core/references/safety';

const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures/flink');

/**
 * The inspector's referenced files: in a tree moved away from where Flink wrote it (and under a renamed job
 * directory), every file a real checkpoint names resolves to the store entry that is there, as cleanup resolves it.
 */
for (const [version, scenario] of [
  ['2.2.1', 'rocksdb-incremental'],
  ['2.2.1', 'file-merging'],
  ['1.20.5', 'file-merging'],
  ['1.15.4', 'rocksdb-incremental'],
]) {
  test(`every reference of ${version}/${scenario} resolves to a present file after the tree moved and the job was renamed`, () => {
    const source = path.join(FIXTURES, version, scenario);
    const jobId = fs.readdirSync(source).find((n) => /^[0-9a-f]{32}$/.test(n))!;
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'resolve-'));
    const job = `${jobId}-backup`;
    fs.cpSync(path.join(source, jobId), path.join(root, job), { recursive: true });
    const uri = parseStoreUri(root);
    try {
      const checkpoints = fs.readdirSync(path.join(root, job)).filter((n) => n.startsWith('chk-'));
      assert.ok(checkpoints.length > 0);
      for (const chk of checkpoints) {
        const summary = summarizeMetadata(fs.readFileSync(path.join(root, job, chk, '_metadata')), {
          pointer: path.join(root, job, chk),
        });
        const resolve = snapshotResolver(`/${job}/${chk}`, summary.checkpointId, summary.referencedFiles, uri);
        assert.ok(summary.referencedFiles.length > 0);
        for (const ref of summary.referencedFiles) {
          const [storePath] = resolve(ref);
          assert.ok(storePath, `${ref} resolves`);
          assert.ok(fs.existsSync(path.join(root, storePath)), `${ref} → ${storePath} is present`);
        }
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
}
