// The REST client against a real Flink cluster (FLINK_VERSION, built by run.sh): jobs, checkpoint statistics,
// savepoint / checkpoint / stop / cancel / disposal through the trigger-and-poll protocol, the restore submitted with
// the restore builder's body, and the faults Flink itself produces (no savepoint directory, unknown job).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FlinkRestClient, isClusterError, JobState } from '../../../src/core/cluster';
import { buildRestoreInvocation } from '../../../src/core/restore';
import {
  ENTRY_CLASS,
  FLINK_VERSION,
  RunningCluster,
  clusterSkipReason,
  lines,
  sleep,
  startCluster,
  waitFor,
} from './cluster';

const skip = clusterSkipReason();
const local = (p: string): string => p.replace(/^file:(\/\/)?/, '');

describe(`REST client against a Flink ${FLINK_VERSION} cluster`, { skip, timeout: 600_000 }, () => {
  let cluster: RunningCluster;
  let client: FlinkRestClient;
  let jarId: string;
  let out: string;
  let jobId: string;

  async function waitForState(id: string, wanted: JobState, timeoutMs = 90_000): Promise<void> {
    await waitFor(`job ${id} ${wanted}`, timeoutMs, async () => {
      const state = (await client.job(id)).state;
      if (['FAILED', 'CANCELED', 'FINISHED'].includes(state) && state !== wanted) {
        throw new Error(`job ${id} ended ${state}, wanted ${wanted}`);
      }
      return state === wanted;
    });
  }

  async function runCount(file: string, extra: string[] = []): Promise<string> {
    return client.runJar(jarId, { entryClass: ENTRY_CLASS, programArgsList: ['--out', file, ...extra] });
  }

  before(async () => {
    cluster = await startCluster({ conf: { 'web.checkpoints.history': '4' } });
    client = new FlinkRestClient({ url: cluster.url });
  });

  after(async () => {
    client?.close();
    await cluster?.stop();
    if (cluster && process.env.KEEP_CLUSTER_WORK !== '1') fs.rmSync(cluster.work, { recursive: true, force: true });
  });

  it('reads the Flink version from GET /config and the overview', async () => {
    const version = await client.version();
    assert.equal(`${version.major}.${version.minor}`, FLINK_VERSION.split('.').slice(0, 2).join('.'));
    const overview = await client.overview();
    assert.equal(overview['flink-version'], FLINK_VERSION);
    assert.equal(overview.taskmanagers, 1);
  });

  it('uploads the job jar and lists it', async () => {
    const bytes = fs.readFileSync(cluster.jobJar);
    jarId = await client.uploadJar('hello word count.jar', bytes);
    assert.match(jarId, /_hello word count\.jar$/);
    const jars = await client.jars();
    assert.deepEqual(
      jars.files.map((f) => f.id),
      [jarId],
    );
  });

  it('runs the word count; jobs, job details, checkpoint statistics and configuration describe it', async () => {
    out = path.join(cluster.work, 'first run.txt');
    // Checkpoints every 3 s: a triggered checkpoint stays in the 4-entry history long enough to be seen there.
    jobId = await runCount(out, ['--total', '6', '--pause-after', '5', '--checkpoint-interval-ms', '3000']);
    await waitForState(jobId, 'RUNNING');
    await waitFor('hello 5', 60_000, () => lines(out).includes('hello 5'));
    const jobs = await client.jobs();
    assert.deepEqual(
      jobs.map((j) => [j.jid, j.name, j.state]),
      [[jobId, 'hello word count', 'RUNNING']],
    );
    const details = await client.job(jobId);
    assert.ok(details.vertices.length >= 2);
    assert.deepEqual([...new Set(details.vertices.map((v) => v.parallelism))], [1]);

    const stats = await waitFor('a completed checkpoint', 60_000, async () => {
      const s = await client.checkpoints(jobId);
      return s.latest.completed ? s : undefined;
    });
    const latest = stats.latest.completed!;
    assert.equal(latest.status, 'COMPLETED');
    assert.equal(latest.is_savepoint, false);
    assert.equal(latest.checkpoint_type, 'CHECKPOINT');
    assert.ok(latest.state_size > 0 && (latest.checkpointed_size ?? 0) > 0);
    assert.equal(local(latest.external_path!), path.join(cluster.work, 'checkpoints', jobId, `chk-${latest.id}`));
    assert.ok(stats.counts.completed >= 1 && stats.history.length >= 1 && stats.history.length <= 4);
    assert.equal(stats.latest.restored, null);

    const config = await client.checkpointConfig(jobId);
    assert.equal(config.interval, 3000);
    assert.equal(config.externalization.enabled, true);
    assert.equal(config.externalization.delete_on_cancellation, false);

    const one = await client.checkpointDetails(jobId, latest.id);
    assert.equal(one.id, latest.id);
    assert.equal(one.external_path, latest.external_path);
  });

  it("a savepoint without a target directory fails with Flink's root cause (no savepoint directory configured)", async () => {
    await assert.rejects(client.savepoint(jobId, {}, { timeoutMs: 60_000 }), (error: unknown) => {
      assert.ok(isClusterError(error, 'rejected'), String(error));
      assert.match(
        error.message,
        /^Flink cluster http:\/\/127\.0\.0\.1:\d+: triggering a savepoint of job [0-9a-f]{32} failed with HTTP 400: .*Config key \[(execution\.checkpointing\.savepoint-dir|state\.savepoints\.dir)\] is not set\. Property \[target-directory\] must be provided/,
      );
      return true;
    });
  });

  let canonical: string;
  it('takes a canonical and a native savepoint into a directory; the statistics show the newest as latest savepoint', async () => {
    const dir = path.join(cluster.work, 'savepoints');
    canonical = await client.savepoint(jobId, { targetDirectory: dir, formatType: 'CANONICAL' });
    assert.ok(fs.existsSync(path.join(local(canonical), '_metadata')), canonical);
    const native = await client.savepoint(jobId, { targetDirectory: dir, formatType: 'NATIVE' });
    assert.ok(fs.existsSync(path.join(local(native), '_metadata')), native);
    const seen = await waitFor('the native savepoint in the statistics', 30_000, async () => {
      const savepoint = (await client.checkpoints(jobId)).latest.savepoint;
      return savepoint && savepoint.external_path === native ? savepoint : undefined;
    });
    assert.equal(seen.is_savepoint, true);
    assert.equal(seen.savepointFormat, 'NATIVE');
    assert.equal(seen.checkpoint_type, 'SAVEPOINT');
  });

  it('triggers a full checkpoint and waits for its ID; it appears in the history', async () => {
    const id = await client.checkpoint(jobId, 'FULL');
    const entry = await waitFor(`checkpoint ${id} in the history`, 30_000, async () =>
      (await client.checkpoints(jobId)).history.find((h) => h.id === id),
    );
    assert.equal(entry.status, 'COMPLETED');
    assert.ok(fs.existsSync(path.join(cluster.work, 'checkpoints', jobId, `chk-${id}`)) || entry.discarded === true);
  });

  it("an explicit INCREMENTAL checkpoint is refused from 1.19 on (FLINK-33723): Flink's reason is in the error", async () => {
    await assert.rejects(client.checkpoint(jobId, 'INCREMENTAL'), (error: unknown) => {
      assert.ok(isClusterError(error, 'rejected'), String(error));
      assert.match(error.message, /does not support triggering incremental checkpoint explicitly\. See FLINK-33723/);
      return true;
    });
    assert.equal(typeof (await client.checkpoint(jobId, 'CONFIGURED')), 'number');
  });

  it('unknown and malformed job IDs are not-found errors naming the cluster', async () => {
    await assert.rejects(client.checkpoints('0'.repeat(32)), (error: unknown) => {
      assert.ok(isClusterError(error, 'not-found'), String(error));
      assert.match(
        error.message,
        /^Flink cluster http:\/\/127\.0\.0\.1:\d+: reading the checkpoints of job 0{32}: .*0{32}/,
      );
      return true;
    });
    await assert.rejects(
      client.job('not-a-job'),
      (error: unknown) => isClusterError(error, 'not-found') && /32 hexadecimal digits/.test(error.message),
    );
  });

  let stopped: string;
  it('stops the job with a savepoint (drain off); the job finishes and the savepoint is on disk', async () => {
    stopped = await client.stopWithSavepoint(jobId, {
      targetDirectory: path.join(cluster.work, 'savepoints'),
      drain: false,
    });
    assert.ok(fs.existsSync(path.join(local(stopped), '_metadata')), stopped);
    await waitForState(jobId, 'FINISHED');
    assert.deepEqual(lines(out), ['hello 1', 'hello 2', 'hello 3', 'hello 4', 'hello 5']);
  });

  it("the restore builder's REST body, submitted with runJar, continues the count from the stop savepoint", async () => {
    const restored = path.join(cluster.work, 'restored.txt');
    const { request } = buildRestoreInvocation({
      snapshotPath: local(stopped),
      target: 'rest',
      flinkVersion: FLINK_VERSION,
      options: {
        restUrl: cluster.url,
        jarId,
        entryClass: ENTRY_CLASS,
        programArgs: ['--out', restored, '--total', '6'],
      },
    });
    assert.equal(request!.url, `${cluster.url}/jars/${encodeURIComponent(jarId)}/run`);
    const restoredJob = await client.runJar(jarId, request!.body);
    await waitForState(restoredJob, 'FINISHED');
    assert.deepEqual(lines(restored), ['hello 6']);
    const stats = await client.checkpoints(restoredJob);
    assert.equal(local(stats.latest.restored!.external_path), local(stopped));
    assert.equal(stats.latest.restored!.is_savepoint, true);
  });

  it('disposes a savepoint through the cluster: its directory is gone', async () => {
    await client.disposeSavepoint(canonical);
    assert.equal(fs.existsSync(local(canonical)), false);
  });

  it('cancels a running job', async () => {
    const id = await runCount(path.join(cluster.work, 'cancelled.txt'), ['--pause-after', '1']);
    await waitForState(id, 'RUNNING');
    await client.cancelJob(id);
    await waitForState(id, 'CANCELED');
  });

  it('waiting is cancellable: the abort ends the wait at once with a cancelled error', async () => {
    const id = await runCount(path.join(cluster.work, 'aborted.txt'), ['--pause-after', '1']);
    await waitForState(id, 'RUNNING');
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      client.savepoint(id, { targetDirectory: path.join(cluster.work, 'savepoints') }, { signal: controller.signal }),
      (error: unknown) => isClusterError(error, 'cancelled'),
    );
    await client.cancelJob(id);
    await waitForState(id, 'CANCELED');
    await sleep(0);
  });
});
