import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { IncrementalKeyedHandle } from '../../src/core/metadata';
import { storePathOf } from '../../src/core/references/locate';
import { locate } from '../../src/core/state/schema';
import { openStoredSnapshot } from '../../src/core/state/storeSnapshot';
import { stateEntries } from '../../src/core/state/values';
import type { StateEntry } from '../../src/core/state/values/keyed';
import { StateReadCache, cachedReader, CACHE_BLOCK_BYTES } from '../../src/core/state/values/cache';
import { S3Store, openStore } from '../../src/core/stores';
import type { ReadAllOptions } from '../../src/core/stores/types';
import { prerequisite, repoRoot } from '../support/repo';
import { S3Server, copyIntoBucket, s3Prerequisites, startVersityGw } from './s3Servers';

const ROOT = repoRoot();
/** Written once by real Flink 2.2 (bench/state/values-data.sh) and kept: 16,000 keys of 1 KiB, parallelism 2. */
const DATA = path.join(ROOT, 'test', 'servers', 'target', 'first-page-data');
const KEYS = 16_000;
const UID = 'large-state';
const PAGE = 100;
/** Writing the state takes about a minute; Maven first builds test/flink when its build is stale. */
const WRITE_TIMEOUT_MS = 600_000;
/** The serializer zoo's RocksDB incremental checkpoint of Flink 2.2: one subtask, a column family per state. */
const ZOO = path.join(ROOT, 'test', 'fixtures', 'flink-zoo', '2.2.1', 'rocksdb-incremental');

function onPath(command: string): boolean {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .some((dir) => dir !== '' && fs.existsSync(path.join(dir, command)));
}

function prerequisites(): string | undefined {
  if (!onPath('java')) return prerequisite('Java 17 is not installed (Flink writes the checkpoint)');
  if (!onPath('mvn')) return prerequisite('Maven is not installed (it builds test/flink)');
  return s3Prerequisites('versitygw');
}

interface Read {
  readonly path: string;
  readonly offset: number;
  readonly bytes: number;
}

