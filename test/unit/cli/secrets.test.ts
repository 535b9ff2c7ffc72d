import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FtpServer, freePort, serverPrerequisites, startPyFtpd } from '../../servers/servers';
import { encodingsOf, leaks } from '../../support/secrets';
import { JOB_A, buildCheckpointTree } from '../stores/support/checkpointTree';

const root = path.resolve(__dirname, '../../../..');
const cli = path.join(root, 'dist', 'cli.js');
const skip = !fs.existsSync(cli)
  ? 'dist/cli.js is not built: run npm run build'
  : (serverPrerequisites('pyftpdlib') ?? false);

/** Every character that means something in a URI, a shell, JSON or a form: the password a careful user picks. */
const PASSWORD = 'p@ss:w/o%rd?#&+ =;"\\é1';
/** What a user mistypes: the wrong-password runs must not print it either. */
const WRONG = 'wr0ng@:/%?#&+ x';

interface Run {
  code: number | null;
  out: string;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    const killer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`flink-checkpoints ${args[0]} did not end within 60 s`));
    }, 60_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, out });
    });
  });
}

/**
 * Every command against a real FTP server with a password full of URI metacharacters, given in the URI
 * (percent-encoded) and through FLINK_CHECKPOINTS_PASSWORD, in success and in each failure: all output (stdout,
 * stderr, JSON) is searched for every encoding of the password.
 */
