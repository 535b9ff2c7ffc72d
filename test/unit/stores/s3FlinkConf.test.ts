import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFlinkConfStore, withoutEntropyKey } from '../../../src/core/stores/flinkConf';

describe('stores from a Flink configuration', () => {
  it('reads a Flink 2.x config.yaml with nested keys, entropy injection and a secret to move away', () => {
    const conf = readFlinkConfStore(
      [
        'execution:',
        '  checkpointing:',
        '    dir: s3://flink-state/_entropy_/prod/checkpoints',
        '    savepoint-dir: s3://flink-state/savepoints',
        's3:',
        '  endpoint: minio.internal:9000',
        '  path.style.access: true',
        '  access-key: AKIAMINIO',
        '  secret-key: "minio/secret+key"',
        '  entropy.key: _entropy_',
        '  entropy.length: 4',
      ].join('\n'),
      'config.yaml',
    );
    assert.equal(conf.checkpoints, 's3://flink-state/prod/checkpoints');
    assert.equal(conf.savepoints, 's3://flink-state/savepoints');
    assert.deepEqual(conf.s3, {
      endpoint: 'https://minio.internal:9000',
      pathStyle: true,
      accessKeyId: 'AKIAMINIO',
      entropyKey: '_entropy_',
      entropyDirectory: 's3://flink-state/_entropy_/prod/checkpoints',
      entropyLength: 4,
    });
    assert.equal(conf.secretKey, 'minio/secret+key');
    assert.equal(conf.entropyKey, '_entropy_');
    assert.ok(conf.keysRead.includes('s3.secret-key'));
    assert.ok(!JSON.stringify(conf.keysRead).includes('minio/secret'));
  });

  it('reads a Flink 1.x flink-conf.yaml with the older keys and dotted aliases', () => {
    const conf = readFlinkConfStore(
      [
        'state.checkpoints.dir: s3a://bucket/checkpoints',
        'state.savepoints.dir: s3a://bucket/savepoints',
        's3.endpoint: http://127.0.0.1:9000',
        's3.path-style-access: false',
        's3.access.key: AKIA1',
        's3.endpoint.region: eu-central-1',
      ].join('\n'),
      'flink-conf.yaml',
    );
    assert.equal(conf.checkpoints, 's3a://bucket/checkpoints');
    assert.deepEqual(conf.s3, {
      endpoint: 'http://127.0.0.1:9000',
      pathStyle: false,
      accessKeyId: 'AKIA1',
      region: 'eu-central-1',
    });
    assert.equal(conf.secretKey, undefined);
  });

  it('refuses a file Flink would not load, and a file without S3 keys gives only directories', () => {
    assert.throws(
      () => readFlinkConfStore('execution: [unclosed', 'config.yaml'),
      /Flink would not load this configuration file/,
    );
    const plain = readFlinkConfStore('execution.checkpointing.dir: hdfs://nn:8020/flink/cp\n', 'config.yaml');
    assert.deepEqual(plain.s3, {});
    assert.equal(plain.checkpoints, 'hdfs://nn:8020/flink/cp');
  });

  it('removes the entropy key where Flink would, leaving other paths alone', () => {
    assert.equal(withoutEntropyKey('s3://b/_entropy_/cp', '_entropy_'), 's3://b/cp');
    assert.equal(withoutEntropyKey('s3://b/cp/_entropy_', '_entropy_'), 's3://b/cp');
    assert.equal(withoutEntropyKey('s3://b/cp', '_entropy_'), 's3://b/cp');
    assert.equal(withoutEntropyKey('s3://b/_entropy_/cp', undefined), 's3://b/_entropy_/cp');
  });
});
