import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findLatestCompleteCheckpoint, inspectSnapshot, scanDirectory } from '../../src/core/layout';
import { analyseCleanup } from '../../src/core/references/safety';
import { openStore } from '../../src/core/stores';
import { CheckpointStore } from '../../src/core/stores/types';
import { repoRoot } from '../support/repo';

interface DemoStore {
  id: string;
  name: string;
  uri: string;
}

/** `npm start` promises a demo that shows every state the product knows: this holds it to that. */
describe('the demo stores of npm start', () => {
  let out = '';
  let stores: DemoStore[] = [];
  const opened: CheckpointStore[] = [];
  const open = (id: string): CheckpointStore => {
    const demo = stores.find((s) => s.id === id);
    assert.ok(demo, `demo store ${id}`);
    const store = openStore(demo.uri);
    opened.push(store);
    return store;
  };
  const onlyJob = async (store: CheckpointStore): Promise<string> => {
    const base = await scanDirectory(store, '/');
    assert.equal(base.jobs.length, 1);
    return base.jobs[0].path;
  };

  before(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-demo-'));
    stores = JSON.parse(
      execFileSync(process.execPath, [path.join(repoRoot(), 'scripts', 'demo.mjs'), out], { encoding: 'utf8' }),
    ) as DemoStore[];
  });
  after(async () => {
    await Promise.all(opened.map((s) => s.close()));
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('lays out six stores of Flink 1.15, 1.20 and 2.2 with no oracle files left in them', () => {
    assert.deepEqual(
      stores.map((s) => s.id),
      ['rocksdb-incremental', 'job-in-trouble', 'savepoints', 'unaligned', 'file-merging', 'hashmap-115'],
    );
    const leftovers: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(path.join(dir, entry.name));
        else if (entry.name.endsWith('.oracle.json')) leftovers.push(entry.name);
      }
    };
    walk(out);
    assert.deepEqual(leftovers, []);
  });

  it('a job in trouble: complete, broken and in-progress checkpoints', async () => {
    const store = open('job-in-trouble');
    const job = await scanDirectory(store, await onlyJob(store));
    const statuses = await Promise.all(
      job.checkpoints.map(async (ref) => `${ref.name} ${(await inspectSnapshot(store, ref)).status}`),
    );
    assert.deepEqual(statuses, ['chk-5 in-progress', 'chk-4 broken', 'chk-3 complete', 'chk-2 complete']);
  });

  it('a job in trouble: the newest complete checkpoint misses a shared file only it references', () => {
    const root = stores.find((s) => s.id === 'job-in-trouble')!.uri;
    const fixture = path.join(repoRoot(), 'test', 'fixtures', 'flink', '2.2.1', 'rocksdb-incremental');
    const [jobId] = fs.readdirSync(root);
    const missing = fs
      .readdirSync(path.join(fixture, jobId, 'shared'))
      .filter((f) => !fs.existsSync(path.join(root, jobId, 'shared', f)));
    assert.equal(missing.length, 1);
    const references = (chk: string): string[] =>
      (
        JSON.parse(fs.readFileSync(path.join(fixture, jobId, chk, '_metadata.oracle.json'), 'utf8')) as {
          referencedFiles: string[];
        }
      ).referencedFiles;
    assert.ok(references('chk-3').some((f) => f.endsWith(`/shared/${missing[0]}`)));
    assert.ok(!references('chk-2').some((f) => f.endsWith(`/shared/${missing[0]}`)));
  });

  it('checkpoints are aged like a running job, newest last', async () => {
    const store = open('rocksdb-incremental');
    const job = await scanDirectory(store, await onlyJob(store));
    const times = job.checkpoints.map((c) => c.mtime ?? 0);
    assert.equal(times.length, 2);
    assert.ok(times[0] - times[1] >= 30 * 60_000, `chk times ${times.join(', ')} should be apart`);
    const { latest } = await findLatestCompleteCheckpoint(store, job.path);
    assert.equal(latest?.name, 'chk-3');
  });

  it('Clean Up has something to offer: an old shared file no checkpoint references', async () => {
    const store = open('rocksdb-incremental');
    const report = await analyseCleanup(store, await onlyJob(store));
    assert.deepEqual(
      report.candidates.map((c) => path.posix.basename(c.path)),
      ['5f0e8a2c-1d4b-4c6e-9a7f-3b2d1c0e9f8a'],
    );
  });

  it('savepoints of three days, and a file-merging job with task-owned state', async () => {
    const savepoints = await scanDirectory(open('savepoints'), '/');
    assert.equal(savepoints.savepoints.length, 3);
    const merging = open('file-merging');
    const job = await scanDirectory(merging, await onlyJob(merging));
    assert.ok(job.hasTaskOwned && job.hasShared);
  });
});
