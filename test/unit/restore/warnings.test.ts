import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  RESTORE_TARGETS,
  RestoreInvocation,
  RestoreOptions,
  RestoreTarget,
  SUPPORTED_FLINK_LINES,
  buildRestoreInvocation,
  sanitizeSnapshotPath,
} from '../../../src/core/restore';

function build(
  snapshotPath: string,
  target: RestoreTarget,
  flinkVersion: string,
  options: RestoreOptions = {},
): RestoreInvocation {
  return buildRestoreInvocation({ snapshotPath, target, flinkVersion, options });
}

function codes(invocation: RestoreInvocation): string[] {
  return invocation.warnings.map((w) => w.code);
}

function everything(invocation: RestoreInvocation): string {
  return JSON.stringify(invocation);
}

const CREDENTIAL_PATHS: Array<[string, string, string]> = [
  [
    'ftp://flink:s3cr3t-Pw@files.example.com:2121/ck/0123/chk-5',
    's3cr3t-Pw',
    'ftp://files.example.com:2121/ck/0123/chk-5',
  ],
  ['ftps://flink:s3cr3t-Pw@files.example.com/ck/0123/chk-5', 's3cr3t-Pw', 'ftps://files.example.com/ck/0123/chk-5'],
  ['hdfs://etl:hdfs-Pw9@namenode:8020/flink/ck/0123/chk-5', 'hdfs-Pw9', 'hdfs://etl@namenode:8020/flink/ck/0123/chk-5'],
  [
    's3://AKIAEXAMPLE:wJalrXUtnFEMI@bucket/savepoints/savepoint-0a1b2c-0123456789ab',
    'wJalrXUtnFEMI',
    's3://AKIAEXAMPLE@bucket/savepoints/savepoint-0a1b2c-0123456789ab',
  ],
];

describe('credentials', () => {
  for (const [withPassword, password, clean] of CREDENTIAL_PATHS) {
    it(`never put into any invocation: ${clean}`, () => {
      for (const line of SUPPORTED_FLINK_LINES) {
        for (const target of RESTORE_TARGETS) {
          const invocation = build(withPassword, target, line, { jar: 'job.jar', deploymentName: 'wc', now: () => 0 });
          assert.ok(!everything(invocation).includes(password), `${target} ${line} leaks the password`);
          assert.equal(invocation.snapshotPath, clean);
          assert.ok(codes(invocation).includes('credentials-removed'));
        }
      }
    });
  }

  it('kept only when the caller asks, with a warning', () => {
    const invocation = build(CREDENTIAL_PATHS[2][0], 'cli', '1.20', { jar: 'job.jar', includeCredentials: true });
    assert.ok(invocation.steps[0].text.includes('hdfs-Pw9'));
    assert.ok(codes(invocation).includes('credentials-included'));
    assert.ok(!codes(invocation).includes('credentials-removed'));
  });

  it('an FTP user without a password is removed too (Hadoop would log in with a null password)', () => {
    const result = sanitizeSnapshotPath('ftp://flink@files.example.com/ck/chk-1');
    assert.deepEqual(result, {
      path: 'ftp://files.example.com/ck/chk-1',
      removed: 'user',
      host: 'files.example.com',
      keptPassword: false,
    });
    assert.equal(sanitizeSnapshotPath('hdfs://etl@nn/ck/chk-1').path, 'hdfs://etl@nn/ck/chk-1');
  });

  it('the FTP hint names the host whose keys to set', () => {
    const invocation = build(CREDENTIAL_PATHS[0][0], 'cli', '1.20', { jar: 'job.jar' });
    const removed = invocation.warnings.find((w) => w.code === 'credentials-removed');
    assert.match(removed?.message ?? '', /flink\.hadoop\.fs\.ftp\.password\.files\.example\.com/);
  });
});

