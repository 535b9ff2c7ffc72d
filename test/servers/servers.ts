/**
 * Real servers for the store tests and the listing benchmark: pyftpdlib (plain FTP), ProFTPD (FTP and explicit
 * FTPS) and Hadoop's MiniDFSCluster (WebHDFS). Each binds 127.0.0.1 on free ports, runs as a child process and is
 * stopped by its PID. Prerequisites come from test/servers/install.sh; a missing one is reported by
 * `serverPrerequisites()` so tests can skip with the reason.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { prerequisite } from '../support/repo';

const HERE = path.resolve(__dirname, '..', '..', '..', 'test', 'servers');
export const PYTHON = '/usr/bin/python3';
export const PROFTPD = '/usr/sbin/proftpd';

export interface RunningServer {
  readonly pid: number;
  /** Stops the process (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
  stop(): Promise<void>;
  /** What the server wrote to stdout/stderr so far. */
  log(): string;
}

export interface FtpServer extends RunningServer {
  readonly port: number;
}

export interface HdfsServer extends RunningServer {
  readonly rpcPort: number;
  readonly httpPort: number;
  /** The user the cluster runs as (its HDFS superuser). */
  readonly superUser: string;
  /** Where the cluster keeps its data; pass it back with `restart` to start the same cluster again. */
  readonly dataDir: string;
}

/** Why a server kind cannot run here, or undefined when it can (see `prerequisite`: in CI a missing server fails). */
export function serverPrerequisites(kind: 'pyftpdlib' | 'proftpd' | 'hdfs'): string | undefined {
  return prerequisite(missingServer(kind));
}

function missingServer(kind: 'pyftpdlib' | 'proftpd' | 'hdfs'): string | undefined {
  if (kind === 'pyftpdlib') {
    try {
      execFileSync(PYTHON, ['-c', 'import pyftpdlib'], { stdio: 'ignore' });
      return undefined;
    } catch {
      return 'pyftpdlib is not installed (run test/servers/install.sh)';
    }
  }
  if (kind === 'proftpd') {
    return fs.existsSync(PROFTPD) && fs.existsSync('/usr/lib/proftpd/mod_tls.so')
      ? undefined
      : 'proftpd-core and proftpd-mod-crypto are not installed (run test/servers/install.sh)';
  }
  return fs.existsSync(path.join(HERE, 'hdfs', 'target', 'classpath.txt'))
    ? undefined
    : 'the MiniDFSCluster launcher is not built (run test/servers/install.sh; needs Java 17 and Maven)';
}

/** A TCP port that was free a moment ago (for servers that cannot bind port 0 themselves). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function workDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `fc-${prefix}-`));
}

function launch(
  command: string,
  args: string[],
  logFile: string,
  env?: NodeJS.ProcessEnv,
): { child: ChildProcess; server: RunningServer } {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(command, args, { stdio: ['ignore', out, out], env: env ?? process.env });
  fs.closeSync(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const server: RunningServer = {
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
  };
  return { child, server };
}

async function waitFor<T>(
  what: string,
  server: RunningServer,
  child: ChildProcess,
  timeoutMs: number,
  probe: () => T | undefined,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited before it was ready:\n${server.log().slice(-3000)}`);
    }
    if (Date.now() - start > timeoutMs) {
      await server.stop();
      throw new Error(`${what} was not ready within ${timeoutMs} ms:\n${server.log().slice(-3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function readIfExists(file: string): string | undefined {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
}

export interface FtpUser {
  readonly name: string;
  readonly password: string;
  /** pyftpdlib permission letters; default full access `elradfmwMT`, read-only is `elr`. */
  readonly perm?: string;
}

/**
 * Starts pyftpdlib serving `root` on 127.0.0.1. `port` reuses a port (to restart a stopped server in place);
 * `throttle` limits data connections to that many bytes per second (to stop a server in the middle of a listing);
 * `verbose` logs every command; `noMlsd` hides MLSD/MLST so clients fall back to LIST.
 */
