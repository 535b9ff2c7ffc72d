import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyEdits, checkConfig, ConfigDiagnostic, ConfigFormat, formatOfFileName } from '../../../src/core/config';

function check(text: string, version: string, format: ConfigFormat = 'legacy', fileName?: string): ConfigDiagnostic[] {
  return checkConfig(text, {
    version,
    format,
    fileName: fileName ?? (format === 'legacy' ? 'flink-conf.yaml' : 'config.yaml'),
  });
}

function only(diags: ConfigDiagnostic[], code: string): ConfigDiagnostic {
  const found = diags.filter((d) => d.code === code);
  assert.equal(found.length, 1, `expected one ${code}, got ${JSON.stringify(diags.map((d) => d.code))}`);
  return found[0];
}

function applyPreferred(text: string, d: ConfigDiagnostic): string {
  const fix = d.fixes.find((f) => f.preferred) ?? d.fixes[0];
  assert.ok(fix, `${d.code} has no fix`);
  return applyEdits(text, fix.edits);
}

describe('keys', () => {
  test('unknown key: did you mean, with a rename fix', () => {
    const text = 'execution.checkpointing.intervall: 1 min\n';
    const d = only(check(text, '1.20'), 'unknown-key');
    assert.match(d.message, /Did you mean "execution\.checkpointing\.interval"/);
    assert.deepEqual(d.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 33 } });
    assert.equal(applyPreferred(text, d), 'execution.checkpointing.interval: 1 min\n');
  });

  test('pass-through keys (Hadoop, reporters, map option entries) are not unknown', () => {
    const diags = check(
      'flink.hadoop.fs.defaultFS: hdfs://nn:8020\nmetrics.reporter.prom.port: 9249\npipeline.global-job-parameters.env: prod\n',
      '1.20',
    );
    assert.deepEqual(
      diags.filter((d) => d.code === 'unknown-key'),
      [],
    );
  });

  test('a key renamed in 1.20 is deprecated for 1.20 but current for 1.19', () => {
    const text = 'state.checkpoints.dir: hdfs://nn:8020/cp\n';
    assert.deepEqual(
      check(text, '1.19').filter((d) => d.code === 'deprecated-key'),
      [],
    );
    const d = only(check(text, '1.20'), 'deprecated-key');
    assert.match(d.message, /use "execution\.checkpointing\.dir"/);
    assert.deepEqual(d.tags, ['deprecated']);
    assert.equal(applyPreferred(text, d), 'execution.checkpointing.dir: hdfs://nn:8020/cp\n');
  });

  test('deprecated key next to its replacement: the fix removes the old one', () => {
    const text = 'state.savepoints.dir: s3://b/old\nexecution.checkpointing.savepoint-dir: s3://b/new\n';
    const d = only(check(text, '2.0', 'yaml'), 'deprecated-and-replacement');
    assert.equal(applyPreferred(text, d), 'execution.checkpointing.savepoint-dir: s3://b/new\n');
  });

  test('a key removed in 2.0 is an error there', () => {
    const d = only(check('fs.hdfs.hadoopconf: /etc/hadoop\n', '2.0', 'yaml'), 'removed-key');
    assert.equal(d.severity, 'error');
    assert.match(d.message, /removed in Flink 2\.0/);
  });

  test('a 1.20 key used for 1.18 points to the key 1.18 reads', () => {
    const text = 'execution.checkpointing.dir: hdfs://nn:8020/cp\n';
    const d = only(check(text, '1.18'), 'key-not-yet');
    assert.equal(applyPreferred(text, d), 'state.checkpoints.dir: hdfs://nn:8020/cp\n');
  });

  test('renaming a nested YAML key keeps it under its parents when it can', () => {
    const text = 'execution:\n  checkpointing:\n    unaligned: true\n';
    const d = check(text, '1.20', 'yaml').find((x) => x.code === 'deprecated-key')!;
    assert.equal(applyPreferred(text, d), 'execution:\n  checkpointing:\n    unaligned.enabled: true\n');
  });

  test('renaming a nested YAML key to another subtree moves it to a flat key', () => {
    const text = 'state:\n  checkpoints:\n    dir: s3://b/cp\nparallelism.default: 2\n';
    const d = only(check(text, '2.2', 'yaml'), 'deprecated-key');
    assert.equal(
      applyPreferred(text, d),
      'state:\n  checkpoints:\nparallelism.default: 2\nexecution.checkpointing.dir: s3://b/cp\n',
    );
  });
});

