import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stateCommand } from '../../../src/cli/state';
import { StateDiff, type DiffSide } from '../../../src/core/state/values';
import { StateReadCache } from '../../../src/core/state/values/cache';
import { openStoredStateSnapshot } from '../../../src/core/state/values/diffStore';
import { CheckpointStore, openStore } from '../../../src/core/stores';
import { FtpServer, serverPrerequisites, startPyFtpd } from '../../servers/servers';
import { repoRoot } from '../../support/repo';

/** Flink 2.2's word count on RocksDB, incremental: chk-2 and chk-3 name many of the same shared/ SST files. */
const SCENARIO = path.join(repoRoot(), 'test', 'fixtures', 'flink', '2.2.1', 'rocksdb-incremental');
const JOB = fs.readdirSync(SCENARIO).find((n) => /^[0-9a-f]{32}$/.test(n))!;

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await stateCommand.run(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

/** How often the server sent each shared/ file (pyftpdlib logs every RETR with its path). */
function sharedRetrievals(log: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of log.matchAll(/ RETR (\S*\/shared\/[^\s/]+) completed=/g)) {
    const name = path.basename(m[1]);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

describe(
  'state diff on a remote store reads through the state read cache',
  { skip: serverPrerequisites('pyftpdlib') ?? false },
  () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-state-diff-cache-'));
    let server: FtpServer;
    let uri: (chk: string) => string;

    before(async () => {
      fs.cpSync(path.join(SCENARIO, JOB), path.join(root, JOB), { recursive: true });
      server = await startPyFtpd(root, [{ name: 'flink', password: 'secret', perm: 'elr' }]);
      uri = (chk) => `ftp://flink:secret@127.0.0.1:${server.port}/${JOB}/${chk}`;
    });
    after(async () => {
      await server?.stop();
      fs.rmSync(root, { recursive: true, force: true });
    });

    it('CLI: a shared/ file both checkpoints name is transferred once, and the diff is the local one', async () => {
      // Each side alone (a process each, as two `state` commands): the shared files both name go out twice.
      let mark = server.log().length;
      for (const chk of ['chk-2', 'chk-3']) {
        assert.equal((await cli(uri(chk), '--operator', 'counter', '--json')).code, 0);
      }
      const alone = sharedRetrievals(server.log().slice(mark));
      const both = [...alone].filter(([, n]) => n >= 2).map(([name]) => name);
      assert.ok(both.length >= 5, `the checkpoints share SST files (${both.length})`);

      mark = server.log().length;
      const remote = await cli('diff', uri('chk-2'), uri('chk-3'), '--operator', 'counter', '--json');
      const diffed = sharedRetrievals(server.log().slice(mark));
      assert.equal(remote.code, 0, remote.err);
      for (const name of both) assert.equal(diffed.get(name), 1, `${name} is sent once`);
      assert.deepEqual([...diffed.keys()].sort(), [...alone.keys()].sort(), 'the same files are read');

      const local = await cli(
        'diff',
        path.join(root, JOB, 'chk-2'),
        path.join(root, JOB, 'chk-3'),
        '--operator',
        'counter',
        '--json',
      );
      assert.equal(local.code, 0, local.err);
      assert.ok(remote.out.split('\n').length > 10);
      assert.equal(remote.out, local.out);
    });

    describe('Compare With… → State (one cache shared with the entry browser)', () => {
      let store: CheckpointStore;
      before(() => {
        store = openStore(`ftp://flink@127.0.0.1:${server.port}/`, { password: 'secret', timeoutMs: 20_000 });
      });
      after(async () => {
        await store?.close();
      });

      const sides = async (cache: StateReadCache): Promise<[DiffSide, DiffSide]> => {
        const open = async (chk: string): Promise<DiffSide> => {
          const opened = await openStoredStateSnapshot(store, `/${JOB}/${chk}`, [], undefined, cache);
          const operator = opened.metadata.operators.find((o) => o.uid === 'counter')!;
          return { label: chk, operator, ...opened };
        };
        return [await open('chk-2'), await open('chk-3')];
      };

      it('a second diff reads nothing again until the cache is cleared; the result is unchanged', async () => {
        const cache = new StateReadCache(64 << 20);
        let mark = server.log().length;
        const first = new StateDiff(...(await sides(cache)));
        const changes = JSON.stringify(await collect(first));
        const firstReads = sharedRetrievals(server.log().slice(mark));
        assert.ok(firstReads.size > 0);
        for (const [name, n] of firstReads) assert.equal(n, 1, `${name} is sent once`);

        mark = server.log().length;
        const again = new StateDiff(...(await sides(cache)));
        assert.equal(JSON.stringify(await collect(again)), changes);
        assert.equal(sharedRetrievals(server.log().slice(mark)).size, 0, 'all from the cache');

        cache.clear();
        mark = server.log().length;
        const cleared = new StateDiff(...(await sides(cache)));
        assert.equal(JSON.stringify(await collect(cleared)), changes);
        assert.deepEqual(sharedRetrievals(server.log().slice(mark)), firstReads, 'read afresh after Clear State Cache');
      });

      it('a cancelled or abandoned diff that spilled sorted runs leaves none behind', async () => {
        const spillDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-state-diff-spill-'));
        try {
          const stop = new AbortController();
          const cancelled = new StateDiff(...(await sides(new StateReadCache(0))), {
            spillBytes: 1,
            spillDirectory,
            signal: stop.signal,
          });
          let seen = 0;
          for await (const change of cancelled.changes()) {
            assert.ok(change);
            if (++seen === 1) {
              assert.ok(fs.readdirSync(spillDirectory).length > 0, 'runs are on disk while a key group is merged');
              stop.abort();
            }
          }
          assert.ok(cancelled.spilledRuns > 0);
          assert.deepEqual(fs.readdirSync(spillDirectory), []);

          // A page of the State tab left in the middle of a key group, then the panel closed.
          const abandoned = new StateDiff(...(await sides(new StateReadCache(0))), { spillBytes: 1, spillDirectory });
          const iterator = abandoned.changes();
          assert.equal((await iterator.next()).done, false);
          assert.ok(fs.readdirSync(spillDirectory).length > 0);
          await iterator.return(undefined);
          assert.deepEqual(fs.readdirSync(spillDirectory), []);
        } finally {
          fs.rmSync(spillDirectory, { recursive: true, force: true });
        }
      });
    });
  },
);

describe('spilled sorted runs of a process that exits in the middle of a diff', () => {
  it('are removed as it exits (a CLI diff ended by Ctrl-C or a closed pipe)', () => {
    const spillDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-state-diff-exit-'));
    try {
      const sorter = require.resolve('../../../src/core/state/values/diffSort');
      const script = `
        const { GroupSorter } = require(${JSON.stringify(sorter)});
        (async () => {
          const s = new GroupSorter(1, ${JSON.stringify(spillDirectory)});
          for (const id of ['b', 'a']) await s.add({ id, entry: { state: 's', keyGroup: 0, key: id, namespace: null, value: 1 } });
          process.stdout.write(String(require('fs').readdirSync(${JSON.stringify(spillDirectory)}).length));
          process.exit(130);
        })();`;
      const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 130, r.stderr);
      assert.equal(r.stdout, '1', 'a run directory existed');
      assert.deepEqual(fs.readdirSync(spillDirectory), []);
    } finally {
      fs.rmSync(spillDirectory, { recursive: true, force: true });
    }
  });
});

async function collect(diff: StateDiff): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const c of diff.changes()) out.push(c);
  return out;
}