export async function startPyFtpd(
  root: string,
  users: readonly FtpUser[],
  options: { port?: number; throttle?: number; verbose?: boolean; noMlsd?: boolean } = {},
): Promise<FtpServer> {
  const dir = workDir('pyftpd');
  const portFile = path.join(dir, 'port');
  const args = [
    path.join(HERE, 'pyftpd.py'),
    '--root',
    root,
    '--port',
    String(options.port ?? 0),
    '--port-file',
    portFile,
  ];
  for (const user of users) {
    const hex = (s: string): string => Buffer.from(s, 'utf8').toString('hex');
    args.push('--user-hex', `${hex(user.name)}:${hex(user.password)}:${user.perm ?? 'elradfmwMT'}`);
  }
  if (options.throttle) args.push('--throttle', String(options.throttle));
  if (options.verbose) args.push('--verbose');
  if (options.noMlsd) args.push('--no-mlsd');
  const { child, server } = launch(PYTHON, args, path.join(dir, 'server.log'));
  const port = await waitFor('pyftpdlib', server, child, 15_000, () => {
    const text = readIfExists(portFile);
    return text ? Number(text) : undefined;
  });
  return { ...server, port };
}

/** Writes a self-signed certificate (and its key) for IP 127.0.0.1, made with openssl, valid for two days. */
export function writeSelfSignedCertificate(certFile: string, keyFile: string): void {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
}

/** Starts ProFTPD standalone (FTP + explicit FTPS with a self-signed certificate for 127.0.0.1) serving `root`. */
export async function startProftpd(root: string, user: { name: string; password: string }): Promise<FtpServer> {
  const dir = workDir('proftpd');
  const port = await freePort();
  const passiveBase = 40000 + Math.floor(Math.random() * 200) * 100;
  const uid = process.getuid!();
  const gid = process.getgid!();
  const userName = os.userInfo().username;
  const groupName = execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
  const hash = execFileSync('openssl', ['passwd', '-6', '-stdin'], { input: user.password, encoding: 'utf8' }).trim();
  fs.writeFileSync(path.join(dir, 'passwd'), `${user.name}:${hash}:${uid}:${gid}::${root}:/bin/false\n`, {
    mode: 0o600,
  });
  writeSelfSignedCertificate(path.join(dir, 'cert.pem'), path.join(dir, 'key.pem'));
  const conf = [
    'ServerName "flink-checkpoints test"',
    'ServerType standalone',
    'DefaultServer on',
    'DefaultAddress 127.0.0.1',
    'SocketBindTight on',
    `Port ${port}`,
    `User ${userName}`,
    `Group ${groupName}`,
    'RootLogin on',
    'ControlsEngine off',
    `PidFile ${dir}/proftpd.pid`,
    `ScoreboardFile ${dir}/proftpd.scoreboard`,
    `SystemLog ${dir}/system.log`,
    `TransferLog ${dir}/xfer.log`,
    'DelayTable none',
    'WtmpLog off',
    'UseReverseDNS off',
    'UseIPv6 off',
    'RequireValidShell off',
    'AuthOrder mod_auth_file.c',
    `AuthUserFile ${dir}/passwd`,
    'DefaultRoot ~',
    'AllowOverwrite on',
    'MaxInstances 64',
    'MaxLoginAttempts 1',
    `PassivePorts ${passiveBase} ${passiveBase + 99}`,
    'ModulePath /usr/lib/proftpd',
    'LoadModule mod_tls.c',
    '<IfModule mod_tls.c>',
    '  TLSEngine on',
    `  TLSLog ${dir}/tls.log`,
    '  TLSProtocol TLSv1.2 TLSv1.3',
    '  TLSRequired off',
    `  TLSRSACertificateFile ${dir}/cert.pem`,
    `  TLSRSACertificateKeyFile ${dir}/key.pem`,
    '  TLSVerifyClient off',
    '</IfModule>',
    `<Directory ${root}/locked>`,
    '  <Limit ALL>',
    '    DenyAll',
    '  </Limit>',
    '</Directory>',
    '',
  ].join('\n');
  const confFile = path.join(dir, 'proftpd.conf');
  fs.writeFileSync(confFile, conf);
  execFileSync(PROFTPD, ['-t', '-c', confFile], { stdio: 'pipe' });
  const { child, server } = launch(PROFTPD, ['-n', '-q', '-c', confFile], path.join(dir, 'server.log'));
  await waitFor('ProFTPD', server, child, 15_000, () => (portAccepts(port) ? port : undefined));
  return {
    ...server,
    port,
    log: () => [server.log(), readIfExists(path.join(dir, 'system.log')) ?? ''].join('\n'),
  };
}

