import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, copyScenario, newestFixtureVersion, services, setStores } from './support/extension';
import type { JobNode, SnapshotNode, TreeNode, FileNode } from '../../src/views/storesTree';

// The extension runs from its bundle, so its node classes are not the ones this suite could import: match on
// contextValue, the same key the menus use.
const isJob = (n: TreeNode): n is JobNode => n.contextValue === 'job';
const isSnapshot = (n: TreeNode): n is SnapshotNode => String(n.contextValue).startsWith('snapshot.');
const isFile = (n: TreeNode): n is FileNode => n.contextValue === 'file';

describe('stores: a local store of real Flink checkpoints in the tree and as a file system', function () {
  this.timeout(60_000);
  let root: string;
  let jobId: string;

  before(async () => {
    ({ root, jobId } = copyScenario(newestFixtureVersion(), 'rocksdb-incremental'));
    await setStores([{ id: 'local-demo', name: 'Local demo', uri: root }]);
  });

  after(() => setStores([]));

  async function children(node?: TreeNode): Promise<TreeNode[]> {
    return (await services()).storesTree.getChildren(node);
  }

  it('shows store → job → checkpoints, the newest complete one marked latest', async () => {
    const [store] = await children();
    assert.equal(store.contextValue, 'store');
    assert.equal(store.label, 'Local demo');
    const jobs = await children(store);
    const job = jobs.find(isJob);
    assert.ok(job, 'a job node');
    assert.equal(job.jobId, jobId);
    const snapshots = (await children(job)).filter(isSnapshot);
    const ids = fs
      .readdirSync(path.join(root, jobId))
      .filter((n) => n.startsWith('chk-'))
      .map((n) => Number(n.slice(4)))
      .sort((a, b) => b - a);
    assert.deepEqual(
      snapshots.map((s) => s.label),
      ids.map((id) => `chk-${id}`),
    );
    assert.match(String(snapshots[0].description), /latest/);
    assert.doesNotMatch(String(snapshots[1].description), /latest/);
    assert.equal(snapshots[0].contextValue, 'snapshot.complete');
    assert.ok(
      (await children(job)).some((n) => n.contextValue === 'dir' && n.label === 'shared'),
      'shared/ is shown',
    );
  });

  it('marks an in-progress and a broken checkpoint, and latest skips them', async () => {
    fs.mkdirSync(path.join(root, jobId, 'chk-1000'));
    fs.mkdirSync(path.join(root, jobId, 'chk-999'));
    const chk = fs.readdirSync(path.join(root, jobId)).find((n) => /^chk-[1-9]$/.test(n))!;
    fs.writeFileSync(
      path.join(root, jobId, 'chk-999', '_metadata'),
      fs.readFileSync(path.join(root, jobId, chk, '_metadata')).subarray(0, 40),
    );
    const s = await services();
    s.storesTree.refresh();
    const [store] = await children();
    const job = (await children(store)).find(isJob)!;
    const snapshots = (await children(job)).filter(isSnapshot);
    assert.equal(snapshots[0].label, 'chk-1000');
    assert.equal(snapshots[0].contextValue, 'snapshot.inprogress');
    assert.equal(snapshots[1].contextValue, 'snapshot.broken');
    assert.match(String(snapshots[2].description), /latest/);
    fs.rmSync(path.join(root, jobId, 'chk-1000'), { recursive: true });
    fs.rmSync(path.join(root, jobId, 'chk-999'), { recursive: true });
    s.storesTree.refresh();
  });

  it('opens a file through flink-store:// and refuses writes to a read-only store', async () => {
    const s = await services();
    const [store] = await children();
    const job = (await children(store)).find(isJob)!;
    const snapshot = (await children(job)).find(isSnapshot)!;
    const files = (await children(snapshot)).filter(isFile);
    const metadata = files.find((f) => f.label === '_metadata');
    assert.ok(metadata?.resourceUri, '_metadata is listed with a URI');
    assert.equal(metadata.resourceUri.scheme, 'flink-store');
    const bytes = await vscode.workspace.fs.readFile(metadata.resourceUri);
    assert.deepEqual(Buffer.from(bytes), fs.readFileSync(path.join(root, jobId, String(snapshot.label), '_metadata')));
    const stat = await vscode.workspace.fs.stat(metadata.resourceUri);
    assert.equal(stat.permissions, vscode.FilePermission.Readonly);
    await assert.rejects(
      Promise.resolve(
        vscode.workspace.fs.writeFile(s.stores.uriFor('local-demo', `/${jobId}/new-file`), new Uint8Array([1])),
      ),
      (error: unknown) => error instanceof vscode.FileSystemError && error.code === 'NoPermissions',
    );
    assert.ok(!fs.existsSync(path.join(root, jobId, 'new-file')));
  });

  it('maps a missing path to FileNotFound and an unreachable store to an error node with Retry', async () => {
    const s = await services();
    await assert.rejects(
      Promise.resolve(vscode.workspace.fs.stat(s.stores.uriFor('local-demo', '/no-such-job'))),
      (error: unknown) => error instanceof vscode.FileSystemError && error.code === 'FileNotFound',
    );
    await setStores([{ id: 'gone', name: 'Gone', uri: path.join(root, 'does-not-exist') }]);
    const [store] = await children();
    const [message] = await children(store);
    assert.equal(message.contextValue, 'error');
    assert.equal(message.command?.command, 'flinkCheckpoints.refreshNode');
    assert.match(String(message.label), /does-not-exist/);
    await setStores([{ id: 'local-demo', name: 'Local demo', uri: root }]);
  });

  it('labels an error node with the reason first and puts the advice in its tooltip; a long path goes to the description', async () => {
    const gone = path.join(root, 'a', 'rather', 'long', 'path', 'to', 'a', 'volume', 'that', 'is', 'not', 'mounted');
    await setStores([{ id: 'gone', name: 'Gone', uri: gone }]);
    const [store] = await children();
    assert.equal(store.label, 'Gone');
    assert.equal(store.description, '…/not/mounted');
    assert.match(
      String((store.tooltip as vscode.MarkdownString).value),
      new RegExp(gone.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
    );
    const [message] = await children(store);
    assert.equal(message.label, 'no such file or directory (mounted)');
    assert.equal(message.description, 'Retry');
    assert.match(String(message.tooltip), /Check the path, or refresh/);
    const menus = (
      vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as {
        contributes: { menus: Record<string, { command: string; when: string }[]> };
      }
    ).contributes.menus['view/item/context'];
    const onError = menus.filter((m) => /viewItem == error\b/.test(m.when)).map((m) => m.command);
    assert.deepEqual(onError, [
      'flinkCheckpoints.refreshNode',
      'flinkCheckpoints.editStore',
      'flinkCheckpoints.testConnection',
      'flinkCheckpoints.showLog',
    ]);
    await setStores([{ id: 'local-demo', name: 'Local demo', uri: root }]);
  });

  it('keeps passwords in secret storage, never in settings', async () => {
    const s = await services();
    await setStores([{ id: 'ftp-demo', name: 'FTP demo', uri: 'ftp://flink@127.0.0.1:1/cp' }]);
    await s.stores.setPassword('ftp-demo', 'p@ss:w/rd%');
    assert.equal(await s.stores.password('ftp-demo'), 'p@ss:w/rd%');
    const settings = JSON.stringify(vscode.workspace.getConfiguration('flinkCheckpoints').get('stores'));
    assert.ok(!settings.includes('p@ss'), 'the password is not in settings');
    await s.stores.setPassword('ftp-demo', undefined);
    assert.equal(await s.stores.password('ftp-demo'), undefined);
    await setStores([{ id: 'local-demo', name: 'Local demo', uri: root }]);
  });
});
