// Drives the real-cluster restore proof (see run.sh): a word count checkpoints on a Flink cluster (FLINK_VERSION, default
// 1.20.1) with a REST
// endpoint, is cancelled with its checkpoint retained, and is restored three times from that checkpoint through what
// `flink-checkpoints restore` generates: the REST call (POSTed with fetch), the `flink run` line (run by bash through
// Flink's CliFrontend) and the curl line (run by bash). Each restored run must continue the count at 6, not start at 1.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const PROJECT = path.join(ROOT, 'test/flink/cluster');
const CLI = path.join(ROOT, 'dist/cli.js');
const ENTRY_CLASS = 'flinkcheckpoints.restoreproof.HelloWordCount';
const FLINK_VERSION = process.env.FLINK_VERSION ?? '1.20.1';
const FLINK_LINE = FLINK_VERSION.split('.').slice(0, 2).join('.');
const BUILT = path.join(PROJECT, 'target', `flink-${FLINK_VERSION}`);
const OVERALL_MS = 300_000;
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

const started = Date.now();
const keep = process.env.KEEP_RESTORE_PROOF === '1';
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'flink-restore-proof-'));
// Spaces and a quote in every path the invocations carry: quoting must hold through JSON, bash and Flink.
const work = path.join(base, "restore proof (it's real)");
fs.mkdirSync(work, { recursive: true });
const classpath = fs.readFileSync(path.join(BUILT, 'classpath.txt'), 'utf8').trim();
const builtJar = path.join(BUILT, 'restore-proof.jar');

const results = [];
let cluster;
let clusterLog;

function log(message) {
  process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}\n`);
}

async function check(name, body) {
  const t0 = Date.now();
  try {
    const detail = await body();
    results.push({ name, ok: true });
    log(`ok   ${name}${detail ? ` — ${detail}` : ''} (${Date.now() - t0} ms)`);
  } catch (error) {
    results.push({ name, ok: false });
    log(`FAIL ${name}: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(what, timeoutMs, probe) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(150);
  }
}

function lines(file) {
  return fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
    : [];
}

let restUrl;
async function rest(method, route, body) {
  const response = await fetch(`${restUrl}${route}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route} → HTTP ${response.status}: ${text.slice(0, 500)}`);
  return text === '' ? {} : JSON.parse(text);
}

async function jobStatus(jobId) {
  return (await rest('GET', `/jobs/${jobId}`)).state;
}

async function waitForJob(jobId, wanted, timeoutMs = 60_000) {
  return waitFor(`job ${jobId} ${wanted}`, timeoutMs, async () => {
    const state = await jobStatus(jobId);
    if (['FAILED', 'CANCELED', 'FINISHED'].includes(state) && state !== wanted) {
      const exceptions = await rest('GET', `/jobs/${jobId}/exceptions`).catch(() => ({}));
      throw new Error(`job ${jobId} ended ${state}, wanted ${wanted}: ${JSON.stringify(exceptions).slice(0, 800)}`);
    }
    return state === wanted;
  });
}

/** `flink-checkpoints restore ...` through the built CLI; stdout, stderr and exit code. */
function generate(args) {
  const result = spawnSync(process.execPath, [CLI, 'restore', ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`restore exited ${result.status}: ${result.stderr}`);
  return result;
}

function expectContinued(file) {
  const got = lines(file);
  const want = ['hello 6'];
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(
      `${path.basename(file)} holds ${JSON.stringify(got)}, expected ${JSON.stringify(want)} (a restart from scratch writes hello 1..6)`,
    );
  }
  return `the restored job wrote ${JSON.stringify(got)}`;
}

