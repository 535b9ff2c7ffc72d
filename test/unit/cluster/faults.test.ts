// The REST client against servers that are not (well-behaved) Flink JobManagers: nothing listening, an HTML page, a
// redirect to a login, a silent server, TLS it cannot verify, Flink's own error bodies. Each is one ClusterError that
// names the cluster without its password and says what to do; none hangs.
import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  ClusterError,
  FlinkRestClient,
  describeFlinkErrors,
  isClusterError,
  parseClusterVersion,
} from '../../../src/core/cluster';
import { Certificate, Gateway, listen, selfSignedCertificate } from '../../flink/cluster/gateway';

function expectError(code: ClusterError['code'], pattern: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(isClusterError(error), String(error));
    assert.equal(error.code, code, error.message);
    assert.match(error.message, pattern);
    return true;
  };
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('cluster REST client faults', () => {
  const servers: Gateway[] = [];
  let certificate: Certificate;
  const silentSockets: net.Socket[] = [];

  before(() => {
    certificate = selfSignedCertificate();
  });
  after(async () => {
    for (const socket of silentSockets) socket.destroy();
    await Promise.all(servers.map((s) => s.close()));
  });

  async function serve(handler: Parameters<typeof listen>[0], cert?: Certificate): Promise<string> {
    const server = await listen(handler, cert);
    servers.push(server);
    return server.url;
  }

  it('rejects a URL that is not http(s) before any request', () => {
    assert.throws(
      () => new FlinkRestClient({ url: 'ftp://127.0.0.1:8081' }),
      expectError('invalid-url', /ftp is not http or https/),
    );
    assert.throws(() => new FlinkRestClient({ url: 'not a url' }), expectError('invalid-url', /not a URL/));
  });

  it('a cluster that is down: unreachable, naming the URL without its password', async () => {
    const port = await closedPort();
    const client = new FlinkRestClient({ url: `http://admin:s3cret@127.0.0.1:${port}/` });
    assert.equal(client.label, `http://127.0.0.1:${port}`);
    await assert.rejects(client.jobs(), (error: unknown) => {
      expectError(
        'unreachable',
        new RegExp(
          `^Flink cluster http://127\\.0\\.0\\.1:${port}: cannot connect while listing jobs: .*ECONNREFUSED.* Check that the cluster is running`,
        ),
      )(error);
      assert.doesNotMatch((error as Error).message, /s3cret/);
      return true;
    });
  });

  it('a URL that answers with an HTML page: not-flink, with the page title', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head><body>hi</body></html>');
    });
    await assert.rejects(
      new FlinkRestClient({ url }).overview(),
      expectError(
        'not-flink',
        /reading the cluster overview got an HTML page \("Welcome to nginx!"\) instead of JSON\. The URL answers, but not with Flink's REST API/,
      ),
    );
    const notFound = await serve((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'text/html' });
      res.end('<html><title>404 Not Found</title></html>');
    });
    await assert.rejects(
      new FlinkRestClient({ url: notFound }).jobs(),
      expectError('not-flink', /listing jobs: HTTP 404 with an HTML page \("404 Not Found"\)/),
    );
  });

  it('a redirect (to a login page) is not followed', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(302, { Location: 'https://sso.example.com/login?token=abc' });
      res.end();
    });
    await assert.rejects(
      new FlinkRestClient({ url }).jobs(),
      expectError(
        'not-flink',
        /redirected \(HTTP 302\) to https:\/\/sso\.example\.com\/login.*a redirect to a login page means the gateway wants credentials/,
      ),
    );
  });

  it('401 from a gateway: auth-failed; Basic and Bearer credentials are sent, never shown', async () => {
    const seen: (string | undefined)[] = [];
    const url = await serve((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(401, { 'Content-Type': 'text/plain' });
      res.end('bad password s3cret-pw');
    });
    await assert.rejects(
      new FlinkRestClient({ url }).jobs(),
      expectError(
        'auth-failed',
        /listing jobs was refused with HTTP 401 \(no credentials were given\)\. Check the user name and password/,
      ),
    );
    await assert.rejects(
      new FlinkRestClient({ url, auth: { kind: 'basic', user: 'flink', password: 's3cret-pw' } }).jobs(),
      (error: unknown) => {
        expectError('auth-failed', /refused with HTTP 401\. /)(error);
        assert.doesNotMatch((error as Error).message, /s3cret/);
        return true;
      },
    );
    await assert.rejects(
      new FlinkRestClient({ url, auth: { kind: 'bearer', token: 'tok-123' } }).jobs(),
      expectError('auth-failed', /HTTP 401/),
    );
    assert.deepEqual(seen, [undefined, `Basic ${Buffer.from('flink:s3cret-pw').toString('base64')}`, 'Bearer tok-123']);
  });

  it("Flink's error bodies: the first message and the root cause of the server-side trace", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          errors: [
            'Internal server error.',
            '<Exception on server side:\njava.util.concurrent.CompletionException: x\n\tat a.b(C.java:1)\nCaused by: java.lang.IllegalStateException: y\nCaused by: java.io.IOException: disk full\n\t... 3 more\n\nEnd of exception on server side>',
          ],
        }),
      );
    });
    await assert.rejects(
      new FlinkRestClient({ url }).overview(),
      expectError(
        'rejected',
        /reading the cluster overview failed with HTTP 500: Internal server error\. — java\.io\.IOException: disk full\. Flink's message says why/,
      ),
    );
    assert.equal(describeFlinkErrors(['Job 0a not found']), 'Job 0a not found');
    // A server-side trace without `Caused by:`: its first line is the cause.
    assert.equal(
      describeFlinkErrors([
        'Internal server error.',
        '<Exception on server side:\njava.lang.IllegalStateException: Flink does not support triggering incremental checkpoint explicitly. See FLINK-33723.\n\tat a.b(C.java:1)\n\nEnd of exception on server side>',
      ]),
      'Internal server error. — java.lang.IllegalStateException: Flink does not support triggering incremental checkpoint explicitly. See FLINK-33723.',
    );
  });

  it("a 2xx answer that is not JSON, and one without Flink's fields, are not-flink", async () => {
    const url = await serve((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(req.url === '/config' ? '{"flink-version": "banana"}' : '{"hello": 1}');
    });
    const client = new FlinkRestClient({ url });
    await assert.rejects(client.jobs(), expectError('not-flink', /GET \/jobs\/overview has no "jobs" list/));
    await assert.rejects(
      client.version(),
      expectError('not-flink', /GET \/config has no Flink version \(flink-version: "banana"\)/),
    );
    const text = await serve((_req, res) => res.end('ok'));
    await assert.rejects(
      new FlinkRestClient({ url: text }).overview(),
      expectError('not-flink', /got .* starting "ok" instead of JSON/),
    );
  });

  it('a server that never answers: timeout after the configured time; an abort cancels at once', async () => {
    const url = await serve(() => undefined);
    const started = Date.now();
    await assert.rejects(
      new FlinkRestClient({ url, timeoutMs: 300 }).jobs(),
      expectError('timeout', /no answer within 300 ms while listing jobs\. The cluster did not answer in time/),
    );
    assert.ok(Date.now() - started < 5_000);
    const controller = new AbortController();
    const pending = new FlinkRestClient({ url }).jobs({ signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(pending, expectError('cancelled', /listing jobs was cancelled/));
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(
      new FlinkRestClient({ url }).jobs({ signal: aborted.signal }),
      expectError('cancelled', /cancelled/),
    );
  });

  it('a server that accepts the connection and sends nothing HTTP: not-flink or unreachable, never a hang', async () => {
    const server = net.createServer((socket) => {
      silentSockets.push(socket);
      socket.end('SSH-2.0-OpenSSH_9.2\r\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    servers.push({ url: '', close: () => new Promise((resolve) => server.close(() => resolve())) });
    await assert.rejects(
      new FlinkRestClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 5_000 }).jobs(),
      expectError('not-flink', /is not HTTP/),
    );
  });

  it('https with a certificate it cannot verify: tls; with the CA given it connects', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ jobs: [] }));
    }, certificate);
    await assert.rejects(
      new FlinkRestClient({ url }).jobs(),
      expectError('tls', /TLS failed while listing jobs: self[- ]signed certificate.*give the CA certificate/),
    );
    assert.deepEqual(await new FlinkRestClient({ url, ca: certificate.cert }).jobs(), []);
    // http:// to a TLS port: the server's TLS bytes are not HTTP.
    await assert.rejects(
      new FlinkRestClient({ url: url.replace('https', 'http'), timeoutMs: 5_000 }).jobs(),
      (error: unknown) => isClusterError(error, 'not-flink', 'unreachable'),
    );
  });

  it('reads Flink versions as the cluster reports them', () => {
    assert.deepEqual(parseClusterVersion('1.20.1'), { major: 1, minor: 20, text: '1.20.1' });
    assert.deepEqual(parseClusterVersion('2.2-SNAPSHOT'), { major: 2, minor: 2, text: '2.2-SNAPSHOT' });
    assert.equal(parseClusterVersion('<unknown>'), undefined);
  });

  it('calls that need a newer Flink say so before sending anything', async () => {
    const requests: string[] = [];
    const url = await serve((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ 'flink-version': '1.16.3', 'refresh-interval': 3000 }));
    });
    const client = new FlinkRestClient({ url });
    await assert.rejects(
      client.triggerCheckpoint('0'.repeat(32), 'FULL'),
      expectError('unsupported', /Flink 1\.16\.3 cannot trigger a checkpoint over REST \(that came with 1\.17\)/),
    );
    assert.deepEqual(requests, ['GET /config']);
  });
});
