import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CheckpointStore, openStore } from '../../../src/core/stores';
import type { ReadAllOptions } from '../../../src/core/stores/types';
import { StateReadCache, cachedReader } from '../../../src/core/state/values/cache';
import { FtpServer, serverPrerequisites, startPyFtpd } from '../../servers/servers';

const BLOCK = 64 << 10;
const FILE = '/state/part-0';

/** The real store, with every ranged read it serves recorded (what the cache made it transfer). */
function recorded(store: CheckpointStore): { store: CheckpointStore; reads: { offset: number; length: number }[] } {
  const reads: { offset: number; length: number }[] = [];
  const wrapped = Object.create(store) as CheckpointStore;
  wrapped.readAll = (p: string, options?: ReadAllOptions) => {
    reads.push({ offset: options?.offset ?? 0, length: options?.length ?? -1 });
    return store.readAll(p, options);
  };
  return { store: wrapped, reads };
}

function cacheContract(open: () => { store: CheckpointStore; root: string }): void {
  let store: CheckpointStore;
  let reads: { offset: number; length: number }[];
  let root: string;
  let content: Buffer;

  const write = (bytes: Buffer, mtime: Date) => {
    const file = path.join(root, FILE);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, bytes);
    fs.utimesSync(file, mtime, mtime);
  };

  before(() => {
    const opened = open();
    ({ store, reads } = recorded(opened.store));
    root = opened.root;
    content = randomBytes(5 * BLOCK + 1234);
    write(content, new Date('2026-01-01T00:00:00Z'));
  });

  it('returns the bytes of any range, across blocks and at the end of the file, and reads each block once', async () => {
    const cache = new StateReadCache(16 << 20);
    const read = cachedReader(store, cache);
    reads.length = 0;
    for (const [offset, length] of [
      [0, 10],
      [BLOCK - 5, 10],
      [3 * BLOCK + 7, 2 * BLOCK],
      [5 * BLOCK + 1000, 5000],
      [content.length, 10],
      [100, 0],
    ]) {
      const got = await read(FILE, offset, length);
      assert.deepEqual(Buffer.from(got), content.subarray(offset, Math.min(offset + length, content.length)));
    }
    const transferred = reads.reduce((n, r) => n + r.length, 0);
    assert.equal(transferred, content.length - BLOCK, 'block 2 was never asked for');
    reads.length = 0;
    assert.deepEqual(Buffer.from(await read(FILE, 0, content.length)), content);
    assert.deepEqual(
      reads,
      [{ offset: 2 * BLOCK, length: BLOCK }],
      'only the blocks not read before are transferred, in one ranged read',
    );
    assert.equal(cache.stats.blocks, 6);
    assert.equal(cache.stats.bytes, content.length);
  });

  it('stays within its bound, evicting the least recently used block first', async () => {
    const cache = new StateReadCache(3 * BLOCK);
    const read = cachedReader(store, cache);
    await read(FILE, 0, 1);
    await read(FILE, BLOCK, 1);
    await read(FILE, 2 * BLOCK, 1);
    await read(FILE, 0, 1); // block 0 is now the most recently used
    reads.length = 0;
    await read(FILE, 3 * BLOCK, 1); // evicts block 1
    assert.equal(cache.stats.evictions, 1);
    assert.ok(cache.stats.bytes <= 3 * BLOCK);
    await read(FILE, 0, 1);
    await read(FILE, 2 * BLOCK, 1);
    assert.equal(reads.length, 1, 'blocks 0 and 2 were still cached');
    await read(FILE, BLOCK, 1);
    assert.equal(reads.length, 2, 'block 1 was evicted');
    assert.ok(cache.stats.bytes <= 3 * BLOCK);
    cache.resize(BLOCK);
    assert.ok(cache.stats.bytes <= BLOCK && cache.stats.blocks === 1);
    cache.resize(0);
    assert.equal(cache.stats.bytes, 0);
    await read(FILE, 0, 1);
    assert.equal(cache.stats.blocks, 0, 'a bound of 0 caches nothing');
  });

  it('reads a file changed in place afresh (another size or modification time), and clear() empties it', async () => {
    const cache = new StateReadCache(16 << 20);
    assert.deepEqual(Buffer.from(await cachedReader(store, cache)(FILE, 0, 100)), content.subarray(0, 100));
    const same = randomBytes(content.length);
    write(same, new Date('2026-01-01T00:10:00Z'));
    // A new reader looks at the file again (the browser makes one per page).
    assert.deepEqual(Buffer.from(await cachedReader(store, cache)(FILE, 0, 100)), same.subarray(0, 100));
    const shorter = randomBytes(1000);
    write(shorter, new Date('2026-01-01T00:10:00Z'));
    assert.deepEqual(Buffer.from(await cachedReader(store, cache)(FILE, 0, 5000)), shorter);
    const before = reads.length;
    await cachedReader(store, cache)(FILE, 0, 5000);
    assert.equal(reads.length, before, 'the unchanged file came from the cache');
    cache.clear();
    assert.deepEqual(cache.stats.bytes, 0);
    assert.deepEqual(Buffer.from(await cachedReader(store, cache)(FILE, 0, 5000)), shorter);
    assert.equal(reads.length, before + 1, 'after clear() the store is read again');
    write(content, new Date('2026-01-01T00:00:00Z'));
  });

  it('reads the first blocks of a file it holds nothing of beside the stat, not after it, at the end of the file too', async () => {
    const cache = new StateReadCache(16 << 20);
    const events: string[] = [];
    const watched = Object.create(store) as CheckpointStore;
    watched.stat = async (p, options) => {
      events.push('stat sent');
      const entry = await store.stat(p, options);
      events.push('stat answered');
      return entry;
    };
    watched.readAll = (p: string, options?: ReadAllOptions) => {
      events.push('read sent');
      return store.readAll(p, options);
    };
    const read = cachedReader(watched, cache);
    reads.length = 0;
    const tail = content.length - 100;
    assert.deepEqual(Buffer.from(await read(FILE, tail, 100)), content.subarray(tail));
    assert.deepEqual(events, ['stat sent', 'read sent', 'stat answered']);
    assert.deepEqual(reads, [{ offset: 5 * BLOCK, length: BLOCK }], 'whole blocks, the last one cut by the file');
    assert.deepEqual(
      { hits: cache.stats.hits, misses: cache.stats.misses },
      { hits: 0, misses: 1 },
      'the block read beside the stat counts as a miss',
    );
    assert.deepEqual(Buffer.from(await read(FILE, 5 * BLOCK, 10)), content.subarray(5 * BLOCK, 5 * BLOCK + 10));
    assert.equal(reads.length, 1, 'the block read beside the stat is cached');
    assert.equal((await cachedReader(store, cache)(FILE, content.length, 10)).length, 0);
    assert.equal((await cachedReader(store, new StateReadCache(16 << 20))(FILE, content.length, 10)).length, 0);
  });

  it('fails naming the file when it is gone', async () => {
    const cache = new StateReadCache(16 << 20);
    await assert.rejects(cachedReader(store, cache)('/state/missing', 0, 10), /missing/);
  });
}