describe(
  'the first page of a RocksDB incremental checkpoint on S3 (versitygw) reads blocks of its SST files, not the files',
  { skip: prerequisites() ?? false },
  () => {
    let server: S3Server;
    let checkpoint = '';

    before(
      async () => {
        execFileSync(
          'bash',
          [path.join(ROOT, 'bench', 'state', 'values-data.sh'), '--dir', DATA, '--keys', `${KEYS}`],
          {
            stdio: ['ignore', 'ignore', 'inherit'],
            timeout: WRITE_TIMEOUT_MS,
          },
        );
        const made = JSON.parse(fs.readFileSync(path.join(DATA, 'result.json'), 'utf8')) as {
          jobId: string;
          checkpoint: string;
        };
        // In the bucket `checkpoints`, wherever Flink wrote the tree (its absolute paths are resolved as moved).
        checkpoint = `/${made.jobId}/${path.basename(made.checkpoint)}`;
        const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], {
          cwd: ROOT,
          encoding: 'utf8',
        });
        assert.equal(build.status, 0, build.stderr);
        server = await startVersityGw({ dataDir: DATA });
      },
      { timeout: WRITE_TIMEOUT_MS + 60_000 },
    );

    after(async () => {
      await server?.stop();
    });

    it('state s3://… --limit prints the same first page, the moved tree resolved as a checkpoint', () => {
      const env = {
        PATH: process.env.PATH,
        AWS_ACCESS_KEY_ID: server.accessKey,
        AWS_SECRET_ACCESS_KEY: server.secretKey,
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: server.endpoint,
      };
      const page = (args: string[]) => {
        const run = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'state', ...args], {
          env,
          encoding: 'utf8',
          timeout: 120_000,
        });
        assert.equal(run.status, 0, run.stderr);
        return run.stdout.trim().split('\n');
      };
      const common = ['--operator', UID, '--limit', `${PAGE}`, '--json'];
      const lines = page([`s3://checkpoints${checkpoint}`, ...common]);
      assert.equal(lines.length, PAGE);
      // The same page read from the local directory Flink wrote, where its absolute paths point.
      const local = JSON.parse(fs.readFileSync(path.join(DATA, 'result.json'), 'utf8')) as { checkpoint: string };
      assert.deepEqual(lines, page([local.checkpoint, ...common]));
    });

    it('as the entry browser reads it: the meta state files, then footer, index and first data blocks of the first subtask', async (t) => {
      const store = openStore('s3://checkpoints', {
        password: server.secretKey,
        s3: { endpoint: server.endpoint, accessKeyId: server.accessKey, region: 'us-east-1' },
      }) as S3Store;
      const reads: Read[] = [];
      const recorded = Object.create(store) as S3Store;
      recorded.readAll = async (p: string, options?: ReadAllOptions) => {
        const got = await store.readAll(p, options);
        reads.push({ path: p, offset: options?.offset ?? 0, bytes: got.length });
        return got;
      };
      try {
        const opened = await openStoredSnapshot(recorded, checkpoint);
        const op = opened.metadata.operators.find((o) => o.uid === UID)!;
        const access = opened.accessWith(cachedReader(recorded, new StateReadCache(256 << 20)));
        const entries: StateEntry[] = [];
        for await (const { entry } of stateEntries(op, opened.pointer, access, {}, (p) => {
          throw new Error(`${p.file}: ${p.message}`);
        })) {
          entries.push(entry);
          if (entries.length === PAGE) break;
        }
        assert.equal(entries.length, PAGE);

        // The SST files by store path, per subtask, with their sizes from the handles.
        const sst = op.subtasks.map((subtask) => {
          assert.ok(!subtask.finished);
          const handle = subtask.managedKeyedState as IncrementalKeyedHandle;
          assert.equal(handle.type, 'IncrementalRemoteKeyedStateHandle');
          return [...handle.sharedState, ...handle.privateState]
            .filter((s) => s.localPath.endsWith('.sst'))
            .map((s) => {
              const at = locate(s.handle, opened.pointer)!;
              const name = path.posix.basename(storePathOf(store.uri, at.path!) ?? at.path!);
              return { name, size: at.size };
            });
        });
        const first = (op.subtasks[0] as { managedKeyedState: IncrementalKeyedHandle }).managedKeyedState.keyGroups;
        const groups = entries.map((e) => e.keyGroup!);
        assert.ok(
          groups.every((g, i) => g >= first.start && g < first.start + first.count && (i === 0 || g >= groups[i - 1])),
          `key groups in order, of the first subtask: ${groups.join(' ')}`,
        );
        const readOf = (name: string) =>
          reads.filter((r) => path.posix.basename(r.path) === name).reduce((n, r) => n + r.bytes, 0);
        const sstBytes = sst.flat().reduce((n, f) => n + f.size, 0);
        const total = reads.reduce((n, r) => n + r.bytes, 0);
        t.diagnostic(reads.map((r) => `${path.posix.basename(r.path)} ${r.offset} ${r.bytes}`).join('; '));
        t.diagnostic(
          `${total} bytes in ${store.requestCount} requests (${reads.length} ranged reads); SST files ${sst
            .map((files, i) => `subtask ${i}: ${files.map((f) => `${f.size} (read ${readOf(f.name)})`).join(', ')}`)
            .join('; ')}`,
        );

        const large = sst[0].filter((f) => f.size > 16 * CACHE_BLOCK_BYTES);
        assert.ok(large.length > 0, 'the first subtask has an SST file of more than 1 MiB');
        for (const file of sst[0]) {
          // The tail block (footer, metaindex, properties), the index block (about 1% of a file of 4 KiB data
          // blocks) and the data blocks of the page (about 100 KiB of values, read in windows from 32 KiB on): a few
          // cache blocks, whatever the file's size.
          const bound = 6 * CACHE_BLOCK_BYTES + Math.ceil(file.size / 50);
          assert.ok(readOf(file.name) <= bound, `${file.name}: ${readOf(file.name)} bytes of ${file.size} read`);
        }
        for (const file of large) assert.ok(readOf(file.name) < file.size / 10, `${file.name} was read whole`);
        for (const file of sst[1]) assert.equal(readOf(file.name), 0, 'the second subtask holds later key groups');
        assert.ok(total < sstBytes / 20, `${total} bytes read for a page of ${sstBytes} bytes of SST files`);
        // _metadata; a stat and a read per meta state file; a stat, the tail, the index and two data reads per SST
        // file of the first subtask.
        const bound = 1 + 2 * sst.length + 5 * sst[0].length;
        assert.ok(store.requestCount <= bound, `${store.requestCount} requests, more than ${bound}`);
      } finally {
        await store.close();
      }
    });
  },
);

