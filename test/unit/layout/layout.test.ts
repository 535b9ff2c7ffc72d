import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  classifyName,
  findLatestCompleteCheckpoint,
  inspectSnapshot,
  inspectSnapshots,
  scanDirectory,
  sizeFromListing,
  snapshotRefOf,
} from '../../../src/core/layout';
import { CheckpointStore, openStore } from '../../../src/core/stores';
import { JOB_A, JOB_B, SAVEPOINT, TREE, buildCheckpointTree } from '../stores/support/checkpointTree';

describe('classifyName', () => {
  it("knows Flink's names and nothing else", () => {
    assert.equal(classifyName(JOB_A, true), 'job');
    assert.equal(classifyName(JOB_A.toUpperCase(), true), 'other');
    assert.equal(classifyName('chk-17', true), 'checkpoint');
    assert.equal(classifyName('chk-17', false), 'other');
    assert.equal(classifyName('chk-x', true), 'other');
    assert.equal(classifyName(SAVEPOINT, true), 'savepoint');
    assert.equal(classifyName('savepoint-7bd90b-3a2cda6957c', true), 'other');
    assert.equal(classifyName('shared', true), 'shared');
    assert.equal(classifyName('taskowned', true), 'taskowned');
    assert.equal(classifyName('_metadata', false), 'metadata');
    assert.equal(classifyName('._metadata.inprogress.5f3c', false), 'in-progress-metadata');
  });
});

describe('checkpoint layout on a real tree', () => {
  let tree = '';
  let store: CheckpointStore;
  before(() => {
    tree = buildCheckpointTree();
    store = openStore(tree);
  });
  after(() => fs.rmSync(tree, { recursive: true, force: true }));

  it('recognises a checkpoints base directory with a savepoint beside the jobs', async () => {
    const layout = await scanDirectory(store, '/');
    assert.equal(layout.kind, 'checkpoints-base');
    assert.deepEqual(
      layout.jobs.map((j) => j.jobId),
      [JOB_A, JOB_B],
    );
    assert.deepEqual(
      layout.savepoints.map((s) => s.name),
      [SAVEPOINT],
    );
  });

  it('recognises a job directory, newest checkpoint first, with shared/ and taskowned/', async () => {
    const layout = await scanDirectory(store, `/${JOB_A}`);
    assert.equal(layout.kind, 'job');
    assert.deepEqual(
      layout.checkpoints.map((c) => c.checkpointId),
      [6, 5, 4, 3, 2],
    );
    assert.ok(layout.hasShared && layout.hasTaskOwned);
  });

  it('recognises a savepoints directory and a single snapshot', async () => {
    const savepoints = openStore(path.join(tree));
    fs.mkdirSync(path.join(tree, 'only-savepoints'));
    fs.cpSync(path.join(tree, SAVEPOINT), path.join(tree, 'only-savepoints', SAVEPOINT), { recursive: true });
    assert.equal((await scanDirectory(savepoints, '/only-savepoints')).kind, 'savepoints');
    assert.equal((await scanDirectory(savepoints, `/${SAVEPOINT}`)).kind, 'snapshot');
    assert.equal((await scanDirectory(savepoints, `/${JOB_A}/chk-4`)).kind, 'snapshot');
    assert.equal((await scanDirectory(savepoints, `/${JOB_A}/chk-5`)).kind, 'empty');
    fs.rmSync(path.join(tree, 'only-savepoints'), { recursive: true });
  });

  it('classifies complete, in-progress and broken checkpoints', async () => {
    const layout = await scanDirectory(store, `/${JOB_A}`);
    const infos = await inspectSnapshots(store, layout.checkpoints);
    const byName = Object.fromEntries(infos.map((i) => [i.name, i]));
    for (const name of TREE.complete) assert.equal(byName[name].status, 'complete', name);
    for (const name of TREE.inProgress) assert.equal(byName[name].status, 'in-progress', name);
    for (const name of TREE.broken) assert.equal(byName[name].status, 'broken', name);
    assert.equal(byName['chk-4'].reason, 'metadata is being written');
    assert.equal(byName['chk-5'].reason, 'no _metadata yet');
    assert.match(byName['chk-6'].reason!, /_metadata is not valid: .*truncated|_metadata is not valid/);
    const chk3 = byName['chk-3'];
    assert.equal(chk3.metadataSize, fs.statSync(path.join(tree, JOB_A, 'chk-3', '_metadata')).size);
    assert.equal(chk3.metadataVersion, 6);
    assert.equal(chk3.snapshotKind, 'checkpoint');
    assert.ok(typeof chk3.stateSize === 'number' && chk3.stateSize > 0);
  });

  it('dates a snapshot by its _metadata, not by its directory, whose time moves when a file inside is removed', async () => {
    const dir = path.join(tree, JOB_A, 'chk-3');
    const completed = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    fs.utimesSync(path.join(dir, '_metadata'), completed, completed);
    // Cleanup removes a file of chk-3: the directory becomes the newest thing in the job.
    const removed = path.join(dir, 'removed-by-cleanup');
    fs.writeFileSync(removed, 'x');
    fs.rmSync(removed);
    assert.ok(fs.statSync(dir).mtimeMs > completed.getTime());
    const [info] = await inspectSnapshots(store, [snapshotRefOf(`/${JOB_A}/chk-3`, fs.statSync(dir).mtimeMs)]);
    assert.equal(info.completedAt, completed.getTime());
    const [inProgress] = await inspectSnapshots(store, [snapshotRefOf(`/${JOB_A}/chk-5`)]);
    assert.equal(inProgress.completedAt, undefined, 'an in-progress checkpoint has not completed');
  });

  it('finds the latest complete checkpoint, skipping newer unfinished ones', async () => {
    const { latest, skipped } = await findLatestCompleteCheckpoint(store, `/${JOB_A}`);
    assert.equal(latest?.name, TREE.latest);
    assert.deepEqual(
      skipped.map((s) => `${s.name}:${s.status}`),
      ['chk-6:broken', 'chk-5:in-progress', 'chk-4:in-progress'],
    );
    const none = await findLatestCompleteCheckpoint(store, `/${JOB_A}/shared`);
    assert.equal(none.latest, undefined);
  });

  it("reads a savepoint's kind from its metadata", async () => {
    const info = await inspectSnapshot(store, snapshotRefOf(`/${SAVEPOINT}`));
    assert.equal(info.kind, 'savepoint');
    assert.equal(info.status, 'complete');
    assert.equal(info.metadataVersion, 3);
  });

  it('sizes a snapshot from its listing', async () => {
    const usage = await sizeFromListing(store, `/${JOB_A}/chk-3`);
    const onDisk = fs
      .readdirSync(path.join(tree, JOB_A, 'chk-3'))
      .map((name) => fs.statSync(path.join(tree, JOB_A, 'chk-3', name)).size);
    assert.ok(onDisk.length > 2, '_metadata, a placeholder and the state files it references');
    assert.equal(usage.files, onDisk.length);
    assert.equal(
      usage.bytes,
      onDisk.reduce((a, b) => a + b, 0),
    );
  });
});
