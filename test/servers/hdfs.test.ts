import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import nodeHttp from 'node:http';
import * as path from 'node:path';
import * as webhdfs from 'webhdfs';
import { after, before, describe, it } from 'node:test';
import { findLatestCompleteCheckpoint } from '../../src/core/layout';
import { CheckpointStore, openStore } from '../../src/core/stores';
import { JOB_A, buildCheckpointTree } from '../unit/stores/support/checkpointTree';
import { storeContract } from '../unit/stores/support/contract';
import { HdfsServer, freePort, serverPrerequisites, startMiniHdfs } from './servers';
import { FIXTURES, checkScenario, readScenarios, versions } from '../unit/layout/support/scenarios';
import { storeRejection as rejection } from '../support/stores';

const skip = serverPrerequisites('hdfs') ?? false;

/** Counts the WebHDFS operations the store sends (all through node:http) while `body` runs. */
async function countOps<T>(op: string, body: () => Promise<T>): Promise<{ result: T; count: number }> {
  const original = nodeHttp.request;
  let count = 0;
  nodeHttp.request = ((...args: Parameters<typeof nodeHttp.request>) => {
    if (String(args[0]).includes(`op=${op}`)) count++;
    return original(...args);
  }) as typeof nodeHttp.request;
  try {
    return { result: await body(), count };
  } finally {
    nodeHttp.request = original;
  }
}

describe('HdfsStore against MiniDFSCluster (WebHDFS)', { skip }, () => {
  let tree = '';
  let server: HdfsServer;
  let store: CheckpointStore;
  before(async () => {
    tree = buildCheckpointTree();
    // dfs.ls.limit 3: a 7-entry directory takes three LISTSTATUS_BATCH calls.
    server = await startMiniHdfs({ listLimit: 3, seed: tree });
    store = openStore(`webhdfs://${server.superUser}@127.0.0.1:${server.httpPort}/flink`, { timeoutMs: 20_000 });
  });
  after(async () => {
    await server?.stop();
    fs.rmSync(tree, { recursive: true, force: true });
  });

  storeContract(
    () => store,
    () => tree,
  );

  it('pages huge directories with LISTSTATUS_BATCH', async () => {
    const { result, count } = await countOps('LISTSTATUS_BATCH', async () => {
      const names: string[] = [];
      for await (const page of store.list(`/${JOB_A}`)) names.push(...page.map((e) => e.name));
      return names;
    });
    assert.deepEqual(result, ['chk-2', 'chk-3', 'chk-4', 'chk-5', 'chk-6', 'shared', 'taskowned']);
    assert.equal(count, 3);
  });

  it('reaches the same files through hdfs:// with the WebHDFS address as an option', async () => {
    const viaRpcUri = openStore(`hdfs://127.0.0.1:${server.rpcPort}/flink`, {
      user: server.superUser,
      webHdfsAddress: `127.0.0.1:${server.httpPort}`,
    });
    const { latest } = await findLatestCompleteCheckpoint(viaRpcUri, `/${JOB_A}`);
    assert.equal(latest?.name, 'chk-3');
    assert.equal(latest?.status, 'complete');
  });

  it('sizes a directory with one GETCONTENTSUMMARY', async () => {
    const { result, count } = await countOps('GETCONTENTSUMMARY', () => store.diskUsage(`/${JOB_A}/chk-3`));
    assert.equal(count, 1);
    const files = fs.readdirSync(`${tree}/${JOB_A}/chk-3`).map((name) => fs.statSync(`${tree}/${JOB_A}/chk-3/${name}`));
    assert.equal(result.files, files.length);
    assert.equal(
      result.bytes,
      files.reduce((sum, f) => sum + f.size, 0),
    );
  });

  it('keeps % and other special characters in names', async () => {
    const name = 'conf a%41b #1?.yaml';
    await store.mkdir('/special');
    await store.write(`/special/${name}`, new TextEncoder().encode('x: 1\n'));
    const names: string[] = [];
    for await (const page of store.list('/special')) names.push(...page.map((e) => e.name));
    assert.deepEqual(names, [name]);
    await store.rename(`/special/${name}`, '/special/b%25c');
    assert.equal((await store.stat('/special/b%25c')).size, 5);
    await store.delete('/special', { recursive: true });
  });

  it("turns the package's false successes into errors", async () => {
    // The bare package says a rename of a missing file succeeded: the reason for the adapter's checks.
    const raw = webhdfs.createClient({
      host: '127.0.0.1',
      port: server.httpPort,
      path: '/webhdfs/v1',
      user: server.superUser,
    });
    const rawError = await new Promise<Error | null>((resolve) =>
      raw.rename('/flink/missing', '/flink/elsewhere', resolve),
    );
    assert.equal(rawError, null, 'webhdfs reports {"boolean": false} as success');

    assert.equal((await rejection(store.rename('/missing', '/elsewhere'))).code, 'not-found');
    const intoNowhere = await rejection(store.rename(`/${JOB_A}/chk-5`, '/no/such/dir/chk-5'));
    assert.equal(intoNowhere.code, 'not-found');
    assert.match(intoNowhere.message, /target directory does not exist/);
    assert.equal((await store.stat(`/${JOB_A}/chk-5`)).kind, 'directory', 'nothing moved');
    assert.equal((await rejection(store.delete('/missing'))).code, 'not-found');
    assert.equal((await rejection(store.delete(`/${JOB_A}/shared`))).code, 'not-empty');
  });

  it('names permission denied for another user, with the exception class', async () => {
    const alice = openStore(`webhdfs://alice@127.0.0.1:${server.httpPort}/flink`);
    const listing = await rejection(
      (async () => {
        for await (const page of alice.list('/locked')) void page;
      })(),
    );
    assert.equal(listing.code, 'permission-denied');
    assert.match(listing.message, /AccessControlException: Permission denied: user=alice/);
    const deleting = await rejection(alice.delete(`/${JOB_A}/chk-5`));
    assert.equal(deleting.code, 'permission-denied', deleting.message);
    const writing = await rejection(alice.write('/flink-conf.yaml', new Uint8Array([1])));
    assert.equal(writing.code, 'permission-denied');
  });

  it(
    'gives the same layout answers as the disk for a real Flink tree',
    { skip: versions.length ? false : 'no test/fixtures/flink trees' },
    async () => {
      const version = versions[versions.length - 1];
      const { scenarios } = readScenarios(version);
      const name = 'rocksdb-incremental';
      const local = path.join(FIXTURES, version, name);
      const upload = async (dir: string, target: string): Promise<void> => {
        await store.mkdir(target);
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
          if (entry.isDirectory()) await upload(path.join(dir, entry.name), `${target}/${entry.name}`);
          else await store.write(`${target}/${entry.name}`, fs.readFileSync(path.join(dir, entry.name)));
        }
      };
      await upload(local, `/real/${name}`);
      const hdfs = openStore(`webhdfs://${server.superUser}@127.0.0.1:${server.httpPort}/flink/real/${name}`);
      assert.deepEqual(
        await checkScenario(hdfs, local, scenarios[name]),
        await checkScenario(openStore(local), local, scenarios[name]),
      );
    },
  );

  it('says when nothing listens at the WebHDFS address', async () => {
    const port = await freePort();
    const error = await rejection(openStore(`webhdfs://127.0.0.1:${port}/flink`).stat('/'));
    assert.equal(error.code, 'unavailable');
    assert.match(error.message, new RegExp(`nothing accepts connections at 127\\.0\\.0\\.1:${port}`));
  });
});