describe('warnings', () => {
  it('ftp:// explains the Hadoop FTP file system pitfalls and what to configure', () => {
    const invocation = build('ftp://files.example.com/ck/0123/chk-5', 'rest', '1.20');
    const warning = invocation.warnings.find((w) => w.code === 'ftp-file-system');
    assert.ok(warning);
    for (const needle of [
      'HADOOP_CLASSPATH',
      'ACTIVE',
      'MODE B',
      'flink.hadoop.fs.ftp.data.connection.mode: PASSIVE_LOCAL_DATA_CONNECTION_MODE',
      'flink.hadoop.fs.ftp.transfer.mode: STREAM_TRANSFER_MODE',
      'flink.hadoop.fs.ftp.user.files.example.com',
    ]) {
      assert.ok(warning.message.includes(needle), needle);
    }
    assert.ok(!codes(build('hdfs:///ck/chk-5', 'rest', '1.20')).includes('ftp-file-system'));
  });

  it('ftps:// and sftp:// cannot be read by Flink', () => {
    assert.ok(
      codes(build('ftps://files.example.com/ck/chk-5', 'cli', '1.20', { jar: 'j' })).includes('ftps-unsupported'),
    );
    assert.ok(
      codes(build('sftp://files.example.com/ck/chk-5', 'cli', '1.20', { jar: 'j' })).includes('ftps-unsupported'),
    );
  });

  it('a 1.x snapshot restored with 2.x, from the writer version or the metadata version', () => {
    for (const line of ['2.0', '2.1', '2.2', '2.3']) {
      assert.ok(
        codes(build('/ck/chk-1', 'cli', line, { jar: 'j', snapshot: { writerVersion: '1.20.1' } })).includes(
          'cross-major-restore',
        ),
      );
      for (const metadataVersion of [2, 3, 4]) {
        assert.ok(
          codes(build('/ck/chk-1', 'cli', line, { jar: 'j', snapshot: { metadataVersion } })).includes(
            'cross-major-restore',
          ),
        );
      }
    }
    assert.ok(
      !codes(build('/ck/chk-1', 'cli', '1.20', { jar: 'j', snapshot: { metadataVersion: 4 } })).includes(
        'cross-major-restore',
      ),
    );
    assert.ok(
      !codes(build('/ck/chk-1', 'cli', '2.1', { jar: 'j', snapshot: { metadataVersion: 5 } })).includes(
        'cross-major-restore',
      ),
    );
    assert.ok(
      !codes(build('/ck/chk-1', 'cli', '2.1', { jar: 'j', snapshot: { writerVersion: '2.0' } })).includes(
        'cross-major-restore',
      ),
    );
  });

  it('a snapshot newer than the Flink that restores it', () => {
    const tooNew = build('/ck/chk-1', 'cli', '2.0', { jar: 'j', snapshot: { metadataVersion: 6 } });
    assert.ok(codes(tooNew).includes('snapshot-too-new'));
    assert.match(
      tooNew.warnings.find((w) => w.code === 'snapshot-too-new')?.message ?? '',
      /Unrecognized checkpoint version number: 6/,
    );
    assert.ok(
      codes(build('/ck/chk-1', 'cli', '1.15', { jar: 'j', snapshot: { metadataVersion: 4 } })).includes(
        'snapshot-too-new',
      ),
    );
    assert.ok(
      codes(build('/ck/chk-1', 'cli', '1.18', { jar: 'j', snapshot: { writerVersion: '1.19' } })).includes(
        'snapshot-too-new',
      ),
    );
    assert.ok(
      codes(build('/ck/chk-1', 'cli', '1.15', { jar: 'j', snapshot: { metadataVersion: 1 } })).includes(
        'snapshot-version-unreadable',
      ),
    );
  });

  it('local paths in application mode and the operator, relative paths everywhere', () => {
    for (const path of ['/mnt/flink/ck/chk-1', 'file:///mnt/flink/ck/chk-1', 'C:\\flink\\ck\\chk-1']) {
      assert.ok(
        codes(build(path, 'application', '1.20', { jar: 'j' })).includes('local-path-in-application-mode'),
        path,
      );
      assert.ok(
        codes(build(path, 'k8s', '1.20', { deploymentName: 'wc', now: () => 0 })).includes(
          'local-path-in-application-mode',
        ),
        path,
      );
      assert.ok(!codes(build(path, 'cli', '1.20', { jar: 'j' })).includes('local-path-in-application-mode'), path);
    }
    assert.ok(
      !codes(build('s3://b/ck/chk-1', 'application', '1.20', { jar: 'j', clusterId: 'c', image: 'i' })).includes(
        'local-path-in-application-mode',
      ),
    );
    assert.ok(codes(build('ck/chk-1', 'rest', '1.20')).includes('relative-path'));
    const local = build('/mnt/flink/ck/chk-1', 'k8s', '1.20', { deploymentName: 'wc', now: () => 0 }).warnings.find(
      (w) => w.code === 'local-path-in-application-mode',
    );
    assert.match(local?.message ?? '', /"Path as the cluster sees it"/, 'names the store setting that maps the path');
  });

  it('a path that is not a snapshot pointer', () => {
    assert.ok(
      codes(build('/ck/0123456789abcdef0123456789abcdef', 'cli', '1.20', { jar: 'j' })).includes(
        'unrecognised-pointer',
      ),
    );
    for (const ok of [
      '/ck/job/chk-12',
      '/ck/job/chk-12/_metadata',
      '/sp/savepoint-0a1b2c-0123456789ab',
      '/sp/savepoint-x/',
    ]) {
      assert.ok(!codes(build(ok, 'cli', '1.20', { jar: 'j' })).includes('unrecognised-pointer'), ok);
    }
  });

  it('restore keys given as configuration are dropped, never passed as -D', () => {
    const invocation = build('/ck/chk-1', 'cli', '1.20', {
      jar: 'j',
      flinkConfiguration: {
        'execution.state-recovery.claim-mode': 'CLAIM',
        'execution.savepoint.ignore-unclaimed-state': 'true',
        'pipeline.name': 'wc',
      },
    });
    assert.equal(
      invocation.steps[0].text,
      './bin/flink run --detached -Dpipeline.name=wc --fromSavepoint /ck/chk-1 --claimMode no_claim j',
    );
    assert.equal(codes(invocation).filter((c) => c === 'restore-key-dropped').length, 2);
  });

  it('a claim mode for the operator holds for native deployments only', () => {
    assert.ok(
      codes(
        build('s3://b/sp/savepoint-x', 'k8s', '1.20', { deploymentName: 'wc', claimMode: 'claim', now: () => 0 }),
      ).includes('claim-mode-native-only'),
    );
    assert.ok(
      !codes(build('s3://b/sp/savepoint-x', 'k8s', '1.20', { deploymentName: 'wc', now: () => 0 })).includes(
        'claim-mode-native-only',
      ),
    );
  });

  it('placeholders for values not given are listed', () => {
    const invocation = build('/ck/chk-1', 'application', '2.0', {});
    assert.deepEqual(codes(invocation).slice(-1), ['placeholder']);
    assert.match(invocation.warnings[invocation.warnings.length - 1].message, /<cluster-id>, <image>, <job\.jar>/);
  });
});