async function main() {
  let jarId;
  let checkpointDir;

  await check(`a Flink ${FLINK_LINE} cluster starts with a REST endpoint on 127.0.0.1`, async () => {
    clusterLog = path.join(base, 'cluster.log');
    const out = fs.openSync(clusterLog, 'w');
    cluster = spawn(
      'nice',
      [
        '-n',
        '10',
        'java',
        '-Xmx768m',
        ...JAVA_OPENS,
        '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
        '-cp',
        `${builtJar}:${classpath}`,
        'flinkcheckpoints.restoreproof.RestClusterMain',
        work,
      ],
      { stdio: ['ignore', out, out] },
    );
    cluster.on('exit', (code, signal) => log(`cluster JVM ${cluster.pid} exited (${code ?? signal})`));
    const urlFile = path.join(work, 'rest-url');
    restUrl = await waitFor('the REST endpoint', 120_000, () => {
      if (cluster.exitCode !== null) throw new Error(`the cluster exited early; see ${clusterLog}`);
      return fs.existsSync(urlFile) ? fs.readFileSync(urlFile, 'utf8').trim() : undefined;
    });
    // 503 until the dispatcher's leader is elected.
    const overview = await waitFor('the REST endpoint to answer', 60_000, () =>
      rest('GET', '/overview').catch(() => undefined),
    );
    return `${restUrl}, Flink ${overview['flink-version']}, PID ${cluster.pid}`;
  });

  const jobJar = path.join(work, 'jobs', 'hello word count.jar');
  await check('the job jar is uploaded through POST /jars/upload', async () => {
    fs.mkdirSync(path.dirname(jobJar));
    fs.copyFileSync(builtJar, jobJar);
    const form = new FormData();
    form.append(
      'jarfile',
      new Blob([fs.readFileSync(jobJar)], { type: 'application/java-archive' }),
      'restore-proof.jar',
    );
    const response = await fetch(`${restUrl}/jars/upload`, {
      method: 'POST',
      body: form,
      signal: AbortSignal.timeout(30_000),
    });
    const uploaded = await response.json();
    if (uploaded.status !== 'success') throw new Error(JSON.stringify(uploaded));
    jarId = path.basename(uploaded.filename);
    return jarId;
  });

  const first = path.join(work, 'out', 'first run.txt');
  fs.mkdirSync(path.dirname(first));
  let firstJob;
  await check('the first run counts "hello" to 5 and pauses', async () => {
    firstJob = (
      await rest('POST', `/jars/${jarId}/run`, {
        entryClass: ENTRY_CLASS,
        programArgsList: ['--out', first, '--total', '6', '--pause-after', '5'],
      })
    ).jobid;
    await waitFor('hello 5 in the first run', 60_000, () => lines(first).includes('hello 5'));
    await sleep(1000);
    const got = lines(first);
    const want = ['hello 1', 'hello 2', 'hello 3', 'hello 4', 'hello 5'];
    if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`first run wrote ${JSON.stringify(got)}`);
    return `job ${firstJob}`;
  });

  await check('a checkpoint taken at count 5 is retained after cancellation', async () => {
    const after = Date.now();
    const completed = await waitFor('a checkpoint after count 5', 30_000, async () => {
      const latest = (await rest('GET', `/jobs/${firstJob}/checkpoints`)).latest?.completed;
      return latest && latest.trigger_timestamp > after ? latest : undefined;
    });
    await rest('PATCH', `/jobs/${firstJob}?mode=cancel`);
    await waitForJob(firstJob, 'CANCELED', 30_000);
    // The REST statistics are cached for a few seconds and newer checkpoints subsume older ones (num-retained 1):
    // what cancellation leaves is the newest chk-N with a _metadata on disk, at least as new as the one seen above.
    const jobDir = path.join(work, 'checkpoints', firstJob);
    const retained = fs
      .readdirSync(jobDir)
      .filter((name) => /^chk-\d+$/.test(name) && fs.existsSync(path.join(jobDir, name, '_metadata')))
      .map((name) => Number(name.slice(4)));
    if (retained.length !== 1 || retained[0] < completed.id) {
      throw new Error(
        `expected one retained checkpoint, at least chk-${completed.id}, in ${jobDir}: found ${JSON.stringify(retained)}`,
      );
    }
    checkpointDir = path.join(jobDir, `chk-${retained[0]}`);
    return `chk-${retained[0]} (the REST statistics showed chk-${completed.id} after count 5): ${checkpointDir}`;
  });

  const control = path.join(work, 'out', 'control run.txt');
  await check('control: a run without the snapshot starts again at 1 (so the checks below can fail)', async () => {
    const jobId = (
      await rest('POST', `/jars/${jarId}/run`, {
        entryClass: ENTRY_CLASS,
        programArgsList: ['--out', control, '--total', '6'],
      })
    ).jobid;
    await waitForJob(jobId, 'FINISHED');
    const got = lines(control);
    if (got[0] !== 'hello 1' || got[got.length - 1] !== 'hello 6')
      throw new Error(`control run wrote ${JSON.stringify(got)}`);
    return `wrote ${got.length} lines, hello 1 .. hello 6`;
  });

  const viaRest = path.join(work, 'out', 'restored via REST.txt');
  await check('restore through the generated REST call (POST /jars/:jarid/run) continues at hello 6', async () => {
    const generated = generate([
      checkpointDir,
      '--target',
      'rest',
      '--flink',
      FLINK_LINE,
      '--json',
      '--rest-url',
      restUrl,
      '--jar-id',
      jarId,
      '--entry-class',
      ENTRY_CLASS,
      '--',
      '--out',
      viaRest,
      '--total',
      '6',
    ]);
    if (generated.stderr !== '') throw new Error(`unexpected warnings: ${generated.stderr}`);
    const { request } = JSON.parse(generated.stdout);
    if (request.body.savepointPath !== checkpointDir || request.body.claimMode !== 'NO_CLAIM') {
      throw new Error(`unexpected body ${JSON.stringify(request.body)}`);
    }
    const response = await fetch(request.url, {
      method: request.method,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request.body),
      signal: AbortSignal.timeout(30_000),
    });
    const { jobid } = await response.json();
    await waitForJob(jobid, 'FINISHED');
    const restored = (await rest('GET', `/jobs/${jobid}/checkpoints`)).latest?.restored;
    if (!restored || restored.external_path.replace(/^file:/, '') !== checkpointDir) {
      throw new Error(`Flink reports no restore from ${checkpointDir}: ${JSON.stringify(restored)}`);
    }
    return `${expectContinued(viaRest)}; Flink reports restored checkpoint ${restored.id}`;
  });

  const bin = path.join(work, 'flink dist', 'bin', 'flink');
  const conf = path.join(work, 'flink dist', 'conf');
  /** Runs a `flink run` command line with bash, as a user would paste it; returns the submitted job id. */
  async function runFlinkCli(commandLine) {
    if (!fs.existsSync(bin)) {
      fs.mkdirSync(path.dirname(bin), { recursive: true });
      fs.mkdirSync(conf, { recursive: true });
      fs.writeFileSync(
        path.join(conf, 'config.yaml'),
        `rest.address: 127.0.0.1\nrest.port: ${new URL(restUrl).port}\n`,
      );
      fs.writeFileSync(
        bin,
        "#!/usr/bin/env bash\n# bin/flink from Maven jars: the same CliFrontend class the distribution's script starts.\n" +
          `exec java -Xmx256m ${JAVA_OPENS.join(' ')} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn ` +
          `-cp ${JSON.stringify(classpath)} org.apache.flink.client.cli.CliFrontend "$@"\n`,
        { mode: 0o755 },
      );
    }
    log(`     $ ${commandLine}`);
    const ran = spawnSync('bash', ['-c', commandLine], {
      encoding: 'utf8',
      env: { ...process.env, FLINK_CONF_DIR: conf },
      timeout: 120_000,
    });
    const jobid = /JobID ([0-9a-f]{32})/.exec(ran.stdout)?.[1];
    if (ran.status !== 0 || !jobid)
      throw new Error(`flink run exited ${ran.status}: ${ran.stdout}\n${ran.stderr}`.slice(0, 2000));
    return jobid;
  }
  function generatedCommandLine(generated) {
    const commandLine = generated.stdout.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    if (commandLine.length !== 1) throw new Error(`expected one command line, got ${JSON.stringify(generated.stdout)}`);
    return commandLine[0];
  }

  const viaCli = path.join(work, 'out', 'restored via flink run.txt');
  await check(
    'restore through the generated `flink run` line (bash → Flink CliFrontend) continues at hello 6',
    async () => {
      const generated = generate([
        checkpointDir,
        '--target',
        'cli',
        '--flink',
        FLINK_LINE,
        '--flink-command',
        bin,
        '--jar',
        jobJar,
        '--entry-class',
        ENTRY_CLASS,
        '--',
        '--out',
        viaCli,
        '--total',
        '6',
      ]);
      const jobid = await runFlinkCli(generatedCommandLine(generated));
      await waitForJob(jobid, 'FINISHED');
      return expectContinued(viaCli);
    },
  );

  const viaCurl = path.join(work, 'out', 'restored via curl.txt');
  await check('restore through the generated curl line (bash → curl) continues at hello 6', async () => {
    const generated = generate([
      checkpointDir,
      '--target',
      'rest',
      '--flink',
      FLINK_LINE,
      '--rest-url',
      restUrl,
      '--jar-id',
      jarId,
      '--entry-class',
      ENTRY_CLASS,
      '--',
      '--out',
      viaCurl,
      '--total',
      '6',
    ]);
    const curl = generated.stdout.split('\n').filter((l) => l.startsWith('curl '));
    if (curl.length !== 1) throw new Error(`expected one curl line, got ${JSON.stringify(generated.stdout)}`);
    const ran = spawnSync('bash', ['-c', curl[0]], { encoding: 'utf8', timeout: 60_000 });
    const jobid = /"jobid":"([0-9a-f]{32})"/.exec(ran.stdout)?.[1];
    if (ran.status !== 0 || !jobid) throw new Error(`curl exited ${ran.status}: ${ran.stdout}${ran.stderr}`);
    await waitForJob(jobid, 'FINISHED');
    return expectContinued(viaCurl);
  });

  await check(
    'NO_CLAIM restores left the checkpoint in place; CLAIM given as -D is overwritten by the CLI (reference §1.3)',
    async () => {
      if (!fs.existsSync(path.join(checkpointDir, '_metadata')))
        throw new Error(`${checkpointDir} vanished after NO_CLAIM restores`);
      const out = path.join(work, 'out', 'restored with -D claim mode.txt');
      const q = (a) => `'${a.replace(/'/g, `'\\''`)}'`;
      const jobid = await runFlinkCli(
        [
          q(bin),
          'run',
          '--detached',
          '-Dexecution.state-recovery.claim-mode=CLAIM',
          '--fromSavepoint',
          q(checkpointDir),
          '-c',
          ENTRY_CLASS,
          q(jobJar),
          '--out',
          q(out),
          '--total',
          '6',
        ].join(' '),
      );
      await waitForJob(jobid, 'FINISHED');
      expectContinued(out);
      await sleep(3000); // a claimed checkpoint is deleted right after FINISHED (see the next check): give it time to show
      if (!fs.existsSync(path.join(checkpointDir, '_metadata')))
        throw new Error('the -D claim mode took effect: Flink claimed and deleted the checkpoint');
      return 'the job restored, and the checkpoint was not claimed: the generator must use --claimMode, as it does';
    },
  );

  const claimed = path.join(work, 'out', 'restored with claim.txt');
  await check(
    'restore with --claim-mode claim through the generated `flink run` line: Flink owns the checkpoint and deletes it',
    async () => {
      const generated = generate([
        checkpointDir,
        '--target',
        'cli',
        '--flink',
        FLINK_LINE,
        '--flink-command',
        bin,
        '--claim-mode',
        'claim',
        '--jar',
        jobJar,
        '--entry-class',
        ENTRY_CLASS,
        '--',
        '--out',
        claimed,
        '--total',
        '6',
      ]);
      if (!generated.stderr.includes('warning (claim-mode-ownership)'))
        throw new Error(`no ownership warning: ${generated.stderr}`);
      if (!fs.existsSync(path.join(checkpointDir, '_metadata')))
        throw new Error(`${checkpointDir} is gone before the CLAIM restore`);
      const jobid = await runFlinkCli(generatedCommandLine(generated));
      await waitForJob(jobid, 'FINISHED');
      const continued = expectContinued(claimed);
      await waitFor(`Flink to delete the claimed ${checkpointDir}`, 20_000, () => !fs.existsSync(checkpointDir));
      return `${continued}; ${path.basename(checkpointDir)} deleted by Flink once the job finished`;
    },
  );
}

async function stopCluster() {
  if (!cluster || cluster.exitCode !== null || cluster.signalCode !== null) return;
  const exited = new Promise((resolve) => cluster.once('exit', resolve));
  cluster.kill('SIGTERM');
  const timer = setTimeout(() => cluster.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

const watchdog = setTimeout(() => {
  log(`FAIL: the proof took longer than ${OVERALL_MS / 1000} s`);
  results.push({ name: 'time limit', ok: false });
  finish(1);
}, OVERALL_MS);

let finishing = false;
async function finish(code) {
  if (finishing) return;
  finishing = true;
  clearTimeout(watchdog);
  await stopCluster();
  if (code !== 0 && clusterLog && fs.existsSync(clusterLog)) {
    process.stdout.write(
      `--- last lines of the cluster log ---\n${fs.readFileSync(clusterLog, 'utf8').split('\n').slice(-40).join('\n')}\n`,
    );
  }
  if (keep) log(`kept ${base}`);
  else fs.rmSync(base, { recursive: true, force: true });
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exit(failed === 0 && code === 0 ? 0 : 1);
}

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => finish(1));
main().then(
  () => finish(0),
  () => finish(1),
);
