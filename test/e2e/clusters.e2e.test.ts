import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator } from 'playwright-core';
import { FlinkRestClient } from '../../src/core/cluster';
import { ENTRY_CLASS, RunningCluster, clusterSkipReason, lines, startCluster, waitFor } from '../flink/cluster/cluster';
import { Workbench } from './support/workbench';

/** The Flink releases the flow runs against (as test/flink/cluster/run.sh builds them). */
const LINES = (process.env.FLINK_VERSIONS ?? '1.20.1 2.2.0').split(/\s+/).filter(Boolean);

for (const version of LINES) describeLine(version);

function describeLine(version: string): void {
  describe(`UI: Clusters view on Flink ${version}: a savepoint triggered from the view opens in the inspector; a restore from it is submitted`, function () {
    this.timeout(600_000);
    let bench: Workbench;
    let cluster: RunningCluster;
    let client: FlinkRestClient;

    const row = (text: string | RegExp): Locator => bench.treeRow(text);
    const quickInput = (): Locator => bench.quickInput();

    before(async function () {
      if (clusterSkipReason(version)) this.skip();
      cluster = await startCluster({ version });
      client = new FlinkRestClient({ url: cluster.url });
      const jarId = await client.uploadJar('job.jar', fs.readFileSync(cluster.jobJar));
      const out = path.join(cluster.work, 'counts.txt');
      await client.runJar(jarId, {
        entryClass: ENTRY_CLASS,
        programArgsList: ['--out', out, '--total', '6', '--pause-after', '5', '--checkpoint-interval-ms', '2000'],
      });
      await waitFor('hello 5', 120_000, () => lines(out).includes('hello 5'));
      bench = await Workbench.open({
        workspaceSettings: {
          'flinkCheckpoints.stores': [{ id: 'cluster-work', name: 'Cluster storage', uri: cluster.work }],
          'flinkCheckpoints.clusters': [{ id: 'local', name: 'Local Flink', url: cluster.url }],
        },
      });
      await bench.openContainer('Flink Checkpoints');
    });

    afterEach(async function () {
      if (this.currentTest?.state === 'failed' && bench) await bench.screenshot(`failed-clusters-${version}`);
    });

    after(async () => {
      await bench?.close();
      client?.close();
      await cluster?.stop();
      if (cluster) fs.rmSync(cluster.work, { recursive: true, force: true });
    });

    it('expands cluster → job, triggers a canonical savepoint from the context menu and opens it from the view', async () => {
      await row('Local Flink').waitFor({ timeout: 60_000 });
      await row('Local Flink').click();
      const job = row(/hello word count/);
      await job.waitFor({ timeout: 60_000 });
      await job.click();
      await row(/latest · COMPLETED/).waitFor({ timeout: 60_000 });
      if (version === LINES[0]) await bench.screenshot('clusters-view');

      await bench.contextMenu(
        job,
        'Trigger Savepoint…',
        quickInput().locator('.monaco-list-row').filter({ hasText: 'Canonical' }).first(),
      );
      await bench.page.keyboard.press('Enter');
      const input = quickInput().locator('.quick-input-box input');
      await quickInput().filter({ hasText: 'Savepoint directory' }).waitFor();
      await input.fill(path.join(cluster.work, 'savepoints'));
      await input.press('Enter');

      // The row of the new savepoint appears on the view's next refresh; clicking it opens it from its store.
      const savepointRow = row(/latest savepoint/);
      await savepointRow.waitFor({ timeout: 120_000 });
      const savepoints = fs.readdirSync(path.join(cluster.work, 'savepoints'));
      assert.equal(savepoints.length, 1);
      await savepointRow.click();
      const frame = bench.page.frameLocator('iframe.webview.ready >> visible=true').frameLocator('#active-frame');
      await frame
        .locator('h1')
        .filter({ hasText: /savepoint \d+/i })
        .waitFor({ timeout: 60_000 });
      if (version === LINES[0]) await bench.screenshot('clusters-savepoint-inspector');
    });

    it('submits a restore from that savepoint through its context menu: the new job runs and the count goes on at 6', async () => {
      const savepointRow = row(/latest savepoint/);
      await bench.contextMenu(
        savepointRow,
        'Submit Restore to Cluster…',
        quickInput().filter({ hasText: 'Submit Restore' }),
      );
      const step = (title: string): Promise<void> =>
        quickInput().filter({ hasText: title }).waitFor({ timeout: 60_000 });
      const input = quickInput().locator('.quick-input-box input');
      // The jar uploaded before is on the cluster and preselected.
      await step('Submit Restore: job jar');
      await quickInput().locator('.monaco-list-row').filter({ hasText: 'job.jar' }).first().waitFor();
      await bench.page.keyboard.press('Enter');
      await step('Submit Restore: entry class');
      await input.fill(ENTRY_CLASS);
      await input.press('Enter');
      const out = path.join(cluster.work, 'restored.txt');
      await step('Submit Restore: program arguments');
      await input.fill(`--out '${out}' --total 7 --pause-after 1`);
      await input.press('Enter');
      await step('Submit Restore: parallelism');
      await input.press('Enter');
      await step('Restore: claim mode');
      await bench.page.keyboard.press('Enter');
      await step('Restore: allow non-restored state');
      await bench.page.keyboard.press('Enter');
      await step('Submit Restore: submit?');
      await quickInput().locator('.monaco-list-row').filter({ hasText: 'NO_CLAIM' }).first().waitFor();
      await bench.page.keyboard.press('Enter');

      await waitFor('hello 6 from the restored job', 120_000, () => lines(out).includes('hello 6'));
      assert.deepEqual(lines(out), ['hello 6']);
      const running = bench.page
        .locator('.part.sidebar .monaco-list-row[role="treeitem"]')
        .filter({ hasText: 'hello word count' })
        .filter({ hasText: 'RUNNING' });
      await waitFor('two running word counts in the view', 60_000, async () => (await running.count()) === 2);
    });
  });
}
