// A real Flink cluster for tests: the MiniCluster with a REST endpoint that run.sh builds per Flink release
// (RestClusterMain), started niced on 127.0.0.1 and stopped by its PID, plus the word-count job to run on it.
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const PROJECT = path.resolve(__dirname, '../../../../test/flink/cluster');
export const ENTRY_CLASS = 'flinkcheckpoints.restoreproof.HelloWordCount';
const JAVA_OPENS = [
  'java.lang',
  'java.net',
  'java.io',
  'java.nio',
  'sun.nio.ch',
  'java.lang.reflect',
  'java.text',
  'java.time',
  'java.util',
  'java.util.concurrent',
  'java.util.concurrent.atomic',
  'java.util.concurrent.locks',
].map((p) => `--add-opens=java.base/${p}=ALL-UNNAMED`);

/** The Flink release the tests run against: FLINK_VERSION, as run.sh built it (default 1.20.1). */
export const FLINK_VERSION = process.env.FLINK_VERSION ?? '1.20.1';

function built(version: string): { jar: string; classpath: string } | undefined {
  const dir = path.join(PROJECT, 'target', `flink-${version}`);
  const jar = path.join(dir, 'restore-proof.jar');
  const classpathFile = path.join(dir, 'classpath.txt');
  if (!fs.existsSync(jar) || !fs.existsSync(classpathFile)) return undefined;
  return { jar, classpath: fs.readFileSync(classpathFile, 'utf8').trim() };
}

/** Why the cluster tests cannot run here, or undefined when they can (node:test `skip` takes it). */
export function clusterSkipReason(version = FLINK_VERSION): string | undefined {
  return built(version)
    ? undefined
    : `Flink ${version} is not built: run test/flink/cluster/run.sh (FLINK_VERSIONS="${version}")`;
}

export interface RunningCluster {
  readonly url: string;
  readonly pid: number;
  /** The cluster's work directory: checkpoints/<job>, uploads, the log. */
  readonly work: string;
  /** The built job jar. */
  readonly jobJar: string;
  readonly log: string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts a cluster with `key=value` options; resolves once its REST endpoint is up. */
export async function startCluster(
  options: { version?: string; conf?: Record<string, string> } = {},
): Promise<RunningCluster> {
  const version = options.version ?? FLINK_VERSION;
  const artifacts = built(version);
  if (!artifacts) throw new Error(clusterSkipReason(version));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `flink-cluster-${version}-`));
  const log = path.join(work, 'cluster.log');
  const out = fs.openSync(log, 'w');
  const conf = Object.entries(options.conf ?? {}).map(([k, v]) => `${k}=${v}`);
  const child = spawn(
    'nice',
    [
      '-n',
      '10',
      'java',
      '-Xmx640m',
      ...JAVA_OPENS,
      '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
      '-cp',
      `${artifacts.jar}:${artifacts.classpath}`,
      'flinkcheckpoints.restoreproof.RestClusterMain',
      work,
      ...conf,
    ],
    {
      stdio: ['ignore', out, out],
      // flink-s3-fs-hadoop, as run.sh builds it next to the job: loaded when s3.* options and an s3a:// path are given.
      env: { ...process.env, FLINK_PLUGINS_DIR: path.join(path.dirname(artifacts.jar), 'plugins') },
    },
  );
  fs.closeSync(out);
  running.add(child);
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    running.delete(child);
  };
  const urlFile = path.join(work, 'rest-url');
  const deadline = Date.now() + 180_000;
  while (!fs.existsSync(urlFile)) {
    if (child.exitCode !== null) {
      throw new Error(`the Flink ${version} cluster exited early: ${fs.readFileSync(log, 'utf8').slice(-2000)}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `the Flink ${version} cluster did not start within 180 s: ${fs.readFileSync(log, 'utf8').slice(-2000)}`,
      );
    }
    await sleep(200);
  }
  const url = fs.readFileSync(urlFile, 'utf8').trim();
  // The endpoint answers 503 until the dispatcher's leader is elected.
  await waitFor(
    'the REST endpoint to answer',
    60_000,
    async () => (await fetch(`${url}/overview`).catch(() => undefined))?.ok === true,
  );
  return { url, pid: child.pid!, work, jobJar: artifacts.jar, log, stop };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns something other than undefined/false. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

/** The lines the word count wrote to its output file. */
export function lines(file: string): string[] {
  return fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
    : [];
}
