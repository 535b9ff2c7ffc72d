/**
 * Real S3 for tests and benchmarks: versitygw (the Versity S3 Gateway, an S3 server over a directory whose top-level
 * folders are buckets), toxiproxy for latency and cut connections, and a small HTTP proxy that answers 503 SlowDown
 * (toxiproxy works on TCP and cannot answer HTTP). All bind 127.0.0.1 on free ports and are stopped by PID. The Go
 * tools are installed into .cache/bin by test/servers/install-s3-tools.sh.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { prerequisite, repoRoot } from '../support/repo';
import { RunningServer, freePort } from './servers';

export const GO_BIN = path.join(repoRoot(), '.cache', 'bin');

/** The access key of every test server; the secret is made up per run. */
export const S3_ACCESS_KEY = 'AKIAFLINKTEST';

export interface S3Server extends RunningServer {
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  readonly accessKey: string;
  readonly secretKey: string;
  /** The directory served: each folder is a bucket. */
  readonly dataDir: string;
}

/** Why the S3 tools cannot run here, or undefined when they can. */
export function s3Prerequisites(...tools: ('versitygw' | 'toxiproxy-server' | 's5cmd')[]): string | undefined {
  const missing = (tools.length ? tools : ['versitygw' as const]).filter((t) => !fs.existsSync(path.join(GO_BIN, t)));
  return prerequisite(
    missing.length ? `${missing.join(', ')} not built (run test/servers/install-s3-tools.sh; needs Go)` : undefined,
  );
}

