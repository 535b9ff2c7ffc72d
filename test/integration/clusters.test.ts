import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FlinkRestClient } from '../../src/core/cluster';
import { INSPECTOR_VIEW_TYPE } from '../../src/providers/metadataEditor';
import type { ClusterCheckpointNode, ClusterJobNode, ClusterTreeNode } from '../../src/views/clustersTree';
import { ENTRY_CLASS, RunningCluster, clusterSkipReason, lines, startCluster, waitFor } from '../flink/cluster/cluster';
import { eventually, services, setStores } from './support/extension';

async function children(node?: ClusterTreeNode): Promise<ClusterTreeNode[]> {
  return (await services()).clustersTree.getChildren(node);
}

/**
 * Runs a command that asks its questions in quick inputs and answers each with Enter, as a user taking every
 * preselected answer and prefilled value does; resolves with the command's result.
 */
async function answeringWithEnter<T>(command: Thenable<T>): Promise<T> {
  let settled = false;
  const result = Promise.resolve(command).finally(() => {
    settled = true;
  });
  const deadline = Date.now() + 180_000;
  while (!settled && Date.now() < deadline) {
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return result;
}

/** The Flink releases the suite runs against (as test/flink/cluster/run.sh builds them). */
const LINES = (process.env.FLINK_VERSIONS ?? '1.20.1 2.2.0').split(/\s+/).filter(Boolean);

for (const version of LINES) describeLine(version);

function describeLine(version: string): void {
  describe(`Clusters view against a real Flink ${version} cluster`, function () {
    this.timeout(600_000);
    let cluster: RunningCluster;
    let client: FlinkRestClient;
    let jobId: string;
    let savepoint: string;

    before(async function () {
      if (clusterSkipReason(version)) this.skip();
      // A history window of 2 and 5 retained checkpoints: storage holds more than the REST statistics.
      cluster = await startCluster({
        version,
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

      // Checkpoints go on every 500 ms: a read may catch one in progress in both the statistics and storage.
      const settled = (nodes: ClusterTreeNode[]): ClusterTreeNode[] =>
        nodes.filter(
          (n) => /COMPLETED|in storage/.test(String(n.description)) && !/discarded/.test(String(n.description)),
        );
      const checkpoints = await eventually(
        'five completed or stored checkpoints',
        async () => {
          const nodes = await children(jobs[0]);
          return settled(nodes).length >= 5 ? nodes : undefined;
        },
        30_000,
      );
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
      // Of 5 retained, the window of 2 answers for at most 2; one written after the answer is newer, not beyond.
      const beyond = described.filter((d) => d.endsWith("in storage, beyond the cluster's history"));
      const fromStorageOnly = described.filter((d) => / \| in storage, /.test(d));
      assert.ok(
        beyond.length >= 2 && fromStorageOnly.length >= 3,
        `the storage scan adds the checkpoints the REST window of 2 dropped:\n${described.join('\n')}`,
      );
      const completedOrStored = settled(checkpoints);
      // The REST answer and the storage scan are two reads: a checkpoint in progress in the first may have completed,
      // and its successor been written, by the second.
      assert.ok(completedOrStored.length >= 4, described.join('\n'));
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
      savepoint = location;
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

    it("Trigger Checkpoint offers the line's types; Enter takes the first (the job's own type) and it completes", async () => {
      const [clusterNode] = await children();
      const [job] = await children(clusterNode);
      const id = await answeringWithEnter(
        vscode.commands.executeCommand<number | undefined>('flinkCheckpoints.triggerCheckpoint', job),
      );
      assert.equal(typeof id, 'number', 'the command returned the checkpoint ID');
      const full = await vscode.commands.executeCommand<number | undefined>(
        'flinkCheckpoints.triggerCheckpoint',
        job,
        'FULL',
      );
      assert.ok(full! > id!, `a FULL checkpoint after ${id}: ${full}`);
      // The statistics are cached by the REST handler for a moment.
      await waitFor(`checkpoint ${full} as the latest completed`, 30_000, async () => {
        const latest = (await client.checkpoints(jobId)).latest.completed;
        return latest !== null && latest.id >= full!;
      });
    });

    it('Add Store for this Location fills in the checkpoint directory above <job>/chk-N; the snapshot then opens', async () => {
      await setStores([]);
      try {
        const [clusterNode] = await children();
        const [job] = await children(clusterNode);
        const checkpoint = (await children(job)).find(
          (n): n is ClusterCheckpointNode => 'entry' in n && !!n.externalPath && /^Checkpoint /.test(String(n.label)),
        );
        assert.ok(checkpoint, 'a checkpoint with a path');
        await answeringWithEnter(vscode.commands.executeCommand('flinkCheckpoints.addStoreForSnapshot', checkpoint));
        const added = (await services()).stores.configs();
        assert.deepEqual(
          added.map((c) => c.uri),
          [path.join(cluster.work, 'checkpoints')],
        );
        assert.equal(added[0].name, 'checkpoints');
        await vscode.commands.executeCommand('flinkCheckpoints.openClusterSnapshot', checkpoint);
        const tab = await eventually(
          'the inspector tab',
          () => {
            const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
            return input instanceof vscode.TabInputCustom && input.viewType === INSPECTOR_VIEW_TYPE ? input : undefined;
          },
          30_000,
        );
        assert.equal(
          tab.uri.toString(),
          `flink-store://${added[0].id}/${jobId}/${path.basename(checkpoint.externalPath!)}/_metadata`,
        );
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      } finally {
        await setStores([{ id: 'cluster-work', name: 'cluster work', uri: cluster.work }]);
      }
    });

    /** Waits for `out` to hold `hello 6`, the job RUNNING in the view, restored from the savepoint; then cancels it. */
    async function expectContinued(newJob: string | undefined, out: string): Promise<void> {
      assert.match(String(newJob), /^[0-9a-f]{32}$/);
      await waitFor('hello 6 from the restored job', 120_000, () => lines(out).includes('hello 6'));
      assert.deepEqual(lines(out), ['hello 6'], 'the count continues from the savepoint at 5');
      const [clusterNode] = await children();
      const node = await eventually(
        'the new job RUNNING in the view',
        async () =>
          (await children(clusterNode)).find(
            (n): n is ClusterJobNode => 'job' in n && n.jobId === newJob && n.contextValue === 'clusterJob.running',
          ),
        60_000,
      );
      const stats = await client.checkpoints(newJob!);
      assert.equal(stats.latest.restored?.external_path.replace(/^file:/, ''), savepoint.replace(/^file:/, ''));
      const restored = await eventually('the restore marked in the view', async () =>
        (await children(node)).find((n) => /restored from/i.test(`${String(n.label)} ${String(n.description)}`)),
      );
      assert.ok(restored);
      await client.cancelJob(newJob!);
    }

    it('Submit Restore from the savepoint in the view: uploads the jar, the new job runs and the count continues', async () => {
      const [clusterNode] = await children();
      const [job] = await children(clusterNode);
      const node = (await children(job)).find((n) => /latest savepoint/.test(String(n.description)));
      assert.ok(node, 'the savepoint of the earlier test');
      const out = path.join(cluster.work, 'restored-from-view.txt');
      const newJob = await answeringWithEnter(
        vscode.commands.executeCommand<string | undefined>('flinkCheckpoints.submitRestore', node, {
          jarFile: cluster.jobJar,
          entryClass: ENTRY_CLASS,
          programArgs: ['--out', out, '--total', '7', '--pause-after', '1'],
        }),
      );
      await expectContinued(newJob, out);
    });

    it('Submit Restore from the palette takes the snapshot open in the inspector', async () => {
      const [clusterNode] = await children();
      // Jobs are listed newest first: the restored ones come before the first.
      const job = (await children(clusterNode)).find((n) => 'job' in n && n.jobId === jobId);
      assert.ok(job, `job ${jobId} in the view`);
      const node = (await children(job)).find((n) => /latest savepoint/.test(String(n.description)));
      await vscode.commands.executeCommand('flinkCheckpoints.openClusterSnapshot', node);
      await eventually(
        'the inspector tab',
        () => {
          const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
          return input instanceof vscode.TabInputCustom && input.viewType === INSPECTOR_VIEW_TYPE ? input : undefined;
        },
        30_000,
      );
      const out = path.join(cluster.work, 'restored-from-inspector.txt');
      try {
        const newJob = await answeringWithEnter(
          vscode.commands.executeCommand<string | undefined>('flinkCheckpoints.submitRestore', undefined, {
            entryClass: ENTRY_CLASS,
            programArgs: ['--out', out, '--total', '7', '--pause-after', '1'],
          }),
        );
        await expectContinued(newJob, out);
      } finally {
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      }
    });

    it('Submit Restore from the snapshot in a store: the jar already on the cluster is preselected', async () => {
      const out = path.join(cluster.work, 'restored-from-store.txt');
      const newJob = await answeringWithEnter(
        vscode.commands.executeCommand<string | undefined>(
          'flinkCheckpoints.submitRestore',
          { storeId: 'cluster-work', path: `/savepoints/${path.basename(savepoint)}` },
          { entryClass: ENTRY_CLASS, programArgs: ['--out', out, '--total', '7', '--pause-after', '1'] },
        ),
      );
      await expectContinued(newJob, out);
    });
  });
}
