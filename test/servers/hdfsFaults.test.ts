import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openStore } from '../../src/core/stores';
import { serverPrerequisites, startMiniHdfs } from './servers';
import { storeRejection as rejection } from '../support/stores';

describe('HdfsStore: the NameNode stopped mid-listing', { skip: serverPrerequisites('hdfs') ?? false }, () => {
  it('gives a clear error, and the next call recovers once it is back', async () => {
    let server = await startMiniHdfs({ listLimit: 100, populate: { '/big': 2000 } });
    try {
      const store = openStore(`webhdfs://${server.superUser}@127.0.0.1:${server.httpPort}/`, { timeoutMs: 15_000 });
      const first = server;
      const listing = rejection(
        (async () => {
          let n = 0;
          for await (const page of store.list('/big', { pageSize: 100 })) {
            n += page.length;
            if (n === 100) await first.stop();
          }
          return n;
        })(),
      );
      const error = await listing;
      assert.equal(error.code, 'unavailable', error.message);
      assert.match(
        error.message,
        new RegExp(
          `/big: listing: (nothing accepts connections at 127\\.0\\.0\\.1:${server.httpPort}|the connection to 127\\.0\\.0\\.1:${server.httpPort} failed)`,
        ),
      );

      server = await startMiniHdfs({ restart: first, listLimit: 100 });
      let n = 0;
      for await (const page of store.list('/big', { pageSize: 100 })) n += page.length;
      assert.equal(n, 2000);
    } finally {
      await server.stop();
    }
  });
});
