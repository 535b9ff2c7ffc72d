import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { copyScenario, eventually, newestFixtureVersion, services, setStores } from './support/extension';
import { S3Server, copyIntoBucket, s3Prerequisites, startVersityGw } from '../servers/s3Servers';
import type { CleanupPlan } from '../../src/core/references/safety';
import type { TreeNode } from '../../src/views/storesTree';

async function children(node?: TreeNode): Promise<TreeNode[]> {
  return (await services()).storesTree.getChildren(node);
}

describe('S3: a bucket on versitygw with its secret key in secret storage', function () {
  this.timeout(120_000);
  let server: S3Server;
  let fixture: { root: string; jobId: string };

  before(async function () {
    if (s3Prerequisites('versitygw')) this.skip();
    fixture = copyScenario(newestFixtureVersion(), 'rocksdb-incremental');
    server = await startVersityGw();
    copyIntoBucket(server, 'flink', 'checkpoints', fixture.root);
    const s = await services();
    await setStores([
      {
        id: 's3',
        name: 'S3',
        uri: 's3://flink/checkpoints',
        s3: { endpoint: server.endpoint, accessKeyId: server.accessKey },
      },
    ]);
    await s.stores.setPassword('s3', server.secretKey);
  });
  after(async () => {
    await setStores([]);
    await server?.stop();
    if (server) fs.rmSync(path.dirname(server.dataDir), { recursive: true, force: true });
  });

  it('browses store → job → latest checkpoint and opens its _metadata through the file system', async () => {
    const [store] = await children();
    assert.equal(store.label, 'S3');
    const job = (await children(store)).find((n) => n.contextValue === 'job');
    assert.ok(job, 'a job node');
    const [latest] = (await children(job)).filter((n) => String(n.contextValue).startsWith('snapshot.'));
    assert.match(String(latest.description), /latest/);
    const metadata = (await children(latest)).find((n) => n.label === '_metadata');
    assert.ok(metadata?.resourceUri);
    const bytes = await vscode.workspace.fs.readFile(metadata.resourceUri);
    assert.deepEqual(
      Buffer.from(bytes),
      fs.readFileSync(path.join(fixture.root, fixture.jobId, String(latest.label), '_metadata')),
    );
  });

  it('runs a clean-up dry run: nothing is deleted, and deletion would be for good (S3 cannot rename cheaply)', async () => {
    const plan = await vscode.commands.executeCommand<CleanupPlan>('flinkCheckpoints.cleanUp', {
      storeId: 's3',
      path: `/${fixture.jobId}`,
    });
    assert.deepEqual(plan.candidates, []);
    assert.equal(plan.reversible, false);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('adds a store from a workspace Flink configuration: its endpoint and access key, the secret moved to secret storage', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'the in-host run opens a workspace folder');
    const file = path.join(folder, 's3-job', 'config.yaml');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(
      file,
      [
        'execution:',
        '  checkpointing:',
        '    dir: s3p://flink/checkpoints',
        's3:',
        `  endpoint: ${server.endpoint}`,
        '  path.style.access: true',
        `  access-key: ${server.accessKey}`,
        `  secret-key: ${server.secretKey}`,
      ].join('\n'),
    );
    const s = await services();
    try {
      // The picker lists the workspace's Flink configurations in findFiles' order: move to this one, then accept.
      const files = await vscode.workspace.findFiles(
        '**/{flink-conf.yaml,config.yaml,*.flink-conf.yaml}',
        '**/node_modules/**',
        100,
      );
      const index = files.findIndex((f) => f.fsPath === file);
      assert.ok(index >= 0, 'the configuration is found');
      let settled = false;
      const running = Promise.resolve(
        vscode.commands.executeCommand('flinkCheckpoints.addStoreFromFlinkConfig'),
      ).finally(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 1000));
      for (let i = 0; i < index; i++) await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
      await eventually('the store to be added', () => {
        if (!settled) void vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        return settled ? true : undefined;
      });
      await running;
      const added = s.stores.configs().find((c) => c.name === 'Checkpoints of config.yaml');
      assert.ok(added, 'the store was added');
      assert.equal(added.uri, 's3p://flink/checkpoints');
      assert.deepEqual(added.s3, { endpoint: server.endpoint, pathStyle: true, accessKeyId: server.accessKey });
      assert.equal(await s.stores.password(added.id), server.secretKey);
      const saved = JSON.stringify(vscode.workspace.getConfiguration('flinkCheckpoints').get('stores'));
      assert.ok(!saved.includes(server.secretKey), 'the secret is in no setting');
      const store = (await children()).find((n) => n.label === 'Checkpoints of config.yaml');
      assert.ok(store);
      const job = (await children(store)).find((n) => n.contextValue === 'job');
      assert.ok(job, 'a job node');
      const snapshots = (await children(job)).filter((n) => String(n.contextValue).startsWith('snapshot.'));
      assert.match(String(snapshots[0]?.description), /latest/);
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
      await setStores(s.stores.configs().filter((c) => c.id === 's3'));
    }
  });

  it('names a wrong secret in an error node, without the secret', async () => {
    const s = await services();
    const wrong = 'not/the+secret-key';
    await s.stores.setPassword('s3', wrong);
    try {
      const [store] = await children();
      const [node] = await children(store);
      assert.equal(node.contextValue, 'error');
      assert.match(String(node.label), /SignatureDoesNotMatch|signature/);
      assert.ok(!String(node.label).includes(wrong) && !String(node.tooltip ?? '').includes(wrong));
    } finally {
      await s.stores.setPassword('s3', server.secretKey);
    }
  });
});
