import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { copyScenario, eventually, REPO_ROOT, services, setStores } from './support/extension';
import { FtpServer, serverPrerequisites, startPyFtpd } from '../servers/servers';
import { openStoredStateSnapshot } from '../../src/core/state/values/diffStore';
import { StateCompare } from '../../src/views/compareState';
import { operatorIdFromUid, parseMetadata } from '../../src/core/metadata';
import type { DiffModel, StateChangeView, ToWebview } from '../../media/protocol';
import type { CompareStateResult } from '../../src/views/compareState';

/** The word-count job's text (test/flink WordCountJob): the words the Counter holds; the filter drops the stop words. */
const TEXT = [
  'to be or not to be that is the question',
  'whether tis nobler in the mind to suffer',
  'the slings and arrows of outrageous fortune',
  'or to take arms against a sea of troubles',
];
const VOCABULARY = [...new Set(TEXT.join(' ').split(' '))];
const STOP_WORDS = ['the', 'a', 'of'];

describe('compare state: key-level diff of two real Flink snapshots in the Compare With… State tab', function () {
  this.timeout(120_000);
  let wordCount: { root: string; jobId: string };
  let zooRoot: string;
  let zoo: { canonical: string; native: string };

  before(async () => {
    // Flink 2.2.1: a line with both the word-count and the serializer-zoo fixtures.
    wordCount = copyScenario('2.2.1', 'hashmap');
    const zooSource = path.join(REPO_ROOT, 'test', 'fixtures', 'flink-zoo', '2.2.1');
    zooRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-zoo-savepoints-'));
    fs.cpSync(path.join(zooSource, 'savepoints'), zooRoot, { recursive: true });
    zoo = JSON.parse(fs.readFileSync(path.join(zooSource, 'scenarios.json'), 'utf8')).scenarios.savepoints.savepoints;
    await setStores([
      { id: 'words', name: 'Word count', uri: wordCount.root },
      { id: 'zoo', name: 'Zoo', uri: zooRoot },
    ]);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await setStores([]);
    fs.rmSync(wordCount.root, { recursive: true, force: true });
    fs.rmSync(zooRoot, { recursive: true, force: true });
  });

  const checkpoints = () =>
    fs
      .readdirSync(path.join(wordCount.root, wordCount.jobId))
      .filter((n) => n.startsWith('chk-'))
      .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
  const node = (name: string) => ({ storeId: 'words', path: `/${wordCount.jobId}/${name}` });
  const compare = (a: unknown, b: unknown, uid: string, state: string, options?: { skip?: number; limit?: number }) =>
    vscode.commands.executeCommand<CompareStateResult | undefined>(
      'flinkCheckpoints.compareState',
      a,
      b,
      { operatorId: operatorIdFromUid(uid), state },
      options,
    );

  it('word count chk-N → chk-M: every counted word grew, the stop words did not; nothing added or removed', async () => {
    const [older, newer] = checkpoints();
    const result = await compare(node(older), node(newer), 'counter', 'count');
    assert.ok(result);
    assert.deepEqual(result.problems, []);
    const counted = VOCABULARY.filter((w) => !STOP_WORDS.includes(w));
    assert.deepEqual(result.counts, {
      added: 0,
      removed: 0,
      changed: counted.length,
      unchanged: STOP_WORDS.length,
      notCompared: 0,
    });
    assert.equal(result.more, false);
    assert.deepEqual(result.changes.map((c) => JSON.parse(c.key) as string).sort(), counted.sort());
    for (const c of result.changes) {
      assert.equal(c.change, 'changed');
      assert.equal(c.fields.length, 1);
      assert.equal(c.fields[0].path, '.');
      assert.ok(Number(c.fields[0].after) > Number(c.fields[0].before), JSON.stringify(c));
    }
  });

  it('pages: a page of 5 after the first 5 continues the same order', async () => {
    const [older, newer] = checkpoints();
    const all = await compare(node(older), node(newer), 'counter', 'count');
    const second = await compare(node(older), node(newer), 'counter', 'count', { skip: 5, limit: 5 });
    assert.ok(all && second);
    assert.deepEqual(second.changes, all.changes.slice(5, 10));
    assert.equal(second.more, true);
  });

  it('zoo canonical → native savepoint: the POJO fields the job changes, per key, by path', async () => {
    const a = { storeId: 'zoo', path: `/${zoo.canonical}` };
    const b = { storeId: 'zoo', path: `/${zoo.native}` };
    const ints = await compare(a, b, 'zoo', 'v-int');
    const pojos = await compare(a, b, 'zoo', 'v-pojo');
    assert.ok(ints && pojos);
    assert.deepEqual(pojos.problems, []);
    assert.equal(pojos.counts?.changed, 8, 'all eight buckets got elements between the savepoints');
    for (const c of pojos.changes) {
      const n: StateChangeView | undefined = ints.changes.find((i) => i.key === c.key);
      assert.ok(n, `v-int changed for key ${c.key} too`);
      const [n1, n2]: number[] = [Number(n.fields[0].before), Number(n.fields[0].after)];
      const fields = Object.fromEntries(c.fields.map((f) => [f.path, [f.before, f.after]]));
      assert.deepEqual(fields['.balance'], [String(n1), String(n2)]);
      assert.deepEqual(fields['.id'], [`"account-${n1}"`, `"account-${n2}"`]);
      assert.equal('.tags[0]' in fields, n1 % 3 !== n2 % 3);
    }
  });

  it('a truncated state file: a clear message naming the file, and no key reported removed', async () => {
    const [older, newer] = checkpoints();
    const dir = path.join(wordCount.root, wordCount.jobId, newer);
    const metadata = parseMetadata(new Uint8Array(fs.readFileSync(path.join(dir, '_metadata'))));
    const counter = metadata.operators.find((o) => o.operatorId === operatorIdFromUid('counter'));
    // One subtask's keyed state file of the Counter (relative to the checkpoint directory: written exclusively).
    const keyed = counter?.subtasks.map((s) => (s.finished ? null : s.managedKeyedState)).find((h) => h !== null);
    assert.ok(keyed && 'delegate' in keyed && keyed.delegate?.type === 'RelativeFileStateHandle');
    const file = keyed.delegate.relativePath;
    const victim = path.join(dir, file);
    const original = fs.readFileSync(victim);
    fs.truncateSync(victim, Math.floor(original.length / 2));
    try {
      const result = await compare(node(older), node(newer), 'counter', 'count');
      assert.ok(result);
      assert.ok(result.problems.length > 0, 'the truncated file is reported');
      assert.ok(
        result.problems.every((p) => p.startsWith(`${newer}: cannot read`)),
        result.problems.join('\n'),
      );
      assert.ok(
        result.problems.some((p) => p.includes(file)),
        result.problems.join('\n'),
      );
      assert.equal(result.changes.filter((c) => c.change === 'removed').length, 0);
      assert.ok((result.counts?.notCompared ?? 0) > 0);
    } finally {
      fs.writeFileSync(victim, original);
    }
  });

  it('Compare With… opens the comparison with its State tab', async () => {
    const [older, newer] = checkpoints();
    const model = await vscode.commands.executeCommand<DiffModel>(
      'flinkCheckpoints.compareWith',
      node(newer),
      node(older),
    );
    assert.ok(model);
    await eventually('the comparison tab', () => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return input instanceof vscode.TabInputWebview ? input : undefined;
    });
  });
});

