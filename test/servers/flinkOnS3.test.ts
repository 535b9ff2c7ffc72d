import * as assert from 'node:assert/strict';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findLatestCompleteCheckpoint } from '../../src/core/layout';
import { parseMetadata, summarize } from '../../src/core/metadata';
import { storePathOf } from '../../src/core/references/locate';
import { missingFilesCheck } from '../../src/core/references/presence';
import { analyseCleanup, runCleanup } from '../../src/core/references/safety';
import { S3Store, openStore } from '../../src/core/stores';
import { prerequisite, repoRoot } from '../support/repo';
import { S3Server, s3Prerequisites, startVersityGw } from './s3Servers';

/** What scripts/flink-on-s3.sh writes once the job is cancelled. */
interface JobResult {
  jobId: string;
  configuration: Record<string, string>;
  checkpoints: string[];
}

/** One run of the bench's word count into the bucket. */
interface Scenario {
  readonly title: string;
  readonly flink: '1.20' | '2.2';
  readonly scenario: 'rocksdb-incremental' | 'entropy' | 'file-merging';
  /** The checkpoint directory Flink is given (with the entropy key for `entropy`). */
  readonly checkpoints: string;
  /** Where `_metadata` lands: the directory without the entropy key. */
  readonly root: string;
}

const BUCKET = 'flink';
/** The entropy key S3Scenario configures (`s3.entropy.key`). */
const ENTROPY_KEY = '_entropy_';
const SCENARIOS: readonly Scenario[] = [
  {
    title: 'Flink 2.2, flink-s3-fs-hadoop (s3a://), RocksDB incremental',
    flink: '2.2',
    scenario: 'rocksdb-incremental',
    checkpoints: `s3a://${BUCKET}/hadoop/checkpoints`,
    root: `s3a://${BUCKET}/hadoop/checkpoints`,
  },
  {
    title: 'Flink 2.2, flink-s3-fs-presto (s3p://), entropy injection',
    flink: '2.2',
    scenario: 'entropy',
    checkpoints: `s3p://${BUCKET}/${ENTROPY_KEY}/presto/checkpoints`,
    root: `s3p://${BUCKET}/presto/checkpoints`,
  },
  {
    title: 'Flink 1.20, flink-s3-fs-hadoop (s3a://), file merging',
    flink: '1.20',
    scenario: 'file-merging',
    checkpoints: `s3a://${BUCKET}/merging/checkpoints`,
    root: `s3a://${BUCKET}/merging/checkpoints`,
  },
];

/** Each job gets this long (Maven when its build is stale, the MiniCluster, three checkpoints, the cancellation). */
const JOB_TIMEOUT_MS = 240_000;
const ROOT = repoRoot();

function onPath(command: string): boolean {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .some((dir) => dir !== '' && fs.existsSync(path.join(dir, command)));
}

