// `flink-checkpoints cluster` and `restore --submit` through the built CLI (dist/cli.js) against a real Flink cluster
// (FLINK_VERSION): stop with a savepoint, submit the restore, the count continues; the faults a user meets (no
// savepoint directory, unknown job, cluster behind an authenticating TLS gateway) end with a message and exit code.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FlinkRestClient, JobState } from '../../../src/core/cluster';
import { ENTRY_CLASS, FLINK_VERSION, RunningCluster, clusterSkipReason, lines, startCluster, waitFor } from './cluster';
import { Gateway, authGateway, selfSignedCertificate } from './gateway';

const CLI = path.resolve(__dirname, '../../../../dist/cli.js');
const skip =
  clusterSkipReason() ?? (fs.existsSync(CLI) ? undefined : 'dist/cli.js is not built (node scripts/build.mjs)');

interface Ran {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

/** Runs the CLI as a user would, without a shell; asynchronous so the test's own servers keep answering. */
function cli(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

describe(`flink-checkpoints cluster against a Flink ${FLINK_VERSION} cluster`, { skip, timeout: 600_000 }, () => {
  let cluster: RunningCluster;
  let client: FlinkRestClient;
  let jobId: string;
  let out: string;
  let gateway: Gateway | undefined;

  async function waitForState(id: string, wanted: JobState): Promise<void> {
    await waitFor(`job ${id} ${wanted}`, 90_000, async () => {
      const state = (await client.job(id)).state;
      if (['FAILED', 'CANCELED', 'FINISHED'].includes(state) && state !== wanted) {
        throw new Error(`job ${id} ended ${state}, wanted ${wanted}`);
      }
      return state === wanted;
    });
  }

  before(async () => {
    cluster = await startCluster();
    client = new FlinkRestClient({ url: cluster.url });
  });

  after(async () => {
    await gateway?.close();
    client?.close();
    await cluster?.stop();
    if (cluster && process.env.KEEP_CLUSTER_WORK !== '1') fs.rmSync(cluster.work, { recursive: true, force: true });
  });

  it('cluster jobs lists the running word count', async () => {
    out = path.join(cluster.work, 'counts.txt');
    const jarId = await client.uploadJar('job.jar', fs.readFileSync(cluster.jobJar));
    jobId = await client.runJar(jarId, {
      entryClass: ENTRY_CLASS,
      programArgsList: ['--out', out, '--total', '6', '--pause-after', '5'],
    });
    await waitForState(jobId, 'RUNNING');
    await waitFor('hello 5', 60_000, () => lines(out).includes('hello 5'));
    const listed = await cli(['cluster', 'jobs', cluster.url]);
    assert.equal(listed.code, 0, listed.err);
    assert.match(listed.out, /^JOB ID +STATE +STARTED +DURATION +NAME\n/);
    assert.match(listed.out, new RegExp(`^${jobId}  RUNNING  \\d{4}-\\d\\d-\\d\\dT\\S+Z  .+  hello word count$`, 'm'));
  });

  it("cluster checkpoints shows the counts and the history; --json gives Flink's statistics", async () => {
    await waitFor(
      'a completed checkpoint',
      60_000,
      async () => (await client.checkpoints(jobId)).latest.completed ?? undefined,
    );
    const shown = await cli(['cluster', 'checkpoints', cluster.url, jobId]);
    assert.equal(shown.code, 0, shown.err);
    assert.match(
      shown.out,
      new RegExp(
        `^job ${jobId} on ${cluster.url}: \\d+ completed, \\d+ failed, \\d+ in progress, 0 restored \\(\\d+ triggered\\)\\n`,
      ),
    );
    assert.match(shown.out, /^ID +STATUS +TYPE +TRIGGERED +COMPLETED +DURATION +FULL SIZE +INCR SIZE +MARK +PATH$/m);
    assert.match(
      shown.out,
      new RegExp(`^\\d+ +COMPLETED +CHECKPOINT .* latest(,\\S+)? +file:.*/checkpoints/${jobId}/chk-\\d+$`, 'm'),
    );
    const json = await cli(['cluster', 'checkpoints', cluster.url, jobId, '--json']);
    assert.equal(json.code, 0, json.err);
    const stats = JSON.parse(json.out);
    assert.ok(stats.counts.completed >= 1 && Array.isArray(stats.history));
  });

  it("a savepoint without --dir on a cluster without a savepoint directory: exit 1 with Flink's reason", async () => {
    const failed = await cli(['cluster', 'savepoint', cluster.url, jobId, '--wait']);
    assert.equal(failed.code, 1);
    assert.equal(failed.out, '');
    assert.match(
      failed.err,
      /^waiting for the savepoint of job [0-9a-f]{32} on http:\/\/127\.0\.0\.1:\d+ \.\.\.\nflink-checkpoints cluster savepoint: Flink cluster http:\/\/127\.0\.0\.1:\d+: triggering a savepoint of job [0-9a-f]{32} failed with HTTP 400: .*\[target-directory\] must be provided/,
    );
  });

  it('unknown job, cluster down and usage errors', async () => {
    const unknown = await cli(['cluster', 'checkpoints', cluster.url, 'f'.repeat(32)]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /reading the checkpoints of job f{32}: .*f{32}/);
    const down = await cli(['cluster', 'jobs', 'http://127.0.0.1:1']);
    assert.equal(down.code, 1);
    assert.match(down.err, /Flink cluster http:\/\/127\.0\.0\.1:1: cannot connect while listing jobs/);
    const usage = await cli(['cluster', 'savepoint', cluster.url, jobId, '--format', 'zip']);
    assert.equal(usage.code, 2);
    assert.match(usage.err, /--format must be one of canonical, native/);
    assert.equal((await cli(['cluster', 'stop', cluster.url])).code, 2);
    assert.equal((await cli(['cluster', 'savepoint', cluster.url, jobId, '--drain'])).code, 2);
  });

  it('through an authenticating TLS gateway: refused without credentials or CA; with FLINK_REST_USER/PASSWORD and --ca it works', async () => {
    const certificate = selfSignedCertificate();
    const caFile = path.join(cluster.work, 'gateway-ca.pem');
    fs.writeFileSync(caFile, certificate.cert);
    gateway = await authGateway(cluster.url, `Basic ${Buffer.from('flink:gw-pass').toString('base64')}`, certificate);
    const noCa = await cli(['cluster', 'jobs', gateway.url]);
    assert.equal(noCa.code, 1);
    assert.match(noCa.err, /TLS failed while listing jobs/);
    const wrong = await cli(['cluster', 'jobs', gateway.url, '--ca', caFile], {
      FLINK_REST_USER: 'flink',
      FLINK_REST_PASSWORD: 'nope-pass',
    });
    assert.equal(wrong.code, 1);
    assert.match(wrong.err, /listing jobs was refused with HTTP 401\. Check the user name and password/);
    assert.doesNotMatch(wrong.err + wrong.out, /nope-pass/);
    const right = await cli(['cluster', 'jobs', gateway.url, '--ca', caFile], {
      FLINK_REST_USER: 'flink',
      FLINK_REST_PASSWORD: 'gw-pass',
    });
    assert.equal(right.code, 0, right.err);
    assert.match(right.out, new RegExp(`^${jobId}  RUNNING`, 'm'));
  });

  let stopped: string;
  it('cluster savepoint --stop --wait prints the savepoint path; the job finishes at count 5', async () => {
    const dir = path.join(cluster.work, 'savepoints');
    const ran = await cli([
      'cluster',
      'savepoint',
      cluster.url,
      jobId,
      '--dir',
      dir,
      '--format',
      'canonical',
      '--stop',
      '--wait',
    ]);
    assert.equal(ran.code, 0, ran.err);
    stopped = ran.out.trim();
    assert.match(stopped, new RegExp(`^(file:)?${dir}/savepoint-[0-9a-f]{6}-[0-9a-f]{12}$`));
    assert.ok(fs.existsSync(path.join(stopped.replace(/^file:/, ''), '_metadata')));
    await waitForState(jobId, 'FINISHED');
    assert.deepEqual(lines(out), ['hello 1', 'hello 2', 'hello 3', 'hello 4', 'hello 5']);
  });

  it('restore --submit --jar uploads the jar and submits the restore: the count continues at 6', async () => {
    const restored = path.join(cluster.work, 'restored.txt');
    const ran = await cli([
      'restore',
      stopped.replace(/^file:/, ''),
      '--submit',
      cluster.url,
      '--jar',
      cluster.jobJar,
      '--entry-class',
      ENTRY_CLASS,
      '--',
      '--out',
      restored,
      '--total',
      '6',
    ]);
    assert.equal(ran.code, 0, ran.err);
    const newJob = ran.out.trim();
    assert.match(newJob, /^[0-9a-f]{32}$/);
    assert.match(
      ran.err,
      /^uploaded restore-proof\.jar to http:\/\/127\.0\.0\.1:\d+ as [0-9a-f-]+_restore-proof\.jar\n/,
    );
    await waitForState(newJob, 'FINISHED');
    assert.deepEqual(lines(restored), ['hello 6']);
    const stats = await client.checkpoints(newJob);
    assert.equal(stats.latest.restored?.external_path.replace(/^file:/, ''), stopped.replace(/^file:/, ''));
  });

  it('cluster dispose deletes the savepoint through the cluster', async () => {
    const ran = await cli(['cluster', 'dispose', cluster.url, stopped]);
    assert.equal(ran.code, 0, ran.err);
    assert.equal(fs.existsSync(stopped.replace(/^file:/, '')), false);
  });
});