describe('compare state on a slow FTP store: progress, then Cancel', function () {
  this.timeout(180_000);
  let server: FtpServer;
  let root: string;
  let jobId: string;
  let checkpoints: string[];

  before(async function () {
    if (serverPrerequisites('pyftpdlib')) this.skip();
    // The word count's Counter: 4 subtasks, its words spread over some twenty key groups, each read on its own; at
    // 2 KiB/s that takes long enough to see progress and cancel.
    ({ root, jobId } = copyScenario('2.2.1', 'hashmap'));
    checkpoints = fs
      .readdirSync(path.join(root, jobId))
      .filter((n) => n.startsWith('chk-'))
      .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
    server = await startPyFtpd(root, [{ name: 'flink', password: 'words-secret' }], { throttle: 2048 });
    const s = await services();
    await setStores([{ id: 'words-slow', name: 'Word count slow', uri: `ftp://flink@127.0.0.1:${server.port}/` }]);
    await s.stores.setPassword('words-slow', 'words-secret');
  });

  after(async () => {
    await setStores([]);
    await server?.stop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('posts progress while both sides are read, and a cancelled count says so without counts', async () => {
    const s = await services();
    const posted: ToWebview[] = [];
    const compare = new StateCompare(
      async (ref) => {
        const { store } = await s.stores.get(ref.storeId);
        return openStoredStateSnapshot(store, ref.path);
      },
      { storeId: 'words-slow', path: `/${jobId}/${checkpoints[0]}` },
      { storeId: 'words-slow', path: `/${jobId}/${checkpoints[1]}` },
      (m) => posted.push(m),
    );
    try {
      const target = { operatorId: operatorIdFromUid('counter'), state: 'count' };
      const counting = compare.handle({ type: 'stateDiffCount', ...target });
      const progress = await eventually(
        'a progress report',
        () => posted.find((m) => m.type === 'stateDiffProgress'),
        120_000,
      );
      assert.ok(progress.type === 'stateDiffProgress' && progress.entries > 0 && progress.state === 'count');
      await compare.handle({ type: 'stateDiffCancel' });
      await counting;
      const answer = posted.find((m) => m.type === 'stateDiffCounts');
      assert.ok(answer?.type === 'stateDiffCounts');
      assert.equal(answer.cancelled, true);
      assert.equal(answer.counts, null);
      assert.equal(answer.state, 'count');
    } finally {
      compare.dispose();
    }
  });
});

describe('compare state on an FTP store reads through the state cache the entry browser uses', function () {
  this.timeout(180_000);
  let server: FtpServer;
  let root: string;
  let jobId: string;

  before(async function () {
    if (serverPrerequisites('pyftpdlib')) this.skip();
    // RocksDB incremental: the two checkpoints name many of the same shared/ SST files.
    ({ root, jobId } = copyScenario('2.2.1', 'rocksdb-incremental'));
    server = await startPyFtpd(root, [{ name: 'flink', password: 'words-secret' }]);
    const s = await services();
    await setStores([{ id: 'words-ftp', name: 'Word count FTP', uri: `ftp://flink@127.0.0.1:${server.port}/` }]);
    await s.stores.setPassword('words-ftp', 'words-secret');
  });

  after(async () => {
    await setStores([]);
    await server?.stop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('a second comparison transfers nothing; after Clear State Cache it reads from the server again', async () => {
    const s = await services();
    const [older, newer] = fs
      .readdirSync(path.join(root, jobId))
      .filter((n) => n.startsWith('chk-'))
      .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
    const node = (name: string) => ({ storeId: 'words-ftp', path: `/${jobId}/${name}` });
    const compare = () =>
      vscode.commands.executeCommand<CompareStateResult | undefined>(
        'flinkCheckpoints.compareState',
        node(older),
        node(newer),
        { operatorId: operatorIdFromUid('counter'), state: 'count' },
      );
    await vscode.commands.executeCommand('flinkCheckpoints.clearStateCache');
    const first = await compare();
    assert.ok(first);
    assert.deepEqual(first.problems, []);
    assert.ok((first.counts?.changed ?? 0) > 0);
    const cached = s.stateCache.stats;
    assert.ok(cached.bytes > 0, 'the state files are cached');
    const again = await compare();
    assert.deepEqual(again, first);
    assert.equal(s.stateCache.stats.misses, cached.misses, 'the second comparison transferred nothing');
    const freed = await vscode.commands.executeCommand<number>('flinkCheckpoints.clearStateCache');
    assert.equal(freed, cached.bytes);
    const afresh = await compare();
    assert.deepEqual(afresh, first);
    assert.ok(s.stateCache.stats.misses > cached.misses, 'read from the server again after clearing');
  });
});
