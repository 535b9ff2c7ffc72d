import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { Locator } from 'playwright-core';
import { fixtureJob } from './support/fixtureJobs';
import { Workbench } from './support/workbench';
import { WORD_COUNT_WITHOUT_COUNTER_UID as JOB } from '../support/workspaceJobs';

describe('UI: Check Restore Against… the workspace job whose counter lost its uid', function () {
  this.timeout(300_000);
  let bench: Workbench;
  let root: string;
  let jobId: string;

  const row = (text: string | RegExp): Locator => bench.treeRow(text);
  const quickInput = (): Locator => bench.quickInput();

  const expand = (text: string | RegExp): Promise<void> => bench.expand(text);

  before(async () => {
    ({ root, jobId } = fixtureJob('2.2.1', 'hashmap', 'preflight'));
    bench = await Workbench.open({
      workspaceFiles: { 'src/WordCount.java': JOB },
      workspaceSettings: {
        'flinkCheckpoints.stores': [{ id: 'wc', name: 'Word count', uri: root }],
        'flinkCheckpoints.flinkVersion': '2.2',
      },
    });
    await bench.showStores();
    await expand('Word count');
    await expand(jobId);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && bench) await bench.screenshot('failed-preflight');
  });

  after(async () => {
    await bench?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('says the restore needs --allowNonRestoredState and marks the call without uid', async () => {
    await bench.contextMenu(row(/latest/), 'Check Restore Against…');
    await quickInput()
      .locator('.quick-input-title')
      .filter({ hasText: /Check restore of/ })
      .waitFor({ timeout: 30_000 });
    await quickInput().locator('.monaco-list-row').filter({ hasText: 'Workspace sources' }).first().click();
    // The verdict is a warning notification. VS Code 1.100 shows it as a toast; 1.139 can keep it in the notification
    // center without a toast, so the flow opens the center, which lists it as it comes.
    await bench.page.locator('#status\\.notifications').click();
    await bench.page
      .locator('.notifications-center .notification-list-item')
      .filter({ hasText: /needs --allowNonRestoredState/ })
      .waitFor({ timeout: 60_000 });
    await bench.screenshot('preflight-verdict');
    await bench.page.keyboard.press('Control+Shift+M');
    const marker = bench.page
      .locator('.markers-panel .monaco-list-row')
      .filter({ hasText: /process\(…\) has no uid.*uid 'counter'/ });
    await marker.first().waitFor({ timeout: 30_000 });
    assert.match(await bench.page.locator('.markers-panel').innerText(), /WordCount\.java/);
    await bench.screenshot('preflight-diagnostic');
  });
});
