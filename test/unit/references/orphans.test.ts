import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openStore } from '../../../src/core/stores';
import {
  CleanupPlan,
  analyseCleanup,
  protectionOf,
  restoreTrash,
  runCleanup,
} from '../../../src/core/references/safety';
import { parseMetadata } from '../../../src/core/metadata';

const REPO = path.resolve(__dirname, '../../../..');

/** Store paths inside the job that the plan's retained snapshots reference. */
function referencedIn(plan: CleanupPlan): string[] {
  return [...protectionOf(plan.view).paths].filter((p) => p.startsWith(`${plan.jobPath}/`));
}
const FIXTURES = path.join(REPO, 'test/fixtures/flink');

/** Real job directories written by Flink's incremental RocksDB backend (shared SSTs referenced by several checkpoints). */
function incrementalJobs(): string[] {
  if (!fs.existsSync(FIXTURES)) return [];
  return fs.readdirSync(FIXTURES).flatMap((version) => {
    const scenario = path.join(FIXTURES, version, 'rocksdb-incremental');
    return fs.existsSync(scenario) ? fs.readdirSync(scenario).map((job) => path.join(scenario, job)) : [];
  });
}

function setTimes(dir: string, time: Date): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) setTimes(full, time);
    fs.utimesSync(full, time, time);
  }
}

/** The job-relative names the oracle (Flink's own reader) says the retained checkpoints reference. */
function oracleReferences(job: string): Set<string> {
  const jobId = path.basename(job);
  const names = new Set<string>();
  for (const chk of fs.readdirSync(job).filter((n) => n.startsWith('chk-'))) {
    const oracle = path.join(job, chk, '_metadata.oracle.json');
    if (!fs.existsSync(oracle)) continue;
    for (const file of JSON.parse(fs.readFileSync(oracle, 'utf8')).referencedFiles as string[]) {
      const match = new RegExp(`/${jobId}/(shared|taskowned)/(.+)$`).exec(file);
      if (match) names.add(`/${match[1]}/${match[2]}`);
    }
  }
  return names;
}

function copyJob(job: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orphans-'));
  const target = path.join(dir, path.basename(job));
  fs.cpSync(job, target, { recursive: true });
  for (const oracle of fs.readdirSync(target).filter((n) => n.startsWith('chk-'))) {
    fs.rmSync(path.join(target, oracle, '_metadata.oracle.json'), { force: true });
  }
  return target;
}

const jobs = incrementalJobs();

test(
  'orphans of real incremental RocksDB jobs agree with the references Flink reads',
  { skip: jobs.length === 0 && 'no test/fixtures/flink/*/rocksdb-incremental trees (run npm run fixtures)' },
  async () => {
    for (const job of jobs) {
      const copy = copyJob(job);
      const old = new Date(Date.now() - 3600_000);
      setTimes(copy, old);
      for (const chk of fs.readdirSync(copy).filter((n) => n.startsWith('chk-'))) {
        fs.utimesSync(path.join(copy, chk, '_metadata'), new Date(), new Date());
      }
      const store = openStore(path.dirname(copy));
      const jobPath = `/${path.basename(copy)}`;
      const report = await analyseCleanup(store, jobPath);

      const referenced = oracleReferences(job);
      const sharedFiles: string[] = [];
      for (const dir of ['shared', 'taskowned']) {
        const walk = (d: string): void => {
          if (!fs.existsSync(d)) return;
          for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const full = path.join(d, e.name);
            if (e.isDirectory()) walk(full);
            else sharedFiles.push(`/${path.relative(copy, full).split(path.sep).join('/')}`);
          }
        };
        walk(path.join(copy, dir));
      }
      const expected = sharedFiles
        .filter((f) => !referenced.has(f))
        .map((f) => `${jobPath}${f}`)
        .sort();
      const found = report.candidates
        .filter((c) => c.reason === 'unreferenced')
        .map((c) => c.path)
        .sort();
      assert.deepEqual(found, expected, `${job}: unreferenced files differ from what the oracle implies`);
      assert.ok(report.retained.length >= 2, `${job}: two retained checkpoints`);
      assert.equal(report.sharedStateBlocked, undefined);
      await store.close();
    }
  },
);

