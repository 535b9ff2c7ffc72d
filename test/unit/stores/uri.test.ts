import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  HdfsStore,
  StoreError,
  externalLocation,
  formatStoreUri,
  parseStoreUri,
  splitPassword,
} from '../../../src/core/stores';

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

describe('parseStoreUri', () => {
  it('takes plain paths and file:// URIs as local directories', () => {
    assert.deepEqual(parseStoreUri('/data/flink/checkpoints/'), {
      scheme: 'file',
      host: '',
      path: '/data/flink/checkpoints',
    });
    assert.equal(parseStoreUri('relative/dir').path, path.resolve('relative/dir'));
    assert.equal(parseStoreUri('file:///mnt/nfs/flink%20checkpoints').path, '/mnt/nfs/flink checkpoints');
    assert.equal(parseStoreUri('file://localhost/tmp').path, '/tmp');
    invalid('file://server/share', /file URIs with a host/);
  });

  it('parses ftp and ftps URIs with user, password and port', () => {
    assert.deepEqual(parseStoreUri('ftp://flink:secret@Ftp.Example.com:2121/checkpoints/job'), {
      scheme: 'ftp',
      host: 'ftp.example.com',
      port: 2121,
      user: 'flink',
      password: 'secret',
      path: '/checkpoints/job',
    });
    assert.deepEqual(parseStoreUri('ftps://ftp.example.com'), { scheme: 'ftps', host: 'ftp.example.com', path: '/' });
    assert.deepEqual(parseStoreUri('ftp://anonymous@[::1]:21/x/'), {
      scheme: 'ftp',
      host: '::1',
      port: 21,
      user: 'anonymous',
      path: '/x',
    });
  });

  it("decodes percent-encoded @ : / % in user and password (where Hadoop's FTP file system breaks)", () => {
    const uri = parseStoreUri('ftp://us%40er%3Aname:p%40ss%3Aw%2Fo%25rd@host/a%20b');
    assert.equal(uri.user, 'us@er:name');
    assert.equal(uri.password, 'p@ss:w/o%rd');
    assert.equal(uri.path, '/a b');
    assert.equal(parseStoreUri('ftp://user:p@ss@host/dir').password, 'p@ss', 'a raw @ in the password is tolerated');
    const back = parseStoreUri(formatStoreUri(uri, { includePassword: true }));
    assert.deepEqual(back, uri);
  });

  it('parses hdfs, webhdfs and swebhdfs URIs', () => {
    assert.deepEqual(parseStoreUri('hdfs://namenode:8020/flink/checkpoints'), {
      scheme: 'hdfs',
      host: 'namenode',
      port: 8020,
      path: '/flink/checkpoints',
    });
    assert.deepEqual(parseStoreUri('webhdfs://nn:9870/f'), { scheme: 'webhdfs', host: 'nn', port: 9870, path: '/f' });
    assert.deepEqual(parseStoreUri('swebhdfs://hdfs@nn/f'), {
      scheme: 'swebhdfs',
      host: 'nn',
      user: 'hdfs',
      path: '/f',
    });
  });

  it('names what is wrong without showing the password', () => {
    invalid('gs://bucket/checkpoints', /scheme "gs" is not supported/);
    invalid('ftp://user:sec%zzret@host/', /password has a "%" that is not followed by two hex digits/);
    invalid('ftp://host:99999/', /not a port number/);
    invalid('ftp://:pw@host/', /user name before "@" is empty/);
    invalid('ftp:///path', /no host name/);
    invalid('mailto:someone', /not a path and not a URI/);
    assert.throws(
      () => parseStoreUri('ftp://user:hunter2%zz@host/'),
      (error: Error) => !error.message.includes('hunter2'),
    );
  });
});

describe('splitPassword', () => {
  it('moves the password out and keeps the rest as written', () => {
    assert.deepEqual(splitPassword('ftp://fl%40ink:p%40ss%3A1@host:21/chk'), {
      uri: 'ftp://fl%40ink@host:21/chk',
      password: 'p@ss:1',
    });
    assert.deepEqual(splitPassword('ftp://user:p@ss@host/x'), { uri: 'ftp://user@host/x', password: 'p@ss' });
    assert.deepEqual(splitPassword('ftp://user@host/x'), { uri: 'ftp://user@host/x' });
    assert.deepEqual(splitPassword('/local/dir'), { uri: '/local/dir' });
  });
});

describe('redaction', () => {
  it('formats without the password unless asked', () => {
    const uri = parseStoreUri('ftp://flink:secret@host/a b');
    assert.equal(formatStoreUri(uri), 'ftp://flink@host/a%20b');
    assert.equal(
      externalLocation(parseStoreUri('hdfs://nn:8020/flink'), '/job/chk-1'),
      'hdfs://nn:8020/flink/job/chk-1',
    );
    assert.equal(
      externalLocation(parseStoreUri('webhdfs://hdfs@nn:9870/flink'), '/job'),
      'webhdfs://nn:9870/flink/job',
    );
    assert.equal(externalLocation(parseStoreUri('ftp://flink:pw@host/cp'), '/job'), 'ftp://flink@host/cp/job');
    assert.equal(externalLocation(parseStoreUri('/data/cp'), '/job/chk-1'), path.join('/data/cp', 'job', 'chk-1'));
  });
});

describe('WebHDFS endpoint', () => {
  it('uses the HTTP port for hdfs:// (the URI port is the RPC port) unless an address is given', () => {
    assert.equal(HdfsStore.endpoint(parseStoreUri('hdfs://nn:8020/flink')).href, 'http://nn:9870/webhdfs/v1');
    assert.equal(HdfsStore.endpoint(parseStoreUri('webhdfs://nn:50070/flink')).href, 'http://nn:50070/webhdfs/v1');
    assert.equal(HdfsStore.endpoint(parseStoreUri('swebhdfs://nn/flink')).href, 'https://nn:9871/webhdfs/v1');
    assert.equal(
      HdfsStore.endpoint(parseStoreUri('hdfs://nn/flink'), 'nn-http:14000').href,
      'http://nn-http:14000/webhdfs/v1',
    );
    assert.equal(
      HdfsStore.endpoint(parseStoreUri('hdfs://nn/flink'), 'https://knox:8443/gateway/default/').href,
      'https://knox:8443/gateway/default/webhdfs/v1',
    );
    assert.throws(
      () => HdfsStore.endpoint(parseStoreUri('hdfs://nn/flink'), 'http://[bad'),
      (error: unknown) => error instanceof StoreError && error.code === 'invalid-uri',
    );
  });
});
