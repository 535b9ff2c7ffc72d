import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../../src/cli/main';
import { STORE_ENV } from '../../../src/cli/lsStore';
import { FtpServer, serverPrerequisites, startPyFtpd } from '../../servers/servers';
import { JOB_A, JOB_B, SAVEPOINT, buildCheckpointTree } from '../stores/support/checkpointTree';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('ls and latest on a local tree', () => {
  let tree = '';
  before(() => {
    tree = buildCheckpointTree();
  });
  after(() => fs.rmSync(tree, { recursive: true, force: true }));

  it('ls lists jobs with their latest complete checkpoint, and savepoints', async () => {
    const { code, out } = await cli('ls', tree);
    assert.equal(code, 0);
    assert.match(out, /checkpoints directory with 2 job\(s\) and 1 savepoint\(s\)/);
    assert.match(out, new RegExp(`${JOB_A}\\s+5\\s+chk-3`));
    assert.match(out, new RegExp(`${JOB_B}\\s+1\\s+chk-1`));
    assert.match(out, new RegExp(`${SAVEPOINT}\\s+complete`));
  });

  it("ls --json of a job gives every checkpoint's status", async () => {
    const { code, out } = await cli('ls', path.join(tree, JOB_A), '--json');
    assert.equal(code, 0);
    const result = JSON.parse(out) as {
      kind: string;
      latest: string;
      checkpoints: { name: string; status: string; stateSize: number | null }[];
    };
    assert.equal(result.kind, 'job');
    assert.equal(result.latest, 'chk-3');
    assert.deepEqual(
      result.checkpoints.map((c) => `${c.name}:${c.status}`),
      ['chk-6:broken', 'chk-5:in-progress', 'chk-4:in-progress', 'chk-3:complete', 'chk-2:complete'],
    );
    assert.ok(result.checkpoints[3].stateSize! > 0);
  });

  it('latest prints the location of the newest restorable checkpoint, names missing files, exit 1 when there is none', async () => {
    const job = await cli('latest', path.join(tree, JOB_A));
    assert.deepEqual(job, { code: 0, out: `${path.join(tree, JOB_A, 'chk-3')}\n`, err: '' });
    const json = JSON.parse((await cli('latest', `file://${path.join(tree, JOB_A)}`, '--json')).out) as {
      latest: { name: string };
      skipped: unknown[];
    };
    assert.equal(json.latest.name, 'chk-3');
    assert.equal(json.skipped.length, 3);
    fs.mkdirSync(path.join(tree, 'f'.repeat(32), 'chk-9'), { recursive: true });
    const none = await cli('latest', path.join(tree, 'f'.repeat(32)));
    assert.equal(none.code, 1);
    assert.match(none.err, /no restorable checkpoint .* \(1 in progress, broken or missing referenced files\)/);
    // A state file of chk-3 gone: chk-2 is the latest restorable checkpoint, and the missing file is named.
    const gone = fs
      .readdirSync(path.join(tree, JOB_A, 'chk-3'))
      .find((n) => /^[0-9a-f-]{36}$/.test(n) && n !== '5d1c3a0e-7f7b-4d4e-9d0e-2b1f8f0f1a11')!;
    fs.renameSync(path.join(tree, JOB_A, 'chk-3', gone), path.join(tree, gone));
    try {
      const older = await cli('latest', path.join(tree, JOB_A));
      assert.equal(older.code, 0);
      assert.equal(older.out, `${path.join(tree, JOB_A, 'chk-2')}\n`);
      assert.equal(
        older.err,
        `chk-3 is not restorable: 1 referenced file missing: ${path.join(tree, JOB_A, 'chk-3', gone)}\n`,
      );
    } finally {
      fs.renameSync(path.join(tree, gone), path.join(tree, JOB_A, 'chk-3', gone));
    }
    const notAJob = await cli('latest', path.join(tree, JOB_A, 'shared'));
    assert.equal(notAJob.code, 1);
    assert.match(notAJob.err, /is not a job directory/);
  });

  it('ls names a missing directory and a bad URI', async () => {
    const missing = await cli('ls', path.join(tree, 'nope'));
    assert.equal(missing.code, 1);
    assert.match(missing.err, /nope: no such file or directory/);
    const bad = await cli('ls', 'gs://bucket/x');
    assert.equal(bad.code, 1);
    assert.match(bad.err, /scheme "gs" is not supported/);
    assert.equal((await cli('ls')).code, 2);
  });

  it('inspect reads a checkpoint through a store URI', async () => {
    const { code, out } = await cli('inspect', `file://${path.join(tree, JOB_A, 'chk-3')}`, '--json');
    assert.equal(code, 0);
    assert.equal((JSON.parse(out) as { metadataVersion: number }).metadataVersion, 6);
  });
});

describe(
  'ls, latest and inspect over FTP with the password from the environment',
  {
    skip: serverPrerequisites('pyftpdlib') ?? false,
  },
  () => {
    let tree = '';
    let server: FtpServer;
    const password = 'pa:ss@w/rd%';
    before(async () => {
      tree = buildCheckpointTree();
      server = await startPyFtpd(tree, [{ name: 'flink', password }]);
    });
    after(async () => {
      delete process.env[STORE_ENV.password];
      await server?.stop();
      fs.rmSync(tree, { recursive: true, force: true });
    });

    it('never prints the password', async () => {
      process.env[STORE_ENV.password] = password;
      const uri = `ftp://flink@127.0.0.1:${server.port}/${JOB_A}`;
      const latest = await cli('latest', uri);
      assert.deepEqual(latest, { code: 0, out: `ftp://flink@127.0.0.1:${server.port}/${JOB_A}/chk-3\n`, err: '' });
      const ls = await cli('ls', uri, '--json');
      assert.equal(ls.code, 0);
      const inspect = await cli('inspect', `${uri}/chk-3/_metadata`, '--json');
      assert.equal(inspect.code, 0, inspect.err);
      process.env[STORE_ENV.password] = 'wrong';
      const refused = await cli('ls', `ftp://flink:${encodeURIComponent(password)}@127.0.0.1:${server.port}/`);
      assert.equal(refused.code, 1);
      assert.match(refused.err, /auth|refused the login/);
      for (const output of [latest, ls, inspect, refused]) {
        for (const secret of [password, encodeURIComponent(password), 'wrong']) {
          assert.ok(
            !output.out.includes(secret) && !output.err.includes(secret),
            `output shows a password: ${output.out}${output.err}`,
          );
        }
      }
    });
  },
);
