import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CheckpointStore, LocalStore, StoreCapabilities, openStore, parseStoreUri } from '../../../src/core/stores';
import { CleanupPlan, TRASH_DIR, analyseCleanup, runCleanup } from '../../../src/core/references/safety';
import { findLatestCompleteCheckpoint } from '../../../src/core/layout';
import { runCli } from '../../../src/cli/main';
import { FtpServer, serverPrerequisites, startProftpd, startPyFtpd } from '../../servers/servers';

/**
 * The deletion scenarios of issue 14, each on the real Flink 2.2 RocksDB-incremental checkpoints (chk-2 and chk-3
 * share 8 of their shared files; 12 are chk-2's alone), relocated into a temporary checkpoint base: files 2 h old,
 * `_metadata` 1 h old. Each runs on the local store and over FTP (pyftpdlib, which shows links as what they point to).
 */
const REPO = path.resolve(__dirname, '../../../..');
const A = '93b98f10c765763ca497151b572a4874';
const FIXTURE = path.join(REPO, 'test/fixtures/flink/2.2.1/rocksdb-incremental', A);
const B = 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0';

/** The job-relative shared files Flink's own reader says a checkpoint of the fixture references. */
function sharedOf(chk: string): string[] {
  const refs = JSON.parse(fs.readFileSync(path.join(FIXTURE, chk, '_metadata.oracle.json'), 'utf8'))
    .referencedFiles as string[];
  return refs.map((r) => /\/(shared\/[^/]+)$/.exec(r)?.[1]).filter((r): r is string => r !== undefined);
}
const CHK2 = sharedOf('chk-2');
const CHK3 = sharedOf('chk-3');
const ONLY_CHK2 = CHK2.filter((f) => !CHK3.includes(f));

const HOURS = 3600_000;
function setTree(dir: string, time: Date): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) setTree(full, time);
    if (entry.isSymbolicLink()) fs.lutimesSync(full, time, time);
    else fs.utimesSync(full, time, time);
  }
}

/** A checkpoint base holding job A as Flink left it; `_metadata` 1 h old, everything else 2 h. */
function freshBase(root: string, name: string): string {
  const base = path.join(root, name);
  fs.cpSync(FIXTURE, path.join(base, A), { recursive: true, filter: (src) => !src.endsWith('.oracle.json') });
  age(base);
  return base;
}

function age(base: string): void {
  setTree(base, new Date(Date.now() - 2 * HOURS));
  for (const job of fs.readdirSync(base)) {
    const dir = path.join(base, job);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const snap of fs.readdirSync(dir)) {
      const metadata = path.join(dir, snap, '_metadata');
      if (fs.existsSync(metadata)) fs.utimesSync(metadata, new Date(Date.now() - HOURS), new Date(Date.now() - HOURS));
    }
    if (fs.existsSync(path.join(dir, '_metadata'))) {
      fs.utimesSync(path.join(dir, '_metadata'), new Date(Date.now() - HOURS), new Date(Date.now() - HOURS));
    }
  }
}

function missing(dir: string, files: readonly string[]): string[] {
  return files.filter((f) => !fs.existsSync(path.join(dir, f)));
}

interface Where {
  readonly name: string;
  /** The store of a base directory created below `root`. */
  open(base: string): CheckpointStore;
  readonly reportsLinks: boolean;
}

async function clean(
  store: CheckpointStore,
  job: string,
  options: Parameters<typeof runCleanup>[2] = {},
): Promise<{ plan: CleanupPlan; result: Awaited<ReturnType<typeof runCleanup>>; journal: string[] }> {
  const journal: string[] = [];
  const plan = await analyseCleanup(store, `/${job}`, options);
  const result = await runCleanup(store, plan, { ...options, journal: (l) => journal.push(l) });
  return { plan, result, journal };
}

