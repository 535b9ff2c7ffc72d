import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CheckpointStore, S3Store, StoreEntry, externalLocation, openStore } from '../../../src/core/stores';
import {
  S3Server,
  ThrottlingProxy,
  Toxiproxy,
  copyIntoBucket,
  s3Prerequisites,
  startRegionProxy,
  startThrottlingProxy,
  startToxiproxy,
  startVersityGw,
} from '../../servers/s3Servers';
import { runCli } from '../../../src/cli/main';
import { inspectSnapshots, scanDirectory } from '../../../src/core/layout';
import { storeRejection as rejection } from '../../support/stores';
import { JOB_A, buildCheckpointTree } from './support/checkpointTree';
import { storeContract } from './support/contract';

const skip = s3Prerequisites('versitygw') ?? false;
const BUCKET = 'flink-checkpoints';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

async function all(store: CheckpointStore, dir: string, pageSize?: number): Promise<StoreEntry[]> {
  const entries: StoreEntry[] = [];
  for await (const page of store.list(dir, pageSize === undefined ? {} : { pageSize })) entries.push(...page);
  return entries;
}

describe('S3Store against versitygw', { skip }, () => {
  let tree = '';
  let server: S3Server;
  let store: S3Store;
  const open = (uri: string, s3: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): S3Store =>
    openStore(uri, {
      password: server.secretKey,
      timeoutMs: 10_000,
      ...extra,
      s3: { endpoint: server.endpoint, accessKeyId: server.accessKey, ...s3 },
    }) as S3Store;

  before(async () => {
    tree = buildCheckpointTree();
    server = await startVersityGw();
    copyIntoBucket(server, BUCKET, '', tree);
    copyIntoBucket(server, 'prefixed', 'flink/prod', tree);
    fs.mkdirSync(path.join(server.dataDir, 'empty-bucket'));
    store = open(`s3://${BUCKET}/`, { allowWrites: true });
  });
  after(async () => {
    await store?.close();
    await server?.stop();
    if (server) fs.rmSync(path.dirname(server.dataDir), { recursive: true, force: true });
    fs.rmSync(tree, { recursive: true, force: true });
  });

  describe('a whole bucket', () =>
    storeContract(
      () => store,
      () => tree,
    ));

  describe('a key prefix (s3a://)', () => {
    let prefixed: S3Store;
    before(() => {
      prefixed = open('s3a://prefixed/flink/prod', { allowWrites: true });
    });
    after(() => prefixed.close());
    storeContract(
      () => prefixed,
      () => tree,
      `scratch-prefixed-${process.pid}`,
    );

    it('names paths the way Flink writes them into _metadata', () => {
      assert.equal(externalLocation(prefixed.uri, `/${JOB_A}/chk-3`), `s3a://prefixed/flink/prod/${JOB_A}/chk-3`);
      assert.equal(prefixed.label, 's3a://prefixed/flink/prod');
    });
  });

  it('reads and dates each complete snapshot with one GET, no HeadObject beside it', async () => {
    const first = open(`s3://${BUCKET}`);
    const second = open(`s3://${BUCKET}`);
    try {
      const layout = await scanDirectory(first, `/${JOB_A}`);
      const complete = (await inspectSnapshots(first, layout.checkpoints)).filter((s) => s.status === 'complete');
      assert.ok(complete.length >= 2);
      const page = await inspectSnapshots(second, complete);
      assert.equal(second.requestCount, complete.length);
      for (const snapshot of page) {
        assert.equal(snapshot.status, 'complete');
        assert.equal(typeof snapshot.completedAt, 'number', snapshot.path);
      }
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('lists an empty bucket as an empty root', async () => {
    const empty = open('s3://empty-bucket');
    try {
      assert.deepEqual(await all(empty, '/'), []);
      assert.equal((await empty.stat('/')).kind, 'directory');
    } finally {
      await empty.close();
    }
  });

  it('is read-only unless the store allows writes, but deletes', async () => {
    const readOnly = open(`s3://${BUCKET}`);
    try {
      for (const attempt of [
        readOnly.write('/x.yaml', new Uint8Array([1])),
        readOnly.mkdir('/x'),
        readOnly.rename(`/${JOB_A}/chk-2`, '/x'),
      ]) {
        const error = await rejection(attempt);
        assert.equal(error.code, 'permission-denied');
        assert.match(error.message, /read-only.*Allow writes/);
      }
      await store.write('/to-delete', new Uint8Array([1, 2, 3]));
      await readOnly.delete('/to-delete');
      assert.equal((await rejection(readOnly.stat('/to-delete'))).code, 'not-found');
    } finally {
      await readOnly.close();
    }
  });

  it('pages a 2,500-object prefix by continuation tokens and deletes it in DeleteObjects batches', async () => {
    const dir = path.join(server.dataDir, BUCKET, 'many', 'shared');
    fs.mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 2500; i++) fs.writeFileSync(path.join(dir, `sst-${String(i).padStart(5, '0')}`), 'x');
    let before = store.requestCount;
    let pages = 0;
    let count = 0;
    for await (const page of store.list('/many/shared')) {
      pages++;
      count += page.length;
    }
    assert.equal(count, 2500);
    assert.equal(pages, 3);
    assert.equal(store.requestCount - before, 3, 'one ListObjectsV2 per 1000 keys');
    assert.deepEqual(await store.diskUsage('/many'), { bytes: 2500, files: 2500, directories: 2 });
    assert.equal((await rejection(store.delete('/many'))).code, 'not-empty');
    before = store.requestCount;
    await store.delete('/many', { recursive: true });
    // HEAD, 3 listings of keys, 3 DeleteObjects of at most 1000 keys
    assert.equal(store.requestCount - before, 7);
    assert.equal((await rejection(store.stat('/many'))).code, 'not-found');
  });

  it('fails a wrong secret with the store named, quickly, without the secret', async () => {
    const wrongSecret = 'Wr0ngSecretKeyForTheTest/abc+def';
    const wrong = open(`s3://${BUCKET}/${JOB_A}`, {}, { password: wrongSecret });
    try {
      const started = Date.now();
      const error = await rejection(wrong.stat('/chk-3/_metadata'));
      assert.ok(Date.now() - started < 5000);
      assert.ok(['auth-failed', 'permission-denied'].includes(error.code), error.message);
      const listing = await rejection(all(wrong, '/'));
      assert.equal(listing.code, 'auth-failed');
      assert.match(
        listing.message,
        new RegExp(`s3://flink-checkpoints/${JOB_A}: listing: .*SignatureDoesNotMatch.*secret`),
      );
      assert.equal(wrong.requestCount, 2, 'an authentication failure is not retried');
      for (const e of [error, listing]) {
        assert.ok(!e.message.includes(wrongSecret) && !e.message.includes(server.secretKey));
      }
    } finally {
      await wrong.close();
    }
  });

  it('names an unknown access key and an unknown bucket', async () => {
    const unknownKey = open(`s3://${BUCKET}`, { accessKeyId: 'AKIANOSUCHKEY' });
    const unknownBucket = open('s3://no-such-bucket/checkpoints');
    try {
      const key = await rejection(all(unknownKey, '/'));
      assert.equal(key.code, 'auth-failed');
      assert.match(key.message, /access key id/);
      const bucket = await rejection(all(unknownBucket, '/'));
      assert.equal(bucket.code, 'not-found');
      assert.match(
        bucket.message,
        /the bucket "no-such-bucket" does not exist at 127\.0\.0\.1:\d+.*Check the bucket name/,
      );
      assert.equal((await rejection(unknownBucket.stat('/chk-1/_metadata'))).code, 'not-found');
    } finally {
      await unknownKey.close();
      await unknownBucket.close();
    }
  });

  it('reports a server that is not running', async () => {
    const down = openStore(`s3://${BUCKET}`, {
      password: 'x',
      s3: { endpoint: 'http://127.0.0.1:9', accessKeyId: 'AKIAX' },
    });
    const error = await rejection(down.stat('/'));
    assert.equal(error.code, 'unavailable');
    assert.match(error.message, /nothing accepts connections at 127\.0\.0\.1:9/);
    await down.close();
  });

  describe('entropy injection (s3.entropy.key): data files under random prefixes, outside the store root', () => {
    const JOB = '0123456789abcdef0123456789abcdef';
    const OTHER = 'fedcba9876543210fedcba9876543210';
    const objects: Record<string, string> = {
      [`cp/${JOB}/chk-1/_metadata`]: 'metadata',
      [`ab12/cp/${JOB}/shared/file-a`]: 'aaaa',
      [`Zz9q/cp/${JOB}/chk-1/file-b`]: 'bb',
      [`abc12/cp/${JOB}/shared/five-characters`]: 'x',
      [`ab-1/cp/${JOB}/shared/not-alphanumeric`]: 'x',
      [`ab12/elsewhere/${JOB}/shared/other-directory`]: 'x',
      [`ab12/cp/${OTHER}/shared/other-job`]: 'x',
      [`ckpt-Q1w2/x/${JOB}/shared/mid-segment`]: 'x',
    };
    const onDisk = (key: string): string => path.join(server.dataDir, 'entropy', key);
    before(() => {
      for (const [key, text] of Object.entries(objects)) {
        fs.mkdirSync(path.dirname(onDisk(key)), { recursive: true });
        fs.writeFileSync(onDisk(key), text);
      }
    });

    it('roots a store given the configured directory where Flink writes _metadata, and maps data files onto it', async () => {
      const entropy = open('s3p://entropy/_entropy_/cp', { entropyKey: '_entropy_' });
      try {
        assert.equal(entropy.label, 's3p://entropy/cp');
        assert.ok(entropy.entropy);
        assert.deepEqual(
          (await all(entropy, '/')).map((e) => e.name),
          [JOB],
        );
        const { pathOf, exists, list } = entropy.entropy;
        assert.equal(pathOf(`s3p://entropy/ab12/cp/${JOB}/shared/file-a`), `/${JOB}/shared/file-a`);
        assert.equal(pathOf(`s3a://entropy/Zz9q/cp/${JOB}/chk-1/file-b`), `/${JOB}/chk-1/file-b`);
        for (const notEntropy of [
          `s3p://entropy/abc12/cp/${JOB}/shared/five-characters`,
          `s3p://entropy/ab-1/cp/${JOB}/shared/not-alphanumeric`,
          `s3p://entropy/ab12/elsewhere/${JOB}/shared/other-directory`,
          `s3p://another-bucket/ab12/cp/${JOB}/shared/file-a`,
          `s3p://entropy/cp/${JOB}/shared/file-a`,
          `hdfs://nn/ab12/cp/${JOB}/shared/file-a`,
        ]) {
          assert.equal(pathOf(notEntropy), undefined, notEntropy);
        }
        assert.equal(await exists(`s3p://entropy/ab12/cp/${JOB}/shared/file-a`), true);
        assert.equal(await exists(`s3p://entropy/XY34/cp/${JOB}/shared/file-a`), false);
        const files = await list(`/${JOB}`);
        assert.deepEqual(files.map((f) => [f.path, f.size, f.location]).sort(), [
          [`/${JOB}/chk-1/file-b`, 2, `s3p://entropy/Zz9q/cp/${JOB}/chk-1/file-b`],
          [`/${JOB}/shared/file-a`, 4, `s3p://entropy/ab12/cp/${JOB}/shared/file-a`],
        ]);
        assert.ok(files.every((f) => f.kind === 'file' && typeof f.mtime === 'number'));
        assert.deepEqual((await list('/')).map((f) => f.name).sort(), ['file-a', 'file-b', 'other-job']);
      } finally {
        await entropy.close();
      }
    });

    it('takes the configured directory as a setting, the length of the random part, and a key inside a segment', async () => {
      const job = open(`s3://entropy/cp/${JOB}`, {
        entropyKey: '_entropy_',
        entropyDirectory: 's3p://entropy/_entropy_/cp',
      });
      const five = open('s3://entropy/_entropy_/cp', { entropyKey: '_entropy_', entropyLength: 5 });
      const inSegment = open('s3://entropy/ckpt-_entropy_/x', { entropyKey: '_entropy_' });
      const unknown = open('s3://entropy/cp', { entropyKey: '_entropy_' });
      try {
        assert.equal(job.entropy?.pathOf(`s3://entropy/ab12/cp/${JOB}/shared/file-a`), '/shared/file-a');
        assert.equal(job.entropy?.pathOf(`s3://entropy/ab12/cp/${OTHER}/shared/other-job`), undefined);
        assert.deepEqual(
          (await five.entropy!.list('/')).map((f) => f.name),
          ['five-characters'],
        );
        assert.equal(inSegment.label, 's3://entropy/ckpt-/x');
        assert.deepEqual(
          (await inSegment.entropy!.list('/')).map((f) => f.path),
          [`/${JOB}/shared/mid-segment`],
        );
        // Where the key sat is unknown: nothing is mapped (presence then does not count such files as missing).
        assert.equal(unknown.entropy, undefined);
      } finally {
        await Promise.all([job.close(), five.close(), inSegment.close(), unknown.close()]);
      }
    });

    it('deletes the objects a listed path stands for, and the entropy-injected files below a deleted directory', async () => {
      const entropy = open('s3p://entropy/_entropy_/cp', { entropyKey: '_entropy_' });
      try {
        assert.equal((await rejection(entropy.delete(`/${JOB}/shared/file-a`))).code, 'not-found');
        await entropy.entropy!.list(`/${JOB}`);
        await entropy.delete(`/${JOB}/shared/file-a`);
        assert.ok(!fs.existsSync(onDisk(`ab12/cp/${JOB}/shared/file-a`)));
        assert.equal((await rejection(entropy.delete(`/${JOB}/chk-1`))).code, 'not-empty');
        await entropy.delete(`/${JOB}/chk-1`, { recursive: true });
        assert.ok(!fs.existsSync(onDisk(`Zz9q/cp/${JOB}/chk-1/file-b`)));
        assert.ok(!fs.existsSync(onDisk(`cp/${JOB}/chk-1/_metadata`)));
        assert.ok(fs.existsSync(onDisk(`ab12/cp/${OTHER}/shared/other-job`)), 'other jobs are left alone');
        assert.ok(fs.existsSync(onDisk(`abc12/cp/${JOB}/shared/five-characters`)));
      } finally {
        await entropy.close();
      }
    });
  });

  it('refuses an endpoint that is not a URL, and credentials in the URI', () => {
    assert.throws(
      () => openStore(`s3://${BUCKET}`, { s3: { endpoint: 'http://[bad' } }),
      /the endpoint "http:\/\/\[bad" is not a URL/,
    );
    assert.throws(
      () => openStore('s3://AKIA:wJalrXUtnFEMI@bucket/x'),
      (error: Error) => !error.message.includes('wJalrXUtnFEMI') && /no user or key/.test(error.message),
    );
  });

  it('CLI ls, latest and orphans take the store, its endpoint and keys from a Flink configuration (--conf)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-s3-conf-'));
    const conf = path.join(dir, 'config.yaml');
    fs.writeFileSync(
      conf,
      [
        'execution.checkpointing.dir: s3://flink-checkpoints/_entropy_',
        `s3.endpoint: ${server.endpoint}`,
        `s3.access-key: ${server.accessKey}`,
        `s3.secret-key: ${server.secretKey}`,
        's3.entropy.key: _entropy_',
      ].join('\n'),
    );
    try {
      const ls = await cli(['ls', '--conf', conf, '--json']);
      assert.equal(ls.code, 0, ls.err);
      assert.deepEqual(
        JSON.parse(ls.out)
          .jobs.map((j: { jobId: string }) => j.jobId)
          .sort(),
        [JOB_A, 'fedcba9876543210fedcba9876543210'],
      );
      const latest = await cli(['latest', `s3://${BUCKET}/${JOB_A}`, '--conf', conf]);
      assert.equal(latest.code, 0, latest.err);
      assert.equal(latest.out.trim(), `s3://${BUCKET}/${JOB_A}/chk-3`);
      const orphans = await cli(['orphans', `s3://${BUCKET}/${JOB_A}`, '--conf', conf, '--json']);
      assert.equal(orphans.code, 0, orphans.err);
      for (const run of [ls, latest, orphans]) {
        assert.ok(!run.out.includes(server.secretKey) && !run.err.includes(server.secretKey));
      }
      const missing = await cli(['ls', '--conf', path.join(dir, 'nope.yaml')]);
      assert.equal(missing.code, 2);
      assert.match(missing.err, /--conf .*nope\.yaml: no such file/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('a bucket in another region than the store signs for', () => {
    let regional: S3Server;
    before(async () => {
      regional = await startVersityGw({ region: 'eu-west-1', secretKey: server.secretKey });
      fs.mkdirSync(path.join(regional.dataDir, 'regional', 'job'), { recursive: true });
      fs.writeFileSync(path.join(regional.dataDir, 'regional', 'job', 'x'), 'x');
    });
    after(async () => {
      await regional?.stop();
      if (regional) fs.rmSync(path.dirname(regional.dataDir), { recursive: true, force: true });
    });

    it('names the store, the region the bucket is in and the one to set, without retrying', async () => {
      const wrong = open('s3://regional', { endpoint: regional.endpoint, region: 'us-east-1' });
      const right = open('s3://regional', { endpoint: regional.endpoint, region: 'eu-west-1' });
      try {
        const started = Date.now();
        const error = await rejection(all(wrong, '/'));
        assert.equal(error.code, 'unavailable');
        assert.match(
          error.message,
          /^s3:\/\/regional\/: listing: the bucket "regional" is in region eu-west-1, but this store signs its requests for us-east-1 \(AuthorizationHeaderMalformed\)\. Set the store's region to eu-west-1/,
        );
        assert.equal(wrong.requestCount, 1, 'not retried');
        assert.ok(Date.now() - started < 5000);
        assert.deepEqual(
          (await all(right, '/')).map((e) => e.name),
          ['job'],
        );
      } finally {
        await Promise.all([wrong.close(), right.close()]);
      }
    });

    it('CLI: a wrong s3.endpoint.region ends with exit 1 and says which region to set', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-s3-region-'));
      const conf = path.join(dir, 'flink-conf.yaml');
      fs.writeFileSync(
        conf,
        [
          'state.checkpoints.dir: s3://regional/',
          `s3.endpoint: ${regional.endpoint}`,
          's3.endpoint.region: us-east-1',
          `s3.access-key: ${regional.accessKey}`,
          `s3.secret-key: ${regional.secretKey}`,
        ].join('\n'),
      );
      try {
        const run = await cli(['ls', '--conf', conf]);
        assert.equal(run.code, 1, run.out);
        assert.match(
          run.err,
          /s3:\/\/regional.*is in region eu-west-1, but this store signs its requests for us-east-1/,
        );
        assert.match(run.err, /Set the store's region to eu-west-1/);
        assert.ok(!run.err.includes(regional.secretKey) && !run.out.includes(regional.secretKey));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("follows AWS's redirect to the bucket's region, and names it when the redirect leads nowhere", async () => {
      const redirecting = await startRegionProxy(regional.port, 'eu-west-1');
      const nowhere = await startRegionProxy(regional.port, 'ap-south-1', { always: true });
      const followed = open('s3://regional', { endpoint: redirecting.endpoint, region: 'us-east-1' });
      const lost = open('s3://regional', { endpoint: nowhere.endpoint, region: 'us-east-1' });
      try {
        assert.deepEqual(
          (await all(followed, '/')).map((e) => e.name),
          ['job'],
        );
        assert.ok(redirecting.redirects() >= 1, 'the first request was redirected');
        const error = await rejection(all(lost, '/'));
        assert.equal(error.code, 'unavailable');
        assert.match(error.message, /^s3:\/\/regional\/: listing: the bucket "regional" is in region ap-south-1/);
        assert.match(error.message, /Set the store's region to ap-south-1/);
      } finally {
        await Promise.all([followed.close(), lost.close(), redirecting.close(), nowhere.close()]);
      }
    });
  });

  describe('behind a proxy that throttles with 503 SlowDown', () => {
    let proxy: ThrottlingProxy;
    before(async () => {
      proxy = await startThrottlingProxy(server.port);
    });
    after(() => proxy.close());

    it('retries with backoff and succeeds, counting every request', async () => {
      const throttled = open(`s3://${BUCKET}`, { endpoint: proxy.endpoint });
      try {
        proxy.throttle(3);
        const entry = await throttled.stat(`/${JOB_A}/chk-3/_metadata`);
        assert.equal(entry.kind, 'file');
        assert.equal(throttled.requestCount, 4);
        assert.equal(proxy.throttled(), 3);
      } finally {
        await throttled.close();
      }
    });

    it('gives up after its attempts and says the service throttles', async () => {
      const throttled = open(`s3://${BUCKET}`, { endpoint: proxy.endpoint });
      try {
        proxy.throttle(1000);
        const error = await rejection(all(throttled, '/'));
        assert.equal(error.code, 'unavailable');
        assert.match(
          error.message,
          /throttled the request \(SlowDown\) 6 times.*lower the store's request concurrency/,
        );
        assert.equal(throttled.requestCount, 6);
      } finally {
        proxy.throttle(0);
        await throttled.close();
      }
    });

    it('keeps at most maxConcurrency requests in flight', async () => {
      const bounded = open(`s3://${BUCKET}`, { endpoint: proxy.endpoint, maxConcurrency: 3 });
      try {
        proxy.delay(20);
        const before = proxy.requests();
        const stats = await Promise.all(
          Array.from({ length: 30 }, (_, i) => bounded.stat(`/${JOB_A}/chk-${2 + (i % 2)}/_metadata`)),
        );
        assert.ok(stats.every((s) => s.kind === 'file'));
        assert.equal(proxy.requests() - before, 30);
        assert.equal(proxy.maxInFlight(), 3);
      } finally {
        proxy.delay(0);
        await bounded.close();
      }
    });
  });

  describe('through toxiproxy', { skip: s3Prerequisites('toxiproxy-server') ?? false }, () => {
    let toxiproxy: Toxiproxy;
    before(async () => {
      toxiproxy = await startToxiproxy(server.port);
    });
    after(() => toxiproxy.stop());

    it('works at 50 ms round trips and times out a server that stops answering', async () => {
      const slow = open(`s3://${BUCKET}`, { endpoint: `http://127.0.0.1:${toxiproxy.port}` }, { timeoutMs: 2000 });
      try {
        await toxiproxy.latency(25);
        const started = Date.now();
        assert.equal((await slow.stat(`/${JOB_A}/chk-3/_metadata`)).kind, 'file');
        assert.ok(Date.now() - started >= 50);
        await toxiproxy.toxic('timeout', { timeout: 0 });
        const stalled = Date.now();
        const error = await rejection(slow.stat(`/${JOB_A}/chk-2/_metadata`));
        assert.equal(error.code, 'timeout');
        assert.ok(Date.now() - stalled < 6000);
      } finally {
        await toxiproxy.clear();
        await slow.close();
      }
    });

    it('fails a listing whose server goes away between pages', async () => {
      const dir = path.join(server.dataDir, BUCKET, 'cut', 'shared');
      fs.mkdirSync(dir, { recursive: true });
      // 1,000 keys a request: the first answer fills two pages of 500, the third needs a second request.
      for (let i = 0; i < 1500; i++) fs.writeFileSync(path.join(dir, `sst-${i}`), 'x');
      const cut = open(`s3://${BUCKET}`, { endpoint: `http://127.0.0.1:${toxiproxy.port}` }, { timeoutMs: 5000 });
      try {
        const pages: number[] = [];
        const error = await rejection(
          (async () => {
            for await (const page of cut.list('/cut/shared', { pageSize: 500 })) {
              pages.push(page.length);
              if (pages.length === 2) await toxiproxy.enable(false);
            }
          })(),
        );
        assert.deepEqual(pages, [500, 500]);
        assert.equal(error.code, 'unavailable', error.message);
        assert.match(error.message, /s3:\/\/flink-checkpoints\/cut\/shared: listing: .*127\.0\.0\.1/);
      } finally {
        await toxiproxy.enable(true);
        await cut.close();
        fs.rmSync(path.join(server.dataDir, BUCKET, 'cut'), { recursive: true });
      }
    });
  });
});
