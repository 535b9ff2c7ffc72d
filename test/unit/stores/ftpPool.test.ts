import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Deadline } from '../../../src/core/stores/deadline';
import { StoreError } from '../../../src/core/stores/errors';
import { FtpPool, PoolClient } from '../../../src/core/stores/ftpPool';

/** A connection as the pool sees one: it can be closed, and says so. */
class Connection implements PoolClient {
  closed = false;
  constructor(readonly id: number) {}
  close(): void {
    this.closed = true;
  }
}

/** A connect function whose attempts the test settles one by one. */
function connector() {
  const attempts: { resolve(c: Connection): void; reject(e: StoreError): void }[] = [];
  let made = 0;
  return {
    attempts,
    connect: () => new Promise<Connection>((resolve, reject) => attempts.push({ resolve, reject })),
    succeed: (i: number) => attempts[i].resolve(new Connection(++made)),
    fail: (i: number, error: StoreError) => attempts[i].reject(error),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const deadline = (options: { signal?: AbortSignal; timeoutMs?: number } = {}) =>
  new Deadline(options, 60_000, 'ftp://h', '/', 'test');

describe('FtpPool', () => {
  it('opens one connection at a time and never more than its size', async () => {
    const c = connector();
    const pool = new FtpPool(2, c.connect);
    const d = deadline();
    const first = pool.acquire(d);
    const second = pool.acquire(d);
    const third = pool.acquire(d);
    await tick();
    assert.equal(c.attempts.length, 1, 'single flight');
    c.succeed(0);
    assert.equal((await first).client.id, 1);
    assert.equal((await first).fresh, true);
    await tick();
    assert.equal(c.attempts.length, 2);
    c.succeed(1);
    assert.equal((await second).client.id, 2);
    await tick();
    assert.equal(c.attempts.length, 2, 'the size bounds the connections');
    pool.release((await first).client, false);
    const reused = await third;
    assert.deepEqual([reused.client.id, reused.fresh], [1, false]);
    pool.close();
    d.dispose();
  });

  it('gives every waiter the one failure of a connect, and remembers a refused login until closed', async () => {
    const c = connector();
    const pool = new FtpPool(4, c.connect);
    const d = deadline();
    const waiting = [pool.acquire(d), pool.acquire(d), pool.acquire(d)];
    await tick();
    const refused = new StoreError('auth-failed', 'ftp://h', undefined, '530 Login incorrect');
    c.fail(0, refused);
    for (const w of waiting) await assert.rejects(w, (e) => e === refused);
    assert.equal(c.attempts.length, 1, 'one attempt for all callers');
    await assert.rejects(pool.acquire(d), (e) => e === refused);
    assert.equal(c.attempts.length, 1, 'a refused login is not retried');
    pool.close();
    const again = pool.acquire(d);
    await tick();
    c.succeed(1);
    assert.equal((await again).client.id, 1);
    pool.close();
    d.dispose();
  });

  it('drops a broken or closed connection instead of lending it again', async () => {
    const c = connector();
    const pool = new FtpPool(1, c.connect);
    const d = deadline();
    const first = pool.acquire(d);
    await tick();
    c.succeed(0);
    const { client } = await first;
    pool.release(client, true);
    assert.equal(client.closed, true);
    const next = pool.acquire(d);
    await tick();
    c.succeed(1);
    assert.equal((await next).client.id, 2);
    (await next).client.close();
    pool.release((await next).client, false);
    const third = pool.acquire(d);
    await tick();
    assert.equal(c.attempts.length, 3, 'a client that closed itself is replaced');
    c.succeed(2);
    assert.equal((await third).client.id, 3);
    pool.close();
    d.dispose();
  });

  it('stops waiting when the caller cancels, and hands the connection to the next waiter', async () => {
    const c = connector();
    const pool = new FtpPool(1, c.connect);
    const holder = deadline();
    const held = pool.acquire(holder);
    await tick();
    c.succeed(0);
    const { client } = await held;
    const controller = new AbortController();
    const cancelled = deadline({ signal: controller.signal });
    const patient = deadline();
    const gaveUp = pool.acquire(cancelled);
    const waits = pool.acquire(patient);
    controller.abort();
    await assert.rejects(gaveUp, (e) => e instanceof StoreError && e.code === 'cancelled');
    pool.release(client, false);
    assert.equal((await waits).client, client);
    pool.close();
    for (const d of [holder, cancelled, patient]) d.dispose();
  });
});