function launch(
  command: string,
  args: string[],
  logFile: string,
  env: NodeJS.ProcessEnv = process.env,
): { child: ChildProcess; server: RunningServer } {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(command, args, { stdio: ['ignore', out, out], env });
  fs.closeSync(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    server: {
      pid: child.pid!,
      log: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : ''),
      async stop() {
        if (child.exitCode !== null || child.signalCode !== null) return;
        process.kill(child.pid!, 'SIGTERM');
        const timer = setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
        }, 5000);
        await exited;
        clearTimeout(timer);
      },
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitForPort(
  what: string,
  port: number,
  child: ChildProcess,
  server: RunningServer,
  timeoutMs = 30_000,
): Promise<void> {
  const start = Date.now();
  while (!(await canConnect(port))) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited before it was ready:\n${server.log().slice(-3000)}`);
    }
    if (Date.now() - start > timeoutMs) {
      await server.stop();
      throw new Error(`${what} was not listening within ${timeoutMs} ms:\n${server.log().slice(-3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts versitygw serving `dataDir` (created when missing; each folder in it is a bucket). `port` reuses a port to
 * restart a stopped server in place.
 */
export async function startVersityGw(
  options: { dataDir?: string; port?: number; secretKey?: string; region?: string } = {},
): Promise<S3Server> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-versitygw-'));
  const dataDir = options.dataDir ?? path.join(work, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  const port = options.port ?? (await freePort());
  const secretKey = options.secretKey ?? `secret-${Math.random().toString(36).slice(2)}`;
  const { child, server } = launch(
    path.join(GO_BIN, 'versitygw'),
    [
      '--access',
      S3_ACCESS_KEY,
      '--secret',
      secretKey,
      '--port',
      `127.0.0.1:${port}`,
      ...(options.region ? ['--region', options.region] : []),
      'posix',
      dataDir,
    ],
    path.join(work, 'versitygw.log'),
  );
  await waitForPort('versitygw', port, child, server);
  return { ...server, port, endpoint: `http://127.0.0.1:${port}`, accessKey: S3_ACCESS_KEY, secretKey, dataDir };
}

/** Copies a local directory tree into a bucket folder of a versitygw data directory (as `cp` would). */
export function copyIntoBucket(server: S3Server, bucket: string, keyPrefix: string, from: string): void {
  const target = path.join(server.dataDir, bucket, keyPrefix);
  fs.mkdirSync(target, { recursive: true });
  fs.cpSync(from, target, { recursive: true });
}

export interface Toxiproxy extends RunningServer {
  /** The port the proxy listens on, forwarding to the upstream. */
  readonly port: number;
  /** Adds latency each way (`ms` down and up: about 2 × ms more round trip). */
  latency(ms: number): Promise<void>;
  /** Adds a toxic by type and attributes (`timeout`, `reset_peer`, `limit_data`, ...), downstream. */
  toxic(type: string, attributes: Record<string, number>, name?: string): Promise<void>;
  /** Removes every toxic. */
  clear(): Promise<void>;
  /** Stops forwarding (new and open connections fail) or resumes. */
  enable(enabled: boolean): Promise<void>;
}

/** Starts a toxiproxy server with one proxy from a free 127.0.0.1 port to `upstreamPort`. */
export async function startToxiproxy(upstreamPort: number): Promise<Toxiproxy> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-toxiproxy-'));
  const apiPort = await freePort();
  const { child, server } = launch(
    path.join(GO_BIN, 'toxiproxy-server'),
    ['-host', '127.0.0.1', '-port', String(apiPort)],
    path.join(work, 'toxiproxy.log'),
  );
  await waitForPort('toxiproxy', apiPort, child, server);
  const api = async (method: string, route: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`http://127.0.0.1:${apiPort}${route}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`toxiproxy ${method} ${route}: HTTP ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const port = await freePort();
  await api('POST', '/proxies', {
    name: 's3',
    listen: `127.0.0.1:${port}`,
    upstream: `127.0.0.1:${upstreamPort}`,
    enabled: true,
  });
  let toxics: string[] = [];
  const toxic = async (
    type: string,
    attributes: Record<string, number>,
    name = `${type}-${toxics.length}`,
    stream = 'downstream',
  ): Promise<void> => {
    await api('POST', '/proxies/s3/toxics', { name, type, stream, toxicity: 1, attributes });
    toxics.push(name);
  };
  return {
    ...server,
    port,
    async latency(ms) {
      await toxic('latency', { latency: ms }, `latency-down-${toxics.length}`, 'downstream');
      await toxic('latency', { latency: ms }, `latency-up-${toxics.length}`, 'upstream');
    },
    toxic: (type, attributes, name) => toxic(type, attributes, name),
    async clear() {
      for (const name of toxics) await api('DELETE', `/proxies/s3/toxics/${name}`);
      toxics = [];
    },
    async enable(enabled) {
      await api('POST', '/proxies/s3', { enabled });
    },
  };
}

export interface ThrottlingProxy {
  readonly port: number;
  readonly endpoint: string;
  /** Requests answered so far, throttled or forwarded. */
  readonly requests: () => number;
  /** Requests answered with 503 SlowDown so far. */
  readonly throttled: () => number;
  /** The most requests that were in flight at once. */
  readonly maxInFlight: () => number;
  /** Answers the next `n` requests with 503 SlowDown. */
  throttle(n: number): void;
  /** Holds every request this long before answering it (so concurrency shows). */
  delay(ms: number): void;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in this process in front of an S3 server that answers the next N requests with `503 SlowDown`, as S3
 * does when a prefix gets more requests than it serves. Everything else is forwarded unchanged (the SigV4 signature
 * covers the Host header, which is kept).
 */
export async function startThrottlingProxy(upstreamPort: number): Promise<ThrottlingProxy> {
  let remaining = 0;
  let requests = 0;
  let throttled = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let delayMs = 0;
  const server = http.createServer((req, res) => {
    requests++;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.once('close', () => inFlight--);
    if (delayMs > 0) setTimeout(() => answer(req, res), delayMs);
    else answer(req, res);
  });
  const answer = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    if (remaining > 0) {
      remaining--;
      throttled++;
      req.resume();
      res.writeHead(503, { 'content-type': 'application/xml' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
      );
      return;
    }
    const upstream = http.request(
      { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    requests: () => requests,
    throttled: () => throttled,
    maxInFlight: () => maxInFlight,
    throttle(n) {
      remaining = n;
    },
    delay(ms) {
      delayMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RegionProxy {
  readonly endpoint: string;
  /** Requests answered with a redirect. */
  redirects(): number;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in this process that behaves as AWS does for a bucket in `region`: a request signed for another region
 * gets `301 PermanentRedirect` with `x-amz-bucket-region`, one signed for `region` is forwarded to the S3 server. With
 * `always`, every request is redirected (a bucket whose region the client cannot reach).
 */
export async function startRegionProxy(
  upstreamPort: number,
  region: string,
  options: { always?: boolean } = {},
): Promise<RegionProxy> {
  let redirects = 0;
  const server = http.createServer((req, res) => {
    const signedFor = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1];
    if (options.always || signedFor !== region) {
      redirects++;
      req.resume();
      res.writeHead(301, { 'content-type': 'application/xml', 'x-amz-bucket-region': region });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.</Message></Error>',
      );
      return;
    }
    const upstream = http.request(
      { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    redirects: () => redirects,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
