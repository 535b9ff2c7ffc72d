import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CheckpointStore, openStore } from '../../../src/core/stores';
import { buildCheckpointTree } from './support/checkpointTree';
import { storeContract } from './support/contract';

describe('LocalStore', () => {
  let tree = '';
  let store: CheckpointStore;
  before(() => {
    tree = buildCheckpointTree();
    store = openStore(tree);
  });
  after(() => fs.rmSync(tree, { recursive: true, force: true }));
  storeContract(
    () => store,
    () => tree,
  );
});

describe('LocalStore paged listing', () => {
  const FILES = 2_500;
  let dir = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flink-pages-'));
    for (let i = 0; i < FILES; i++) fs.writeFileSync(path.join(dir, `part-${i}`), String(i));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('cuts a large directory into full pages and one rest', async () => {
    const sizes: number[] = [];
    const names = new Set<string>();
    for await (const page of openStore(dir).list('/', { pageSize: 1000 })) {
      sizes.push(page.length);
      for (const entry of page) names.add(entry.name);
    }
    assert.deepEqual(sizes, [1000, 1000, 500]);
    assert.equal(names.size, FILES);
  });

  it('treats a page size below one as one', async () => {
    let pages = 0;
    for await (const page of openStore(dir).list('/', { pageSize: 0 })) {
      assert.equal(page.length, 1);
      if (++pages === 3) break;
    }
    assert.equal(pages, 3);
  });

  it('does not count the time a consumer spends on a page against the store timeout', async () => {
    let entries = 0;
    for await (const page of openStore(dir, { timeoutMs: 1_000 }).list('/', { pageSize: 1000 })) {
      entries += page.length;
      await sleep(1_200);
    }
    assert.equal(entries, FILES);
  });
});
