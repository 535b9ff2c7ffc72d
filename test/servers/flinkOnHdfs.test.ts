import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findLatestCompleteCheckpoint, inspectSnapshots, scanDirectory } from '../../src/core/layout';
import { isMetadataComplete, parseMetadata, summarize } from '../../src/core/metadata';
import { storePathOf } from '../../src/core/references/locate';
import { CheckpointStore, openStore } from '../../src/core/stores';
import { repoRoot } from '../support/repo';
import { HdfsServer, serverPrerequisites, startMiniHdfs } from './servers';

/** What scripts/flink-on-hdfs.sh writes once the job is cancelled. */
interface JobResult {
  jobId: string;
  configuration: Record<string, string>;
  checkpoints: string[];
}

/** The bench job gets this long (Maven when its build is stale, the MiniCluster, three checkpoints, the cancellation). */
const JOB_TIMEOUT_MS = 140_000;
const SCRIPT = path.join(repoRoot(), 'scripts', 'flink-on-hdfs.sh');

function onPath(command: string): boolean {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .some((dir) => dir !== '' && fs.existsSync(path.join(dir, command)));
}

function prerequisites(): string | undefined {
  if (!onPath('java')) return 'Java 17 is not installed (the Flink job and the MiniDFSCluster run on it)';
  if (!onPath('mvn')) return 'Maven is not installed (it builds test/flink with the Hadoop client)';
  return serverPrerequisites('hdfs');
}