function scenarios(where: () => Where, root: () => string): void {
  let n = 0;
  const base = (): string => freshBase(root(), `base-${++n}`);

  it(`another job's checkpoint referencing A's shared files keeps them (${CHK2.length} files, ${ONLY_CHK2.length} only there)`, async () => {
    const dir = base();
    const store = where().open(dir);
    try {
      const chk2 = path.join(dir, A, 'chk-2');
      const parked = path.join(root(), `parked-${n}`);
      fs.renameSync(chk2, parked);
      const without = await analyseCleanup(store, `/${A}`);
      assert.deepEqual(
        without.candidates.map((c) => c.path).sort(),
        ONLY_CHK2.map((f) => `/${A}/${f}`).sort(),
        'control: with chk-2 gone, its own files are candidates',
      );
      fs.mkdirSync(path.join(dir, B));
      fs.renameSync(parked, path.join(dir, B, 'chk-2'));
      const { plan, result } = await clean(store, A);
      assert.equal(plan.candidates.length, 0, plan.candidates.map((c) => c.path).join(', '));
      assert.equal(result.moved.length, 0);
      assert.deepEqual(missing(path.join(dir, A), CHK2), []);
      const latest = await findLatestCompleteCheckpoint(store, `/${B}`);
      assert.equal(latest.latest?.name, 'chk-2', 'latest B still says chk-2, and its files are there');
    } finally {
      await store.close();
    }
  });

  it('a savepoint beside the job (chk-2 renamed to savepoint-…) keeps its files', async () => {
    const dir = base();
    const store = where().open(dir);
    try {
      fs.renameSync(path.join(dir, A, 'chk-2'), path.join(dir, 'savepoint-93b98f-0123456789ab'));
      const { plan } = await clean(store, A);
      assert.equal(plan.candidates.length, 0, plan.candidates.map((c) => c.path).join(', '));
      assert.ok(plan.retained.some((s) => s.path === '/savepoint-93b98f-0123456789ab'));
      assert.deepEqual(missing(path.join(dir, A), CHK2), []);
    } finally {
      await store.close();
    }
  });

  it('a link in shared/ to a directory outside the job: the files outside stay', async () => {
    const dir = base();
    const outside = path.join(dir, 'outside');
    fs.mkdirSync(outside);
    for (let i = 0; i < 3; i++) fs.writeFileSync(path.join(outside, `precious-${i}`), 'keep me');
    fs.symlinkSync(outside, path.join(dir, A, 'shared', 'ext'));
    age(dir);
    const store = where().open(dir);
    try {
      const { plan, result } = await clean(store, A);
      for (let i = 0; i < 3; i++) {
        assert.ok(fs.existsSync(path.join(outside, `precious-${i}`)), 'nothing outside the job is touched');
      }
      assert.ok(!plan.candidates.some((c) => c.path.startsWith(`/${A}/shared/ext/`)), 'never walked through');
      if (where().reportsLinks && where().name === 'local') {
        assert.deepEqual(
          plan.candidates.map((c) => [c.path, c.kind]),
          [[`/${A}/shared/ext`, 'link']],
        );
        assert.ok(
          fs.lstatSync(path.join(dir, result.trashPath!, A, 'shared', 'ext')).isSymbolicLink(),
          'the link itself went to the trash',
        );
      } else if (where().reportsLinks) {
        // ProFTPD does not list a link that leads out of its root at all.
        assert.deepEqual(
          plan.candidates.filter((c) => c.path.startsWith(`/${A}/shared/ext`)).map((c) => c.kind),
          [],
        );
        assert.ok(fs.lstatSync(path.join(dir, A, 'shared', 'ext')).isSymbolicLink());
      } else {
        assert.ok(
          plan.kept.some((k) => k.path === `/${A}/shared/ext` && /not looked into/.test(k.why)),
          'a server that hides links shows a directory Flink does not write: kept',
        );
      }
      assert.deepEqual(missing(path.join(dir, A), [...CHK2, ...CHK3]), []);
    } finally {
      await store.close();
    }
  });

  it('shared/alias -> ../chk-3: the latest checkpoint stays whole', async () => {
    const dir = base();
    fs.symlinkSync('../chk-3', path.join(dir, A, 'shared', 'alias'));
    age(dir);
    const before = fs.readdirSync(path.join(dir, A, 'chk-3')).sort();
    const store = where().open(dir);
    try {
      const { result } = await clean(store, A);
      assert.deepEqual(
        fs.readdirSync(path.join(dir, A, 'chk-3')).sort(),
        before,
        'chk-3 keeps its _metadata and every file',
      );
      assert.equal((await findLatestCompleteCheckpoint(store, `/${A}`)).latest?.name, 'chk-3');
      assert.ok(
        result.moved.every((c) => c.path === `/${A}/shared/alias`),
        result.moved.map((c) => c.path).join(', '),
      );
      if (where().reportsLinks) {
        assert.deepEqual(
          result.moved.map((c) => [c.path, c.kind]),
          [[`/${A}/shared/alias`, 'link']],
          'the link itself is removable, as a link',
        );
        assert.ok(fs.lstatSync(path.join(dir, result.trashPath!, A, 'shared', 'alias')).isSymbolicLink());
      }
    } finally {
      await store.close();
    }
  });

  it("in-progress chk-4 with a new shared upload older than chk-3's _metadata: shared files are kept, with how to proceed", async () => {
    const dir = base();
    fs.mkdirSync(path.join(dir, A, 'chk-4'));
    const upload = path.join(dir, A, 'shared', 'b1946ac9-2a5c-4c1a-9a5b-upload');
    fs.writeFileSync(upload, 'sst');
    fs.utimesSync(upload, new Date(Date.now() - 1.5 * HOURS), new Date(Date.now() - 1.5 * HOURS));
    const store = where().open(dir);
    try {
      const { plan, result } = await clean(store, A);
      assert.match(plan.sharedStateKept ?? '', /chk-4 is in progress.*stop the job and pass --job-stopped/);
      assert.ok(plan.kept.some((k) => k.path === `/${A}/shared/b1946ac9-2a5c-4c1a-9a5b-upload`));
      assert.ok(fs.existsSync(upload));
      assert.equal(result.moved.length, 0);
      // Stopped job: the abandoned chk-4 and the orphaned upload may go.
      const stopped = await analyseCleanup(store, `/${A}`, { jobStopped: true });
      assert.deepEqual(stopped.candidates.map((c) => c.path).sort(), [
        `/${A}/chk-4`,
        `/${A}/shared/b1946ac9-2a5c-4c1a-9a5b-upload`,
      ]);
    } finally {
      await store.close();
    }
  });

  it('times are compared with the store granularity plus a margin: a file 1 s before the newest _metadata is kept', async () => {
    const dir = base();
    const metadataTime = fs.statSync(path.join(dir, A, 'chk-3', '_metadata')).mtimeMs;
    const close = path.join(dir, A, 'shared', 'close-to-metadata');
    fs.writeFileSync(close, 'x');
    fs.utimesSync(close, new Date(metadataTime - 1000), new Date(metadataTime - 1000));
    const store = where().open(dir);
    try {
      const plan = await analyseCleanup(store, `/${A}`);
      assert.ok(plan.kept.some((k) => k.path === `/${A}/shared/close-to-metadata` && /around or after/.test(k.why)));
      assert.equal(plan.candidates.length, 0);
    } finally {
      await store.close();
    }
  });

  it('<job-id>-backup: every shared file of its own complete checkpoints is referenced', async () => {
    const dir = base();
    fs.renameSync(path.join(dir, A), path.join(dir, `${A}-backup`));
    fs.writeFileSync(path.join(dir, `${A}-backup`, 'shared', 'leftover'), 'x');
    age(dir);
    const store = where().open(dir);
    try {
      const { plan, result } = await clean(store, `${A}-backup`);
      assert.deepEqual(
        plan.candidates.map((c) => c.path),
        [`/${A}-backup/shared/leftover`],
        'only the planted leftover',
      );
      assert.equal(result.moved.length, 1);
      assert.deepEqual(missing(path.join(dir, `${A}-backup`), [...CHK2, ...CHK3]), []);
    } finally {
      await store.close();
    }
  });

  it('a checkpoint that completes during --delete --yes: the run stops and moves back what it references', async () => {
    const dir = base();
    const parked = path.join(root(), `race-${n}`);
    fs.renameSync(path.join(dir, A, 'chk-2'), parked);
    const store = where().open(dir);
    try {
      const plan = await analyseCleanup(store, `/${A}`);
      assert.equal(plan.candidates.length, ONLY_CHK2.length);
      let batches = 0;
      const journal: string[] = [];
      const result = await runCleanup(store, plan, {
        batchSize: 4,
        journal: (l) => journal.push(l),
        // Between the re-check and the first batch, job B (restored from chk-2) completes a checkpoint naming them.
        beforeBatch: () => {
          if (batches++ === 0) {
            fs.mkdirSync(path.join(dir, B));
            fs.cpSync(parked, path.join(dir, B, 'chk-2'), { recursive: true });
          }
        },
      });
      assert.equal(batches, 1, 'no batch after the change');
      assert.match(result.stopped ?? '', new RegExp(`/${B}/chk-2 appeared`));
      assert.equal(result.restored.length, 4, 'the first batch is moved back');
      assert.equal(result.skipped.length, ONLY_CHK2.length - 4);
      assert.ok(result.skipped.every((s) => /not touched/.test(s.why)));
      assert.ok(
        journal.some((l) => /^stopped: /.test(l)) && journal.filter((l) => /back from the trash/.test(l)).length === 4,
      );
      assert.deepEqual(missing(path.join(dir, A), CHK2), [], "every file B's checkpoint needs is there");
    } finally {
      await store.close();
    }
  });
}

