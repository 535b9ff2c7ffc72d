import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../../../src/core/stores';
import { FtpServer, serverPrerequisites, startPyFtpd } from '../../servers/servers';
import { storeRejection as rejection } from '../../support/stores';

describe('a server that accepts connections and never answers', () => {
  let silent: net.Server;
  let port = 0;
  const sockets = new Set<net.Socket>();
  before(async () => {
    silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as net.AddressInfo).port;
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  for (const scheme of ['ftp', 'webhdfs']) {
    it(`times out over ${scheme} with the store timeout, naming it`, async () => {
      const store = openStore(`${scheme}://flink:secret@127.0.0.1:${port}/flink`, { timeoutMs: 400 });
      const start = Date.now();
      const error = await rejection(store.stat('/chk-1'));
      assert.equal(error.code, 'timeout', error.message);
      assert.match(error.message, /400 ms/);
      assert.ok(!error.message.includes('secret'));
      assert.ok(Date.now() - start < 5000, 'gave up in time');
      await store.close();
    });
  }
});

describe('cancelling a listing', { skip: serverPrerequisites('pyftpdlib') ?? false }, () => {
  let root = '';
  let server: FtpServer;
  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-cancel-'));
    fs.mkdirSync(path.join(root, 'shared'));
    for (let i = 0; i < 3000; i++) fs.writeFileSync(path.join(root, 'shared', `${i}.sst`), '');
    server = await startPyFtpd(root, [{ name: 'flink', password: 'secret' }], { throttle: 20_000 });
  });
  after(async () => {
    await server?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('rejects with cancelled at once, and the store keeps working', async () => {
    const store = openStore(`ftp://flink:secret@127.0.0.1:${server.port}/`, { poolSize: 1 });
    try {
      const controller = new AbortController();
      const listing = rejection(
        (async () => {
          for await (const page of store.list('/shared', { signal: controller.signal })) void page;
        })(),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      const start = Date.now();
      controller.abort();
      const error = await listing;
      assert.equal(error.code, 'cancelled');
      assert.ok(Date.now() - start < 1000, 'cancelled promptly');
      // With a pool of one, this is quick only if cancelling stopped the download and freed the connection.
      const again = Date.now();
      assert.equal((await store.stat('/shared')).kind, 'directory');
      assert.ok(Date.now() - again < 3000, `the next call waited ${Date.now() - again} ms`);
    } finally {
      await store.close();
    }
  });
});