describe('state read cache over a local store', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-state-cache-'));
  const store = openStore(root);
  after(async () => {
    await store.close();
    fs.rmSync(root, { recursive: true, force: true });
  });
  cacheContract(() => ({ store, root }));

  it('keeps the blocks of two stores with the same path apart', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-state-cache-'));
    fs.mkdirSync(path.join(other, 'state'));
    const bytes = randomBytes(1000);
    fs.writeFileSync(path.join(other, FILE), bytes);
    const mtime = fs.statSync(path.join(root, FILE)).mtime;
    fs.utimesSync(path.join(other, FILE), mtime, mtime);
    const otherStore = openStore(other);
    try {
      const cache = new StateReadCache(16 << 20);
      const mine = await cachedReader(store, cache)(FILE, 0, 1000);
      const theirs = await cachedReader(otherStore, cache)(FILE, 0, 1000);
      assert.deepEqual(Buffer.from(theirs), bytes);
      assert.notDeepEqual(Buffer.from(mine), bytes);
    } finally {
      await otherStore.close();
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('state read cache over FTP (pyftpdlib)', { skip: serverPrerequisites('pyftpdlib') ?? false }, () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-state-cache-ftp-'));
  let server: FtpServer;
  let store: CheckpointStore;
  before(async () => {
    server = await startPyFtpd(root, [{ name: 'flink', password: 'secret' }]);
    store = openStore(`ftp://flink@127.0.0.1:${server.port}/`, { password: 'secret', timeoutMs: 20_000 });
  });
  after(async () => {
    await store?.close();
    await server?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });
  cacheContract(() => ({ store, root }));
});