/** The real local store with renaming switched off: the path a store without cheap renames (S3) takes. */
class LocalWithoutRename extends LocalStore {
  override readonly capabilities: StoreCapabilities = { cheapRename: false, reportsLinks: true, mtimeGranularityMs: 1 };
}

describe('deletion scenarios on the local store', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'safety-local-'));
  after(() => fs.rmSync(root, { recursive: true, force: true }));
  scenarios(
    () => ({ name: 'local', open: (base) => openStore(base), reportsLinks: true }),
    () => root,
  );

  it('a store that cannot rename cheaply deletes for good, says so, and still stops at a change', async () => {
    const base = freshBase(root, 'no-rename');
    fs.renameSync(path.join(base, A, 'chk-2'), path.join(root, 'no-rename-chk-2'));
    const store = new LocalWithoutRename(parseStoreUri(base));
    const plan = await analyseCleanup(store, `/${A}`);
    assert.equal(plan.reversible, false);
    const journal: string[] = [];
    const result = await runCleanup(store, plan, { batchSize: 5, journal: (l) => journal.push(l) });
    assert.match(journal[0], /cannot rename cheaply/);
    assert.equal(result.deleted.length, ONLY_CHK2.length);
    assert.equal(result.trashPath, undefined);
    assert.ok(!fs.existsSync(path.join(base, TRASH_DIR)));
    assert.deepEqual(missing(path.join(base, A), CHK3), []);
  });

  it('orphans --also <dir>: a savepoint directory outside the base keeps the files its snapshots name', async () => {
    const base = freshBase(root, 'also');
    const savepoints = path.join(root, 'also-savepoints');
    fs.mkdirSync(savepoints);
    fs.renameSync(path.join(base, A, 'chk-2'), path.join(savepoints, 'savepoint-93b98f-aaaaaaaaaaaa'));
    const without = await run(['orphans', path.join(base, A), '--json']);
    assert.equal(
      JSON.parse(without.out).candidates.length,
      ONLY_CHK2.length,
      'control: without --also they look unreferenced',
    );
    const withAlso = await run(['orphans', path.join(base, A), '--also', savepoints, '--delete', '--yes', '--json']);
    assert.equal(withAlso.code, 0, withAlso.err);
    assert.deepEqual(JSON.parse(withAlso.out).candidates, []);
    assert.deepEqual(missing(path.join(base, A), CHK2), []);
  });

  it('a job directory given through a link is refused by the core and resolved by the CLI', async () => {
    const base = freshBase(root, 'linked');
    fs.writeFileSync(path.join(base, A, 'shared', 'leftover'), 'x');
    age(base);
    const link = path.join(root, 'job-link');
    fs.symlinkSync(path.join(base, A), link);
    const store = openStore(root);
    await assert.rejects(analyseCleanup(store, '/job-link'), /is a link/);
    let out = '';
    const code = await runCli(['orphans', link, '--json'], { out: (t) => (out += t), err: () => undefined });
    assert.equal(code, 0);
    assert.deepEqual(
      JSON.parse(out).candidates.map((c: { path: string }) => c.path),
      [`/${A}/shared/leftover`],
    );
  });
});

