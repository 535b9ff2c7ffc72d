import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  RestoreError,
  buildRestoreInvocation,
  flinkVersionNamedIn,
  mapToClusterPath,
  parseFlinkVersion,
  readsMetadataVersion,
  snapshotPointerKind,
} from '../../../src/core/restore';

describe('parseFlinkVersion', () => {
  it('reads lines, patch releases, snapshots and the operator form', () => {
    assert.deepEqual(parseFlinkVersion('1.20'), { major: 1, minor: 20, line: '1.20' });
    assert.deepEqual(parseFlinkVersion(' 1.20.1 '), { major: 1, minor: 20, patch: 1, line: '1.20' });
    assert.deepEqual(parseFlinkVersion('2.0'), { major: 2, minor: 0, line: '2.0' });
    assert.deepEqual(parseFlinkVersion('2.0.0'), { major: 2, minor: 0, patch: 0, line: '2.0' });
    assert.deepEqual(parseFlinkVersion('v1_15'), { major: 1, minor: 15, line: '1.15' });
    assert.equal(parseFlinkVersion('1.19-SNAPSHOT').line, '1.19');
  });

  it('rejects text and lines outside 1.15 .. 2.3 with a typed error', () => {
    for (const [text, code] of [
      ['1.14', 'unsupported-version'],
      ['2.4', 'unsupported-version'],
      ['1.2', 'unsupported-version'],
      ['flink', 'invalid-version'],
      ['1', 'invalid-version'],
      ['', 'invalid-version'],
    ] as const) {
      assert.throws(
        () => parseFlinkVersion(text),
        (e: unknown) => e instanceof RestoreError && e.code === code,
        text,
      );
    }
    assert.throws(
      () => buildRestoreInvocation({ snapshotPath: '/ck/chk-1', target: 'cli', flinkVersion: '1.14' }),
      /Flink 1\.14 is not supported: restore invocations are generated for Flink 1\.15 to 2\.3/,
    );
  });

  it('rejects bad options and paths with a typed error', () => {
    const bad: Array<[Parameters<typeof buildRestoreInvocation>[0], string]> = [
      [
        { snapshotPath: '/ck/chk-1', target: 'cli', flinkVersion: '1.20', options: { parallelism: 0 } },
        'invalid-option',
      ],
      [
        { snapshotPath: '/ck/chk-1', target: 'cli', flinkVersion: '1.20', options: { claimMode: 'CLAIM' as never } },
        'invalid-option',
      ],
      [{ snapshotPath: '/ck/chk-1', target: 'nowhere' as never, flinkVersion: '1.20' }, 'invalid-option'],
      [{ snapshotPath: '/ck/chk-1', target: 'toString' as never, flinkVersion: '1.20' }, 'invalid-option'],
      [
        { snapshotPath: '/ck/chk-1', target: 'k8s', flinkVersion: '1.20', options: { deploymentName: 'Word Count' } },
        'invalid-option',
      ],
      [
        { snapshotPath: '/ck/chk-1', target: 'k8s', flinkVersion: '1.20', options: { namespace: 'a\nb' } },
        'invalid-option',
      ],
      [
        { snapshotPath: '/ck/chk-1', target: 'k8s', flinkVersion: '1.20', options: { snapshotResourceName: '-x' } },
        'invalid-option',
      ],
      [{ snapshotPath: '  ', target: 'cli', flinkVersion: '1.20' }, 'invalid-path'],
      [{ snapshotPath: '/ck/chk-1\n; rm -rf /', target: 'cli', flinkVersion: '1.20' }, 'invalid-path'],
    ];
    for (const [request, code] of bad) {
      assert.throws(
        () => buildRestoreInvocation(request),
        (e: unknown) => e instanceof RestoreError && e.code === code,
      );
    }
  });
});

