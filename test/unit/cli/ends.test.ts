import * as assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

const root = path.resolve(__dirname, '../../../..');
const cli = path.join(root, 'dist', 'cli.js');
const fixture = path.join(root, 'test', 'fixtures', 'flink', 'synthetic', '1.20.5', 'unicode', '_metadata');
const skip = !fs.existsSync(cli)
  ? 'dist/cli.js is not built: run npm run build'
  : process.platform === 'win32'
    ? 'FIFOs and /dev/urandom are POSIX'
    : false;

/** The store timeout the network cases give with --timeout, and the grace every case gets beyond it. */
const TIMEOUT_S = 2;
const GRACE_MS = 10_000;

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the built CLI; a run still going after the store timeout plus the grace is killed by PID and fails the test. */
function run(args: string[], options: { stdoutLimit?: number } = {}): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      // A reader that goes away, as `| head` does.
      if (options.stdoutLimit !== undefined && stdout.length >= options.stdoutLimit) child.stdout.destroy();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const killer = setTimeout(
      () => {
        child.kill('SIGKILL');
        reject(
          new Error(
            `flink-checkpoints ${args.join(' ')} did not end within ${TIMEOUT_S} s + ${GRACE_MS} ms\nstderr: ${stderr}`,
          ),
        );
      },
      TIMEOUT_S * 1000 + GRACE_MS,
    );
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - start });
    });
  });
}

function assertEndedWithMessage(r: Ended, message: RegExp): void {
  assert.equal(r.signal, null);
  assert.notEqual(r.code, 0, `exit 0\n${r.stdout}\n${r.stderr}`);
  assert.match(`${r.stdout}\n${r.stderr}`, message);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
}

/** A local TCP server that does `onConnection` to each client; closed after the test. */
async function tcpServer(onConnection: (socket: net.Socket) => void): Promise<{ port: number; close(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

describe('every command ends', { skip }, () => {
  let tmp = '';
  let job = '';
  let fifo = '';

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-ends-'));
    job = path.join(tmp, 'a'.repeat(32));
    fs.mkdirSync(path.join(job, 'chk-1'), { recursive: true });
    fs.mkdirSync(path.join(job, 'shared'));
    fifo = path.join(job, 'chk-1', '_metadata');
    execFileSync('mkfifo', [fifo]);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe('a FIFO named _metadata or given as input is refused at once', () => {
    it('inspect (the FIFO, and the directory holding it)', async () => {
      assertEndedWithMessage(await run(['inspect', fifo]), /FIFO/);
      assertEndedWithMessage(await run(['inspect', '--json', path.dirname(fifo)]), /FIFO/);
    });
    it('diff', async () => assertEndedWithMessage(await run(['diff', fixture, path.dirname(fifo)]), /FIFO/));
    it('conf check', async () => assertEndedWithMessage(await run(['conf', 'check', fifo]), /FIFO/));
    it('latest', async () => assertEndedWithMessage(await run(['latest', job]), /FIFO/));
    it('ls', async () => assertEndedWithMessage(await run(['ls', job]), /chk-1\/_metadata: is a FIFO/));
    it('orphans', async () => assertEndedWithMessage(await run(['orphans', job]), /chk-1\/_metadata: is a FIFO/));
  });

  it('conf check /dev/urandom is refused at once instead of read without end', async () => {
    const r = await run(['conf', 'check', '/dev/urandom']);
    assertEndedWithMessage(r, /a device, not a regular file/);
    assert.ok(r.ms < GRACE_MS);
  });

  it('conf check of a file over the size limit is refused before it is read', async () => {
    const big = path.join(tmp, 'config.yaml');
    const handle = fs.openSync(big, 'w');
    fs.ftruncateSync(handle, 17 * 1024 * 1024);
    fs.closeSync(handle);
    assertEndedWithMessage(await run(['conf', 'check', big]), /larger than 16 MiB/);
  });

  it('inspect --json piped into a reader that goes away ends quietly (EPIPE)', async () => {
    const r = await run(['inspect', '--json', ...Array.from({ length: 400 }, () => fixture)], { stdoutLimit: 1 });
    assert.equal(r.signal, null);
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr, '');
  });

  it('a WebHDFS endpoint that accepts and closes every connection ends non-zero with a message, never exit 0', async () => {
    const server = await tcpServer((socket) => socket.destroy());
    try {
      for (const args of [['ls'], ['latest'], ['inspect'], ['orphans']]) {
        const r = await run([
          ...args,
          `webhdfs://127.0.0.1:${server.port}/flink/checkpoints/${'b'.repeat(32)}`,
          '--timeout',
          String(TIMEOUT_S),
        ]);
        assertEndedWithMessage(r, new RegExp(`127\\.0\\.0\\.1:${server.port}`));
      }
    } finally {
      server.close();
    }
  });

  it('a WebHDFS server that trickles a file a few bytes at a time ends non-zero at the store timeout', async () => {
    const timers = new Set<NodeJS.Timeout>();
    const server = http.createServer((request, response) => {
      const op = new URL(request.url ?? '/', 'http://x').searchParams.get('op');
      if (op === 'GETFILESTATUS') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            FileStatus: {
              type: 'FILE',
              length: 1 << 20,
              modificationTime: Date.now(),
              pathSuffix: '',
              permission: '644',
            },
          }),
        );
        return;
      }
      // Every answer a little: the connection never goes idle, the file never arrives.
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      const timer = setInterval(() => response.write(Buffer.alloc(16)), 100);
      timers.add(timer);
      response.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const r = await run([
        'inspect',
        `webhdfs://127.0.0.1:${port}/flink/${'c'.repeat(32)}/chk-1/_metadata`,
        '--timeout',
        String(TIMEOUT_S),
      ]);
      assertEndedWithMessage(r, /too slowly/);
    } finally {
      for (const timer of timers) clearInterval(timer);
      server.closeAllConnections();
      server.close();
    }
  });

  it('an FTP server that keeps sending greeting lines ends non-zero at the store timeout', async () => {
    const timers = new Set<NodeJS.Timeout>();
    const server = await tcpServer((socket) => {
      const timer = setInterval(() => socket.write('220-still greeting you\r\n'), 100);
      timers.add(timer);
      socket.on('close', () => clearInterval(timer));
    });
    try {
      for (const args of [['ls'], ['inspect'], ['latest']]) {
        const r = await run([
          ...args,
          `ftp://flink:secret@127.0.0.1:${server.port}/base/chk-1`,
          '--timeout',
          String(TIMEOUT_S),
        ]);
        assertEndedWithMessage(r, /timeout|within 2000 ms/);
      }
    } finally {
      for (const timer of timers) clearInterval(timer);
      server.close();
    }
  });
});
