import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../../../src/cli/main';
import { findFiles, repoRoot } from '../../support/repo';
import { SKIP_NO_SHARED, sharedMetadataFile } from './support';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('flink-checkpoints restore', () => {
  it('prints the invocation, warnings on stderr', async () => {
    const result = await run(
      'restore',
      '/ck/0123/chk-7',
      '--target',
      'cli',
      '--flink',
      '1.19',
      '--claim-mode',
      'legacy',
      '--allow-non-restored-state',
      '--entry-class',
      'com.example.Job',
      '--parallelism',
      '2',
      '--jar',
      'job.jar',
      '--',
      '--in',
      'a b',
    );
    assert.equal(result.code, 0);
    assert.equal(
      result.out,
      '# Submit the job to a running session cluster from the snapshot\n' +
        "./bin/flink run --detached --fromSavepoint /ck/0123/chk-7 --allowNonRestoredState --restoreMode legacy -c com.example.Job -p 2 job.jar --in 'a b'\n",
    );
    assert.match(result.err, /^warning \(legacy-claim-mode-deprecated\): /);
  });

  it('--json gives the REST call; --path-map and --conf are applied', async () => {
    const result = await run(
      'restore',
      '/mnt/flink/ck/0123/chk-7',
      '--target',
      'rest',
      '--flink',
      '2.0',
      '--json',
      '--path-map',
      '/mnt/flink=/flink',
      '--rest-url',
      'http://127.0.0.1:8081',
      '--jar-id',
      'ab_job.jar',
      '--conf',
      'pipeline.name=wc',
      '--conf=parallelism.default=3',
      '--entry-class',
      'com.example.Job',
      '--',
      '--out',
      '/tmp/o',
    );
    assert.equal(result.code, 0);
    const invocation = JSON.parse(result.out);
    assert.deepEqual(invocation.request, {
      method: 'POST',
      url: 'http://127.0.0.1:8081/jars/ab_job.jar/run',
      body: {
        entryClass: 'com.example.Job',
        programArgsList: ['--out', '/tmp/o'],
        savepointPath: '/flink/ck/0123/chk-7',
        allowNonRestoredState: false,
        claimMode: 'NO_CLAIM',
        flinkConfiguration: { 'pipeline.name': 'wc', 'parallelism.default': '3' },
      },
    });
    assert.equal(result.err, '');
  });

  it('usage errors exit 2 and say what is wrong', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['restore', '/ck/chk-1', '--flink', '1.20'], /--target is required/],
      [['restore', '/ck/chk-1', '--target', 'cli'], /--flink is required/],
      [
        ['restore', '/ck/chk-1', '--target', 'nowhere', '--flink', '1.20'],
        /--target must be one of cli, application, k8s, sql, rest/,
      ],
      [['restore', '/ck/chk-1', '--target', 'cli', '--flink', '1.14'], /Flink 1\.14 is not supported/],
      [
        ['restore', '/ck/chk-1', '--target', 'cli', '--flink', '1.20', '--parallelism', 'many'],
        /--parallelism takes an integer/,
      ],
      [['restore', '/ck/chk-1', 'extra', '--target', 'cli', '--flink', '1.20'], /exactly one snapshot path/],
      [['restore', '/ck/chk-1', '--target', 'cli', '--flink', '1.20', '--conf', 'novalue'], /--conf takes KEY=VALUE/],
    ];
    for (const [argv, message] of cases) {
      const result = await run(...argv);
      assert.equal(result.code, 2, argv.join(' '));
      assert.match(result.err, message);
    }
  });

  it('an unusable path exits 1', async () => {
    const result = await run('restore', ' ', '--target', 'cli', '--flink', '1.20');
    assert.equal(result.code, 1);
    assert.match(result.err, /the snapshot path is empty/);
  });

  const v4 = sharedMetadataFile('v4-flink1.20-hashmap-savepoint-canonical-broadcast-udf');
  it(
    'reads the metadata version of a local snapshot: a real Flink 1.20 savepoint restored with 2.0 warns',
    { skip: v4 === undefined ? SKIP_NO_SHARED : false },
    async () => {
      const result = await run('restore', v4 as string, '--target', 'cli', '--flink', '2.0', '--jar', 'job.jar');
      assert.equal(result.code, 0);
      assert.match(
        result.err,
        /warning \(cross-major-restore\): The snapshot was written by Flink 1\.16 – 1\.20 \(_metadata format version 4\)/,
      );
      const same = await run('restore', v4 as string, '--target', 'cli', '--flink', '1.20', '--jar', 'job.jar');
      assert.equal(same.err, '');
    },
  );

  const v6 = sharedMetadataFile('v6-flink2.1-rocksdb-savepoint-native-broadcast-udf');
  it(
    'a real Flink 2.1 snapshot restored with 2.0 cannot be read',
    { skip: v6 === undefined ? SKIP_NO_SHARED : false },
    async () => {
      const result = await run('restore', v6 as string, '--target', 'sql', '--flink', '2.0');
      assert.match(result.err, /warning \(snapshot-too-new\)/);
    },
  );

  it('a local job directory stands for its latest restorable checkpoint', async () => {
    const jobDir = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), 'restore-cli-')),
      'ck dir',
      '0123456789abcdef0123456789abcdef',
    );
    try {
      for (const name of ['chk-3', 'chk-4', 'chk-5', 'shared', 'taskowned']) {
        fs.mkdirSync(path.join(jobDir, name), { recursive: true });
      }
      // A real Flink 1.20 checkpoint (_metadata format 4) with the state files its _metadata references beside it.
      const snapshotDir = findFiles(
        path.join(repoRoot(), 'test', 'fixtures', 'flink', '1.20.5', 'hashmap'),
        '_metadata',
      )
        .map((f) => path.dirname(f))
        .sort()[0];
      for (const name of fs.readdirSync(snapshotDir)) {
        if (!name.endsWith('.json')) fs.copyFileSync(path.join(snapshotDir, name), path.join(jobDir, 'chk-3', name));
      }
      fs.writeFileSync(
        path.join(jobDir, 'chk-4', '_metadata'),
        fs.readFileSync(path.join(snapshotDir, '_metadata')).subarray(0, 100),
      );
      const result = await run(
        'restore',
        jobDir,
        '--target',
        'cli',
        '--flink',
        '2.0',
        '--jar',
        'job.jar',
        '--path-map',
        `${path.dirname(jobDir)}=/flink`,
      );
      assert.equal(result.code, 0, result.err);
      assert.ok(result.out.includes(' --fromSavepoint /flink/0123456789abcdef0123456789abcdef/chk-3 '), result.out);
      assert.match(
        result.err,
        /note: .* is a job directory: using its latest complete checkpoint chk-3, skipping chk-5: in-progress \(no _metadata yet\), chk-4: broken/,
      );
      assert.match(
        result.err,
        /warning \(cross-major-restore\)/,
        'the metadata version of the chosen checkpoint is read',
      );

      // A referenced file gone: chk-3 cannot be restored, and the message names the file.
      const gone = fs.readdirSync(path.join(jobDir, 'chk-3')).find((name) => name !== '_metadata')!;
      fs.renameSync(path.join(jobDir, 'chk-3', gone), path.join(jobDir, gone));
      const incomplete = await run('restore', jobDir, '--target', 'cli', '--flink', '2.0', '--jar', 'job.jar');
      assert.equal(incomplete.code, 1);
      assert.match(incomplete.err, new RegExp(`chk-3: complete \\(1 referenced file missing: /chk-3/${gone}\\)`));
      fs.renameSync(path.join(jobDir, gone), path.join(jobDir, 'chk-3', gone));

      fs.rmSync(path.join(jobDir, 'chk-3'), { recursive: true });
      const none = await run('restore', jobDir, '--target', 'cli', '--flink', '2.0', '--jar', 'job.jar');
      assert.equal(none.code, 1);
      assert.match(none.err, /is a job directory without a complete checkpoint \(chk-5: in-progress .*chk-4: broken/);
    } finally {
      fs.rmSync(path.dirname(path.dirname(jobDir)), { recursive: true, force: true });
    }
  });
});
