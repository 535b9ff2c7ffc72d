// `state --generate sql|java` writes the code that reads a snapshot's state on a cluster (test/flink/generate runs it
// on real Flink); here: what it writes for the serializer zoo's snapshots, and its refusals.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { EXIT_USAGE, UsageError } from '../../../src/cli/command';
import { stateCommand } from '../../../src/cli/state';
import { snapshotUriOf } from '../../../src/cli/stateGenerate';
import { generateJava, generateSql, javaString, stateProcessorVersion } from '../../../src/core/state/generate';
import type { StateSchema } from '../../../src/core/state';
import { findFiles, repoRoot } from '../../support/repo';

const ZOO = path.join(repoRoot(), 'test', 'fixtures', 'flink-zoo');
const first = (dir: string) => path.dirname(findFiles(dir, '_metadata').sort()[0]);

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  try {
    const code = await stateCommand.run(argv, { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return { code: EXIT_USAGE, out, err: error.message };
  }
}

const LONG = {
  class: 'org.apache.flink.api.common.typeutils.base.LongSerializer$LongSerializerSnapshot',
  version: 3,
  offset: 0,
};
const keyed = (name: string, kind: StateSchema['kind']): StateSchema => ({
  name,
  kind,
  backend: 'keyed',
  keySerializer: LONG,
  namespaceSerializer: null,
  valueSerializer: LONG,
  ttl: null,
});

describe('state --generate', () => {
  const heap22 = first(path.join(ZOO, '2.2.1', 'hashmap'));
  const rocks120 = first(path.join(ZOO, '1.20.5', 'rocksdb-incremental'));

  it('SQL: a savepoint table of the keyed states the connector maps, with POJO value classes, and savepoint_metadata', async () => {
    const r = await run(heap22, '--operator', 'zoo', '--generate', 'sql', '--flink', '2.2');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^LOAD MODULE state;$/m);
    assert.match(r.out, /^SELECT \* FROM savepoint_metadata\('.*chk-3'\);$/m);
    assert.match(r.out, /'connector' = 'savepoint'/);
    assert.match(r.out, /'state\.backend\.type' = 'hashmap'/);
    assert.match(r.out, /'operator\.uid' = 'zoo'/);
    assert.match(r.out, /^ {2}k BIGINT,$/m);
    assert.match(r.out, /^ {2}`v-int` INT,$/m);
    assert.match(r.out, /^ {2}`v-pojo` ROW<`balance` BIGINT, `id` STRING>,$/m);
    assert.match(r.out, /'fields\.v-pojo\.value-class' = 'flinkfixtures\.ZooJob\$Account'/);
    assert.match(r.out, /^ {2}`l-pojo` ARRAY<ROW</m);
    assert.match(r.out, /'fields\.l-pojo\.state-type' = 'list'/);
    // What the connector cannot read is named with why, never left out silently.
    assert.match(r.out, /-- Not read here: 'r-sum': .*not reducing state/);
    assert.match(r.out, /-- Not read here: 'ttl-v-string': .*TTL/);
    assert.match(r.out, /-- Read as 'v-pojo' without the fields limits, tags/);
    assert.match(r.err, /state\(s\) not read by the generated SQL/);
  });

  it('Java: a State Processor API job per line, descriptors matching each state, the user classes it needs named', async () => {
    const r22 = await run(heap22, '--operator', 'zoo', '--generate', 'java', '--flink', '2.2');
    assert.equal(r22.code, 0, r22.err);
    assert.match(r22.out, /<artifactId>flink-state-processor-api<\/artifactId><version>2\.2\.0<\/version>/);
    assert.match(r22.out, /public void open\(OpenContext context\)/);
    assert.match(
      r22.out,
      /new ValueStateDescriptor<>\("v-pojo", Types\.POJO\(flinkfixtures\.ZooJob\.Account\.class\)\)/,
    );
    assert.match(
      r22.out,
      /new ValueStateDescriptor<>\("v-kryo", new GenericTypeInfo<>\(flinkfixtures\.ZooJob\.Opaque\.class\)\)/,
    );
    assert.match(
      r22.out,
      /new MapStateDescriptor<>\("m-row", Types\.STRING, Types\.ROW\(Types\.STRING, Types\.DOUBLE\)\)/,
    );
    assert.match(r22.out, /ttlVStringDescriptor\.enableTimeToLive/);
    assert.match(r22.out, /OperatorIdentifier\.forUid\("zoo"\)/);
    assert.match(
      r22.out,
      /The job's own classes must be on the classpath \(its jar\): .*flinkfixtures\.ZooJob\$Account/,
    );
    assert.match(r22.out, /<artifactId>flink-avro<\/artifactId>/);
    assert.doesNotMatch(r22.out, /TODO|FIXME/);
    // 1.20 metadata records no uid: the one given names the operator because its hash is the operator's id.
    const r120 = await run(rocks120, '--operator', 'zoo', '--generate', 'java', '--flink', '1.20');
    assert.equal(r120.code, 0, r120.err);
    assert.match(r120.out, /public void open\(Configuration parameters\)/);
    assert.match(r120.out, /<version>1\.20\.0<\/version>/);
    assert.match(r120.out, /OperatorIdentifier\.forUid\("zoo"\)/);
    // A native RocksDB checkpoint is read by RocksDB.
    assert.match(r120.out, /new org\.apache\.flink\.contrib\.streaming\.state\.EmbeddedRocksDBStateBackend\(\)/);
    assert.match(r120.out, /<artifactId>flink-statebackend-rocksdb<\/artifactId>/);
  });

  it('an operator known by id alone is read by its uid hash', () => {
    const req = {
      snapshotUri: '/data/sp',
      flinkLine: '2.2',
      backend: 'hashmap' as const,
      operator: { operatorId: '0123456789abcdef0123456789abcdef', uid: null, name: null },
      states: [keyed('count', 'value'), keyed('sum', 'reducing')],
    };
    assert.match(generateJava(req).text, /OperatorIdentifier\.forUidHash\("0123456789abcdef0123456789abcdef"\)/);
    assert.match(generateSql(req).text, /'operator\.uid\.hash' = '0123456789abcdef0123456789abcdef'/);
  });

  it('never writes credentials: the store URI without user and password, and where credentials are configured', () => {
    assert.equal(snapshotUriOf('s3://ops:s3cret@bucket/flink/sp-1/_metadata'), 's3://bucket/flink/sp-1');
    assert.equal(snapshotUriOf('hdfs://alice@nn:8020/sp/'), 'hdfs://nn:8020/sp');
    const text = generateJava({
      snapshotUri: snapshotUriOf('s3://ops:s3cret@bucket/flink/sp-1'),
      flinkLine: '1.20',
      backend: 'hashmap',
      operator: { operatorId: '0123456789abcdef0123456789abcdef', uid: 'counter', name: null },
      states: [keyed('count', 'value')],
    }).text;
    assert.doesNotMatch(text, /s3cret|ops:/);
    assert.match(text, /"s3:\/\/bucket\/flink\/sp-1"/);
    assert.match(text, /Credentials for S3 come from Flink's configuration/);
  });

  it('Java strings and SQL names are escaped', () => {
    assert.equal(javaString('a"b\\c\n'), '"a\\"b\\\\c\\u000a"');
    const sql = generateSql({
      snapshotUri: "/data/it's",
      flinkLine: '2.1',
      backend: 'hashmap',
      operator: { operatorId: '0123456789abcdef0123456789abcdef', uid: "o'ne", name: null },
      states: [keyed('we`ird', 'value')],
    }).text;
    assert.match(sql, /'state\.path' = '\/data\/it''s'/);
    assert.match(sql, /'operator\.uid' = 'o''ne'/);
    assert.match(sql, /^ {2}`we``ird` BIGINT,$/m);
    assert.equal(stateProcessorVersion('2.2'), '2.2.0');
  });

  it('refusals: SQL before Flink 2.1, no such operator or state, nothing readable, usage errors (exit 2)', async () => {
    const before21 = await run(heap22, '--operator', 'zoo', '--generate', 'sql', '--flink', '1.20');
    assert.equal(before21.code, 1);
    assert.match(before21.err, /savepoint SQL connector comes with Flink 2\.1.*--generate java/);
    const noOp = await run(heap22, '--operator', 'nope', '--generate', 'java');
    assert.equal(noOp.code, 1);
    assert.match(noOp.err, /no operator with uid or id 'nope'/);
    const noState = await run(heap22, '--operator', 'zoo', '--state', 'missing', '--generate', 'java');
    assert.equal(noState.code, 1);
    assert.match(noState.err, /has no state 'missing' \(it has: .*v-int/);
    const timersOnly = await run(
      heap22,
      '--operator',
      'zoo',
      '--state',
      '_timer_state/event_user-timers',
      '--generate',
      'java',
    );
    assert.equal(timersOnly.code, 1);
    assert.match(timersOnly.err, /no state of operator .* can be read: .*timers/);
    assert.equal((await run(heap22, '--operator', 'zoo', '--generate', 'python')).code, EXIT_USAGE);
    assert.equal((await run(heap22, '--generate', 'sql')).code, EXIT_USAGE);
    assert.equal(
      (await run(heap22, '--operator', 'zoo', '--generate', 'java', '--class', 'not a class')).code,
      EXIT_USAGE,
    );
    assert.equal((await run(heap22, '--operator', 'zoo', '--generate', 'java', '--package', '1bad')).code, EXIT_USAGE);
    assert.ok(fs.existsSync(heap22));
  });
});
