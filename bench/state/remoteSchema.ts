/**
 * The schema of a large RocksDB checkpoint on a remote store costs kilobytes: a real Flink 2.2 job
 * (test/flink LargeStateJob, 1,100,000 keys of 1 KiB random bytes over 2 subtasks) checkpoints incrementally into a
 * MiniDFSCluster through hdfs:// until the state on HDFS passes 1 GiB and one more checkpoint references all of it;
 * then the state schemas of that checkpoint are read over WebHDFS through the extension's HDFS store, counting every
 * byte and request the store returns, per operator.
 *
 *   npm run bench:state [-- --keep]     (about 10-30 minutes on a shared 2-core machine; needs Java 17 and Maven)
 *
 * Writes bench/results/state.json and prints a Markdown table. `--keep` leaves the MiniDFSCluster's data behind.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findLatestCompleteCheckpoint } from '../../src/core/layout';
import { parseMetadata, summarize } from '../../src/core/metadata';
import { storePathOf } from '../../src/core/references/locate';
import { readSchemas, type StateFileAccess } from '../../src/core/state';
import { openStore } from '../../src/core/stores';
import { serverPrerequisites, startMiniHdfs } from '../../test/servers/servers';
import { repoRoot } from '../../test/support/repo';

const JOB_TIMEOUT_MS = 40 * 60_000;
const LIMIT_PER_OPERATOR = 1 << 20;

interface JobResult {
  jobId: string;
  checkpoints: string[];
}

function runJob(checkpoints: string, resultFile: string, logFile: string): Promise<JobResult> {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(
    'nice',
    [
      '-n',
      '10',
      'bash',
      path.join(repoRoot(), 'scripts', 'flink-on-hdfs.sh'),
      '--checkpoints',
      checkpoints,
      '--result',
      resultFile,
      '--scenario',
      'rocksdb-large',
    ],
    { stdio: ['ignore', out, out], detached: true },
  );
  fs.closeSync(out);
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, JOB_TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(fs.readFileSync(resultFile, 'utf8')) as JobResult);
      else reject(new Error(`the Flink job failed (${code}):\n${fs.readFileSync(logFile, 'utf8').slice(-4000)}`));
    });
  });
}

async function main(): Promise<void> {
  const missing = serverPrerequisites('hdfs');
  if (missing) throw new Error(missing);
  const keep = process.argv.includes('--keep');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-bench-state-'));
  const server = await startMiniHdfs();
  try {
    const checkpointsUri = `hdfs://127.0.0.1:${server.rpcPort}/flink/checkpoints`;
    const t0 = Date.now();
    const job = await runJob(checkpointsUri, path.join(dir, 'result.json'), path.join(dir, 'job.log'));
    const jobSeconds = (Date.now() - t0) / 1000;
    const store = openStore(checkpointsUri, {
      user: server.superUser,
      webHdfsAddress: `127.0.0.1:${server.httpPort}`,
      timeoutMs: 60_000,
    });
    try {
      const { latest } = await findLatestCompleteCheckpoint(store, `/${job.jobId}`);
      if (!latest) throw new Error('no complete checkpoint');
      const pointer = `${checkpointsUri}/${job.jobId}/${latest.name}`;
      const metadataBytes = await store.readAll(`/${job.jobId}/${latest.name}/_metadata`);
      const metadata = parseMetadata(metadataBytes, { pointer });
      const summary = summarize(metadata, { pointer });
      const rows = [];
      for (const op of metadata.operators) {
        const counted = { bytes: 0, requests: 0 };
        const access: StateFileAccess = {
          readMetadata: (offset, length) => Promise.resolve(metadataBytes.subarray(offset, offset + length)),
          read: async (file, offset, length) => {
            const inStore = storePathOf(store.uri, file);
            if (inStore === undefined) throw new Error(`${file} is outside the store`);
            const bytes = await store.readAll(inStore, { offset, length, maxBytes: length });
            counted.bytes += bytes.length;
            counted.requests++;
            return bytes;
          },
        };
        const t1 = performance.now();
        const [schema] = await readSchemas(metadata, access, (o) => o.operatorId === op.operatorId);
        const ms = performance.now() - t1;
        const opSummary = summary.operators.find((o) => o.operatorId === op.operatorId);
        rows.push({
          uid: op.uid,
          operatorId: op.operatorId,
          stateSize: opSummary?.stateSize ?? 0,
          states: schema.states.map((s) => `${s.name} (${s.kind})`),
          problems: schema.problems.length,
          bytesRead: counted.bytes,
          requests: counted.requests,
          ms: Math.round(ms),
        });
      }
      const result = {
        flink: '2.2.1',
        checkpoint: `${job.jobId}/${latest.name}`,
        checkpointStateSize: summary.stateSize,
        jobSeconds,
        operators: rows,
      };
      const outDir = path.join(repoRoot(), 'bench', 'results');
      fs.mkdirSync(outDir, { recursive: true });
      fs.writeFileSync(path.join(outDir, 'state.json'), `${JSON.stringify(result, null, 2)}\n`);
      console.log(`checkpoint ${result.checkpoint}: ${(summary.stateSize / 2 ** 30).toFixed(2)} GiB of state`);
      console.log('| operator | state size | states | bytes read | requests | ms |');
      console.log('|---|---:|---|---:|---:|---:|');
      for (const r of rows) {
        console.log(
          `| ${r.uid ?? r.operatorId} | ${r.stateSize} | ${r.states.join(', ')} | ${r.bytesRead} | ${r.requests} | ${r.ms} |`,
        );
      }
      const over = rows.filter((r) => r.bytesRead >= LIMIT_PER_OPERATOR || r.problems > 0);
      if (summary.stateSize < 2 ** 30) throw new Error(`the checkpoint holds ${summary.stateSize} bytes, under 1 GiB`);
      if (over.length > 0) throw new Error(`over 1 MiB read or problems: ${over.map((r) => r.uid).join(', ')}`);
    } finally {
      await store.close();
    }
  } finally {
    await server.stop();
    if (!keep) fs.rmSync(path.dirname(server.dataDir), { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
