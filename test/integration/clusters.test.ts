import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FlinkRestClient } from '../../src/core/cluster';
import { INSPECTOR_VIEW_TYPE } from '../../src/providers/metadataEditor';
import type { ClusterTreeNode } from '../../src/views/clustersTree';
import { ENTRY_CLASS, RunningCluster, clusterSkipReason, lines, startCluster, waitFor } from '../flink/cluster/cluster';
import { eventually, services, setStores } from './support/extension';

async function children(node?: ClusterTreeNode): Promise<ClusterTreeNode[]> {
  return (await services()).clustersTree.getChildren(node);
}

describe('Clusters view against a real Flink cluster', function () {
  this.timeout(600_000);
  let cluster: RunningCluster;
  let client: FlinkRestClient;
  let jobId: string;

  before(async function () {
    if (clusterSkipReason()) this.skip();
    // A history window of 2 and 5 retained checkpoints: storage holds more than the REST statistics.
    cluster = await startCluster({
      conf: { 'web.checkpoints.history': '2', 'execution.checkpointing.num-retained': '5' },
    });
    client = new FlinkRestClient({ url: cluster.url });
    const jarId = await client.uploadJar('job.jar', fs.readFileSync(cluster.jobJar));
    const out = path.join(cluster.work, 'counts.txt');
    jobId = await client.runJar(jarId, {
      entryClass: ENTRY_CLASS,
      programArgsList: ['--out', out, '--total', '6', '--pause-after', '5', '--checkpoint-interval-ms', '500'],
    });
    await waitFor('hello 5', 120_000, () => lines(out).includes('hello 5'));
    await waitFor(
      '5 retained checkpoints',
      60_000,
      () =>
        fs.readdirSync(path.join(cluster.work, 'checkpoints', jobId)).filter((n) => n.startsWith('chk-')).length >= 5,
    );
    await setStores([{ id: 'cluster-work', name: 'cluster work', uri: cluster.work }]);
    await vscode.workspace
      .getConfiguration('flinkCheckpoints')
      .update(
        'clusters',
        [{ id: 'test-cluster', name: 'test cluster', url: cluster.url }],
        vscode.ConfigurationTarget.Global,
      );
  });

  after(async () => {
    await vscode.workspace
      .getConfiguration('flinkCheckpoints')
      .update('clusters', undefined, vscode.ConfigurationTarget.Global);
    await setStores([]);
    client?.close();
    await cluster?.stop();
    if (cluster) fs.rmSync(cluster.work, { recursive: true, force: true });
  });

  it('shows cluster → job (state, parallelism) → checkpoints, the REST history merged with storage', async () => {
    const [clusterNode] = await eventually('the cluster node', async () =>
      (await children()).length > 0 ? children() : undefined,
    );
    assert.equal(clusterNode.label, 'test cluster');
    assert.equal(clusterNode.description, cluster.url);
    const jobs = await children(clusterNode);
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0].label, 'hello word count');
    assert.equal(jobs[0].contextValue, 'clusterJob.running');
    assert.match(String(jobs[0].description), /^RUNNING · \d+ (s|min) · parallelism 1$/);

    const checkpoints = await children(jobs[0]);
    const described = checkpoints.map((n) => `${String(n.label)} | ${String(n.description)}`);
    assert.ok(checkpoints.length >= 5, described.join('\n'));
    assert.equal(
      described.filter((d) => /^Checkpoint \d+ \| latest · COMPLETED · CHECKPOINT · /.test(d)).length,
      1,
      described.join('\n'),
    );
    const ids = checkpoints.map((n) => Number(/\d+$/.exec(String(n.label))?.[0]));
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a),
      'newest first',
    );
    const fromStorageOnly = described.filter((d) => d.endsWith("in storage, beyond the cluster's history"));
    assert.ok(
      fromStorageOnly.length >= 3,
      `the storage scan adds the checkpoints the REST window of 2 dropped:\n${described.join('\n')}`,
    );
    const completedOrStored = checkpoints.filter(
      (n) => /COMPLETED|in storage/.test(String(n.description)) && !/discarded/.test(String(n.description)),
    );
    assert.ok(completedOrStored.length >= 5, described.join('\n'));
    for (const n of completedOrStored) {
      assert.equal(
        n.command?.command,
        'flinkCheckpoints.openClusterSnapshot',
        `${String(n.label)} | ${String(n.description)}`,
      );
    }
  });

  it('Trigger Savepoint writes a savepoint, the view marks it, and it opens in the inspector of its store', async () => {
    const [clusterNode] = await children();
    const [job] = await children(clusterNode);
    const location = await vscode.commands.executeCommand<string | undefined>(
      'flinkCheckpoints.triggerSavepoint',
      job,
      {
        formatType: 'CANONICAL',
        targetDirectory: path.join(cluster.work, 'savepoints'),
      },
    );
    assert.ok(location, 'the command returned the savepoint location');
    assert.ok(fs.existsSync(path.join(location.replace(/^file:/, ''), '_metadata')));
    const marked = await eventually(
      'the savepoint in the view',
      async () => {
        const nodes = await children(job);
        return nodes.find((n) => /latest savepoint/.test(String(n.description)));
      },
      30_000,
    );
    assert.match(String(marked.label), /^Savepoint \d+$/);
    assert.equal(marked.contextValue, 'clusterCheckpoint.savepoint.path');

    await vscode.commands.executeCommand('flinkCheckpoints.openClusterSnapshot', marked);
    const tab = await eventually(
      'the inspector tab',
      () => {
        const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
        return input instanceof vscode.TabInputCustom && input.viewType === INSPECTOR_VIEW_TYPE ? input : undefined;
      },
      30_000,
    );
    const savepointName = path.basename(location);
    assert.equal(tab.uri.toString(), `flink-store://cluster-work/savepoints/${savepointName}/_metadata`);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
