import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { it } from 'node:test';
import { CheckpointStore, StoreEntry } from '../../../../src/core/stores';
import { storeRejection } from '../../../support/stores';
import { JOB_A, SAVEPOINT } from './checkpointTree';

async function names(
  store: CheckpointStore,
  dir: string,
  pageSize?: number,
): Promise<{ names: string[]; pages: number; entries: StoreEntry[] }> {
  const entries: StoreEntry[] = [];
  let pages = 0;
  for await (const page of store.list(dir, pageSize === undefined ? {} : { pageSize })) {
    pages++;
    entries.push(...page);
  }
  return { names: entries.map((e) => e.name).sort(), pages, entries };
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await storeRejection(promise);
  assert.equal(error.code, code, error.message);
}

/**
 * The behaviour every CheckpointStore shares, run against a store whose root serves buildCheckpointTree's tree
 * (`treeDir` is that tree on the local disk, to compare bytes with). `scratch` is a fresh store directory name.
 */
export function storeContract(
  getStore: () => CheckpointStore,
  treeDir: () => string,
  scratch = `scratch-${process.pid}`,
): void {
  const metadataPath = `/${JOB_A}/chk-3/_metadata`;

  it('lists the root with kinds and sizes', async () => {
    const store = getStore();
    const { names: rootNames, entries } = await names(store, '/');
    assert.deepEqual(
      rootNames.filter((n) => !n.startsWith('scratch-') && n !== 'locked'),
      [JOB_A, 'fedcba9876543210fedcba9876543210', SAVEPOINT].sort(),
    );
    assert.ok(entries.every((e) => e.kind === 'directory' && e.path === `/${e.name}`));
    const chk3 = await names(store, `/${JOB_A}/chk-3`);
    const meta = chk3.entries.find((e) => e.name === '_metadata')!;
    assert.equal(meta.kind, 'file');
    assert.equal(meta.size, fs.statSync(path.join(treeDir(), JOB_A, 'chk-3', '_metadata')).size);
  });

  it('lists in pages of the requested size', async () => {
    const { names: all, pages } = await names(getStore(), `/${JOB_A}`, 2);
    assert.deepEqual(all, ['chk-2', 'chk-3', 'chk-4', 'chk-5', 'chk-6', 'shared', 'taskowned']);
    assert.equal(pages, 4);
  });

  it('stops between pages when the listing is cancelled', async () => {
    const controller = new AbortController();
    let pages = 0;
    const listing = (async () => {
      for await (const page of getStore().list(`/${JOB_A}`, { pageSize: 2, signal: controller.signal })) {
        assert.equal(page.length, 2);
        pages++;
        controller.abort();
      }
    })();
    await rejectsWith(listing, 'cancelled');
    assert.equal(pages, 1);
  });

  it('stats files and directories, and names a missing path', async () => {
    const store = getStore();
    const file = await store.stat(metadataPath);
    assert.equal(file.kind, 'file');
    assert.equal(file.name, '_metadata');
    assert.equal(file.path, metadataPath);
    assert.ok(file.size > 0);
    assert.equal((await store.stat(`/${JOB_A}/shared`)).kind, 'directory');
    await rejectsWith(store.stat(`/${JOB_A}/chk-99/_metadata`), 'not-found');
    await rejectsWith(store.stat('/../etc/passwd'), 'invalid-path');
  });

  it('refuses to list a file', async () => {
    await rejectsWith(names(getStore(), metadataPath), 'not-a-directory');
  });

  it('reads a whole file and byte ranges of it', async () => {
    const store = getStore();
    const expected = fs.readFileSync(path.join(treeDir(), JOB_A, 'chk-3', '_metadata'));
    assert.deepEqual(Buffer.from(await store.readAll(metadataPath)), expected);
    assert.deepEqual(
      Buffer.from(await store.readAll(metadataPath, { offset: 100, length: 50 })),
      expected.subarray(100, 150),
    );
    const chunks: Uint8Array[] = [];
    for await (const chunk of store.read(metadataPath, { offset: expected.length - 10 })) chunks.push(chunk);
    assert.deepEqual(Buffer.concat(chunks), expected.subarray(expected.length - 10));
    await rejectsWith(store.readAll(metadataPath, { maxBytes: 10 }), 'too-large');
    await rejectsWith(store.readAll(`/${JOB_A}/missing`), 'not-found');
  });

  it('writes atomically, creates, renames and deletes', async () => {
    const store = getStore();
    const dir = `/${scratch}`;
    await store.mkdir(`${dir}/a/b`);
    await store.mkdir(`${dir}/a/b`);
    const data = new TextEncoder().encode('execution.checkpointing.interval: 10 s\n');
    await store.write(`${dir}/a/flink-conf.yaml`, data);
    assert.deepEqual(await store.readAll(`${dir}/a/flink-conf.yaml`), data);
    const replaced = new TextEncoder().encode('state.backend.type: rocksdb\n');
    await store.write(`${dir}/a/flink-conf.yaml`, replaced);
    assert.deepEqual(await store.readAll(`${dir}/a/flink-conf.yaml`), replaced);
    await rejectsWith(store.write(`${dir}/a/flink-conf.yaml`, data, { overwrite: false }), 'already-exists');
    const listed = await names(store, `${dir}/a`);
    assert.deepEqual(listed.names, ['b', 'flink-conf.yaml'], 'no temporary file is left behind');

    await store.rename(`${dir}/a/flink-conf.yaml`, `${dir}/a/b/config.yaml`);
    await rejectsWith(store.stat(`${dir}/a/flink-conf.yaml`), 'not-found');
    assert.deepEqual(await store.readAll(`${dir}/a/b/config.yaml`), replaced);
    await store.write(`${dir}/a/other.yaml`, data);
    await rejectsWith(store.rename(`${dir}/a/other.yaml`, `${dir}/a/b/config.yaml`), 'already-exists');
    await rejectsWith(store.rename(`${dir}/a/missing.yaml`, `${dir}/a/x.yaml`), 'not-found');

    await rejectsWith(store.delete(`${dir}/a`), 'not-empty');
    await store.delete(`${dir}/a/other.yaml`);
    await rejectsWith(store.delete(`${dir}/a/other.yaml`), 'not-found');
    await store.delete(dir, { recursive: true });
    await rejectsWith(store.stat(dir), 'not-found');
  });

  it('counts bytes below a directory', async () => {
    const usage = await getStore().diskUsage(`/${JOB_A}/shared`);
    const onDisk = fs
      .readdirSync(path.join(treeDir(), JOB_A, 'shared'))
      .map((name) => fs.statSync(path.join(treeDir(), JOB_A, 'shared', name)).size);
    assert.ok(onDisk.length > 3, 'the placeholders and the shared files chk-3 references');
    assert.deepEqual(usage, { bytes: onDisk.reduce((a, b) => a + b, 0), files: onDisk.length, directories: 1 });
  });

  it('rejects with cancelled when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await rejectsWith(getStore().stat(metadataPath, { signal: controller.signal }), 'cancelled');
  });
}