const ftpSkip = serverPrerequisites('pyftpdlib') ?? false;

describe('deletion scenarios over FTP (pyftpdlib)', { skip: ftpSkip }, () => {
  let root = '';
  let server: FtpServer;
  const opened: CheckpointStore[] = [];
  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'safety-ftp-'));
    server = await startPyFtpd(root, [{ name: 'flink', password: 'secret' }]);
  });
  after(async () => {
    for (const store of opened) await store.close();
    await server?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });
  scenarios(
    () => ({
      name: 'ftp',
      open: (base) => {
        const store = openStore(`ftp://flink@127.0.0.1:${server.port}/${path.basename(base)}`, {
          password: 'secret',
          timeoutMs: 20_000,
        });
        opened.push(store);
        return store;
      },
      reportsLinks: false,
    }),
    () => root,
  );

  it('quarantine, restore from the trash and purge through the CLI over FTP', async () => {
    const base = freshBase(root, 'cli');
    fs.writeFileSync(path.join(base, A, 'shared', 'leftover'), 'x'.repeat(10));
    age(base);
    const job = `ftp://flink@127.0.0.1:${server.port}/cli/${A}`;
    const previous = process.env.FLINK_CHECKPOINTS_PASSWORD;
    process.env.FLINK_CHECKPOINTS_PASSWORD = 'secret';
    try {
      await cliQuarantineRoundTrip(job, base);
    } finally {
      if (previous === undefined) delete process.env.FLINK_CHECKPOINTS_PASSWORD;
      else process.env.FLINK_CHECKPOINTS_PASSWORD = previous;
    }
  });
});