/** Runs the bench's word count into `checkpoints`; the process (and Maven under it) is killed by PID on timeout. */
async function runJob(
  checkpoints: string,
  resultFile: string,
  logFile: string,
  started: (child: ChildProcess) => void,
): Promise<JobResult> {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(
    'bash',
    [SCRIPT, '--checkpoints', checkpoints, '--result', resultFile, '--scenario', 'rocksdb-incremental'],
    {
      stdio: ['ignore', out, out],
      detached: true,
    },
  );
  fs.closeSync(out);
  started(child);
  const timer = setTimeout(() => killGroup(child), JOB_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  const log = fs.readFileSync(logFile, 'utf8');
  assert.equal(code, 0, `the Flink job failed or timed out after ${JOB_TIMEOUT_MS} ms:\n${log.slice(-4000)}`);
  return JSON.parse(fs.readFileSync(resultFile, 'utf8')) as JobResult;
}

/** The script's process group: bash, then Maven or the JVM it execs. */
function killGroup(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
}

describe(
  'a real Flink job checkpointing into MiniDFSCluster through hdfs://, browsed over WebHDFS',
  { skip: prerequisites() ?? false },
  () => {
    let dir = '';
    let server: HdfsServer | undefined;
    let job: ChildProcess | undefined;
    let store: CheckpointStore;
    let result: JobResult;
    let checkpointsUri = '';
    let jobSeconds = 0;

    before(
      async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-flink-hdfs-'));
        server = await startMiniHdfs();
        checkpointsUri = `hdfs://127.0.0.1:${server.rpcPort}/flink/checkpoints`;
        const start = Date.now();
        result = await runJob(checkpointsUri, path.join(dir, 'result.json'), path.join(dir, 'job.log'), (child) => {
          job = child;
        });
        jobSeconds = (Date.now() - start) / 1000;
        store = openStore(checkpointsUri, {
          user: server.superUser,
          webHdfsAddress: `127.0.0.1:${server.httpPort}`,
          timeoutMs: 20_000,
        });
      },
      { timeout: 170_000 },
    );

    after(async () => {
      if (job) killGroup(job);
      await store?.close();
      await server?.stop();
      if (server) fs.rmSync(path.dirname(server.dataDir), { recursive: true, force: true });
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('Flink wrote its checkpoints through hdfs:// and retained two (or three) on cancellation', (t) => {
      t.diagnostic(
        `Flink job (build check, MiniCluster, 3 checkpoints, cancel): ${jobSeconds.toFixed(1)} s; retained ${result.checkpoints.join(', ')}`,
      );
      assert.equal(
        result.configuration['execution.checkpointing.dir'] ?? result.configuration['state.checkpoints.dir'],
        checkpointsUri,
      );
      // Flink discards a subsumed checkpoint after the next one completes, asynchronously: a cancellation right then
      // leaves it on disk, complete.
      assert.ok(result.checkpoints.length === 2 || result.checkpoints.length === 3, result.checkpoints.join(', '));
    });

    it('recognises the checkpoints base directory and the job directory', async () => {
      const root = await scanDirectory(store, '/');
      assert.equal(root.kind, 'checkpoints-base');
      assert.deepEqual(
        root.jobs.map((j) => j.jobId),
        [result.jobId],
      );
      const jobDir = await scanDirectory(store, `/${result.jobId}`);
      assert.equal(jobDir.kind, 'job');
      assert.ok(jobDir.hasShared, 'shared/ is listed');
      const infos = await inspectSnapshots(store, jobDir.checkpoints);
      const retained = [...result.checkpoints].reverse();
      assert.deepEqual(
        infos.filter((i) => i.status === 'complete').map((i) => i.name),
        retained,
      );
      // the cancellation may leave a newer chk-N that never got its _metadata
      for (const info of infos.filter((i) => !retained.includes(i.name))) {
        assert.equal(info.status, 'in-progress', info.name);
      }
    });

    it('finds the latest complete checkpoint, whose _metadata parses to its last byte', async (t) => {
      const { latest } = await findLatestCompleteCheckpoint(store, `/${result.jobId}`);
      const newest = result.checkpoints[result.checkpoints.length - 1];
      assert.equal(latest?.name, newest);
      assert.equal(latest?.status, 'complete');

      const metadataPath = `/${result.jobId}/${newest}/_metadata`;
      const bytes = await store.readAll(metadataPath);
      assert.equal(bytes.length, (await store.stat(metadataPath)).size);
      assert.equal(latest?.metadataSize, bytes.length);
      assert.ok(isMetadataComplete(bytes));
      assert.ok(!isMetadataComplete(bytes.subarray(0, bytes.length - 1)), 'one byte short is not a complete _metadata');
      const pointer = `${checkpointsUri}/${result.jobId}/${newest}`;
      const summary = summarize(parseMetadata(bytes, { pointer }), { pointer });
      assert.equal(summary.checkpointId, Number(newest.slice(4)));
      assert.equal(summary.kind, 'checkpoint');
      assert.equal(summary.stateSize, latest?.stateSize);
      const names = summary.operators.map((o) => o.name);
      for (const name of ['Source: Numbers', 'Lines', 'Tokenizer', 'Stop word filter', 'Counter', 'Discard']) {
        assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
      }
      const counter = summary.operators.find((o) => o.name === 'Counter')!;
      assert.ok((counter.handleTypes.IncrementalRemoteKeyedStateHandle ?? 0) > 0, JSON.stringify(counter.handleTypes));
      t.diagnostic(
        `${metadataPath}: ${bytes.length} bytes, metadata V${summary.metadataVersion}, ${summary.operators.length} operators, state ${summary.stateSize} bytes, ${summary.referencedFiles.length} referenced files`,
      );
    });

    it('finds every file the latest checkpoint references under shared/ or chk-N in HDFS', async (t) => {
      const newest = result.checkpoints[result.checkpoints.length - 1];
      const pointer = `${checkpointsUri}/${result.jobId}/${newest}`;
      const bytes = await store.readAll(`/${result.jobId}/${newest}/_metadata`);
      const { referencedFiles } = summarize(parseMetadata(bytes, { pointer }), { pointer });
      const inside = new RegExp(`^/${result.jobId}/(shared|${newest})/[^/]+$`);
      const places = { shared: 0, exclusive: 0 };
      let totalBytes = 0;
      for (const file of referencedFiles) {
        const storePath = storePathOf(store.uri, file);
        assert.ok(storePath, `${file} lies outside ${store.label}`);
        const match = inside.exec(storePath);
        assert.ok(match, `${file} is neither under shared/ nor under ${newest}/`);
        const entry = await store.stat(storePath);
        assert.equal(entry.kind, 'file', storePath);
        assert.ok(entry.size > 0, `${storePath} is empty`);
        totalBytes += entry.size;
        places[match[1] === 'shared' ? 'shared' : 'exclusive']++;
      }
      assert.ok(places.shared > 0, 'RocksDB incremental references shared SST files');
      assert.ok(places.exclusive > 0, `operator state and RocksDB's private files lie in ${newest}/`);
      t.diagnostic(
        `${referencedFiles.length} referenced files stat'ed over WebHDFS: ${places.shared} in shared/, ${places.exclusive} in ${newest}/, ${totalBytes} bytes`,
      );
    });
  },
);