describe('values', () => {
  const cases: Array<[string, string, RegExp, string | null]> = [
    ['execution.checkpointing.interval: 1h30m', '1.20', /compound/, 'execution.checkpointing.interval: 90 min'],
    ['execution.checkpointing.timeout: 1.5 min', '1.20', /fractions/, 'execution.checkpointing.timeout: 90 s'],
    ['execution.checkpointing.interval: PT1M', '2.0', /not a duration/, 'execution.checkpointing.interval: 1 min'],
    ['taskmanager.memory.process.size: 1.5 gb', '1.20', /fractions/, 'taskmanager.memory.process.size: 1536 mb'],
    [
      'execution.checkpointing.unaligned.enabled: yes',
      '1.20',
      /only true or false/,
      'execution.checkpointing.unaligned.enabled: true',
    ],
    [
      'execution.checkpointing.externalized-checkpoint-retention: RETAIN_ON_CANCEL',
      '1.20',
      /not one of/,
      'execution.checkpointing.externalized-checkpoint-retention: RETAIN_ON_CANCELLATION',
    ],
    ['parallelism.default: four', '1.20', /whole number/, null],
  ];
  for (const [line, version, message, fixed] of cases) {
    test(`${line} (Flink ${version})`, () => {
      const d = only(check(`${line}\n`, version), 'invalid-value');
      assert.equal(d.severity, 'error');
      assert.match(d.message, message);
      if (fixed) assert.equal(applyPreferred(`${line}\n`, d), `${fixed}\n`);
    });
  }

  test("lists and maps: Flink's quoting rules, YAML lists checked element by element", () => {
    only(check("pipeline.jars: 'a.jar;b.jar\n", '1.18'), 'invalid-value');
    only(check('metrics.job.status.enable: [STATE, BOGUS]\n', '2.0', 'yaml'), 'invalid-value');
    only(check('kubernetes.jobmanager.annotations: a:b:c\n', '1.18'), 'invalid-value');
    assert.deepEqual(
      check(
        'metrics.job.status.enable:\n  - state\n  - total_time\nkubernetes.jobmanager.annotations: {a: b}\n',
        '2.0',
        'yaml',
      ).filter((d) => d.code === 'invalid-value'),
      [],
    );
  });

  test('ISO-8601 durations are accepted from 2.1', () => {
    assert.deepEqual(
      check('execution.checkpointing.interval: PT1M\n', '2.1', 'yaml').filter((d) => d.code === 'invalid-value'),
      [],
    );
  });

  test('enum values are case-insensitive; LEGACY claim mode is deprecated', () => {
    const diags = check('execution.state-recovery.claim-mode: legacy\n', '2.0', 'yaml');
    assert.deepEqual(
      diags.filter((d) => d.code === 'invalid-value'),
      [],
    );
    only(diags, 'deprecated-value');
  });

  test('bare numbers: milliseconds for intervals, bytes for memory', () => {
    const text = 'execution.checkpointing.interval: 10\nstate.backend.rocksdb.writebuffer.size: 64\n';
    const diags = check(text, '1.20');
    assert.equal(applyPreferred(text, only(diags, 'bare-number-duration')), text.replace(': 10', ': 10 s'));
    assert.equal(applyPreferred(text, only(diags, 'bare-number-memory')), text.replace(': 64', ': 64 mb'));
  });
});

