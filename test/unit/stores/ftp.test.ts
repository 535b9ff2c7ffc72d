import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileType } from 'basic-ftp';
import { parseMlstLine } from '../../../src/core/stores/ftp';
import { CheckpointStore, openStore } from '../../../src/core/stores';
import { FtpServer, serverPrerequisites, startProftpd, startPyFtpd } from '../../servers/servers';
import { JOB_A, buildCheckpointTree } from './support/checkpointTree';
import { storeContract } from './support/contract';
import { storeRejection as rejection } from '../../support/stores';

const pyftpdSkip = serverPrerequisites('pyftpdlib') ?? false;
const proftpdSkip = serverPrerequisites('proftpd') ?? false;

/** A user and password with every character Hadoop's FTP file system cannot take in a URI. */
const AWKWARD_USER = 'fl@nk:ops';
const AWKWARD_PASSWORD = 'p@ss:w/o%rd#1';
const enc = encodeURIComponent;

describe('FtpStore against pyftpdlib', { skip: pyftpdSkip }, () => {
  let tree = '';
  let server: FtpServer;
  let store: CheckpointStore;
  before(async () => {
    tree = buildCheckpointTree();
    server = await startPyFtpd(
      tree,
      [
        { name: 'flink', password: 'secret' },
        { name: AWKWARD_USER, password: AWKWARD_PASSWORD },
        { name: 'reader', password: 'reader', perm: 'elr' },
      ],
      { verbose: true },
    );
    store = openStore(`ftp://flink@127.0.0.1:${server.port}/`, { password: 'secret', timeoutMs: 10_000 });
  });
  after(async () => {
    await store?.close();
    await server?.stop();
    fs.rmSync(tree, { recursive: true, force: true });
  });

  storeContract(
    () => store,
    () => tree,
  );

  it('logs in with percent-encoded @ : / % # in user and password', async () => {
    const awkward = openStore(`ftp://${enc(AWKWARD_USER)}:${enc(AWKWARD_PASSWORD)}@127.0.0.1:${server.port}/${JOB_A}`);
    try {
      assert.equal((await awkward.stat('/chk-3/_metadata')).kind, 'file');
      assert.ok(!awkward.label.includes(AWKWARD_PASSWORD) && !awkward.label.includes(enc(AWKWARD_PASSWORD)));
    } finally {
      await awkward.close();
    }
  });

  it('shares one request between concurrent listings of the same directory', async () => {
    const before = (server.log().match(/MLSD/g) ?? []).length;
    const all = async (): Promise<number> => {
      let n = 0;
      for await (const page of store.list(`/${JOB_A}/shared`)) n += page.length;
      return n;
    };
    const entries = fs.readdirSync(path.join(tree, JOB_A, 'shared')).length;
    assert.deepEqual(await Promise.all([all(), all(), all(), all(), all()]), Array(5).fill(entries));
    const after = (server.log().match(/MLSD/g) ?? []).length;
    assert.equal(after - before, 1, 'five concurrent listings, one MLSD');
  });

  it('runs many concurrent calls over a small pool', async () => {
    const pooled = openStore(`ftp://flink@127.0.0.1:${server.port}/`, { password: 'secret', poolSize: 2 });
    try {
      const stats = await Promise.all(
        Array.from({ length: 20 }, (_, i) => pooled.stat(`/${JOB_A}/chk-${2 + (i % 2)}/_metadata`)),
      );
      assert.ok(stats.every((s) => s.kind === 'file'));
    } finally {
      await pooled.close();
    }
  });

  it('fails a wrong password once, clearly, without retrying', async () => {
    const wrong = openStore(`ftp://flink@127.0.0.1:${server.port}/`, { password: 'not-the-password' });
    const logBefore = server.log();
    try {
      const errors = await Promise.all(Array.from({ length: 5 }, () => rejection(wrong.stat('/'))));
      const later = await rejection(wrong.readAll(`/${JOB_A}/chk-3/_metadata`));
      for (const error of [...errors, later]) {
        assert.equal(error.code, 'auth-failed');
        assert.match(error.message, /refused the login of user "flink"/);
        assert.ok(!error.message.includes('not-the-password'));
      }
      // pyftpdlib logs a failed login just after answering it: wait for the line, then for any later ones.
      const failures = (): number =>
        (
          server
            .log()
            .slice(logBefore.length)
            .match(/failed login/g) ?? []
        ).length;
      for (let waited = 0; failures() === 0 && waited < 3000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(failures(), 1, `one login attempt for six calls:\n${server.log().slice(logBefore.length)}`);
    } finally {
      await wrong.close();
    }
  });

  it('names permission denied', async () => {
    const reader = openStore(`ftp://reader:reader@127.0.0.1:${server.port}/`);
    try {
      assert.equal((await reader.stat(`/${JOB_A}/chk-3/_metadata`)).kind, 'file');
      const error = await rejection(reader.write(`/${JOB_A}/flink-conf.yaml`, new Uint8Array([1])));
      assert.equal(error.code, 'permission-denied', error.message);
      assert.match(error.message, /flink-conf\.yaml/);
    } finally {
      await reader.close();
    }
  });

  it('says nothing listens when the server is down', async () => {
    const nowhere = openStore('ftp://flink:secret@127.0.0.1:1/');
    const error = await rejection(nowhere.stat('/'));
    assert.equal(error.code, 'unavailable');
    assert.match(error.message, /nothing accepts connections at 127\.0\.0\.1:1/);
    assert.ok(!error.message.includes('secret'));
  });
});

describe('FtpStore against a server without MLSD (LIST fallback)', { skip: pyftpdSkip }, () => {
  let tree = '';
  let server: FtpServer;
  let store: CheckpointStore;
  before(async () => {
    tree = buildCheckpointTree();
    server = await startPyFtpd(tree, [{ name: 'flink', password: 'secret' }], { noMlsd: true, verbose: true });
    store = openStore(`ftp://flink:secret@127.0.0.1:${server.port}/`);
  });
  after(async () => {
    await store?.close();
    await server?.stop();
    fs.rmSync(tree, { recursive: true, force: true });
  });

  storeContract(
    () => store,
    () => tree,
    'scratch-list',
  );

  it('used LIST, never MLSD', () => {
    assert.match(server.log(), /<- LIST/);
    assert.doesNotMatch(server.log(), /<- ML(SD|ST)/);
  });
});

describe('FtpStore: a server stopped mid-listing', { skip: pyftpdSkip }, () => {
  let tree = '';
  let server: FtpServer | undefined;
  after(async () => {
    await server?.stop();
    fs.rmSync(tree, { recursive: true, force: true });
  });

  it('gives a clear error, and the next call recovers once the server is back', async () => {
    tree = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-big-'));
    fs.mkdirSync(`${tree}/shared`);
    for (let i = 0; i < 5000; i++) fs.writeFileSync(`${tree}/shared/${String(i).padStart(6, '0')}.sst`, '');
    // 5,000 MLSD lines at 20 kB/s take ~20 s: long enough to stop the server in the middle.
    server = await startPyFtpd(tree, [{ name: 'flink', password: 'secret' }], { throttle: 20_000 });
    const port = server.port;
    const store = openStore(`ftp://flink:secret@127.0.0.1:${port}/`, { timeoutMs: 5000 });
    try {
      const listing = rejection(
        (async () => {
          let n = 0;
          for await (const page of store.list('/shared')) n += page.length;
          return n;
        })(),
      );
      await new Promise((resolve) => setTimeout(resolve, 700));
      await server.stop();
      const error = await listing;
      assert.equal(error.code, 'unavailable', error.message);
      assert.match(error.message, /\/shared: listing: the connection to 127\.0\.0\.1:\d+ was lost/);

      const whileDown = await rejection(store.stat('/shared'));
      assert.equal(whileDown.code, 'unavailable');

      server = await startPyFtpd(tree, [{ name: 'flink', password: 'secret' }], { port });
      let n = 0;
      for await (const page of store.list('/shared')) n += page.length;
      assert.equal(n, 5000);

      // The pool now holds an idle connection; a restart drops it under the store's feet.
      await server.stop();
      server = await startPyFtpd(tree, [{ name: 'flink', password: 'secret' }], { port });
      fs.writeFileSync(path.join(tree, 'flink-conf.yaml'), 'state.backend.type: rocksdb\n');
      assert.equal(new TextDecoder().decode(await store.readAll('/flink-conf.yaml')), 'state.backend.type: rocksdb\n');
      assert.equal((await store.stat('/shared')).kind, 'directory');
    } finally {
      await store.close();
    }
  });
});

describe('FtpStore against ProFTPD (FTP and explicit FTPS)', { skip: proftpdSkip }, () => {
  let tree = '';
  let server: FtpServer;
  let ftps: CheckpointStore;
  before(async () => {
    tree = buildCheckpointTree();
    fs.mkdirSync(`${tree}/locked`);
    fs.writeFileSync(`${tree}/locked/secret.txt`, 'x');
    server = await startProftpd(tree, { name: 'flink', password: 's3cr@t' });
    ftps = openStore(`ftps://flink@127.0.0.1:${server.port}/`, {
      password: 's3cr@t',
      allowUntrustedCertificate: true,
      timeoutMs: 10_000,
    });
  });
  after(async () => {
    await ftps?.close();
    await server?.stop();
    fs.rmSync(tree, { recursive: true, force: true });
  });

  describe('over FTPS', () => {
    storeContract(
      () => ftps,
      () => tree,
      'scratch-ftps',
    );
  });

  it('lists and reads over plain FTP too', async () => {
    const plain = openStore(`ftp://flink:${enc('s3cr@t')}@127.0.0.1:${server.port}/${JOB_A}`);
    try {
      const names: string[] = [];
      for await (const page of plain.list('/')) names.push(...page.map((e) => e.name));
      assert.deepEqual(names.sort(), ['chk-2', 'chk-3', 'chk-4', 'chk-5', 'chk-6', 'shared', 'taskowned']);
      assert.deepEqual(
        Buffer.from(await plain.readAll('/chk-3/_metadata')),
        fs.readFileSync(`${tree}/${JOB_A}/chk-3/_metadata`),
      );
    } finally {
      await plain.close();
    }
  });

  it('refuses an untrusted certificate unless allowed', async () => {
    const strict = openStore(`ftps://flink@127.0.0.1:${server.port}/`, { password: 's3cr@t' });
    const error = await rejection(strict.stat('/'));
    assert.equal(error.code, 'unavailable');
    assert.match(error.message, /certificate .* is not trusted/);
    await strict.close();
  });

  it('names permission denied', async () => {
    const error = await rejection(ftps.readAll('/locked/secret.txt'));
    assert.equal(error.code, 'permission-denied', error.message);
    assert.match(error.message, /\/locked\/secret\.txt/);
  });

  it('fails a wrong password once', async () => {
    const wrong = openStore(`ftps://flink:wrong@127.0.0.1:${server.port}/`, { allowUntrustedCertificate: true });
    const errors = await Promise.all([rejection(wrong.stat('/')), rejection(wrong.stat('/x'))]);
    assert.deepEqual(
      errors.map((e) => e.code),
      ['auth-failed', 'auth-failed'],
    );
    assert.match(errors[0].message, /530/);
    await wrong.close();
  });
});

describe('MLST answer lines', () => {
  it('reads type, size and time of a path with slashes and spaces', () => {
    const info = parseMlstLine('type=file;size=5;modify=20240102030405.678;UNIX.mode=0644; /job/chk-3/a b/_metadata');
    assert.equal(info?.name, '/job/chk-3/a b/_metadata');
    assert.equal(info?.type, FileType.File);
    assert.equal(info?.size, 5);
    assert.equal(info?.modifiedAt?.toISOString(), '2024-01-02T03:04:05.678Z');
  });

  it('tells directories and links, and leaves out the listed directory and its parent', () => {
    assert.equal(parseMlstLine('Type=dir;Modify=20240102030405; /job')?.type, FileType.Directory);
    assert.equal(parseMlstLine('type=OS.unix=symlink; /job/link')?.type, FileType.SymbolicLink);
    assert.equal(parseMlstLine('type=OS.unix=slink:/target; /job/link')?.type, FileType.SymbolicLink);
    assert.equal(parseMlstLine('type=cdir; /job'), undefined);
    assert.equal(parseMlstLine('type=pdir; /'), undefined);
    assert.equal(parseMlstLine('type=file; '), undefined);
  });
});