function prerequisites(): string | undefined {
  if (!onPath('java')) return prerequisite('Java 17 is not installed (the Flink jobs run on it)');
  if (!onPath('mvn')) return prerequisite('Maven is not installed (it builds test/flink with the S3 file systems)');
  return s3Prerequisites('versitygw');
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
  "real Flink jobs checkpointing into versitygw through Flink's S3 file systems, browsed by the S3 store and the CLI",
  { skip: prerequisites() ?? false },
  () => {
    let dir = '';
    let server: S3Server;
    let job: ChildProcess | undefined;
    const results = new Map<Scenario, JobResult>();
    const seconds = new Map<Scenario, number>();
    let env: NodeJS.ProcessEnv;

    async function runJob(scenario: Scenario): Promise<JobResult> {
      const resultFile = path.join(dir, `${scenario.scenario}.json`);
      const logFile = path.join(dir, `${scenario.scenario}.log`);
      const out = fs.openSync(logFile, 'a');
      const child = spawn(
        'bash',
        [
          path.join(ROOT, 'scripts', 'flink-on-s3.sh'),
          '--flink',
          scenario.flink,
          '--checkpoints',
          scenario.checkpoints,
          '--endpoint',
          server.endpoint,
          '--scenario',
          scenario.scenario,
          '--result',
          resultFile,
        ],
        {
          stdio: ['ignore', out, out],
          detached: true,
          env: { ...process.env, AWS_ACCESS_KEY_ID: server.accessKey, AWS_SECRET_ACCESS_KEY: server.secretKey },
        },
      );
      fs.closeSync(out);
      job = child;
      const timer = setTimeout(() => killGroup(child), JOB_TIMEOUT_MS);
      const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      clearTimeout(timer);
      assert.equal(
        code,
        0,
        `${scenario.title}: the Flink job failed or timed out after ${JOB_TIMEOUT_MS} ms:\n${fs.readFileSync(logFile, 'utf8').slice(-4000)}`,
      );
      return JSON.parse(fs.readFileSync(resultFile, 'utf8')) as JobResult;
    }

    /** The real command line (dist/cli.js), with the environment given. */
    function cli(
      args: string[],
      extraEnv: NodeJS.ProcessEnv = env,
    ): { code: number | null; out: string; err: string; ms: number } {
      const started = Date.now();
      const run = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), ...args], {
        env: extraEnv,
        encoding: 'utf8',
        timeout: 60_000,
      });
      return { code: run.status, out: run.stdout, err: run.stderr, ms: Date.now() - started };
    }

    function store(scenario: Scenario): S3Store {
      return openStore(scenario.root, {
        password: server.secretKey,
        s3: { endpoint: server.endpoint, accessKeyId: server.accessKey },
      }) as S3Store;
    }

    before(
      async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-flink-s3-'));
        const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], {
          cwd: ROOT,
          encoding: 'utf8',
        });
        assert.equal(build.status, 0, build.stderr);
        server = await startVersityGw();
        fs.mkdirSync(path.join(server.dataDir, BUCKET));
        env = {
          PATH: process.env.PATH,
          HOME: dir,
          AWS_ACCESS_KEY_ID: server.accessKey,
          AWS_SECRET_ACCESS_KEY: server.secretKey,
          AWS_REGION: 'us-east-1',
          AWS_ENDPOINT_URL: server.endpoint,
        };
        for (const scenario of SCENARIOS) {
          const start = Date.now();
          results.set(scenario, await runJob(scenario));
          seconds.set(scenario, (Date.now() - start) / 1000);
        }
      },
      { timeout: SCENARIOS.length * JOB_TIMEOUT_MS + 60_000 },
    );

    after(async () => {
      if (job) killGroup(job);
      await server?.stop();
      if (server) fs.rmSync(path.dirname(server.dataDir), { recursive: true, force: true });
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    for (const scenario of SCENARIOS) {
      describe(scenario.title, () => {
        it('ls shows the job and its latest complete checkpoint, with credentials from the environment', (t) => {
          const result = results.get(scenario)!;
          t.diagnostic(`Flink job: ${seconds.get(scenario)!.toFixed(1)} s; completed ${result.checkpoints.join(', ')}`);
          const ls = cli(['ls', scenario.root, '--json']);
          assert.equal(ls.code, 0, ls.err);
          const newest = result.checkpoints[result.checkpoints.length - 1];
          assert.ok(ls.out.includes(result.jobId), ls.out);
          assert.ok(ls.out.includes(newest), ls.out);
          const latest = cli(['latest', `${scenario.root}/${result.jobId}`]);
          assert.equal(latest.code, 0, latest.err);
          assert.equal(latest.out.trim(), `${scenario.root}/${result.jobId}/${newest}`);
        });

        it('inspect reads the _metadata Flink wrote, whose paths name the bucket', async (t) => {
          const result = results.get(scenario)!;
          const newest = result.checkpoints[result.checkpoints.length - 1];
          const inspect = cli(['inspect', `${scenario.root}/${result.jobId}/${newest}`, '--json']);
          assert.equal(inspect.code, 0, inspect.err);
          const s3 = store(scenario);
          try {
            const pointer = `${scenario.root}/${result.jobId}/${newest}`;
            const bytes = await s3.readAll(`/${result.jobId}/${newest}/_metadata`);
            const summary = summarize(parseMetadata(bytes, { pointer }), { pointer });
            assert.equal(summary.checkpointId, Number(newest.slice(4)));
            assert.ok(summary.referencedFiles.length > 0);
            const scheme = scenario.root.slice(0, scenario.root.indexOf(':'));
            for (const file of summary.referencedFiles) assert.ok(file.startsWith(`${scheme}://${BUCKET}/`), file);
            // Every referenced file is an object in the bucket: under the store root, or (entropy) under a random prefix.
            const bucket = openStore(`${scheme}://${BUCKET}`, {
              password: server.secretKey,
              s3: { endpoint: server.endpoint, accessKeyId: server.accessKey },
            });
            try {
              for (const file of summary.referencedFiles) {
                const inBucket = storePathOf(bucket.uri, file)!;
                assert.equal((await bucket.stat(inBucket)).kind, 'file', file);
              }
            } finally {
              await bucket.close();
            }
            const outside = summary.referencedFiles.filter((f) => storePathOf(s3.uri, f) === undefined);
            if (scenario.scenario === 'entropy') {
              assert.ok(outside.length > 0, 'data files lie under entropy prefixes, outside the _metadata root');
              for (const file of outside) {
                assert.match(file, new RegExp(`^s3p://${BUCKET}/[A-Za-z0-9]{4}/presto/checkpoints/`), file);
              }
            } else {
              assert.deepEqual(outside, []);
            }
            t.diagnostic(
              `${summary.referencedFiles.length} referenced files, ${outside.length} under entropy prefixes; state ${summary.stateSize} bytes`,
            );
          } finally {
            await s3.close();
          }
        });

        it('the store finds the latest checkpoint in a few requests, and orphans runs as a dry run', async (t) => {
          const result = results.get(scenario)!;
          const s3 = store(scenario);
          try {
            const { latest } = await findLatestCompleteCheckpoint(s3, `/${result.jobId}`);
            assert.equal(latest?.name, result.checkpoints[result.checkpoints.length - 1]);
            t.diagnostic(`latest: ${s3.requestCount} S3 requests`);
          } finally {
            await s3.close();
          }
          const orphans = cli(['orphans', `${scenario.root}/${result.jobId}`, '--json']);
          assert.equal(orphans.code, 0, orphans.err);
          const report = JSON.parse(orphans.out) as { candidates: { path: string }[] };
          assert.ok(Array.isArray(report.candidates));
          t.diagnostic(`orphans: ${report.candidates.length} candidates`);
        });
      });
    }

    const entropyScenario = SCENARIOS.find((s) => s.scenario === 'entropy')!;
    it('entropy injection: a store configured with the key finds every data file, and cleanup never deletes a referenced one', async (t) => {
      const result = results.get(entropyScenario)!;
      const job = `/${result.jobId}`;
      const configured = entropyScenario.checkpoints;
      const s3 = openStore(configured, {
        password: server.secretKey,
        s3: { endpoint: server.endpoint, accessKeyId: server.accessKey, entropyKey: ENTROPY_KEY },
      }) as S3Store;
      const plain = store(entropyScenario);
      // Orphans Flink did not write: an old data file under a random prefix of this job, one of no job here.
      const orphan = `Qx7z/presto/checkpoints/${result.jobId}/shared/0b8f5e7e-orphan`;
      const unrelated = 'Qx7z/presto/checkpoints/not-a-job/shared/unrelated';
      for (const key of [orphan, unrelated]) {
        const file = path.join(server.dataDir, BUCKET, key);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, 'stale state');
        const hourAgo = new Date(Date.now() - 3_600_000);
        fs.utimesSync(file, hourAgo, hourAgo);
      }
      try {
        assert.equal(s3.label, plain.label, 'rooted where Flink writes _metadata');
        // Presence: every retained checkpoint's data files are found at their entropy-injected objects.
        const check = missingFilesCheck(s3);
        const retained: string[] = [];
        for await (const page of s3.list(job)) {
          for (const entry of page) if (/^chk-\d+$/.test(entry.name)) retained.push(entry.path);
        }
        let references = 0;
        const newest = result.checkpoints[result.checkpoints.length - 1];
        const missingBefore = new Map<string, readonly string[]>();
        for (const chk of retained) {
          const bytes = await s3.readAll(`${chk}/_metadata`).catch(() => undefined);
          if (!bytes) continue;
          const pointer = `${plain.label}${chk}`;
          const summary = summarize(parseMetadata(bytes, { pointer }), { pointer });
          const injected = summary.referencedFiles.filter((f) => s3.entropy!.pathOf(f) !== undefined);
          assert.ok(injected.length > 0, `${chk} references entropy-injected files`);
          assert.deepEqual(
            summary.referencedFiles.filter((f) => storePathOf(s3.uri, f) === undefined && !injected.includes(f)),
            [],
            'every file outside the root is mapped',
          );
          references += injected.length;
          const missing = await check({ path: chk, kind: 'checkpoint' });
          missingBefore.set(chk, missing);
          if (chk === `${job}/${newest}`) assert.deepEqual(missing, [], chk);
          // A subsumed checkpoint that a cancellation caught half discarded (Flink discards asynchronously) names
          // each object it lost, and only objects that are gone.
          for (const lost of missing) {
            assert.ok(injected.includes(lost), lost);
            assert.equal(await s3.entropy!.exists(lost), false, lost);
          }
          if (missing.length > 0) t.diagnostic(`${chk}: half discarded by Flink, ${missing.length} objects gone`);
        }
        const before = s3.requestCount;
        const { latest } = await findLatestCompleteCheckpoint(s3, job);
        assert.equal(latest?.name, result.checkpoints[result.checkpoints.length - 1]);
        t.diagnostic(
          `${retained.length} retained checkpoints, ${references} entropy-injected references found; latest in ${s3.requestCount - before} requests`,
        );

        // Cleanup: the orphan is found only through the configured store; nothing referenced is a candidate.
        const blind = await analyseCleanup(plain, job, { jobStopped: true });
        assert.ok(!blind.candidates.some((c) => c.path.endsWith('0b8f5e7e-orphan')));
        const plan = await analyseCleanup(s3, job, { jobStopped: true });
        const protectedPaths = new Set(
          plan.retained.flatMap((r) => r.references.map((f) => s3.entropy!.pathOf(f) ?? storePathOf(s3.uri, f))),
        );
        const referenced = new Set(plan.retained.flatMap((r) => r.references));
        for (const candidate of plan.candidates) {
          assert.ok(!protectedPaths.has(candidate.path), `${candidate.path} is referenced`);
          if (candidate.location) assert.ok(!referenced.has(candidate.location), candidate.location);
        }
        const planted = plan.candidates.find((c) => c.path === `${job}/shared/0b8f5e7e-orphan`);
        assert.equal(planted?.location, `s3p://${BUCKET}/${orphan}`);
        assert.ok(!plan.candidates.some((c) => c.path.includes('unrelated')));

        // The CLI, given the directory as Flink is configured and the key in the environment, reports it too.
        const cliRun = cli(['orphans', `${configured}/${result.jobId}`, '--json', '--job-stopped'], {
          ...env,
          FLINK_CHECKPOINTS_S3_ENTROPY_KEY: ENTROPY_KEY,
        });
        assert.equal(cliRun.code, 0, cliRun.err);
        const report = JSON.parse(cliRun.out) as { candidates: { path: string; location?: string }[] };
        assert.ok(
          report.candidates.some((c) => c.location === `s3p://${BUCKET}/${orphan}`),
          cliRun.out,
        );

        const done = await runCleanup(s3, plan, { jobStopped: true });
        assert.ok(done.deleted.some((c) => c.path === planted.path));
        assert.ok(!fs.existsSync(path.join(server.dataDir, BUCKET, orphan)), 'the orphaned object is deleted');
        assert.ok(fs.existsSync(path.join(server.dataDir, BUCKET, unrelated)));
        for (const chk of retained) {
          if (await s3.stat(`${chk}/_metadata`).catch(() => undefined)) {
            assert.deepEqual(
              await missingFilesCheck(s3)({ path: chk, kind: 'checkpoint' }),
              missingBefore.get(chk) ?? [],
              `${chk} after cleanup`,
            );
          }
        }
        // A referenced object gone: the checkpoint names it missing and latest falls back to the one before.
        const newestBytes = await s3.readAll(`${job}/${newest}/_metadata`);
        const pointer = `${plain.label}${job}/${newest}`;
        const lost = summarize(parseMetadata(newestBytes, { pointer }), { pointer }).referencedFiles.find(
          (f) => s3.entropy!.pathOf(f) !== undefined,
        )!;
        const lostFile = path.join(server.dataDir, BUCKET, lost.replace(/^s3p:\/\/[^/]+\//, ''));
        fs.renameSync(lostFile, `${lostFile}.aside`);
        try {
          assert.deepEqual(await missingFilesCheck(s3)({ path: `${job}/${newest}`, kind: 'checkpoint' }), [lost]);
          const fallback = (await findLatestCompleteCheckpoint(s3, job)).latest?.name;
          assert.notEqual(fallback, newest);
        } finally {
          fs.renameSync(`${lostFile}.aside`, lostFile);
        }
        t.diagnostic(
          `cleanup: ${plan.candidates.length} candidates, ${done.deleted.length} deleted, ${plan.referencedFiles} referenced files kept`,
        );
      } finally {
        await Promise.all([s3.close(), plain.close()]);
      }
    });

    it('reads credentials from a profile of the shared AWS files', () => {
      const [first] = SCENARIOS;
      const credentials = path.join(dir, 'credentials');
      fs.writeFileSync(
        credentials,
        `[flink-test]\naws_access_key_id = ${server.accessKey}\naws_secret_access_key = ${server.secretKey}\n`,
      );
      const ls = cli(['ls', first.root], {
        PATH: process.env.PATH,
        HOME: dir,
        AWS_PROFILE: 'flink-test',
        AWS_SHARED_CREDENTIALS_FILE: credentials,
        AWS_CONFIG_FILE: path.join(dir, 'config'),
        AWS_ENDPOINT_URL: server.endpoint,
      });
      assert.equal(ls.code, 0, ls.err);
      assert.ok(ls.out.includes(results.get(first)!.jobId));
    });

    it('fails a wrong secret with exit 1 and a clear message within 10 s, printing no secret', () => {
      const [first] = SCENARIOS;
      const wrong = 'NotTheSecret/But+Close1234567890abcdefgh';
      const run = cli(['ls', first.root], { ...env, AWS_SECRET_ACCESS_KEY: wrong });
      assert.equal(run.code, 1);
      assert.ok(run.ms < 10_000, `${run.ms} ms`);
      assert.match(run.err, /s3a:\/\/flink\/hadoop\/checkpoints: .*SignatureDoesNotMatch.*secret access key/);
      for (const secret of [wrong, server.secretKey]) assert.ok(!run.err.includes(secret) && !run.out.includes(secret));
    });
  },
);