describe('files and pitfalls', () => {
  test('flink-conf.yaml aimed at 2.x', () => {
    assert.equal(only(check('parallelism.default: 1\n', '2.0'), 'legacy-file-on-2x').severity, 'error');
    assert.deepEqual(
      check('parallelism.default: 1\n', '1.20').filter((d) => d.code === 'legacy-file-on-2x'),
      [],
    );
  });

  test('both files in one directory', () => {
    const d = checkConfig('a.b: 1\n', {
      version: '1.20',
      fileName: 'config.yaml',
      siblingFileNames: ['flink-conf.yaml'],
    });
    assert.match(only(d, 'both-config-files').message, /ignore this file/);
  });

  test('FTP credentials move from the URI to Hadoop keys', () => {
    const text = 'execution.checkpointing.dir: ftp://flink:s3cret@ftp.example.com:21/cp\n';
    const d = only(check(text, '2.0', 'yaml'), 'ftp-credentials-in-uri');
    assert.equal(d.severity, 'error');
    assert.equal(
      applyPreferred(text, d),
      'execution.checkpointing.dir: ftp://ftp.example.com:21/cp\n' +
        'flink.hadoop.fs.ftp.user.ftp.example.com: flink\nflink.hadoop.fs.ftp.password.ftp.example.com: s3cret\n',
    );
    const advice = only(check(text, '2.0', 'yaml'), 'ftp-checkpoints');
    assert.match(applyPreferred(text, advice), /PASSIVE_LOCAL_DATA_CONNECTION_MODE/);
  });

  test('HDFS path without authority, file:// with a host, scheme-less path', () => {
    only(check('execution.checkpointing.dir: hdfs:///flink/cp\n', '1.20'), 'hdfs-without-authority');
    assert.deepEqual(
      check(
        'execution.checkpointing.dir: hdfs:///flink/cp\nflink.hadoop.fs.defaultFS: hdfs://nn:8020\n',
        '1.20',
      ).filter((d) => d.code === 'hdfs-without-authority'),
      [],
    );
    const text = 'execution.checkpointing.dir: file://data/cp\n';
    assert.equal(
      applyPreferred(text, only(check(text, '1.20'), 'file-uri-authority')),
      'execution.checkpointing.dir: file:///data/cp\n',
    );
    only(check('state.checkpoints.dir: /flink/cp\n', '1.18'), 'path-without-scheme');
  });

  test('file:// checkpoints with HA or on Kubernetes', () => {
    const ha = check('high-availability.type: zookeeper\nhigh-availability.storageDir: file:///ha\n', '1.20');
    assert.match(only(ha, 'local-dir-with-ha').message, /ReadWriteMany/);
    const k8s = check(
      'kubernetes.cluster-id: c1\nexecution.checkpointing.dir: file:///cp\nstate.backend.type: rocksdb\n',
      '2.0',
      'yaml',
    );
    assert.match(only(k8s, 'local-dir-with-ha').message, /incremental RocksDB/);
  });

  test('JobManager checkpoint storage limits and filesystem storage without a dir', () => {
    assert.match(
      only(check('execution.checkpointing.interval: 1 min\n', '1.20'), 'jobmanager-checkpoint-storage').message,
      /5 MB/,
    );
    only(check('execution.checkpointing.storage: filesystem\n', '1.20'), 'filesystem-storage-without-dir');
  });

  test('a pre-1.17 prefix key next to its children', () => {
    const text = 'high-availability: zookeeper\nhigh-availability.storageDir: hdfs://nn:8020/ha\n';
    const d = only(check(text, '1.19'), 'prefix-key-with-children');
    assert.equal(
      applyPreferred(text, d),
      'high-availability.type: zookeeper\nhigh-availability.storageDir: hdfs://nn:8020/ha\n',
    );
  });

  test('legacy file problems keep their fixes', () => {
    const text = "web.submit.enable:false\npipeline.name: 'job'\n";
    const diags = check(text, '1.18');
    assert.equal(
      applyPreferred(text, only(diags, 'legacy-not-key-value')),
      "web.submit.enable: false\npipeline.name: 'job'\n",
    );
    assert.equal(
      applyPreferred(text, only(diags, 'legacy-quoted-value')),
      'web.submit.enable:false\npipeline.name: job\n',
    );
  });

  test('a byte-order mark in flink-conf.yaml becomes part of the first key', () => {
    const text = '\uFEFFjobmanager.rpc.address: host\n';
    const diags = check(text, '1.18');
    assert.equal(applyPreferred(text, only(diags, 'legacy-bom')), 'jobmanager.rpc.address: host\n');
  });

  test('a fatal YAML error is reported once, as an error', () => {
    const diags = check('a:\nb: 1\n', '2.0', 'yaml');
    assert.equal(only(diags, 'yaml-null-value').severity, 'error');
  });

  test('s3:// directories note the plugin they need', () => {
    assert.match(
      only(check('execution.checkpointing.dir: s3://bucket/cp\n', '1.20'), 's3-plugin').message,
      /flink-s3-fs-presto/,
    );
  });

  test('the format follows the file name', () => {
    assert.equal(formatOfFileName('/opt/flink/conf/flink-conf.yaml'), 'legacy');
    assert.equal(formatOfFileName('prod.flink-conf.yaml'), 'legacy');
    assert.equal(formatOfFileName('conf/config.yaml'), 'yaml');
    assert.equal(formatOfFileName('values.yaml'), 'yaml');
  });
});