describe('mapToClusterPath', () => {
  const mappings = [
    { storePrefix: '/mnt/flink', clusterPrefix: '/flink' },
    { storePrefix: '/mnt/flink/savepoints/', clusterPrefix: 's3://bucket/savepoints' },
    { storePrefix: 'ftp://files.example.com/flink', clusterPrefix: 'ftp://files.example.com:21/data/flink' },
    { storePrefix: 'D:\\flink-pv', clusterPrefix: '/opt/flink/pv' },
  ];

  it('maps by the longest whole-segment prefix and keeps the rest', () => {
    assert.deepEqual(mapToClusterPath('/mnt/flink/ck/0123/chk-4', mappings), {
      path: '/flink/ck/0123/chk-4',
      mapping: mappings[0],
    });
    assert.equal(
      mapToClusterPath('/mnt/flink/savepoints/savepoint-0a-1b', mappings).path,
      's3://bucket/savepoints/savepoint-0a-1b',
    );
    assert.equal(mapToClusterPath('/mnt/flink', mappings).path, '/flink');
    assert.equal(
      mapToClusterPath('ftp://files.example.com/flink/ck/chk-1', mappings).path,
      'ftp://files.example.com:21/data/flink/ck/chk-1',
    );
    assert.equal(mapToClusterPath('d:/FLINK-PV\\ck\\job\\chk-2', mappings).path, '/opt/flink/pv/ck/job/chk-2');
  });

  it('leaves unmatched paths alone, including prefixes that only share characters', () => {
    assert.deepEqual(mapToClusterPath('/mnt/flink2/ck/chk-1', mappings), {
      path: '/mnt/flink2/ck/chk-1',
      mapping: undefined,
    });
    assert.deepEqual(mapToClusterPath('hdfs:///ck/chk-1', []), { path: 'hdfs:///ck/chk-1', mapping: undefined });
  });

  it('keeps a path literal (Flink does not decode %20)', () => {
    assert.equal(mapToClusterPath('/mnt/flink/my ck/chk-1', mappings).path, '/flink/my ck/chk-1');
  });
});

describe('snapshotPointerKind', () => {
  it('tells checkpoints, savepoints and _metadata from other directories', () => {
    assert.equal(snapshotPointerKind('/ck/job/chk-12'), 'checkpoint');
    assert.equal(snapshotPointerKind('/ck/job/chk-12/'), 'checkpoint');
    assert.equal(snapshotPointerKind('s3://b/sp/savepoint-0a1b2c-0123456789ab'), 'savepoint');
    assert.equal(snapshotPointerKind('/ck/job/chk-12/_metadata'), 'metadata-file');
    assert.equal(snapshotPointerKind('/ck/job'), 'unknown');
  });
});

describe('which Flink reads a snapshot, and which Flink the job names', () => {
  it('a line reads the _metadata formats of its own and older lines, none newer, none unknown', () => {
    const reads = (line: string, format: number | undefined): boolean | undefined =>
      readsMetadataVersion(parseFlinkVersion(line), format);
    assert.equal(reads('1.15', 3), true);
    assert.equal(reads('1.15', 4), false);
    assert.equal(reads('1.16', 4), true);
    assert.equal(reads('1.20', 5), false);
    assert.equal(reads('2.0', 5), true);
    assert.equal(reads('2.0', 6), false);
    assert.equal(reads('2.1', 6), true);
    assert.equal(reads('2.3', 2), true);
    assert.equal(reads('2.3', 7), false, 'format 7 is in no release');
    assert.equal(reads('2.3', 1), false, 'Flink 1.2 savepoints are no longer read');
    assert.equal(reads('1.20', undefined), undefined);
  });

  it('finds the version in operator manifests, Maven, Gradle and images; passes over lines it cannot build for', () => {
    const named = (text: string): string | undefined => flinkVersionNamedIn(text)?.version.line;
    assert.equal(
      named('apiVersion: flink.apache.org/v1beta1\nkind: FlinkDeployment\nspec:\n  flinkVersion: v1_20\n'),
      '1.20',
    );
    assert.equal(named('<properties>\n  <flink.version>2.1.1</flink.version>\n</properties>'), '2.1');
    assert.equal(named("ext {\n  flinkVersion = '1.18.1'\n}"), '1.18');
    assert.equal(named('flink.version=2.0.0\n'), '2.0');
    assert.equal(named('FROM flink:1.19.3-scala_2.12-java17\n'), '1.19');
    assert.equal(named('services:\n  jobmanager:\n    image: "flink:2.2"\n'), '2.2');
    assert.equal(named('<flink.version>1.14.6</flink.version>'), undefined, 'no invocation for 1.14');
    assert.equal(named('image: apache/flinkish:3\nflinkVersion: 1.x\n'), undefined);
    assert.equal(
      flinkVersionNamedIn('  flinkVersion: v2_0 # the operator enum')?.evidence,
      'flinkVersion: v2_0 # the operator enum',
    );
  });
});
