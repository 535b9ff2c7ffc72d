import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  StoreError,
  externalLocation,
  formatStoreUri,
  isS3Uri,
  openStore,
  parseStoreUri,
} from '../../../src/core/stores';
import { isStoreUri } from '../../../src/cli/storeUri';
import { storePathOf } from '../../../src/core/references/locate';

function invalid(text: string, pattern: RegExp): void {
  assert.throws(
    () => parseStoreUri(text),
    (error: unknown) => {
      assert.ok(error instanceof StoreError);
      assert.equal(error.code, 'invalid-uri');
      assert.match(error.message, pattern);
      return true;
    },
  );
}

describe('s3:// store URIs', () => {
  it('takes the bucket as written and the key prefix as path, for every S3 scheme Flink uses', () => {
    assert.deepEqual(parseStoreUri('s3://flink-state/checkpoints/job-1/'), {
      scheme: 's3',
      host: 'flink-state',
      path: '/checkpoints/job-1',
    });
    assert.deepEqual(parseStoreUri('S3A://Legacy_Bucket'), { scheme: 's3a', host: 'Legacy_Bucket', path: '/' });
    assert.deepEqual(parseStoreUri('s3p://b.with.dots/a%20b//c'), {
      scheme: 's3p',
      host: 'b.with.dots',
      path: '/a b/c',
    });
    assert.ok(isS3Uri(parseStoreUri('s3a://b/x')));
    assert.ok(!isS3Uri(parseStoreUri('hdfs://nn/x')));
    for (const text of ['s3://b/x', 'S3A://b', 's3p://b/']) assert.ok(isStoreUri(text), text);
    assert.ok(!isStoreUri('s3x://b'));
  });

  it('refuses credentials, ports and malformed bucket names, without echoing a secret', () => {
    invalid(
      's3://AKIAEXAMPLE:wJalrXUtnFEMI@bucket/x',
      /no user or key before the bucket.*default AWS credential chain/,
    );
    assert.throws(
      () => parseStoreUri('s3://AKIAEXAMPLE:wJalrXUtnFEMI@bucket/x'),
      (error: Error) => !error.message.includes('wJalrXUtnFEMI'),
    );
    invalid('s3://127.0.0.1:9000/bucket', /an s3 URI names a bucket, not a host and port.*endpoint/);
    invalid('s3:///checkpoints', /no bucket name/);
    invalid('s3://-bad/x', /not a valid bucket name/);
    invalid('s3://b/%zz', /"%" that is not followed by two hex digits/);
  });

  it('formats back and names locations the way Flink writes them into _metadata', () => {
    const uri = parseStoreUri('s3a://flink-state/prod/checkpoints');
    assert.equal(formatStoreUri(uri), 's3a://flink-state/prod/checkpoints');
    assert.equal(externalLocation(uri, '/abc/chk-7'), 's3a://flink-state/prod/checkpoints/abc/chk-7');
    assert.equal(externalLocation(parseStoreUri('s3://bucket'), '/'), 's3://bucket/');
  });

  it('opens an S3 store without contacting anything', async () => {
    const store = openStore('s3://flink-state/checkpoints', { s3: { endpoint: 'http://127.0.0.1:1' } });
    assert.equal(store.label, 's3://flink-state/checkpoints');
    await store.close();
  });
});

describe('files Flink names in _metadata, located in an S3 store', () => {
  it('takes s3://, s3a:// and s3p:// paths of the same bucket, and nothing of another bucket or prefix', () => {
    const root = parseStoreUri('s3a://flink-state/prod/checkpoints');
    assert.equal(storePathOf(root, 's3a://flink-state/prod/checkpoints/job/shared/sst-1'), '/job/shared/sst-1');
    assert.equal(storePathOf(root, 's3p://flink-state/prod/checkpoints/job/chk-3/x'), '/job/chk-3/x');
    assert.equal(storePathOf(root, 's3://flink-state/prod/checkpoints'), '/');
    assert.equal(storePathOf(root, 's3a://other-bucket/prod/checkpoints/job/x'), undefined);
    assert.equal(storePathOf(root, 's3a://flink-state/prod/checkpoints-old/job/x'), undefined);
    assert.equal(storePathOf(root, 'hdfs://flink-state/prod/checkpoints/job/x'), undefined);
  });
});
