import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Locator } from 'playwright-core';
import { Workbench, repoRoot } from './support/workbench';

/** The word count job (test/flink WordCountJob) after an edit that dropped the counter's uid. */
const JOB = [
  'class WordCount {',
  '  void build() {',
  '    lines = env.fromSource(src, wm, "Numbers").uid("numbers").map(new LineMaker()).uid("lines");',
  '    words = lines.flatMap(new Tokenizer()).uid("tokenizer");',
  '    stop = env.fromSource(src, wm, "Stop").uid("stop-word-feed").map(new StopWordMaker()).uid("stop-word-maker");',
  '    words.connect(stop).process(new StopWordFilter()).uid("stop-word-filter")',
  '        .keyBy(new WordKey())',
  '        .process(new Counter());',
  '  }',
  '}',
].join('\n');

describe('UI: Check Restore Against… the workspace job whose counter lost its uid', function () {
  this.timeout(300_000);
  let bench: Workbench;
  let root: string;
  let jobId: string;

  const row = (text: string | RegExp): Locator =>
    bench.page.locator('.part.sidebar .monaco-list-row[role="treeitem"]').filter({ hasText: text }).first();
  const quickInput = () => bench.page.locator('.quick-input-widget');

  async function expand(text: string | RegExp): Promise<void> {
    const target = row(text);
    await target.waitFor({ timeout: 30_000 });
    if ((await target.getAttribute('aria-expanded')) !== 'true') await target.click();
    await bench.page
      .locator('.part.sidebar .monaco-list-row[aria-expanded="true"]')
      .filter({ hasText: text })
      .first()
      .waitFor();
  }

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-preflight-'));
    fs.cpSync(path.join(repoRoot, 'test/fixtures/flink/2.2.1/hashmap'), root, { recursive: true });
    jobId = fs.readdirSync(root).find((n) => /^[0-9a-f]{32}$/.test(n))!;
    bench = await Workbench.open({
      workspaceFiles: { 'src/WordCount.java': JOB },
      workspaceSettings: {
        'flinkCheckpoints.stores': [{ id: 'wc', name: 'Word count', uri: root }],
        'flinkCheckpoints.flinkVersion': '2.2',
      },
    });
    await bench.openContainer('Flink Checkpoints');
    await bench.expandView('Checkpoint Stores');
    await bench.collapseView('Clusters');
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