const accepting = new Map<number, boolean>();
/** Non-blocking probe: starts a connect and reports the result of the previous one. */
function portAccepts(port: number): boolean {
  if (accepting.get(port)) return true;
  const socket = net.connect(port, '127.0.0.1');
  socket.once('connect', () => {
    accepting.set(port, true);
    socket.destroy();
  });
  socket.once('error', () => socket.destroy());
  return false;
}

/**
 * Starts a MiniDFSCluster with WebHDFS (one NameNode, one DataNode, all on 127.0.0.1). `listLimit` is the
 * NameNode's `dfs.ls.limit`, the LISTSTATUS_BATCH page size. `seed` (a local directory) is copied to `/flink`;
 * `populate` maps HDFS directories to a number of empty subdirectories to create in them (big listings).
 */
export async function startMiniHdfs(
  options: {
    listLimit?: number;
    seed?: string;
    populate?: Record<string, number>;
    /** Start a stopped cluster again on its ports, with its data. */
    restart?: HdfsServer;
  } = {},
): Promise<HdfsServer> {
  const dir = options.restart ? path.dirname(options.restart.dataDir) : workDir('hdfs');
  const portsFile = path.join(dir, 'ports.json');
  const target = path.join(HERE, 'hdfs', 'target');
  const classpath = `${path.join(target, 'classes')}:${fs.readFileSync(path.join(target, 'classpath.txt'), 'utf8').trim()}`;
  const opens = [
    'java.io',
    'java.lang',
    'java.lang.reflect',
    'java.math',
    'java.net',
    'java.nio',
    'java.text',
    'java.util',
    'java.util.concurrent',
    'java.util.zip',
    'sun.nio.ch',
    'sun.security.util',
    'sun.security.x509',
  ].map((p) => `--add-opens=java.base/${p}=ALL-UNNAMED`);
  const args = [
    ...opens,
    '-Xmx1g',
    '-XX:+UseSerialGC',
    `-DlistLimit=${options.listLimit ?? 1000}`,
    `-Dpopulate=${Object.entries(options.populate ?? {})
      .map(([dir, count]) => `${dir}:${count}`)
      .join(',')}`,
    ...(options.restart
      ? ['-Dformat=false', `-DrpcPort=${options.restart.rpcPort}`, `-DhttpPort=${options.restart.httpPort}`]
      : []),
    '-Dlog4j.configuration=',
    '-cp',
    classpath,
    'flinkcheckpoints.servers.MiniHdfs',
    path.join(dir, 'data'),
    portsFile,
    ...(options.seed ? [options.seed] : []),
  ];
  fs.rmSync(portsFile, { force: true });
  const { child, server } = launch('java', args, path.join(dir, 'server.log'));
  const ports = await waitFor('MiniDFSCluster', server, child, 600_000, () => {
    const text = readIfExists(portsFile);
    return text ? (JSON.parse(text) as { rpcPort: number; httpPort: number; superUser: string }) : undefined;
  });
  return { ...server, ...ports, dataDir: path.join(dir, 'data') };
}