describe(
  'the first page of a checkpoint with many SST files on S3 (versitygw) opens them side by side',
  {
    skip: s3Prerequisites('versitygw') ?? false,
  },
  () => {
    let server: S3Server;

    before(async () => {
      server = await startVersityGw();
      copyIntoBucket(server, 'zoo', '', ZOO);
    });

    after(async () => {
      await server?.stop();
      if (server) fs.rmSync(path.dirname(server.dataDir), { recursive: true, force: true });
    });

    it('reads the footers of up to 16 files at once, each block of a file once', async (t) => {
      const store = openStore('s3://zoo', {
        password: server.secretKey,
        s3: { endpoint: server.endpoint, accessKeyId: server.accessKey, region: 'us-east-1' },
      }) as S3Store;
      const reads: Read[] = [];
      let inFlight = 0;
      let mostInFlight = 0;
      const recorded = Object.create(store) as S3Store;
      recorded.readAll = async (p: string, options?: ReadAllOptions) => {
        const sst = !p.endsWith('/_metadata');
        if (sst) mostInFlight = Math.max(mostInFlight, ++inFlight);
        try {
          const got = await store.readAll(p, options);
          reads.push({ path: p, offset: options?.offset ?? 0, bytes: got.length });
          return got;
        } finally {
          if (sst) inFlight--;
        }
      };
      try {
        const job = fs.readdirSync(ZOO)[0];
        const chk = fs.readdirSync(path.join(ZOO, job)).find((d) => d.startsWith('chk-'))!;
        const opened = await openStoredSnapshot(recorded, `/${job}/${chk}`);
        const op = opened.metadata.operators.find((o) => o.uid === 'zoo')!;
        const subtask = op.subtasks[0];
        assert.ok(!subtask.finished);
        const handle = subtask.managedKeyedState as IncrementalKeyedHandle;
        const files = handle.sharedState.filter((s) => s.localPath.endsWith('.sst')).length;
        assert.ok(files > 16, `${files} SST files`);
        const access = opened.accessWith(cachedReader(recorded, new StateReadCache(256 << 20)));
        let entries = 0;
        for await (const { entry } of stateEntries(op, opened.pointer, access, {}, (p) => {
          throw new Error(`${p.file}: ${p.message}`);
        })) {
          assert.notEqual(entry.keyGroup, null, 'keyed state comes first');
          if (++entries === PAGE) break;
        }
        assert.equal(entries, PAGE);
        t.diagnostic(`${files} SST files; ${reads.length} ranged reads, at most ${mostInFlight} at once`);
        // Opened one after the other, one read would be in flight at a time; the opening is bounded to 16 files.
        assert.ok(mostInFlight >= 8 && mostInFlight <= 16, `${mostInFlight} reads in flight at most`);
        const ranges = reads.map((r) => `${r.path}@${r.offset}`);
        assert.equal(new Set(ranges).size, ranges.length, 'a block was transferred twice');
      } finally {
        await store.close();
      }
    });
  },
);