describe(
  'deletion scenarios over FTP (ProFTPD, which lists links as links)',
  { skip: serverPrerequisites('proftpd') ?? false },
  () => {
    let root = '';
    let server: FtpServer;
    const opened: CheckpointStore[] = [];
    before(async () => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'safety-proftpd-'));
      server = await startProftpd(root, { name: 'flink', password: 'secret' });
    });
    after(async () => {
      for (const store of opened) await store.close();
      await server?.stop();
      fs.rmSync(root, { recursive: true, force: true });
    });
    scenarios(
      () => ({
        name: 'proftpd',
        open: (base) => {
          const store = openStore(`ftp://flink@127.0.0.1:${server.port}/${path.basename(base)}`, {
            password: 'secret',
            timeoutMs: 20_000,
          });
          opened.push(store);
          return store;
        },
        reportsLinks: true,
      }),
      () => root,
    );
  },
);

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

/** `orphans --delete --yes` moves the leftover to the trash; `--restore-trash` puts it back; `--purge-trash` deletes. */
async function cliQuarantineRoundTrip(job: string, base: string): Promise<void> {
  const leftover = path.join(base, A, 'shared', 'leftover');
  const dry = await run(['orphans', job]);
  assert.equal(dry.code, 0, dry.err);
  assert.match(
    dry.out,
    /1 entry, 10 B could be removed \(dry run; --delete --yes moves them to \.flink-checkpoints-trash/,
  );
  const moved = await run(['orphans', job, '--delete', '--yes']);
  assert.equal(moved.code, 0, moved.err);
  assert.match(
    moved.err,
    /^moved \/[0-9a-f]{32}\/shared\/leftover \(unreferenced, 10 bytes\) to \/\.flink-checkpoints-trash\//m,
  );
  const trash = /moved to (\S+)/.exec(moved.out)?.[1];
  assert.ok(trash, moved.out);
  assert.ok(!fs.existsSync(leftover));
  const stamp = path.basename(trash);
  assert.ok(
    fs.existsSync(path.join(base, TRASH_DIR, stamp, A, 'shared', 'leftover')),
    'its path is kept below the trash directory',
  );
  const manifest = JSON.parse(fs.readFileSync(path.join(base, TRASH_DIR, stamp, 'manifest.json'), 'utf8'));
  assert.deepEqual(
    manifest.entries.map((e: { path: string }) => e.path),
    [`${A}/shared/leftover`],
  );
  assert.match(moved.out, /Undo: flink-checkpoints orphans --restore-trash /);

  const restored = await run(['orphans', '--restore-trash', trash]);
  assert.equal(restored.code, 0, restored.err);
  assert.match(restored.out, /1 entry put back/);
  assert.equal(fs.readFileSync(leftover, 'utf8'), 'x'.repeat(10));
  assert.ok(!fs.existsSync(path.join(base, TRASH_DIR, stamp)));

  assert.equal((await run(['orphans', job, '--delete', '--yes'])).code, 0);
  const young = await run(['orphans', job, '--purge-trash', '--older-than', '7d']);
  assert.match(young.out, /0 entries of the trash deleted for good/);
  assert.equal(fs.readdirSync(path.join(base, TRASH_DIR)).length, 1, 'a young trash stays restorable');
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const purged = await run(['orphans', job, '--purge-trash', '--older-than', '1s']);
  assert.equal(purged.code, 0, purged.err);
  assert.match(purged.out, /1 entry of the trash deleted for good/);
  assert.ok(!fs.existsSync(path.join(base, TRASH_DIR)));
  assert.ok(!fs.existsSync(leftover));
  for (const f of [...CHK2, ...CHK3]) assert.ok(fs.existsSync(path.join(base, A, f)), f);
}

describe('quarantine through the CLI on the local store', () => {
  it('moves to the trash, puts back, purges', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'safety-cli-'));
    try {
      const base = freshBase(root, 'base');
      fs.writeFileSync(path.join(base, A, 'shared', 'leftover'), 'x'.repeat(10));
      age(base);
      await cliQuarantineRoundTrip(path.join(base, A), base);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