test(
  'cleanup deletes planted leftovers, keeps recent and referenced files, and every checkpoint still reads whole',
  { skip: jobs.length === 0 && 'no real incremental RocksDB fixtures' },
  async () => {
    const copy = copyJob(jobs[0]);
    const longAgo = new Date(Date.now() - 7200_000);
    setTimes(copy, longAgo);
    const chks = fs.readdirSync(copy).filter((n) => n.startsWith('chk-'));
    const metadataTime = new Date(Date.now() - 3600_000);
    for (const chk of chks) fs.utimesSync(path.join(copy, chk, '_metadata'), metadataTime, metadataTime);
    const ids = chks.map((n) => Number(n.slice(4)));

    fs.writeFileSync(path.join(copy, 'shared', 'leftover-sst'), 'x'.repeat(100));
    fs.utimesSync(path.join(copy, 'shared', 'leftover-sst'), longAgo, longAgo);
    fs.writeFileSync(path.join(copy, 'shared', 'being-uploaded-sst'), 'y');
    fs.mkdirSync(path.join(copy, 'chk-0'));
    fs.writeFileSync(path.join(copy, 'chk-0', 'part'), 'z'.repeat(10));
    const running = `chk-${Math.max(...ids) + 1}`;
    fs.mkdirSync(path.join(copy, running));
    const truncated = fs.readFileSync(path.join(copy, chks[0], '_metadata')).subarray(0, 50);
    fs.mkdirSync(path.join(copy, 'chk-1'));
    fs.writeFileSync(path.join(copy, 'chk-1', '_metadata'), truncated);
    const writing = `chk-${Math.max(...ids) + 2}`;
    fs.mkdirSync(path.join(copy, writing));
    fs.writeFileSync(path.join(copy, writing, '_metadata'), truncated);

    const store = openStore(path.dirname(copy));
    const jobPath = `/${path.basename(copy)}`;
    const whileRunning = await analyseCleanup(store, jobPath);
    assert.match(
      whileRunning.sharedStateKept ?? '',
      new RegExp(`${running}.*in progress.*--job-stopped`),
      'a running checkpoint keeps shared state, and says how to proceed',
    );
    assert.ok(whileRunning.kept.some((k) => k.path === `${jobPath}/shared/leftover-sst`));
    assert.ok(!whileRunning.candidates.some((c) => c.path.startsWith(`${jobPath}/shared/`)));
    assert.ok(
      whileRunning.kept.some((k) => k.path === `${jobPath}/${running}`),
      'the newest in-progress checkpoint is kept',
    );
    assert.ok(
      whileRunning.kept.some((k) => k.path === `${jobPath}/${writing}`),
      'a truncated _metadata newer than the latest complete one may still be written',
    );

    // The running checkpoints were aborted and Flink removed their directories.
    fs.rmSync(path.join(copy, running), { recursive: true });
    fs.rmSync(path.join(copy, writing), { recursive: true });
    const report = await analyseCleanup(store, jobPath);
    const byPath = new Map(report.candidates.map((c) => [c.path, c]));
    assert.equal(byPath.get(`${jobPath}/shared/leftover-sst`)?.reason, 'unreferenced');
    assert.equal(byPath.get(`${jobPath}/chk-0`)?.reason, 'in-progress');
    assert.equal(byPath.get(`${jobPath}/chk-1`)?.reason, 'broken');
    assert.ok(!byPath.has(`${jobPath}/shared/being-uploaded-sst`), 'a file newer than every retained snapshot is kept');
    assert.ok(report.kept.some((k) => k.path === `${jobPath}/shared/being-uploaded-sst`));
    const referenced = referencedIn(report);
    assert.ok(referenced.length > 10);
    for (const file of referenced) assert.ok(!byPath.has(file), `${file} is referenced and must not be a candidate`);

    const journal: string[] = [];
    const result = await runCleanup(store, report, { journal: (line) => journal.push(line) });
    assert.deepEqual(result.moved.map((c) => c.path).sort(), report.candidates.map((c) => c.path).sort());
    assert.equal(result.skipped.length, 0);
    assert.equal(
      journal.filter((l) => l.startsWith('moved ')).length,
      report.candidates.length,
      'every move is journalled',
    );
    assert.ok(!fs.existsSync(path.join(copy, 'shared', 'leftover-sst')));
    assert.ok(
      fs.existsSync(path.join(path.dirname(copy), result.trashPath!, jobPath, 'shared', 'leftover-sst')),
      'quarantined with its path kept',
    );
    assert.ok(fs.existsSync(path.join(copy, 'shared', 'being-uploaded-sst')));
    for (const snapshot of report.retained) {
      parseMetadata(fs.readFileSync(path.join(path.dirname(copy), snapshot.path, '_metadata')));
    }
    for (const file of referenced) {
      assert.ok(fs.existsSync(path.join(path.dirname(copy), file)), `${file} survived cleanup`);
    }
    const again = await analyseCleanup(store, jobPath);
    assert.equal(again.candidates.length, 0, 'nothing left to clean after cleanup');

    const back = await restoreTrash(store, result.trashPath!);
    assert.equal(back.restored.length, report.candidates.length);
    assert.ok(fs.existsSync(path.join(copy, 'shared', 'leftover-sst')), 'put back where it was');
    assert.ok(fs.existsSync(path.join(copy, 'chk-0', 'part')));
    assert.ok(!fs.existsSync(path.join(path.dirname(copy), result.trashPath!)), 'the emptied trash directory goes');
    await store.close();
  },
);

test('a job without a readable checkpoint never offers shared state for deletion', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orphans-empty-'));
  const job = path.join(dir, '0123456789abcdef0123456789abcdef');
  fs.mkdirSync(path.join(job, 'shared'), { recursive: true });
  fs.mkdirSync(path.join(job, 'chk-5'));
  fs.writeFileSync(path.join(job, 'shared', 'old.sst'), 'data');
  const old = new Date(Date.now() - 3600_000);
  fs.utimesSync(path.join(job, 'shared', 'old.sst'), old, old);
  const store = openStore(dir);
  const report = await analyseCleanup(store, '/0123456789abcdef0123456789abcdef');
  assert.equal(report.candidates.length, 0);
  assert.match(report.sharedStateBlocked ?? '', /no complete checkpoint/);
  await store.close();
});
