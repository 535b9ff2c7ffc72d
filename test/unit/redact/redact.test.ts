import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addSecret, mayNeedRedaction, redact, redactUriPasswords, secretsInUris } from '../../../src/core/redact';
import { encodingsOf } from '../../support/secrets';

describe('redaction at the output boundary', () => {
  it('keeps the user of a URI and hides its password, in any text', () => {
    assert.equal(
      redactUriPasswords('connecting to ftp://flink:s3cr%40t@host:21/chk failed'),
      'connecting to ftp://flink:***@host:21/chk failed',
    );
    assert.equal(redactUriPasswords('a ftp://u:p@ss@h/x and ftps://v:w@g'), 'a ftp://u:***@h/x and ftps://v:***@g');
    assert.equal(redactUriPasswords('ftp://user@host/x'), 'ftp://user@host/x');
    assert.equal(
      redact('{"file":"hdfs://nn:9000/a","store":"ftp://alice:x%2Fy@127.0.0.1:2121/base"}'),
      '{"file":"hdfs://nn:9000/a","store":"ftp://alice:***@127.0.0.1:2121/base"}',
    );
    assert.equal(
      redact('plain text without any URI, mail me@example.org'),
      'plain text without any URI, mail me@example.org',
    );
  });

  it('finds passwords of a command-line URI even with raw metacharacters', () => {
    assert.deepEqual(secretsInUris('ftp://alice:pa/ss?#x@host:21/base'), ['pa/ss?#x']);
    assert.deepEqual(secretsInUris('ftp://alice:p%40ss@host/x'), ['p%40ss', 'p@ss']);
    assert.deepEqual(secretsInUris('/local/path'), []);
  });

  it('replaces a known secret in every encoding: raw, percent-encoded in either case, partly encoded, JSON, + for space', () => {
    const password = 'Pa ss@:/%?#&+=;"\\é1';
    addSecret(password);
    for (const form of encodingsOf(password)) {
      const text = `before ${form} after`;
      assert.equal(redact(text), 'before *** after', `${form}`);
    }
    assert.ok(mayNeedRedaction(new Uint8Array([0x61])), 'with a secret known, bytes go through redaction');
  });

  it('leaves short secrets to the URI rule, so that ordinary text stays readable', () => {
    addSecret('ab');
    assert.equal(redact('tab ftp://u:ab@h/'), 'tab ftp://u:***@h/');
  });
});
