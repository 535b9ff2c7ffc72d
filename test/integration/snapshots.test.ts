import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { copyScenario, eventually, newestFixtureVersion, services, setStores } from './support/extension';
import type { RestoreInvocation } from '../../src/core/restore';
import type { DiffModel, HistoryModel } from '../../media/protocol';
import type { CleanupPlan } from '../../src/core/references/safety';

describe('snapshots: inspect, restore, compare, history and cleanup on real Flink checkpoints', function () {
  this.timeout(60_000);
  let root: string;
  let jobId: string;
  let checkpoints: string[];

  before(async () => {
    ({ root, jobId } = copyScenario(newestFixtureVersion(), 'rocksdb-incremental'));
    checkpoints = fs
      .readdirSync(path.join(root, jobId))
      .filter((n) => n.startsWith('chk-'))
      .sort((a, b) => Number(b.slice(4)) - Number(a.slice(4)));
    await setStores([{ id: 'demo', name: 'Demo', uri: root, clusterPath: 's3://bucket/checkpoints' }]);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await setStores([]);
  });

  it('opens _metadata in the snapshot inspector', async () => {
    await vscode.commands.executeCommand('flinkCheckpoints.inspectSnapshot', {
      storeId: 'demo',
      path: `/${jobId}/${checkpoints[0]}`,
    });
    const tab = await eventually('the inspector tab', () => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return input instanceof vscode.TabInputCustom ? input : undefined;
    });
    assert.equal(tab.viewType, 'flinkCheckpoints.metadataInspector');
    assert.equal(tab.uri.scheme, 'flink-store');
    assert.equal(tab.uri.path, `/${jobId}/${checkpoints[0]}/_metadata`);
  });

  const targets: { target: string; version: string; expect: RegExp[] }[] = [
    { target: 'cli', version: '1.19', expect: [/--fromSavepoint/, /--restoreMode/] },
    { target: 'cli', version: '2.2', expect: [/--fromSavepoint/, /--claimMode/] },
    { target: 'application', version: '1.20', expect: [/run-application/] },
    { target: 'application', version: '2.0', expect: [/\brun\b/, /kubernetes-application/] },
    { target: 'k8s', version: '1.20', expect: [/initialSavepointPath/, /savepointRedeployNonce/] },
    { target: 'sql', version: '1.18', expect: [/SET 'execution\.savepoint\.path'/, /RESET/] },
    { target: 'sql', version: '2.1', expect: [/SET 'execution\.state-recovery\.path'/] },
    { target: 'rest', version: '1.20', expect: [/"claimMode"/, /curl/] },
  ];
  for (const { target, version, expect } of targets) {
    it(`restores the latest complete checkpoint through ${target} for Flink ${version}`, async () => {
      const invocation = await vscode.commands.executeCommand<RestoreInvocation>('flinkCheckpoints.restoreJob', {
        storeId: 'demo',
        path: `/${jobId}`,
        snapshot: 'latest',
        target,
        flinkVersion: version,
        output: 'editor',
        options: {
          claimMode: 'claim',
          allowNonRestoredState: true,
          jar: './job.jar',
          deploymentName: 'wordcount',
          clusterId: 'wordcount',
        },
      });
      assert.ok(invocation, 'an invocation');
      assert.equal(invocation.snapshotPath, `s3://bucket/checkpoints/${jobId}/${checkpoints[0]}`);
      const text = await eventually('the invocation editor', () => vscode.window.activeTextEditor?.document.getText());
      assert.ok(text.includes(invocation.snapshotPath), 'the editor shows the mapped path');
      for (const pattern of expect) assert.match(text, pattern);
    });
  }

  it('compares two checkpoints of the job', async () => {
    const model = await vscode.commands.executeCommand<DiffModel>(
      'flinkCheckpoints.compareWith',
      { storeId: 'demo', path: `/${jobId}/${checkpoints[1]}` },
      { storeId: 'demo', path: `/${jobId}/${checkpoints[0]}` },
    );
    assert.ok(model.operators.length > 0);
    assert.ok(
      model.operators.every((o) => o.change === 'same' || o.change === 'changed'),
      'the same job keeps its operators',
    );
    assert.ok(model.filesInBoth > 0, 'incremental checkpoints share files');
    const id = (p: string) => Number(/chk-(\d+)$/.exec(p)?.[1]);
    assert.ok(
      id(model.left) < id(model.right),
      `older to newer, whichever was picked first: ${model.left} ⟷ ${model.right}`,
    );
    const reversed = await vscode.commands.executeCommand<DiffModel>(
      'flinkCheckpoints.compareWith',
      { storeId: 'demo', path: `/${jobId}/${checkpoints[0]}` },
      { storeId: 'demo', path: `/${jobId}/${checkpoints[1]}` },
    );
    assert.deepEqual([reversed.left, reversed.right], [model.left, model.right]);
    // Flink wrote shared files absolute (file:/…) and exclusive ones relative: both read as paths in the job.
    const onlyOne = [...model.filesOnlyLeft, ...model.filesOnlyRight];
    assert.ok(onlyOne.length > 0, 'each checkpoint has files of its own');
    for (const file of onlyOne) assert.match(file, /^(chk-\d+|shared|taskowned)\/[^/]+$/);
  });

  it('charts the sizes of the retained checkpoints, by checkpoint id, at the time each _metadata was written', async () => {
    // Recent times, whole seconds: cleanup further on keeps files younger than the newest _metadata.
    const hourAgo = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
    const completed = checkpoints.map((_, i) => new Date(hourAgo - i * 60_000));
    checkpoints.forEach((name, i) =>
      fs.utimesSync(path.join(root, jobId, name, '_metadata'), completed[i], completed[i]),
    );
    // A file removed from an older checkpoint makes its directory the newest: the chart must not reorder by that.
    const now = new Date();
    fs.utimesSync(path.join(root, jobId, checkpoints[checkpoints.length - 1]), now, now);
    const model = await vscode.commands.executeCommand<HistoryModel>('flinkCheckpoints.showHistory', {
      storeId: 'demo',
      path: `/${jobId}`,
    });
    assert.equal(model.points.length, checkpoints.length);
    assert.ok(model.points.every((p) => p.stateSize > 0));
    const ids = model.points.map((p) => p.checkpointId);
    assert.deepEqual(
      ids,
      [...ids].sort((x, y) => x - y),
    );
    assert.deepEqual(
      model.points.map((p) => [p.label, p.time]),
      checkpoints.map((name, i) => [name, completed[i].getTime()]).reverse(),
    );
  });

  it('dates the checkpoints in the tree by their _metadata', async () => {
    const completed = new Date(Math.floor(Date.now() / 1000) * 1000 - 3 * 3_600_000);
    fs.utimesSync(path.join(root, jobId, checkpoints[0], '_metadata'), completed, completed);
    const tree = (await services()).storesTree;
    tree.refresh();
    const [store] = await tree.getChildren();
    const job = (await tree.getChildren(store)).find((n) => n.label === jobId);
    assert.ok(job, 'the job node');
    const node = (await tree.getChildren(job)).find((n) => n.label === checkpoints[0]);
    assert.ok(node instanceof vscode.TreeItem && node.tooltip instanceof vscode.MarkdownString, 'the checkpoint node');
    assert.ok(
      node.tooltip.value.includes(completed.toLocaleString()),
      `the tooltip names when _metadata was written: ${node.tooltip.value}`,
    );
    assert.match(String(node.description), /\b3 h ago$/);
  });

  it('runs a cleanup dry run that deletes nothing', async () => {
    const leftover = path.join(root, jobId, 'shared', 'leftover');
    fs.writeFileSync(leftover, 'x');
    const old = new Date(Date.now() - 86_400_000);
    fs.utimesSync(leftover, old, old);
    const report = await vscode.commands.executeCommand<CleanupPlan>('flinkCheckpoints.cleanUp', {
      storeId: 'demo',
      path: `/${jobId}`,
    });
    assert.ok(report.candidates.some((c) => c.path === `/${jobId}/shared/leftover`));
    assert.ok(fs.existsSync(leftover), 'a dry run deletes nothing');
  });
});