describe('no password in any output of any command', { skip }, () => {
  let tree = '';
  let server: FtpServer;
  let refusedPort = 0;
  let configFile = '';

  before(async () => {
    tree = buildCheckpointTree();
    server = await startPyFtpd(tree, [{ name: 'flink', password: PASSWORD }]);
    refusedPort = await freePort();
    configFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-conf-')), 'config.yaml');
    fs.writeFileSync(
      configFile,
      `execution:\n  checkpointing:\n    dir: ftp://flink:${encodeURIComponent(PASSWORD)}@127.0.0.1:${server.port}/checkpoints\n    interval: often\n`,
    );
  });
  after(async () => {
    await server?.stop();
    fs.rmSync(tree, { recursive: true, force: true });
    if (configFile) fs.rmSync(path.dirname(configFile), { recursive: true, force: true });
  });

  /** The store URI of a scenario, and the environment that goes with it. */
  type Scenario = 'success' | 'wrong path' | 'refused connection' | 'wrong password';
  const SCENARIOS: Scenario[] = ['success', 'wrong path', 'refused connection', 'wrong password'];
  const base = (scenario: Scenario, inUri: boolean): { uri: (p: string) => string; env: NodeJS.ProcessEnv } => {
    const password = scenario === 'wrong password' ? WRONG : PASSWORD;
    const port = scenario === 'refused connection' ? refusedPort : server.port;
    const userInfo = inUri ? `flink:${encodeURIComponent(password)}` : 'flink';
    const prefix = scenario === 'wrong path' ? '/no/such/dir' : '';
    return {
      uri: (p) => `ftp://${userInfo}@127.0.0.1:${port}${prefix}${p}`,
      env: inUri ? {} : { FLINK_CHECKPOINTS_PASSWORD: password },
    };
  };

  /** Each command as it is called on the tree; `json` variants where the command has --json. */
  const COMMANDS: [string, (uri: (p: string) => string) => string[]][] = [
    ['ls', (uri) => ['ls', uri(`/${JOB_A}`), '--timeout', '10']],
    ['ls --json', (uri) => ['ls', uri('/'), '--json', '--timeout', '10']],
    ['latest', (uri) => ['latest', uri(`/${JOB_A}`), '--timeout', '10']],
    ['latest --json', (uri) => ['latest', uri('/'), '--json', '--timeout', '10']],
    ['inspect', (uri) => ['inspect', uri(`/${JOB_A}/chk-3`), '--timeout', '10']],
    ['inspect --json', (uri) => ['inspect', '--json', uri(`/${JOB_A}/chk-3/_metadata`), '--timeout', '10']],
    ['diff', (uri) => ['diff', uri(`/${JOB_A}/chk-2`), uri(`/${JOB_A}/chk-3`), '--timeout', '10']],
    ['diff --json', (uri) => ['diff', '--json', uri(`/${JOB_A}/chk-2`), uri(`/${JOB_A}/chk-3`), '--timeout', '10']],
    ['orphans', (uri) => ['orphans', uri(`/${JOB_A}`), '--timeout', '10']],
    ['orphans --json', (uri) => ['orphans', uri(`/${JOB_A}`), '--json', '--timeout', '10']],
    ['restore', (uri) => ['restore', uri(`/${JOB_A}/chk-3`), '--target', 'cli', '--flink', '2.2']],
    ['restore --json', (uri) => ['restore', uri(`/${JOB_A}/chk-3`), '--target', 'k8s', '--flink', '2.2', '--json']],
    ['restore usage error', (uri) => ['restore', uri(`/${JOB_A}/chk-3`), '--target', 'nope', '--flink', '2.2']],
  ];

  for (const inUri of [true, false]) {
    for (const scenario of SCENARIOS) {
      it(`${scenario}, password ${inUri ? 'in the URI' : 'in FLINK_CHECKPOINTS_PASSWORD'}`, async () => {
        const { uri, env } = base(scenario, inUri);
        const found: string[] = [];
        for (const [name, argv] of COMMANDS) {
          const r = await run(argv(uri), env);
          assert.ok(r.out.length > 0, `${name} printed nothing`);
          if (scenario === 'success' && !name.includes('usage')) assert.equal(r.code, 0, `${name}: ${r.out}`);
          if (scenario !== 'success' && !name.startsWith('restore')) {
            assert.notEqual(r.code, 0, `${name} succeeded in "${scenario}"`);
          }
          if (scenario !== 'success' && !name.startsWith('restore') && !name.endsWith('--json')) {
            assert.match(r.out, /flink@127\.0\.0\.1/, `${name} names the store as user@host`);
          }
          for (const form of leaks(r.out, [PASSWORD, WRONG])) found.push(`${name}: ${form}`);
        }
        assert.deepEqual(found, []);
      });
    }
  }

  it('WebHDFS (HTTP Basic for a gateway): refused connection and an endpoint that accepts and closes', async () => {
    const sockets = new Set<net.Socket>();
    const closer = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.destroy();
    });
    await new Promise<void>((resolve) => closer.listen(0, '127.0.0.1', resolve));
    const closingPort = (closer.address() as net.AddressInfo).port;
    try {
      const found: string[] = [];
      // An endpoint that closes costs each command its timeout: there the password is in the URI only.
      for (const [port, ways] of [
        [refusedPort, [true, false]],
        [closingPort, [true]],
      ] as const) {
        for (const inUri of ways) {
          const uri = (p: string) =>
            `webhdfs://flink${inUri ? `:${encodeURIComponent(PASSWORD)}` : ''}@127.0.0.1:${port}${p}`;
          const env = inUri ? {} : { FLINK_CHECKPOINTS_PASSWORD: PASSWORD };
          for (const [name, argv] of COMMANDS) {
            const r = await run(
              argv(uri).map((a) => (a === '10' ? '2' : a)),
              env,
            );
            assert.ok(r.out.length > 0, `${name} printed nothing`);
            if (!name.startsWith('restore')) assert.notEqual(r.code, 0, `${name} succeeded against port ${port}`);
            for (const form of leaks(r.out, [PASSWORD])) found.push(`${name} (port ${port}): ${form}`);
          }
        }
      }
      assert.deepEqual(found, []);
    } finally {
      for (const socket of sockets) socket.destroy();
      closer.close();
    }
  });

  it('conf check of a file that holds the password in a URI', async () => {
    const r = await run(['conf', 'check', configFile, '--json'], { FLINK_CHECKPOINTS_PASSWORD: PASSWORD });
    assert.ok(r.out.includes('interval'), r.out);
    assert.deepEqual(leaks(r.out, [PASSWORD]), []);
  });

  it('the check itself finds a password that is printed', () => {
    assert.ok(encodingsOf(PASSWORD).length >= 7);
    assert.deepEqual(
      leaks(`x ftp://flink:${encodeURIComponent(PASSWORD).toLowerCase()}@h`, [PASSWORD]).length > 0,
      true,
    );
  });
});
